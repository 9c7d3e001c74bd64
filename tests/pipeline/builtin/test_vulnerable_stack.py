"""The `vulnerable-stack` stride lowers a stack's score for each known vulnerability among its pins."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.pipeline.builtin.vulnerable_stack import VulnerableStackStride
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.stack import Justification, JustificationType

FLASK = Advisory(
    id="PYSEC-2023-62",
    package=canonicalize_name("Flask"),
    summary="session cookie disclosed",
    aliases=("CVE-2023-30861",),
    fixed=(Version("2.3.2"),),
)
FLASK_TOO = Advisory(id="GHSA-aaaa-bbbb-cccc", package=canonicalize_name("Flask"))
JINJA = Advisory(id="GHSA-h5c8-rqwp-cp95", package=canonicalize_name("Jinja2"), fixed=(Version("3.1.3"),))


@pytest.mark.parametrize(
    ("recommendation_type", "included"),
    [
        (RecommendationType.STABLE, True),
        (RecommendationType.PERFORMANCE, True),
        (RecommendationType.SECURITY, True),
        (RecommendationType.LATEST, False),
        (RecommendationType.TESTING, False),
    ],
)
def test_included_for_stable_performance_and_security(
    make: Make, recommendation_type: RecommendationType, included: bool
) -> None:
    expected: list[dict[str, object]] = [{}] if included else []
    assert list(VulnerableStackStride.should_include(make.builder(recommendation_type))) == expected


def test_a_stack_without_known_vulnerabilities_gets_no_opinion(make: Make) -> None:
    known = make.advisories((FLASK, ["2.3.1"]))
    stride = make.started(VulnerableStackStride(), advisories=known)
    assert stride.run(make.stack(("Flask", "2.3.2"), ("Jinja2", "3.1.4"))) is None


def test_each_vulnerability_lowers_the_score_with_a_warning_naming_package_version_and_advisory(
    make: Make,
) -> None:
    known = make.advisories((FLASK, ["2.3.1"]), (FLASK_TOO, ["2.3.1"]), (JINJA, ["3.1.2"]))
    stride = make.started(VulnerableStackStride(), RecommendationType.STABLE, advisories=known)
    result = stride.run(make.stack(("Flask", "2.3.1"), ("Jinja2", "3.1.2"), ("click", "8.1.7")))
    assert result is not None
    assert result.score == pytest.approx(-0.6)
    assert result.justifications == (
        Justification(
            type=JustificationType.WARNING,
            message=(
                "Flask 2.3.1 has a known vulnerability PYSEC-2023-62 (CVE-2023-30861): "
                "session cookie disclosed; fixed in 2.3.2"
            ),
            link="https://osv.dev/vulnerability/PYSEC-2023-62",
            package="Flask",
            version="2.3.1",
            unit="vulnerable-stack",
        ),
        Justification(
            type=JustificationType.WARNING,
            message="Flask 2.3.1 has a known vulnerability GHSA-aaaa-bbbb-cccc; no fixed release yet",
            link="https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
            package="Flask",
            version="2.3.1",
            unit="vulnerable-stack",
        ),
        Justification(
            type=JustificationType.WARNING,
            message="Jinja2 3.1.2 has a known vulnerability GHSA-h5c8-rqwp-cp95; fixed in 3.1.3",
            link="https://osv.dev/vulnerability/GHSA-h5c8-rqwp-cp95",
            package="Jinja2",
            version="3.1.2",
            unit="vulnerable-stack",
        ),
    )


def test_the_score_is_clamped_to_minus_one(make: Make) -> None:
    known = make.advisories((FLASK, ["2.3.1"]), (FLASK_TOO, ["2.3.1"]), (JINJA, ["3.1.2"]))
    stride = make.started(VulnerableStackStride({"penalization": 0.5}), advisories=known)
    result = stride.run(make.stack(("Flask", "2.3.1"), ("Jinja2", "3.1.2")))
    assert result is not None
    assert result.score == -1.0


@pytest.mark.parametrize("penalization", [-0.2, 1.2])
def test_a_penalization_outside_zero_to_one_is_refused(penalization: float) -> None:
    with pytest.raises(ConfigError) as raised:
        VulnerableStackStride({"penalization": penalization})
    assert str(raised.value) == (
        "<pipeline> [vulnerable-stack]: unit 'vulnerable-stack': penalization must be a number from 0 to 1, "
        f"not {penalization}\n"
        "  fix: give penalization a value like its default, 0.2"
    )
