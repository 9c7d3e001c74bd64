"""Values the index client returns: indexes, distribution files, project pages, core metadata."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property, lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from thoth_cli.index.auth import split_userinfo

PYPI_SIMPLE = "https://pypi.org/simple/"


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def redact(url: str) -> str:
    """The URL without credentials, for anything a user or a lock may see; never fails.

    Error messages quote malformed URLs through it, so one `urlsplit` refuses still loses its
    userinfo (everything before the authority's last "@").
    """
    try:
        return split_userinfo(url)[0]
    except ValueError:
        return _USERINFO.sub(r"\1", url)


@dataclass(frozen=True)
class IndexSpec:
    """One package index: a name (the manifest's source name) and its simple API root URL."""

    name: str
    url: str
    verify_ssl: bool = True
    explicit: bool = False
    """Only requirements pinned to this index may use it."""

    @property
    def display_url(self) -> str:
        return redact(self.url)

    @classmethod
    def named_by_url(cls, url: str) -> IndexSpec:
        """An index a unit names by URL during a run (PyTorch's builds): explicit, so only what is
        asked of it by name comes from it; its name is the URL as given."""
        return cls(name=url, url=url if url.endswith("/") else url + "/", explicit=True)


class DistKind(str, Enum):
    WHEEL = "wheel"
    SDIST = "sdist"


@dataclass(frozen=True)
class Hashes:
    """Hash algorithm → hex digest, as the index states them (sorted for determinism)."""

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, mapping: dict[str, str] | None) -> Hashes:
        if not mapping:
            return cls()
        return cls(tuple(sorted((k.lower(), v.lower()) for k, v in mapping.items())))

    def get(self, algorithm: str) -> str | None:
        for name, value in self.items:
            if name == algorithm:
                return value
        return None

    @property
    def sha256(self) -> str | None:
        return self.get("sha256")

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class DistributionFile:
    """One file of a release on an index, with what PEP 691/592/658/700 say about it."""

    filename: str
    url: str
    index: str
    """Name of the `IndexSpec` the file was listed on."""
    hashes: Hashes = field(default_factory=Hashes)
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    upload_time: datetime | None = None
    size: int | None = None
    metadata_available: bool | None = None
    """True when advertised (PEP 658/714), False when the index says none, None when unsaid."""
    metadata_hashes: Hashes = field(default_factory=Hashes)

    @cached_property
    def _identity(self) -> tuple[NormalizedName, Version, DistKind]:
        # Name and version only: pages of large projects list thousands of wheels, and the
        # resolver looks at the tags of few of them, so tags are parsed on first use.
        if self.filename.endswith(".whl"):
            name, version = _wheel_name_version(self.filename)
            return name, version, DistKind.WHEEL
        name, version = parse_sdist_filename(self.filename)
        return name, version, DistKind.SDIST

    @property
    def name(self) -> NormalizedName:
        return self._identity[0]

    @property
    def version(self) -> Version:
        return self._identity[1]

    @property
    def kind(self) -> DistKind:
        return self._identity[2]

    @cached_property
    def tags(self) -> frozenset[Tag]:
        """Wheel tags; empty for an sdist."""
        if self.kind is DistKind.SDIST:
            return frozenset()
        try:
            return parse_wheel_filename(self.filename)[3]
        except InvalidWheelFilename:
            # A malformed tag part fits no target; the file is simply never chosen.
            return frozenset()

    @property
    def is_wheel(self) -> bool:
        return self.kind is DistKind.WHEEL

    @cached_property
    def requires_python_specifier(self) -> SpecifierSet | None:
        """The file's `requires-python`, or None when absent or unparseable (then: no limit)."""
        if not self.requires_python:
            return None
        try:
            return SpecifierSet(self.requires_python)
        except InvalidSpecifier:
            return None


def _wheel_name_version(filename: str) -> tuple[NormalizedName, Version]:
    """A wheel's name and version without parsing its tags (PEP 427 file name layout)."""
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        raise InvalidWheelFilename(f"invalid wheel filename (wrong number of parts): {filename!r}")
    try:
        version = _version(parts[1])
    except InvalidVersion:
        raise InvalidWheelFilename(f"invalid wheel filename (invalid version): {filename!r}") from None
    return canonicalize_name(parts[0]), version


@lru_cache(maxsize=4096)
def _version(text: str) -> Version:
    # Thousands of files share a handful of version strings per page.
    return Version(text)


def file_identity(filename: str) -> tuple[NormalizedName, Version] | None:
    """A wheel's or sdist's project name and version from its file name; None if unusable."""
    try:
        if filename.endswith(".whl"):
            return _wheel_name_version(filename)
        return parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def is_distribution_filename(filename: str) -> bool:
    """Whether thoth can use the file: a wheel or an sdist whose name and version parse.

    A wheel's tags are read only when needed; malformed ones make it fit no target.
    """
    try:
        if filename.endswith(".whl"):
            _wheel_name_version(filename)
        else:
            parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return False
    return True


FileLoader = Callable[[], tuple[DistributionFile, ...]]
"""Builds the files of one release from its page entries, when first asked."""


class ProjectPage:
    """Every usable file of one project on one index (or as merged by the index strategy).

    A page may list thousands of files while the resolver reads a few releases, so a page
    can be built from per-release loaders: a release's files are made when first read.
    `files` (all of them, in the index's order) reads every release.
    """

    def __init__(
        self,
        name: NormalizedName,
        index: IndexSpec,
        files: Iterable[DistributionFile] = (),
        versions: tuple[str, ...] = (),
        *,
        loaders: Mapping[Version, FileLoader] | None = None,
        order: Callable[[], tuple[DistributionFile, ...]] | None = None,
    ) -> None:
        self.name = name
        self.index = index
        self.versions = versions
        """PEP 700 `versions`, when the index lists them."""
        if loaders is None:
            eager = tuple(files)
            grouped: dict[Version, list[DistributionFile]] = {}
            for file in eager:
                grouped.setdefault(file.version, []).append(file)
            loaders = {version: _constant(tuple(group)) for version, group in grouped.items()}
            order = _constant(eager)
        self._loaders = dict(loaders)
        self._order = order or (lambda: tuple(f for load in self._loaders.values() for f in load()))

    @property
    def files(self) -> tuple[DistributionFile, ...]:
        return self._order()

    def release_loaders(self) -> dict[Version, FileLoader]:
        """Each release's files, built on first call of its loader."""
        return dict(self._loaders)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProjectPage):
            return NotImplemented
        return (self.name, self.index, self.files, self.versions) == (
            other.name,
            other.index,
            other.files,
            other.versions,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.index, self.versions))

    def __repr__(self) -> str:
        return f"ProjectPage(name={self.name!r}, index={self.index.name!r}, releases={len(self._loaders)})"


def _constant(files: tuple[DistributionFile, ...]) -> FileLoader:
    return lambda: files


class MetadataSource(str, Enum):
    """Where a release's core metadata came from."""

    METADATA_FILE = "metadata-file"
    WHEEL_RANGE = "wheel-range"
    WHEEL_DOWNLOAD = "wheel-download"
    SDIST = "sdist"
    BUILD = "build"


@dataclass(frozen=True)
class CoreMetadata:
    """The parts of a release's core metadata the resolver needs."""

    name: NormalizedName
    version: Version
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extra: tuple[str, ...] = ()
    dynamic: tuple[str, ...] = ()
    source: MetadataSource = MetadataSource.METADATA_FILE
