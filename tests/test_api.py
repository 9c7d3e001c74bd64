"""The Python API: `Adviser(...).compute_using_pipeline(pipeline=...)` returns the report, writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.pipeline.conftest import NOW, TARGET, pins
from tests.pipeline.sample_units import AdviceWrap, OldestFirstStep
from thoth_cli.api import Adviser, Pipeline, RecommendationType, Report
from thoth_cli.errors import UsageError
from thoth_cli.knowledge.advisories import Advisory, StaticAdvisories
from thoth_cli.pipeline.builtin import VulnerableStackStride
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.usage.model import LibraryUsage


def universe() -> Universe:
    """One universe on which each recommendation type chooses differently.

    `fresh` 1.1 was released two days before NOW; `built` 2.0 has only an sdist; `vuln`
    2.0 has a known vulnerability; `lts` 1.9.1 is a backport released yesterday, after 2.0.
    """
    packages = Universe.parse("built 1.0\nvuln 1.0 2.0\nlts 2.0\nfresh 1.0")
    packages.add("fresh", "1.1", upload_time="2024-05-30T00:00:00Z")
    packages.add("built", "2.0", wheels=[])
    packages.add("lts", "1.9.1", upload_time="2024-05-31T00:00:00Z")
    return packages


ADVISORIES = StaticAdvisories.of(
    [(Advisory("PYSEC-2024-7", canonicalize_name("vuln"), summary="bad"), ["2.0"])]
)


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server(universe())


def adviser(tmp_path: Path, server: IndexServer, *lines: str, **options: object) -> Adviser:
    manifest = tmp_path / "requirements.in"
    manifest.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return Adviser(
        manifest=manifest,
        index_url=server.url(),
        cache_dir=tmp_path / "cache",
        target=TARGET,
        # The cut-off is also the moment release ages are measured from.
        policy=ResolutionPolicy(exclude_newer=NOW),
        advisories=ADVISORIES,
        **options,  # type: ignore[arg-type]
    )


def best(report: Report) -> dict[str, str]:
    return pins(report.best.stack)


@pytest.mark.parametrize(
    ("recommendation_type", "chosen"),
    [
        # The newest of everything.
        (RecommendationType.LATEST, {"built": "2.0", "fresh": "1.1", "lts": "2.0", "vuln": "2.0"}),
        # Mature releases with wheels and no known vulnerability.
        (RecommendationType.STABLE, {"built": "1.0", "fresh": "1.0", "lts": "2.0", "vuln": "1.0"}),
        # Fresh releases welcome, the backport included; vulnerabilities only listed.
        (RecommendationType.TESTING, {"built": "2.0", "fresh": "1.1", "lts": "1.9.1", "vuln": "2.0"}),
        # The vulnerable release removed; nothing else minded.
        (RecommendationType.SECURITY, {"built": "2.0", "fresh": "1.1", "lts": "2.0", "vuln": "1.0"}),
        # Wheels and no known vulnerability; age does not matter.
        (RecommendationType.PERFORMANCE, {"built": "1.0", "fresh": "1.1", "lts": "2.0", "vuln": "1.0"}),
    ],
    ids=["latest", "stable", "testing", "security", "performance"],
)
def test_each_recommendation_type_chooses_differently_on_one_universe(
    tmp_path: Path, server: IndexServer, recommendation_type: RecommendationType, chosen: dict[str, str]
) -> None:
    api = adviser(tmp_path, server, "fresh", "built", "vuln", "lts", recommendation_type=recommendation_type)
    report = api.compute()
    assert best(report) == chosen
    assert report.recommendation_type is recommendation_type


def test_the_latest_stack_lists_the_vulnerability_it_keeps(tmp_path: Path, server: IndexServer) -> None:
    report = adviser(tmp_path, server, "vuln").compute()
    assert [(j.type.value, j.message, j.unit) for j in report.best.stack.justifications] == [
        (
            "WARNING",
            "vuln 2.0 has a known vulnerability PYSEC-2024-7: bad; no fixed release yet",
            "vulnerability-report",
        )
    ]
    assert report.best.stack.score == 0.0


def test_compute_using_pipeline_runs_exactly_the_pipeline_given(tmp_path: Path, server: IndexServer) -> None:
    api = adviser(tmp_path, server, "vuln", count=3, limit=10)
    pipeline = Pipeline(
        steps=[(OldestFirstStep, {"weight": 0.2})],
        strides=[(VulnerableStackStride, {"penalization": 0.5})],
        wraps=[(AdviceWrap, None)],
    )
    report = api.compute_using_pipeline(pipeline=pipeline)
    assert [pins(found.stack) for found in report.stacks] == [{"vuln": "1.0"}, {"vuln": "2.0"}]
    assert [round(found.stack.score, 6) for found in report.stacks] == [0.0, -0.7]
    assert [unit.label for unit in report.units.all()] == ["oldest-first", "vulnerable-stack", "advice"]
    assert report.search.resolves == 3
    # Nothing is written: the report holds it all.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "requirements.in"]


def test_compute_using_no_pipeline_is_compute(tmp_path: Path, server: IndexServer) -> None:
    api = adviser(tmp_path, server, "fresh", recommendation_type=RecommendationType.STABLE)
    assert api.compute_using_pipeline().to_json() == api.compute().to_json()


def test_blocked_units_stay_out(tmp_path: Path, server: IndexServer) -> None:
    api = adviser(tmp_path, server, "fresh", recommendation_type=RecommendationType.STABLE)
    report = api.compute(blocked=["release-age"])
    assert best(report) == {"fresh": "1.1"}
    assert "release-age" not in [unit.name for unit in report.units.all()]
    with pytest.raises(UsageError):
        api.compute(blocked=["release-ages"])


def test_library_usage_lets_the_usage_gated_sieve_join(
    tmp_path: Path, index_server: IndexServerFactory
) -> None:
    server = index_server("tensorflow 1.15.0 2.0.0")
    usage = LibraryUsage(
        frozenset({"tensorflow"}),
        frozenset({"tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM"}),
    )
    assert best(adviser(tmp_path, server, "tensorflow").compute()) == {"tensorflow": "2.0.0"}
    assert best(adviser(tmp_path, server, "tensorflow", usage=usage).compute()) == {"tensorflow": "1.15.0"}
