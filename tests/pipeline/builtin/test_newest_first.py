"""The `newest-first` step scores a release by the final releases newer than it."""

from __future__ import annotations

import pytest

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError
from thoth_cli.pipeline.builtin.newest_first import NewestFirstStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Scored
from thoth_cli.stack import Justification, JustificationType

OFFERED = {"requests": ["3.0", "3.0rc1", "2.1", "2.0+local", "2.0", "2.0rc2", "1.0"]}


@pytest.mark.parametrize("recommendation_type", list(RecommendationType))
def test_included_for_every_recommendation_type(make: Make, recommendation_type: RecommendationType) -> None:
    assert list(NewestFirstStep.should_include(make.builder(recommendation_type))) == [{}]


def test_the_newest_final_release_scores_zero_without_a_justification(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions=OFFERED)
    assert step.run(make.candidate("requests", "3.0")) == Scored(0.0)


def test_each_newer_final_release_costs_the_weight_of_what_is_left(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions=OFFERED)
    result = step.run(make.candidate("requests", "2.0"))
    assert result is not None
    assert result.score == pytest.approx(-0.19)
    assert result == Scored(
        result.score,
        (
            Justification(
                type=JustificationType.INFO,
                message="2 newer releases exist (the newest is 3.0)",
                link="https://pip.pypa.io/en/stable/topics/dependency-resolution/",
                package="requests",
                version="2.0",
                unit="newest-first",
            ),
        ),
    )


def test_one_newer_release_is_said_in_the_singular(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions=OFFERED)
    result = step.run(make.candidate("requests", "2.1"))
    assert result is not None
    assert result.score == pytest.approx(-0.1)
    assert [j.message for j in result.justifications] == ["1 newer release exists (the newest is 3.0)"]


def test_newer_pre_releases_do_not_count(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions={"numpy": ["2.0rc1", "2.0.dev3", "1.26"]})
    assert step.run(make.candidate("numpy", "1.26")) == Scored(0.0)


def test_other_builds_of_the_same_release_do_not_count(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions={"torch": ["2.3+cu121", "2.3+cpu", "2.3", "2.2"]})
    assert step.run(make.candidate("torch", "2.3")) == Scored(0.0)
    assert step.run(make.candidate("torch", "2.3+cpu")) == Scored(0.0)
    result = step.run(make.candidate("torch", "2.2"))
    assert result is not None
    assert [j.message for j in result.justifications] == ["1 newer release exists (the newest is 2.3)"]


def test_a_post_release_is_a_newer_final_release(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions={"attrs": ["23.1.post1", "23.1"]})
    result = step.run(make.candidate("attrs", "23.1"))
    assert result is not None
    assert [j.message for j in result.justifications] == ["1 newer release exists (the newest is 23.1.post1)"]


def test_a_pre_release_is_ranked_among_the_final_releases(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions=OFFERED)
    candidate = step.run(make.candidate("requests", "3.0rc1"))
    assert candidate is not None
    assert [j.message for j in candidate.justifications] == ["1 newer release exists (the newest is 3.0)"]
    # 2.0 counts once against its own release candidate, whatever its local builds.
    result = step.run(make.candidate("requests", "2.0rc2"))
    assert result is not None
    assert result.score == pytest.approx(-(1 - 0.9**3))


def test_the_score_keeps_falling_with_every_newer_release_and_stays_above_minus_one(make: Make) -> None:
    offered = {"django": [f"{major}.0" for major in range(10, 0, -1)]}
    step = make.started(NewestFirstStep({"weight": 0.25}), versions=offered)
    scores = [step.run(make.candidate("django", f"{major}.0")) for major in range(10, 0, -1)]
    values = [0.0 if s is None else s.score for s in scores]
    assert values == sorted(values, reverse=True) and len(set(values)) == 10
    result = step.run(make.candidate("django", "1.0"))
    assert result is not None
    assert -1.0 < result.score == pytest.approx(-(1 - 0.75**9))
    assert [j.message for j in result.justifications] == ["9 newer releases exist (the newest is 10.0)"]


def test_a_package_the_index_lists_no_versions_of_scores_zero(make: Make) -> None:
    step = make.started(NewestFirstStep(), versions={})
    assert step.run(make.candidate("requests", "2.0")) == Scored(0.0)


def test_never_reorders_releases() -> None:
    assert NewestFirstStep.reorders is False


def test_a_whole_number_weight_is_taken_as_a_float() -> None:
    assert NewestFirstStep({"weight": 1}).configuration["weight"] == 1.0


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (1.5, "weight must be a number from 0 to 1, not 1.5"),
        (-0.1, "weight must be a number from 0 to 1, not -0.1"),
        (None, "weight must be a number from 0 to 1, not None"),
        ("high", "weight must be a number, not 'high'"),
    ],
)
def test_a_weight_outside_zero_to_one_is_refused(weight: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        NewestFirstStep({"weight": weight})
    assert raised.value.message == f"<pipeline> [newest-first]: unit 'newest-first': {message}"
    assert raised.value.fix == "give weight a value like its default, 0.1"
