"""`BUILTIN_UNITS`: every built-in unit in pipeline order, each named, documented and configured well."""

from __future__ import annotations

import re

import pytest

from tests.pipeline.builtin.conftest import Make
from thoth_cli.pipeline.builtin import BUILTIN_UNITS
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import UNIT_KINDS, Unit, check_configuration
from thoth_cli.usage.model import LibraryUsage

EVERY_SYMBOL = LibraryUsage(
    frozenset({"tensorflow"}),
    frozenset({"tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM"}),
)


def test_the_built_in_units_by_name_and_kind() -> None:
    assert [(unit.kind, unit.name) for unit in BUILTIN_UNITS] == [
        ("sieve", "tensorflow-30990"),
        ("step", "vulnerabilities"),
        ("step", "yanked"),
        ("step", "binary-wheel"),
        ("step", "release-age"),
        ("step", "newest-first"),
        ("stride", "vulnerable-stack"),
        ("wrap", "vulnerability-report"),
    ]


def test_units_come_in_the_order_the_pipeline_runs_their_kinds() -> None:
    kinds = [kind.kind for kind in UNIT_KINDS]
    positions = [kinds.index(unit.kind) for unit in BUILTIN_UNITS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("unit", BUILTIN_UNITS, ids=lambda unit: unit.name)
def test_each_unit_is_named_described_and_linked(unit: type[Unit]) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", unit.name)
    assert unit.description.endswith(".")
    assert unit.description.count(". ") == 0
    assert unit.link is not None
    assert unit.link.startswith("https://")


@pytest.mark.parametrize("unit", BUILTIN_UNITS, ids=lambda unit: unit.name)
def test_each_configuration_key_is_documented_in_the_class_docstring(unit: type[Unit]) -> None:
    documentation = unit.__doc__ or ""
    for key in unit.CONFIGURATION_DEFAULT:
        assert re.search(rf"^\s+{key} \(", documentation, re.MULTILINE), f"{unit.name}: {key} undocumented"
    if not unit.CONFIGURATION_DEFAULT:
        assert "No configuration." in documentation


@pytest.mark.parametrize("unit", BUILTIN_UNITS, ids=lambda unit: unit.name)
@pytest.mark.parametrize("recommendation_type", list(RecommendationType))
def test_every_configuration_a_unit_joins_with_is_valid(
    make: Make, unit: type[Unit], recommendation_type: RecommendationType
) -> None:
    context = make.builder(recommendation_type, usage=EVERY_SYMBOL)
    for configuration in unit.should_include(context):
        assert check_configuration(unit, configuration) == dict(configuration)
        unit(configuration)


def test_each_type_is_a_choice_of_units(make: Make) -> None:
    def chosen(recommendation_type: RecommendationType) -> list[str]:
        context = make.builder(recommendation_type)
        return [unit.name for unit in BUILTIN_UNITS if list(unit.should_include(context))]

    assert chosen(RecommendationType.LATEST) == ["yanked", "newest-first", "vulnerability-report"]
    assert chosen(RecommendationType.TESTING) == [
        "yanked",
        "release-age",
        "newest-first",
        "vulnerability-report",
    ]
    assert chosen(RecommendationType.STABLE) == [
        "vulnerabilities",
        "yanked",
        "binary-wheel",
        "release-age",
        "newest-first",
        "vulnerable-stack",
    ]
    assert chosen(RecommendationType.SECURITY) == [
        "vulnerabilities",
        "yanked",
        "newest-first",
        "vulnerable-stack",
    ]
    assert chosen(RecommendationType.PERFORMANCE) == [
        "vulnerabilities",
        "yanked",
        "binary-wheel",
        "newest-first",
        "vulnerable-stack",
    ]
