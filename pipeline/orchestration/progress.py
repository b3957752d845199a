"""Dagster's log records as a progress display: one line per step and check, plus the warnings and errors.

Messages carry data (file names, what a document holds): they are printed as plain text, never read as Rich
markup (a file named ``[/x]`` must neither vanish nor break the display)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.text import Text


class RichProgressHandler(logging.Handler):
    """Turns Dagster's structured log records into one status line per step, plus user warnings/errors."""

    def __init__(self, console: Console):
        super().__init__(level=logging.DEBUG)
        self.console = console
        self._check_steps: set[str] = set()

    def _say(self, *parts: str | tuple[str, str]) -> None:
        """One line from plain strings and ``(text, style)`` pairs, none of them read as markup."""
        self.console.print(Text.assemble(*parts), highlight=False, soft_wrap=True)

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - exercised through the CLI
        try:
            meta = getattr(record, "dagster_meta", None) or {}
            event = meta.get("dagster_event")
            step = meta.get("step_key") or ""
            if event is None:
                message = meta.get("orig_message", record.getMessage())
                if message.startswith("Dependencies for step"):
                    self._say((f"- {step} not run (an upstream step failed)", "yellow"))
                elif record.levelno >= logging.ERROR:
                    self._say("  ", ("error", "red"), f" {step}: {message}")
                elif record.levelno >= logging.WARNING:
                    self._say("  ", ("warning", "yellow"), f" {step}: {message}")
                elif record.levelno >= logging.INFO:
                    self._say("  ", (message, "dim"))
                return
            kind = event.event_type_value
            if kind == "STEP_START":
                self._say((f"▸ {step}", "bold"))
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step in self._check_steps:
                return  # the check's own line says it all
            elif kind == "STEP_SUCCESS":
                self._say((f"✓ {step}", "green"))
            elif kind == "STEP_FAILURE":
                self._say((f"✗ {step}", "red"))
            elif kind == "STEP_SKIPPED":
                self._say((f"- {step} skipped", "yellow"))
            elif kind == "ASSET_CHECK_EVALUATION":
                self._check_steps.add(step)
                data = event.event_specific_data
                ok = getattr(data, "passed", None)
                name = getattr(getattr(data, "asset_check_key", None), "name", "check")
                warn = getattr(getattr(data, "severity", None), "value", None) == "WARN"
                colour, mark = ("green", "✓") if ok else (("yellow", "!") if warn else ("red", "✗"))
                note = " (warning: see the checks table)" if warn and not ok else ""
                self._say((f"{mark} check {name}{note}", colour))
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
