"""Lock-file values read back from any format, and the vocabulary the writers share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli import __version__
from thoth_cli.errors import ExternalError
from thoth_cli.index.model import DistributionFile, redact
from thoth_cli.project.model import Group, Project
from thoth_cli.stack import Justification, PinnedPackage

CREATED_BY = f"thoth_cli {__version__}"
"""What a lock file says made it, unless the caller says otherwise."""


class LockFormat(str, Enum):
    """The lock-file formats thoth writes and reads; the value is the usual file name."""

    PYLOCK = "pylock.toml"
    PIPFILE_LOCK = "Pipfile.lock"
    REQUIREMENTS_TXT = "requirements.txt"

    @property
    def filename(self) -> str:
        return self.value

    @classmethod
    def for_manifest(cls, project: Project) -> LockFormat:
        """The format a manifest's own tool reads: Pipfile.lock, pylock.toml or requirements.txt."""
        return cls(project.kind.default_lock_format)


class LockTarget(Protocol):
    """What the writers need from the target a stack was resolved for (`thoth_cli.target.Target`)."""

    @property
    def python_full_version(self) -> str: ...

    @property
    def python_version_exact(self) -> bool:
        """True when the user asked for this exact X.Y.Z: only then does a lock claim it.

        Otherwise (an X.Y, or the running interpreter's incidental patch release) the lock
        claims X.Y, so that it installs on any X.Y.Z.
        """
        ...

    def marker_environment(self) -> dict[str, str]: ...

    def describe(self) -> str: ...

    def as_dict(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class LockedFile:
    """One artifact a lock names: its file name, where to get it, and its sha256 when known."""

    filename: str
    url: str | None = None
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class LockedPackage:
    """One pinned package as a lock file records it.

    Fields a format cannot express are None (unknown), not guessed: `direct` is None for a
    Pipfile.lock, `score` is None unless thoth's tool table was there. `version` is None
    only for a package a lock takes from a direct reference (a VCS checkout, a folder).
    `hashes` are `algorithm:digest` strings, sorted. `index_url` has no credentials.
    """

    name: NormalizedName
    version: Version | None
    index_url: str | None = None
    hashes: tuple[str, ...] = ()
    files: tuple[LockedFile, ...] = ()
    groups: frozenset[Group] = frozenset()
    extras: frozenset[str] = frozenset()
    marker: str | None = None
    direct: bool | None = None
    score: float | None = None
    justifications: tuple[Justification, ...] = ()
    required_by: tuple[str, ...] = ()
    """Who pulled the package in: requirement strings (pylock) or package names (requirements.txt)."""
    dependencies: tuple[NormalizedName, ...] = ()


@dataclass(frozen=True)
class LockFile:
    """A lock file read back: its packages and what it says about how it was made.

    `manifest_sha256` is the sha256 of the manifest's bytes (pylock.toml written by thoth);
    `pipfile_hash` is Pipenv's `_meta.hash.sha256`, computed from the Pipfile's data.
    """

    path: Path
    format: LockFormat
    packages: tuple[LockedPackage, ...]
    index_urls: tuple[str, ...] = ()
    requires_python: str | None = None
    created_by: str | None = None
    manifest_sha256: str | None = None
    pipfile_hash: str | None = None
    target: Mapping[str, object] | None = None
    score: float | None = None
    justifications: tuple[Justification, ...] = ()

    def get(self, name: str) -> LockedPackage | None:
        """The first entry for `name` (a normalised name)."""
        for package in self.packages:
            if package.name == name:
                return package
        return None

    def pins(self) -> dict[NormalizedName, Version]:
        """Name to pinned version, for every package the lock pins to a version."""
        pins: dict[NormalizedName, Version] = {}
        for package in self.packages:
            if package.version is not None:
                pins.setdefault(package.name, package.version)
        return pins


class MissingHashError(ExternalError):
    """The index gave no sha256 for a file a lock must name, so the lock cannot be verified (exit 3)."""

    def __init__(self, package: str, version: str, filename: str, index_url: str) -> None:
        self.package = package
        self.version = version
        self.filename = filename
        self.index_url = index_url
        super().__init__(
            f"{package} {version}: the index {redact(index_url)} gives no sha256 for {filename}",
            fix="use an index that publishes sha256 hashes (PEP 503/691), or exclude this release",
        )


def file_sha256(package: PinnedPackage, file: DistributionFile) -> str:
    """The file's sha256 as the index stated it; a lock without it could not be verified."""
    digest = file.hashes.sha256
    if digest is None:
        raise MissingHashError(package.display_name, str(package.version), file.filename, package.index.url)
    return digest


def package_hashes(package: PinnedPackage) -> tuple[str, ...]:
    """`sha256:<digest>` of every file of the package the target can install, sorted and unique."""
    return tuple(sorted({f"sha256:{file_sha256(package, file)}" for file in package.files}))


# ${VAR} and $VAR references are what Pipenv and pip expand at install time; they hold no secret.
_ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def shareable_url(url: str) -> str:
    """The URL as a lock may keep it: literal credentials removed, environment references kept."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo and all(_ENV_REFERENCE.fullmatch(piece) for piece in userinfo.split(":", 1)):
        return url
    return redact(url)
