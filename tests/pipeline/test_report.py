"""The report of a run as `--report` writes it (thoth.report/1): every stack, its scores, reasons, advice."""

from __future__ import annotations

import json

from packaging.utils import canonicalize_name

from tests.indexserver import IndexServerFactory
from tests.pipeline.conftest import NOW, TARGET, AdviseIn
from tests.pipeline.sample_units import LINK, AdviceWrap, NoteBoot, SkipStep
from thoth_cli.adviser import Advice, Recommendation
from thoth_cli.knowledge.advisories import Advisory, StaticAdvisories
from thoth_cli.pipeline.builtin import NewestFirstStep, VulnerableStackStride
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.report import SCHEMA, Report

ADVISORIES = StaticAdvisories.of(
    [(Advisory("PYSEC-2024-9", canonicalize_name("b"), summary="leaks"), ["1.0"])]
)

PIPELINE = Pipeline(
    boots=[(NoteBoot, None)],
    steps=[(NewestFirstStep, None)],
    strides=[(VulnerableStackStride, None)],
    wraps=[(AdviceWrap, None)],
)


def report_of(advice: Advice) -> Report:
    assert advice.search is not None and advice.units is not None
    return Report(advice.request.recommendation.type, TARGET.as_dict(), advice.search, advice.units)


def justification(
    kind: str, message: str, unit: str, *, link: str | None = LINK, **about: str
) -> dict[str, object]:
    return {
        "type": kind,
        "message": message,
        "link": link,
        "package": about.get("package"),
        "version": about.get("version"),
        "unit": unit,
    }


NOTE = justification("INFO", "the request was read", "note")
ADVICE = justification("INFO", "set OMP_NUM_THREADS", "advice")
VULNERABLE = justification(
    "WARNING",
    "b 1.0 has a known vulnerability PYSEC-2024-9: leaks; no fixed release yet",
    "vulnerable-stack",
    link="https://osv.dev/vulnerability/PYSEC-2024-9",
    package="b",
    version="1.0",
)


def test_the_report_holds_every_stack_with_its_packages_reasons_and_advice(
    advise_in: AdviseIn, index_server: IndexServerFactory
) -> None:
    server = index_server("a 1.0 2.0: b\nb 1.0")
    recommendation = Recommendation(count=2, pipeline=PIPELINE, advisories=ADVISORIES, now=NOW)
    data = report_of(advise_in(server, ["a"], recommendation=recommendation)).as_dict()

    def package(name: str, version: str, score: float, *reasons: dict[str, object], direct: bool) -> object:
        return {
            "name": name,
            "version": version,
            "index": server.url(),
            "direct": direct,
            "groups": ["default"],
            "score": score,
            "justifications": list(reasons),
        }

    def stack(score: float, *packages: object) -> dict[str, object]:
        return {
            "score": score,
            "justifications": [NOTE, VULNERABLE, ADVICE],
            "packages": list(packages),
            "skipped_dependencies": [],
            "skipped": [],
            "advice": {
                "environment": {"OMP_NUM_THREADS": "1"},
                "manifest_changes": [
                    {
                        "action": "add",
                        "package": "threadpoolctl",
                        "requirement": "threadpoolctl>=3",
                        "reason": "to limit threads",
                    }
                ],
            },
        }

    older = justification(
        "INFO",
        "1 newer release exists (the newest is 2.0)",
        "newest-first",
        link=NewestFirstStep.link,
        package="a",
        version="1.0",
    )
    assert data == {
        "schema": SCHEMA,
        "recommendation_type": "latest",
        "target": TARGET.as_dict(),
        "resolves": 2,
        "limit_reached": False,
        "stopped": None,
        "pipeline": {
            "boots": [{"name": "note", "configuration": {}}],
            "pseudonyms": [],
            "sieves": [],
            "steps": [{"name": "newest-first", "configuration": {"weight": 0.1}}],
            "strides": [{"name": "vulnerable-stack", "configuration": {"penalization": 0.2}}],
            "wraps": [{"name": "advice", "configuration": {}}],
        },
        "stack_info": [NOTE],
        "stacks": [
            stack(-0.2, package("a", "2.0", 0.0, direct=True), package("b", "1.0", 0.0, direct=False)),
            stack(
                -0.3, package("a", "1.0", -0.1, older, direct=True), package("b", "1.0", 0.0, direct=False)
            ),
        ],
    }
    assert SCHEMA == "thoth.report/1"


def test_the_json_is_the_report_in_a_fixed_key_order(advise_in: AdviseIn) -> None:
    recommendation = Recommendation(
        type=RecommendationType.STABLE, pipeline=PIPELINE, advisories=ADVISORIES, now=NOW
    )
    report = report_of(advise_in("a 1.0 2.0: b\nb 1.0", ["a"], recommendation=recommendation))
    text = report.to_json()
    assert text.endswith("}\n")
    assert json.loads(text) == report.as_dict()
    assert list(json.loads(text)) == [
        "schema",
        "recommendation_type",
        "target",
        "resolves",
        "limit_reached",
        "stopped",
        "pipeline",
        "stack_info",
        "stacks",
    ]
    assert json.loads(text)["recommendation_type"] == "stable"


def test_the_report_lists_dependencies_a_unit_left_out(advise_in: AdviseIn) -> None:
    recommendation = Recommendation(pipeline=Pipeline(steps=[(SkipStep, {"package_name": "b"})]), now=NOW)
    report = report_of(advise_in("a 1.0: b\nb 1.0", ["a"], recommendation=recommendation))
    stacks = json.loads(report.to_json())["stacks"]
    assert [[p["name"] for p in stack["packages"]] for stack in stacks] == [["a"]]
    assert [stack["skipped_dependencies"] for stack in stacks] == [["a"]]
    assert report.best is report.stacks[0]
