"""Comparing stacks: real locks and reports written by `thoth advise` against the test index, before and
after a manifest change, in one format against another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.version import Version

from tests.cli.conftest import Thoth
from tests.indexserver import IndexServer, IndexServerFactory
from thoth_cli.diff import ChangeKind, PackageChange, diff_stacks, read_side
from thoth_cli.errors import InputError, UsageError
from thoth_cli.stack import Justification, JustificationType

UNIVERSE = """\
requests 2.31.0: urllib3>=1.21.1,<3, idna>=2.5
urllib3 1.26.18 2.0.7
idna 3.6
click 8.1.7
"""

BEFORE = ["requests", "urllib3<2"]
AFTER = ["requests", "click"]
"""The manifest change: urllib3's cap dropped (it is upgraded), click added."""


@dataclass(frozen=True)
class Locks:
    """Locks and a report `thoth advise` wrote for one project before and after its manifest changed."""

    folder: Path
    server: IndexServer

    def path(self, name: str) -> Path:
        return self.folder / name


def write_project(folder: Path, dependencies: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{dependency}"' for dependency in dependencies)
    manifest = folder / "pyproject.toml"
    manifest.write_text(
        f'[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.10"\ndependencies = [{listed}]\n',
        encoding="utf-8",
    )
    return manifest


def advise(thoth: Thoth, server: IndexServer, folder: Path, dependencies: list[str], *arguments: str) -> None:
    manifest = write_project(folder, dependencies)
    result = thoth.advise("--manifest", str(manifest), *arguments, index=server)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def locks(tmp_path: Path, index_server: IndexServerFactory) -> Locks:
    """before/pylock.toml, before/requirements.txt, after/pylock.toml, and report.json: the after
    project's two best stacks (urllib3 2.0.7, then 1.26.18) with its pylock.toml in report/."""
    server = index_server(UNIVERSE)
    thoth = Thoth(tmp_path / "cache")
    folder = tmp_path / "locks"
    advise(thoth, server, folder / "before", BEFORE)
    advise(thoth, server, folder / "before", BEFORE, "--lock-format", "requirements.txt")
    advise(thoth, server, folder / "after", AFTER)
    advise(
        thoth,
        server,
        folder / "report",
        ["requests"],
        "--count",
        "2",
        "--report",
        str(folder / "report.json"),
    )
    return Locks(folder, server)


def test_a_manifest_change_adds_and_upgrades(locks: Locks) -> None:
    difference = diff_stacks(
        read_side(locks.path("before/pylock.toml")), read_side(locks.path("after/pylock.toml"))
    )
    index = locks.server.url("pypi")
    assert difference.changes == (
        PackageChange("click", ChangeKind.ADDED, None, Version("8.1.7"), None, index, None, 0.0),
        PackageChange(
            "urllib3", ChangeKind.UPGRADED, Version("1.26.18"), Version("2.0.7"), index, index, 0.0, 0.0
        ),
    )
    assert (difference.unchanged, difference.same, difference.score_change) == (2, False, 0.0)
    assert (difference.old.format, difference.new.format) == ("pylock.toml", "pylock.toml")


def test_the_other_way_round_removes_and_downgrades(locks: Locks) -> None:
    difference = diff_stacks(
        read_side(locks.path("after/pylock.toml")), read_side(locks.path("before/pylock.toml"))
    )
    assert [(c.name, c.kind) for c in difference.changes] == [
        ("click", ChangeKind.REMOVED),
        ("urllib3", ChangeKind.DOWNGRADED),
    ]
    assert (difference.count(ChangeKind.REMOVED), difference.count(ChangeKind.ADDED)) == (1, 0)


def test_a_pylock_against_a_requirements_txt_of_the_same_stack_is_the_same(locks: Locks) -> None:
    old = read_side(locks.path("before/pylock.toml"))
    new = read_side(locks.path("before/requirements.txt"))
    difference = diff_stacks(old, new)
    assert difference.same
    assert difference.changes == ()
    assert difference.unchanged == 3
    # requirements.txt cannot hold thoth's scores: they are unknown, not changed.
    assert (old.reasons_known, new.reasons_known, difference.score_change) == (True, False, None)


def test_two_stacks_of_a_report_differ_by_a_downgrade_its_score_and_its_reason(locks: Locks) -> None:
    report = locks.path("report.json")
    difference = diff_stacks(read_side(report, 1), read_side(report, 2))
    (change,) = difference.changes
    assert (change.name, change.kind, change.old_version, change.new_version) == (
        "urllib3",
        ChangeKind.DOWNGRADED,
        Version("2.0.7"),
        Version("1.26.18"),
    )
    assert change.score_change == pytest.approx(-0.1)
    assert [(j.type, j.message) for j in change.added_justifications] == [
        (JustificationType.INFO, "1 newer release exists (the newest is 2.0.7)")
    ]
    assert change.removed_justifications == ()
    assert difference.score_change == pytest.approx(-0.1)
    assert (difference.old.label, difference.new.format) == (f"{report} stack 1", "report")


def test_a_report_without_stack_is_its_best_the_one_its_lock_holds(locks: Locks) -> None:
    # The report repeats each package in its reasons, the lock does not: no difference.
    difference = diff_stacks(
        read_side(locks.path("report.json")), read_side(locks.path("report/pylock.toml"))
    )
    assert (difference.same, difference.changes, difference.unchanged) == (True, (), 3)


def test_the_same_version_from_another_index_is_a_source_change(locks: Locks) -> None:
    before = locks.path("before/pylock.toml")
    moved = locks.path("moved.pylock.toml")
    index = locks.server.url("pypi")
    text = before.read_text(encoding="utf-8")
    moved.write_text(text.replace(f'index = "{index}"', 'index = "https://mirror.example/simple/"', 1))
    (change,) = diff_stacks(read_side(before), read_side(moved)).changes
    assert (change.name, change.kind, change.old_index, change.new_index) == (
        "idna",
        ChangeKind.SOURCE,
        index,
        "https://mirror.example/simple/",
    )
    assert change.pins_differ


def test_only_other_reasons_leave_the_stacks_the_same(locks: Locks) -> None:
    lock = locks.path("before/pylock.toml")
    warned = locks.path("warned.pylock.toml")
    text = lock.read_text(encoding="utf-8")
    marker = 'name = "idna"\nversion = "3.6"\n'
    assert marker in text
    table = '\n[[packages.tool.thoth.justifications]]\ntype = "WARNING"\nmessage = "idna 3.6 is old"\n'
    # The justification goes after idna's own tool table, which ends before the next package.
    head, tail = text.split(marker, 1)
    idna, rest = tail.split("[[packages]]", 1)
    warned.write_text(head + marker + idna.rstrip("\n") + "\n" + table + "\n[[packages]]" + rest)
    difference = diff_stacks(read_side(lock), read_side(warned))
    (change,) = difference.changes
    assert change.kind is ChangeKind.REASONS
    assert change.added_justifications == (Justification(JustificationType.WARNING, "idna 3.6 is old"),)
    assert difference.same


def test_a_report_of_another_schema_is_refused_naming_it(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"schema": "thoth.advise/1", "stacks": []}')
    with pytest.raises(InputError) as caught:
        read_side(report)
    assert str(caught.value) == (
        f"{report} [schema]: not a report this thoth can read: 'thoth.advise/1'\n"
        "  fix: give a report of schema thoth.report/1 (thoth advise --report FILE) or a lock file"
    )


def test_a_report_package_without_a_version_names_its_key(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(
        '{"schema": "thoth.report/1", "stacks": [{"score": 0, "packages": [{"name": "idna", "score": 0}]}]}'
    )
    with pytest.raises(InputError) as caught:
        read_side(report)
    assert str(caught.value) == (
        f"{report} [stacks[0].packages[0].version]: missing: None\n"
        "  fix: write the report again with thoth advise --report FILE"
    )


def test_a_stack_the_report_does_not_hold_is_a_usage_error(locks: Locks) -> None:
    report = locks.path("report.json")
    with pytest.raises(UsageError) as caught:
        read_side(report, 3)
    assert str(caught.value) == f"--stack 3: {report} holds 2 stacks\n  fix: give a stack from 1 to 2"


def test_a_stack_other_than_the_first_of_a_lock_is_a_usage_error(locks: Locks) -> None:
    lock = locks.path("before/pylock.toml")
    with pytest.raises(UsageError) as caught:
        read_side(lock, 2)
    assert str(caught.value) == (
        f"--stack 2: {lock} is a lock file, which holds one stack\n"
        "  fix: give --stack only with a report written by thoth advise --report"
    )
