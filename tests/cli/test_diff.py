"""`thoth diff` on real locks and a real report: exact tables with colour off, JSON checked against the
shipped schema, and the exit codes (0 the same, 1 different, 2 a wrong command line, 4 an unreadable file)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.test_diff import Locks, locks  # noqa: F401  # the fixture, shared with the library's tests
from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.cli.diff import diff_command
from thoth_cli.cli.main import ThothGroup, cli

UPGRADE_TABLE = """\
old: before/pylock.toml (pylock.toml, score +0.000)
new: after/pylock.toml (pylock.toml, score +0.000)
┏━━━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┳━━━━━━━┓
┃ package ┃ old     ┃ new   ┃ change   ┃ score ┃
┡━━━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━╇━━━━━━━┩
│ click   │         │ 8.1.7 │ added    │ +0.00 │
│ urllib3 │ 1.26.18 │ 2.0.7 │ upgraded │ +0.00 │
└─────────┴─────────┴───────┴──────────┴───────┘
2 packages differ (1 added, 1 upgraded), 2 unchanged; stack score +0.000 -> +0.000
"""

REPORT_TABLE = """\
old: report.json stack 1 (report, score +0.000)
new: report.json stack 2 (report, score -0.100)
┏━━━━━━━━━┳━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ package ┃ old   ┃ new     ┃ change     ┃ score          ┃
┡━━━━━━━━━╇━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ urllib3 │ 2.0.7 │ 1.26.18 │ downgraded │ +0.00 -> -0.10 │
└─────────┴───────┴─────────┴────────────┴────────────────┘
justifications:
+ urllib3 INFO: 1 newer release exists (the newest is 2.0.7)
1 package differs (1 downgraded), 2 unchanged; stack score +0.000 -> -0.100
"""


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def diff(*arguments: str, color: bool = False) -> Run:
    """`thoth diff` as the command group runs it (errors become exit codes), 80 columns."""
    out, err = io.StringIO(), io.StringIO()
    consoles = Consoles(out=make_console(out, color=color), err=make_console(err, color=color))
    consoles.out.width = consoles.err.width = 80
    group = ThothGroup(name="thoth", commands={"diff": diff_command})
    result = CliRunner().invoke(group, ["diff", *arguments], obj=consoles)
    # An exception that escaped the command would reach the user as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return Run(result.exit_code, out.getvalue(), err.getvalue())


@pytest.fixture
def here(locks: Locks, monkeypatch: pytest.MonkeyPatch) -> Locks:  # noqa: F811
    """The locks, run from their folder so that the output names them by relative paths."""
    monkeypatch.chdir(locks.folder)
    return locks


def validate(output: str) -> dict[str, object]:
    data = json.loads(output)
    schema = json.loads((files("thoth_cli") / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert isinstance(data, dict)
    return data


def test_two_locks_that_differ_give_a_table_and_exit_1(here: Locks) -> None:
    result = diff("before/pylock.toml", "after/pylock.toml")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == UPGRADE_TABLE


def test_two_stacks_of_one_report_show_the_score_and_the_reason_that_differ(here: Locks) -> None:
    result = diff("report.json", "--stack", "1", "--stack", "2")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == REPORT_TABLE


def test_a_pylock_against_a_requirements_txt_of_the_same_stack_exits_0(here: Locks) -> None:
    result = diff("before/pylock.toml", "before/requirements.txt")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "old: before/pylock.toml (pylock.toml, score +0.000)\n"
        "new: before/requirements.txt (requirements.txt, score unknown)\n"
        "the same pins (3 packages)\n"
    )


def test_json_follows_the_shipped_schema(here: Locks) -> None:
    result = diff("before/pylock.toml", "after/pylock.toml", "--format", "json")
    assert (result.exit_code, result.stderr) == (1, "")
    data = validate(result.stdout)
    index = here.server.url("pypi")
    assert data == {
        "schema": "thoth.diff/1",
        "same": False,
        "old": {
            "label": "before/pylock.toml",
            "format": "pylock.toml",
            "packages": 3,
            "score": 0.0,
            "reasons_known": True,
        },
        "new": {
            "label": "after/pylock.toml",
            "format": "pylock.toml",
            "packages": 4,
            "score": 0.0,
            "reasons_known": True,
        },
        "score_change": 0.0,
        "summary": {
            "added": 1,
            "removed": 0,
            "upgraded": 1,
            "downgraded": 0,
            "replaced": 0,
            "source": 0,
            "reasons": 0,
            "unchanged": 2,
        },
        "packages": [
            {
                "name": "click",
                "change": "added",
                "old": None,
                "new": {"version": "8.1.7", "index": index, "score": 0.0},
                "score_change": None,
                "justifications": {"removed": [], "added": []},
            },
            {
                "name": "urllib3",
                "change": "upgraded",
                "old": {"version": "1.26.18", "index": index, "score": 0.0},
                "new": {"version": "2.0.7", "index": index, "score": 0.0},
                "score_change": 0.0,
                "justifications": {"removed": [], "added": []},
            },
        ],
        "justifications": {"removed": [], "added": []},
    }


def test_json_of_report_stacks_carries_the_reasons(here: Locks) -> None:
    result = diff("report.json", "--stack", "1", "--stack", "2", "--format", "json")
    assert result.exit_code == 1
    data = validate(result.stdout)
    (package,) = data["packages"]  # type: ignore[misc]
    assert package["score_change"] == pytest.approx(-0.1)
    assert package["justifications"] == {
        "removed": [],
        "added": [
            {
                "type": "INFO",
                "message": "1 newer release exists (the newest is 2.0.7)",
                "link": "https://pip.pypa.io/en/stable/topics/dependency-resolution/",
                "unit": "newest-first",
            }
        ],
    }


def test_json_of_the_same_stacks_exits_0(here: Locks) -> None:
    result = diff("report.json", "report/pylock.toml", "--format", "json")
    assert result.exit_code == 0
    data = validate(result.stdout)
    assert (data["same"], data["packages"], data["old"]["format"]) == (True, [], "report")  # type: ignore[index]


def test_a_missing_file_exits_4_naming_it(here: Locks) -> None:
    result = diff("gone.toml", "after/pylock.toml")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == "error: gone.toml: file not found\n"


def test_a_lock_that_cannot_be_read_exits_4(here: Locks) -> None:
    Path("broken.pylock.toml").write_text("lock-version = \n", encoding="utf-8")
    result = diff("broken.pylock.toml", "after/pylock.toml")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.startswith("error: broken.pylock.toml:1")


def test_one_file_without_two_stacks_is_a_usage_error(here: Locks) -> None:
    result = diff("report.json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: thoth diff needs two stacks: OLD and NEW, or one report and two --stack\n"
        "  fix: thoth diff report.json NEW, or thoth diff report.json --stack 1 --stack 2\n"
    )


def test_one_stack_for_two_files_is_a_usage_error(here: Locks) -> None:
    result = diff("report.json", "report.json", "--stack", "2")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --stack given once with two files\n"
        "  fix: give --stack twice (OLD's stack, then NEW's) or not at all (each report's best)\n"
    )


def test_colour_marks_the_kind_of_change(here: Locks) -> None:
    result = diff("before/pylock.toml", "after/pylock.toml", color=True)
    assert result.exit_code == 1
    assert "\x1b[32madded" in result.stdout
    assert "\x1b[36mupgraded" in result.stdout


def test_the_readme_shows_what_diff_prints_for_the_example_project(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = "$ thoth diff before/pylock.toml after/pylock.toml\n"
    shown = readme[readme.index(command) + len(command) :].split("```", 1)[0]
    monkeypatch.chdir(Path(__file__).parent / "data" / "diff")
    result = CliRunner().invoke(cli, ["--color", "never", "diff", "before/pylock.toml", "after/pylock.toml"])
    assert result.exit_code == 1
    assert result.stdout == shown
