"""Building a pipeline for a request: each unit's `should_include` decides, `--block-unit` removes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.pipeline.conftest import NOW, TARGET, AdviseIn
from tests.pipeline.sample_units import AdviceWrap, DropSieve, NoteBoot, OldestFirstStep, RefuseStride
from tests.resolver.conftest import project_of
from thoth_cli.adviser import Recommendation, choose_pipeline
from thoth_cli.errors import ExitCode, UnitError, UsageError
from thoth_cli.pipeline.builder import build_pipeline, check_blocked
from thoth_cli.pipeline.builtin import YankedStep
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.registry import available_units
from thoth_cli.pipeline.units import Configuration, Scored, Step, Unit
from thoth_cli.resolver.candidate import Candidate


class WatchStep(Step):
    """Joins once per direct requirement, watching that package."""

    name = "watch"
    description = "Watches each direct requirement."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"package_name": ""}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        for requirement in context.requirements():
            yield {"package_name": requirement.name}

    def run(self, candidate: Candidate) -> Scored | None:
        return None


class GpuStep(Step):
    """Joins for the `performance` type on machines labelled as having a GPU."""

    name = "gpu"
    description = "Joins on GPU machines when optimising for performance."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        if (
            context.recommendation_type is RecommendationType.PERFORMANCE
            and context.labels.get("gpu") == "yes"
        ):
            yield {}

    def run(self, candidate: Candidate) -> Scored | None:
        return None


class BrokenInclusion(Step):
    """A unit whose `should_include` has a bug."""

    name = "broken-inclusion"
    description = "Cannot decide whether to join."
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        raise KeyError("labels")


class Always(Unit):
    """Mixin: joins every pipeline with its defaults."""

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        yield {}


class AlwaysBoot(Always, NoteBoot):
    pass


class AlwaysWrap(Always, AdviceWrap):
    pass


class AlwaysStride(Always, RefuseStride):
    pass


def context(
    tmp_path: Path,
    recommendation_type: RecommendationType = RecommendationType.LATEST,
    labels: dict[str, str] | None = None,
) -> BuilderContext:
    return BuilderContext(
        project=project_of(["a", "b>=1"], tmp_path / "requirements.in"),
        target=TARGET,
        recommendation_type=recommendation_type,
        labels=labels or {},
        now=NOW,
    )


def names(specs: tuple[tuple[type[Unit], Configuration | None], ...]) -> list[tuple[str, object]]:
    return [(cls.name, configuration) for cls, configuration in specs]


def test_units_join_by_type_in_the_order_given_once_per_configuration(tmp_path: Path) -> None:
    pipeline = build_pipeline(
        context(tmp_path), [AlwaysWrap, WatchStep, AlwaysStride, AlwaysBoot, GpuStep, OldestFirstStep]
    )
    assert names(pipeline.boots) == [("note", {})]
    assert names(pipeline.steps) == [("watch", {"package_name": "a"}), ("watch", {"package_name": "b"})]
    assert names(pipeline.strides) == [("refuse", {})]
    assert names(pipeline.wraps) == [("advice", {})]
    # GpuStep stays out of a latest request; OldestFirstStep joins only when named.
    assert pipeline.pseudonyms == pipeline.sieves == ()
    labels = [unit.label for unit in pipeline.instantiate().all()]
    assert labels == ["note", "watch[a]", "watch[b]", "refuse", "advice"]


def test_a_unit_decides_from_the_recommendation_type_and_the_labels(tmp_path: Path) -> None:
    def joined(recommendation_type: RecommendationType, labels: dict[str, str]) -> bool:
        return bool(build_pipeline(context(tmp_path, recommendation_type, labels), [GpuStep]).steps)

    assert joined(RecommendationType.PERFORMANCE, {"gpu": "yes"})
    assert not joined(RecommendationType.PERFORMANCE, {})
    assert not joined(RecommendationType.STABLE, {"gpu": "yes"})


def test_blocked_units_are_left_out(tmp_path: Path) -> None:
    pipeline = build_pipeline(
        context(tmp_path), [AlwaysBoot, WatchStep, AlwaysWrap], blocked=["watch", "advice"]
    )
    assert [unit.label for unit in pipeline.instantiate().all()] == ["note"]


def test_a_failing_should_include_is_the_units_bug(tmp_path: Path) -> None:
    with pytest.raises(UnitError) as caught:
        build_pipeline(context(tmp_path), [WatchStep, BrokenInclusion])
    assert str(caught.value) == "unit 'broken-inclusion': should_include failed: KeyError: 'labels'"
    assert caught.value.exit_code is ExitCode.INTERNAL


def test_a_blocked_unit_is_not_even_asked(tmp_path: Path) -> None:
    pipeline = build_pipeline(context(tmp_path), [BrokenInclusion], blocked=["broken-inclusion"])
    assert pipeline.all() == ()


def test_block_unit_names_must_name_units() -> None:
    available: dict[str, type[Unit]] = {"watch": WatchStep, "gpu": GpuStep, "drop": DropSieve}
    assert check_blocked(["gpu", "watch"], available) == frozenset({"gpu", "watch"})
    with pytest.raises(UsageError) as caught:
        check_blocked(["gpu", "wach", "nope"], available)
    assert str(caught.value) == (
        "--block-unit: no unit is named 'nope', 'wach'\n"
        "  fix: name one of: drop, gpu, watch (`thoth units` describes them)"
    )
    assert caught.value.exit_code is ExitCode.USAGE


# The built-in units in a real request ----------------------------------------------------------


def test_an_explicit_pipeline_bypasses_the_builder_less_the_blocked_units(tmp_path: Path) -> None:
    explicit = Pipeline(steps=[(OldestFirstStep, None)], sieves=[(DropSieve, {"versions": "==1"})])
    chosen = choose_pipeline(context(tmp_path), Recommendation(pipeline=explicit))
    assert chosen == explicit
    unaffected = Recommendation(pipeline=explicit, blocked=frozenset({"yanked"}))
    assert choose_pipeline(context(tmp_path), unaffected) == explicit
    less = choose_pipeline(
        context(tmp_path),
        Recommendation(
            pipeline=Pipeline(steps=[(OldestFirstStep, None), (YankedStep, None)]),
            blocked=frozenset({"yanked"}),
        ),
    )
    assert less == Pipeline(steps=[(OldestFirstStep, None)])
    built = choose_pipeline(context(tmp_path), Recommendation(blocked=frozenset({"newest-first"})))
    assert [cls.name for cls, _ in built.all()] == ["prerelease", "yanked", "vulnerability-report"]


def test_without_an_explicit_pipeline_the_built_in_units_choose(tmp_path: Path) -> None:
    def chosen(recommendation_type: RecommendationType) -> list[str]:
        wanted = Recommendation(type=recommendation_type)
        return [cls.name for cls, _ in choose_pipeline(context(tmp_path, recommendation_type), wanted).all()]

    assert chosen(RecommendationType.LATEST) == [
        "prerelease",
        "yanked",
        "newest-first",
        "vulnerability-report",
    ]
    assert chosen(RecommendationType.SECURITY) == [
        "prerelease",
        "vulnerabilities",
        "yanked",
        "newest-first",
        "vulnerable-stack",
    ]
    assert set(available_units()) >= {name for t in RecommendationType for name in chosen(t)}


def test_the_units_that_ran_are_those_the_builder_chose(advise_in: AdviseIn) -> None:
    recommendation = Recommendation(
        type=RecommendationType.STABLE, blocked=frozenset({"release-age"}), now=NOW
    )
    advice = advise_in("a 1.0", ["a"], recommendation=recommendation)
    assert advice.units is not None
    assert [unit.label for unit in advice.units.all()] == [
        "prerelease",
        "vulnerabilities",
        "yanked",
        "binary-wheel",
        "newest-first",
        "vulnerable-stack",
    ]
