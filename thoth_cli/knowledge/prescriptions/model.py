"""The prescription format's values: a unit's conditions, what it matches, what it does, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from thoth_cli.errors import InputError, Location
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Alternative, ManifestChange
from thoth_cli.stack import JustificationType

FORMAT_VERSION = 1

UNIT_TYPES = ("boot", "pseudonym", "sieve", "step", "stride", "wrap")


class Absent(Enum):
    """A version condition written `null`: the fact (a CUDA toolkit, a driver) must be absent."""

    ABSENT = "absent"


ABSENT = Absent.ABSENT

VersionCondition = SpecifierSet | Absent | None
"""A specifier the fact's version must satisfy, ABSENT, or None when the condition is not given."""


class PrescriptionError(InputError):
    """A prescription file thoth cannot use (exit 4): names the file, the line, the key and the unit."""

    def __init__(
        self,
        problem: str,
        *,
        location: Location,
        unit: str | None = None,
        text: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.unit = unit
        super().__init__(
            f"unit {unit!r}: {problem}" if unit else problem, location=location, text=text, fix=fix
        )


@dataclass(frozen=True)
class OperatingSystemCondition:
    """One operating system a unit applies to: an os-release ID, and a specifier on its version."""

    name: str
    version: SpecifierSet | None = None


@dataclass(frozen=True)
class Presence:
    """Names that must be present and names that must be absent (CPU flags, system or Python packages)."""

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class CpuCondition:
    """The processor: each list given must hold the CPU's value (any of it)."""

    vendors: tuple[str, ...] = ()
    families: tuple[int, ...] = ()
    models: tuple[int, ...] = ()


@dataclass(frozen=True)
class GpuCondition:
    """A GPU the machine must have: its model (any of the texts) and its compute capability."""

    models: tuple[str, ...] = ()
    compute_capability: SpecifierSet | None = None


@dataclass(frozen=True)
class EnvironmentConditions:
    """`should_include.runtime_environment`: facts about the target and the machine; None is not given."""

    operating_systems: tuple[OperatingSystemCondition, ...] | None = None
    python_version: SpecifierSet | None = None
    cuda_version: VersionCondition = None
    driver_cuda_version: VersionCondition = None
    cudnn_version: VersionCondition = None
    driver_version: VersionCondition = None
    cpu_flags: Presence | None = None
    cpu: CpuCondition | None = None
    gpu: GpuCondition | None = None
    platforms: tuple[str, ...] | None = None
    base_images: tuple[str, ...] | None = None
    system_packages: Presence | None = None
    python_packages: Presence | None = None
    """Requirement texts (`numpy>=2`)."""

    @property
    def needs_machine(self) -> bool:
        """Whether a condition asks about the machine, beyond what the target says (Python, platform)."""
        return any(
            value is not None
            for value in (
                self.operating_systems,
                self.cuda_version,
                self.driver_cuda_version,
                self.cudnn_version,
                self.driver_version,
                self.cpu_flags,
                self.cpu,
                self.gpu,
                self.base_images,
                self.system_packages,
                self.python_packages,
            )
        )


@dataclass(frozen=True)
class LibraryUsageCondition:
    """Symbols the project's code must use: all of them (`all`) or at least one (`any`)."""

    symbols: tuple[str, ...]
    require_all: bool = True


@dataclass(frozen=True)
class Conditions:
    """`should_include`: every condition given must hold."""

    recommendation_types: frozenset[RecommendationType] | None = None
    environment: EnvironmentConditions = EnvironmentConditions()
    library_usage: LibraryUsageCondition | None = None
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PackageMatch:
    """A package a unit acts on: its name, and optionally a version specifier and an index."""

    name: NormalizedName
    version: SpecifierSet | None = None
    index: str | None = None
    """An index name of the run, or its URL."""


@dataclass(frozen=True)
class Pin:
    """A package in a stack rule: a name, and the versions meant (None: any)."""

    name: NormalizedName
    version: SpecifierSet | None = None


@dataclass(frozen=True)
class Match:
    """What a unit acts on: packages (any of them), pins resolved together, a package introduced
    by another, or the pins a stack must contain."""

    packages: tuple[PackageMatch, ...] = ()
    together: tuple[Pin, ...] = ()
    introduced_by: Pin | None = None
    stack: tuple[Pin, ...] = ()


@dataclass(frozen=True)
class JustificationSpec:
    """A justification as written: its type, its message (`{package}`, `{version}` filled in), its link."""

    type: JustificationType
    message: str
    link: str


@dataclass(frozen=True)
class Run:
    """What a unit does; which fields a type may set is the validator's business."""

    justification: JustificationSpec | None = None
    remove: bool = False
    skip_package: bool = False
    score: float | None = None
    not_acceptable: bool = False
    when_empty: str = "fail"
    alternative: Alternative | None = None
    stack_info: tuple[JustificationSpec, ...] = ()
    advised_environment: tuple[tuple[str, str], ...] = ()
    advised_manifest_changes: tuple[ManifestChange, ...] = ()


@dataclass(frozen=True)
class Prescription:
    """One unit of a prescription file, checked: where it was written, and the YAML as written."""

    name: str
    type: str
    description: str
    conditions: Conditions
    match: Match
    run: Run
    source: Path
    position: int
    """Its index in the file's `units` list."""
    line: int
    text: str
    """The unit's YAML as written in its file (comments included)."""

    @property
    def link(self) -> str | None:
        if self.run.justification is not None:
            return self.run.justification.link
        return next((info.link for info in self.run.stack_info), None)

    @property
    def is_stack_rule(self) -> bool:
        """A step about packages together (or one introduced by another) rather than about one release."""
        return bool(self.match.together) or self.match.introduced_by is not None
