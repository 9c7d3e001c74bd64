"""Terminal consoles and the colour decision: --color, then NO_COLOR, FORCE_COLOR, the terminal."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import IO, Literal

from rich.console import Console

ColorChoice = Literal["auto", "always", "never"]


def color_enabled(choice: ColorChoice, stream: IO[str], environ: dict[str, str] | None = None) -> bool:
    """Whether to colour output on `stream`.

    The flag wins; then NO_COLOR (https://no-color.org: any non-empty value), then
    FORCE_COLOR (any non-empty value), then whether the stream is a terminal.
    """
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(stream: IO[str], color: bool) -> Console:
    """A rich console on `stream` that colours exactly when told to."""
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


@dataclass
class Consoles:
    """Results go to `out` (stdout); progress, warnings and errors to `err` (stderr)."""

    out: Console
    err: Console
    verbosity: int = 0
    """-1 quiet, 0 normal, 1+ verbose."""

    @classmethod
    def create(cls, choice: ColorChoice = "auto", verbosity: int = 0) -> Consoles:
        return cls(
            out=make_console(sys.stdout, color_enabled(choice, sys.stdout)),
            err=make_console(sys.stderr, color_enabled(choice, sys.stderr)),
            verbosity=verbosity,
        )

    def error(self, message: str) -> None:
        self.err.print(f"[bold red]error:[/] {_escape(message)}")

    def warning(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(f"[yellow]warning:[/] {_escape(message)}")

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(_escape(message))

    def debug(self, message: str) -> None:
        if self.verbosity >= 1:
            self.err.print(f"[dim]{_escape(message)}[/]")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
