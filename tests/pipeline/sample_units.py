"""Small pipeline units for tests, each showing one mechanism of the pipeline and nothing more.

They are also registered as entry points by the tests that install a distribution on
`sys.path` (their `module:Class` values point here).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from thoth_cli.pipeline.units import (
    Alternative,
    Boot,
    Configuration,
    EagerStopPipeline,
    ManifestChange,
    NotAcceptable,
    Pseudonym,
    Scored,
    Sieve,
    SkipPackage,
    StackConflict,
    Step,
    Stride,
    Wrap,
    WrapAdvice,
)
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import Justification, JustificationType, Stack

LINK = "https://example.org/unit"


def _matches(versions: str, candidate: Candidate) -> bool:
    return SpecifierSet(versions).contains(candidate.version, prereleases=True)


class OldestFirstStep(Step):
    """Scores a release `-weight` for each release of its package older than it: the oldest wins."""

    name = "oldest-first"
    description = "Prefers the oldest releases."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"weight": 0.1}

    def run(self, candidate: Candidate) -> Scored | None:
        older = [v for v in self.context.versions_of(candidate.name) if v < candidate.version]
        if not older:
            return None
        weight = float(str(self.configuration["weight"]))
        message = f"{len(older)} older releases exist"
        return Scored(
            -weight * len(older), (self.justification(JustificationType.INFO, message, candidate=candidate),)
        )


class DropSieve(Sieve):
    """Removes the releases matching `versions` (of `package_name`, or of every package)."""

    name = "drop"
    description = "Removes the releases a specifier matches."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "package_name": "",
        "versions": "",
        "when_empty": "fail",
    }

    def run(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        return [c for c in candidates if not _matches(str(self.configuration["versions"]), c)]

    def reason(self, candidate: Candidate) -> str:
        return f"{candidate} is dropped"


class RecordingSieve(Sieve):
    """Keeps everything, and records each batch of versions it was shown."""

    name = "recording"
    description = "Records the releases it sees."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}
    seen: ClassVar[list[tuple[str, tuple[str, ...]]]] = []

    def run(self, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        if candidates:
            RecordingSieve.seen.append((candidates[0].name, tuple(str(c.version) for c in candidates)))
        return candidates


class RejectStep(Step):
    """Rejects (NotAcceptable) the releases matching `versions`."""

    name = "reject"
    description = "Rejects the releases a specifier matches."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "package_name": "",
        "versions": "",
        "when_empty": "fail",
    }

    def run(self, candidate: Candidate) -> Scored | None:
        if _matches(str(self.configuration["versions"]), candidate):
            raise NotAcceptable(f"{candidate.version} is rejected", link=LINK, fix="stop rejecting it")
        return None


class ScoreStep(Step):
    """Gives every release (of `package_name`, or of every package) the configured score."""

    name = "score"
    description = "Scores every release the same."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": "", "score": 0.0}

    def run(self, candidate: Candidate) -> Scored | None:
        score = self.configuration["score"]
        assert isinstance(score, float)
        return Scored(score, (self.justification(JustificationType.INFO, "scored", candidate=candidate),))


class CountingStep(Step):
    """Scores nothing, and counts how often it was asked about each release."""

    name = "counting"
    description = "Counts the releases it judges."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}
    calls: ClassVar[dict[tuple[str, str], int]] = {}

    def run(self, candidate: Candidate) -> Scored | None:
        key = (candidate.name, str(candidate.version))
        CountingStep.calls[key] = CountingStep.calls.get(key, 0) + 1
        return None


class ExplodingStep(Step):
    """A unit with a bug: raises ValueError for every release."""

    name = "explodes"
    description = "Fails on every release."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    def run(self, candidate: Candidate) -> Scored | None:
        raise ValueError(f"cannot judge {candidate}")


class SkipStep(Step):
    """Leaves `package_name` out of the stack (SkipPackage): the system provides it."""

    name = "skip"
    description = "Leaves a package out of the stack."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": ""}

    def run(self, candidate: Candidate) -> Scored | None:
        raise SkipPackage(f"{candidate.display_name} is provided by the system")


class ApartStep(Step):
    """A stack rule: `first` and `second` must not be in one stack together."""

    name = "apart"
    description = "Keeps two packages out of one stack."
    link = LINK
    reorders: ClassVar[bool] = False
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"first": "", "second": ""}

    def run(self, candidate: Candidate) -> Scored | None:
        return None

    def conflicts(self, stack: Stack) -> Iterable[StackConflict]:
        first = stack.get(canonicalize_name(str(self.configuration["first"])))
        second = stack.get(canonicalize_name(str(self.configuration["second"])))
        if first is None or second is None:
            return ()
        message = f"{first.display_name} and {second.display_name} must not be installed together"
        return (
            StackConflict(
                ((first.name, first.version), (second.name, second.version)),
                Justification(JustificationType.WARNING, message, link=LINK, unit=self.name),
            ),
        )


class AlternativePseudonym(Pseudonym):
    """Offers `alternative` (same version) in place of each release of `package_name`."""

    name = "alternative"
    description = "Offers another package in a package's place."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": "", "alternative": ""}

    def run(self, candidate: Candidate) -> Iterable[Alternative]:
        return (Alternative(str(self.configuration["alternative"])),)


class RefuseStride(Stride):
    """Discards (NotAcceptable) every stack pinning `package_name` to a version in `versions`."""

    name = "refuse"
    description = "Discards stacks holding some releases."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": "", "versions": ""}

    def run(self, stack: Stack) -> Scored | None:
        pin = stack.get(canonicalize_name(str(self.configuration["package_name"])))
        if pin is not None and SpecifierSet(str(self.configuration["versions"])).contains(pin.version, True):
            raise NotAcceptable(f"{pin.display_name} {pin.version} is refused")
        return None


class StopStride(Stride):
    """Stops the search (EagerStopPipeline) at the `after`+1-th stack it judges."""

    name = "stop"
    description = "Stops the search after some stacks."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"after": 1}

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self.judged = 0

    def highest_score(self) -> float:
        return 0.0

    def run(self, stack: Stack) -> Scored | None:
        self.judged += 1
        if self.judged > int(str(self.configuration["after"])):
            raise EagerStopPipeline(f"enough after {self.configuration['after']} stacks")
        return None


class NoteBoot(Boot):
    """Adds one piece of stack-level information."""

    name = "note"
    description = "Notes something about the request."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    def run(self) -> Iterable[Justification]:
        return (self.justification(JustificationType.INFO, "the request was read"),)


class RefuseBoot(Boot):
    """Refuses every request."""

    name = "refuse-request"
    description = "Refuses the request."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    def run(self) -> Iterator[Justification]:
        raise NotAcceptable("this project needs a GPU and the target has none")


class AdviceWrap(Wrap):
    """Advises an environment variable and a manifest change for every stack kept."""

    name = "advice"
    description = "Adds advice to every stack."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    def run(self, stack: Stack) -> WrapAdvice | None:
        return WrapAdvice(
            justifications=(self.justification(JustificationType.INFO, "set OMP_NUM_THREADS"),),
            environment={"OMP_NUM_THREADS": "1"},
            manifest_changes=(
                ManifestChange("add", "threadpoolctl", "threadpoolctl>=3", "to limit threads"),
            ),
        )


def install_distribution(
    site: Path, name: str, entry_points: Mapping[str, str], *, source: str | None = None
) -> None:
    """Write into `site` what installing distribution `name` 1.0 leaves: its `.dist-info` with
    `entry_points` (unit name -> `module:Class`) in the `thoth_cli.units` group, and, given
    `source`, its module `name`."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{unit} = {value}\n" for unit, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[thoth_cli.units]\n{lines}", encoding="utf-8")
    if source is not None:
        (site / f"{name}.py").write_text(source, encoding="utf-8")
