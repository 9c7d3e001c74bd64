"""Reading any lock file thoth writes back into a `LockFile`, its format told by name or content."""

from __future__ import annotations

import json
from pathlib import Path

from packaging.pylock import is_valid_pylock_path

from thoth_cli.errors import InputError, ManifestError
from thoth_cli.lock.model import LockFile, LockFormat
from thoth_cli.lock.pipfile_lock import read_pipfile_lock
from thoth_cli.lock.pylock import read_pylock
from thoth_cli.lock.requirements_txt import read_requirements_txt
from thoth_cli.project.toml import read_text


def detect_format(path: Path, text: str) -> LockFormat:
    """The lock's format: from its file name when that says, otherwise from its content."""
    name = path.name
    if is_valid_pylock_path(path):
        return LockFormat.PYLOCK
    if name == "Pipfile.lock" or name.endswith(".Pipfile.lock"):
        return LockFormat.PIPFILE_LOCK
    if name.endswith((".txt", ".in")):
        return LockFormat.REQUIREMENTS_TXT
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "_meta" in data:
            return LockFormat.PIPFILE_LOCK
    if any(line.strip().startswith("lock-version") for line in text.splitlines()):
        return LockFormat.PYLOCK
    if stripped.startswith("{"):
        return LockFormat.PIPFILE_LOCK
    return LockFormat.REQUIREMENTS_TXT


def read_lock(path: Path) -> LockFile:
    """Read the lock at `path`; an unreadable one is an InputError (exit 4) naming file and key or line."""
    text = read_lock_text(path)
    readers = {
        LockFormat.PYLOCK: read_pylock,
        LockFormat.PIPFILE_LOCK: read_pipfile_lock,
        LockFormat.REQUIREMENTS_TXT: read_requirements_txt,
    }
    return readers[detect_format(path, text)](path, text)


def read_lock_text(path: Path) -> str:
    """The lock's text (UTF-8, a byte-order mark allowed), or an InputError that says why it cannot be read.

    The manifests' reader does the reading; its error is a lock's here, not a manifest's.
    """
    try:
        return read_text(path)
    except ManifestError as exc:
        raise InputError(exc.problem, location=exc.location, text=exc.text, fix=exc.fix) from None
