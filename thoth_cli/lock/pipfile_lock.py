"""Pipfile.lock (Pipenv's JSON, spec 6): writing a stack as one, with Pipenv's hash, and reading it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import InputError, Location, ManifestError, UsageError
from thoth_cli.index.model import IndexSpec
from thoth_cli.lock.model import (
    CREATED_BY,
    LockedPackage,
    LockFile,
    LockFormat,
    LockTarget,
    package_hashes,
    shareable_url,
)
from thoth_cli.project.model import DEVELOP_GROUP, MAIN, Group, GroupKind, ManifestKind, Project
from thoth_cli.project.pipfile import categories
from thoth_cli.project.pipfile import group_of as category_group
from thoth_cli.project.toml import load_toml
from thoth_cli.stack import PinnedPackage, Stack

PIPFILE_SPEC = 6

DEFAULT_SOURCE: Mapping[str, Any] = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
"""The source Pipenv (plette) assumes when a Pipfile names none; it is part of the hash."""

DEFAULT_SECTION = "default"
DEVELOP_SECTION = "develop"

# Pipenv's hash leaves out exactly these top-level tables; every other one is a package category.
_NOT_HASHED = frozenset(
    ("source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv", "default", "develop")
)


def pipfile_lock_text(
    project: Project,
    stack: Stack,
    target: LockTarget,
    *,
    indexes: Sequence[IndexSpec] = (),
    created_by: str = CREATED_BY,
) -> str:
    """The Pipfile.lock for `stack`, as Pipenv itself lays it out (sorted keys, 4-space indent).

    `indexes` and `target` are not recorded: Pipenv's sources come from the Pipfile (plus
    any index a package was taken from that the Pipfile does not name), and its lock has
    no place for the target.
    """
    data = pipfile_lock_data(project, stack)
    return json.dumps(data, indent=4, sort_keys=True, separators=(",", ": ")) + "\n"


def check_pipfile_project(project: Project) -> None:
    """A Pipfile.lock can only be written for a Pipfile: it records the Pipfile's hash."""
    if project.kind is not ManifestKind.PIPFILE:
        raise UsageError(
            f"a Pipfile.lock records a Pipfile's hash, and {project.manifest} is not a Pipfile",
            fix="use --lock-format pylock.toml or --lock-format requirements.txt",
        )


def pipfile_lock_data(project: Project, stack: Stack) -> dict[str, Any]:
    """The Pipfile.lock as JSON-ready data.

    A package every section needs appears in each of them, as Pipenv writes it: the develop
    section is locked with the default one as constraints, so the pins agree.
    """
    check_pipfile_project(project)
    pipfile = pipfile_data(project.manifest)
    sections: dict[str, dict[str, Any]] = {DEFAULT_SECTION: {}, DEVELOP_SECTION: {}}
    for category in categories(pipfile):
        sections.setdefault(section_name(category_group(category)), {})
    for package in sorted(stack, key=lambda p: p.name):
        for group in package.groups or {MAIN}:
            section = section_name(group)
            sections.setdefault(section, {})[_lock_key(package)] = _entry(project, package, group)
    return {"_meta": _meta(pipfile, stack, project.manifest), **sections}


def section_name(group: Group) -> str:
    """The Pipfile.lock section of a project group: `default`, `develop` or the category's name."""
    if group == MAIN:
        return DEFAULT_SECTION
    return group.name


def group_of(section: str) -> Group:
    """The project group a Pipfile.lock section locks."""
    if section == DEFAULT_SECTION:
        return MAIN
    return Group(GroupKind.GROUP, DEVELOP_GROUP if section == DEVELOP_SECTION else section)


def pipfile_data(path: Path) -> dict[str, Any]:
    """The Pipfile's tables as TOML gives them: what Pipenv hashes."""
    data, _ = load_toml(path)
    return data


