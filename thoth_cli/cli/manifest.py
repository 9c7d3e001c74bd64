"""`thoth manifest`: show what thoth read from the project's manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.console import Consoles
from thoth_cli.index.model import redact
from thoth_cli.project.load import load_project
from thoth_cli.project.model import Project


def project_as_dict(project: Project) -> dict[str, Any]:
    """A JSON-ready view of a project (schema `thoth.manifest/1`)."""
    return {
        "schema": "thoth.manifest/1",
        "manifest": str(project.manifest),
        "kind": project.kind.value,
        "name": project.name,
        "version": project.version,
        "requires_python": str(project.requires_python) if project.requires_python is not None else None,
        "python_version": project.python_version,
        "allow_prereleases": project.allow_prereleases,
        "sources": [
            {"name": s.name, "url": redact(s.url), "verify_ssl": s.verify_ssl, "explicit": s.explicit}
            for s in project.sources
        ],
        "requirements": [
            {
                "name": r.name,
                "requirement": str(r),
                "group": str(r.group),
                "index": r.index,
                "editable": r.editable,
                "allow_prereleases": r.allow_prereleases,
            }
            for r in project.requirements
        ],
        "constraints": [str(c) for c in project.constraints],
        "notes": list(project.notes),
    }


@click.command()
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The manifest to read (default: found in the current folder).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def manifest(consoles: Consoles, manifest_path: Path | None, fmt: str) -> None:
    """Show the requirements, sources and Python range thoth reads from the manifest."""
    project = load_project(manifest_path)
    for note in project.notes:
        consoles.info(note)
    if fmt == "json":
        consoles.out.print_json(json.dumps(project_as_dict(project)))
        return
    table = Table(title=escape(f"{project.manifest} ({project.kind.value})"), title_justify="left")
    table.add_column("group")
    table.add_column("requirement")
    table.add_column("index")
    for req in project.requirements:
        table.add_row(escape(str(req.group)), escape(str(req)), escape(req.index or ""))
    consoles.out.print(table)
    if project.sources:
        shown = ", ".join(f"{s.name} ({redact(s.url)})" for s in project.sources)
        consoles.out.print(escape(f"sources: {shown}"))
    if project.requires_python is not None:
        consoles.out.print(escape(f"requires-python: {project.requires_python}"))
    if project.python_version:
        consoles.out.print(escape(f"python: {project.python_version}"))
