"""Every unit a pipeline can name: built in, bundled prescriptions, installed under `thoth_cli.units`,
and the user's prescription folders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from thoth_cli.errors import UnitError
from thoth_cli.pipeline.units import UNIT_KINDS, Unit

ENTRY_POINT_GROUP = "thoth_cli.units"


def builtin_units() -> tuple[type[Unit], ...]:
    """The units thoth ships, in pipeline order."""
    from thoth_cli.pipeline.builtin import BUILTIN_UNITS
    from thoth_cli.pipeline.builtin.prerelease import PrereleaseStep

    return (PrereleaseStep, *BUILTIN_UNITS)


def installed_units(points: Iterable[EntryPoint] | None = None) -> tuple[type[Unit], ...]:
    """Units other packages register: `[project.entry-points."thoth_cli.units"] name = "pkg.mod:Class"`.

    A broken entry point is a unit error naming it (exit 5), not a silent omission: the
    user installed it to have it run.
    """
    found: list[type[Unit]] = []
    listed = entry_points(group=ENTRY_POINT_GROUP) if points is None else points
    for point in sorted(listed, key=lambda p: p.name):
        try:
            loaded = point.load()
        except Exception as exc:
            raise UnitError(point.name, f"entry point {point.value!r} cannot be loaded: {exc}") from None
        if not (isinstance(loaded, type) and issubclass(loaded, UNIT_KINDS)) or not loaded.name:
            raise UnitError(
                point.name,
                f"entry point {point.value!r} is not a unit class (a named subclass of Boot, Pseudonym, "
                "Sieve, Step, Stride or Wrap)",
            )
        found.append(loaded)
    return tuple(found)


def bundled_units() -> tuple[type[Unit], ...]:
    """The units of the prescriptions thoth ships (thoth_cli/knowledge/data), read once per process."""
    from thoth_cli.knowledge.prescriptions.load import bundled_prescriptions
    from thoth_cli.knowledge.prescriptions.units import compile_prescription

    return tuple(compile_prescription(prescription) for prescription in bundled_prescriptions())


def prescribed_units(directories: Sequence[Path]) -> tuple[type[Unit], ...]:
    """The units of user prescription folders (or files), in the order given; a later folder's unit
    replaces an earlier one of its name."""
    from thoth_cli.knowledge.prescriptions.load import load_directories
    from thoth_cli.knowledge.prescriptions.units import compile_prescription

    units: dict[str, type[Unit]] = {}
    for _, prescriptions in load_directories(directories):
        for prescription in prescriptions:
            units[prescription.name] = compile_prescription(prescription)
    return tuple(units.values())


def available_units(
    points: Iterable[EntryPoint] | None = None, *, prescriptions: Sequence[Path] = ()
) -> dict[str, type[Unit]]:
    """Unit name -> class: the built-in units, the bundled prescriptions, the installed units, then
    the prescriptions of the folders given, each replacing an earlier unit of its name.

    A broken prescription (bundled or the user's) is a `PrescriptionError` naming the file,
    the unit and the key (exit 4).
    """
    units: dict[str, type[Unit]] = {cls.name: cls for cls in builtin_units()}
    units.update((cls.name, cls) for cls in bundled_units())
    installed: dict[str, type[Unit]] = {}
    for cls in installed_units(points):
        known = installed.get(cls.name)
        if known is not None and known is not cls:
            raise UnitError(
                cls.name,
                f"two installed units share the name: {known.__module__}.{known.__qualname__} and "
                f"{cls.__module__}.{cls.__qualname__}",
            )
        installed[cls.name] = cls
    units.update(installed)
    units.update((cls.name, cls) for cls in prescribed_units(prescriptions))
    return units


def kind_of(cls: type[Unit]) -> str:
    return next(base.kind for base in UNIT_KINDS if issubclass(cls, base))
