"""The `binary-wheel` step penalises releases that would be built from source on the target."""

from __future__ import annotations

import pytest

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError
from thoth_cli.pipeline.builtin.binary_wheel import BinaryWheelStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Scored
from thoth_cli.stack import Justification, JustificationType


@pytest.mark.parametrize(
    ("recommendation_type", "included"),
    [
        (RecommendationType.STABLE, True),
        (RecommendationType.PERFORMANCE, True),
        (RecommendationType.LATEST, False),
        (RecommendationType.TESTING, False),
        (RecommendationType.SECURITY, False),
    ],
)
def test_included_for_stable_and_performance(
    make: Make, recommendation_type: RecommendationType, included: bool
) -> None:
    expected: list[dict[str, object]] = [{}] if included else []
    assert list(BinaryWheelStep.should_include(make.builder(recommendation_type))) == expected


def test_a_release_with_a_wheel_for_the_target_gets_no_opinion(make: Make) -> None:
    step = make.started(BinaryWheelStep())
    candidate = make.candidate("lxml", "5.2.0", make.wheel("lxml", "5.2.0"), make.sdist("lxml", "5.2.0"))
    assert step.run(candidate) is None


def test_a_release_only_an_sdist_brings_is_penalised_with_a_warning(make: Make) -> None:
    step = make.started(BinaryWheelStep())
    assert step.run(make.candidate("lxml", "5.2.0", make.sdist("lxml", "5.2.0"))) == Scored(
        -0.5,
        (
            Justification(
                type=JustificationType.WARNING,
                message=(
                    "no wheel fits CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64: "
                    "it would be built from source (lxml-5.2.0.tar.gz) on install"
                ),
                link="https://packaging.python.org/en/latest/discussions/package-formats/",
                package="lxml",
                version="5.2.0",
                unit="binary-wheel",
            ),
        ),
    )


def test_the_penalty_is_configurable(make: Make) -> None:
    step = make.started(BinaryWheelStep({"penalty": -1}))
    result = step.run(make.candidate("lxml", "5.2.0", make.sdist("lxml", "5.2.0")))
    assert result is not None
    assert result.score == -1.0


def test_a_positive_penalty_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        BinaryWheelStep({"penalty": 0.5})
    assert str(raised.value) == (
        "<pipeline> [binary-wheel]: unit 'binary-wheel': penalty must be a number from -1 to 0, not 0.5\n"
        "  fix: give penalty a value like its default, -0.5"
    )
