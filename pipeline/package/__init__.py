"""Stage 5, rows become published files: the Data Package (CSV, Parquet, ``datapackage.json``, README) written
into a staging folder, validated, and published in place of the last good one, with the build report."""
