"""Units inside the resolver, against the test index: what each unit type may do to the stack found."""

from __future__ import annotations

import math

import pytest
from packaging.utils import canonicalize_name

from tests.indexserver import Universe
from tests.pipeline.conftest import NOW, AdviseIn, pins, stacks_of
from tests.pipeline.sample_units import (
    LINK,
    AdviceWrap,
    AlternativePseudonym,
    CountingStep,
    DropSieve,
    ExplodingStep,
    NoteBoot,
    OldestFirstStep,
    RecordingSieve,
    RefuseBoot,
    RefuseStride,
    RejectStep,
    ScoreStep,
    SkipStep,
)
from thoth_cli.adviser import Advice, Recommendation
from thoth_cli.errors import ExitCode, UnitError
from thoth_cli.knowledge.advisories import Advisory, AdvisorySource, NoAdvisories, StaticAdvisories
from thoth_cli.pipeline.builtin import NewestFirstStep, VulnerableStackStride
from thoth_cli.pipeline.builtin.prerelease import PrereleaseStep
from thoth_cli.pipeline.builtin.tensorflow_30990 import TensorFlow30990Sieve
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.runner import PipelineStopped
from thoth_cli.pipeline.units import CannotRemovePackage, ManifestChange
from thoth_cli.resolver.errors import ResolutionImpossibleError
from thoth_cli.resolver.policy import PrereleaseMode, ResolutionPolicy
from thoth_cli.stack import Justification, JustificationType, Stack
from thoth_cli.usage.model import LibraryUsage


def run(
    advise_in: AdviseIn,
    universe: Universe | str,
    lines: list[str],
    pipeline: Pipeline,
    *,
    count: int = 1,
    advisories: AdvisorySource | None = None,
) -> Advice:
    """The stacks `pipeline` finds for `lines` on a test index serving `universe`."""
    recommendation = Recommendation(
        count=count, pipeline=pipeline, advisories=advisories or NoAdvisories(), now=NOW
    )
    return advise_in(universe, lines, recommendation=recommendation)


def best(advice: Advice) -> Stack:
    assert advice.search is not None
    return advice.search.stacks[0].stack


def justifications(stack: Stack, name: str) -> tuple[Justification, ...]:
    package = stack.get(canonicalize_name(name))
    assert package is not None
    return package.justifications


# Sieves ----------------------------------------------------------------------------------------


