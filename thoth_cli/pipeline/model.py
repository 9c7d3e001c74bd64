"""A pipeline: which units run, with which configuration, in the order they were given."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from thoth_cli.pipeline.units import (
    Boot,
    Configuration,
    Pseudonym,
    Sieve,
    Step,
    Stride,
    Unit,
    Wrap,
)

UnitSpec = tuple[type[Unit], Configuration | None]
"""A unit class and its configuration (None: the defaults)."""

UnitEntry = UnitSpec | type[Unit]
"""What the `Pipeline` constructor takes: a spec, or a bare class for its defaults."""


@dataclass(frozen=True)
class Pipeline:
    """Unit classes with their configurations, by type; `instantiate` makes the units of a run.

    The same class may appear several times (once per package it watches, say).
    """

    boots: tuple[UnitSpec, ...] = ()
    pseudonyms: tuple[UnitSpec, ...] = ()
    sieves: tuple[UnitSpec, ...] = ()
    steps: tuple[UnitSpec, ...] = ()
    strides: tuple[UnitSpec, ...] = ()
    wraps: tuple[UnitSpec, ...] = ()

    def __init__(
        self,
        *,
        boots: Iterable[UnitEntry] = (),
        pseudonyms: Iterable[UnitEntry] = (),
        sieves: Iterable[UnitEntry] = (),
        steps: Iterable[UnitEntry] = (),
        strides: Iterable[UnitEntry] = (),
        wraps: Iterable[UnitEntry] = (),
    ) -> None:
        # Lists are accepted for the notebook API; the value itself stays immutable.
        for field_name, specs, base in (
            ("boots", boots, Boot),
            ("pseudonyms", pseudonyms, Pseudonym),
            ("sieves", sieves, Sieve),
            ("steps", steps, Step),
            ("strides", strides, Stride),
            ("wraps", wraps, Wrap),
        ):
            checked = tuple(_spec(spec, base, field_name) for spec in specs)
            object.__setattr__(self, field_name, checked)

    def all(self) -> tuple[UnitSpec, ...]:
        return (*self.boots, *self.pseudonyms, *self.sieves, *self.steps, *self.strides, *self.wraps)

    def without(self, names: Iterable[str]) -> Pipeline:
        """The pipeline less the units of these names."""
        blocked = set(names)

        def keep(specs: Sequence[UnitSpec]) -> list[UnitSpec]:
            return [spec for spec in specs if spec[0].name not in blocked]

        return Pipeline(
            boots=keep(self.boots),
            pseudonyms=keep(self.pseudonyms),
            sieves=keep(self.sieves),
            steps=keep(self.steps),
            strides=keep(self.strides),
            wraps=keep(self.wraps),
        )

    def instantiate(self) -> PipelineUnits:
        def make(specs: Sequence[UnitSpec]) -> tuple[Unit, ...]:
            return tuple(cls(configuration) for cls, configuration in specs)

        return PipelineUnits(
            boots=tuple(u for u in make(self.boots) if isinstance(u, Boot)),
            pseudonyms=tuple(u for u in make(self.pseudonyms) if isinstance(u, Pseudonym)),
            sieves=tuple(u for u in make(self.sieves) if isinstance(u, Sieve)),
            steps=tuple(u for u in make(self.steps) if isinstance(u, Step)),
            strides=tuple(u for u in make(self.strides) if isinstance(u, Stride)),
            wraps=tuple(u for u in make(self.wraps) if isinstance(u, Wrap)),
        )


@dataclass(frozen=True)
class PipelineUnits:
    """The unit instances of one run, by type, in pipeline order."""

    boots: tuple[Boot, ...] = ()
    pseudonyms: tuple[Pseudonym, ...] = ()
    sieves: tuple[Sieve, ...] = ()
    steps: tuple[Step, ...] = ()
    strides: tuple[Stride, ...] = ()
    wraps: tuple[Wrap, ...] = ()

    def all(self) -> tuple[Unit, ...]:
        return (*self.boots, *self.pseudonyms, *self.sieves, *self.steps, *self.strides, *self.wraps)


def _spec(spec: object, base: type[Unit], field_name: str) -> UnitSpec:
    if isinstance(spec, type):
        cls, configuration = spec, None
    elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], type):
        cls, configuration = spec
    else:
        raise TypeError(f"Pipeline {field_name}: expected (UnitClass, configuration), got {spec!r}")
    if not issubclass(cls, base):
        raise TypeError(f"Pipeline {field_name}: {cls.__name__} is not a {base.__name__}")
    return cls, configuration
