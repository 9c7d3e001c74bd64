"""Fixtures for end-to-end `thoth` tests: the command run in-process, and real installers in fresh venvs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.indexserver import IndexServer
from tests.installers import PYLOCK_PIP, pip_version, venv_python  # noqa: F401  # re-exported for the cli tests
from tests.lock.builders import pip_env
from thoth_cli.cli.main import cli

LINUX_312 = ("--python-version", "3.12", "--platform", "manylinux_2_28_x86_64")
"""The target most tests resolve for: fixed, so that locks do not depend on the machine running them."""

HOST: tuple[str, ...] = ()
"""No target options: resolve for this interpreter on this machine (what a fresh venv of it installs)."""

ADVISORY_OPTIONS = ("--advisories", "--osv-url", "--no-advisories")
"""The options that say where a run's advisories come from; without one, the runner passes --no-advisories."""

# Variables of the machine that would point a run at another index, advisory service or cache, or
# colour its output.
_THOTH_ENVIRONMENT = (
    "THOTH_INDEX_URL",
    "THOTH_EXTRA_INDEX_URL",
    "THOTH_OSV_URL",
    "THOTH_CACHE_DIR",
    "NO_COLOR",
    "FORCE_COLOR",
)


@dataclass(frozen=True)
class Thoth:
    """`thoth advise` run in-process as a user runs it, with a private cache, never the real index and
    never the real OSV API."""

    cache_dir: Path

    def advise(
        self,
        *arguments: str,
        index: IndexServer | None = None,
        target: Sequence[str] = LINUX_312,
        env: Mapping[str, str | None] | None = None,
        advisories: bool = False,
    ) -> Result:
        """Run `thoth advise`; `index` passes `--index-url` of the test index (leave it out to use the
        manifest's sources). Every run must end through the CLI's own error handling.

        Advisories are off (`--no-advisories`) unless the arguments name their source or
        `advisories` is true (the run then reads them where a user's would: .thoth.yaml, else
        the OSV API, which a test must point at its own server). A default of the real OSV API
        would reach the network from every test; an address that refuses connections would
        cost each run its retries and fail every `-t security` run.
        """
        command = ["--color", "never", "advise", "--cache-dir", str(self.cache_dir)]
        if index is not None:
            command += ["--index-url", index.url()]
        if not advisories and not any(argument in ADVISORY_OPTIONS for argument in arguments):
            command.append("--no-advisories")
        command += [*target, *arguments]
        environment: dict[str, str | None] = dict.fromkeys(_THOTH_ENVIRONMENT)
        environment.update(env or {})
        result = CliRunner().invoke(cli, command, env=environment)
        # An exception that escaped the command would reach the user as a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert "Traceback" not in result.stderr
        return result


@pytest.fixture
def thoth(tmp_path: Path) -> Thoth:
    return Thoth(tmp_path / "cache")


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment without pip, driven by another interpreter's pip (`pip --python`)."""

    python: Path

    def pip(
        self, *arguments: str, installer: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `pip <arguments>` on this venv with `installer`'s pip (default: this interpreter's),
        configured to see nothing but what the arguments name (plus `env`)."""
        command = [str(installer or sys.executable), "-m", "pip", "--python", str(self.python), *arguments]
        environment = {**pip_env(), **(env or {})}
        return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)

    def installed(self, installer: Path | None = None) -> dict[str, str]:
        """Distribution name -> version, as `pip list` sees the venv."""
        listed = self.pip("list", "--format", "freeze", installer=installer)
        assert listed.returncode == 0, listed.stderr
        return dict(line.split("==", 1) for line in listed.stdout.splitlines() if "==" in line)


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    folder = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return Venv(venv_python(folder))


def __getattr__(name: str) -> object:
    # The installer fixtures live in tests.installers and are registered once, in tests/conftest.py;
    # binding them here too would make pytest build a second, separate session instance of each.
    if name in ("pipenv", "pylock_pip"):
        from tests import installers

        return getattr(installers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