def test_a_sieve_removes_releases_and_the_resolver_takes_the_next(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(sieves=[(DropSieve, {"package_name": "a", "versions": "==3.0"})])
    advice = run(advise_in, "a 1.0 2.0 3.0", ["a"], pipeline)
    assert pins(best(advice)) == {"a": "2.0"}


def test_a_sieve_sees_each_package_once_newest_first_with_what_the_project_allows(
    advise_in: AdviseIn,
) -> None:
    RecordingSieve.seen.clear()
    advice = run(
        advise_in,
        "a 1.0 2.0 3.0: b\nb 1.0 1.5 2.0",
        ["a>=2"],
        Pipeline(sieves=[(RecordingSieve, None)]),
        count=3,
    )
    assert advice.search is not None
    assert advice.search.resolves == 3
    # Dependencies' requirements are not the project's: the sieve sees every release of b.
    assert RecordingSieve.seen == [("a", ("3.0", "2.0")), ("b", ("2.0", "1.5", "1.0"))]


def test_a_sieve_that_empties_a_direct_dependency_stops_the_run_naming_it(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(sieves=[(DropSieve, {"package_name": "a", "versions": ">=2"})])
    with pytest.raises(CannotRemovePackage) as caught:
        run(advise_in, "a 1.0 2.0 3.0", ["a>=2"], pipeline)
    assert str(caught.value) == (
        "unit 'drop[a]' removes every release of a>=2 that the project allows: a 3.0 is dropped\n"
        "  fix: change the requirement on a, choose another recommendation type, "
        "or pass --block-unit drop to accept the risk"
    )
    assert caught.value.exit_code is ExitCode.NO
    assert (caught.value.package, caught.value.unit) == ("a", "drop[a]")


def test_a_sieve_in_warn_mode_keeps_the_releases_and_warns(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(sieves=[(DropSieve, {"package_name": "a", "versions": ">=1", "when_empty": "warn"})])
    stack = best(run(advise_in, "a 1.0 2.0", ["a"], pipeline))
    assert pins(stack) == {"a": "2.0"}
    assert justifications(stack, "a") == (
        Justification(
            JustificationType.WARNING,
            "kept although a 2.0 is dropped (no release without this issue is allowed)",
            link="https://example.org/unit",
            package="a",
            version="2.0",
            unit="drop",
        ),
    )


def test_a_sieve_emptying_a_dependency_makes_the_resolver_explain_the_removals(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(sieves=[(DropSieve, {"package_name": "b", "versions": ">=1"})])
    with pytest.raises(ResolutionImpossibleError) as caught:
        run(advise_in, "a 1.0: b\nb 1.0 2.0", ["a"], pipeline)
    assert str(caught.value) == (
        "no set of versions satisfies the requirements on "
        "CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64:\n"
        "a 1.0 requires b, but every matching version of b conflicts with other requirements\n"
        "  b 2.0: removed by unit drop[b]: b 2.0 is dropped\n"
        "  b 1.0: removed by unit drop[b]: b 1.0 is dropped"
    )
    assert caught.value.exit_code is ExitCode.NO


# Steps -----------------------------------------------------------------------------------------


def test_a_step_rejecting_a_release_makes_the_resolver_try_another(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(RejectStep, {"package_name": "b", "versions": "==2.0"})])
    stack = best(run(advise_in, "a 1.0: b\nb 1.0 2.0", ["a"], pipeline))
    assert pins(stack) == {"a": "1.0", "b": "1.0"}


def test_a_step_rejecting_every_release_of_a_direct_dependency_gives_its_own_fix(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(RejectStep, {"versions": ">=0"})])
    with pytest.raises(CannotRemovePackage) as caught:
        run(advise_in, "a 1.0 2.0", ["a"], pipeline)
    assert str(caught.value) == (
        "unit 'reject' removes every release of a that the project allows: 2.0 is rejected\n"
        "  fix: stop rejecting it"
    )


def test_steps_order_candidates_best_first(advise_in: AdviseIn) -> None:
    stack = best(run(advise_in, "a 1.0 2.0 3.0", ["a"], Pipeline(steps=[(OldestFirstStep, None)])))
    assert pins(stack) == {"a": "1.0"}
    assert stack.score == 0.0


def test_a_package_carries_its_score_and_reasons_and_the_stack_their_sum(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(NewestFirstStep, {"weight": 0.25}), (RejectStep, {"versions": ">=3"})])
    stack = best(run(advise_in, "a 1.0 2.0 3.0: b\nb 1.0 2.0 4.0", ["a"], pipeline))
    assert pins(stack) == {"a": "2.0", "b": "2.0"}
    assert [p.score for p in stack.packages] == [-0.25, -0.25]
    assert stack.score == -0.5
    assert justifications(stack, "a") == (
        Justification(
            JustificationType.INFO,
            "1 newer release exists (the newest is 3.0)",
            link=NewestFirstStep.link,
            package="a",
            version="2.0",
            unit="newest-first",
        ),
    )


@pytest.mark.parametrize(("given", "clamped"), [(5.0, 1.0), (-7.0, -1.0), (0.5, 0.5)])
def test_a_step_score_is_clamped_to_minus_one_to_one(
    advise_in: AdviseIn, given: float, clamped: float
) -> None:
    stack = best(run(advise_in, "a 1.0", ["a"], Pipeline(steps=[(ScoreStep, {"score": given})])))
    assert [p.score for p in stack.packages] == [clamped]
    assert stack.score == clamped


def test_a_nan_score_is_the_units_bug(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(ScoreStep, {"package_name": "a", "score": math.nan})])
    with pytest.raises(UnitError) as caught:
        run(advise_in, "a 1.0", ["a"], pipeline)
    assert str(caught.value) == "unit 'score[a]' on package 'a': returned a score that is not a number (NaN)"
    assert caught.value.exit_code is ExitCode.INTERNAL


