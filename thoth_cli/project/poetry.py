"""Poetry's `[tool.poetry]` tables (dependencies, groups, extras, sources) read into requirements."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import MAIN, Group, GroupKind, ProjectRequirement, Source
from thoth_cli.project.pep508 import join_markers, valid_name
from thoth_cli.project.poetry_constraints import (
    poetry_platform_marker,
    poetry_python_marker,
    poetry_specifier,
)
from thoth_cli.project.toml import key_line
from thoth_cli.project.toml_values import TomlDocument, show_value

PYPI_URL = "https://pypi.org/simple/"
_DEPENDENCY_KEYS = frozenset(
    {
        "allow-prereleases",
        "branch",
        "develop",
        "extras",
        "file",
        "git",
        "markers",
        "optional",
        "path",
        "platform",
        "python",
        "rev",
        "source",
        "subdirectory",
        "tag",
        "url",
        "version",
    }
)
_SCP_LIKE = re.compile(r"^(?P<user>[\w.\-]+)@(?P<host>[\w.\-]+):(?!//)(?P<path>.+)$")
# Poetry's source priorities, highest first; `default` and `secondary` are its deprecated names.
_PRIORITIES = ("default", "primary", "secondary", "supplemental", "explicit")


@dataclass(frozen=True)
class PoetryDependency:
    """One Poetry dependency entry as a requirement, with the Poetry-only flags it carried."""

    requirement: ProjectRequirement
    optional: bool = False
    develop: bool = False


@dataclass(frozen=True)
class PoetryGroup:
    """`[tool.poetry.group.<name>]` (or the legacy `dev-dependencies`, as group `dev`)."""

    name: NormalizedName
    display_name: str
    dependencies: tuple[PoetryDependency, ...]
    include_groups: tuple[str, ...] = ()
    origin: Location | None = None


@dataclass(frozen=True)
class PoetryTables:
    """What `[tool.poetry]` says about dependencies, translated but not yet merged with `[project]`."""

    name: str | None = None
    version: str | None = None
    python: SpecifierSet | None = None
    dependencies: tuple[PoetryDependency, ...] = ()
    """`[tool.poetry.dependencies]` without `python`; optional entries included."""
    extras: tuple[ProjectRequirement, ...] = ()
    """Optional dependencies copied into the `[tool.poetry.extras]` that name them."""
    groups: tuple[PoetryGroup, ...] = ()
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def main_requirements(self) -> tuple[ProjectRequirement, ...]:
        """The main dependencies Poetry always installs (optional ones only come with an extra)."""
        return tuple(d.requirement for d in self.dependencies if not d.optional)


def _flag(doc: TomlDocument, table: dict[str, Any], name: str, key: tuple[str, ...]) -> bool:
    value = table.get(name, False)
    if isinstance(value, bool):
        return value
    raise doc.wrong_type((*key, name), value, "true or false", f"write {name} = true")


def _git_url(repository: str, ref: str | None, subdirectory: str | None) -> str:
    if repository.startswith("git+"):
        url = repository
    elif match := _SCP_LIKE.match(repository):
        # scp-style `git@host:org/repo.git` has no scheme; PEP 508 needs ssh:// spelled out.
        url = f"git+ssh://{match['user']}@{match['host']}/{match['path']}"
    else:
        url = f"git+{repository}"
    if ref:
        url += f"@{ref}"
    if subdirectory:
        url += f"#subdirectory={subdirectory}"
    return url


def _direct_url(
    doc: TomlDocument, table: dict[str, Any], key: tuple[str, ...]
) -> tuple[str | None, str | None]:
    """(kind, PEP 508 URL) of a git/path/file/url entry; (None, None) for an index dependency."""
    kinds = [kind for kind in ("git", "path", "file", "url") if kind in table]
    if len(kinds) > 1:
        raise ManifestError(
            f"gives both {kinds[0]!r} and {kinds[1]!r}",
            location=doc.at(*key),
            text=", ".join(kinds),
            fix="keep only one of git, path, file or url",
        )
    refs = [ref for ref in ("branch", "tag", "rev") if ref in table]
    if refs and kinds != ["git"]:
        raise ManifestError(
            f"{refs[0]!r} only applies to git dependencies",
            location=doc.at(*key, refs[0]),
            text=show_value(table[refs[0]]),
            fix=f'add git = "https://..." or remove {refs[0]}',
        )
    if not kinds:
        if "subdirectory" in table:
            raise ManifestError(
                "'subdirectory' only applies to git, path and url dependencies",
                location=doc.at(*key, "subdirectory"),
                text=show_value(table["subdirectory"]),
                fix="remove subdirectory",
            )
        return None, None
    kind = kinds[0]
    if "version" in table:
        raise ManifestError(
            f"a {kind} dependency cannot also give a version",
            location=doc.at(*key, "version"),
            text=show_value(table["version"]),
            fix=f"remove version: the {kind} reference decides which version is used",
        )
    if len(refs) > 1:
        raise ManifestError(
            f"gives both {refs[0]!r} and {refs[1]!r}",
            location=doc.at(*key),
            text=", ".join(refs),
            fix="keep only one of branch, tag or rev",
        )
    location: str = doc.optional_string(table, key, kind, '"..."') or ""
    if not location:
        raise ManifestError(
            f"{kind} is empty", location=doc.at(*key, kind), text='""', fix=f"give the {kind}"
        )
    subdirectory = doc.optional_string(table, key, "subdirectory", '"subdir"')
    if kind == "git":
        ref = doc.optional_string(table, key, refs[0], '"main"') if refs else None
        return kind, _git_url(location, ref, subdirectory)
    if kind == "url":
        return kind, location + (f"#subdirectory={subdirectory}" if subdirectory else "")
    target = Path(location)
    if not target.is_absolute():
        # Poetry reads relative paths from the folder that holds pyproject.toml.
        target = doc.path.parent / target
    if subdirectory and kind == "path":
        target = target / subdirectory
    return kind, target.resolve().as_uri()


def _check_keys(doc: TomlDocument, table: dict[str, Any], key: tuple[str, ...]) -> None:
    for name in table:
        if name not in _DEPENDENCY_KEYS:
            raise ManifestError(
                "unknown key in a Poetry dependency",
                location=doc.at(*key, name),
                text=repr(name),
                fix="use only: " + ", ".join(sorted(_DEPENDENCY_KEYS)),
            )


def _from_table(
    doc: TomlDocument,
    name: str,
    table: dict[str, Any],
    *,
    key: tuple[str, ...],
    group: Group,
    sources: Sequence[Source],
) -> PoetryDependency:
    _check_keys(doc, table, key)
    kind, url = _direct_url(doc, table, key)
    specifier = SpecifierSet()
    if kind is None:
        version = table.get("version", "*")
        if not isinstance(version, str):
            raise doc.wrong_type((*key, "version"), version, "a string", 'write version = "^1.2"')
        specifier = poetry_specifier(version, location=doc.at(*key, "version"))
    markers = None
    if (text := doc.optional_string(table, key, "markers", "\"sys_platform == 'linux'\"")) is not None:
        try:
            markers = Marker(text)
        except InvalidMarker as exc:
            raise ManifestError(
                f"invalid environment marker ({str(exc).splitlines()[0].rstrip('.')})",
                location=doc.at(*key, "markers"),
                text=repr(text),
                fix="write a PEP 508 marker such as \"python_version < '3.11'\"",
            ) from None
    python = None
    if (text := doc.optional_string(table, key, "python", '"^3.9"')) is not None:
        python = poetry_python_marker(text, location=doc.at(*key, "python"))
    platform = None
    if (text := doc.optional_string(table, key, "platform", '"linux"')) is not None:
        platform = poetry_platform_marker(text, location=doc.at(*key, "platform"))
    extras = table.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
        raise doc.wrong_type((*key, "extras"), extras, "an array of strings", 'write extras = ["name"]')
    index = None
    if (wanted := doc.optional_string(table, key, "source", '"my-index"')) is not None:
        found = next((s for s in sources if s.name.lower() == wanted.lower()), None)
        if found is None and not sources and wanted.lower() == "pypi":
            # With no sources declared PyPI is Poetry's implicit primary index, and may be named.
            found = Source(name="pypi", url=PYPI_URL)
        if found is None:
            known = ", ".join(s.name for s in sources) or "none declared"
            raise ManifestError(
                "names a source that [[tool.poetry.source]] does not declare",
                location=doc.at(*key, "source"),
                text=repr(wanted),
                fix=f"declare it with [[tool.poetry.source]] name = {wanted!r}, or use one of: {known}",
            )
        index = found.name
    develop = _flag(doc, table, "develop", key)
    requirement = ProjectRequirement(
        name=canonicalize_name(name),
        display_name=name,
        specifier=specifier,
        extras=frozenset(extras),
        marker=join_markers(markers, python, platform),
        url=url,
        editable=develop and kind in ("git", "path"),
        index=index,
        group=group,
        allow_prereleases=_flag(doc, table, "allow-prereleases", key),
        origin=doc.at(*key),
    )
    return PoetryDependency(requirement, optional=_flag(doc, table, "optional", key), develop=develop)


def _read_dependency(
    doc: TomlDocument,
    name: str,
    value: object,
    *,
    key: tuple[str, ...],
    group: Group,
    sources: Sequence[Source],
) -> list[PoetryDependency]:
    valid_name(
        name,
        what="package name",
        location=doc.at(*key),
        fix="use the name the package has on its index (letters, digits, '-', '_', '.')",
    )
    entries = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        raise ManifestError(
            "an empty list of constraints",
            location=doc.at(*key),
            text="[]",
            fix='write name = "*" or remove it',
        )
    found = []
    for entry in entries:
        if isinstance(entry, str):
            requirement = ProjectRequirement(
                name=canonicalize_name(name),
                display_name=name,
                specifier=poetry_specifier(entry, location=doc.at(*key)),
                group=group,
                origin=doc.at(*key),
            )
            found.append(PoetryDependency(requirement))
        elif isinstance(entry, dict):
            found.append(_from_table(doc, name, entry, key=key, group=group, sources=sources))
        else:
            raise doc.wrong_type(
                key,
                entry,
                "a version constraint string, a table or an array of tables",
                f'write {name} = "^1.2" or {name} = {{ version = "^1.2", python = "^3.9" }}',
            )
    return found


def _read_dependencies(
    doc: TomlDocument, table: object, *, key: tuple[str, ...], group: Group, sources: Sequence[Source]
) -> tuple[list[PoetryDependency], str | None]:
    """The entries of one dependency table, and its `python` constraint text if it has one."""
    if not isinstance(table, dict):
        raise doc.wrong_type(
            key, table, "a table", f'write [{".".join(key)}] with lines such as requests = "^2.31"'
        )
    python: str | None = None
    found: list[PoetryDependency] = []
    for name, value in table.items():
        if name.lower() == "python":
            if not isinstance(value, str):
                raise doc.wrong_type((*key, name), value, "a string", 'write python = "^3.9"')
            python = value
            continue
        found.extend(_read_dependency(doc, name, value, key=(*key, name), group=group, sources=sources))
    return found, python


def _source_location(doc: TomlDocument, position: int) -> Location:
    """The line of the n-th `[[tool.poetry.source]]` (the array's line if it is written inline)."""
    return Location(
        doc.path, line=key_line(doc.text, ("tool", "poetry", "source", position)), key="tool.poetry.source"
    )


def _read_sources(doc: TomlDocument, value: object) -> tuple[tuple[Source, ...], list[str]]:
    key = ("tool", "poetry", "source")
    if not isinstance(value, list):
        raise doc.wrong_type(
            key, value, "an array of tables", 'write [[tool.poetry.source]] name = "..." url = "..."'
        )
    ranked: list[tuple[int, int, Source]] = []
    notes: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise doc.wrong_type(
                key, entry, "a table", 'write [[tool.poetry.source]] name = "..." url = "..."'
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ManifestError(
                "a source needs a name",
                location=_source_location(doc, position),
                text=show_value(entry),
                fix='add name = "my-index"',
            )
        if name.lower() in seen:
            raise ManifestError(
                "two sources have the same name",
                location=_source_location(doc, position),
                text=repr(name),
                fix="rename one of them",
            )
        seen.add(name.lower())
        url = entry.get("url")
        if url is None and name.lower() == "pypi":
            url = PYPI_URL
        if not isinstance(url, str) or not url:
            raise ManifestError(
                "a source needs a url",
                location=_source_location(doc, position),
                text=show_value(entry),
                fix='add url = "https://my-index.example/simple/"',
            )
        priority = entry.get("priority")
        if priority is None:
            # Poetry before 1.5 used booleans for the same idea.
            priority = (
                "default" if entry.get("default") else "secondary" if entry.get("secondary") else "primary"
            )
        if priority not in _PRIORITIES:
            raise ManifestError(
                "unknown source priority",
                location=_source_location(doc, position),
                text=repr(priority),
                fix="use one of: primary, supplemental, explicit",
            )
        if priority in ("default", "secondary"):
            notes.append(f"source {name!r} uses the deprecated priority {priority!r}; read as Poetry 1.x did")
        source = Source(name=name, url=url, explicit=priority == "explicit")
        ranked.append((_PRIORITIES.index(priority), position, source))
    if "pypi" not in seen and ranked:
        # Poetry keeps PyPI as the primary index unless the project names a primary one itself.
        if all(rank > _PRIORITIES.index("primary") for rank, _, _ in ranked):
            ranked.append((_PRIORITIES.index("primary"), -1, Source(name="pypi", url=PYPI_URL)))
        else:
            notes.append("PyPI is not used: the project names its own primary source, as Poetry does")
    return tuple(source for _, _, source in sorted(ranked, key=lambda r: (r[0], r[1]))), notes


def _read_extras(
    doc: TomlDocument, value: object, dependencies: Sequence[PoetryDependency]
) -> tuple[list[ProjectRequirement], list[str]]:
    key = ("tool", "poetry", "extras")
    if not isinstance(value, dict):
        raise doc.wrong_type(
            key, value, "a table", 'write [tool.poetry.extras] with lines such as pg = ["psycopg"]'
        )
    found: list[ProjectRequirement] = []
    listed: set[NormalizedName] = set()
    for extra, names in value.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise doc.wrong_type(
                (*key, extra), names, "an array of package names", f'write {extra} = ["name"]'
            )
        group = Group(GroupKind.EXTRA, canonicalize_name(extra))
        for entry in names:
            # Entries are package names, sometimes written with extras or a version; only the name counts.
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._\-]*)", entry)
            wanted = canonicalize_name(match.group(1)) if match else NormalizedName("")
            targets = [d for d in dependencies if d.requirement.name == wanted]
            if not targets:
                raise ManifestError(
                    "names a package that [tool.poetry.dependencies] does not declare",
                    location=doc.element((*key, extra), entry),
                    text=repr(entry),
                    fix="add it to [tool.poetry.dependencies] with optional = true, "
                    f"or remove it from {extra}",
                )
            listed.add(wanted)
            found.extend(replace(d.requirement, group=group) for d in targets if d.optional)
    notes = [
        f"{d.requirement.display_name} is optional but no extra in [tool.poetry.extras] names it, "
        "so it is never installed"
        for d in dependencies
        if d.optional and d.requirement.name not in listed
    ]
    return found, list(dict.fromkeys(notes))


