"""`thoth diff`: what differs between two lock files, or two stacks of a report, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from thoth_cli.cli.console import Consoles
from thoth_cli.diff import ChangeKind, PackageChange, Side, StackDiff, diff_stacks, read_side
from thoth_cli.errors import ExitCode, UsageError
from thoth_cli.stack import Justification

SCHEMA = "thoth.diff/1"

_STYLES = {
    ChangeKind.ADDED: "green",
    ChangeKind.REMOVED: "red",
    ChangeKind.UPGRADED: "cyan",
    ChangeKind.DOWNGRADED: "yellow",
    ChangeKind.REPLACED: "magenta",
    ChangeKind.SOURCE: "magenta",
    ChangeKind.REASONS: "dim",
}


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option(
    "--stack",
    "stacks",
    multiple=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Compare stack N of a report (1 is the best); give it twice: OLD's stack, then NEW's, "
    "or two stacks of one report.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def diff_command(consoles: Consoles, old: Path, new: Path | None, stacks: tuple[int, ...], fmt: str) -> None:
    """Show what differs between the stacks of OLD and NEW.

    OLD and NEW are lock files of any format (pylock.toml, Pipfile.lock, requirements.txt;
    one against another) or reports of thoth advise --report, whose best stack is taken
    unless --stack says. With one report: thoth diff REPORT --stack 1 --stack 2.

    Exits 0 when both install the same packages at the same versions from the same indexes
    (scores and reasons may still differ), 1 when they do not, as diff(1) does.
    """
    difference = diff_stacks(*_sides(old, new, stacks))
    if fmt == "json":
        consoles.out.print_json(json.dumps(diff_as_dict(difference)))
    else:
        show_diff(consoles, difference)
    if not difference.same:
        click.get_current_context().exit(int(ExitCode.NO))


def _sides(old: Path, new: Path | None, stacks: tuple[int, ...]) -> tuple[Side, Side]:
    if new is None:
        if len(stacks) != 2:
            raise UsageError(
                "thoth diff needs two stacks: OLD and NEW, or one report and two --stack",
                fix=f"thoth diff {old} NEW, or thoth diff {old} --stack 1 --stack 2",
            )
        return read_side(old, stacks[0]), read_side(old, stacks[1])
    if len(stacks) == 1 or len(stacks) > 2:
        raise UsageError(
            f"--stack given {'once' if len(stacks) == 1 else f'{len(stacks)} times'} with two files",
            fix="give --stack twice (OLD's stack, then NEW's) or not at all (each report's best)",
        )
    old_stack, new_stack = stacks if stacks else (None, None)
    return read_side(old, old_stack), read_side(new, new_stack)


def diff_as_dict(difference: StackDiff) -> dict[str, Any]:
    """A JSON-ready view of a diff (schema `thoth.diff/1`, in thoth_cli/schemas/diff.schema.json)."""
    return {
        "schema": SCHEMA,
        "same": difference.same,
        "old": _side_dict(difference.old),
        "new": _side_dict(difference.new),
        "score_change": _rounded(difference.score_change),
        "summary": {
            **{kind.value: difference.count(kind) for kind in ChangeKind},
            "unchanged": difference.unchanged,
        },
        "packages": [_change_dict(change) for change in difference.changes],
        "justifications": {
            "removed": [_justification_dict(j) for j in difference.removed_justifications],
            "added": [_justification_dict(j) for j in difference.added_justifications],
        },
    }


def _side_dict(side: Side) -> dict[str, Any]:
    return {
        "label": side.label,
        "format": side.format,
        "packages": len(side.by_name()),
        "score": _rounded(side.score),
        "reasons_known": side.reasons_known,
    }


def _change_dict(change: PackageChange) -> dict[str, Any]:
    def pin(version: object, index: str | None, score: float | None, present: bool) -> dict[str, Any] | None:
        if not present:
            return None
        return {
            "version": None if version is None else str(version),
            "index": index,
            "score": _rounded(score),
        }

    return {
        "name": change.name,
        "change": change.kind.value,
        "old": pin(
            change.old_version, change.old_index, change.old_score, change.kind is not ChangeKind.ADDED
        ),
        "new": pin(
            change.new_version, change.new_index, change.new_score, change.kind is not ChangeKind.REMOVED
        ),
        "score_change": _rounded(change.score_change),
        "justifications": {
            "removed": [_justification_dict(j) for j in change.removed_justifications],
            "added": [_justification_dict(j) for j in change.added_justifications],
        },
    }


def _justification_dict(justification: Justification) -> dict[str, Any]:
    return {
        "type": justification.type.value,
        "message": justification.message,
        "link": justification.link,
        "unit": justification.unit,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def show_diff(consoles: Consoles, difference: StackDiff) -> None:
    """The diff for people: both sides, a table of the packages that differ, the reasons that
    differ, and a one-line summary."""
    out = consoles.out
    for title, side in (("old", difference.old), ("new", difference.new)):
        out.print(escape(f"{title}: {side.label} ({side.format}, {_side_score(side)})"))
    if difference.changes:
        out.print(_table(difference))
    reasons = _reason_lines(difference)
    if reasons:
        out.print("justifications:")
        for line in reasons:
            out.print(line)
    out.print(escape(_summary(difference)))


def _side_score(side: Side) -> str:
    return "score unknown" if side.score is None else f"score {side.score:+.3f}"


def _table(difference: StackDiff) -> Table:
    table = Table()
    # Folded, never cut short: a version or an index URL with an ellipsis is of no use.
    for column in ("package", "old", "new", "change", "score"):
        table.add_column(column, overflow="fold")
    source_shown = any(
        change.kind is ChangeKind.SOURCE or _index_moved(change) for change in difference.changes
    )
    for change in difference.changes:
        old = _pin_text(
            change.old_version, change.old_index, change.kind is not ChangeKind.ADDED, source_shown
        )
        new = _pin_text(
            change.new_version, change.new_index, change.kind is not ChangeKind.REMOVED, source_shown
        )
        table.add_row(
            escape(change.name),
            escape(old),
            escape(new),
            Text(change.kind.value, style=_STYLES[change.kind]),
            escape(_score_text(change.old_score, change.new_score)),
        )
    return table


def _index_moved(change: PackageChange) -> bool:
    return (
        change.old_index is not None
        and change.new_index is not None
        and change.old_index.rstrip("/") != change.new_index.rstrip("/")
    )


def _pin_text(version: object, index: str | None, present: bool, with_index: bool) -> str:
    if not present:
        return ""
    text = "direct reference" if version is None else str(version)
    if with_index and index is not None:
        text += f"\n{index}"
    return text


def _score_text(old: float | None, new: float | None) -> str:
    if old is None and new is None:
        return ""
    if old is None or new is None:
        return f"{old if new is None else new:+.2f}"
    if round(old, 6) == round(new, 6):
        return f"{new:+.2f}"
    return f"{old:+.2f} -> {new:+.2f}"


def _reason_lines(difference: StackDiff) -> list[str]:
    """`- name TYPE: message` for a reason gone, `+ ...` for a new one; the stack's own first."""
    lines = [
        *_lines("stack", difference.removed_justifications, difference.added_justifications),
        *(
            line
            for change in difference.changes
            for line in _lines(change.name, change.removed_justifications, change.added_justifications)
        ),
    ]
    return lines


