"""A resolved stack: pinned packages with their files, dependency edges, score and reasons."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.index.model import DistributionFile, IndexSpec
from thoth_cli.project.model import Group


class JustificationType(str, Enum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Justification:
    """One reason, in plain words, attached to a stack or to one of its packages."""

    type: JustificationType
    message: str
    link: str | None = None
    package: str | None = None
    version: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Edge:
    """`parent` (None: the project itself) requires `child` through `requirement`."""

    parent: NormalizedName | None
    child: NormalizedName
    requirement: str


@dataclass(frozen=True)
class PinnedPackage:
    """One package of a stack: the version chosen, where it comes from, and why."""

    name: NormalizedName
    display_name: str
    version: Version
    index: IndexSpec
    files: tuple[DistributionFile, ...]
    """The files installable on the target (best wheel first), then the sdist if any."""
    extras: frozenset[str] = frozenset()
    """Extras of this package that the stack needs."""
    groups: frozenset[Group] = frozenset()
    """The project's groups whose requirements reach this package."""
    direct: bool = False
    score: float = 0.0
    justifications: tuple[Justification, ...] = ()
    yanked_reason: str | None = None
    """Set when a yanked release had to be used (only for exact pins, PEP 592)."""


@dataclass(frozen=True)
class Stack:
    """A complete, consistent set of pins for one target, with its dependency graph."""

    packages: tuple[PinnedPackage, ...]
    edges: tuple[Edge, ...]
    score: float = 0.0
    justifications: tuple[Justification, ...] = ()
    skipped_dependencies: tuple[NormalizedName, ...] = field(default=())
    """Packages whose dependencies a unit told the resolver to skip (installs need --no-deps)."""
    skipped: tuple[tuple[NormalizedName, str], ...] = ()
    """The packages a unit left out of the stack, each with the unit's reason."""
    groups: frozenset[Group] = frozenset()
    """The project's groups this stack was resolved for (empty: not recorded)."""

    def __iter__(self) -> Iterator[PinnedPackage]:
        return iter(self.packages)

    def __len__(self) -> int:
        return len(self.packages)

    def get(self, name: str) -> PinnedPackage | None:
        for package in self.packages:
            if package.name == name:
                return package
        return None

    def dependencies_of(self, name: NormalizedName | None) -> tuple[Edge, ...]:
        """Edges leaving `name` (None: the project's direct requirements)."""
        return tuple(edge for edge in self.edges if edge.parent == name)

    def dependents_of(self, name: NormalizedName) -> tuple[Edge, ...]:
        """Edges arriving at `name`: who pulled it in, and with which requirement."""
        return tuple(edge for edge in self.edges if edge.child == name)