def test_verdicts_are_computed_once_per_release_however_many_resolves(advise_in: AdviseIn) -> None:
    CountingStep.calls.clear()
    pipeline = Pipeline(steps=[(CountingStep, None), (NewestFirstStep, None)])
    advice = run(advise_in, "a 1.0 2.0 3.0: b\nb 1.0 2.0", ["a"], pipeline, count=4)
    assert advice.search is not None
    assert advice.search.resolves >= 4
    assert CountingStep.calls
    assert set(CountingStep.calls.values()) == {1}


# A unit's bug: exit 5, naming the unit and the package -----------------------------------------


def test_a_step_raising_is_a_unit_error_naming_unit_and_package(advise_in: AdviseIn) -> None:
    with pytest.raises(UnitError) as caught:
        run(advise_in, "a 1.0", ["a"], Pipeline(steps=[(ExplodingStep, None)]))
    assert str(caught.value) == "unit 'explodes' on package 'a': ValueError: cannot judge a 1.0"
    assert caught.value.exit_code is ExitCode.INTERNAL
    assert (caught.value.unit, caught.value.package) == ("explodes", "a")


# SkipPackage -----------------------------------------------------------------------------------


def test_a_skipped_package_is_left_out_with_its_dependencies(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(SkipStep, {"package_name": "b"})])
    stack = best(run(advise_in, "a 1.0: b\nb 1.0: c\nc 1.0", ["a"], pipeline))
    assert pins(stack) == {"a": "1.0"}
    assert stack.skipped_dependencies == ("a",)


# Pseudonyms ------------------------------------------------------------------------------------

TENSORFLOW = """\
tensorflow 2.1.0 2.2.0
tensorflow-cpu 2.1.0 2.2.0
keras 2.4.0: tensorflow>=2.1
"""