def _lines(subject: str, removed: tuple[Justification, ...], added: tuple[Justification, ...]) -> list[str]:
    return [
        *(f"[red]-[/] {escape(f'{subject} {j.type.value}: {j.message}')}" for j in removed),
        *(f"[green]+[/] {escape(f'{subject} {j.type.value}: {j.message}')}" for j in added),
    ]


def _summary(difference: StackDiff) -> str:
    reasons = difference.count(ChangeKind.REASONS)
    if difference.same:
        text = f"the same pins ({_packages(difference.unchanged + reasons)})"
    else:
        kinds = [kind for kind in ChangeKind if kind is not ChangeKind.REASONS and difference.count(kind)]
        differ = sum(difference.count(kind) for kind in kinds)
        counts = ", ".join(f"{difference.count(kind)} {kind.value}" for kind in kinds)
        verb = "differs" if differ == 1 else "differ"
        text = f"{_packages(differ)} {verb} ({counts}), {difference.unchanged + reasons} unchanged"
    if reasons:
        text += f"; {_packages(reasons)} with other reasons"
    if difference.old.score is not None and difference.new.score is not None:
        text += f"; stack score {difference.old.score:+.3f} -> {difference.new.score:+.3f}"
    return text


def _packages(count: int) -> str:
    return f"{count} {'package' if count == 1 else 'packages'}"
