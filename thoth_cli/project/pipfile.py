"""Reading a Pipfile into a `Project`: sources, categories, [requires] and [pipenv], as Pipenv reads them."""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import (
    DEVELOP_GROUP,
    MAIN,
    Group,
    GroupKind,
    ManifestKind,
    Project,
    ProjectRequirement,
    Source,
)
from thoth_cli.project.pipfile_entries import (
    PipfileContext,
    expect_bool,
    expect_str,
    read_entry,
    unknown_key,
    wrong_type,
)
from thoth_cli.project.reader import ManifestReader
from thoth_cli.project.toml import load_toml
from thoth_cli.target.model import OLDEST_PYTHON

PACKAGES = "packages"
DEV_PACKAGES = "dev-packages"

RESERVED_SECTIONS: frozenset[str] = frozenset(
    {"source", "sources", "requires", "pipenv", "scripts", "build-system", "thoth"}
)
"""Top-level tables that are not package categories: Pipenv's own, plus `[thoth]` (Thoth's resolver hints)."""

SOURCE_KEYS: tuple[str, ...] = ("name", "url", "verify_ssl")
REQUIRES_KEYS: tuple[str, ...] = ("python_version", "python_full_version")

_SOURCE_SCHEMES = frozenset({"http", "https", "file"})


class PipfileReader(ManifestReader):
    """Reads a Pipfile the way Pipenv does, and refuses what Pipenv would silently drop."""

    kind: ClassVar[ManifestKind] = ManifestKind.PIPFILE
    filenames: ClassVar[tuple[str, ...]] = ("Pipfile",)

    def read(self, path: Path) -> Project:
        data, text = load_toml(path)
        notes: list[str] = []
        sources = read_sources(path, text, data)
        context = PipfileContext(path, text, tuple(source.name for source in sources))
        python_version, requires_python = read_requires(context, data.get("requires"), notes)
        allow_prereleases = read_pipenv(context, data.get("pipenv"))
        prereleases = read_thoth(context, data.get("thoth"))
        requirements = read_categories(context, data, notes)
        return Project(
            manifest=path,
            kind=ManifestKind.PIPFILE,
            requirements=_apply_prereleases(requirements, prereleases),
            sources=sources,
            requires_python=requires_python,
            python_version=python_version,
            allow_prereleases=allow_prereleases,
            prerelease_packages=frozenset(name for name, on in prereleases.items() if on),
            notes=tuple(notes),
        )


def group_of(section: str) -> Group:
    """The group a package category reads into; Pipfile.lock calls [dev-packages] `develop`."""
    if section == PACKAGES:
        return MAIN
    if section == DEV_PACKAGES:
        return Group(GroupKind.GROUP, DEVELOP_GROUP)
    return Group(GroupKind.GROUP, section)


def categories(data: dict[str, object]) -> list[str]:
    """Package categories in Pipenv's order: [packages], [dev-packages], then the others as written."""
    custom = [key for key in data if key not in RESERVED_SECTIONS and key not in (PACKAGES, DEV_PACKAGES)]
    return [key for key in (PACKAGES, DEV_PACKAGES) if key in data] + custom


def read_categories(
    context: PipfileContext, data: dict[str, object], notes: list[str]
) -> tuple[ProjectRequirement, ...]:
    requirements: list[ProjectRequirement] = []
    seen: dict[tuple[Group, NormalizedName], ProjectRequirement] = {}
    for section in categories(data):
        table = data[section]
        if not isinstance(table, dict):
            raise wrong_type(
                context.at(section),
                section,
                "a table of packages",
                table,
                f"write it as a [{section}] table of packages, or remove it",
            )
        if section not in (PACKAGES, DEV_PACKAGES):
            close = difflib.get_close_matches(section, (PACKAGES, DEV_PACKAGES), n=1, cutoff=0.8)
            if close:
                notes.append(
                    f"[{section}] is read as a custom category, as Pipenv does; did you mean [{close[0]}]?"
                )
        group = group_of(section)
        for key, value in table.items():
            entry = read_entry(context, section, group, key, value)
            requirement = entry.requirement
            earlier = seen.get((group, requirement.name))
            if earlier is not None:
                raise ManifestError(
                    f"package listed twice in group {group} (also as {earlier.display_name!r}"
                    + (f" on line {earlier.origin.line})" if earlier.origin and earlier.origin.line else ")"),
                    location=context.at(section, key),
                    text=repr(key),
                    fix="keep one entry for it",
                )
            seen[(group, requirement.name)] = requirement
            requirements.append(requirement)
            notes.extend(entry.notes)
    return tuple(requirements)


