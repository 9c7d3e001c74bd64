"""The six unit types (boot, pseudonym, sieve, step, stride, wrap), their results and exceptions.

A unit does one job. Its class has a `name`, a `description`, a documented
`CONFIGURATION_DEFAULT`, and `should_include(context)`, which yields one configuration per
instance to add (nothing: the unit stays out; a unit watching several packages yields once
per package). The pipeline calls `start(context)` on every instance before resolving.

Units raise only the exceptions below; anything else is a bug in the unit, reported as a
`UnitError` naming it (exit 5).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.errors import ConfigError, Location, NoAnswer, UnitError
from thoth_cli.pipeline.context import BuilderContext, RunContext
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import Justification, JustificationType, Stack

Configuration = Mapping[str, object]

WHEN_EMPTY = ("fail", "warn")
"""What a sieve or step does when its removals would leave a package with no version:
`fail` stops the run naming the package (crashes, broken installs); `warn` keeps the
versions and warns (advisory rules)."""


# -- exceptions ----------------------------------------------------------------------------


class NotAcceptable(Exception):
    """Raised by a step (the candidate), a stride (the stack) or a boot (the whole request):
    rejected, with the reason in plain words."""

    def __init__(self, reason: str, *, link: str | None = None, fix: str | None = None) -> None:
        self.reason = reason
        self.link = link
        self.fix = fix
        super().__init__(reason)


class SkipPackage(Exception):
    """Raised by a sieve or step: leave the package out of the stack altogether; whoever depends
    on it is then installed with `--no-deps`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class EagerStopPipeline(Exception):
    """Raised by any unit: stop searching and keep the stacks found so far."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class CannotRemovePackage(NoAnswer):
    """A unit would leave a direct dependency with no version (exit 1); keeps the package,
    the unit and its reasons."""

    def __init__(
        self, package: str, unit: str, reasons: Sequence[str], *, specifier: str = "", fix: str | None = None
    ) -> None:
        self.package = package
        self.unit = unit
        self.reasons = tuple(reasons)
        because = "; ".join(dict.fromkeys(self.reasons))
        super().__init__(
            f"unit {unit!r} removes every release of {package}{specifier} that the project allows: {because}",
            fix=fix
            or f"change the requirement on {package}, choose another recommendation type, "
            f"or pass --block-unit {unit.split('[', 1)[0]} to accept the risk",
        )


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """A step's or stride's verdict: a score in [-1, 1] and the reasons for it."""

    score: float = 0.0
    justifications: tuple[Justification, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """What a pseudonym offers in place of a candidate: another name, version or index.

    `version` None means the candidate's own version; `index` None the candidate's index
    (an index name of the run, or a URL of an index the run does not otherwise use).
    """

    name: str
    version: str | None = None
    index: str | None = None


@dataclass(frozen=True)
class StackConflict:
    """Pins that must not be in one stack together (a stack rule), and why.

    The search forbids each of `pins` in turn and resolves again, keeping the best valid stack.
    """

    pins: tuple[tuple[NormalizedName, Version], ...]
    justification: Justification


@dataclass(frozen=True)
class ManifestChange:
    """A change a wrap advises to the manifest: `action` is add, remove or change."""

    action: str
    package: str
    requirement: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class WrapAdvice:
    """What a wrap adds to a kept stack: reasons, environment variables and manifest changes."""

    justifications: tuple[Justification, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    manifest_changes: tuple[ManifestChange, ...] = ()


# -- the base classes ----------------------------------------------------------------------


class Unit:
    """One job of the pipeline.

    Subclasses set `name` (lower-case words joined by `-`), `description` (one sentence for
    `thoth units`), `CONFIGURATION_DEFAULT` (every key a configuration may have, with its
    default; a value given for a key must have the default's type) and, where it helps,
    `link`. The configuration key `package_name` (when present) restricts the unit to one
    package.
    """

    kind: ClassVar[str] = "unit"
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    link: ClassVar[str | None] = None
    CONFIGURATION_DEFAULT: ClassVar[Mapping[str, object]] = {}

    def __init__(self, configuration: Configuration | None = None) -> None:
        self.configuration: dict[str, object] = {
            **self.CONFIGURATION_DEFAULT,
            **check_configuration(type(self), configuration or {}),
        }
        self._context: RunContext | None = None

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        """Yield a configuration for each instance to add to the pipeline built for `context`.

        The default yields nothing: a unit joins only when it says so (or when a pipeline
        file or the Python API names it).
        """
        return iter(())

    def start(self, context: RunContext) -> None:
        """Called once before resolution; keep what the run needs."""
        self._context = context

    @property
    def context(self) -> RunContext:
        if self._context is None:
            raise UnitError(self.name, "used before the pipeline started it")
        return self._context

    @property
    def package_name(self) -> NormalizedName | None:
        value = self.configuration.get("package_name")
        return NormalizedName(str(value)) if value else None

    @property
    def when_empty(self) -> str:
        """`fail` or `warn`: what happens when this unit's removals leave a package with no version."""
        return str(self.configuration.get("when_empty", "fail"))

    @property
    def label(self) -> str:
        """The unit's name, with the package it watches."""
        package = self.package_name
        return f"{self.name}[{package}]" if package else self.name

    def justification(
        self,
        kind: JustificationType,
        message: str,
        *,
        candidate: Candidate | None = None,
        link: str | None = None,
    ) -> Justification:
        """A justification signed by this unit (and the candidate it is about)."""
        return Justification(
            type=kind,
            message=message,
            link=link or self.link,
            package=candidate.display_name if candidate is not None else None,
            version=str(candidate.version) if candidate is not None else None,
            unit=self.name,
        )


class Boot(Unit):
    """Runs once before resolution: inspects the request, adds stack-level information, or stops
    the run with a reason (`NotAcceptable`)."""

    kind = "boot"

    def run(self) -> Iterable[Justification]:
        raise NotImplementedError


class Pseudonym(Unit):
    """Offers alternatives for a candidate, resolved under the candidate's identity (the
    resolver never holds both): another package (tensorflow-cpu for tensorflow), or a build
    from another index. Alternatives are offered before the candidate."""

    kind = "pseudonym"

    def run(self, candidate: Candidate) -> Iterable[Alternative]:
        raise NotImplementedError


class Sieve(Unit):
    """Filters the candidate versions of one package (newest first) and returns those kept.

    The runner remembers the ones left out, with `reason(candidate)`, for explanations. A
    sieve may raise `SkipPackage`. Configuration `when_empty` (`fail`/`warn`) says what
    happens when the sieve would leave a package with no version.
    """

    kind = "sieve"

    def run(self, candidates: Sequence[Candidate]) -> Iterable[Candidate]:
        raise NotImplementedError

    def reason(self, candidate: Candidate) -> str:
        """Why `candidate` was left out, for explanations."""
        return self.description


class Step(Unit):
    """Judges one candidate: a score in [-1, 1] with justifications (None: no opinion), or
    `NotAcceptable`. Scores must depend only on the candidate and the run's context (the
    resolver caches them and orders candidates by them, best first).

    Set `reorders = False` when the scores never change the newest-first order (the
    resolver then need not look at every release). A step enforcing a rule about packages
    together (a stack rule) also overrides `conflicts`.
    """

    kind = "step"
    reorders: ClassVar[bool] = True

    def run(self, candidate: Candidate) -> Scored | None:
        raise NotImplementedError

    def highest_score(self) -> float:
        """The highest score this step can give (default 1): a step that only penalises says 0,
        and the resolver then stops reading older releases as soon as none can outscore the
        ones already seen."""
        return 1.0

    def conflicts(self, stack: Stack) -> Iterable[StackConflict]:
        """Pins of a resolved stack that must not be together (default: none)."""
        return ()


class Stride(Unit):
    """Judges a whole resolved stack: a score in [-1, 1] with justifications, or `NotAcceptable`
    to discard it."""

    kind = "stride"

    def highest_score(self) -> float:
        """The highest score this stride can give (default 1); one that only penalises says 0, so
        the search knows a stack can only lose from it."""
        return 1.0

    def run(self, stack: Stack) -> Scored | None:
        raise NotImplementedError


class Wrap(Unit):
    """Adds advice (justifications, environment variables, manifest changes) to each stack kept,
    without changing its score."""

    kind = "wrap"

    def run(self, stack: Stack) -> WrapAdvice | None:
        raise NotImplementedError


UNIT_KINDS: tuple[type[Unit], ...] = (Boot, Pseudonym, Sieve, Step, Stride, Wrap)


# -- helpers for the runner ----------------------------------------------------------------


def check_score(unit: Unit, value: object, package: str | None = None) -> float:
    """A unit's score as a float clamped to [-1, 1]; NaN or a non-number is the unit's bug."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnitError(unit.label, f"returned a score that is not a number: {value!r}", package=package)
    if math.isnan(value):
        raise UnitError(unit.label, "returned a score that is not a number (NaN)", package=package)
    return max(-1.0, min(1.0, float(value)))


def check_configuration(cls: type[Unit], configuration: Configuration) -> dict[str, object]:
    """The configuration given for `cls`, every key known and of its default's type."""
    checked: dict[str, object] = {}
    where = Location(_PIPELINE, key=cls.name)
    for key, value in configuration.items():
        if key not in cls.CONFIGURATION_DEFAULT:
            known = ", ".join(sorted(cls.CONFIGURATION_DEFAULT)) or "none"
            raise ConfigError(
                f"unit {cls.name!r} has no configuration key {key!r} (it has: {known})",
                location=where,
                fix="remove the key, or spell it as the unit documents it (`thoth units`)",
            )
        default = cls.CONFIGURATION_DEFAULT[key]
        if default is not None and value is not None and not _same_kind(default, value):
            raise ConfigError(
                f"unit {cls.name!r}: {key} must be {_kind_name(default)}, not {value!r}",
                location=where,
                fix=f"give {key} a value like its default, {default!r}",
            )
        if key == "when_empty" and value not in WHEN_EMPTY:
            raise ConfigError(
                f"unit {cls.name!r}: when_empty must be 'fail' or 'warn', not {value!r}",
                location=where,
                fix="say 'fail' to stop the run, 'warn' to keep the versions and warn",
            )
        checked[key] = float(value) if isinstance(default, float) and isinstance(value, int) else value
    return checked


_PIPELINE = Path("<pipeline>")
"""Where configuration errors point when the configuration did not come from a file."""


def _same_kind(default: object, value: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def _kind_name(default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, (list, tuple)):
        return "a list"
    if isinstance(default, dict):
        return "a mapping"
    return "a string"
