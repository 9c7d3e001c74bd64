"""The `vulnerabilities` step penalises releases with known advisories, or removes them for security."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.pipeline.builtin.vulnerabilities import VulnerabilitiesStep
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import NotAcceptable
from thoth_cli.stack import Justification, JustificationType

RCE = Advisory(
    id="PYSEC-2023-62",
    package=canonicalize_name("Flask"),
    summary="session cookie disclosed to a caching proxy",
    aliases=("CVE-2023-30861", "GHSA-m2qf-hxjv-5gpq"),
    fixed=(Version("2.3.2"), Version("2.2.5")),
)
NO_FIX = Advisory(
    id="GHSA-0000-1111-2222",
    package=canonicalize_name("Flask"),
    link="https://github.com/advisories/GHSA-0000-1111-2222",
)


@pytest.mark.parametrize(
    ("recommendation_type", "configurations"),
    [
        (RecommendationType.STABLE, [{"action": "penalise"}]),
        (RecommendationType.PERFORMANCE, [{"action": "penalise"}]),
        (RecommendationType.SECURITY, [{"action": "remove"}]),
        (RecommendationType.LATEST, []),
        (RecommendationType.TESTING, []),
    ],
)
def test_penalises_for_stable_and_performance_and_removes_for_security(
    make: Make, recommendation_type: RecommendationType, configurations: list[dict[str, str]]
) -> None:
    assert list(VulnerabilitiesStep.should_include(make.builder(recommendation_type))) == configurations


def test_a_release_without_advisories_gets_no_opinion(make: Make) -> None:
    known = make.advisories((RCE, ["2.2.4", "2.3.1"]), (NO_FIX, ["2.3.1"]))
    step = make.started(VulnerabilitiesStep(), advisories=known)
    assert step.run(make.candidate("Flask", "2.3.2")) is None
    assert step.run(make.candidate("Django", "2.3.1")) is None


def test_penalises_each_advisory_with_a_warning_naming_ids_summary_fix_and_page(make: Make) -> None:
    known = make.advisories((RCE, ["2.2.4", "2.3.1"]), (NO_FIX, ["2.3.1"]))
    step = make.started(VulnerabilitiesStep({"penalty": -0.3}), advisories=known)
    result = step.run(make.candidate("Flask", "2.3.1"))
    assert result is not None
    assert result.score == pytest.approx(-0.6)
    assert result.justifications == (
        Justification(
            type=JustificationType.WARNING,
            message=(
                "known vulnerability PYSEC-2023-62 (CVE-2023-30861, GHSA-m2qf-hxjv-5gpq): session cookie "
                "disclosed to a caching proxy; fixed in 2.2.5, 2.3.2"
            ),
            link="https://osv.dev/vulnerability/PYSEC-2023-62",
            package="Flask",
            version="2.3.1",
            unit="vulnerabilities",
        ),
        Justification(
            type=JustificationType.WARNING,
            message="known vulnerability GHSA-0000-1111-2222; no fixed release yet",
            link="https://github.com/advisories/GHSA-0000-1111-2222",
            package="Flask",
            version="2.3.1",
            unit="vulnerabilities",
        ),
    )


def test_the_penalty_is_clamped_to_minus_one(make: Make) -> None:
    known = make.advisories((RCE, ["2.3.1"]), (NO_FIX, ["2.3.1"]))
    step = make.started(VulnerabilitiesStep({"penalty": -0.8}), advisories=known)
    result = step.run(make.candidate("Flask", "2.3.1"))
    assert result is not None
    assert result.score == -1.0
    assert len(result.justifications) == 2


def test_security_rejects_a_vulnerable_release_naming_the_advisories_and_their_fixes(make: Make) -> None:
    known = make.advisories((RCE, ["2.2.4", "2.3.1"]), (NO_FIX, ["2.3.1"]))
    step = make.started(
        VulnerabilitiesStep({"action": "remove"}), RecommendationType.SECURITY, advisories=known
    )
    with pytest.raises(NotAcceptable) as raised:
        step.run(make.candidate("Flask", "2.3.1"))
    assert raised.value.reason == (
        "known vulnerable: PYSEC-2023-62 (CVE-2023-30861, GHSA-m2qf-hxjv-5gpq), fixed in 2.2.5, 2.3.2; "
        "GHSA-0000-1111-2222, no fixed release yet"
    )
    assert raised.value.link == "https://osv.dev/vulnerability/PYSEC-2023-62"
    assert step.run(make.candidate("Flask", "2.3.2")) is None


def test_when_every_release_is_vulnerable_the_run_keeps_them_by_default() -> None:
    assert VulnerabilitiesStep({"action": "remove"}).when_empty == "warn"
    assert VulnerabilitiesStep({"action": "remove", "when_empty": "fail"}).when_empty == "fail"


@pytest.mark.parametrize(
    ("configuration", "problem"),
    [
        ({"action": "delete"}, ": action must be 'penalise' or 'remove', not 'delete'"),
        ({"penalty": 0.2}, ": penalty must be a number from -1 to 0, not 0.2"),
        ({"when_empty": "maybe"}, ": when_empty must be 'fail' or 'warn', not 'maybe'"),
        ({"severity": "high"}, " has no configuration key 'severity' (it has: action, penalty, when_empty)"),
    ],
)
def test_bad_configuration_is_refused(configuration: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        VulnerabilitiesStep(configuration)
    assert raised.value.message == f"<pipeline> [vulnerabilities]: unit 'vulnerabilities'{problem}"