def pipfile_hash(pipfile: Mapping[str, Any], *, path: Path) -> str:
    """Pipenv's `_meta.hash.sha256` of a Pipfile's data.

    Pipenv (`Pipfile.calculate_hash`, after plette's `Pipfile.get_hash`) hashes the compact,
    key-sorted JSON of the sources (PyPI when none), `[requires]`, and every package table
    with its names normalised (PEP 503), so that `Requests` and `requests` hash alike.
    """
    sources = pipfile["source"] if "source" in pipfile else [dict(DEFAULT_SOURCE)]
    content: dict[str, Any] = {
        "_meta": {"sources": sources, "requires": pipfile.get("requires", {})},
        "default": _canonical_keys(pipfile.get("packages", {}), "packages", path),
        "develop": _canonical_keys(pipfile.get("dev-packages", {}), "dev-packages", path),
    }
    for category, values in pipfile.items():
        if category not in _NOT_HASHED:
            content[category] = _canonical_keys(values, category, path)
    try:
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ManifestError(
            f"holds a value Pipenv cannot hash ({exc})",
            location=Location(path),
            fix="write dates and times in the Pipfile as strings",
        ) from None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical_keys(section: object, key: str, path: Path) -> dict[str, Any]:
    if not isinstance(section, Mapping):
        raise ManifestError(
            "expected a table of packages",
            location=Location(path, key=key),
            text=repr(section),
            fix=f'write [{key}] as a table, e.g. requests = "*"',
        )
    return {canonicalize_name(name): value for name, value in section.items()}


def _meta(pipfile: Mapping[str, Any], stack: Stack, path: Path) -> dict[str, Any]:
    raw_sources = pipfile["source"] if "source" in pipfile else [dict(DEFAULT_SOURCE)]
    if not isinstance(raw_sources, list) or not all(isinstance(s, Mapping) for s in raw_sources):
        raise ManifestError(
            "expected [[source]] tables", location=Location(path, key="source"), text=repr(raw_sources)
        )
    sources = [_populated(source, path) for source in raw_sources]
    named = {source["name"] for source in sources}
    # An index the command line added still has to be named, or Pipenv cannot find its packages.
    used = {package.index.name: package.index for package in stack}
    for name, spec in sorted(used.items()):
        if name not in named:
            sources.append({"name": name, "url": shareable_url(spec.url), "verify_ssl": spec.verify_ssl})
    return {
        "hash": {"sha256": pipfile_hash(pipfile, path=path)},
        "pipfile-spec": PIPFILE_SPEC,
        "requires": pipfile.get("requires", {}),
        "sources": sources,
    }


def _populated(source: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """A source as Pipenv records it: name and verify_ssl filled in, credentials never written."""
    url = source.get("url")
    if not isinstance(url, str):
        raise ManifestError(
            "a [[source]] needs a url", location=Location(path, key="source"), text=repr(dict(source))
        )
    populated = dict(source)
    populated["url"] = shareable_url(url)
    if "name" not in populated:
        parts = urlsplit(url)
        populated["name"] = parts.hostname or PurePosixPath(parts.path.rstrip("/")).name
    verify = populated.get("verify_ssl", "https://" in url)
    populated["verify_ssl"] = verify if isinstance(verify, bool) else str(verify).lower() == "true"
    return populated


def _lock_key(package: PinnedPackage) -> str:
    # Pipenv keys lock entries by the lower-cased name with `_` as `-` but dots kept
    # (`zope.interface`); readers normalise keys, so this is only for familiar diffs.
    return package.display_name.lower().replace("_", "-")


def _entry(project: Project, package: PinnedPackage, group: Group) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "hashes": list(package_hashes(package)),
        "index": package.index.name,
        "version": f"=={package.version}",
    }
    if package.extras:
        entry["extras"] = sorted(package.extras)
    for requirement in project.requirements:
        if requirement.name == package.name and requirement.group == group and requirement.marker is not None:
            # Pipenv writes markers with single quotes.
            entry["markers"] = str(requirement.marker).replace('"', "'")
            break
    return entry


# Reading ---------------------------------------------------------------------------------

_FIX = "write the lock again with `thoth advise --lock-format Pipfile.lock` (or `pipenv lock`)"