def _read_groups(
    doc: TomlDocument, poetry: dict[str, Any], sources: Sequence[Source]
) -> tuple[list[PoetryGroup], list[str]]:
    groups: dict[NormalizedName, PoetryGroup] = {}
    notes: list[str] = []
    tables = poetry.get("group", {})
    if not isinstance(tables, dict):
        raise doc.wrong_type(
            ("tool", "poetry", "group"), tables, "a table", "write [tool.poetry.group.dev.dependencies]"
        )
    declared: list[tuple[str, object, tuple[str, ...]]] = []
    for raw, config in tables.items():
        key: tuple[str, ...] = ("tool", "poetry", "group", raw)
        if not isinstance(config, dict):
            raise doc.wrong_type(key, config, "a table", f"write [tool.poetry.group.{raw}.dependencies]")
        declared.append((raw, config, key))
    if "dev-dependencies" in poetry:
        declared.append(
            ("dev", {"dependencies": poetry["dev-dependencies"]}, ("tool", "poetry", "dev-dependencies"))
        )
        notes.append("[tool.poetry.dev-dependencies] is read as the group 'dev' (Poetry's legacy spelling)")
    for raw, config, key in declared:
        assert isinstance(config, dict)
        name = canonicalize_name(raw)
        group = Group(GroupKind.GROUP, name)
        dependencies: list[PoetryDependency] = []
        if "dependencies" in config:
            dep_key = key if key[-1] == "dev-dependencies" else (*key, "dependencies")
            dependencies, python = _read_dependencies(
                doc, config["dependencies"], key=dep_key, group=group, sources=sources
            )
            if python is not None:
                notes.append(f"python = {python!r} in group {raw!r} is ignored, as Poetry ignores it there")
        includes = config.get("include-groups", [])
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            raise doc.wrong_type(
                (*key, "include-groups"),
                includes,
                "an array of group names",
                'write include-groups = ["test"]',
            )
        optional = config.get("optional", False)
        if not isinstance(optional, bool):
            raise doc.wrong_type((*key, "optional"), optional, "true or false", "write optional = true")
        if name in groups:  # group.dev next to the legacy dev-dependencies
            previous = groups[name]
            groups[name] = replace(previous, dependencies=previous.dependencies + tuple(dependencies))
            continue
        groups[name] = PoetryGroup(name, raw, tuple(dependencies), tuple(includes), doc.at(*key))
    return list(groups.values()), notes


