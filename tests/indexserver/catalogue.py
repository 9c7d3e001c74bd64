"""What one index serves right now: its universe's files, built and written to the server's folder."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from tests.indexserver import build
from tests.indexserver.universe import ProjectEntry, Release, Universe, Yanked


@dataclass(frozen=True)
class IndexFile:
    """One file on a project page, with everything the page says about it."""

    project: NormalizedName
    filename: str
    path: Path
    """The copy in the server's folder (for tests that install from a path)."""
    data: bytes = field(repr=False)
    size: int
    sha256: str
    requires_python: str | None
    yanked: Yanked
    upload_time: str
    metadata: bytes | None = field(repr=False)
    """Served at `<file>.metadata` when not None."""
    metadata_advertised: bool | None
    """True: announced with its hash; None: not mentioned; False: the page says there is none."""

    @cached_property
    def metadata_sha256(self) -> str | None:
        return hashlib.sha256(self.metadata).hexdigest() if self.metadata is not None else None


@dataclass(frozen=True)
class ProjectListing:
    """One project page's content."""

    name: NormalizedName
    display_name: str
    files: tuple[IndexFile, ...]
    versions: tuple[str, ...]
    """PEP 700: every version, oldest first, including versions without files."""


@dataclass(frozen=True)
class _State:
    generation: int
    projects: dict[NormalizedName, ProjectListing]
    files: dict[str, IndexFile]


class Catalogue:
    """Turns a universe into served files, rebuilding its view only when the universe changed."""

    def __init__(self, universe: Universe, directory: Path) -> None:
        self.universe = universe
        self.directory = directory
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._closed = False

    def close(self) -> None:
        """Stop writing files (the server's folder is gone); lookups keep working from memory."""
        with self._lock:
            self._closed = True

    def projects(self) -> tuple[ProjectListing, ...]:
        """Every project, by normalised name."""
        return tuple(self._current().projects.values())

    def project(self, name: NormalizedName) -> ProjectListing | None:
        return self._current().projects.get(name)

    def file(self, filename: str) -> IndexFile | None:
        return self._current().files.get(filename)

    def _current(self) -> _State:
        with self._lock:
            generation = self.universe.generation
            if self._state is None or self._state.generation != generation:
                self._state = self._build()
            return self._state

    def _build(self) -> _State:
        snapshot = self.universe.snapshot()
        if not self._closed:
            self.directory.mkdir(parents=True, exist_ok=True)
        projects = {name: self._listing(entry) for name, entry in snapshot.projects.items()}
        files = {file.filename: file for listing in projects.values() for file in listing.files}
        return _State(generation=snapshot.generation, projects=projects, files=files)

    def _listing(self, entry: ProjectEntry) -> ProjectListing:
        files: list[IndexFile] = []
        versions: set[Version] = set()
        for release in entry.releases:
            versions.add(release.parsed_version)
            files.extend(self._release_files(release))
        for raw in entry.raw_files:
            path = self._write(raw.filename, raw.data)
            files.append(
                IndexFile(
                    project=entry.name,
                    filename=raw.filename,
                    path=path,
                    data=raw.data,
                    size=len(raw.data),
                    sha256=hashlib.sha256(raw.data).hexdigest(),
                    requires_python=raw.requires_python,
                    yanked=raw.yanked,
                    upload_time=raw.upload_time,
                    metadata=raw.metadata,
                    metadata_advertised=raw.metadata is not None,
                )
            )
            version = _version_of(raw.filename)
            if version is not None:
                versions.add(version)
        return ProjectListing(
            name=entry.name,
            display_name=entry.display_name,
            files=tuple(files),
            versions=tuple(str(version) for version in sorted(versions)),
        )

    def _release_files(self, release: Release) -> list[IndexFile]:
        files = []
        for artefact in build.artefacts(release):
            is_wheel = artefact.filename.endswith(".whl")
            if release.metadata == "unadvertised":
                advertised: bool | None = None
            else:
                advertised = is_wheel and release.metadata == "advertised"
            # Like PyPI, only wheels have a served .metadata file.
            served = is_wheel and release.metadata != "missing"
            files.append(
                IndexFile(
                    project=release.normalized_name,
                    filename=artefact.filename,
                    path=self._write(artefact.filename, artefact.data),
                    data=artefact.data,
                    size=len(artefact.data),
                    sha256=artefact.sha256,
                    requires_python=release.requires_python,
                    yanked=release.yanked,
                    upload_time=release.upload_time,
                    metadata=artefact.core_metadata if served else None,
                    metadata_advertised=advertised,
                )
            )
        return files

    def _write(self, filename: str, data: bytes) -> Path:
        path = self.directory / filename
        # Names are unique within a universe and builds are reproducible: an existing file is this one.
        if not self._closed and not path.exists():
            temporary = path.with_name(path.name + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)
        return path


def _version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