def read_sources(path: Path, text: str, data: dict[str, object]) -> tuple[Source, ...]:
    """[[source]] tables in order.

    `[[sources]]` is refused: Pipenv folds it into [[source]] when it reads the Pipfile,
    but its lock hash reads [[source]] alone, so no Pipfile.lock of it can be verified.
    """
    context = PipfileContext(path, text)
    if "sources" in data:
        raise ManifestError(
            "indexes are [[source]] tables; Pipenv cannot lock a Pipfile that names them [[sources]]",
            location=context.at("sources"),
            fix="rename each [[sources]] to [[source]]",
        )
    sources: list[Source] = []
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise wrong_type(
            context.at("source"),
            "source",
            "an array of tables",
            tables,
            "write each index as its own [[source]] table with name, url and verify_ssl",
        )
    for index, table in enumerate(tables):
        sources.append(_read_source(context, "source", index, table, sources))
    return tuple(sources)


def _read_source(
    context: PipfileContext, section: str, index: int, table: object, earlier: list[Source]
) -> Source:
    def where(key: str | None) -> Location:
        return context.at(section, index, key) if key else context.at(section, index)

    if not isinstance(table, dict):
        raise wrong_type(
            where(None), f"each {section}", "a table", table, f"write each index as a [[{section}]] table"
        )
    for key in table:
        if key not in SOURCE_KEYS:
            raise unknown_key(where(key), key, SOURCE_KEYS, f"a [[{section}]] table")
    if "url" not in table:
        raise ManifestError(
            f"the [[{section}]] has no url",
            location=where(None),
            fix=f'add url = "https://host/simple" to this [[{section}]]',
        )
    url = table["url"]
    if not isinstance(url, str):
        raise wrong_type(where("url"), "url", "a string", url, 'write url = "https://host/simple"')
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    # A URL made of ${VARS} (Pipenv expands them) is checked once expanded, when the run starts.
    variable = "${" in url
    if not variable and (parts is None or parts.scheme.lower() not in _SOURCE_SCHEMES or "://" not in url):
        raise ManifestError(
            "not an index URL",
            location=where("url"),
            text=repr(url),
            fix='write the index\'s full URL, e.g. url = "https://pypi.org/simple"',
        )
    name = table.get("name")
    if name is None:
        # Pipenv names an unnamed source after its host.
        name = host
        if not name:
            raise ManifestError(
                f"the [[{section}]] has no name",
                location=where(None),
                fix='add name = "local" to this source',
            )
    elif not isinstance(name, str) or not name.strip():
        raise wrong_type(where("name"), "name", "a non-empty string", name, 'write name = "internal"')
    if any(source.name == name for source in earlier):
        raise ManifestError(
            "two sources have the same name",
            location=where("name" if "name" in table else None),
            text=repr(name),
            fix='give each [[source]] its own name, so index = "..." can tell them apart',
        )
    verify = table.get("verify_ssl")
    if verify is None:
        verify_ssl = parts is None or parts.scheme.lower() != "http"  # Pipenv's default: https
    elif isinstance(verify, bool):
        verify_ssl = verify
    elif isinstance(verify, str) and verify.strip().lower() in ("true", "false"):
        verify_ssl = verify.strip().lower() == "true"  # Pipenv accepts the quoted words too
    else:
        raise wrong_type(
            where("verify_ssl"),
            "verify_ssl",
            "true or false",
            verify,
            "write verify_ssl = true or verify_ssl = false, without quotes",
        )
    return Source(name=name, url=url.strip(), verify_ssl=verify_ssl, origin=where("url"))


def read_requires(
    context: PipfileContext, table: object, notes: list[str]
) -> tuple[str | None, SpecifierSet | None]:
    """[requires]: the interpreter asked for, and the range it implies (python_full_version wins)."""
    if table is None:
        return None, None
    if not isinstance(table, dict):
        raise wrong_type(
            context.at("requires"),
            "requires",
            "a table",
            table,
            'write [requires] python_version = "3.11"',
        )
    for key in table:
        if key not in REQUIRES_KEYS:
            raise unknown_key(context.at("requires", key), key, REQUIRES_KEYS, "[requires]")
    versions: dict[str, Version] = {}
    for key in REQUIRES_KEYS:
        if key not in table:
            continue
        value = table[key]
        example = "3.11" if key == "python_version" else "3.11.4"
        fix = f'write {key} = "{example}"'
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            fix = f'quote it: {key} = "{value}"'
        text = expect_str(context, ("requires", key), value, fix).strip()
        if text in ("", "*"):
            continue  # Pipenv reads "*" as no requirement
        versions[key] = _python_version(context, key, text)
    full = versions.get("python_full_version")
    short = versions.get("python_version")
    if full is not None:
        if short is not None and full.release[: len(short.release)] != short.release:
            notes.append(
                f"[requires] python_full_version {full} is not a {short} release; "
                "python_full_version is used, as Pipenv does"
            )
        return str(full), SpecifierSet(f"=={full}")
    if short is not None:
        return str(short), SpecifierSet(f"=={short}.*")
    return None, None


