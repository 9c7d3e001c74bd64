"""The search for the best stacks: a first resolve, then Lawler-Murty partitions ranked by score.

resolvelib's first solution follows each package's best-first order (a greedy, good
stack). Further stacks come from partitioning the space around each stack taken: child
*i* keeps the first *i-1* pins and forbids pin *i*. Children wait in a priority queue
under an estimate (the parent's score less what losing pin *i* costs) and are resolved
only when they reach the top, so each extra stack usually costs one resolve. A stack
that breaks a stack rule is replaced by children that each forbid one of the pins in
conflict. Ties are broken by insertion order: the same inputs give the same stacks.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from thoth_cli.errors import NoAnswer
from thoth_cli.pipeline.runner import CandidateKey, PipelineRunner, Subproblem
from thoth_cli.pipeline.units import EagerStopPipeline, NotAcceptable, WrapAdvice
from thoth_cli.resolver.resolve import ResolveSession
from thoth_cli.stack import Justification, JustificationType, PinnedPackage, Stack

DEFAULT_LIMIT = 100
"""Resolves one search may spend (`--limit`)."""

SUBPROBLEM_ROUNDS = 20_000
"""A part of the space that takes longer than this to resolve is given up: the first stack
has the full budget, the others are alternatives."""


@dataclass(frozen=True)
class FoundStack:
    """A stack kept by the search, with the advice its wraps gave."""

    stack: Stack
    advice: tuple[WrapAdvice, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    """The stacks found, best first, and what the search spent and set aside."""

    stacks: tuple[FoundStack, ...]
    resolves: int
    limit_reached: bool = False
    stopped: str | None = None
    """Why a unit stopped the search early (EagerStopPipeline)."""
    stack_info: tuple[Justification, ...] = ()
    """What the boots said about the request."""
    discarded: tuple[Justification, ...] = field(default=())
    """Why stacks were set aside (stack rules, strides)."""


@dataclass(frozen=True)
class _Entry:
    subproblem: Subproblem
    stack: Stack | None = None
    """None: not resolved yet (the priority is an estimate)."""
    steps_score: float = 0.0
    """The stack's score before the strides: what its children's estimates start from."""


def search(
    session: ResolveSession, runner: PipelineRunner, *, count: int = 1, limit: int = DEFAULT_LIMIT
) -> SearchResult:
    """Up to `count` distinct stacks, best first, within `limit` resolves."""
    info: tuple[Justification, ...] = ()
    # The strides can add at most this to a stack's score: estimates must not fall below it.
    stride_headroom = sum(max(0.0, stride.highest_score()) for stride in runner.units.strides)
    # Ordered by score, then resolved before estimated (a stack in hand as good as the best
    # estimate needs no further resolve), then insertion order.
    queue: list[tuple[float, bool, int, _Entry]] = []
    order = itertools.count()
    found: list[Stack] = []
    seen: set[tuple[CandidateKey, ...]] = set()
    discarded: list[Justification] = []
    limit_reached = False
    stopped: str | None = None

    def push(score: float, entry: _Entry) -> None:
        heapq.heappush(queue, (-score, entry.stack is None, next(order), entry))

    def partition(subproblem: Subproblem, stack: Stack, steps_score: float) -> None:
        pins = [p for p in _partition_order(stack) if _slot(runner, p) not in subproblem.forced]
        kept: list[tuple[NormalizedName, CandidateKey]] = []
        for package in pins:
            key = _key(package)
            slot = _slot(runner, package)
            alternative = runner.next_best_score(slot, key, _bounds(stack, package))
            loss = 1.0 if alternative is None else max(0.0, package.score - alternative)
            push(steps_score - loss + stride_headroom, _Entry(subproblem.child(list(kept), key)))
            kept.append((slot, key))

    def evaluate(subproblem: Subproblem, stack: Stack) -> None:
        conflicts = runner.conflicts(stack)
        if conflicts:
            for conflict in conflicts:
                discarded.append(conflict.justification)
                for name, version in conflict.pins:
                    package = stack.get(name)
                    if package is not None and package.version == version:
                        push(stack.score + stride_headroom, _Entry(subproblem.child((), _key(package))))
            return
        judged = runner.stride(stack)
        if isinstance(judged, NotAcceptable):
            discarded.append(Justification(JustificationType.INFO, f"a stack was discarded: {judged.reason}"))
            partition(subproblem, stack, stack.score)
            return
        push(judged.score, _Entry(subproblem, judged, stack.score))

    def resolve(subproblem: Subproblem) -> Stack | None:
        runner.subproblem = subproblem
        first = session.resolves == 0
        try:
            stack = session.resolve(max_rounds=None if first else SUBPROBLEM_ROUNDS)
        except NoAnswer:
            # This part of the space has no stack (or none within its rounds): set it aside.
            # Anything else - a unit's bug, the index failing - ends the run as it would the first.
            if first:
                raise
            return None
        return runner.annotate(stack)

    try:
        info = runner.start()
        stack = resolve(Subproblem())
        assert stack is not None
        evaluate(Subproblem(), stack)
        while queue and len(found) < count:
            *_, entry = heapq.heappop(queue)
            if entry.stack is not None:
                identity = tuple(_key(p) for p in entry.stack.packages)
                if identity not in seen:
                    seen.add(identity)
                    found.append(entry.stack)
                if len(found) < count:
                    partition(entry.subproblem, entry.stack, entry.steps_score)
                continue
            if session.resolves >= limit:
                limit_reached = True
                break
            resolved = resolve(entry.subproblem)
            if resolved is not None:
                evaluate(entry.subproblem, resolved)
    except EagerStopPipeline as exc:
        stopped = exc.reason
    if not found:
        reasons = (
            "; ".join(dict.fromkeys(j.message for j in discarded)) or stopped or "no stack was acceptable"
        )
        raise NoAnswer(
            f"no acceptable stack within {session.resolves} resolves: {reasons}",
            fix="raise --limit, relax the requirements, or choose another recommendation type",
        )
    kept: list[FoundStack] = []
    rules = tuple(dict.fromkeys(discarded))
    for stack in sorted(found, key=lambda s: -s.score):
        with_info = _with_info(stack, (*info, *rules))
        advice: tuple[WrapAdvice, ...] = ()
        if stopped is None:
            try:
                with_info, advice = runner.wrap(with_info)
            except EagerStopPipeline as exc:
                stopped = exc.reason
        kept.append(FoundStack(with_info, advice))
    return SearchResult(
        stacks=tuple(kept),
        resolves=session.resolves,
        limit_reached=limit_reached,
        stopped=stopped,
        stack_info=info,
        discarded=rules,
    )


def _with_info(stack: Stack, info: tuple[Justification, ...]) -> Stack:
    from dataclasses import replace

    return replace(stack, justifications=(*info, *stack.justifications))


def _key(package: PinnedPackage) -> CandidateKey:
    return (package.name, package.version, package.index.name)


def _slot(runner: PipelineRunner, package: PinnedPackage) -> NormalizedName:
    return runner.slots.get(_key(package), package.name)


def _bounds(stack: Stack, package: PinnedPackage) -> list[SpecifierSet]:
    """What the stack's packages (and the project) require of `package`: an alternative outside
    them would only be reached by changing those packages too."""
    bounds = []
    for edge in stack.dependents_of(package.name):
        try:
            bounds.append(PackagingRequirement(edge.requirement).specifier)
        except InvalidRequirement:
            continue
    return bounds


def _partition_order(stack: Stack) -> list[PinnedPackage]:
    """Direct dependencies first (their alternatives matter most to a user), then by name."""
    return sorted(stack.packages, key=lambda p: (not p.direct, p.name))
