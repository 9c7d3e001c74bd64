"""The `yanked` step warns about a yanked release the project pins exactly, without scoring it."""

from __future__ import annotations

import pytest

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError
from thoth_cli.pipeline.builtin.yanked import YankedStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Scored
from thoth_cli.stack import Justification, JustificationType


@pytest.mark.parametrize("recommendation_type", list(RecommendationType))
def test_included_for_every_recommendation_type(make: Make, recommendation_type: RecommendationType) -> None:
    assert list(YankedStep.should_include(make.builder(recommendation_type))) == [{}]


def test_a_release_that_is_not_yanked_gets_no_opinion(make: Make) -> None:
    step = make.started(YankedStep())
    assert step.run(make.candidate("Flask", "2.0.0")) is None


def test_a_yanked_release_is_used_with_a_warning_naming_the_reason(make: Make) -> None:
    step = make.started(YankedStep())
    result = step.run(make.candidate("Flask", "2.0.0", yanked_reason="broken wheel on Windows"))
    assert result == Scored(
        0.0,
        (
            Justification(
                type=JustificationType.WARNING,
                message=(
                    "yanked by its authors: broken wheel on Windows; used only because it is pinned exactly"
                ),
                link="https://peps.python.org/pep-0592/",
                package="Flask",
                version="2.0.0",
                unit="yanked",
            ),
        ),
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_yanked_release_without_a_reason_says_none_was_given(make: Make, reason: str | None) -> None:
    step = make.started(YankedStep())
    result = step.run(make.candidate("Flask", "2.0.0", yanked=True, yanked_reason=reason))
    assert result is not None
    assert [j.message for j in result.justifications] == [
        "yanked by its authors (no reason given); used only because it is pinned exactly"
    ]


def test_never_reorders_releases() -> None:
    assert YankedStep.reorders is False


def test_takes_no_configuration() -> None:
    with pytest.raises(ConfigError) as raised:
        YankedStep({"penalty": -0.5})
    assert raised.value.message == (
        "<pipeline> [yanked]: unit 'yanked' has no configuration key 'penalty' (it has: none)"
    )
