"""Descriptions of what a test index holds: releases, raw files, and the mutable `Universe` of them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, get_args

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import parse_tag
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tests.indexserver.names import sdist_filename, wheel_filename

SdistMetadata = Literal["static", "dynamic", "legacy"]
MetadataMode = Literal["advertised", "unadvertised", "missing"]
Yanked = bool | str

DEFAULT_UPLOAD_TIME = "2023-01-01T00:00:00Z"
"""One fixed time, so that pages are byte-for-byte the same on every run."""

# packaging writes markers with double quotes and the variable where it was; either side may be `extra`.
_EXTRA_IN_MARKER = re.compile(r'\bextra\s*==\s*"([^"]*)"|"([^"]*)"\s*==\s*extra\b')


class UniverseError(ValueError):
    """A package description a test gave cannot be served; keeps the offending text."""

    def __init__(self, problem: str, *, text: str) -> None:
        self.problem = problem
        self.text = text
        super().__init__(f"{problem}: {text!r}")


def marker_extras(requirement: Requirement) -> tuple[NormalizedName, ...]:
    """The extras a requirement's marker names (`extra == "socks"`), in order of appearance."""
    if requirement.marker is None:
        return ()
    found: list[NormalizedName] = []
    for match in _EXTRA_IN_MARKER.finditer(str(requirement.marker)):
        extra = canonicalize_name(match.group(1) or match.group(2) or "")
        if extra and extra not in found:
            found.append(extra)
    return tuple(found)


@dataclass(frozen=True)
class Release:
    """One version of one project, and the distribution files the index offers for it."""

    name: str
    """The project's name as the test spelt it (its display name)."""
    version: str
    """Normalised (PEP 440), as it appears in file names."""
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    wheels: tuple[str, ...] = ("py3-none-any",)
    """Wheel tags: `py3-none-any`, or tag sets (`cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`)."""
    sdist: bool = True
    sdist_metadata: SdistMetadata = "static"
    yanked: Yanked = False
    """False, True (no reason) or the reason."""
    upload_time: str = DEFAULT_UPLOAD_TIME
    metadata: MetadataMode = "advertised"
    provides_extra: tuple[str, ...] = ()
    summary: str = ""

    @property
    def normalized_name(self) -> NormalizedName:
        return canonicalize_name(self.name)

    @property
    def parsed_version(self) -> Version:
        return Version(self.version)


@dataclass(frozen=True)
class RawFile:
    """A file served as given, for cases no built distribution covers (odd names, crafted zips)."""

    project: str
    filename: str
    data: bytes = field(repr=False)
    requires_python: str | None = None
    yanked: Yanked = False
    upload_time: str = DEFAULT_UPLOAD_TIME
    metadata: bytes | None = field(default=None, repr=False)
    """Served at `<file>.metadata` and advertised when given."""

    @property
    def normalized_name(self) -> NormalizedName:
        return canonicalize_name(self.project)


@dataclass(frozen=True)
class ProjectEntry:
    """Everything one project has at one moment."""

    name: NormalizedName
    display_name: str
    releases: tuple[Release, ...]
    """Sorted by version."""
    raw_files: tuple[RawFile, ...]
    """In the order they were added."""


@dataclass(frozen=True)
class Snapshot:
    """A consistent view of a universe; `generation` changes whenever the universe does."""

    generation: int
    projects: Mapping[NormalizedName, ProjectEntry]


