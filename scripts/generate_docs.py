"""Write completions/ (bash, zsh, fish) and man/ (roff pages) from the click definitions of `thoth`.

Run from the repository's root after changing a command or an option:

    .venv/bin/python scripts/generate_docs.py          # rewrite the files
    .venv/bin/python scripts/generate_docs.py --check  # exit 1, naming them, when any is out of date

The output depends only on the commands and the package's version (no dates), so that the
committed files can be compared with a fresh run.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
from click.shell_completion import BashComplete, FishComplete, ShellComplete, ZshComplete

from thoth_cli import __version__
from thoth_cli.cli.main import cli
from thoth_cli.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
PROG = "thoth"
COMPLETE_VAR = "_THOTH_COMPLETE"
"""What click's completion reads; it is derived from the program name, so it must stay this."""

SHELLS: dict[str, type[ShellComplete]] = {"bash": BashComplete, "zsh": ZshComplete, "fish": FishComplete}

EXIT_STATUS: dict[ExitCode, str] = {
    ExitCode.OK: "Success: the command did what was asked, and the answer is yes.",
    ExitCode.NO: "The answer is no: no acceptable stack, a stale lock, stacks that differ, "
    "known vulnerabilities.",
    ExitCode.USAGE: "The command line is wrong: an unknown option, a missing argument, a bad value.",
    ExitCode.ENVIRONMENT: "The index, the network, the cache or the machine failed.",
    ExitCode.INVALID_INPUT: "A manifest, lock, configuration or prescription cannot be read; "
    "the message names the file, the line or key, and the fix.",
    ExitCode.INTERNAL: "A bug in thoth or in a pipeline unit; the message names it.",
    ExitCode.INTERRUPTED: "Interrupted (Ctrl-C); no file was left half written.",
}


@dataclass(frozen=True)
class Page:
    """One command of the tree: its words after `thoth` and its click object."""

    path: tuple[str, ...]
    command: click.Command
    parent: click.Context

    @property
    def name(self) -> str:
        return "-".join((PROG, *self.path))

    @property
    def words(self) -> str:
        return " ".join((PROG, *self.path))


def pages() -> list[Page]:
    """`thoth` and every visible command and subcommand, depth first in name order.

    Commands load lazily; asking the group for each name it lists loads them all.
    """
    root = click.Context(cli, info_name=PROG, **cli.context_settings)
    found = [Page((), cli, root)]
    found.extend(_subpages(cli, root, ()))
    return found


def _subpages(group: click.Command, ctx: click.Context, path: tuple[str, ...]) -> Iterator[Page]:
    if not isinstance(group, click.Group):
        return
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        child = click.Context(command, info_name=name, parent=ctx, **command.context_settings)
        yield Page((*path, name), command, child)
        yield from _subpages(command, child, (*path, name))


def completion(shell: str) -> str:
    """The script that makes `shell` complete `thoth`'s commands and options (click's own)."""
    complete = SHELLS[shell](cli, {}, PROG, COMPLETE_VAR)
    # The template itself, not `source()`: bash's version check would run bash and warn.
    return complete.source_template % complete.source_vars()


def man_page(page: Page, all_pages: list[Page]) -> str:
    """The roff man page of one command."""
    ctx = page.parent
    command = page.command
    lines = [
        f'.TH "{_roff_arg(page.name.upper())}" "1" "" "thoth_cli {__version__}" "thoth manual"',
        ".SH NAME",
        f"{_roff_text(page.name)} \\- {_roff_text(_short_help(command))}",
        ".SH SYNOPSIS",
        f".B {_roff_arg(page.words)}",
        _roff_text(" ".join(command.collect_usage_pieces(ctx))),
        ".SH DESCRIPTION",
        *_paragraphs(_help(command)),
    ]
    if isinstance(command, click.Group):
        lines.append(".SH COMMANDS")
        for child in _children(page, all_pages):
            lines += [".TP", f".B {_roff_arg(child.path[-1])}", _roff_text(_short_help(child.command)) + "."]
            lines.append(f"See \\fB{_roff_text(child.name)}\\fR(1).")
    options = [
        record
        for param in command.get_params(ctx)
        # Arguments are in the synopsis and the description; click gives them no help text.
        if isinstance(param, click.Option) and (record := param.get_help_record(ctx)) is not None
    ]
    if options:
        lines.append(".SH OPTIONS")
        for names, help_text in options:
            lines += [".TP", f"\\fB{_roff_text(names)}\\fR"]
            lines.append(_roff_text(help_text) if help_text else "")
    lines.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS.items():
        lines += [".TP", f".B {int(code)}", _roff_text(meaning)]
    lines += [".SH SEE ALSO", _see_also(page, all_pages)]
    return "\n".join(line for line in lines if line) + "\n"


