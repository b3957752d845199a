"""Dagster: the stages as assets (raw -> core -> out), their asset checks, the jobs, schedule and sensor, and
the scale-out job. Nothing in the stages imports this layer."""
