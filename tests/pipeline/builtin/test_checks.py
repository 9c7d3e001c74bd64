"""Value checks refuse configuration values the type checks let through, naming unit, key and value."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pytest
from packaging.specifiers import SpecifierSet

from thoth_cli.errors import ConfigError
from thoth_cli.pipeline.builtin import checks
from thoth_cli.pipeline.units import Configuration, Unit


class Sample(Unit):
    """A unit with one key of each kind the checks read. No behaviour."""

    name = "sample"
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "weight": 0.5,
        "days": 3,
        "mode": "a",
        "names": ("x",),
        "versions": "==1.0",
    }


def refusal(unit: Unit, check: Callable[[Unit], object]) -> str:
    with pytest.raises(ConfigError) as raised:
        check(unit)
    return str(raised.value)


def test_values_within_their_range_are_returned_typed() -> None:
    unit = Sample({"weight": 1, "days": 5, "mode": "b", "names": ["y", "z"], "versions": ">=2,<3"})
    assert checks.number(unit, "weight", 0.0, 1.0) == 1.0
    assert checks.whole(unit, "days", 1) == 5
    assert checks.choice(unit, "mode", ("a", "b")) == "b"
    assert checks.strings(unit, "names") == ("y", "z")
    assert checks.specifier(unit, "versions") == SpecifierSet(">=2,<3")


def test_a_value_given_as_null_is_refused_with_the_default_as_the_fix() -> None:
    # The type check lets None through for any key; the unit must not read it as a value.
    assert refusal(Sample({"weight": None}), lambda u: checks.number(u, "weight", 0.0, 1.0)) == (
        "<pipeline> [sample]: unit 'sample': weight must be a number from 0 to 1, not None\n"
        "  fix: give weight a value like its default, 0.5"
    )
    assert refusal(Sample({"names": None}), lambda u: checks.strings(u, "names")) == (
        "<pipeline> [sample]: unit 'sample': names must be a list of one or more names, not None\n"
        "  fix: give names a value like its default, ['x']"
    )


def test_bounds_are_shown_as_people_write_them() -> None:
    assert refusal(Sample({"weight": 0.75}), lambda u: checks.number(u, "weight", -0.5, 0.25)) == (
        "<pipeline> [sample]: unit 'sample': weight must be a number from -0.5 to 0.25, not 0.75\n"
        "  fix: give weight a value like its default, 0.5"
    )


def test_a_choice_lists_what_is_allowed() -> None:
    assert refusal(Sample({"mode": "c"}), lambda u: checks.choice(u, "mode", ("a", "b"))) == (
        "<pipeline> [sample]: unit 'sample': mode must be 'a' or 'b', not 'c'\n"
        "  fix: give mode a value like its default, 'a'"
    )


def test_a_specifier_that_does_not_parse_is_refused() -> None:
    assert refusal(Sample({"versions": "=>1"}), lambda u: checks.specifier(u, "versions")) == (
        "<pipeline> [sample]: unit 'sample': versions must be a version specifier such as '==2.0.0' or "
        "'>=2,<2.1', not '=>1'\n"
        "  fix: give versions a value like its default, '==1.0'"
    )