def read_poetry(poetry: object, *, path: Path, text: str, with_extras: bool = True) -> PoetryTables:
    """Translate `[tool.poetry]`: dependencies, groups, extras and sources.

    `with_extras=False` skips `[tool.poetry.extras]` (Poetry 2 ignores it when `[project]`
    declares dependencies). Wrong types, unknown constraints, unknown sources and extras that
    name undeclared packages raise ManifestError.
    """
    doc = TomlDocument(path, text)
    if not isinstance(poetry, dict):
        raise doc.wrong_type(("tool", "poetry"), poetry, "a table", "write [tool.poetry] as a table")
    notes: list[str] = []
    sources: tuple[Source, ...] = ()
    if "source" in poetry:
        sources, source_notes = _read_sources(doc, poetry["source"])
        notes.extend(source_notes)
    dependencies: list[PoetryDependency] = []
    python_spec = None
    if "dependencies" in poetry:
        key = ("tool", "poetry", "dependencies")
        dependencies, python = _read_dependencies(
            doc, poetry["dependencies"], key=key, group=MAIN, sources=sources
        )
        if python is not None:
            python_spec = poetry_specifier(python, location=doc.at(*key, "python"))
    if not sources and any(d.requirement.index == "pypi" for d in dependencies):
        sources = (Source(name="pypi", url=PYPI_URL),)
    extras: list[ProjectRequirement] = []
    if with_extras and "extras" in poetry:
        extras, extra_notes = _read_extras(doc, poetry["extras"], dependencies)
        notes.extend(extra_notes)
    groups, group_notes = _read_groups(doc, poetry, sources)
    notes.extend(group_notes)
    name = doc.optional_string(poetry, ("tool", "poetry"), "name", '"my-project"')
    version = doc.optional_string(poetry, ("tool", "poetry"), "version", '"0.1.0"')
    return PoetryTables(
        name=name,
        version=version,
        python=python_spec,
        dependencies=tuple(dependencies),
        extras=tuple(extras),
        groups=tuple(groups),
        sources=sources,
        notes=tuple(notes),
    )


