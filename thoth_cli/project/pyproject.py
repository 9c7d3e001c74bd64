"""Reading pyproject.toml: PEP 621 `[project]`, PEP 735 `[dependency-groups]` and `[tool.poetry]`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.dependency_groups import closure, find_cycle, read_dependency_groups
from thoth_cli.project.model import MAIN, Group, GroupKind, ManifestKind, Project, ProjectRequirement
from thoth_cli.project.pep508 import join_markers, parse_requirement, valid_name
from thoth_cli.project.poetry import PoetryTables, enrich, read_poetry
from thoth_cli.project.reader import ManifestReader
from thoth_cli.project.toml import load_toml
from thoth_cli.project.toml_values import TomlDocument, show_value, toml_type


class PyprojectReader(ManifestReader):
    """Reads pyproject.toml in any of the three ways projects declare dependencies there.

    PEP 621 `dependencies` are the main group and `optional-dependencies` the extras; PEP 735
    `[dependency-groups]` and Poetry groups are groups; Poetry's `[tool.poetry]` tables are
    read as Poetry 2 reads them next to (or instead of) `[project]`.
    """

    kind = ManifestKind.PYPROJECT
    filenames = ("pyproject.toml",)

    def read(self, path: Path) -> Project:
        data, text = load_toml(path)
        return read_pyproject(data, path=path, text=text)


@dataclass(frozen=True)
class _Standard:
    """What `[project]` (PEP 621) states; None where a key is absent."""

    name: str | None = None
    version: str | None = None
    requires_python: SpecifierSet | None = None
    dependencies: tuple[ProjectRequirement, ...] | None = None
    extras: tuple[ProjectRequirement, ...] | None = None
    dynamic: frozenset[str] = frozenset()


def _strings(
    doc: TomlDocument, value: object, key: tuple[str, ...], *, group: Group
) -> tuple[ProjectRequirement, ...]:
    """An array of PEP 508 strings, each parsed with the line it sits on."""
    if not isinstance(value, list):
        example = f'["{value}"]' if isinstance(value, str) else '["requests>=2.31"]'
        raise doc.wrong_type(key, value, "an array of PEP 508 strings", f"write {key[-1]} = {example}")
    found = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, str):
            raise ManifestError(
                f"entry {position} must be a PEP 508 string, not {toml_type(entry)}",
                location=doc.at(*key),
                text=show_value(entry),
                fix='quote it as a requirement, e.g. "requests>=2.31"',
            )
        found.append(parse_requirement(entry, location=doc.element(key, entry), group=group))
    return tuple(found)


def _requires_python(doc: TomlDocument, value: object) -> SpecifierSet:
    key = ("project", "requires-python")
    if not isinstance(value, str):
        example = (
            f'">={value}"' if isinstance(value, (int, float)) and not isinstance(value, bool) else '">=3.9"'
        )
        raise doc.wrong_type(
            key, value, "a string", f"quote it as a version specifier: requires-python = {example}"
        )
    try:
        return SpecifierSet(value)
    except InvalidSpecifier:
        raise ManifestError(
            "not a valid version specifier",
            location=doc.at(*key),
            text=repr(value),
            fix='write a PEP 440 specifier such as ">=3.9" or ">=3.9,<4"',
        ) from None


def _read_extras(doc: TomlDocument, value: object) -> tuple[ProjectRequirement, ...]:
    key = ("project", "optional-dependencies")
    if not isinstance(value, dict):
        raise doc.wrong_type(
            key, value, "a table of arrays", 'write [project.optional-dependencies] pg = ["psycopg"]'
        )
    found: list[ProjectRequirement] = []
    spelled: dict[NormalizedName, str] = {}
    for raw, entries in value.items():
        name = valid_name(raw, what="extra name", location=doc.at(*key, raw))
        if name in spelled:
            raise ManifestError(
                f"extras {spelled[name]!r} and {raw!r} are the same once normalised",
                location=doc.at(*key, raw),
                text=repr(name),
                fix="merge the two extras into one",
            )
        spelled[name] = raw
        found.extend(_strings(doc, entries, (*key, raw), group=Group(GroupKind.EXTRA, name)))
    return tuple(found)


def _read_standard(doc: TomlDocument, table: object) -> _Standard:
    if not isinstance(table, dict):
        raise doc.wrong_type(
            ("project",), table, "a table", 'write [project] with name = "..." and dependencies = [...]'
        )
    dynamic = table.get("dynamic", [])
    if not isinstance(dynamic, list) or not all(isinstance(d, str) for d in dynamic):
        raise doc.wrong_type(
            ("project", "dynamic"), dynamic, "an array of key names", 'write dynamic = ["version"]'
        )
    for name in ("dependencies", "optional-dependencies", "requires-python"):
        if name in dynamic and name in table:
            raise ManifestError(
                f"{name} is listed in dynamic but also given",
                location=doc.at("project", name),
                text=name,
                fix=f"remove {name!r} from dynamic, or remove the {name} key (PEP 621 allows only one)",
            )
    return _Standard(
        name=doc.optional_string(table, ("project",), "name", '"my-project"'),
        version=doc.optional_string(table, ("project",), "version", '"0.1.0"'),
        requires_python=_requires_python(doc, table["requires-python"])
        if "requires-python" in table
        else None,
        dependencies=_strings(doc, table["dependencies"], ("project", "dependencies"), group=MAIN)
        if "dependencies" in table
        else None,
        extras=_read_extras(doc, table["optional-dependencies"])
        if "optional-dependencies" in table
        else None,
        dynamic=frozenset(dynamic),
    )


def _expand_self(
    requirements: Sequence[ProjectRequirement],
    extras: Mapping[NormalizedName, Sequence[ProjectRequirement]],
    project: NormalizedName | None,
) -> tuple[list[ProjectRequirement], list[str]]:
    """Replace `this-project[a,b]` inside extras and groups by the requirements of extras a and b.

    The project is not on any index; resolving its own name would find nothing, or a
    stranger's package of the same name.
    """
    result: list[ProjectRequirement] = []
    notes: list[str] = []

    def visit(requirement: ProjectRequirement, group: Group, seen: frozenset[str]) -> None:
        if requirement.name != project:
            result.append(replace(requirement, group=group))
            return
        if not requirement.extras:
            notes.append(
                f"{group}: {requirement} names the project itself; its own dependencies are main ones"
            )
        for extra in sorted(requirement.extras):
            wanted = canonicalize_name(extra)
            if wanted not in extras:
                raise ManifestError(
                    "names an extra of this project that [project.optional-dependencies] does not define",
                    location=requirement.origin or Location(Path("pyproject.toml")),
                    text=repr(str(requirement)),
                    fix=f"define the extra {extra!r} or remove it",
                )
            if wanted in seen:
                continue
            for inner in extras[wanted]:
                visit(
                    replace(inner, marker=join_markers(requirement.marker, inner.marker)),
                    group,
                    seen | {wanted},
                )

    for requirement in requirements:
        # An extra naming itself (`all = ["me[all]"]`) adds nothing; a group may share an extra's name.
        own = {requirement.group.name} if requirement.group.kind is GroupKind.EXTRA else set()
        visit(requirement, requirement.group, frozenset(own))
    return result, notes


def _main_and_extras(
    standard: _Standard, poetry: PoetryTables | None
) -> tuple[list[ProjectRequirement], list[ProjectRequirement], list[str]]:
    """Main requirements and extras, by the rules Poetry 2 documents when both styles are present."""
    notes: list[str] = []
    main = list(standard.dependencies or ())
    extras = list(standard.extras or ())
    if poetry is None or not poetry.dependencies:
        if "dependencies" in standard.dynamic:
            notes.append(
                "[project] lists dependencies as dynamic (the build backend computes them); "
                "thoth reads only what the file states"
            )
        return main, extras, notes
    if not main and not extras:
        # Rule: without [project] dependencies, [tool.poetry.dependencies] declares them
        # (Poetry 1 projects, and Poetry 2 ones with `dynamic = ["dependencies"]`).
        if "dependencies" in standard.dynamic:
            notes.append(
                "[project] lists dependencies as dynamic; read from [tool.poetry.dependencies] as Poetry does"
            )
        return list(poetry.main_requirements), list(poetry.extras), notes
    # Rule: with [project] dependencies, [tool.poetry.dependencies] only enriches them for
    # locking (index, develop, allow-prereleases, extra bounds); except that with
    # dependencies dynamic and only optional-dependencies given, Poetry's own main entries
    # join the standard extras (poetry-core `DependencyGroup.dependencies`, `mixed_dynamic`).
    if not main and "dependencies" in standard.dynamic:
        own = poetry.main_requirements
        enriched, enrich_notes = enrich(
            extras, poetry.dependencies, table="tool.poetry.dependencies", locked_anyway={r.name for r in own}
        )
        notes.append(
            "[project] lists dependencies as dynamic; main ones read from [tool.poetry.dependencies]"
        )
        return list(own), list(enriched), notes + list(enrich_notes)
    enriched, enrich_notes = enrich(main + extras, poetry.dependencies, table="tool.poetry.dependencies")
    notes.extend(enrich_notes)
    return (
        [r for r in enriched if r.group == MAIN],
        [r for r in enriched if r.group != MAIN],
        notes,
    )


def _groups(
    doc: TomlDocument, data: Mapping[str, Any], poetry: PoetryTables | None
) -> tuple[list[ProjectRequirement], list[str]]:
    """PEP 735 groups and Poetry groups, merged as Poetry 2 merges them.

    A name in both: the PEP 735 list says what is required and the Poetry table of that group
    (or of a group it includes) only enriches it. Poetry's `include-groups` come last.
    """
    notes: list[str] = []
    standard = (
        read_dependency_groups(data["dependency-groups"], path=doc.path, text=doc.text)
        if "dependency-groups" in data
        else ()
    )
    poetry_groups = {g.name: g for g in (poetry.groups if poetry else ())}
    own: dict[NormalizedName, list[ProjectRequirement]] = {}
    for group in standard:
        details = [
            dependency
            for name in (group.name, *group.includes)
            if name in poetry_groups
            for dependency in poetry_groups[name].dependencies
        ]
        requirements = list(group.requirements)
        if details:
            enriched, enrich_notes = enrich(
                requirements, details, table=f"tool.poetry.group.{group.display_name}"
            )
            requirements = list(enriched)
            notes.extend(enrich_notes)
        own[group.name] = requirements
    for name, poetry_group in poetry_groups.items():
        if name not in own:
            own[name] = [d.requirement for d in poetry_group.dependencies]
    graph = {name: [canonicalize_name(i) for i in g.include_groups] for name, g in poetry_groups.items()}
    for name, targets in graph.items():
        for target, raw in zip(targets, poetry_groups[name].include_groups, strict=True):
            if target not in own:
                raise ManifestError(
                    "includes a group that is not defined",
                    location=poetry_groups[name].origin or doc.at("tool", "poetry", "group"),
                    text=repr(raw),
                    fix="define the group, or include one of: " + ", ".join(sorted(own)),
                )
    cycle = find_cycle({k: list(v) for k, v in graph.items()})
    if cycle:
        first = poetry_groups[NormalizedName(cycle[0])]
        raise ManifestError(
            "groups include each other in a cycle",
            location=first.origin or doc.at("tool", "poetry", "group"),
            text=" -> ".join(cycle),
            fix="remove one of the include-groups entries in that cycle",
        )
    flat: list[ProjectRequirement] = []
    for name, requirements in own.items():
        flat.extend(requirements)
        into = Group(GroupKind.GROUP, name)
        for included in closure({k: list(v) for k, v in graph.items()}, name):
            flat.extend(replace(r, group=into) for r in own[NormalizedName(included)])
    return flat, notes


def _declares_nothing(data: Mapping[str, Any]) -> bool:
    tool = data.get("tool")
    return (
        "project" not in data
        and "dependency-groups" not in data
        and not (isinstance(tool, dict) and "poetry" in tool)
    )


def read_pyproject(data: Mapping[str, Any], *, path: Path, text: str) -> Project:
    """Turn a parsed pyproject.toml into a `Project` (see `PyprojectReader`)."""
    doc = TomlDocument(path, text)
    if _declares_nothing(data):
        raise ManifestError(
            "declares no dependencies (no [project], [dependency-groups] or [tool.poetry] table)",
            location=Location(path),
            fix="add a [project] table with dependencies = [...], or pass the manifest that lists them",
        )
    standard = _read_standard(doc, data["project"]) if "project" in data else _Standard()
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise doc.wrong_type(("tool",), tool, "a table", "write [tool.<name>] tables")
    poetry = None
    if "poetry" in tool:
        # Poetry 2 ignores [tool.poetry.extras] once [project] declares dependencies itself.
        with_extras = not standard.dependencies and not standard.extras
        poetry = read_poetry(tool["poetry"], path=path, text=text, with_extras=with_extras)
    notes: list[str] = list(poetry.notes) if poetry else []
    if (
        poetry is not None
        and not with_extras
        and isinstance(tool["poetry"], dict)
        and "extras" in tool["poetry"]
    ):
        notes.append("[tool.poetry.extras] is ignored because [project] declares the dependencies (Poetry 2)")
    main, extras, main_notes = _main_and_extras(standard, poetry)
    notes.extend(main_notes)
    groups, group_notes = _groups(doc, data, poetry)
    notes.extend(group_notes)

    name = standard.name or (poetry.name if poetry else None)
    self_name = canonicalize_name(name) if name else None
    by_extra: dict[NormalizedName, list[ProjectRequirement]] = {}
    for requirement in extras:
        by_extra.setdefault(NormalizedName(requirement.group.name), []).append(requirement)
    extras, extra_notes = _expand_self(extras, by_extra, self_name)
    groups, self_notes = _expand_self(groups, by_extra, self_name)
    notes.extend(extra_notes + self_notes)

    requires_python = standard.requires_python
    if poetry is not None and poetry.python is not None:
        # Poetry 2: `python` in [tool.poetry.dependencies] is the range used for locking;
        # requires-python stays the published one.
        if requires_python is not None and requires_python != poetry.python:
            notes.append(
                f"locking for Python {poetry.python} from [tool.poetry.dependencies] python; "
                f"requires-python {requires_python} is what the package publishes"
            )
        requires_python = poetry.python
    return Project(
        manifest=path,
        kind=ManifestKind.PYPROJECT,
        requirements=(*main, *extras, *groups),
        sources=poetry.sources if poetry else (),
        requires_python=requires_python,
        name=name,
        version=standard.version or (poetry.version if poetry else None),
        notes=tuple(dict.fromkeys(notes)),
    )


__all__ = ["PyprojectReader", "read_pyproject"]
