"""Finding the manifest in a folder and reading it with the right reader."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from thoth_cli.errors import Location, ManifestError, ManifestNotFoundError
from thoth_cli.project.model import ManifestKind, Project
from thoth_cli.project.reader import ManifestReader
from thoth_cli.project.toml import load_toml

# Precedence when a folder holds several manifests: the richest description first, and a
# requirements.in before the requirements.txt that is usually compiled from it.
SEARCH_ORDER: tuple[str, ...] = ("Pipfile", "pyproject.toml", "requirements.in", "requirements.txt")


@dataclass(frozen=True)
class ManifestChoice:
    """The manifest chosen in a folder, and a sentence saying why when there was a choice."""

    path: Path
    note: str | None = None


def reader_for(path: Path) -> ManifestReader:
    """The reader for a manifest path, decided by its file name."""
    from thoth_cli.project.pipfile import PipfileReader
    from thoth_cli.project.pyproject import PyprojectReader
    from thoth_cli.project.requirements import RequirementsReader

    name = path.name
    if name == "Pipfile" or name.endswith(".Pipfile"):
        return PipfileReader()
    if name == "pyproject.toml":
        return PyprojectReader()
    if name.endswith((".txt", ".in")):
        return RequirementsReader()
    raise ManifestError(
        "unknown manifest type",
        location=Location(path),
        fix="name a Pipfile, a pyproject.toml, or a requirements file ending in .txt or .in",
    )


_POETRY_DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "group")
"""Poetry tables that declare dependencies; `dev-dependencies` is Poetry 1's spelling of group `dev`."""


def _pyproject_declares_dependencies(path: Path) -> bool:
    """A pyproject.toml that only configures tools is not the project's manifest."""
    try:
        data, _ = load_toml(path)
    except ManifestError:
        return True  # let the reader report the syntax error when this one is chosen
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    return (
        "project" in data
        or "dependency-groups" in data
        or (isinstance(poetry, dict) and any(table in poetry for table in _POETRY_DEPENDENCY_TABLES))
    )


def find_manifest(directory: Path) -> ManifestChoice:
    """Pick the manifest in `directory`, saying which one when several are present."""
    present = [directory / name for name in SEARCH_ORDER if (directory / name).is_file()]
    usable = [
        path for path in present if path.name != "pyproject.toml" or _pyproject_declares_dependencies(path)
    ]
    if not usable:
        raise ManifestNotFoundError(directory.resolve())
    chosen = usable[0]
    others = [path.name for path in present if path != chosen]
    note = None
    if others:
        note = f"using {chosen.name}; also present: {', '.join(others)} (pass --manifest to choose another)"
    return ManifestChoice(chosen, note)


def load_project(manifest: Path | None = None, *, directory: Path | None = None) -> Project:
    """Read the given manifest, or the one found in `directory` (default: the current one)."""
    note = None
    if manifest is None:
        # Relative to the working folder, so that messages name "Pipfile", not a long path.
        choice = find_manifest(directory or Path())
        manifest, note = choice.path, choice.note
    project = reader_for(manifest).read(manifest)
    if note:
        project = replace(project, notes=(note, *project.notes))
    return project


__all__ = ["SEARCH_ORDER", "ManifestChoice", "ManifestKind", "find_manifest", "load_project", "reader_for"]
