"""Reading any lock back: the format told by file name or content, and unreadable files as input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lock.builders import (
    StubTarget,
    pipfile_project,
    pyproject_project,
    requirements_project,
    small_stack,
)
from thoth_cli.errors import ExitCode, InputError
from thoth_cli.lock.model import LockFormat
from thoth_cli.lock.pipfile_lock import pipfile_lock_text
from thoth_cli.lock.pylock import pylock_text
from thoth_cli.lock.read import detect_format, read_lock
from thoth_cli.lock.requirements_txt import requirements_txt_text


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pylock.toml", "", LockFormat.PYLOCK),
        ("pylock.dev.toml", "", LockFormat.PYLOCK),
        ("Pipfile.lock", "", LockFormat.PIPFILE_LOCK),
        ("web.Pipfile.lock", "", LockFormat.PIPFILE_LOCK),
        ("requirements.txt", "", LockFormat.REQUIREMENTS_TXT),
        ("requirements-dev.txt", "", LockFormat.REQUIREMENTS_TXT),
        ("lock", '{\n  "_meta": {},\n  "default": {}\n}\n', LockFormat.PIPFILE_LOCK),
        ("lock", '{"default": ', LockFormat.PIPFILE_LOCK),
        ("lock", 'lock-version = "1.0"\ncreated-by = "x"\n', LockFormat.PYLOCK),
        ("lock", "requests==2.31.0\n", LockFormat.REQUIREMENTS_TXT),
    ],
)
def test_detect_format(name: str, text: str, expected: LockFormat) -> None:
    assert detect_format(Path(name), text) is expected


def test_reads_each_format_it_writes(tmp_path: Path) -> None:
    stack, target = small_stack(), StubTarget()
    written = {
        "pylock.toml": pylock_text(pyproject_project(tmp_path), stack, target),
        "Pipfile.lock": pipfile_lock_text(pipfile_project(tmp_path), stack, target),
        "requirements.txt": requirements_txt_text(requirements_project(tmp_path), stack, target),
    }
    for name, text in written.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        lock = read_lock(tmp_path / name)
        assert lock.format is LockFormat(name)
        assert lock.path == tmp_path / name
        assert {name: str(version) for name, version in lock.pins().items()} == {
            "iniconfig": "2.0.0",
            "pytest": "8.0.0",
            "requests": "2.31.0",
            "urllib3": "2.0.7",
        }


def test_a_lock_under_another_name_is_read_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "production.lock"
    path.write_text(pylock_text(pyproject_project(tmp_path), small_stack(), StubTarget()), encoding="utf-8")
    assert read_lock(path).format is LockFormat.PYLOCK


def test_missing_lock(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_lock(tmp_path / "pylock.toml")
    assert str(caught.value) == f"{tmp_path / 'pylock.toml'}: file not found"
    assert type(caught.value) is InputError  # a lock's error, not a manifest's
    assert caught.value.exit_code is ExitCode.INVALID_INPUT


def test_a_folder_is_not_a_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").mkdir()
    with pytest.raises(InputError) as caught:
        read_lock(tmp_path / "Pipfile.lock")
    assert str(caught.value) == f"{tmp_path / 'Pipfile.lock'}: is a folder, not a file"


def test_a_lock_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"a==1\nb==2 # caf\xe9\n")
    with pytest.raises(InputError) as caught:
        read_lock(path)
    assert str(caught.value) == f"{path}:2: not valid UTF-8 text\n  fix: save the file as UTF-8"
    assert type(caught.value) is InputError


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\xef\xbb\xbfsix==1.16.0\n")
    assert [package.name for package in read_lock(path).packages] == ["six"]