class Universe:
    """The packages one index serves; may grow while a server serves it (pages follow).

    Thread-safe: tests add releases while server threads read snapshots.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._display: dict[NormalizedName, str] = {}
        self._releases: dict[NormalizedName, dict[Version, Release]] = {}
        self._raw: dict[NormalizedName, list[RawFile]] = {}

    def add(
        self,
        name: str,
        version: str,
        *,
        requires_dist: Iterable[str] = (),
        requires_python: str | None = None,
        wheels: Iterable[str] = ("py3-none-any",),
        sdist: bool = True,
        sdist_metadata: SdistMetadata = "static",
        yanked: Yanked | None = None,
        upload_time: str = DEFAULT_UPLOAD_TIME,
        metadata: MetadataMode = "advertised",
        provides_extra: Iterable[str] | None = None,
        summary: str | None = None,
    ) -> Release:
        """Add one release; its wheels and sdist are built when a server first needs them."""
        for option, value in (
            ("requires_dist", requires_dist),
            ("wheels", wheels),
            ("provides_extra", provides_extra),
        ):
            if isinstance(value, str):
                raise UniverseError(f"{option} takes a list of strings, not one string", text=value)
        release = _describe(
            name,
            version,
            requires_dist=tuple(requires_dist),
            requires_python=requires_python,
            wheels=tuple(wheels),
            sdist=sdist,
            sdist_metadata=sdist_metadata,
            yanked=yanked,
            upload_time=upload_time,
            metadata=metadata,
            provides_extra=None if provides_extra is None else tuple(provides_extra),
            summary=summary,
        )
        with self._lock:
            versions = self._releases.get(release.normalized_name, {})
            if release.parsed_version in versions:
                raise UniverseError("release already in the universe", text=f"{name} {version}")
            taken = _release_filenames(release) & self._raw_filenames()
            if taken:
                raise UniverseError("file already in the universe", text=min(taken))
            self._releases.setdefault(release.normalized_name, versions)[release.parsed_version] = release
            self._display.setdefault(release.normalized_name, name)
            self._generation += 1
        return release

    def add_many(
        self,
        name: str,
        versions: Iterable[str],
        *,
        requires_dist: Iterable[str] = (),
        requires_python: str | None = None,
        wheels: Iterable[str] = ("py3-none-any",),
        sdist: bool = True,
        sdist_metadata: SdistMetadata = "static",
        yanked: Yanked | None = None,
        upload_time: str = DEFAULT_UPLOAD_TIME,
        metadata: MetadataMode = "advertised",
        provides_extra: Iterable[str] | None = None,
        summary: str | None = None,
    ) -> tuple[Release, ...]:
        """Add several versions of one project that share every other option."""
        shared_requires = tuple(requires_dist)
        shared_wheels = tuple(wheels)
        shared_extras = None if provides_extra is None else tuple(provides_extra)
        return tuple(
            self.add(
                name,
                version,
                requires_dist=shared_requires,
                requires_python=requires_python,
                wheels=shared_wheels,
                sdist=sdist,
                sdist_metadata=sdist_metadata,
                yanked=yanked,
                upload_time=upload_time,
                metadata=metadata,
                provides_extra=shared_extras,
                summary=summary,
            )
            for version in versions
        )

    def add_file(
        self,
        project: str,
        filename: str,
        data: bytes,
        *,
        requires_python: str | None = None,
        yanked: Yanked | None = None,
        upload_time: str = DEFAULT_UPLOAD_TIME,
        metadata: bytes | None = None,
    ) -> RawFile:
        """List `data` on the project's page under `filename`, as given (the name is not validated)."""
        if not filename or "/" in filename or filename.startswith("."):
            raise UniverseError("a file name must be a plain name without '/'", text=filename)
        raw = RawFile(
            project=_checked_name(project),
            filename=filename,
            data=bytes(data),
            requires_python=_checked_requires_python(requires_python),
            yanked=_checked_yanked(yanked),
            upload_time=_checked_upload_time(upload_time),
            metadata=metadata,
        )
        with self._lock:
            if filename in self._raw_filenames() or any(
                filename in _release_filenames(r)
                for versions in self._releases.values()
                for r in versions.values()
            ):
                raise UniverseError("file already in the universe", text=filename)
            self._raw.setdefault(raw.normalized_name, []).append(raw)
            self._display.setdefault(raw.normalized_name, project)
            self._generation += 1
        return raw

    def yank(self, name: str, version: str, reason: Yanked = True) -> Release:
        """Yank (or, with reason=False, un-yank) a release that is already there."""
        key = canonicalize_name(name)
        with self._lock:
            versions = self._releases.get(key, {})
            try:
                current = versions[Version(version)]
            except (KeyError, InvalidVersion):
                raise UniverseError("no such release to yank", text=f"{name} {version}") from None
            updated = replace(current, yanked=_checked_yanked(reason))
            versions[current.parsed_version] = updated
            self._generation += 1
        return updated

    def _raw_filenames(self) -> set[str]:
        return {raw.filename for files in self._raw.values() for raw in files}

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def snapshot(self) -> Snapshot:
        with self._lock:
            projects = {
                name: ProjectEntry(
                    name=name,
                    display_name=display,
                    releases=tuple(release for _, release in sorted(self._releases.get(name, {}).items())),
                    raw_files=tuple(self._raw.get(name, ())),
                )
                for name, display in sorted(self._display.items())
            }
            return Snapshot(generation=self._generation, projects=projects)

    def releases(self, name: str) -> tuple[Release, ...]:
        """The project's releases, oldest first."""
        entry = self.snapshot().projects.get(canonicalize_name(name))
        return entry.releases if entry else ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonicalize_name(name) in self.snapshot().projects

    @classmethod
    def parse(cls, text: str, **options: Any) -> Universe:
        """A universe from lines `<name> <version...>[: <comma-separated requirements>]`.

        Each version gets a pure-Python wheel and an sdist unless `options` (any keyword of
        `add`, e.g. `sdist=False`) say otherwise; `#` starts a comment. Commas inside a
        requirement's specifier (`urllib3>=1.21.1,<3`) stay with it.
        """
        universe = cls()
        for number, raw_line in enumerate(text.splitlines(), start=1):
            line = raw_line.split("#", 1)[0].strip()
            if not line:
                continue
            head, _, tail = line.partition(":")
            words = head.split()
            if len(words) < 2:
                expected = "expected '<name> <version...>[: <requirements>]'"
                raise UniverseError(f"line {number}: {expected}", text=raw_line)
            try:
                universe.add_many(words[0], words[1:], requires_dist=split_requirements(tail), **options)
            except UniverseError as exc:
                raise UniverseError(f"line {number}: {exc.problem}", text=exc.text) from None
        return universe


