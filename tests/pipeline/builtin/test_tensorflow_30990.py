"""The `tensorflow-30990` sieve removes TensorFlow 2.0.0 from projects using LSTM with ModelCheckpoint."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.pipeline.builtin.conftest import Make
from thoth_cli.errors import ConfigError, Location
from thoth_cli.pipeline.builtin.tensorflow_30990 import TensorFlow30990Sieve
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.project.model import ProjectRequirement
from thoth_cli.project.pep508 import parse_requirement
from thoth_cli.usage.model import LibraryUsage

CHECKPOINT = "tensorflow.keras.callbacks.ModelCheckpoint"
LSTM = "tensorflow.keras.layers.LSTM"


def _requiring_tensorflow(make: Make) -> Make:
    requirement: ProjectRequirement = parse_requirement(
        "tensorflow", location=Location(make.project.manifest, line=1)
    )
    make.project = replace(make.project, requirements=(requirement,))
    return make


def test_the_sources_are_not_scanned_for_a_project_without_tensorflow(make: Make) -> None:
    def scan() -> LibraryUsage:
        raise AssertionError("scanned")

    assert (
        list(TensorFlow30990Sieve.should_include(make.builder(RecommendationType.STABLE, usage=scan))) == []
    )


def test_the_sources_are_scanned_once_when_asked(make: Make) -> None:
    calls: list[int] = []

    def scan() -> LibraryUsage:
        calls.append(1)
        return LibraryUsage(frozenset({"tensorflow"}), frozenset({CHECKPOINT, LSTM}))

    context = _requiring_tensorflow(make).builder(RecommendationType.STABLE, usage=scan)
    assert list(TensorFlow30990Sieve.should_include(context)) == [{}]
    assert context.library_usage() is not None
    assert calls == [1]


@pytest.mark.parametrize("recommendation_type", list(RecommendationType))
def test_included_for_every_type_when_the_code_uses_both_symbols(
    make: Make, recommendation_type: RecommendationType
) -> None:
    usage = LibraryUsage(frozenset({"tensorflow"}), frozenset({CHECKPOINT, LSTM, "tensorflow.constant"}))
    assert list(
        TensorFlow30990Sieve.should_include(
            _requiring_tensorflow(make).builder(recommendation_type, usage=usage)
        )
    ) == [{}]


@pytest.mark.parametrize(
    "usage",
    [
        None,
        LibraryUsage(frozenset({"tensorflow"}), frozenset({LSTM})),
        LibraryUsage(frozenset({"tensorflow"}), frozenset({CHECKPOINT, "tensorflow.keras.layers.GRU"})),
        LibraryUsage(),
    ],
    ids=["not-scanned", "lstm-only", "checkpoint-only", "nothing-used"],
)
def test_stays_out_unless_the_code_uses_both_symbols(make: Make, usage: LibraryUsage | None) -> None:
    assert (
        list(
            TensorFlow30990Sieve.should_include(
                _requiring_tensorflow(make).builder(RecommendationType.STABLE, usage=usage)
            )
        )
        == []
    )


def test_removes_tensorflow_2_0_0_only(make: Make) -> None:
    sieve = make.started(TensorFlow30990Sieve())
    releases = [make.candidate("tensorflow", v) for v in ("2.1.0", "2.0.1", "2.0.0", "2.0.0rc1", "1.15.0")]
    kept = sieve.run(releases)
    assert [str(c.version) for c in kept] == ["2.1.0", "2.0.1", "2.0.0rc1", "1.15.0"]


def test_leaves_other_packages_alone(make: Make) -> None:
    sieve = make.started(TensorFlow30990Sieve())
    keras = [make.candidate("keras", "2.0.0")]
    assert list(sieve.run(keras)) == keras


def test_configured_versions_cover_their_pre_releases(make: Make) -> None:
    sieve = make.started(TensorFlow30990Sieve({"versions": "==2.0.*"}))
    releases = [make.candidate("tensorflow", v) for v in ("2.1.0", "2.0.1", "2.0.0", "2.0.0rc1", "1.15.0")]
    assert [str(c.version) for c in sieve.run(releases)] == ["2.1.0", "1.15.0"]


def test_the_reason_names_the_symbols_and_the_issue(make: Make) -> None:
    sieve = make.started(TensorFlow30990Sieve())
    assert sieve.reason(make.candidate("tensorflow", "2.0.0")) == (
        "tensorflow 2.0.0 breaks LSTM layers saved by the ModelCheckpoint callback, and this project uses "
        "tensorflow.keras.callbacks.ModelCheckpoint and tensorflow.keras.layers.LSTM "
        "(https://github.com/tensorflow/tensorflow/issues/30990)"
    )


def test_watches_tensorflow_and_keeps_every_release_when_it_would_remove_all() -> None:
    sieve = TensorFlow30990Sieve()
    assert sieve.label == "tensorflow-30990[tensorflow]"
    assert sieve.when_empty == "warn"
    assert sieve.link == "https://github.com/tensorflow/tensorflow/issues/30990"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("versions", "2.0.0", "must be a version specifier such as '==2.0.0' or '>=2,<2.1', not '2.0.0'"),
        ("versions", "", "must be a version specifier such as '==2.0.0' or '>=2,<2.1', not ''"),
        ("symbols", [], "must be a list of one or more names, not []"),
        ("symbols", [LSTM, ""], f"must be a list of one or more names, not [{LSTM!r}, '']"),
        ("symbols", "tensorflow.keras.layers.LSTM", f"must be a list, not {LSTM!r}"),
    ],
)
def test_bad_configuration_is_refused(key: str, value: object, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        TensorFlow30990Sieve({key: value})
    assert raised.value.message == f"<pipeline> [tensorflow-30990]: unit 'tensorflow-30990': {key} {problem}"
