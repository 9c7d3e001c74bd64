"""The `thoth` command group, its global options, and how errors become exit codes."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from thoth_cli import __version__
from thoth_cli.cli.console import ColorChoice, Consoles
from thoth_cli.errors import ExitCode, ThothError

COMMANDS: dict[str, tuple[str, str]] = {
    "advise": ("thoth_cli.cli.advise", "advise_command"),
    "audit": ("thoth_cli.cli.audit", "audit_command"),
    "cache": ("thoth_cli.cli.cache", "cache"),
    "check": ("thoth_cli.cli.check", "check_command"),
    "diff": ("thoth_cli.cli.diff", "diff_command"),
    "discover": ("thoth_cli.cli.discover", "discover_command"),
    "graph": ("thoth_cli.cli.graph", "graph_command"),
    "manifest": ("thoth_cli.cli.manifest", "manifest"),
    "prescriptions": ("thoth_cli.cli.prescriptions", "prescriptions"),
    "scan": ("thoth_cli.cli.scan", "scan_command"),
    "units": ("thoth_cli.cli.units", "units_command"),
    "why": ("thoth_cli.cli.why", "why_command"),
}
"""Command name -> (module, attribute): imported only when the command runs, so that
`thoth discover` does not pay for the resolver, the HTTP client and the lock writers."""


class ThothGroup(click.Group):
    """A click group that loads its commands on demand and turns thoth's errors into one plain
    message and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThothError as exc:
            _consoles(ctx).error(str(exc))
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            _consoles(ctx).error("interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            consoles = _consoles(ctx)
            consoles.error(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in thoth; please report it with the command you ran."
                + ("" if os.environ.get("THOTH_DEBUG") else " (set THOTH_DEBUG=1 for the traceback)")
            )
            if os.environ.get("THOTH_DEBUG"):
                consoles.err.print(traceback.format_exc(), markup=False)
            ctx.exit(int(ExitCode.INTERNAL))


def _consoles(ctx: click.Context) -> Consoles:
    root = ctx.find_root()
    if isinstance(root.obj, Consoles):
        return root.obj
    return Consoles.create()


@click.group(cls=ThothGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="thoth")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output; 'auto' follows NO_COLOR, FORCE_COLOR and the terminal.",
)
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug detail).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the result.")
@click.pass_context
def cli(ctx: click.Context, color: ColorChoice, verbose: int, quiet: bool) -> None:
    """Resolve Python stacks for a target environment and explain every pin."""
    ctx.obj = Consoles.create(color, -1 if quiet else verbose)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="thoth")
    except KeyboardInterrupt:  # pragma: no cover - interrupted before a command ran
        sys.exit(int(ExitCode.INTERRUPTED))