def test_a_pseudonym_fills_the_slot_with_another_package_never_both(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(
        pseudonyms=[(AlternativePseudonym, {"package_name": "tensorflow", "alternative": "tensorflow-cpu"})]
    )
    advice = run(advise_in, TENSORFLOW, ["tensorflow", "keras"], pipeline, count=4)
    # Alternatives come before the package itself; each stack has one TensorFlow.
    assert stacks_of(advice) == [
        {"keras": "2.4.0", "tensorflow-cpu": "2.2.0"},
        {"keras": "2.4.0", "tensorflow": "2.2.0"},
        {"keras": "2.4.0", "tensorflow-cpu": "2.1.0"},
        {"keras": "2.4.0", "tensorflow": "2.1.0"},
    ]
    cpu = best(advice).get(canonicalize_name("tensorflow-cpu"))
    assert cpu is not None
    assert cpu.direct


def test_a_pseudonyms_alternative_honours_the_requirements_on_the_slot(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(
        pseudonyms=[(AlternativePseudonym, {"package_name": "tensorflow", "alternative": "tensorflow-cpu"})]
    )
    universe = "tensorflow 2.1.0 2.2.0\ntensorflow-cpu 2.1.0"
    stack = best(run(advise_in, universe, ["tensorflow>=2.2"], pipeline))
    assert pins(stack) == {"tensorflow": "2.2.0"}


# Boots, strides and wraps ----------------------------------------------------------------------


def test_a_boot_adds_stack_level_information(advise_in: AdviseIn) -> None:
    advice = run(advise_in, "a 1.0", ["a"], Pipeline(boots=[(NoteBoot, None)]))
    note = Justification(JustificationType.INFO, "the request was read", link=LINK, unit="note")
    assert advice.search is not None
    assert advice.search.stack_info == (note,)
    assert best(advice).justifications == (note,)


def test_a_boot_refusing_the_request_stops_the_run(advise_in: AdviseIn) -> None:
    with pytest.raises(PipelineStopped) as caught:
        run(advise_in, "a 1.0", ["a"], Pipeline(boots=[(RefuseBoot, None)]))
    assert (
        str(caught.value)
        == "unit 'refuse-request' stopped the run: this project needs a GPU and the target has none"
    )
    assert caught.value.exit_code is ExitCode.NO


def test_a_stride_discarding_a_stack_leaves_the_next_best(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(
        steps=[(NewestFirstStep, None)], strides=[(RefuseStride, {"package_name": "a", "versions": "==3.0"})]
    )
    stack = best(run(advise_in, "a 1.0 2.0 3.0", ["a"], pipeline))
    assert pins(stack) == {"a": "2.0"}
    assert stack.score == pytest.approx(-0.1)
    assert stack.justifications == (
        Justification(JustificationType.INFO, "a stack was discarded: a 3.0 is refused"),
    )


def test_a_wrap_advises_without_changing_the_score(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(ScoreStep, {"score": -0.3})], wraps=[(AdviceWrap, None)])
    advice = run(advise_in, "a 1.0", ["a"], pipeline)
    assert advice.search is not None
    found = advice.search.stacks[0]
    assert found.stack.score == -0.3
    assert found.stack.justifications == (
        Justification(JustificationType.INFO, "set OMP_NUM_THREADS", link=LINK, unit="advice"),
    )
    assert [dict(a.environment) for a in found.advice] == [{"OMP_NUM_THREADS": "1"}]
    assert [a.manifest_changes for a in found.advice] == [
        (ManifestChange("add", "threadpoolctl", "threadpoolctl>=3", "to limit threads"),)
    ]


# The three reference units against the test index ---------------------------------------------

CHECKPOINT = "tensorflow.keras.callbacks.ModelCheckpoint"
LSTM = "tensorflow.keras.layers.LSTM"
BOTH = LibraryUsage(frozenset({"tensorflow"}), frozenset({CHECKPOINT, LSTM, "tensorflow.constant"}))


def test_the_usage_gated_sieve_removes_tensorflow_2_0_0_for_code_using_both_symbols(
    advise_in: AdviseIn,
) -> None:
    advice = advise_in(
        "tensorflow 1.15.0 2.0.0", ["tensorflow"], recommendation=Recommendation(usage=BOTH, now=NOW)
    )
    assert advice.units is not None
    assert [unit.label for unit in advice.units.sieves] == ["tensorflow-30990[tensorflow]"]
    assert pins(best(advice)) == {"tensorflow": "1.15.0"}


@pytest.mark.parametrize(
    "usage",
    [None, LibraryUsage(frozenset({"tensorflow"}), frozenset({LSTM}))],
    ids=["not-scanned", "lstm-only"],
)
def test_the_usage_gated_sieve_stays_out_unless_both_symbols_are_used(
    advise_in: AdviseIn, usage: LibraryUsage | None
) -> None:
    advice = advise_in(
        "tensorflow 1.15.0 2.0.0", ["tensorflow"], recommendation=Recommendation(usage=usage, now=NOW)
    )
    assert advice.units is not None
    assert advice.units.sieves == ()
    assert pins(best(advice)) == {"tensorflow": "2.0.0"}


@pytest.mark.parametrize("universe", ["tensorflow 2.0.0", "tensorflow 1.15.0 2.0.0"], ids=["only", "pinned"])
def test_the_usage_gated_sieve_warns_instead_when_2_0_0_is_all_there_is(
    advise_in: AdviseIn, universe: str
) -> None:
    lines = ["tensorflow"] if universe == "tensorflow 2.0.0" else ["tensorflow==2.0.0"]
    stack = best(advise_in(universe, lines, recommendation=Recommendation(usage=BOTH, now=NOW)))
    assert pins(stack) == {"tensorflow": "2.0.0"}
    (kept,) = justifications(stack, "tensorflow")
    assert (kept.type, kept.unit, kept.package, kept.version) == (
        JustificationType.WARNING,
        "tensorflow-30990",
        "tensorflow",
        "2.0.0",
    )
    assert kept.link == "https://github.com/tensorflow/tensorflow/issues/30990"
    assert kept.message.startswith("kept although tensorflow 2.0.0 ")
    assert kept.message.endswith(" (no release without this issue is allowed)")


def test_the_usage_gated_sieve_fails_when_configured_to(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(sieves=[(TensorFlow30990Sieve, {"when_empty": "fail"})])
    with pytest.raises(CannotRemovePackage) as caught:
        run(advise_in, "tensorflow 2.0.0", ["tensorflow"], pipeline)
    assert str(caught.value) == (
        "unit 'tensorflow-30990[tensorflow]' removes every release of tensorflow that the project allows: "
        "tensorflow 2.0.0 breaks LSTM layers saved by the ModelCheckpoint callback, and this project uses "
        "tensorflow.keras.callbacks.ModelCheckpoint and tensorflow.keras.layers.LSTM "
        "(https://github.com/tensorflow/tensorflow/issues/30990)\n"
        "  fix: change the requirement on tensorflow, choose another recommendation type, "
        "or pass --block-unit tensorflow-30990 to accept the risk"
    )


def prerelease_universe() -> Universe:
    """`a` has a final release and a newer pre-release; `only` pre-releases; `old`'s final release
    does not install on Python 3.12."""
    universe = Universe.parse("a 1.0 2.0b1\nonly 1.0a1 1.0b2")
    universe.add("old", "1.0", requires_python="<3.12")
    universe.add("old", "2.0rc1")
    return universe


def accepted(because: str, name: str, version: str) -> Justification:
    return Justification(
        JustificationType.INFO,
        f"a pre-release, accepted because {because}",
        link=PrereleaseStep.link,
        package=name,
        version=version,
        unit="prerelease",
    )


@pytest.mark.parametrize(
    ("mode", "lines", "chosen", "because"),
    [
        ("allow", ["a"], "2.0b1", "--prerelease allow"),
        ("disallow", ["a"], "1.0", None),
        ("if-necessary", ["a"], "1.0", None),
        ("explicit", ["a"], "1.0", None),
        ("if-necessary-or-explicit", ["a"], "1.0", None),
        ("explicit", ["a>=2.0b1"], "2.0b1", "the project's requirement a>=2.0b1 names one"),
        ("if-necessary-or-explicit", ["a>=2.0b1"], "2.0b1", "the project's requirement a>=2.0b1 names one"),
        ("if-necessary", ["only"], "1.0b2", "the package has only pre-releases"),
        ("if-necessary-or-explicit", ["only"], "1.0b2", "the package has only pre-releases"),
        (
            "if-necessary",
            ["old"],
            "2.0rc1",
            "none of its final releases that the project allows installs on the target",
        ),
        (
            "if-necessary-or-explicit",
            ["old"],
            "2.0rc1",
            "none of its final releases that the project allows installs on the target",
        ),
        # The final releases counted are those the project admits.
    ],
)
def test_the_prerelease_step_follows_the_mode(
    advise_in: AdviseIn, mode: str, lines: list[str], chosen: str, because: str | None
) -> None:
    policy = ResolutionPolicy(prerelease=PrereleaseMode(mode))
    stack = best(advise_in(prerelease_universe(), lines, policy=policy))
    name = lines[0].split(">")[0]
    assert pins(stack) == {name: chosen}
    expected = () if because is None else (accepted(because, name, chosen),)
    assert tuple(j for j in justifications(stack, name) if j.unit == "prerelease") == expected


def test_the_prerelease_step_accepts_what_the_project_allows_for_one_package(advise_in: AdviseIn) -> None:
    policy = ResolutionPolicy(
        prerelease=PrereleaseMode.DISALLOW, prerelease_packages=frozenset({canonicalize_name("a")})
    )
    stack = best(advise_in(prerelease_universe(), ["a"], policy=policy))
    assert pins(stack) == {"a": "2.0b1"}
    assert justifications(stack, "a") == (accepted("the project allows pre-releases of it", "a", "2.0b1"),)


@pytest.mark.parametrize(
    ("mode", "lines", "version"),
    [
        ("disallow", ["only"], "1.0b2"),
        ("explicit", ["only"], "1.0b2"),
        ("disallow", ["a>=2.0b1"], "2.0b1"),
        ("explicit", ["old"], "2.0rc1"),
        ("if-necessary", ["a>=2.0b1"], "2.0b1"),
    ],
)
def test_the_prerelease_step_refuses_a_direct_dependency_with_only_pre_releases_left(
    advise_in: AdviseIn, mode: str, lines: list[str], version: str
) -> None:
    policy = ResolutionPolicy(prerelease=PrereleaseMode(mode))
    with pytest.raises(CannotRemovePackage) as caught:
        advise_in(prerelease_universe(), lines, policy=policy)
    name = lines[0].split(">")[0]
    specifier = lines[0][len(name) :]
    if mode == "explicit":
        fix = f"require a pre-release explicitly (e.g. {name}>={version}) or pass --prerelease allow"
    else:
        fix = (
            "pass --prerelease allow, or --prerelease if-necessary-or-explicit to accept the pre-releases "
            "your requirements name"
        )
    assert str(caught.value) == (
        f"unit 'prerelease' removes every release of {name}{specifier} that the project allows: "
        f"{version} is a pre-release (--prerelease {mode})\n  fix: {fix}"
    )


def test_the_prerelease_step_cuts_a_dependencys_pre_release(advise_in: AdviseIn) -> None:
    stack = best(advise_in("app 1.0: a\na 1.0 2.0b1", ["app"]))
    assert pins(stack) == {"a": "1.0", "app": "1.0"}


VULNERABLE = StaticAdvisories.of(
    [
        (Advisory("PYSEC-2024-1", canonicalize_name("a"), summary="remote code execution"), ["2.0"]),
        (
            Advisory(
                "GHSA-xxxx",
                canonicalize_name("b"),
                aliases=("CVE-2024-2",),
                fixed=(),
                link="https://b.example/2",
            ),
            ["1.0"],
        ),
    ]
)


def test_the_vulnerability_stride_lowers_the_stack_score_per_vulnerability_and_names_each(
    advise_in: AdviseIn,
) -> None:
    pipeline = Pipeline(strides=[(VulnerableStackStride, {"penalization": 0.3})])
    advice = run(advise_in, "a 1.0 2.0: b\nb 1.0", ["a"], pipeline, advisories=VULNERABLE)
    stack = best(advice)
    assert pins(stack) == {"a": "2.0", "b": "1.0"}
    assert stack.score == pytest.approx(-0.6)
    assert stack.justifications == (
        Justification(
            JustificationType.WARNING,
            "a 2.0 has a known vulnerability PYSEC-2024-1: remote code execution; no fixed release yet",
            link="https://osv.dev/vulnerability/PYSEC-2024-1",
            package="a",
            version="2.0",
            unit="vulnerable-stack",
        ),
        Justification(
            JustificationType.WARNING,
            "b 1.0 has a known vulnerability GHSA-xxxx (CVE-2024-2); no fixed release yet",
            link="https://b.example/2",
            package="b",
            version="1.0",
            unit="vulnerable-stack",
        ),
    )


def test_the_vulnerability_stride_joins_the_stable_pipeline(advise_in: AdviseIn) -> None:
    advice = advise_in(
        "a 1.0 2.0",
        ["a==2.0"],
        recommendation=Recommendation(type=RecommendationType.STABLE, advisories=VULNERABLE, now=NOW),
    )
    stack = best(advice)
    # The step penalises the release (-0.5); the stride the stack (-0.2).
    assert stack.score == pytest.approx(-0.7)
    assert [j.unit for j in stack.justifications] == ["vulnerable-stack"]
