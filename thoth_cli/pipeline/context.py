"""What units see: the request a pipeline is built for, and what they may ask while it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.discovery.model import RuntimeEnvironment
from thoth_cli.knowledge.advisories import AdvisorySource, NoAdvisories
from thoth_cli.project.model import MAIN, Group, Project, ProjectRequirement
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage


class RecommendationType(str, Enum):
    """What a user optimises for; each is a different choice and weighting of units."""

    LATEST = "latest"
    """The newest releases that work here."""
    STABLE = "stable"
    """No known issues, mature releases, binary wheels preferred."""
    TESTING = "testing"
    """No known issues, fresh releases welcome."""
    SECURITY = "security"
    """Known-vulnerable releases removed where possible, otherwise loudly penalised."""
    PERFORMANCE = "performance"
    """Builds and versions known to be faster on this hardware."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class BuilderContext:
    """Everything `should_include` may look at to decide whether (and how) a unit joins.

    `now` is the moment release ages are measured from: the run's `--exclude-newer`
    cut-off when given, so that a pinned date gives the same stacks on any day.
    """

    project: Project
    target: Target
    recommendation_type: RecommendationType = RecommendationType.LATEST
    groups: frozenset[Group] = frozenset({MAIN})
    policy: ResolutionPolicy = field(default_factory=ResolutionPolicy)
    environment: RuntimeEnvironment | Callable[[], RuntimeEnvironment | None] | None = None
    """The machine (CUDA, CPU flags, GPUs, system packages), or how to discover it: probing the
    host costs time, so it runs only when a unit first asks (`runtime_environment()`)."""
    usage: LibraryUsage | Callable[[], LibraryUsage | None] | None = None
    """The project's library usage, or how to get it: scanning sources costs time, so the scan
    runs only when a unit first asks (`library_usage()`)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    advisories: AdvisorySource = field(default_factory=NoAdvisories)
    now: datetime = field(default_factory=_now)
    _scanned: list[LibraryUsage | None] = field(default_factory=list, compare=False, repr=False)
    _discovered: list[RuntimeEnvironment | None] = field(default_factory=list, compare=False, repr=False)

    def runtime_environment(self) -> RuntimeEnvironment | None:
        """The machine the stack is for (None: not known), discovered on first use."""
        if self.environment is None or isinstance(self.environment, RuntimeEnvironment):
            return self.environment
        if not self._discovered:
            self._discovered.append(self.environment())
        return self._discovered[0]

    def library_usage(self) -> LibraryUsage | None:
        """The project's library usage (None: not known), scanned on first use."""
        if self.usage is None or isinstance(self.usage, LibraryUsage):
            return self.usage
        if not self._scanned:
            self._scanned.append(self.usage())
        return self._scanned[0]

    def requirements(self) -> tuple[ProjectRequirement, ...]:
        """The project's requirements in the groups being locked."""
        return self.project.requirements_for(self.groups)

    def is_direct(self, name: NormalizedName) -> bool:
        return any(req.name == name for req in self.requirements())

    def requires(self, name: NormalizedName) -> bool:
        """Whether the project names `name` anywhere in its manifest (any group)."""
        return any(req.name == name for req in self.project.requirements)


@dataclass(frozen=True)
class RunContext:
    """What units may ask while the pipeline runs, beside the builder context.

    `versions_of` lists the versions an index offers for a name, newest first, without
    reading their files (cheap: the page is already fetched when a unit asks).
    `candidates_of` yields the releases the target can install.
    """

    builder: BuilderContext
    versions_of: Callable[[NormalizedName], tuple[Version, ...]] = field(default=lambda name: ())
    candidates_of: Callable[[NormalizedName], Iterator[Candidate]] = field(default=lambda name: iter(()))
    """The releases of a name installable on the target that the project's own requirements
    admit, newest first, pre-releases included, before any unit had its say (files are
    read as the iterator advances: stop early)."""

    @property
    def project(self) -> Project:
        return self.builder.project

    @property
    def target(self) -> Target:
        return self.builder.target

    @property
    def recommendation_type(self) -> RecommendationType:
        return self.builder.recommendation_type

    @property
    def advisories(self) -> AdvisorySource:
        return self.builder.advisories

    @property
    def now(self) -> datetime:
        return self.builder.now
