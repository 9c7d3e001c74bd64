"""Every unit a pipeline can name: the built-in ones, and those other distributions register."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import ClassVar

import pytest

from tests.pipeline.conftest import NOW, AdviseIn, pins
from tests.pipeline.sample_units import OldestFirstStep, install_distribution
from thoth_cli.adviser import Recommendation
from thoth_cli.errors import ExitCode, UnitError
from thoth_cli.pipeline.builtin import BUILTIN_UNITS, YankedStep
from thoth_cli.pipeline.builtin.prerelease import PrereleaseStep
from thoth_cli.pipeline.registry import (
    ENTRY_POINT_GROUP,
    available_units,
    builtin_units,
    installed_units,
    kind_of,
)
from thoth_cli.pipeline.units import Configuration, Step

SAMPLES = "tests.pipeline.sample_units"


def point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


class OtherOldestFirst(OldestFirstStep):
    """Another distribution's unit of the same name."""


class LoudYanked(YankedStep):
    """An installed unit replacing the built-in `yanked`."""


class Nameless(Step):
    """A unit class without a name cannot be named in a pipeline."""

    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}


def test_the_built_in_units_start_with_the_prerelease_step() -> None:
    assert builtin_units() == (PrereleaseStep, *BUILTIN_UNITS)
    assert kind_of(PrereleaseStep) == "step"
    assert [kind_of(unit) for unit in BUILTIN_UNITS] == [unit.kind for unit in BUILTIN_UNITS]


def test_an_entry_point_unit_is_available_beside_the_built_in_ones() -> None:
    units = available_units([point("oldest-first", f"{SAMPLES}:OldestFirstStep")])
    assert units["oldest-first"] is OldestFirstStep
    assert list(units)[: len(builtin_units())] == [unit.name for unit in builtin_units()]


def test_an_installed_unit_replaces_the_built_in_unit_of_its_name() -> None:
    units = available_units([point("yanked", f"{__name__}:LoudYanked")])
    assert units["yanked"] is LoudYanked


def test_one_class_registered_twice_is_one_unit() -> None:
    value = f"{SAMPLES}:OldestFirstStep"
    assert installed_units([point("a", value), point("b", value)]) == (OldestFirstStep, OldestFirstStep)
    assert available_units([point("a", value), point("b", value)])["oldest-first"] is OldestFirstStep


def test_two_installed_units_of_one_name_are_refused() -> None:
    with pytest.raises(UnitError) as caught:
        available_units(
            [point("one", f"{SAMPLES}:OldestFirstStep"), point("two", f"{__name__}:OtherOldestFirst")]
        )
    assert str(caught.value) == (
        "unit 'oldest-first': two installed units share the name: "
        f"{SAMPLES}.OldestFirstStep and {__name__}.OtherOldestFirst"
    )
    assert caught.value.exit_code is ExitCode.INTERNAL


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "tests.pipeline.no_such_module:Unit",
            "entry point 'tests.pipeline.no_such_module:Unit' cannot be loaded: "
            "No module named 'tests.pipeline.no_such_module'",
        ),
        (
            f"{SAMPLES}:NoSuchUnit",
            f"entry point '{SAMPLES}:NoSuchUnit' cannot be loaded: "
            f"module '{SAMPLES}' has no attribute 'NoSuchUnit'",
        ),
        (
            f"{SAMPLES}:LINK",
            f"entry point '{SAMPLES}:LINK' is not a unit class (a named subclass of Boot, Pseudonym, "
            "Sieve, Step, Stride or Wrap)",
        ),
        (
            f"{__name__}:Nameless",
            f"entry point '{__name__}:Nameless' is not a unit class (a named subclass of Boot, Pseudonym, "
            "Sieve, Step, Stride or Wrap)",
        ),
    ],
    ids=["no-module", "no-attribute", "not-a-class", "nameless"],
)
def test_a_broken_entry_point_is_a_unit_error_naming_it(value: str, problem: str) -> None:
    with pytest.raises(UnitError) as caught:
        installed_units([point("broken", value)])
    assert str(caught.value) == f"unit 'broken': {problem}"


# A distribution installed on sys.path --------------------------------------------------------

EXTRA_UNITS = '''\
"""Units a third party ships."""

from thoth_cli.pipeline.units import Scored, Step


class NoOnesStep(Step):
    """Rejects nothing; scores releases whose version has a 1 in it down."""

    name = "no-ones"
    description = "Avoids releases with a 1 in their version."
    CONFIGURATION_DEFAULT = {"penalty": -0.5}

    @classmethod
    def should_include(cls, context):
        yield {}

    def run(self, candidate):
        if "1" in str(candidate.version):
            return Scored(self.configuration["penalty"])
        return None
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A distribution `thoth_extra_units` registering its `no-ones` step, importable from `sys.path`."""
    site = tmp_path / "site"
    install_distribution(
        site, "thoth_extra_units", {"no-ones": "thoth_extra_units:NoOnesStep"}, source=EXTRA_UNITS
    )
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("thoth_extra_units", None)


def test_an_installed_distributions_unit_is_found_through_its_entry_point(installed: Path) -> None:
    (unit,) = installed_units()
    assert (unit.__module__, unit.__name__, unit.name) == ("thoth_extra_units", "NoOnesStep", "no-ones")
    assert available_units()["no-ones"] is unit


def test_an_installed_unit_joins_the_pipeline_it_chooses_to_join(
    installed: Path, advise_in: AdviseIn
) -> None:
    advice = advise_in("a 1.0 2.0 2.1", ["a"], recommendation=Recommendation(now=NOW))
    assert advice.units is not None
    assert [unit.label for unit in advice.units.steps] == ["prerelease", "yanked", "newest-first", "no-ones"]
    # 2.1 and 1.0 have a 1 in them: 2.0 (-0.1, one newer release) beats 2.1 (-0.5).
    assert pins(advice.resolution.stack) == {"a": "2.0"}
