"""The locks `thoth advise` writes, installed by the real clients (pip, Pipenv) from the test index only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from packaging.tags import sys_tags

from tests.cli.conftest import HOST, Thoth, Venv
from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.lock.builders import pip_env

HOST_TAG = str(next(iter(sys_tags())))
"""The best wheel tag of this interpreter: the fresh venv must get the wheel built for it."""

FOREIGN_TAG = "cp312-cp312-win_amd64" if sys.platform != "win32" else "cp312-cp312-manylinux_2_28_x86_64"
HOST_PLATFORM = "win32" if sys.platform == "win32" else "linux"


def universe() -> Universe:
    """requests and friends, a binary package with a wheel for here and one for elsewhere, and a
    dependency whose marker is false here."""
    packages = Universe.parse(
        "urllib3 1.26.18 2.0.7\nidna 3.6\npytest 8.0.0: iniconfig\niniconfig 2.0.0\nelsewhere-only 1.0\n"
    )
    packages.add(
        "requests",
        "2.31.0",
        requires_dist=[
            "urllib3>=1.21.1,<3",
            "idna>=2.5",
            f"elsewhere-only; sys_platform != '{HOST_PLATFORM}'",
        ],
    )
    packages.add("native", "1.0", wheels=[HOST_TAG, FOREIGN_TAG], sdist=False)
    return packages


EXPECTED = {"idna": "3.6", "native": "1.0", "requests": "2.31.0", "urllib3": "2.0.7"}


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server(universe())


def downloads(server: IndexServer) -> list[str]:
    """The distribution files the installer fetched."""
    return sorted(
        record.path.rsplit("/", 1)[1]
        for record in server.requests_to("*/files/*", method="GET")
        if not record.path.endswith(".metadata")
    )


def host_wheels() -> list[str]:
    return sorted(
        [
            "idna-3.6-py3-none-any.whl",
            f"native-1.0-{HOST_TAG}.whl",
            "requests-2.31.0-py3-none-any.whl",
            "urllib3-2.0.7-py3-none-any.whl",
        ]
    )


def test_pip_installs_requirements_txt_with_require_hashes(
    tmp_path: Path, thoth: Thoth, server: IndexServer, venv: Venv
) -> None:
    manifest = tmp_path / "requirements.in"
    manifest.write_text("requests\nnative\n", encoding="utf-8")
    locked = thoth.advise("--manifest", str(manifest), index=server, target=HOST)
    assert locked.exit_code == 0, locked.stderr
    server.clear_requests()

    installed = venv.pip(
        "install",
        "--no-cache-dir",
        "--require-hashes",
        "--index-url",
        server.url(),
        "-r",
        str(tmp_path / "requirements.txt"),
    )

    assert installed.returncode == 0, installed.stderr
    assert venv.installed() == EXPECTED
    assert downloads(server) == host_wheels()
    checked = venv.pip("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_pip_installs_pylock_toml(
    tmp_path: Path, thoth: Thoth, server: IndexServer, venv: Venv, pylock_pip: Path
) -> None:
    manifest = tmp_path / "pyproject.toml"
    manifest.write_text(
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["requests", "native"]\n\n'
        '[dependency-groups]\ndev = ["pytest"]\n',
        encoding="utf-8",
    )
    # Only X.Y, as users name their Python: the lock then claims any X.Y.Z (python_version).
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    locked = thoth.advise(
        "--manifest", str(manifest), "--dev", index=server, target=("--python-version", python)
    )
    assert locked.exit_code == 0, locked.stderr
    server.clear_requests()

    installed = venv.pip(
        "install",
        "--no-cache-dir",
        "--index-url",
        server.url(),
        "-r",
        str(tmp_path / "pylock.toml"),
        installer=pylock_pip,
    )

    assert installed.returncode == 0, installed.stderr
    # pip installs the default groups; the dev group's packages stay out.
    assert venv.installed(pylock_pip) == EXPECTED
    assert downloads(server) == host_wheels()
    checked = venv.pip("check", installer=pylock_pip)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_pipenv_verifies_the_pipfile_lock_and_installs_from_it(
    tmp_path: Path, thoth: Thoth, server: IndexServer, venv: Venv, pipenv: Path
) -> None:
    manifest = tmp_path / "Pipfile"
    manifest.write_text(
        '[[source]]\nname = "test"\nurl = "http://${TEST_INDEX_HOST}/pypi/simple"\nverify_ssl = false\n\n'
        '[packages]\nrequests = "*"\nnative = "*"\n\n[dev-packages]\npytest = "*"\n\n'
        f'[requires]\npython_version = "{sys.version_info.major}.{sys.version_info.minor}"\n',
        encoding="utf-8",
    )
    index_host = {"TEST_INDEX_HOST": server.base_url.removeprefix("http://")}
    locked = thoth.advise("--manifest", str(manifest), env=index_host, target=HOST)
    assert locked.exit_code == 0, locked.stderr
    server.clear_requests()

    verified = _pipenv(pipenv, manifest, "verify", env=index_host)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Pipfile.lock is up-to-date." in verified.stdout + verified.stderr

    # What Pipenv reads from the lock, installed by pip with the hashes Pipenv gives it.
    listed = _pipenv(pipenv, manifest, "requirements", "--dev", "--hash", env=index_host)
    assert listed.returncode == 0, listed.stderr
    requirements = tmp_path / "from-pipenv.txt"
    requirements.write_text(listed.stdout, encoding="utf-8")
    installed = venv.pip(
        "install",
        "--no-cache-dir",
        "--require-hashes",
        "--index-url",
        server.url(),
        "-r",
        str(requirements),
        env=index_host,
    )
    assert installed.returncode == 0, installed.stderr
    assert venv.installed() == {**EXPECTED, "iniconfig": "2.0.0", "pytest": "8.0.0"}
    checked = venv.pip("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _pipenv(
    python: Path, pipfile: Path, *arguments: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    # Pipenv reads pip's configuration for default sources: the machine's must not leak in.
    environment = {key: value for key, value in pip_env().items() if not key.startswith("PIPENV_")}
    environment.update(env, PIPENV_PIPFILE=str(pipfile), PIPENV_YES="1")
    return subprocess.run(
        [str(python), "-m", "pipenv", *arguments],
        env=environment,
        cwd=pipfile.parent,
        capture_output=True,
        text=True,
        check=False,
    )
