"""The `Project` model: what a manifest asks for, whatever format it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import Location
from thoth_cli.project.requirements_lines import redact_credentials

DEFAULT_GROUP = "default"
"""The group of a project's main requirements (Pipfile `[packages]`, PEP 621 `dependencies`)."""

DEVELOP_GROUP = "develop"
"""Pipfile `[dev-packages]`; Pipfile.lock calls it `develop`."""


class ManifestKind(str, Enum):
    """The manifest formats thoth reads."""

    PIPFILE = "Pipfile"
    PYPROJECT = "pyproject.toml"
    REQUIREMENTS = "requirements"

    @property
    def default_lock_format(self) -> str:
        return {
            ManifestKind.PIPFILE: "Pipfile.lock",
            ManifestKind.PYPROJECT: "pylock.toml",
            ManifestKind.REQUIREMENTS: "requirements.txt",
        }[self]


class GroupKind(str, Enum):
    """How a requirement's group is selected when locking.

    MAIN is always installed; an EXTRA is the project's own optional dependency set
    (PEP 621 `optional-dependencies`, `[tool.poetry.extras]`); a GROUP is a development or
    custom group (Pipfile categories, PEP 735 `[dependency-groups]`, Poetry groups).
    """

    MAIN = "main"
    EXTRA = "extra"
    GROUP = "group"


@dataclass(frozen=True, order=True)
class Group:
    """A named set of requirements: `default`, an extra, or a dependency group."""

    kind: GroupKind
    name: str

    def __str__(self) -> str:
        if self.kind is GroupKind.MAIN:
            return self.name
        return f"{self.kind.value}:{self.name}"


MAIN = Group(GroupKind.MAIN, DEFAULT_GROUP)


@dataclass(frozen=True)
class Source:
    """A package index the project names (Pipfile `[[source]]`, `-i`, Poetry `source`)."""

    name: str
    url: str
    verify_ssl: bool = True
    explicit: bool = False
    """Used only by requirements pinned to it (Poetry `priority = "explicit"`)."""
    origin: Location | None = field(default=None, compare=False)
    """Where the manifest names this source, for errors found when its URL is used."""


@dataclass(frozen=True)
class ProjectRequirement:
    """One direct requirement of the project, as the manifest states it.

    `name` is normalised (PEP 503); `display_name` keeps the manifest's spelling. A direct
    reference (`url`) is a PEP 508 URL (`git+https://...@ref`, `file:///...`, an archive URL)
    and then `specifier` is empty.
    """

    name: NormalizedName
    display_name: str
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    extras: frozenset[str] = frozenset()
    marker: Marker | None = None
    url: str | None = None
    editable: bool = False
    index: str | None = None
    """Name of the `Source` this requirement may only come from."""
    group: Group = MAIN
    allow_prereleases: bool = False
    hashes: tuple[str, ...] = ()
    """`--hash` values a requirements file gave (`sha256:...`), kept for the lock."""
    origin: Location | None = None
    """Where the requirement was written, for error messages."""

    def __str__(self) -> str:
        """The requirement as a user may see it: a URL's password or token shows as `****`.

        For display only: the resolver and the lock writers read the fields, never this text.
        """
        text = self.display_name
        if self.extras:
            text += "[" + ",".join(sorted(self.extras)) + "]"
        if self.url:
            text += f" @ {redact_userinfo(self.url)}"
            if self.marker is not None:
                text += " "
        else:
            text += str(self.specifier)
        if self.marker is not None:
            text += f"; {self.marker}"
        return text


@dataclass(frozen=True)
class Project:
    """Everything thoth needs from a manifest to resolve it.

    `sources` are in priority order; an empty tuple means the default index (PyPI).
    `requires_python` is the project's supported range; `python_version` is an exact
    interpreter the manifest asks for (Pipfile `[requires]`), which also makes a sensible
    default target.
    """

    manifest: Path
    kind: ManifestKind
    requirements: tuple[ProjectRequirement, ...]
    constraints: tuple[ProjectRequirement, ...] = ()
    sources: tuple[Source, ...] = ()
    requires_python: SpecifierSet | None = None
    python_version: str | None = None
    allow_prereleases: bool = False
    prerelease_packages: frozenset[NormalizedName] = frozenset()
    """Packages, direct or not, whose pre-releases the manifest allows (Thoth's per-package switch)."""
    name: str | None = None
    version: str | None = None
    notes: tuple[str, ...] = ()
    """Plain-language remarks about how the manifest was read (shown with --verbose)."""

    @property
    def groups(self) -> tuple[Group, ...]:
        """Every group the manifest defines, main first, then sorted."""
        seen = {req.group for req in self.requirements}
        return tuple(sorted(seen, key=lambda g: (g != MAIN, g.kind.value, g.name)))

    def requirements_for(self, groups: frozenset[Group] | None = None) -> tuple[ProjectRequirement, ...]:
        """The requirements of the given groups (main only when None)."""
        wanted = groups if groups is not None else frozenset({MAIN})
        return tuple(req for req in self.requirements if req.group in wanted)

    def source(self, name: str) -> Source | None:
        for source in self.sources:
            if source.name == name:
                return source
        return None


def redact_userinfo(url: str) -> str:
    """`url` with the password (or the lone token) of its userinfo replaced by `****`, as pip shows it.

    The user name stays, so the user can tell which account is meant; a lone user name over
    SSH (`git+ssh://git@github.com/...`) is an account, not a token, and stays too. A URL
    `urlsplit` cannot read is redacted by pattern instead.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_credentials(url)
    # The last `@` ends the userinfo, as urlsplit reads it: a password may hold a raw `@`.
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    if not colon and parts.scheme.lower().endswith("ssh"):
        return url
    shown = f"{user}:****" if colon else "****"
    return parts._replace(netloc=f"{shown}@{host}").geturl()


def normalize(name: str) -> NormalizedName:
    """PEP 503 normalised name (thin wrapper so readers share one import)."""
    return canonicalize_name(name)