def read_pipfile_lock(path: Path, text: str) -> LockFile:
    """Read a Pipfile.lock's text; a malformed one is an InputError naming the key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", location=Location(path, line=exc.lineno), fix=_FIX
        ) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", location=Location(path), text=_short(data), fix=_FIX)
    meta = data.get("_meta", {})
    if not isinstance(meta, dict):
        raise _error(path, "_meta", "expected an object", meta)
    urls = _source_urls(path, meta)
    merged: dict[tuple[NormalizedName, Version | None], LockedPackage] = {}
    for section, entries in data.items():
        if section == "_meta":
            continue
        if not isinstance(entries, dict):
            raise _error(path, section, "expected an object of packages", entries)
        group = group_of(section)
        for name, entry in entries.items():
            package = _package(path, section, name, entry, group=group, urls=urls)
            key = (package.name, package.version)
            if key in merged:
                earlier = merged[key]
                package = LockedPackage(
                    name=earlier.name,
                    version=earlier.version,
                    index_url=earlier.index_url,
                    hashes=tuple(sorted(set(earlier.hashes) | set(package.hashes))),
                    groups=earlier.groups | package.groups,
                    extras=earlier.extras | package.extras,
                    marker=earlier.marker,
                )
            merged[key] = package
    hash_table = meta.get("hash", {})
    digest = hash_table.get("sha256") if isinstance(hash_table, dict) else None
    return LockFile(
        path=path,
        format=LockFormat.PIPFILE_LOCK,
        packages=tuple(sorted(merged.values(), key=lambda p: (p.name, str(p.version)))),
        index_urls=tuple(dict.fromkeys(urls.values())),
        pipfile_hash=digest if isinstance(digest, str) else None,
    )


def _source_urls(path: Path, meta: Mapping[str, Any]) -> dict[str, str]:
    sources = meta.get("sources", [])
    if not isinstance(sources, list):
        raise _error(path, "_meta.sources", "expected a list of sources", sources)
    urls: dict[str, str] = {}
    for position, source in enumerate(sources):
        key = f"_meta.sources[{position}]"
        if not isinstance(source, dict) or not isinstance(source.get("url"), str):
            raise _error(path, key, "expected an object with a url", source)
        name = source.get("name")
        urls[name if isinstance(name, str) else source["url"]] = shareable_url(source["url"])
    return urls


def _package(
    path: Path, section: str, name: str, entry: object, *, group: Group, urls: Mapping[str, str]
) -> LockedPackage:
    key = f"{section}.{name}"
    if not isinstance(entry, dict):
        raise _error(path, key, "expected an object", entry)
    version: Version | None = None
    pinned = entry.get("version")
    if pinned is not None:
        if not isinstance(pinned, str) or not pinned.startswith("=="):
            raise _error(path, f"{key}.version", "expected an exact pin such as '==2.31.0'", pinned)
        try:
            version = Version(pinned[2:])
        except InvalidVersion:
            raise _error(path, f"{key}.version", "not a valid version", pinned) from None
    hashes = entry.get("hashes", [])
    if not isinstance(hashes, list) or not all(isinstance(h, str) and ":" in h for h in hashes):
        raise _error(path, f"{key}.hashes", "expected a list of 'sha256:<digest>' strings", hashes)
    extras = entry.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
        raise _error(path, f"{key}.extras", "expected a list of strings", extras)
    index = entry.get("index")
    if index is not None and not isinstance(index, str):
        raise _error(path, f"{key}.index", "expected a source name", index)
    markers = entry.get("markers")
    if markers is not None and not isinstance(markers, str):
        raise _error(path, f"{key}.markers", "expected a marker string", markers)
    return LockedPackage(
        name=canonicalize_name(name),
        version=version,
        index_url=urls.get(index) if index is not None else None,
        hashes=tuple(sorted(set(hashes))),
        groups=frozenset({group}),
        extras=frozenset(extras),
        marker=markers,
    )


def _error(path: Path, key: str, problem: str, value: object) -> InputError:
    return InputError(problem, location=Location(path, key=key), text=_short(value), fix=_FIX)


def _short(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
