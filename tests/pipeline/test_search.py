"""The search for the best stacks: --count best first within --limit resolves, stack rules, early stops."""

from __future__ import annotations

from typing import ClassVar

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.indexserver import IndexServerFactory, Universe
from tests.pipeline.conftest import NOW, AdviseIn, pins, stacks_of
from tests.pipeline.sample_units import LINK, ApartStep, ExplodingStep, RefuseStride, StopStride
from thoth_cli.adviser import Advice, Recommendation
from thoth_cli.errors import ExitCode, NoAnswer, UnitError
from thoth_cli.knowledge.advisories import Advisory, StaticAdvisories
from thoth_cli.pipeline.builtin import NewestFirstStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.report import Report
from thoth_cli.pipeline.search import DEFAULT_LIMIT
from thoth_cli.pipeline.units import Configuration
from thoth_cli.stack import Justification, JustificationType

UNIVERSE = """\
a 1.0 2.0 3.0: b
b 1.0 2.0
c 1.0 1.1 1.2
"""


def latest(count: int = 1, limit: int = DEFAULT_LIMIT, pipeline: Pipeline | None = None) -> Recommendation:
    return Recommendation(count=count, limit=limit, pipeline=pipeline, now=NOW)


def scores(advice: Advice) -> list[float]:
    assert advice.search is not None
    return [round(found.stack.score, 6) for found in advice.search.stacks]


def report_json(advice: Advice) -> str:
    assert advice.search is not None and advice.units is not None
    return Report(
        advice.request.recommendation.type, advice.request.target.as_dict(), advice.search, advice.units
    ).to_json()


# --count and --limit ---------------------------------------------------------------------------


def test_count_3_gives_three_distinct_stacks_best_first_one_resolve_each(advise_in: AdviseIn) -> None:
    advice = advise_in(UNIVERSE, ["a", "c"], recommendation=latest(count=3))
    assert stacks_of(advice) == [
        {"a": "3.0", "b": "2.0", "c": "1.2"},
        {"a": "2.0", "b": "2.0", "c": "1.2"},
        {"a": "3.0", "b": "2.0", "c": "1.1"},
    ]
    assert scores(advice) == [0.0, -0.1, -0.1]
    assert advice.search is not None
    assert advice.search.resolves == 3
    assert not advice.search.limit_reached
    # The lock holds the best stack.
    assert pins(advice.resolution.stack) == {"a": "3.0", "b": "2.0", "c": "1.2"}


def test_the_search_is_deterministic(advise_in: AdviseIn, index_server: IndexServerFactory) -> None:
    server = index_server(UNIVERSE)
    first = advise_in(server, ["a", "c"], recommendation=latest(count=3))
    second = advise_in(server, ["a", "c"], recommendation=latest(count=3))
    assert stacks_of(first) == stacks_of(second)
    assert report_json(first) == report_json(second)


@pytest.mark.parametrize(("limit", "found"), [(1, 1), (2, 2)])
def test_the_limit_bounds_the_resolves_spent(advise_in: AdviseIn, limit: int, found: int) -> None:
    advice = advise_in(UNIVERSE, ["a", "c"], recommendation=latest(count=3, limit=limit))
    assert advice.search is not None
    assert len(advice.search.stacks) == found
    assert advice.search.resolves == limit
    assert advice.search.limit_reached
    assert stacks_of(advice)[0] == {"a": "3.0", "b": "2.0", "c": "1.2"}


def test_fewer_stacks_than_asked_for_when_the_space_has_no_more(advise_in: AdviseIn) -> None:
    advice = advise_in("a 1.0 2.0", ["a"], recommendation=latest(count=5))
    assert stacks_of(advice) == [{"a": "2.0"}, {"a": "1.0"}]
    assert advice.search is not None
    assert not advice.search.limit_reached


# Stack rules -----------------------------------------------------------------------------------

APART = """\
c 1.0
c 2.0: a
d 1.0: b
a 1.0
b 1.0
"""
"""c 2.0 brings `a`, d brings `b`: the greedy stack holds both."""

RULE = Justification(
    JustificationType.WARNING, "a and b must not be installed together", link=LINK, unit="apart"
)


def test_a_stack_rule_steers_the_resolver_to_another_valid_stack(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(ApartStep, {"first": "a", "second": "b"}), (NewestFirstStep, None)])
    advice = advise_in(APART, ["c", "d"], recommendation=latest(pipeline=pipeline))
    assert advice.search is not None
    stack = advice.search.stacks[0].stack
    # c 2.0 would bring a; c 1.0 does not. Forbidding b instead leaves d nothing to install.
    assert pins(stack) == {"b": "1.0", "c": "1.0", "d": "1.0"}
    assert stack.score == pytest.approx(-0.1)
    assert stack.justifications == (RULE,)
    assert advice.search.discarded == (RULE,)
    assert advice.search.resolves == 3


