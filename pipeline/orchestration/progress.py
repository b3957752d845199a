"""Dagster's log records as a progress display: one line per step and check, plus the warnings and errors."""

from __future__ import annotations

import logging

from rich.console import Console


class RichProgressHandler(logging.Handler):
    """Turns Dagster's structured log records into one status line per step, plus user warnings/errors."""

    def __init__(self, console: Console):
        super().__init__(level=logging.DEBUG)
        self.console = console
        self._check_steps: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - exercised through the CLI
        try:
            meta = getattr(record, "dagster_meta", None) or {}
            event = meta.get("dagster_event")
            step = meta.get("step_key") or ""
            if event is None:
                message = meta.get("orig_message", record.getMessage())
                if message.startswith("Dependencies for step"):
                    self.console.print(f"[yellow]- {step} not run (an upstream step failed)[/yellow]", highlight=False)
                elif record.levelno >= logging.ERROR:
                    self.console.print(f"  [red]error[/red] {step}: {message}", highlight=False)
                elif record.levelno >= logging.WARNING:
                    self.console.print(f"  [yellow]warning[/yellow] {step}: {message}", highlight=False)
                elif record.levelno >= logging.INFO:
                    self.console.print(f"  [dim]{message}[/dim]", highlight=False)
                return
            kind = event.event_type_value
            if kind == "STEP_START":
                self.console.print(f"[bold]▸ {step}[/bold]", highlight=False)
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step in self._check_steps:
                return  # the check's own line says it all
            elif kind == "STEP_SUCCESS":
                self.console.print(f"[green]✓ {step}[/green]", highlight=False)
            elif kind == "STEP_FAILURE":
                self.console.print(f"[red]✗ {step}[/red]", highlight=False)
            elif kind == "STEP_SKIPPED":
                self.console.print(f"[yellow]- {step} skipped[/yellow]", highlight=False)
            elif kind == "ASSET_CHECK_EVALUATION":
                self._check_steps.add(step)
                data = event.event_specific_data
                ok = getattr(data, "passed", None)
                name = getattr(getattr(data, "asset_check_key", None), "name", "check")
                warn = getattr(getattr(data, "severity", None), "value", None) == "WARN"
                colour, mark = ("green", "✓") if ok else (("yellow", "!") if warn else ("red", "✗"))
                note = " (warning: see the checks table)" if warn and not ok else ""
                self.console.print(f"[{colour}]{mark} check {name}{note}[/{colour}]", highlight=False)
        except Exception:  # noqa: BLE001 - progress display must never break a build
            self.handleError(record)


def progress_logger_def(console: Console):
    import dagster as dg

    @dg.logger(description="yusuan CLI progress on stderr")
    def rich_progress(_init_context):
        logger = logging.getLogger("yusuan.cli.progress")
        logger.handlers = [RichProgressHandler(console)]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return logger

    return rich_progress
