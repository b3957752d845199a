"""``python -m pipeline.cli``: the ``yusuan`` program."""

from pipeline.cli import run

run()
