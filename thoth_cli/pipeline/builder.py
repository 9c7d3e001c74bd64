"""Building the pipeline for a request: each unit's `should_include` decides whether it joins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from thoth_cli.errors import UnitError, UsageError
from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.model import Pipeline, UnitSpec
from thoth_cli.pipeline.units import Boot, Pseudonym, Sieve, Step, Stride, Unit, Wrap


def check_blocked(blocked: Iterable[str], available: Mapping[str, type[Unit]]) -> frozenset[str]:
    """`--block-unit` names: each must name a unit, or the user believes something is off that is not."""
    names = frozenset(blocked)
    unknown = sorted(names - set(available))
    if unknown:
        raise UsageError(
            f"--block-unit: no unit is named {', '.join(repr(n) for n in unknown)}",
            fix=f"name one of: {', '.join(sorted(available))} (`thoth units` describes them)",
        )
    return names


def build_pipeline(
    context: BuilderContext, units: Iterable[type[Unit]], *, blocked: Iterable[str] = ()
) -> Pipeline:
    """The units that choose to join for `context`, in the order given, less the blocked ones."""
    blocked_names = frozenset(blocked)
    by_kind: dict[type[Unit], list[UnitSpec]] = {
        kind: [] for kind in (Boot, Pseudonym, Sieve, Step, Stride, Wrap)
    }
    for cls in units:
        if cls.name in blocked_names:
            continue
        try:
            configurations = list(cls.should_include(context))
        except Exception as exc:
            raise UnitError(cls.name, f"should_include failed: {type(exc).__name__}: {exc}") from exc
        kind = next(base for base in by_kind if issubclass(cls, base))
        for configuration in configurations:
            by_kind[kind].append((cls, configuration))
    return Pipeline(
        boots=by_kind[Boot],
        pseudonyms=by_kind[Pseudonym],
        sieves=by_kind[Sieve],
        steps=by_kind[Step],
        strides=by_kind[Stride],
        wraps=by_kind[Wrap],
    )
