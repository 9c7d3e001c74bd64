"""Runs a pipeline's units inside the resolver: alternatives, removals and scores of what is offered.

The provider asks `offer` for the candidates of one package; the answer depends only on
the package, the requirements and the subproblem being searched (resolvelib needs its
provider pure), so every unit verdict is cached per candidate.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from threading import RLock
from typing import TypeVar

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import ExternalError, NoAnswer, ThothError, UnitError
from thoth_cli.pipeline.context import BuilderContext, RunContext
from thoth_cli.pipeline.model import PipelineUnits
from thoth_cli.pipeline.units import (
    CannotRemovePackage,
    EagerStopPipeline,
    NotAcceptable,
    SkipPackage,
    StackConflict,
    Unit,
    WrapAdvice,
    check_score,
)
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.finder import CandidateFinder
from thoth_cli.stack import Justification, JustificationType, Stack

CandidateKey = tuple[NormalizedName, Version, str]
T = TypeVar("T")


@dataclass(frozen=True)
class Subproblem:
    """One part of the search space: pins kept (when their slot is in the stack) and pins forbidden."""

    forced: Mapping[NormalizedName, CandidateKey] = field(default_factory=dict)
    forbidden: frozenset[CandidateKey] = frozenset()

    def child(self, keep: Iterable[tuple[NormalizedName, CandidateKey]], forbid: CandidateKey) -> Subproblem:
        return Subproblem({**self.forced, **dict(keep)}, self.forbidden | {forbid})

    def admits(self, slot: NormalizedName, key: CandidateKey) -> bool:
        forced = self.forced.get(slot)
        return key not in self.forbidden and (forced is None or forced == key)


@dataclass(frozen=True)
class Verdict:
    """What the steps said of one candidate: its score and reasons, and the units that reject it."""

    score: float = 0.0
    justifications: tuple[Justification, ...] = ()
    rejected_by: tuple[tuple[Unit, NotAcceptable], ...] = ()
    monotone: float = 0.0
    """The part of the score from steps that keep the newest-first order."""


@dataclass(frozen=True)
class PackageState:
    """Decided once per package: left out (why), and which releases its sieves removed (by whom, why)."""

    skipped: str | None = None
    sieved: Mapping[CandidateKey, tuple[Unit, str]] = field(default_factory=dict)


class PipelineStopped(ThothError):
    """A boot refused the request (exit 1); keeps the unit and its reason."""

    exit_code = CannotRemovePackage.exit_code

    def __init__(self, unit: str, reason: str) -> None:
        self.unit = unit
        self.reason = reason
        super().__init__(f"unit {unit!r} stopped the run: {reason}")


class PipelineRunner:
    """The units of one run, called where the resolver meets them, with their verdicts cached."""

    def __init__(
        self,
        units: PipelineUnits,
        context: BuilderContext,
        finder: CandidateFinder,
        *,
        roots: Mapping[NormalizedName, Sequence[Requirement]],
        index_for: Callable[[NormalizedName], str | None],
    ) -> None:
        self.units = units
        self.context = context
        self._finder = finder
        self._roots = roots
        self._index_for = index_for
        self._lock = RLock()
        self._verdicts: dict[CandidateKey, Verdict] = {}
        self._states: dict[tuple[NormalizedName, str | None], PackageState] = {}
        self._alternatives: dict[CandidateKey, tuple[Candidate, ...]] = {}
        self.slots: dict[CandidateKey, NormalizedName] = {}
        """The slot each alternative offered by a pseudonym filled."""
        self.subproblem = Subproblem()
        self.unavailable: dict[tuple[str, str], str] = {}
        """Alternatives a pseudonym offered that could not be had, by unit and index."""
        self.removed: dict[NormalizedName, dict[Version, str]] = {}
        """Why units removed releases, for explaining a failure."""
        self.reorders = any(step.reorders for step in units.steps)
        self._deciding = False
        self.run_context = RunContext(
            context,
            versions_of=lambda name: finder.versions_of(name, index_for(name)),
            candidates_of=lambda name: finder.matches(
                name, list(roots.get(name, ())), (), index_for(name), prefer_kept=False
            )(),
        )

    # -- before resolution ---------------------------------------------------------------

    def start(self) -> tuple[Justification, ...]:
        """Start every unit, then run the boots: their stack-level information."""
        for unit in self.units.all():
            _start(unit, self.run_context)
        info: list[Justification] = []
        for boot in self.units.boots:
            try:
                found = tuple(_call(boot, None, boot.run))
            except NotAcceptable as exc:
                raise PipelineStopped(boot.label, exc.reason) from None
            info.extend(found)
        return tuple(info)

    # -- during resolution ---------------------------------------------------------------

    def offer(
        self,
        slot: NormalizedName,
        requirements: Sequence[Requirement],
        found: Callable[[], Iterator[Candidate]],
        excluded: frozenset[CandidateKey],
    ) -> Callable[[], Iterator[Candidate]] | list[Candidate]:
        """The candidates of `slot` the units accept, best first."""
        index = self._index_for(slot)
        state = self.state(slot, index)
        if state.skipped is not None:
            display = requirements[0].display_name if requirements else slot
            return [Candidate.skip(slot, display, state.skipped)]
        subproblem = self.subproblem

        def offered() -> Iterator[Candidate]:
            for candidate in found():
                for alternative in self.alternatives(slot, candidate, requirements):
                    if alternative.key not in excluded and subproblem.admits(slot, alternative.key):
                        yield alternative
                if candidate.key not in excluded and subproblem.admits(slot, candidate.key):
                    yield candidate

        def iterate() -> Iterator[Candidate]:
            accepted = False
            for candidate in offered():
                if self._accepted(slot, candidate, state, subproblem):
                    accepted = True
                    yield candidate
            if accepted:
                return
            # Advisory units (when_empty: warn) never leave a requirement with nothing: when
            # these requirements admit only releases such units removed, they are offered,
            # and the stack says why they were kept. Decided by the requirements alone, so
            # the answer stays the same for the same question.
            for candidate in offered():
                if self._warn_only(candidate, state):
                    yield candidate

        if not self.reorders:
            return iterate
        preferred = self.context.policy.preferred_version(slot)
        headroom = sum(
            step.highest_score() for step in self.units.steps if step.reorders and _applies(step, slot)
        )
        return lambda: self._best_first(iterate(), preferred, headroom)

    def _best_first(
        self, candidates: Iterator[Candidate], preferred: Version | None, headroom: float
    ) -> Iterator[Candidate]:
        """Candidates by score, best first, reading no further than needed.

        Steps that keep the newest-first order give scores that only fall along it; the
        others can add at most `headroom`. So a candidate already scored can be offered as
        soon as it beats what the next one in newest-first order could reach at best -
        usually at once, without looking at the package's older releases.
        """
        waiting: list[tuple[float, int, Candidate]] = []
        order = itertools.count()
        for candidate in candidates:
            verdict = self.verdict(candidate)
            if preferred is not None and candidate.version == preferred:
                yield candidate
                continue
            reachable = verdict.monotone + headroom
            while waiting and -waiting[0][0] >= reachable:
                yield heapq.heappop(waiting)[2]
            heapq.heappush(waiting, (-verdict.score, next(order), candidate))
        while waiting:
            yield heapq.heappop(waiting)[2]

    def _accepted(
        self, slot: NormalizedName, candidate: Candidate, state: PackageState, subproblem: Subproblem
    ) -> bool:
        if not subproblem.admits(slot, candidate.key):
            return False
        return candidate.key not in state.sieved and not self.verdict(candidate).rejected_by

    def verdict(self, candidate: Candidate) -> Verdict:
        """The steps' verdict on a candidate, computed once."""
        with self._lock:
            known = self._verdicts.get(candidate.key)
        if known is not None:
            return known
        score = monotone = 0.0
        justifications: list[Justification] = []
        rejected: list[tuple[Unit, NotAcceptable]] = []
        for step in self.units.steps:
            if not _applies(step, candidate.name):
                continue
            try:
                result = _call(step, candidate.name, step.run, candidate)
            except NotAcceptable as exc:
                rejected.append((step, exc))
                continue
            except SkipPackage:
                if not self._deciding:
                    raise UnitError(
                        step.label,
                        f"raised SkipPackage for {candidate} after other releases of it were offered: "
                        "SkipPackage leaves out the whole package, so raise it for every release",
                        package=candidate.name,
                    ) from None
                raise
            if result is None:
                continue
            value = check_score(step, result.score, candidate.name)
            score += value
            if not step.reorders:
                monotone += value
            justifications.extend(result.justifications)
        verdict = Verdict(score, tuple(justifications), tuple(rejected), monotone)
        with self._lock:
            self._verdicts[candidate.key] = verdict
            for unit, refusal in rejected:
                self.removed.setdefault(candidate.name, {}).setdefault(
                    candidate.version, f"removed by unit {unit.label}: {refusal.reason}"
                )
        return verdict

    def alternatives(
        self, slot: NormalizedName, candidate: Candidate, requirements: Sequence[Requirement]
    ) -> tuple[Candidate, ...]:
        """What the pseudonyms offer in place of `candidate`, that the requirements admit."""
        if not self.units.pseudonyms:
            return ()
        with self._lock:
            known = self._alternatives.get(candidate.key)
        if known is None:
            found: list[Candidate] = []
            for unit in self.units.pseudonyms:
                if unit.package_name is not None and unit.package_name != candidate.name:
                    continue
                offered = tuple(_call(unit, candidate.name, unit.run, candidate))
                for alternative in offered:
                    made = self._alternative(
                        unit,
                        slot=slot,
                        candidate=candidate,
                        name=alternative.name,
                        version=alternative.version,
                        index=alternative.index,
                    )
                    if made is not None and made.key != candidate.key:
                        found.append(made)
            known = tuple(dict((c.key, c) for c in found).values())
            with self._lock:
                self._alternatives[candidate.key] = known
                for alternative_candidate in known:
                    self.slots[alternative_candidate.key] = slot
        return tuple(
            c for c in known if all(r.specifier.contains(c.version, prereleases=True) for r in requirements)
        )

    def _alternative(
        self,
        unit: Unit,
        *,
        slot: NormalizedName,
        candidate: Candidate,
        name: str,
        version: str | None,
        index: str | None,
    ) -> Candidate | None:
        canonical = canonicalize_name(name)
        wanted = version or str(candidate.version)
        requirement = Requirement(
            name=canonical, display_name=name, specifier=SpecifierSet(f"=={wanted}"), text=f"{name}=={wanted}"
        )
        try:
            # The user's index pin on the alternative's name binds it too.
            pinned = self._index_for(canonical)
            offered = next(
                self._finder.matches(canonical, [requirement], (), pinned or index or candidate.index)(), None
            )
        except (ExternalError, NoAnswer) as exc:
            # An alternative is an offer, not a requirement: when its index cannot be reached or
            # does not have it, the index's own release stands, and the stack says so.
            where = index or candidate.index
            with self._lock:
                self.unavailable.setdefault(
                    (unit.name, where), f"{name} {wanted} from {where} could not be had ({exc.message})"
                )
            return None
        except ThothError as exc:
            raise UnitError(
                unit.label, f"offers {name} {wanted}, which cannot be found: {exc}", package=slot
            ) from None
        if offered is None:
            return None
        return replace(offered, alias_of=slot if canonical != slot else None)

    def state(self, name: NormalizedName, index: str | None) -> PackageState:
        """The package's state: decided on first use from every release the project allows."""
        key = (name, index)
        with self._lock:
            known = self._states.get(key)
            if known is not None:
                return known
            state = self._decide(name, index)
            self._states[key] = state
            return state

    def _decide(self, name: NormalizedName, index: str | None) -> PackageState:
        self._deciding = True
        try:
            return self._decide_package(name, index)
        except SkipPackage as exc:
            return PackageState(skipped=exc.reason)
        finally:
            self._deciding = False

    def _decide_package(self, name: NormalizedName, index: str | None) -> PackageState:
        roots = list(self._roots.get(name, ()))
        allowed = self._finder.matches(name, roots, (), index)
        sieves = [s for s in self.units.sieves if s.package_name in (None, name)]
        sieved: dict[CandidateKey, tuple[Unit, str]] = {}
        if sieves:
            remaining = list(allowed())
            for sieve in sieves:
                kept = list(_call(sieve, name, sieve.run, tuple(remaining)))
                kept_keys = {c.key for c in kept}
                for candidate in remaining:
                    if candidate.key not in kept_keys:
                        reason = _call(sieve, name, sieve.reason, candidate)
                        sieved[candidate.key] = (sieve, reason)
                        self.removed.setdefault(name, {})[candidate.version] = (
                            f"removed by unit {sieve.label}: {reason}"
                        )
                remaining = [c for c in remaining if c.key in kept_keys]
        first = next(allowed(), None)
        if first is not None:
            self.verdict(first)
        state = PackageState(sieved=sieved)
        if any(self._accepted(name, c, state, Subproblem()) for c in allowed()):
            return state
        candidates = list(allowed())
        if not candidates:
            return state
        if any(self._warn_only(c, state) for c in candidates):
            # Advisory units alone emptied it: `offer` falls back to what they removed.
            return state
        if roots:
            newest = candidates[0]
            removers = self._removers(newest, state)
            reasons = [reason for _, reason in self._reasons(newest, state)]
            raise CannotRemovePackage(
                roots[0].display_name,
                removers[0].label,
                reasons,
                specifier=str(roots[0].specifier),
                fix=next((exc.fix for _, exc in self.verdict(newest).rejected_by if exc.fix), None),
            )
        return state

    def _warn_only(self, candidate: Candidate, state: PackageState) -> bool:
        removers = self._removers(candidate, state)
        return bool(removers) and all(unit.when_empty == "warn" for unit in removers)

    def _removers(self, candidate: Candidate, state: PackageState) -> list[Unit]:
        units = [unit for unit, _ in self.verdict(candidate).rejected_by]
        sieved = state.sieved.get(candidate.key)
        return ([sieved[0]] if sieved else []) + units

    def _reasons(self, candidate: Candidate, state: PackageState) -> list[tuple[Unit, str]]:
        sieved = state.sieved.get(candidate.key)
        reasons = [(sieved[0], sieved[1])] if sieved else []
        return reasons + [(unit, exc.reason) for unit, exc in self.verdict(candidate).rejected_by]

    def next_best_score(
        self,
        slot: NormalizedName,
        key: CandidateKey,
        bounds: Sequence[SpecifierSet] = (),
        look: int = 8,
    ) -> float | None:
        """The best score among a few other candidates of `slot` that `bounds` (what the stack's
        packages require of it) admit; None: it has no other, and forbidding it likely fails."""
        index = self._index_for(slot)
        state = self.state(slot, index)
        scores: list[float] = []
        examined = 0
        for candidate in self._finder.matches(slot, list(self._roots.get(slot, ())), (), index)():
            examined += 1
            if examined > _LOOK_AHEAD:
                break
            # The bounds first: they are cheap, and a package pinned by another (botocore by
            # boto3) has thousands of releases outside them.
            if candidate.key == key or not all(
                bound.contains(candidate.version, prereleases=True) for bound in bounds
            ):
                continue
            if not self._accepted(slot, candidate, state, Subproblem()):
                continue
            scores.append(self.verdict(candidate).score)
            if len(scores) >= look:
                break
        return max(scores) if scores else None

    # -- on whole stacks -----------------------------------------------------------------

    def annotate(self, stack: Stack) -> Stack:
        """The stack with each package's score and reasons, and their sum as its score."""
        packages = []
        for package in stack.packages:
            key = (package.name, package.version, package.index.name)
            verdict = self._verdicts.get(key, Verdict())
            slot = self.slots.get(key, package.name)
            state = self._states.get((slot, self._index_for(slot)))
            extra: tuple[Justification, ...] = ()
            sieved = state.sieved.get(key) if state is not None else None
            if sieved is not None:
                unit, reason = sieved
                extra = (
                    Justification(
                        JustificationType.WARNING,
                        f"kept although {reason} (no release without this issue is allowed)",
                        link=unit.link,
                        package=package.display_name,
                        version=str(package.version),
                        unit=unit.name,
                    ),
                    *extra,
                )
            kept_despite = tuple(
                Justification(
                    JustificationType.WARNING,
                    f"kept although {exc.reason} (no release without this issue is allowed)",
                    link=exc.link or unit.link,
                    package=package.display_name,
                    version=str(package.version),
                    unit=unit.name,
                )
                for unit, exc in verdict.rejected_by
            )
            packages.append(
                replace(
                    package,
                    score=verdict.score,
                    justifications=(*verdict.justifications, *kept_despite, *extra),
                )
            )
        unreachable = tuple(
            Justification(JustificationType.WARNING, f"{what}; the index's own release was used", unit=unit)
            for (unit, _), what in sorted(self.unavailable.items())
        )
        left_out = tuple(
            Justification(
                JustificationType.WARNING,
                f"{name} is left out of the stack: {reason}; whatever needs it installs with --no-deps",
                package=name,
            )
            for name, reason in stack.skipped
        )
        return replace(
            stack,
            packages=tuple(packages),
            score=sum(p.score for p in packages),
            justifications=(*stack.justifications, *left_out, *unreachable),
        )

    def conflicts(self, stack: Stack) -> list[StackConflict]:
        found: list[StackConflict] = []
        for step in self.units.steps:
            found.extend(list(_call(step, None, step.conflicts, stack)))
        return found

    def stride(self, stack: Stack) -> Stack | NotAcceptable:
        """The stack scored by the strides, or why one of them discards it."""
        score = stack.score
        justifications = list(stack.justifications)
        for stride in self.units.strides:
            try:
                result = _call(stride, None, stride.run, stack)
            except NotAcceptable as exc:
                return exc
            if result is None:
                continue
            score += check_score(stride, result.score)
            justifications.extend(result.justifications)
        return replace(stack, score=score, justifications=tuple(justifications))

    def wrap(self, stack: Stack) -> tuple[Stack, tuple[WrapAdvice, ...]]:
        advice: list[WrapAdvice] = []
        justifications = list(stack.justifications)
        for wrap in self.units.wraps:
            result = _call(wrap, None, wrap.run, stack)  # EagerStopPipeline: the search keeps its stacks
            if result is None:
                continue
            advice.append(result)
            justifications.extend(result.justifications)
        return replace(stack, justifications=tuple(justifications)), tuple(advice)