def generated() -> dict[Path, str]:
    """Every generated file, by its path relative to the repository's root."""
    files = {Path("completions") / f"{PROG}.{shell}": completion(shell) for shell in SHELLS}
    all_pages = pages()
    for page in all_pages:
        files[Path("man") / f"{page.name}.1"] = man_page(page, all_pages)
    return files


def stale(root: Path) -> list[Path]:
    """The generated files under `root` that are missing or differ from a fresh run, and man pages
    of commands that are gone."""
    files = generated()
    differ = [path for path, text in files.items() if _read(root / path) != text]
    extra = sorted(
        path.relative_to(root) for path in (root / "man").glob("*.1") if path.relative_to(root) not in files
    )
    return sorted(differ) + extra


def write(root: Path) -> list[Path]:
    """Write every generated file under `root`, removing man pages of commands that are gone."""
    files = generated()
    for path in (root / "man").glob("*.1"):
        if path.relative_to(root) not in files:
            path.unlink()
    changed = []
    for path, text in files.items():
        if _read(root / path) != text:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate thoth's shell completions and man pages.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is out of date")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository's root (default: %(default)s)"
    )
    arguments = parser.parse_args(argv)
    if arguments.check:
        outdated = stale(arguments.root)
        for path in outdated:
            print(f"out of date: {path}", file=sys.stderr)
        if outdated:
            print("run: .venv/bin/python scripts/generate_docs.py", file=sys.stderr)
        return 1 if outdated else 0
    for path in write(arguments.root):
        print(f"wrote {path}")
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _help(command: click.Command) -> str:
    # click stops a help text at a form feed: what follows is for the source's readers only.
    text = inspect.cleandoc(command.help or command.short_help or "")
    return text.split("\f", 1)[0].strip()


def _short_help(command: click.Command) -> str:
    return command.get_short_help_str(limit=1_000).rstrip(".")


def _paragraphs(text: str) -> Iterator[str]:
    """Help text as roff paragraphs; click's `\\b` marks a block to keep as written."""
    first = True
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        if not first:
            yield ".PP"
        first = False
        if block.startswith("\b"):
            yield ".nf"
            yield from (_roff_text(line) or "\\&" for line in block[1:].strip("\n").splitlines())
            yield ".fi"
        else:
            yield _roff_text(" ".join(line.strip() for line in block.splitlines()))


def _children(page: Page, all_pages: list[Page]) -> list[Page]:
    return [
        other for other in all_pages if other.path[:-1] == page.path and len(other.path) == len(page.path) + 1
    ]


def _see_also(page: Page, all_pages: list[Page]) -> str:
    # The parent and the children of a page, or for `thoth` itself each of its commands.
    related = [other for other in all_pages if other.path == page.path[:-1] and other is not page]
    related += _children(page, all_pages)
    if not related and page.path:
        related = [all_pages[0]]
    return ",\n".join(f"\\fB{_roff_text(other.name)}\\fR(1)" for other in related)


def _roff_text(text: str) -> str:
    """Text safe in a roff line: backslashes escaped, hyphens kept as typed (options must paste
    into a shell), and no line starting with a control character."""
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    lines = [("\\&" + line if line.startswith((".", "'")) else line) for line in escaped.splitlines()]
    return "\n".join(lines)


def _roff_arg(text: str) -> str:
    return _roff_text(text).replace('"', "\\(dq")


if __name__ == "__main__":
    sys.exit(main())
