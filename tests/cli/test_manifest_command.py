"""`thoth manifest`: what thoth read, as a table or JSON, and bad manifests as exit 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from thoth_cli.cli.main import cli

PIPFILE = """\
[[source]]
name = "pypi"
url = "https://user:secret@pypi.org/simple"
verify_ssl = true

[packages]
requests = {version = ">=2.31", extras = ["socks"]}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.11"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pipfile").write_text(PIPFILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_table_shows_every_requirement_with_extras_and_hides_credentials(project: Path) -> None:
    result = CliRunner().invoke(cli, ["--color", "never", "manifest"])
    assert result.exit_code == 0, result.output
    assert "requests[socks]>=2.31" in result.stdout
    assert "group:develop │ pytest" in result.stdout
    assert "sources: pypi (https://pypi.org/simple)" in result.stdout
    assert "secret" not in result.output


def test_json_is_versioned_and_complete(project: Path) -> None:
    result = CliRunner().invoke(cli, ["manifest", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "thoth.manifest/1"
    assert data["kind"] == "Pipfile"
    assert data["requires_python"] == "==3.11.*"
    assert [r["requirement"] for r in data["requirements"]] == ["requests[socks]>=2.31", "pytest"]
    assert [r["group"] for r in data["requirements"]] == ["default", "group:develop"]
    assert data["sources"] == [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True, "explicit": False}
    ]


CREDENTIALS = """\
pkg @ https://alice:s3cret@host.example/pkg-1.0-py3-none-any.whl
-e git+https://ghp_TOKEN@github.com/o/r.git#egg=r
"""


@pytest.fixture
def with_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "requirements.in").write_text(CREDENTIALS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_table_hides_the_credentials_of_direct_references(with_credentials: Path) -> None:
    result = CliRunner().invoke(cli, ["--color", "never", "manifest"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "│ pkg @ https://alice:****@host.example/pkg-1.0-py3-none-any.whl │" in result.stdout
    assert "│ r @ git+https://****@github.com/o/r.git" in result.stdout
    assert "s3cret" not in result.output
    assert "ghp_TOKEN" not in result.output


def test_json_hides_the_credentials_of_direct_references(with_credentials: Path) -> None:
    result = CliRunner().invoke(cli, ["manifest", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["requirement"] for r in data["requirements"]] == [
        "pkg @ https://alice:****@host.example/pkg-1.0-py3-none-any.whl",
        "r @ git+https://****@github.com/o/r.git",
    ]
    assert "s3cret" not in result.stdout


def test_a_malformed_manifest_is_exit_4_with_file_and_line(project: Path) -> None:
    (project / "Pipfile").write_text('[packages]\nrequests = ">=2.31\n')
    result = CliRunner().invoke(cli, ["--color", "never", "manifest"])
    assert result.exit_code == 4
    assert result.stderr.startswith("error: Pipfile:2: invalid TOML")
    assert "Traceback" not in result.output


def test_a_pipfile_python_thoth_cannot_target_is_exit_4_naming_requires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Pipfile").write_text('[requires]\npython_version = "2.7"\n\n[packages]\nsix = "*"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--color", "never", "manifest"])
    assert result.exit_code == 4
    assert result.stderr == (
        "error: Pipfile:2 [requires.python_version]: thoth resolves for Python 3.7 or newer: '2.7'\n"
        '  fix: name the Python 3.7 or newer the project runs on, e.g. python_version = "3.11"\n'
    )


def test_no_manifest_is_exit_4_and_says_what_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--color", "never", "manifest"])
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: no manifest found in {tmp_path} (looked for Pipfile, pyproject.toml, requirements.in, "
        "requirements.txt)\n  fix: run thoth in your project's folder or pass --manifest PATH\n"
    )


def test_commands_load_on_demand_so_discover_does_not_import_the_resolver() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from thoth_cli.cli.main import cli; "
        "from click.testing import CliRunner; CliRunner().invoke(cli, ['discover', '--help']); "
        "print(sorted(m for m in ('httpx', 'resolvelib', 'thoth_cli.adviser') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
