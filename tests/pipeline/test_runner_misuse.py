"""Units raising what their type may not raise, and pseudonyms filling two slots with one package.

Fails today (left uncommitted for the lead): these exceptions escape the runner as they are
(not ThothErrors), so the CLI reports "internal error: SkipPackage: ..." without naming the
unit; and a pseudonym's alternative filling one slot while the same package fills another at
another version yields a lock that drops one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.pipeline.conftest import NOW, AdviseIn
from tests.pipeline.sample_units import AlternativePseudonym
from thoth_cli.adviser import Recommendation
from thoth_cli.errors import NoAnswer, ThothError, UnitError
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.units import (
    Alternative,
    Boot,
    EagerStopPipeline,
    NotAcceptable,
    Pseudonym,
    Scored,
    Sieve,
    SkipPackage,
    Step,
    Stride,
    Wrap,
    WrapAdvice,
)
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import Justification, Stack


class SkippingStride(Stride):
    name = "skipping-stride"

    def run(self, stack: Stack) -> Scored | None:
        raise SkipPackage("strides judge stacks, not packages")


class RejectingSieve(Sieve):
    name = "rejecting-sieve"

    def run(self, candidates: Sequence[Candidate]) -> Iterable[Candidate]:
        raise NotAcceptable("sieves remove, they do not reject")


class RejectingWrap(Wrap):
    name = "rejecting-wrap"

    def run(self, stack: Stack) -> WrapAdvice | None:
        raise NotAcceptable("wraps advise, they do not reject")


class RejectingPseudonym(Pseudonym):
    name = "rejecting-pseudonym"

    def run(self, candidate: Candidate) -> Iterable[Alternative]:
        raise NotAcceptable("pseudonyms offer, they do not reject")


class SkipOldStep(Step):
    name = "skip-old"

    def run(self, candidate: Candidate) -> Scored | None:
        if candidate.version.major < 2:
            raise SkipPackage("old releases come with the system")
        return None


class StoppingBoot(Boot):
    name = "stopping-boot"

    def run(self) -> Iterable[Justification]:
        raise EagerStopPipeline("nothing to search")


class StoppingWrap(Wrap):
    name = "stopping-wrap"

    def run(self, stack: Stack) -> WrapAdvice | None:
        raise EagerStopPipeline("enough advice")


@pytest.mark.parametrize(
    "pipeline",
    [
        Pipeline(strides=[(SkippingStride, None)]),
        Pipeline(sieves=[(RejectingSieve, None)]),
        Pipeline(wraps=[(RejectingWrap, None)]),
        Pipeline(pseudonyms=[(RejectingPseudonym, None)]),
    ],
    ids=["skip-from-stride", "reject-from-sieve", "reject-from-wrap", "reject-from-pseudonym"],
)
def test_an_exception_a_unit_type_may_not_raise_is_a_unit_error_naming_it(
    advise_in: AdviseIn, pipeline: Pipeline
) -> None:
    with pytest.raises(UnitError) as caught:
        advise_in("a 1.0 2.0", ["a"], recommendation=Recommendation(pipeline=pipeline, now=NOW))
    (unit,) = [cls.name for cls, _ in pipeline.all()]
    assert caught.value.unit == unit


def test_skip_package_from_a_step_on_a_later_release_does_not_escape(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(SkipOldStep, None)])
    try:
        advise_in("a 1.0 2.0", ["a"], recommendation=Recommendation(pipeline=pipeline, now=NOW))
    except ThothError as exc:
        assert "skip-old" in str(exc)


def test_an_eager_stop_from_a_boot_is_an_answer_not_a_crash(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(boots=[(StoppingBoot, None)])
    with pytest.raises(NoAnswer) as caught:
        advise_in("a 1.0", ["a"], recommendation=Recommendation(pipeline=pipeline, now=NOW))
    assert "nothing to search" in str(caught.value)


def test_an_eager_stop_from_a_wrap_keeps_the_stacks(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(wraps=[(StoppingWrap, None)])
    advice = advise_in("a 1.0", ["a"], recommendation=Recommendation(pipeline=pipeline, now=NOW))
    assert advice.search is not None
    assert advice.search.stopped == "enough advice"
    assert len(advice.search.stacks) == 1


def test_a_pseudonym_never_leaves_a_requirement_unsatisfied_in_the_lock(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(
        pseudonyms=[(AlternativePseudonym, {"package_name": "tensorflow", "alternative": "tensorflow-cpu"})]
    )
    universe = "tensorflow 2.1.0 2.2.0\ntensorflow-cpu 2.1.0 2.2.0\nx 1.0: tensorflow-cpu<2.2"
    try:
        advice = advise_in(
            universe, ["tensorflow>=2.2", "x"], recommendation=Recommendation(pipeline=pipeline)
        )
    except NoAnswer:
        return
    assert advice.search is not None
    wanted = SpecifierSet(">=2.2")
    for found in advice.search.stacks:
        slot = [p for p in found.stack if p.name in (canonicalize_name("tensorflow"), "tensorflow-cpu")]
        # Today: [tensorflow-cpu 2.1.0] - the tensorflow slot's tensorflow-cpu 2.2.0 was overwritten.
        assert any(wanted.contains(p.version) for p in slot), [(p.name, str(p.version)) for p in slot]
