"""`thoth check` on locks that `thoth advise` wrote against the test index, then changed under them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from tests.cli.conftest import LINUX_312, Thoth
from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.knowledge.osv_server import OsvServer, load_records
from thoth_cli.cli.check import check_command
from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.cli.main import ThothGroup

UNIVERSE = """\
requests 2.31.0: urllib3>=1.21.1,<3, idna>=2.5
urllib3 1.26.16 1.26.18
idna 3.6
"""

PYPROJECT = """\
[project]
name = "app"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["requests>=2.31", "urllib3<2"]
"""

PIPFILE = """\
[[source]]
name = "test"
url = "http://${TEST_INDEX_HOST}/pypi/simple"
verify_ssl = false

[packages]
requests = "*"

[requires]
python_version = "3.12"
"""


SCHEMA = json.loads(files("thoth_cli.schemas").joinpath("check.schema.json").read_text(encoding="utf-8"))
"""The schema as the installed package ships it."""


def test_the_shipped_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def check(*arguments: str, cache: Path, env: Mapping[str, str | None] | None = None) -> Run:
    """`thoth check` as the command group runs it (errors become exit codes), colour off, 100 columns."""
    out, err = io.StringIO(), io.StringIO()
    consoles = Consoles(out=make_console(out, color=False), err=make_console(err, color=False))
    consoles.out.width = consoles.err.width = 100
    group = ThothGroup(name="thoth", commands={"check": check_command})
    environment: dict[str, str | None] = {
        "THOTH_CACHE_DIR": None,
        "THOTH_INDEX_URL": None,
        "THOTH_OSV_URL": None,
    }
    environment.update(env or {})
    result = CliRunner().invoke(
        group, ["check", "--cache-dir", str(cache), *arguments], obj=consoles, env=environment
    )
    # An exception that escaped the command would reach the user as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return Run(result.exit_code, out.getvalue(), err.getvalue())


def valid(stdout: str) -> Any:
    """The JSON report, validated against the schema thoth ships."""
    data = json.loads(stdout)
    jsonschema.validate(data, SCHEMA)
    return data


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server(UNIVERSE)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def locked(project: Path, server: IndexServer, thoth: Thoth) -> Path:
    """pylock.toml written by thoth advise for LINUX_312 against the test index."""
    result = thoth.advise("--manifest", str(project / "pyproject.toml"), index=server)
    assert result.exit_code == 0, result.stderr
    return project / "pylock.toml"


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    affected = {("urllib3", "1.26.16"): ["GHSA-g4mx-q9vg-27p4", "PYSEC-2023-192", "PYSEC-2023-212"]}
    with OsvServer(records=load_records(), affected=affected) as server:
        yield server


TARGET = "CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64"


def test_a_fresh_lock_holds_and_exits_0(locked: Path, tmp_path: Path) -> None:
    result = check(*LINUX_312, "--no-advisories", cache=tmp_path / "check-cache")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"pylock.toml (pylock.toml) for {TARGET}\n"
        "┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ check           ┃ result  ┃ found                                                           ┃\n"
        "┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ current         │ pass    │ pyproject.toml is unchanged since the lock was written (sha256) │\n"
        "│ environment     │ pass    │ 3 pins for CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64  │\n"
        "│ yanked          │ pass    │ 3 of 3 pins checked on their index                              │\n"
        "│ vulnerabilities │ skipped │ not checked (--no-advisories)                                   │\n"
        "└─────────────────┴─────────┴─────────────────────────────────────────────────────────────────┘\n"
        "pylock.toml: holds\n"
    )
    assert result.stderr == ""


def test_json_validates_against_the_schema(locked: Path, tmp_path: Path) -> None:
    result = check(*LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "check-cache")
    assert result.exit_code == 0, result.stderr
    data = valid(result.stdout)
    assert (data["schema"], data["lock"], data["format"], data["manifest"], data["ok"]) == (
        "thoth.check/1",
        "pylock.toml",
        "pylock.toml",
        "pyproject.toml",
        True,
    )
    assert data["target"] == {
        "description": TARGET,
        "python": "3.12.0",
        "implementation": "cpython",
        "platform": "manylinux_2_28_x86_64",
    }
    assert [(c["name"], c["status"]) for c in data["checks"]] == [
        ("current", "pass"),
        ("environment", "pass"),
        ("yanked", "pass"),
        ("vulnerabilities", "skipped"),
    ]
    assert data["problems"] == [] and data["warnings"] == []


def test_a_changed_manifest_makes_the_lock_stale_naming_each_difference(locked: Path, tmp_path: Path) -> None:
    before = locked.read_text(encoding="utf-8")
    (locked.parent / "pyproject.toml").write_text(
        PYPROJECT.replace('"urllib3<2"', '"urllib3<2", "idna>=4"'), encoding="utf-8"
    )
    result = check(*LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "check-cache")
    assert result.exit_code == 1, result.stderr
    data = valid(result.stdout)
    problems = data["problems"]
    assert isinstance(problems, list)
    assert problems[0]["check"] == "current"
    assert problems[0]["message"].startswith(
        "pyproject.toml changed since the lock was written: its sha256 is "
    )
    assert problems[1] == {
        "check": "current",
        "package": "idna",
        "version": "3.6",
        "message": "pyproject.toml:5 [project.dependencies] asks for idna>=4, and the lock pins 3.6",
        "fix": "lock it again with thoth advise",
    }
    assert len(problems) == 2
    assert locked.read_text(encoding="utf-8") == before


def test_a_yanked_pin_fails_with_the_index_reason(locked: Path, server: IndexServer, tmp_path: Path) -> None:
    server.universe("pypi").yank("urllib3", "1.26.18", "CVE in the proxy code")
    result = check(*LINUX_312, "--no-advisories", cache=tmp_path / "check-cache")
    assert result.exit_code == 1, result.stderr
    assert "│ yanked          │ fail    │ 3 of 3 pins checked on their index" in result.stdout
    assert result.stdout.endswith(
        "- urllib3 1.26.18 was yanked: CVE in the proxy code\n"
        "  fix: lock it again with thoth advise -P urllib3 to move to a release that is not yanked\n"
        "pylock.toml: 1 problem\n"
    )


def test_another_platform_fails_on_pins_without_a_fitting_file(
    project: Path, index_server: IndexServerFactory, thoth: Thoth, tmp_path: Path
) -> None:
    universe = Universe.parse(UNIVERSE)
    universe.add(
        "fast", "1.0", wheels=["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"], sdist=False
    )
    server = index_server(universe)
    (project / "pyproject.toml").write_text(PYPROJECT.replace('"urllib3<2"', '"fast"'), encoding="utf-8")
    assert thoth.advise(index=server).exit_code == 0
    result = check(
        "--python-version",
        "3.12",
        "--platform",
        "win_amd64",
        "--no-advisories",
        "--format",
        "json",
        cache=tmp_path / "check-cache",
    )
    assert result.exit_code == 1, result.stderr
    problems = valid(result.stdout)["problems"]
    assert problems == [
        {
            "check": "environment",
            "package": "fast",
            "version": "1.0",
            "message": "fast 1.0: no file installs on CPython 3.12.0 (from 3.12) on win_amd64 (the lock has "
            "fast-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl)",
            "fix": "lock it again with thoth advise",
        }
    ]


def test_a_python_outside_requires_python_fails(locked: Path, tmp_path: Path) -> None:
    result = check(
        "--python-version",
        "3.9",
        "--platform",
        "manylinux_2_28_x86_64",
        "--no-advisories",
        "--no-index",
        "--format",
        "json",
        cache=tmp_path / "check-cache",
    )
    assert result.exit_code == 1, result.stderr
    data = valid(result.stdout)
    assert data["problems"] == [
        {
            "check": "environment",
            "package": None,
            "version": None,
            "message": "the lock requires Python >=3.10, and the target is CPython 3.9.0 (from 3.9) on "
            "manylinux_2_28_x86_64",
            "fix": "check with the Python the lock is for (--python-version), "
            "or lock it again with thoth advise",
        }
    ]
    assert ("yanked", "skipped") in [(c["name"], c["status"]) for c in data["checks"]]


def test_a_known_vulnerability_fails_with_the_advisory(
    project: Path, index_server: IndexServerFactory, thoth: Thoth, osv: OsvServer, tmp_path: Path
) -> None:
    server = index_server(UNIVERSE)
    (project / "pyproject.toml").write_text(PYPROJECT.replace('"urllib3<2"', '"urllib3<1.26.17"'))
    assert thoth.advise(index=server).exit_code == 0
    result = check(*LINUX_312, "--osv-url", osv.url, "--format", "json", cache=tmp_path / "check-cache")
    assert result.exit_code == 1, result.stderr
    data = valid(result.stdout)
    assert [(p["check"], p["package"], p["version"]) for p in data["problems"]] == [
        ("vulnerabilities", "urllib3", "1.26.16"),
        ("vulnerabilities", "urllib3", "1.26.16"),
    ]
    assert (
        data["problems"][0]["fix"] == "lock it again with thoth advise -P urllib3 (fixed in 1.26.17, 2.0.6)"
    )


def test_an_unreachable_osv_api_warns_and_leaves_the_question_open(locked: Path, tmp_path: Path) -> None:
    result = check(*LINUX_312, "--osv-url", "http://127.0.0.1:9", "--offline", cache=tmp_path / "check-cache")
    # The index pages are not in this fresh cache either: --offline fails the yanked check first.
    assert result.exit_code == 3
    assert result.stderr.startswith("error: --offline: no cached copy of ")


def test_missing_advisories_warn_unless_required(locked: Path, tmp_path: Path, osv: OsvServer) -> None:
    cache = tmp_path / "check-cache"
    # Fill the index part of the cache, then ask OSV offline: nothing of it is cached.
    assert check(*LINUX_312, "--no-advisories", cache=cache).exit_code == 0
    result = check(*LINUX_312, "--osv-url", osv.url, "--offline", "--format", "json", cache=cache)
    assert result.exit_code == 0, result.stderr
    data = valid(result.stdout)
    assert ("vulnerabilities", "unknown") in [(c["name"], c["status"]) for c in data["checks"]]
    assert data["warnings"] == [
        "advisories unavailable: --offline: no cached copy of the OSV API's advisories for idna 3.6; "
        "vulnerabilities are not checked"
    ]
    assert result.stderr == (
        "warning: advisories unavailable: --offline: no cached copy of the OSV API's advisories for idna "
        "3.6; vulnerabilities are not checked\n"
    )
    required = check(*LINUX_312, "--osv-url", osv.url, "--offline", "--require-advisories", cache=cache)
    assert required.exit_code == 3
    assert required.stderr.startswith(
        "error: thoth check --require-advisories needs security advisories: --offline: no cached copy of "
    )


def test_a_pipfile_lock_is_current_by_pipenvs_hash(
    project: Path, server: IndexServer, thoth: Thoth, tmp_path: Path
) -> None:
    (project / "pyproject.toml").unlink()
    (project / "Pipfile").write_text(PIPFILE, encoding="utf-8")
    host = {"TEST_INDEX_HOST": server.url("pypi").split("/")[2]}
    assert thoth.advise(env=host).exit_code == 0
    result = check(*LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "c", env=host)
    assert result.exit_code == 0, result.stderr
    data = valid(result.stdout)
    assert data["checks"][0] == {
        "name": "current",
        "status": "pass",
        "summary": "Pipfile is unchanged since the lock was written (Pipenv hash)",
    }
    # Pipenv's hash ignores formatting; a new package changes it.
    (project / "Pipfile").write_text(PIPFILE.replace('requests = "*"', 'requests = "*"\nidna = "*"'))
    stale = check(*LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "c", env=host)
    assert stale.exit_code == 1
    assert valid(stale.stdout)["problems"][0]["message"].startswith(
        "Pipfile changed since the lock was written: its Pipenv hash is "
    )


def test_a_requirements_lock_is_compared_with_the_requirements(
    project: Path, server: IndexServer, thoth: Thoth, tmp_path: Path
) -> None:
    (project / "pyproject.toml").unlink()
    (project / "requirements.in").write_text("requests>=2.31\n", encoding="utf-8")
    assert thoth.advise("--lock-format", "requirements.txt", index=server).exit_code == 0
    result = check(
        "requirements.txt", *LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "c"
    )
    assert result.exit_code == 0, result.stderr
    assert valid(result.stdout)["checks"][0] == {
        "name": "current",
        "status": "pass",
        "summary": "every requirement of requirements.in is pinned to a version it allows "
        "(the lock records no manifest hash)",
    }
    (project / "requirements.in").write_text("requests>=2.32\nclick\n", encoding="utf-8")
    stale = check("requirements.txt", *LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "c")
    assert stale.exit_code == 1
    assert [p["message"] for p in valid(stale.stdout)["problems"]] == [
        "requirements.in:1 asks for requests>=2.32, and the lock pins 2.31.0",
        "requirements.in:2 asks for click, which the lock does not pin",
    ]


def test_a_lock_without_a_manifest_cannot_tell_if_it_is_current(locked: Path, tmp_path: Path) -> None:
    (locked.parent / "pyproject.toml").unlink()
    result = check("pylock.toml", *LINUX_312, "--no-advisories", "--format", "json", cache=tmp_path / "c")
    assert result.exit_code == 0, result.stderr
    data = valid(result.stdout)
    assert data["manifest"] is None
    assert data["checks"][0] == {
        "name": "current",
        "status": "unknown",
        "summary": "cannot tell: no manifest next to the lock (name it with --manifest)",
    }


def test_an_unreadable_lock_exits_4(project: Path, tmp_path: Path) -> None:
    (project / "pylock.toml").write_text('lock-version = "1.0\n', encoding="utf-8")
    result = check("pylock.toml", "--no-advisories", cache=tmp_path / "c")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: pylock.toml:1: invalid TOML: ")


def test_a_manifest_without_its_lock_exits_4(project: Path, tmp_path: Path) -> None:
    result = check("--no-advisories", cache=tmp_path / "c")
    assert result.exit_code == 4
    assert result.stderr == (
        "error: pylock.toml: no lock file next to pyproject.toml\n"
        "  fix: write it with thoth advise, or name the lock: thoth check LOCK\n"
    )
