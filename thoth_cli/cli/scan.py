"""`thoth scan`: the libraries and symbols a project's sources use, read without running them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from packaging.version import InvalidVersion, Version
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.console import Consoles
from thoth_cli.usage.scan import FileUsage, ScanResult, scan
from thoth_cli.usage.stdlib import PythonVersion, StandardLibrary

SCHEMA = "thoth.scan/1"

SHOWN_SYMBOLS = 3
"""Symbols the table lists per library before it says how many more there are (-v lists all)."""


def parse_python_version(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> PythonVersion | None:
    """`3.12`, `3.12.4` or `3.13t` as (3, 12): the standard library is the same for each micro
    version and for the free-threaded build."""
    if value is None:
        return None
    try:
        release = Version(value.strip().removesuffix("t")).release
    except InvalidVersion:
        release = ()
    if len(release) < 2 or release[0] != 3:
        raise click.BadParameter(f"{value!r} is not a Python 3 version such as 3.12", ctx=ctx, param=param)
    return (release[0], release[1])


def _version(version: PythonVersion) -> str:
    return f"{version[0]}.{version[1]}"


def file_as_dict(file: FileUsage) -> dict[str, Any]:
    return {
        "path": file.path.as_posix(),
        "modules": {
            "stdlib": sorted(file.modules.stdlib),
            "third_party": sorted(file.modules.third_party),
            "first_party": sorted(file.modules.first_party),
        },
        "type_checking_only": sorted(file.modules.type_checking_only),
        "symbols": sorted(file.symbols),
        "error": file.error.message if file.error is not None else None,
    }


def result_as_dict(result: ScanResult) -> dict[str, Any]:
    """A JSON-ready view of a scan (schema `thoth.scan/1`)."""
    usage = result.usage()
    return {
        "schema": SCHEMA,
        "root": str(result.root),
        "python_version": _version(result.standard_library.based_on),
        "files": [file_as_dict(file) for file in result.files],
        "usage": {"modules": sorted(usage.modules), "symbols": sorted(usage.symbols)},
    }


@dataclass
class Library:
    """One third-party library over the files that import it."""

    files: int = 0
    symbols: set[str] = field(default_factory=set)
    runtime: bool = False
    """Imported at run time by at least one file, not only for type checking."""


def libraries(result: ScanResult) -> dict[str, Library]:
    """Third-party libraries by name, in name order."""
    found: dict[str, Library] = {}
    for file in result.files:
        for module in file.modules.third_party:
            library = found.setdefault(module, Library())
            library.files += 1
            library.runtime |= module not in file.modules.type_checking_only
            library.symbols |= {s for s in file.symbols if s.partition(".")[0] == module}
    return dict(sorted(found.items()))


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=Path(), required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--python-version",
    "python_version",
    callback=parse_python_version,
    metavar="X.Y",
    default=None,
    help="Tell the standard library of this Python from third-party modules (default: the running one's).",
)
@click.pass_obj
def scan_command(consoles: Consoles, path: Path, fmt: str, python_version: PythonVersion | None) -> None:
    """Report the libraries and fully qualified symbols PATH's Python files use (default: here).

    Nothing is imported or run: the sources are parsed. Hidden folders, virtual and conda
    environments, build output, __pycache__ and node_modules are not entered. Files that
    cannot be parsed are reported and skipped.
    """
    result = scan(path, python_version=python_version)
    _say_standard_library(consoles, result.standard_library)
    for folder in result.skipped:
        consoles.debug(f"not entered: {folder.as_posix()}")
    for error in result.errors:
        consoles.warning(f"skipped {error}")
    if fmt == "json":
        consoles.out.print_json(json.dumps(result_as_dict(result)))
    else:
        show_libraries(consoles, result)
    read = len(result.files) - len(result.errors)
    libraries_found = len(result.usage().modules)
    consoles.info(
        f"read {read} of {_count(len(result.files), 'Python file')} in {path}: "
        f"{_count(libraries_found, 'third-party library', 'third-party libraries')}"
    )


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _say_standard_library(consoles: Consoles, stdlib: StandardLibrary) -> None:
    if stdlib.assumed:
        consoles.info(
            f"standard-library modules are told apart as Python {_version(stdlib.version)} (running thoth) "
            "has them; pass --python-version X.Y for the target's"
        )
    elif not stdlib.exact:
        consoles.warning(
            f"thoth knows the standard library as far as Python {_version(stdlib.based_on)}; "
            f"Python {_version(stdlib.version)}'s is taken to be the same"
        )


def show_libraries(consoles: Consoles, result: ScanResult) -> None:
    """One row per third-party library: how many files import it and the symbols they use."""
    found = libraries(result)
    if not found:
        consoles.out.print("no third-party libraries imported")
        return
    verbose = consoles.verbosity >= 1
    table = Table(box=None, pad_edge=False)
    table.add_column("library")
    table.add_column("files", justify="right")
    table.add_column("symbols used")
    for name, library in found.items():
        symbols = sorted(library.symbols - {name})
        shown = symbols if verbose else symbols[:SHOWN_SYMBOLS]
        text = ", ".join(shown)
        if len(shown) < len(symbols):
            text += f", … ({len(symbols) - len(shown)} more; -v lists them)"
        label = name if library.runtime else f"{name} (type checking only)"
        table.add_row(escape(label), str(library.files), escape(text))
    consoles.out.print(table)