def test_a_stack_rule_no_stack_can_keep_is_no_answer(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(ApartStep, {"first": "a", "second": "b"})])
    with pytest.raises(NoAnswer) as caught:
        advise_in(APART, ["a", "b"], recommendation=latest(pipeline=pipeline))
    assert str(caught.value) == (
        "no acceptable stack within 3 resolves: a and b must not be installed together\n"
        "  fix: raise --limit, relax the requirements, or choose another recommendation type"
    )
    assert caught.value.exit_code is ExitCode.NO


# Strides discarding stacks, units stopping the search ------------------------------------------


def test_a_stride_discarding_every_stack_is_no_answer_with_its_reasons(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(strides=[(RefuseStride, {"package_name": "a", "versions": ">=0"})])
    with pytest.raises(NoAnswer) as caught:
        advise_in("a 1.0 2.0", ["a"], recommendation=latest(pipeline=pipeline))
    assert str(caught.value) == (
        "no acceptable stack within 3 resolves: a stack was discarded: a 2.0 is refused; "
        "a stack was discarded: a 1.0 is refused\n"
        "  fix: raise --limit, relax the requirements, or choose another recommendation type"
    )


def test_an_eager_stop_keeps_the_stacks_found(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(NewestFirstStep, None)], strides=[(StopStride, {"after": 2})])
    advice = advise_in(UNIVERSE, ["a", "c"], recommendation=latest(count=3, pipeline=pipeline))
    assert advice.search is not None
    assert advice.search.stopped == "enough after 2 stacks"
    assert stacks_of(advice) == [
        {"a": "3.0", "b": "2.0", "c": "1.2"},
        {"a": "2.0", "b": "2.0", "c": "1.2"},
    ]
    assert not advice.search.limit_reached


def test_an_eager_stop_before_any_stack_is_no_answer(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(strides=[(StopStride, {"after": 0})])
    with pytest.raises(NoAnswer) as caught:
        advise_in("a 1.0", ["a"], recommendation=latest(pipeline=pipeline))
    assert str(caught.value) == (
        "no acceptable stack within 1 resolves: enough after 0 stacks\n"
        "  fix: raise --limit, relax the requirements, or choose another recommendation type"
    )


def test_a_failing_first_resolve_is_explained_not_searched_around(advise_in: AdviseIn) -> None:
    with pytest.raises(NoAnswer) as caught:
        advise_in(Universe.parse("a 1.0: b>=2\nb 1.0"), ["a"], recommendation=latest(count=3))
    assert str(caught.value).startswith("no set of versions satisfies the requirements on ")


class _ExplodesOnOne(ExplodingStep):
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": ""}


def test_a_unit_failing_in_a_later_resolve_ends_the_run_naming_it(advise_in: AdviseIn) -> None:
    # Only the older `a` needs `old`: the step's bug shows in the second resolve, not the first.
    pipeline = Pipeline(steps=[(NewestFirstStep, None), (_ExplodesOnOne, {"package_name": "old"})])
    with pytest.raises(UnitError) as caught:
        advise_in("a 1.0: old\na 2.0\nold 1.0", ["a"], recommendation=latest(count=2, pipeline=pipeline))
    assert (caught.value.unit, caught.value.package) == ("explodes[old]", "old")


def test_security_keeps_a_vulnerable_release_a_dependency_bounds_and_warns(advise_in: AdviseIn) -> None:
    # `app` allows only dep<2: the fixed dep 2.0 is out of reach, so 1.0 stays, with its reason.
    advisory = Advisory("PYSEC-0000-1", canonicalize_name("dep"), "a flaw", fixed=(Version("2.0"),))
    advice = advise_in(
        "app 1.0: dep<2\ndep 1.0 2.0",
        ["app"],
        recommendation=Recommendation(
            type=RecommendationType.SECURITY, advisories=StaticAdvisories.of([(advisory, ["1.0"])]), now=NOW
        ),
    )
    stack = advice.resolution.stack
    assert pins(stack) == {"app": "1.0", "dep": "1.0"}
    dep = stack.get("dep")
    assert dep is not None
    assert any(
        j.message.startswith("kept although known vulnerable: PYSEC-0000-1") for j in dep.justifications
    )