def _python_version(context: PipfileContext, key: str, text: str) -> Version:
    example = "3.11" if key == "python_version" else "3.11.4"
    fix = f'write one version, such as {key} = "{example}"'
    if text[0] in "<>=!~":
        fix = (
            f'{key} takes one version, not a range: write {key} = "{example}"; to support 3.9 and later, '
            "write the lowest version you support"
        )
    try:
        version = Version(text)
        # A prefix match must be expressible (no pre-release or local part in python_version).
        SpecifierSet(f"=={version}.*" if key == "python_version" else f"=={version}")
    except (InvalidVersion, InvalidSpecifier):
        raise ManifestError(
            "invalid Python version", location=context.at("requires", key), text=repr(text), fix=fix
        ) from None
    # Pipenv writes X.Y (python_version) and X.Y.Z (python_full_version) and looks for that
    # interpreter; the version is also the default target, which needs its X.Y.
    if len(version.release) not in (2, 3) or version != Version(version.base_version) or version.epoch:
        raise ManifestError(
            "a Python version here is X.Y or X.Y.Z",
            location=context.at("requires", key),
            text=repr(text),
            fix=f'name the Python the project runs on, e.g. {key} = "{example}"',
        )
    if version.release[:2] < OLDEST_PYTHON or version.major != OLDEST_PYTHON[0]:
        oldest = ".".join(map(str, OLDEST_PYTHON))
        raise ManifestError(
            f"thoth resolves for Python {oldest} or newer",
            location=context.at("requires", key),
            text=repr(text),
            fix=f'name the Python {oldest} or newer the project runs on, e.g. {key} = "{example}"',
        )
    return version


def read_pipenv(context: PipfileContext, table: object) -> bool:
    """[pipenv] allow_prereleases; the other directives only steer Pipenv itself."""
    if table is None:
        return False
    if not isinstance(table, dict):
        raise wrong_type(
            context.at("pipenv"), "pipenv", "a table", table, "write [pipenv] allow_prereleases = true"
        )
    for key in table:
        if key != "allow_prereleases" and difflib.get_close_matches(key, ("allow_prereleases",), cutoff=0.8):
            raise unknown_key(context.at("pipenv", key), key, ("allow_prereleases",), "[pipenv]")
    if "allow_prereleases" not in table:
        return False
    return expect_bool(context, ("pipenv", "allow_prereleases"), table["allow_prereleases"])


def read_thoth(context: PipfileContext, table: object) -> dict[NormalizedName, bool]:
    """[thoth.allow_prereleases]: Thoth's per-package pre-release switch (Pipenv's PEEP-007 draft)."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise wrong_type(
            context.at("thoth"),
            "thoth",
            "a table",
            table,
            "write [thoth.allow_prereleases] name = true",
        )
    switches = table.get("allow_prereleases", {})
    if not isinstance(switches, dict):
        raise wrong_type(
            context.at("thoth", "allow_prereleases"),
            "allow_prereleases",
            "a table",
            switches,
            "write [thoth.allow_prereleases] with one line per package: tensorflow = true",
        )
    result: dict[NormalizedName, bool] = {}
    for key, value in switches.items():
        try:
            name = canonicalize_name(key, validate=True)
        except InvalidName:
            raise ManifestError(
                "invalid package name",
                location=context.at("thoth", "allow_prereleases", key),
                text=repr(key),
                fix="write one package name per line: tensorflow = true",
            ) from None
        result[name] = expect_bool(context, ("thoth", "allow_prereleases", key), value)
    return result


def _apply_prereleases(
    requirements: tuple[ProjectRequirement, ...], switches: dict[NormalizedName, bool]
) -> tuple[ProjectRequirement, ...]:
    """The direct requirements with their switch on, so each shows it; the project's
    `prerelease_packages` carries the switches of every package, direct or not."""
    return tuple(
        replace(req, allow_prereleases=True) if switches.get(req.name) and not req.allow_prereleases else req
        for req in requirements
    )


__all__ = [
    "DEV_PACKAGES",
    "PACKAGES",
    "RESERVED_SECTIONS",
    "PipfileReader",
    "categories",
    "group_of",
    "read_categories",
    "read_pipenv",
    "read_requires",
    "read_sources",
    "read_thoth",
]
