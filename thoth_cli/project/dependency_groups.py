"""PEP 735 `[dependency-groups]`: group names normalised, includes expanded, bad entries refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import Group, GroupKind, ProjectRequirement
from thoth_cli.project.pep508 import parse_requirement, valid_name
from thoth_cli.project.toml_values import TomlDocument, show_value, toml_type

TABLE = "dependency-groups"


@dataclass(frozen=True)
class DependencyGroup:
    """One PEP 735 group with its includes expanded in place, in the order the file gives."""

    name: NormalizedName
    display_name: str
    requirements: tuple[ProjectRequirement, ...]
    includes: tuple[NormalizedName, ...]
    """Every group this one includes, directly or through another group."""


def find_cycle(includes: Mapping[str, Sequence[str]]) -> tuple[str, ...] | None:
    """A cycle in an include graph, as the path that closes it (`a, b, a`), or None.

    Names without an entry in `includes` are treated as including nothing.
    """
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> tuple[str, ...] | None:
        if name in stack:
            return (*stack[stack.index(name) :], name)
        if name in done:
            return None
        stack.append(name)
        for target in includes.get(name, ()):
            cycle = visit(target, stack)
            if cycle:
                return cycle
        stack.pop()
        done.add(name)
        return None

    for start in includes:
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def closure(includes: Mapping[str, Sequence[str]], name: str) -> tuple[str, ...]:
    """Everything `name` includes, directly or not, in first-seen order (the graph must be acyclic)."""
    seen: list[str] = []
    pending = list(includes.get(name, ()))
    while pending:
        target = pending.pop(0)
        if target not in seen:
            seen.append(target)
            pending.extend(includes.get(target, ()))
    return tuple(seen)


@dataclass(frozen=True)
class _Entry:
    """One array entry: a requirement string or an include, with the group that wrote it."""

    owner: NormalizedName
    requirement: str | None = None
    include: NormalizedName | None = None


def _read_entries(
    table: Mapping[str, object], doc: TomlDocument
) -> tuple[dict[NormalizedName, str], dict[NormalizedName, list[_Entry]], dict[NormalizedName, Location]]:
    display: dict[NormalizedName, str] = {}
    entries: dict[NormalizedName, list[_Entry]] = {}
    origins: dict[NormalizedName, Location] = {}
    for raw, value in table.items():
        key = (TABLE, raw)
        location = doc.at(*key)
        name = valid_name(raw, what="dependency group name", location=location)
        if name in display:
            raise ManifestError(
                f"dependency group names {display[name]!r} and {raw!r} are the same once normalised",
                location=location,
                text=repr(name),
                fix="merge the two groups into one",
            )
        if not isinstance(value, list):
            raise ManifestError(
                f"a dependency group must be an array, not {toml_type(value)}",
                location=location,
                text=show_value(value),
                fix=f'write {raw} = ["requirement", {{include-group = "other-group"}}]',
            )
        display[name], origins[name], entries[name] = raw, location, []
        for position, entry in enumerate(value, start=1):
            if isinstance(entry, str):
                entries[name].append(_Entry(name, requirement=entry))
                continue
            target = entry.get("include-group") if isinstance(entry, dict) else None
            if not isinstance(entry, dict) or set(entry) != {"include-group"} or not isinstance(target, str):
                raise ManifestError(
                    f"entry {position} of the group is neither a requirement string nor an "
                    '{include-group = "..."} table',
                    location=location,
                    text=show_value(entry),
                    fix='write a PEP 508 string such as "pytest>=8", or {include-group = "test"}',
                )
            entries[name].append(_Entry(name, include=canonicalize_name(target)))
    return display, entries, origins


def read_dependency_groups(table: object, *, path: Path, text: str) -> tuple[DependencyGroup, ...]:
    """Read `[dependency-groups]` as PEP 735 says, every include expanded.

    Names are compared normalised; an unknown include, an include cycle (named, such as
    `dev -> test -> dev`) or an entry that is neither a string nor an include table raises
    ManifestError.
    """
    doc = TomlDocument(path, text)
    if not isinstance(table, dict):
        raise ManifestError(
            f"[{TABLE}] must be a table of arrays, not {toml_type(table)}",
            location=doc.at(TABLE),
            text=show_value(table),
            fix=f'write [{TABLE}] with one array per group, e.g. test = ["pytest>=8"]',
        )
    display, entries, origins = _read_entries(table, doc)
    graph: dict[str, list[str]] = {
        name: [e.include for e in items if e.include is not None] for name, items in entries.items()
    }
    for name, targets in graph.items():
        for target in targets:
            if target not in entries:
                known = ", ".join(display.values())
                raise ManifestError(
                    "includes a dependency group that is not defined",
                    location=origins[NormalizedName(name)],
                    text=repr(target),
                    fix=f"define it in [{TABLE}] or include one of: {known}",
                )
    cycle = find_cycle(graph)
    if cycle:
        raise ManifestError(
            "dependency groups include each other in a cycle",
            location=origins[NormalizedName(cycle[0])],
            text=" -> ".join(display[NormalizedName(n)] for n in cycle),
            fix="remove one of the include-group entries in that cycle",
        )

    def expand(name: NormalizedName) -> list[_Entry]:
        found: list[_Entry] = []
        for entry in entries[name]:
            found.extend(expand(entry.include) if entry.include is not None else [entry])
        return found

    groups = []
    for name in entries:
        group = Group(GroupKind.GROUP, name)
        requirements = tuple(
            parse_requirement(
                entry.requirement,
                location=doc.element((TABLE, display[entry.owner]), entry.requirement),
                group=group,
            )
            for entry in expand(name)
            if entry.requirement is not None
        )
        includes = tuple(NormalizedName(n) for n in closure(graph, name))
        groups.append(DependencyGroup(name, display[name], requirements, includes))
    return tuple(groups)


__all__ = ["DependencyGroup", "closure", "find_cycle", "read_dependency_groups"]
