"""Atomic writes: the new content in full, or the old file byte-for-byte."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from thoth_cli.errors import ExitCode
from thoth_cli.lock.atomic import LockWriteError, write_atomic

OLD = b'{\n    "default": {}\n}\n'


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_writes_new_file_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    write_atomic(path, 'lock-version = "1.0"\nname = "caf\u00e9"\n')
    assert path.read_bytes() == 'lock-version = "1.0"\nname = "caf\u00e9"\n'.encode()
    assert _leftovers(tmp_path) == []


def test_replaces_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_bytes(OLD)
    path.chmod(0o640)
    write_atomic(path, ["{\n", "}\n"])
    assert path.read_bytes() == b"{\n}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_new_file_mode_follows_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "requirements.txt", "a==1\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "requirements.txt").stat().st_mode) == 0o644


def test_failure_while_serialising_leaves_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_bytes(OLD)

    def chunks() -> Iterator[str]:
        yield '{\n    "default": {\n'
        raise RuntimeError("serialisation failed half-way")

    with pytest.raises(RuntimeError, match="serialisation failed half-way"):
        write_atomic(path, chunks())
    assert path.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_interrupt_while_serialising_leaves_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_bytes(OLD)

    def chunks() -> Iterator[str]:
        yield "lock-version"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, chunks())
    assert path.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_unencodable_text_leaves_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(OLD)
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "caf\u00e9\n", encoding="ascii")
    assert path.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions as a non-root user"
)
def test_read_only_folder_is_an_environment_error_and_old_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_bytes(OLD)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(LockWriteError) as caught:
            write_atomic(path, 'lock-version = "1.0"\n')
    finally:
        tmp_path.chmod(0o755)
    assert path.read_bytes() == OLD
    assert str(caught.value) == (
        f"cannot write {path}: Permission denied; the previous file, if any, is unchanged\n"
        "  fix: check that the folder exists, is writable and has free space"
    )
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert caught.value.path == path


def test_missing_folder_is_an_environment_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "pylock.toml"
    with pytest.raises(LockWriteError) as caught:
        write_atomic(path, "x\n")
    assert caught.value.reason == "No such file or directory"
    assert not path.parent.exists()


def test_symlink_is_followed_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.lock"
    real.write_bytes(OLD)
    link = tmp_path / "Pipfile.lock"
    link.symlink_to(real)
    write_atomic(link, "{}\n")
    assert link.is_symlink()
    assert real.read_text() == "{}\n"


def test_failed_rename_removes_the_temporary_file(tmp_path: Path) -> None:
    # A folder in the lock's place makes the final rename fail after the content was written.
    path = tmp_path / "pylock.toml"
    path.mkdir()
    (path / "keep").write_bytes(OLD)
    with pytest.raises(LockWriteError) as caught:
        write_atomic(path, 'lock-version = "1.0"\n')
    assert caught.value.reason == "Is a directory"
    assert (path / "keep").read_bytes() == OLD
    assert _leftovers(tmp_path) == []