def enrich(
    requirements: Sequence[ProjectRequirement],
    dependencies: Sequence[PoetryDependency],
    *,
    table: str,
    locked_anyway: Collection[str] = (),
) -> tuple[tuple[ProjectRequirement, ...], tuple[str, ...]]:
    """Poetry 2's rule for a group given both ways: the standard list says what is required, and
    Poetry entries of the same name only add details (index, prereleases, develop, extra
    version bounds or markers); one requirement per Poetry entry, as poetry-core does.

    Poetry entries whose name is not in `requirements` are not locked; a note says so, unless
    the name is in `locked_anyway` (entries the caller locks by another rule).
    """
    by_name: dict[NormalizedName, list[PoetryDependency]] = {}
    for dependency in dependencies:
        by_name.setdefault(dependency.requirement.name, []).append(dependency)
    result: list[ProjectRequirement] = []
    for requirement in requirements:
        for dependency in by_name.get(requirement.name, []):
            result.append(_enrich_one(requirement, dependency))
        if requirement.name not in by_name:
            result.append(requirement)
    named = {r.name for r in requirements} | set(locked_anyway)
    notes = tuple(
        f"{entries[0].requirement.display_name} appears only in [{table}]; Poetry 2 uses that table "
        "only to add details to the standard list, so it is not locked"
        for name, entries in by_name.items()
        if name not in named
    )
    return tuple(result), notes


def _enrich_one(requirement: ProjectRequirement, dependency: PoetryDependency) -> ProjectRequirement:
    detail = dependency.requirement
    marker = join_markers(requirement.marker, detail.marker)
    if requirement.url is not None:
        if detail.url is not None and detail.url != requirement.url:
            raise ManifestError(
                "cannot add details to a requirement that names a different location",
                location=detail.origin or Location(Path("pyproject.toml")),
                text=f"{requirement} / {detail}",
                fix="give the git, path or url reference in one place only",
            )
        editable = (
            dependency.develop if requirement.url.startswith(("git+", "file:")) else requirement.editable
        )
        return replace(requirement, marker=marker, editable=editable)
    return replace(
        detail,
        display_name=requirement.display_name,
        specifier=requirement.specifier & detail.specifier if detail.url is None else SpecifierSet(),
        extras=requirement.extras,
        marker=marker,
        group=requirement.group,
        origin=requirement.origin,
    )
