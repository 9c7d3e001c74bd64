"""The formats side by side: default lock paths and rendering by format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lock.builders import (
    PYPI,
    StubTarget,
    pipfile_project,
    pyproject_project,
    requirements_project,
    small_stack,
)
from thoth_cli.lock.formats import LockFormat, lock_path_for, render_lock
from thoth_cli.lock.pipfile_lock import pipfile_lock_text
from thoth_cli.lock.pylock import pylock_text
from thoth_cli.lock.requirements_txt import requirements_txt_text


@pytest.mark.parametrize(
    ("manifest", "lock_format", "expected"),
    [
        ("app/Pipfile", LockFormat.PIPFILE_LOCK, "app/Pipfile.lock"),
        ("app/web.Pipfile", LockFormat.PIPFILE_LOCK, "app/web.Pipfile.lock"),
        ("app/pyproject.toml", LockFormat.PIPFILE_LOCK, "app/Pipfile.lock"),
        ("app/pyproject.toml", LockFormat.PYLOCK, "app/pylock.toml"),
        ("app/Pipfile", LockFormat.PYLOCK, "app/pylock.toml"),
        ("app/requirements.in", LockFormat.REQUIREMENTS_TXT, "app/requirements.txt"),
        ("app/dev.in", LockFormat.REQUIREMENTS_TXT, "app/dev.txt"),
        ("app/requirements.txt", LockFormat.REQUIREMENTS_TXT, "app/requirements.lock.txt"),
        ("app/requirements-dev.txt", LockFormat.REQUIREMENTS_TXT, "app/requirements-dev.lock.txt"),
        ("app/requirements-dev.txt", LockFormat.PYLOCK, "app/pylock.toml"),
        ("app/Pipfile", LockFormat.REQUIREMENTS_TXT, "app/requirements.txt"),
        ("app/pyproject.toml", LockFormat.REQUIREMENTS_TXT, "app/requirements.txt"),
    ],
)
def test_lock_path_for(manifest: str, lock_format: LockFormat, expected: str) -> None:
    assert lock_path_for(Path(manifest), lock_format) == Path(expected)


def test_the_manifest_chooses_the_default_format(tmp_path: Path) -> None:
    assert LockFormat.for_manifest(pipfile_project(tmp_path)) is LockFormat.PIPFILE_LOCK
    assert LockFormat.for_manifest(pyproject_project(tmp_path)) is LockFormat.PYLOCK
    assert LockFormat.for_manifest(requirements_project(tmp_path)) is LockFormat.REQUIREMENTS_TXT


def test_render_lock_dispatches_to_each_writer(tmp_path: Path) -> None:
    stack, target = small_stack(), StubTarget()
    pipfile, pyproject = pipfile_project(tmp_path), pyproject_project(tmp_path)
    requirements = requirements_project(tmp_path)
    assert render_lock(LockFormat.PYLOCK, pyproject, stack, target, (PYPI,)) == pylock_text(
        pyproject, stack, target
    )
    assert render_lock(LockFormat.PIPFILE_LOCK, pipfile, stack, target, (PYPI,)) == pipfile_lock_text(
        pipfile, stack, target
    )
    assert render_lock(LockFormat.REQUIREMENTS_TXT, requirements, stack, target, (PYPI,)) == (
        requirements_txt_text(requirements, stack, target, indexes=(PYPI,))
    )
    assert (
        render_lock(LockFormat.PYLOCK, pyproject, stack, target, created_by="thoth_cli 9.9").count(
            'created-by = "thoth_cli 9.9"'
        )
        == 1
    )
