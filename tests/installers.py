"""Real installers for tests: Pipenv and a pip that reads pylock.toml, each made once per test session."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from tests.lock.builders import pip_env

PYLOCK_PIP = Version("26.1")
"""The first pip that installs from `-r pylock.toml` (experimental there)."""


def venv_python(folder: Path) -> Path:
    """The interpreter of the virtual environment at `folder`."""
    return folder / ("Scripts" if sys.platform == "win32" else "bin") / "python"


def pip_version(python: Path) -> Version:
    """The version of `python`'s pip."""
    shown = subprocess.run(
        [str(python), "-m", "pip", "--version"], env=pip_env(), capture_output=True, text=True, check=True
    )
    match = re.match(r"pip (\S+)", shown.stdout)
    assert match, shown.stdout
    return Version(match.group(1))


def _venv_with(tmp_path_factory: pytest.TempPathFactory, name: str, requirement: str) -> Path:
    """A fresh virtual environment holding `requirement`; skips the tests that need it when it cannot be had.

    The requirement comes from the package index with the machine's own pip configuration (unlike the
    tests' own pip runs, which see only the test index), so this needs the index to be reachable.
    """
    folder = tmp_path_factory.mktemp(name) / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(folder)], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtual environment: {made.stderr.strip()[-300:]}")
    python = venv_python(folder)
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        pytest.skip(f"cannot install {requirement} from the package index: {installed.stderr.strip()[-300:]}")
    return python


@pytest.fixture(scope="session")
def pipenv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a virtual environment with the newest Pipenv from the package index."""
    return _venv_with(tmp_path_factory, "pipenv", "pipenv")


@pytest.fixture(scope="session")
def pylock_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter whose pip installs from pylock.toml: this one, else a venv with a recent pip."""
    if pip_version(Path(sys.executable)) >= PYLOCK_PIP:
        return Path(sys.executable)
    return _venv_with(tmp_path_factory, "pylock-pip", f"pip>={PYLOCK_PIP}")