_LOOK_AHEAD = 64
"""Releases an estimate looks at, at most: past them, forbidding a pin is estimated as costly."""


def _start(unit: Unit, context: RunContext) -> None:
    try:
        unit.start(context)
    except ThothError:
        raise
    except Exception as exc:
        raise UnitError(unit.label, f"could not start: {type(exc).__name__}: {exc}") from exc


def _applies(unit: Unit, name: NormalizedName) -> bool:
    return unit.package_name is None or unit.package_name == name


_MAY_RAISE: dict[str, tuple[type[Exception], ...]] = {
    "boot": (NotAcceptable, EagerStopPipeline),
    "pseudonym": (EagerStopPipeline,),
    "sieve": (SkipPackage, EagerStopPipeline),
    "step": (NotAcceptable, SkipPackage, EagerStopPipeline),
    "stride": (NotAcceptable, EagerStopPipeline),
    "wrap": (EagerStopPipeline,),
}
"""The unit exceptions each type may raise; any other is the unit's bug."""


def _call(unit: Unit, package: str | None, call: Callable[..., T], *args: object) -> T:
    """Run a unit's code; anything but the exceptions its type may raise is the unit's bug, named
    as such."""
    try:
        return call(*args)
    except ThothError:
        raise
    except _MAY_RAISE.get(unit.kind, ()):
        raise
    except Exception as exc:
        raise UnitError(unit.label, f"{type(exc).__name__}: {exc}", package=package) from exc
