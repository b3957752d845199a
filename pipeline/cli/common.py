"""What every command of the ``yusuan`` program shares: its exit codes, and printing text as it is."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_QUARANTINED = 3
EXIT_BUSY = 4


def say(console: Console, text: str, style: str | None = None) -> None:
    """Print ``text`` as it is: never read as Rich markup (file names and messages are data), no highlighting."""
    console.print(Text(text, style=style or ""), highlight=False, soft_wrap=True)
