"""The lock a command works on when none is named: the one next to the manifest in this folder."""

from __future__ import annotations

from pathlib import Path

from thoth_cli.errors import InputError, Location, ManifestNotFoundError
from thoth_cli.lock.formats import lock_path_for
from thoth_cli.lock.model import LockFormat
from thoth_cli.project.load import find_manifest, reader_for


def lock_here(
    command: str, *, purpose: str = "", usage: str | None = None, directory: Path | None = None
) -> Path:
    """The lock next to the manifest found in `directory` (default: here), in the manifest's usual format.

    The fixes name `command`, how to name a lock to it (`usage`, default `thoth COMMAND LOCK`)
    and what the lock is for (`purpose`: "to audit").
    """
    how = usage or f"thoth {command} LOCK"
    try:
        manifest = find_manifest(directory or Path()).path
    except ManifestNotFoundError as exc:
        raise ManifestNotFoundError(
            exc.directory, fix=f"run thoth {command} in your project's folder or name the lock: {how}"
        ) from None
    lock = lock_path_for(manifest, LockFormat(reader_for(manifest).kind.default_lock_format))
    if not lock.is_file():
        wanted = f"the lock {purpose}" if purpose else "the lock"
        raise InputError(
            f"no lock file next to {manifest.name}",
            location=Location(lock),
            fix=f"write it with thoth advise, or name {wanted}: {how}",
        )
    return lock
