"""Value checks for the built-in units' configuration, beyond the type checks every unit gets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from thoth_cli.errors import ConfigError, Location
from thoth_cli.pipeline.units import Unit

_PIPELINE = Path("<pipeline>")
"""Where the errors point, as `check_configuration` does for configurations not read from a file."""


def number(unit: Unit, key: str, low: float, high: float) -> float:
    """The configuration's `key`, a number in [low, high]."""
    value = unit.configuration.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise _refuse(unit, key, f"must be a number from {_show(low)} to {_show(high)}", value)
    return float(value)


def whole(unit: Unit, key: str, low: int) -> int:
    """The configuration's `key`, a whole number of at least `low`."""
    value = unit.configuration.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _refuse(unit, key, f"must be a whole number of at least {low}", value)
    return value


def choice(unit: Unit, key: str, allowed: Sequence[str]) -> str:
    """The configuration's `key`, one of `allowed`."""
    value = unit.configuration.get(key)
    if value not in allowed:
        names = " or ".join(repr(name) for name in allowed)
        raise _refuse(unit, key, f"must be {names}", value)
    return str(value)


def strings(unit: Unit, key: str) -> tuple[str, ...]:
    """The configuration's `key`, a list of one or more non-empty strings."""
    value = unit.configuration.get(key)
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise _refuse(unit, key, "must be a list of one or more names", value)
    return tuple(str(item) for item in value)


def specifier(unit: Unit, key: str) -> SpecifierSet:
    """The configuration's `key`, a PEP 440 version specifier such as `==2.0.0`."""
    value = unit.configuration.get(key)
    try:
        if not isinstance(value, str) or not value.strip():
            raise InvalidSpecifier(repr(value))
        return SpecifierSet(value)
    except InvalidSpecifier:
        raise _refuse(
            unit, key, "must be a version specifier such as '==2.0.0' or '>=2,<2.1'", value
        ) from None


def _refuse(unit: Unit, key: str, problem: str, value: object) -> ConfigError:
    default = type(unit).CONFIGURATION_DEFAULT.get(key)
    if isinstance(default, tuple):
        # Configurations are written in YAML or JSON, where a sequence is a list.
        default = list(default)
    return ConfigError(
        f"unit {unit.name!r}: {key} {problem}, not {value!r}",
        location=Location(_PIPELINE, key=unit.name),
        fix=f"give {key} a value like its default, {default!r}",
    )


def _show(bound: float) -> str:
    return f"{bound:g}"
