"""How `thoth advise` shows its answer: the stack as a table or a tree, JSON, and progress while working."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from thoth_cli.cli.console import Consoles
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.stack import Justification, JustificationType, PinnedPackage, Stack

if TYPE_CHECKING:
    from rich.status import Status

    from thoth_cli.adviser import Advice

SCHEMA = "thoth.advise/1"

_SEVERITY = {JustificationType.ERROR: 0, JustificationType.WARNING: 1, JustificationType.INFO: 2}


def change_of(package: PinnedPackage, previous: Mapping[NormalizedName, Version] | None) -> str:
    """What happened to the package against the existing lock ("" without one, or unchanged)."""
    if previous is None:
        return ""
    old = previous.get(package.name)
    if old is None:
        return "added"
    if old == package.version:
        return ""
    return f"{'upgraded' if package.version > old else 'downgraded'} from {old}"


def headline(package: PinnedPackage) -> Justification | None:
    """The package's most important justification: the most severe, first given."""
    if not package.justifications:
        return None
    return min(package.justifications, key=lambda j: _SEVERITY[j.type])


def stack_table(stack: Stack, previous: Mapping[NormalizedName, Version] | None) -> Table:
    """The chosen stack, one row per package: version, change, score and the main reason."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("package", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("change", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("why", overflow="fold")
    for package in stack.packages:
        reason = headline(package)
        table.add_row(
            escape(package.display_name),
            escape(str(package.version)),
            escape(change_of(package, previous)),
            f"{package.score:+.2f}",
            escape(reason.message) if reason is not None else "",
        )
    return table


def stack_tree(stack: Stack) -> Tree:
    """Why each package is there: the project's requirements, then what each package requires."""
    names = {package.name: package for package in stack.packages}
    root = Tree("project")

    def grow(branch: Tree, parent: NormalizedName | None, path: tuple[NormalizedName, ...]) -> None:
        for edge in stack.dependencies_of(parent):
            package = names.get(edge.child)
            if package is None:
                continue
            pinned = f"{escape(package.display_name)} {escape(str(package.version))}"
            label = f"{pinned}  [dim]({escape(edge.requirement)})[/]"
            if edge.child in path:
                branch.add(label + " [dim]…[/]")
                continue
            grow(branch.add(label), edge.child, (*path, edge.child))

    grow(root, None, ())
    return root


def advice_dict(advice: Advice) -> dict[str, object]:
    """`thoth advise --format json`: the lock written and the whole report (schema thoth.advise/1)."""
    from thoth_cli.pipeline.report import Report

    previous = _previous(advice)
    search = advice.search
    assert search is not None and advice.units is not None
    report = Report(
        advice.request.recommendation.type, advice.request.target.as_dict(), search, advice.units
    ).as_dict()
    stack = advice.resolution.stack
    return {
        "schema": SCHEMA,
        "manifest": str(advice.request.project.manifest),
        "lock": str(advice.written) if advice.written is not None else None,
        "lock_format": advice.request.lock_format.value,
        "dry_run": advice.request.dry_run,
        "changes": [
            {"name": p.display_name, "version": str(p.version), "change": change_of(p, previous)}
            for p in stack.packages
            if change_of(p, previous)
        ],
        "report": report,
    }


def print_json(consoles: Consoles, advice: Advice) -> None:
    consoles.out.print_json(json.dumps(advice_dict(advice)), indent=2)


def _previous(advice: Advice) -> dict[NormalizedName, Version] | None:
    if advice.previous is None:
        return None
    return {p.name: p.version for p in advice.previous.packages if p.version is not None}


class ProgressReporter(BaseReporter[Requirement, Candidate, str]):
    """Tells a status line how far resolution got: names known, pins tried, time spent."""

    def __init__(self, status: Status) -> None:
        self._status = status
        self._known: set[str] = set()
        self._pinned = 0
        self._started = time.monotonic()

    def adding_requirement(self, requirement: Requirement, parent: Candidate | None) -> None:
        self._known.add(requirement.name)
        self._show()

    def pinning(self, candidate: Candidate) -> None:
        self._pinned += 1
        self._show()

    def _show(self) -> None:
        elapsed = time.monotonic() - self._started
        self._status.update(
            f"resolving: {len(self._known)} packages known, {self._pinned} pins tried, {elapsed:.0f} s"
        )


@contextmanager
def progress(consoles: Consoles) -> Iterator[ProgressReporter | None]:
    """A live status line on stderr while resolving, only on a terminal and never when quiet."""
    if consoles.verbosity < 0 or not consoles.err.is_terminal:
        yield None
        return
    with consoles.err.status("resolving…") as status:
        yield ProgressReporter(status)
