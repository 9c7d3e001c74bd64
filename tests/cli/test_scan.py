"""`thoth scan`: JSON and table reports of a source tree, warnings for unreadable files, exit codes."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.cli.main import ThothGroup
from thoth_cli.cli.scan import scan_command
from thoth_cli.usage.stdlib import running_version

RUNNING = ".".join(map(str, running_version()))


class Captured:
    """Consoles writing to buffers, as the CLI's root command would set them up."""

    def __init__(self, verbosity: int = 0) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.consoles = Consoles(
            out=make_console(self.out, False), err=make_console(self.err, False), verbosity=verbosity
        )
        # A wide terminal, so that what a table wraps does not depend on where the tests run.
        self.consoles.out.width = 160


def run(args: list[str], verbosity: int = 0) -> tuple[Result, Captured]:
    captured = Captured(verbosity)
    result = CliRunner().invoke(scan_command, args, obj=captured.consoles, catch_exceptions=False)
    return result, captured


def run_in_thoth(args: list[str]) -> tuple[Result, Captured]:
    """Through thoth's own command group, which turns errors into messages and exit codes."""
    captured = Captured()
    group = ThothGroup(commands={"scan": scan_command})
    result = CliRunner().invoke(group, ["scan", *args], obj=captured.consoles)
    return result, captured


@pytest.fixture
def project(tmp_path: Path) -> Path:
    sources = {
        "app/__init__.py": "",
        "app/model.py": """
            from __future__ import annotations
            import typing
            import tensorflow as tf
            from tensorflow.keras import layers
            from app import settings
            if typing.TYPE_CHECKING:
                import pandas

            def build(frame: pandas.DataFrame):
                return tf.keras.Sequential([layers.LSTM(8), layers.Dense(1), layers.Dropout(0.1)])
        """,
        "app/settings.py": "import yaml\nCONFIG = yaml.safe_load('{}')\n",
        "app/broken.py": "def f(:\n",
        ".venv/pyvenv.cfg": "",
        ".venv/lib/site.py": "import requests\n",
    }
    for name, text in sources.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def test_json_reports_every_file_and_the_third_party_usage(project: Path) -> None:
    result, captured = run([str(project), "--format", "json", "--python-version", "3.12"])
    assert result.exit_code == 0
    report = json.loads(captured.out.getvalue())
    broken = report["files"][1]
    assert broken["error"].startswith(f"{project / 'app' / 'broken.py'}:1: invalid syntax")
    broken["error"] = "(checked above)"
    assert report == {
        "schema": "thoth.scan/1",
        "root": str(project),
        "python_version": "3.12",
        "files": [
            {
                "path": "app/__init__.py",
                "modules": {"stdlib": [], "third_party": [], "first_party": []},
                "type_checking_only": [],
                "symbols": [],
                "error": None,
            },
            {
                "path": "app/broken.py",
                "modules": {"stdlib": [], "third_party": [], "first_party": []},
                "type_checking_only": [],
                "symbols": [],
                "error": "(checked above)",
            },
            {
                "path": "app/model.py",
                "modules": {
                    "stdlib": ["__future__", "typing"],
                    "third_party": ["pandas", "tensorflow"],
                    "first_party": ["app"],
                },
                "type_checking_only": ["pandas"],
                "symbols": [
                    "__future__.annotations",
                    "app.settings",
                    "pandas",
                    "pandas.DataFrame",
                    "tensorflow",
                    "tensorflow.keras.Sequential",
                    "tensorflow.keras.layers",
                    "tensorflow.keras.layers.Dense",
                    "tensorflow.keras.layers.Dropout",
                    "tensorflow.keras.layers.LSTM",
                    "typing",
                    "typing.TYPE_CHECKING",
                ],
                "error": None,
            },
            {
                "path": "app/settings.py",
                "modules": {"stdlib": [], "third_party": ["yaml"], "first_party": []},
                "type_checking_only": [],
                "symbols": ["yaml", "yaml.safe_load"],
                "error": None,
            },
        ],
        "usage": {
            "modules": ["pandas", "tensorflow", "yaml"],
            "symbols": [
                "pandas",
                "pandas.DataFrame",
                "tensorflow",
                "tensorflow.keras.Sequential",
                "tensorflow.keras.layers",
                "tensorflow.keras.layers.Dense",
                "tensorflow.keras.layers.Dropout",
                "tensorflow.keras.layers.LSTM",
                "yaml",
                "yaml.safe_load",
            ],
        },
    }


