"""The `release-age` step penalises young releases for stable and welcomes them for testing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.pipeline.builtin.conftest import NOW, Make
from thoth_cli.errors import ConfigError
from thoth_cli.index.model import DistributionFile
from thoth_cli.pipeline.builtin.release_age import ReleaseAgeStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Scored
from thoth_cli.stack import Justification, JustificationType

LINK = "https://docs.renovatebot.com/configuration-options/#minimumreleaseage"


@pytest.mark.parametrize(
    ("recommendation_type", "configurations"),
    [
        (RecommendationType.STABLE, [{"mode": "penalise"}]),
        (RecommendationType.TESTING, [{"mode": "welcome"}]),
        (RecommendationType.LATEST, []),
        (RecommendationType.SECURITY, []),
        (RecommendationType.PERFORMANCE, []),
    ],
)
def test_included_to_penalise_for_stable_and_to_welcome_for_testing(
    make: Make, recommendation_type: RecommendationType, configurations: list[dict[str, str]]
) -> None:
    assert list(ReleaseAgeStep.should_include(make.builder(recommendation_type))) == configurations


def test_stable_penalises_a_release_whose_newest_file_is_young(make: Make) -> None:
    step = make.started(ReleaseAgeStep({"mode": "penalise"}), RecommendationType.STABLE)
    wheel = make.wheel("pandas", "2.2.0", days_old=2.5)
    candidate = make.candidate("pandas", "2.2.0", wheel, make.sdist("pandas", "2.2.0", days_old=20))
    assert step.run(candidate) == Scored(
        -1.0,
        (
            Justification(
                type=JustificationType.WARNING,
                message="released 2 days ago (younger than 7 days)",
                link=LINK,
                package="pandas",
                version="2.2.0",
                unit="release-age",
            ),
        ),
    )


def test_testing_welcomes_a_young_release(make: Make) -> None:
    step = make.started(ReleaseAgeStep({"mode": "welcome"}), RecommendationType.TESTING)
    candidate = make.candidate("pandas", "2.2.0", make.wheel("pandas", "2.2.0", days_old=3))
    assert step.run(candidate) == Scored(
        0.3,
        (
            Justification(
                type=JustificationType.INFO,
                message="released 3 days ago (younger than 7 days): fresh releases are welcome when testing",
                link=LINK,
                package="pandas",
                version="2.2.0",
                unit="release-age",
            ),
        ),
    )


@pytest.mark.parametrize("mode", ["penalise", "welcome"])
@pytest.mark.parametrize("days_old", [7, 8, 400])
def test_a_release_at_least_days_old_gets_no_opinion(make: Make, mode: str, days_old: int) -> None:
    step = make.started(ReleaseAgeStep({"mode": mode}))
    wheel = make.wheel("pandas", "2.2.0", days_old=days_old)
    assert step.run(make.candidate("pandas", "2.2.0", wheel)) is None


@pytest.mark.parametrize(
    ("days_old", "message"),
    [
        (0.1, "released today (younger than 7 days)"),
        (-1, "released today (younger than 7 days)"),
        (1.2, "released 1 day ago (younger than 7 days)"),
        (6.9, "released 6 days ago (younger than 7 days)"),
    ],
)
def test_the_age_is_said_in_whole_days(make: Make, days_old: float, message: str) -> None:
    step = make.started(ReleaseAgeStep())
    result = step.run(make.candidate("pandas", "2.2.0", make.wheel("pandas", "2.2.0", days_old=days_old)))
    assert result is not None
    assert [j.message for j in result.justifications] == [message]


def test_files_without_an_upload_time_give_no_opinion(make: Make) -> None:
    step = make.started(ReleaseAgeStep())
    assert step.run(make.candidate("pandas", "2.2.0", make.wheel("pandas", "2.2.0"))) is None


def test_files_without_an_upload_time_do_not_hide_one_with_it(make: Make) -> None:
    step = make.started(ReleaseAgeStep())
    candidate = make.candidate(
        "pandas", "2.2.0", make.wheel("pandas", "2.2.0"), make.sdist("pandas", "2.2.0", days_old=1)
    )
    result = step.run(candidate)
    assert result is not None
    assert result.score == -1.0


def test_an_upload_time_without_a_zone_is_read_as_utc(make: Make) -> None:
    step = make.started(ReleaseAgeStep())
    naive = (NOW - timedelta(days=2)).replace(tzinfo=None)
    filename = "pandas-2.2.0-py3-none-any.whl"
    wheel = DistributionFile(filename, f"https://files.example/{filename}", "pypi", upload_time=naive)
    result = step.run(make.candidate("pandas", "2.2.0", wheel))
    assert result is not None
    assert [j.message for j in result.justifications] == ["released 2 days ago (younger than 7 days)"]


def test_days_penalty_and_bonus_are_configurable(make: Make) -> None:
    penalise = make.started(ReleaseAgeStep({"days": 30, "penalty": -0.8}))
    welcome = make.started(ReleaseAgeStep({"days": 1, "mode": "welcome", "bonus": 1}))
    ten_days = make.candidate("pandas", "2.2.0", make.wheel("pandas", "2.2.0", days_old=10))
    result = penalise.run(ten_days)
    assert result is not None
    assert result.score == -0.8
    assert [j.message for j in result.justifications] == ["released 10 days ago (younger than 30 days)"]
    assert welcome.run(ten_days) is None
    fresh = welcome.run(make.candidate("pandas", "2.2.0", make.wheel("pandas", "2.2.0", days_old=0.5)))
    assert fresh is not None
    assert fresh.score == 1.0
    assert [j.message for j in fresh.justifications] == [
        "released today (younger than 1 day): fresh releases are welcome when testing"
    ]


@pytest.mark.parametrize(
    ("key", "value", "problem", "default"),
    [
        ("mode", "punish", "must be 'penalise' or 'welcome', not 'punish'", "'penalise'"),
        ("days", 0, "must be a whole number of at least 1, not 0", "7"),
        ("penalty", 0.5, "must be a number from -1 to 0, not 0.5", "-1.0"),
        ("bonus", -0.1, "must be a number from 0 to 1, not -0.1", "0.3"),
        ("bonus", 2, "must be a number from 0 to 1, not 2.0", "0.3"),
    ],
)
def test_values_out_of_range_are_refused(key: str, value: object, problem: str, default: str) -> None:
    with pytest.raises(ConfigError) as raised:
        ReleaseAgeStep({key: value})
    assert str(raised.value) == (
        f"<pipeline> [release-age]: unit 'release-age': {key} {problem}\n"
        f"  fix: give {key} a value like its default, {default}"
    )
