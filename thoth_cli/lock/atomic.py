"""Writing a file atomically: the new content in full, or the old file byte-for-byte as it was."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from thoth_cli.errors import ExternalError


class LockWriteError(ExternalError):
    """The machine would not let us write a file (exit 3); the previous file is untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot write {path}: {reason}; the previous file, if any, is unchanged",
            fix="check that the folder exists, is writable and has free space",
        )


def write_atomic(path: Path, content: str | Iterable[str], *, encoding: str = "utf-8") -> None:
    """Replace `path` with `content` (text, or text in chunks) in one step.

    The text goes to a temporary file in the same folder (so that the final rename never
    crosses file systems), is flushed to disk, and only then renamed over `path`. Any
    failure before the rename - including an exception raised while producing the chunks -
    removes the temporary file and leaves `path` as it was. Text is written as given: no
    newline translation, so the bytes are the same on every platform.
    """
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent
    temporary = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    chunks = (content,) if isinstance(content, str) else content
    try:
        # os.open with 0o666 lets the umask decide the mode, as for any file the user creates.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    except OSError as exc:
        raise LockWriteError(path, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode(encoding))
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target, temporary)
        temporary.replace(target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            raise LockWriteError(path, exc.strerror or str(exc)) from None
        raise
    _sync_folder(folder)


_O_BINARY: int = getattr(os, "O_BINARY", 0)


def _keep_mode(existing: Path, temporary: Path) -> None:
    """A rewritten file keeps the permissions the user gave the old one."""
    try:
        mode = existing.stat().st_mode
    except FileNotFoundError:
        return
    temporary.chmod(mode & 0o7777)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; folders cannot be opened on Windows, where this is moot."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
