"""The lock formats side by side: which one a manifest gets, where it goes, and rendering any of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from thoth_cli.index.model import IndexSpec
from thoth_cli.lock.model import CREATED_BY, LockFormat, LockTarget
from thoth_cli.lock.pipfile_lock import check_pipfile_project, pipfile_lock_text
from thoth_cli.lock.pylock import pylock_text
from thoth_cli.lock.read import read_lock
from thoth_cli.lock.requirements_txt import requirements_txt_text
from thoth_cli.project.model import Project
from thoth_cli.stack import Stack

__all__ = ["LockFormat", "check_lock_format", "lock_path_for", "read_lock", "render_lock"]


def lock_path_for(manifest: Path, lock_format: LockFormat) -> Path:
    """Where a manifest's lock goes by default: next to it, never over it.

    `requirements.in` (and `dev.in`) lock to the `.txt` of the same name, as pip-compile
    does; any other requirements file locks to `<stem>.lock.txt` (`requirements-dev.txt` to
    `requirements-dev.lock.txt`), since the folder's `requirements.txt` may be a manifest
    too. A Pipfile's lock is its name plus `.lock`, as Pipenv names it.
    """
    folder = manifest.parent
    if lock_format is LockFormat.PIPFILE_LOCK:
        return folder / (f"{manifest.name}.lock" if manifest.name.endswith("Pipfile") else "Pipfile.lock")
    if lock_format is LockFormat.REQUIREMENTS_TXT and _is_requirements_file(manifest):
        if manifest.suffix == ".in":
            return manifest.with_suffix(".txt")
        return folder / f"{manifest.stem}.lock.txt"
    return folder / lock_format.filename


def _is_requirements_file(manifest: Path) -> bool:
    return manifest.suffix in (".txt", ".in")


def check_lock_format(lock_format: LockFormat, project: Project) -> None:
    """Refuse, before any resolving, a format the project cannot be locked in."""
    if lock_format is LockFormat.PIPFILE_LOCK:
        check_pipfile_project(project)


def render_lock(
    lock_format: LockFormat,
    project: Project,
    stack: Stack,
    target: LockTarget,
    indexes: Sequence[IndexSpec] = (),
    *,
    created_by: str = CREATED_BY,
) -> str:
    """The lock file's text in `lock_format`; the same inputs give byte-identical text."""
    if lock_format is LockFormat.PYLOCK:
        return pylock_text(project, stack, target, created_by=created_by)
    if lock_format is LockFormat.PIPFILE_LOCK:
        return pipfile_lock_text(project, stack, target, indexes=indexes, created_by=created_by)
    return requirements_txt_text(project, stack, target, indexes=indexes, created_by=created_by)
