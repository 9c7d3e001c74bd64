"""`thoth prescriptions validate|list|show`: check prescription folders, list their units, show one."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.console import Consoles
from thoth_cli.errors import ExitCode, UsageError
from thoth_cli.knowledge.prescriptions.load import (
    effective_prescriptions,
    is_bundled,
    load_file,
    prescription_files,
    unique,
)
from thoth_cli.knowledge.prescriptions.model import Prescription, PrescriptionError

SCHEMA = "thoth.prescriptions/1"

F = TypeVar("F", bound=Callable[..., Any])


def _folders_option(command: F) -> F:
    return click.option(
        "--prescriptions",
        "folders",
        multiple=True,
        type=click.Path(path_type=Path),
        help="A folder of prescription files to add (repeatable; later folders win). "
        "The prescriptions folders of .thoth.yaml come first.",
    )(command)


@click.group()
def prescriptions() -> None:
    """Check, list and show prescriptions: the declarative units thoth ships and users add."""


@prescriptions.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def validate(consoles: Consoles, paths: tuple[Path, ...]) -> None:
    """Check every prescription file of each folder (or each file) given: exit 0 when all are
    valid, 4 naming each problem's file, unit and key otherwise."""
    failed = False
    for path in paths:
        problems = _validate(path, consoles)
        failed = failed or problems
    if failed:
        raise click.exceptions.Exit(int(ExitCode.INVALID_INPUT))


def _validate(path: Path, consoles: Consoles) -> bool:
    """Check one folder or file, reporting each problem; whether there were any."""
    if path.is_dir():
        files = prescription_files(path)
        if not files:
            consoles.error(f"{path}: holds no prescription files (*.yaml, *.yml)")
            return True
    elif path.is_file():
        files = (path,)
    else:
        consoles.error(f"{path}: no such file or folder")
        return True
    units: list[Prescription] = []
    failed = False
    for file in files:
        try:
            units.extend(load_file(file))
        except PrescriptionError as exc:
            consoles.error(str(exc))
            failed = True
    if failed:
        return True
    try:
        unique(units)
    except PrescriptionError as exc:
        consoles.error(str(exc))
        return True
    files_said = "1 file" if len(files) == 1 else f"{len(files)} files"
    units_said = "1 unit" if len(units) == 1 else f"{len(units)} units"
    click.echo(f"{path}: {units_said} in {files_said}, valid")
    return False


@prescriptions.command(name="list")
@_folders_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, JSON for scripts.",
)
@click.pass_obj
def list_command(consoles: Consoles, folders: tuple[Path, ...], output_format: str) -> None:
    """List the prescriptions a run would use: name, type, description and the file of each."""
    found = effective_prescriptions(_folders(folders))
    if output_format == "json":
        data = {"schema": SCHEMA, "prescriptions": [_as_dict(p) for p in found]}
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    # Names run long: on a narrow terminal they fold rather than squeeze the description out.
    table.add_column("prescription", overflow="fold", ratio=2)
    table.add_column("type", no_wrap=True)
    table.add_column("description", overflow="fold", ratio=3, min_width=24)
    table.add_column("source", overflow="fold", ratio=1)
    for prescription in found:
        table.add_row(
            escape(prescription.name),
            prescription.type,
            escape(prescription.description),
            escape(_source(prescription)),
        )
    consoles.out.print(table)


@prescriptions.command()
@click.argument("name")
@_folders_option
@click.pass_obj
def show(consoles: Consoles, name: str, folders: tuple[Path, ...]) -> None:
    """Show the prescription NAME as its file writes it, after the file's name and line."""
    found = {p.name: p for p in effective_prescriptions(_folders(folders))}
    prescription = found.get(name)
    if prescription is None:
        close = difflib.get_close_matches(name, list(found), n=1, cutoff=0.6)
        raise UsageError(
            f"no prescription is named {name!r}",
            fix=f"did you mean {close[0]!r}?" if close else "`thoth prescriptions list` names them all",
        )
    click.echo(f"# {prescription.source}:{prescription.line}")
    click.echo(prescription.text, nl=False)


def _folders(given: tuple[Path, ...]) -> tuple[Path, ...]:
    """The .thoth.yaml's prescription folders (when one governs this folder), then those given."""
    from thoth_cli.config import find_config, read_config

    path = find_config(Path())
    configured = read_config(path).prescriptions if path is not None else ()
    return (*configured, *given)


def _source(prescription: Prescription) -> str:
    if is_bundled(prescription):
        return f"bundled: {prescription.source.name}:{prescription.line}"
    return f"{prescription.source}:{prescription.line}"


def _as_dict(prescription: Prescription) -> dict[str, object]:
    return {
        "name": prescription.name,
        "type": prescription.type,
        "description": prescription.description,
        "link": prescription.link,
        "source": str(prescription.source),
        "line": prescription.line,
        "bundled": is_bundled(prescription),
    }