def split_requirements(text: str) -> tuple[str, ...]:
    """Split a comma-separated list of requirements whose specifiers may hold commas themselves."""
    requirements: list[str] = []
    for piece in (part.strip() for part in text.split(",")):
        if not piece:
            continue
        # A piece that does not start with a project name continues the previous specifier.
        if requirements and not piece[0].isalnum():
            requirements[-1] += "," + piece
        else:
            requirements.append(piece)
    return tuple(requirements)


def _describe(
    name: str,
    version: str,
    *,
    requires_dist: tuple[str, ...],
    requires_python: str | None,
    wheels: tuple[str, ...],
    sdist: bool,
    sdist_metadata: str,
    yanked: Yanked | None,
    upload_time: str,
    metadata: str,
    provides_extra: tuple[str, ...] | None,
    summary: str | None,
) -> Release:
    checked_name = _checked_name(name)
    try:
        parsed_version = Version(version)
    except InvalidVersion:
        raise UniverseError("invalid version", text=version) from None
    requirements: list[Requirement] = []
    for text in requires_dist:
        try:
            requirements.append(Requirement(text))
        except InvalidRequirement:
            raise UniverseError("invalid requirement", text=text) from None
    for tag in wheels:
        try:
            parse_tag(tag)
        except ValueError:
            raise UniverseError("invalid wheel tag", text=tag) from None
        if tag.count("-") != 2:
            raise UniverseError("a wheel tag is '<python>-<abi>-<platform>'", text=tag)
    if len(set(wheels)) != len(wheels):
        raise UniverseError("the same wheel tag twice", text=", ".join(wheels))
    if sdist_metadata not in get_args(SdistMetadata):
        raise UniverseError(f"sdist_metadata must be one of {get_args(SdistMetadata)}", text=sdist_metadata)
    if metadata not in get_args(MetadataMode):
        raise UniverseError(f"metadata must be one of {get_args(MetadataMode)}", text=metadata)
    if provides_extra is None:
        derived: list[str] = []
        for requirement in requirements:
            derived.extend(extra for extra in marker_extras(requirement) if extra not in derived)
        extras = tuple(derived)
    else:
        extras = provides_extra
    return Release(
        name=checked_name,
        version=str(parsed_version),
        # Kept as written, so that tests can compare what a client read with what they gave.
        requires_dist=tuple(text.strip() for text in requires_dist),
        requires_python=_checked_requires_python(requires_python),
        wheels=wheels,
        sdist=sdist,
        sdist_metadata=sdist_metadata,  # type: ignore[arg-type]  # checked against the Literal above
        yanked=_checked_yanked(yanked),
        upload_time=_checked_upload_time(upload_time),
        metadata=metadata,  # type: ignore[arg-type]  # checked against the Literal above
        provides_extra=extras,
        summary=summary if summary is not None else f"{checked_name} {parsed_version}, a test package",
    )


def _checked_name(name: str) -> str:
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        raise UniverseError("invalid project name", text=name) from None
    return name


def _checked_requires_python(requires_python: str | None) -> str | None:
    if requires_python is None:
        return None
    try:
        SpecifierSet(requires_python)
    except InvalidSpecifier:
        raise UniverseError("invalid requires_python", text=requires_python) from None
    # Served as written, as an index serves what the uploader's metadata says.
    return requires_python.strip()


def _checked_yanked(yanked: Yanked | None) -> Yanked:
    if yanked is None:
        return False
    if isinstance(yanked, str) and not yanked:
        # An empty reason cannot be told apart from "yanked without reason" in HTML.
        return True
    return yanked


def _checked_upload_time(upload_time: str) -> str:
    if not upload_time.endswith("Z"):
        raise UniverseError("upload_time must be UTC ISO 8601 ending in 'Z'", text=upload_time)
    try:
        datetime.fromisoformat(upload_time[:-1] + "+00:00")
    except ValueError:
        raise UniverseError("invalid upload_time", text=upload_time) from None
    return upload_time


def _release_filenames(release: Release) -> set[str]:
    names = {wheel_filename(release.name, release.version, tag) for tag in release.wheels}
    if release.sdist:
        names.add(sdist_filename(release.name, release.version))
    return names