def test_an_unparsable_file_is_a_warning_and_the_scan_succeeds(project: Path) -> None:
    result, captured = run([str(project), "--format", "json", "--python-version", "3.12"])
    assert result.exit_code == 0
    errors = captured.err.getvalue()
    assert f"warning: skipped {project / 'app' / 'broken.py'}:1: invalid syntax: 'def f(:'\n" in errors
    assert f"  fix: correct it; thoth reads code as the Python it runs on (here {RUNNING}) does" in errors
    assert f"read 3 of 4 Python files in {project}: 3 third-party libraries\n" in errors
    assert "broken" not in captured.out.getvalue().split('"files"')[0]


def test_the_table_summarises_each_library(project: Path) -> None:
    result, captured = run([str(project), "--python-version", "3.12"])
    assert result.exit_code == 0
    lines = [line.rstrip() for line in captured.out.getvalue().splitlines()]
    assert lines == [
        "library                      files  symbols used",
        "pandas (type checking only)      1  pandas.DataFrame",
        "tensorflow                       1  tensorflow.keras.Sequential, tensorflow.keras.layers, "
        "tensorflow.keras.layers.Dense, … (2 more; -v lists them)",
        "yaml                             1  yaml.safe_load",
    ]


def test_verbose_lists_every_symbol_and_the_folders_not_entered(project: Path) -> None:
    result, captured = run([str(project), "--python-version", "3.12"], verbosity=1)
    assert result.exit_code == 0
    assert "tensorflow.keras.layers.Dropout" in captured.out.getvalue()
    assert "… (" not in captured.out.getvalue()
    assert "not entered: .venv\n" in captured.err.getvalue()


def test_the_running_pythons_standard_library_is_used_and_said(project: Path) -> None:
    result, captured = run([str(project / "app" / "settings.py")])
    assert result.exit_code == 0
    assert captured.err.getvalue().startswith(
        f"standard-library modules are told apart as Python {RUNNING} (running thoth) has them; "
        "pass --python-version X.Y for the target's\n"
    )


def test_a_python_beyond_what_thoth_knows_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("import tomllib\n")
    result, captured = run([str(tmp_path), "--python-version", "3.99", "--format", "json"])
    assert result.exit_code == 0
    newest = json.loads(captured.out.getvalue())["python_version"]
    assert captured.err.getvalue().startswith(
        f"warning: thoth knows the standard library as far as Python {newest}; "
        "Python 3.99's is taken to be the same\n"
    )


def test_the_target_python_decides_what_is_standard(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("from distutils.core import setup\n")
    _, old = run([str(tmp_path), "--format", "json", "--python-version", "3.11"])
    _, new = run([str(tmp_path), "--format", "json", "--python-version", "3.12.1"])
    assert json.loads(old.out.getvalue())["usage"]["modules"] == []
    assert json.loads(new.out.getvalue())["usage"]["modules"] == ["distutils"]


def test_the_current_folder_is_scanned_by_default(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "app")
    result, captured = run(["--format", "json", "--python-version", "3.13t"])
    assert result.exit_code == 0
    report = json.loads(captured.out.getvalue())
    assert report["root"] == "."
    assert report["python_version"] == "3.13"
    assert [file["path"] for file in report["files"]] == [
        "__init__.py",
        "broken.py",
        "model.py",
        "settings.py",
    ]


def test_no_third_party_library_is_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("import os\n")
    result, captured = run([str(tmp_path), "--python-version", "3.12"])
    assert result.exit_code == 0
    assert captured.out.getvalue() == "no third-party libraries imported\n"
    assert captured.err.getvalue() == f"read 1 of 1 Python file in {tmp_path}: 0 third-party libraries\n"


def test_a_missing_path_exits_4_with_the_fix(tmp_path: Path) -> None:
    result, captured = run_in_thoth([str(tmp_path / "nope")])
    assert result.exit_code == 4
    assert captured.err.getvalue() == (
        f"error: {tmp_path / 'nope'}: no such file or folder\n"
        "  fix: pass a Python file or a folder of sources\n"
    )
    assert captured.out.getvalue() == ""


@pytest.mark.parametrize("value", ["2.7", "3", "three", "3.x"])
def test_a_python_version_that_is_not_one_is_a_usage_error(tmp_path: Path, value: str) -> None:
    result, _ = run_in_thoth([str(tmp_path), "--python-version", value])
    assert result.exit_code == 2
    assert f"Invalid value for '--python-version': {value!r} is not a Python 3 version such as 3.12" in (
        result.output
    )
