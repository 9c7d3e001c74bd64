"""Finding prescription files: folders in name order, names unique per source, files read once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.knowledge.prescriptions.conftest import LINK, write_units
from thoth_cli.errors import ExitCode
from thoth_cli.knowledge.prescriptions import load
from thoth_cli.knowledge.prescriptions.load import (
    bundled_prescriptions,
    effective_prescriptions,
    is_bundled,
    load_directories,
    load_directory,
    load_file,
    prescription_files,
)
from thoth_cli.knowledge.prescriptions.model import PrescriptionError


def wrap(name: str, message: str = "m") -> str:
    return (
        f"- name: {name}\n  type: wrap\n  description: {message}\n"
        f'  run: {{justification: {{message: {message}, link: "{LINK}"}}}}\n'
    )


def test_a_folder_holds_its_yaml_and_yml_files_in_name_order(tmp_path: Path) -> None:
    write_units(tmp_path, "b.yml", wrap("second"))
    write_units(tmp_path, "a.yaml", wrap("first") + wrap("also-first"))
    (tmp_path / "notes.txt").write_text("not a prescription")
    (tmp_path / "c.yaml.orig").write_text("not one either")
    assert prescription_files(tmp_path) == (tmp_path / "a.yaml", tmp_path / "b.yml")
    assert [p.name for p in load_directory(tmp_path)] == ["first", "also-first", "second"]
    assert [p.source.name for p in load_directory(tmp_path)] == ["a.yaml", "a.yaml", "b.yml"]


def test_one_file_may_stand_for_a_folder(tmp_path: Path) -> None:
    path = write_units(tmp_path, "rules.yaml", wrap("only"))
    assert [p.name for p in load_directory(path)] == ["only"]


def test_a_name_given_in_two_files_of_a_folder_names_both(tmp_path: Path) -> None:
    first = write_units(tmp_path, "a.yaml", wrap("other") + wrap("same"))
    second = write_units(tmp_path, "b.yaml", wrap("same"))
    with pytest.raises(PrescriptionError) as caught:
        load_directory(tmp_path)
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    assert str(caught.value) == (
        f"{second}:3 [units[0].name]: unit 'same': the name is taken by units[1] of {first}\n"
        "  fix: give each unit of a folder its own name"
    )


@pytest.mark.parametrize(("make", "problem"), [(False, "no such folder"), (True, "not a folder")])
def test_a_folder_that_is_not_there_is_named(tmp_path: Path, make: bool, problem: str) -> None:
    path = tmp_path / "rules"
    if make:
        os.mkfifo(path)
    with pytest.raises(PrescriptionError) as caught:
        load_directory(path)
    assert str(caught.value) == f"{path}: {problem}\n  fix: pass a folder of prescription files (*.yaml)"


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"version: 1\nunits: []\n\xff\n")
    with pytest.raises(PrescriptionError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}: cannot be read: 'utf-8' codec can't decode byte 0xff")


def test_a_file_is_read_again_only_when_it_changed(tmp_path: Path) -> None:
    path = write_units(tmp_path, "rules.yaml", wrap("one"))
    first = load_file(path)
    assert load_file(path) is first
    write_units(tmp_path, "rules.yaml", wrap("one") + wrap("two"))
    assert [p.name for p in load_file(path)] == ["one", "two"]


def test_user_folders_come_in_the_order_given(tmp_path: Path) -> None:
    write_units(tmp_path / "team", "rules.yaml", wrap("team-rule"))
    write_units(tmp_path / "mine", "rules.yaml", wrap("my-rule"))
    loaded = load_directories([tmp_path / "team", tmp_path / "mine"])
    assert [(folder.name, [p.name for p in units]) for folder, units in loaded] == [
        ("team", ["team-rule"]),
        ("mine", ["my-rule"]),
    ]


def test_no_bundled_folder_means_no_bundled_prescriptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "bundled_directory", lambda: tmp_path / "absent")
    assert bundled_prescriptions() == ()
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(load, "bundled_directory", lambda: tmp_path / "empty")
    assert bundled_prescriptions() == ()


def test_the_bundled_folder_is_read_once(no_bundled: Path) -> None:
    write_units(no_bundled, "knowledge.yaml", wrap("shipped"))
    first = bundled_prescriptions()
    assert [p.name for p in first] == ["shipped"]
    assert is_bundled(first[0])
    assert bundled_prescriptions() is first


def test_a_user_unit_replaces_a_bundled_one_of_its_name_in_its_place(
    no_bundled: Path, tmp_path: Path
) -> None:
    write_units(no_bundled, "knowledge.yaml", wrap("first") + wrap("shared", "bundled") + wrap("last"))
    write_units(tmp_path / "team", "rules.yaml", wrap("shared", "team") + wrap("team-only"))
    write_units(tmp_path / "mine", "rules.yaml", wrap("shared", "mine"))
    found = effective_prescriptions([tmp_path / "team", tmp_path / "mine"])
    assert [(p.name, p.description) for p in found] == [
        ("first", "m"),
        ("shared", "mine"),
        ("last", "m"),
        ("team-only", "m"),
    ]
    assert [is_bundled(p) for p in found] == [True, False, True, False]
