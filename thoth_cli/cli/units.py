"""`thoth units`: every unit a pipeline can use, with its type, description and configuration."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.console import Consoles
from thoth_cli.pipeline.registry import available_units, kind_of
from thoth_cli.pipeline.report import plain
from thoth_cli.pipeline.units import Unit

SCHEMA = "thoth.units/1"


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, JSON for scripts.",
)
@click.pass_obj
def units_command(consoles: Consoles, output_format: str) -> None:
    """List the pipeline units thoth can run: built in, and installed by other packages."""
    units = available_units()
    ordered = sorted(units.values(), key=lambda cls: (_KINDS.index(kind_of(cls)), cls.name))
    if output_format == "json":
        data = {
            "schema": SCHEMA,
            "units": [_unit_dict(cls) for cls in ordered],
        }
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("unit", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("description", overflow="fold")
    table.add_column("configuration", overflow="fold")
    for cls in ordered:
        configuration = ", ".join(
            f"{key}={value!r}" for key, value in sorted(cls.CONFIGURATION_DEFAULT.items())
        )
        prescription = _prescription_file(cls)
        if prescription is not None:
            origin = "" if _shipped(cls) else f" (from {prescription})"
        else:
            origin = "" if cls.__module__.startswith("thoth_cli.") else f" (from {cls.__module__})"
        table.add_row(escape(cls.name), kind_of(cls), escape(cls.description + origin), escape(configuration))
    consoles.out.print(table)


_KINDS = ("boot", "pseudonym", "sieve", "step", "stride", "wrap")


def _unit_dict(cls: type[Unit]) -> dict[str, object]:
    prescription = _prescription_file(cls)
    return {
        "name": cls.name,
        "type": kind_of(cls),
        "description": cls.description,
        "link": cls.link,
        "configuration": {key: plain(value) for key, value in sorted(cls.CONFIGURATION_DEFAULT.items())},
        "builtin": _shipped(cls),
        "module": cls.__module__,
        "prescription": str(prescription) if prescription is not None else None,
    }


def _prescription_file(cls: type[Unit]) -> object:
    from thoth_cli.knowledge.prescriptions.units import Prescribed

    return cls.prescription.source if issubclass(cls, Prescribed) else None


def _shipped(cls: type[Unit]) -> bool:
    """Built into thoth: a built-in unit, or a prescription of the bundled knowledge."""
    from thoth_cli.knowledge.prescriptions.load import is_bundled
    from thoth_cli.knowledge.prescriptions.units import Prescribed

    if issubclass(cls, Prescribed):
        return is_bundled(cls.prescription)
    return cls.__module__.startswith("thoth_cli.")
