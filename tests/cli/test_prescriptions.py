"""`thoth prescriptions validate|list|show`: folders checked naming every problem, units listed and shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thoth_cli.cli.main import cli
from thoth_cli.knowledge.prescriptions import load
from thoth_cli.knowledge.prescriptions.load import bundled_directory, prescription_files

LINK = "https://example.org/fact"

BUNDLED = bundled_directory()


def prescriptions(*arguments: str) -> Result:
    # Wide enough that the table never wraps: the tests read its rows.
    return CliRunner().invoke(cli, ["--color", "never", "prescriptions", *arguments], env={"COLUMNS": "400"})


def wrap(name: str, description: str = "Advises something.") -> str:
    return (
        f"  - name: {name}\n    type: wrap\n    description: {description}\n"
        f'    run: {{justification: {{message: m, link: "{LINK}"}}}}\n'
    )


def write(path: Path, *units: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version: 1\nunits:\n" + "".join(units), encoding="utf-8")
    return path


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundled folder of the test's own, with one unit."""
    folder = tmp_path / "bundled"
    write(folder / "knowledge.yaml", wrap("shipped-rule", "A fact thoth ships."))
    monkeypatch.setattr(load, "bundled_directory", lambda: folder)
    return folder


def test_validate_says_how_many_units_each_valid_folder_holds(tmp_path: Path) -> None:
    write(tmp_path / "rules" / "a.yaml", wrap("first"), wrap("second"))
    write(tmp_path / "rules" / "b.yml", wrap("third"))
    single = write(tmp_path / "one.yaml", wrap("alone"))
    result = prescriptions("validate", str(tmp_path / "rules"), str(single))
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == f"{tmp_path / 'rules'}: 3 units in 2 files, valid\n{single}: 1 unit in 1 file, valid\n"
    )
    assert result.stderr == ""


def test_validate_names_every_problem_and_exits_4(tmp_path: Path) -> None:
    broken = write(tmp_path / "rules" / "a.yaml", wrap("first").replace("type: wrap", "type: warp"))
    unsatisfiable = write(
        tmp_path / "rules" / "b.yaml",
        "  - name: old-tensorflow\n    type: sieve\n    description: d\n"
        "    match: {package: {name: tensorflow, version: '>2.4.0,<2.4.0'}}\n"
        f"    run: {{remove: true, justification: {{message: m, link: '{LINK}'}}}}\n",
    )
    write(tmp_path / "good" / "c.yaml", wrap("fine"))
    (tmp_path / "empty").mkdir()
    result = prescriptions(
        "validate",
        str(tmp_path / "rules"),
        str(tmp_path / "good"),
        str(tmp_path / "empty"),
        str(tmp_path / "nowhere"),
    )
    assert result.exit_code == 4
    assert result.stdout == f"{tmp_path / 'good'}: 1 unit in 1 file, valid\n"
    assert result.stderr == (
        f"error: {broken}:4 [units[0].type]: unit 'first': unknown unit type: 'warp'\n"
        "  fix: did you mean 'wrap'?\n"
        f"error: {unsatisfiable}:6 [units[0].match.package.version]: unit 'old-tensorflow': no version "
        "satisfies this specifier: '>2.4.0,<2.4.0'\n"
        "  fix: correct the bounds: as written the rule can never apply\n"
        f"error: {tmp_path / 'empty'}: holds no prescription files (*.yaml, *.yml)\n"
        f"error: {tmp_path / 'nowhere'}: no such file or folder\n"
    )


def test_validate_refuses_a_name_given_in_two_files_of_a_folder(tmp_path: Path) -> None:
    first = write(tmp_path / "rules" / "a.yaml", wrap("same"))
    second = write(tmp_path / "rules" / "b.yaml", wrap("other"), wrap("same"))
    result = prescriptions("validate", str(tmp_path / "rules"))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {second}:7 [units[1].name]: unit 'same': the name is taken by units[0] of {first}\n"
        "  fix: give each unit of a folder its own name\n"
    )


@pytest.mark.skipif(
    not BUNDLED.is_dir() or not prescription_files(BUNDLED), reason="no bundled prescriptions yet"
)
def test_the_bundled_prescriptions_are_valid() -> None:
    result = prescriptions("validate", str(BUNDLED))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{BUNDLED}: ")
    assert result.stdout.endswith(" valid\n")


def test_list_shows_each_unit_its_type_description_and_file(bundled: Path, tmp_path: Path) -> None:
    mine = write(tmp_path / "mine" / "rules.yaml", wrap("my-rule", "Advises my team."))
    result = prescriptions("list", "--prescriptions", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    rows = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert rows == [
        "prescription type description source",
        "shipped-rule wrap A fact thoth ships. bundled: knowledge.yaml:3",
        f"my-rule wrap Advises my team. {mine}:3",
    ]


def test_list_as_json_names_the_source_of_each_unit(bundled: Path, tmp_path: Path) -> None:
    mine = write(tmp_path / "mine" / "rules.yaml", wrap("shipped-rule", "Replaces the shipped one."))
    result = prescriptions("list", "--format", "json", "--prescriptions", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "schema": "thoth.prescriptions/1",
        "prescriptions": [
            {
                "name": "shipped-rule",
                "type": "wrap",
                "description": "Replaces the shipped one.",
                "link": LINK,
                "source": str(mine),
                "line": 3,
                "bundled": False,
            }
        ],
    }


def test_list_reads_the_prescription_folders_of_thoth_yaml_first(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write(project / "team" / "rules.yaml", wrap("team-rule"), wrap("shared", "The team's."))
    write(tmp_path / "mine" / "rules.yaml", wrap("shared", "Mine."))
    (project / ".git").mkdir()
    (project / ".thoth.yaml").write_text("prescriptions: [team]\n")
    monkeypatch.chdir(project)
    result = prescriptions("list", "--format", "json", "--prescriptions", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    listed = [(p["name"], p["description"]) for p in json.loads(result.stdout)["prescriptions"]]
    assert listed == [
        ("shipped-rule", "A fact thoth ships."),
        ("team-rule", "Advises something."),
        ("shared", "Mine."),
    ]


def test_list_refuses_a_broken_user_folder(bundled: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "mine" / "rules.yaml", wrap("Not_A_Name"))
    result = prescriptions("list", "--prescriptions", str(tmp_path / "mine"))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {path}:3 [units[0].name]: not a unit name: 'Not_A_Name'\n"
        "  fix: use lower-case letters and digits in words joined by '-', e.g. tensorflow-needs-avx\n"
    )


def test_show_prints_a_unit_as_its_file_writes_it(bundled: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine" / "rules.yaml"
    path.parent.mkdir()
    path.write_text(
        "version: 1\nunits:\n"
        "  - name: numpy-2-abi  # NumPy 2 changed its ABI\n"
        "    type: stride\n"
        "    description: Extensions built against NumPy 1 fail to import with NumPy 2.\n"
        "    match: {stack: {contains: [{name: numpy, version: '>=2'}, {name: pandas, version: '<2.2.2'}]}}\n"
        "    run:\n"
        "      not_acceptable: true\n"
        f"      justification: {{message: m, link: '{LINK}'}}\n"
        "  - name: other\n"
        "    type: wrap\n"
        "    description: d\n"
        f"    run: {{justification: {{message: m, link: '{LINK}'}}}}\n"
    )
    result = prescriptions("show", "numpy-2-abi", "--prescriptions", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"# {path}:3\n"
        "- name: numpy-2-abi  # NumPy 2 changed its ABI\n"
        "  type: stride\n"
        "  description: Extensions built against NumPy 1 fail to import with NumPy 2.\n"
        "  match: {stack: {contains: [{name: numpy, version: '>=2'}, {name: pandas, version: '<2.2.2'}]}}\n"
        "  run:\n"
        "    not_acceptable: true\n"
        f"    justification: {{message: m, link: '{LINK}'}}\n"
    )


def test_show_shows_a_bundled_unit(bundled: Path) -> None:
    result = prescriptions("show", "shipped-rule")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [f"# {bundled / 'knowledge.yaml'}:3", "- name: shipped-rule"]


def test_show_names_no_unit_that_is_not_there(bundled: Path) -> None:
    result = prescriptions("show", "shipped-rul")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: no prescription is named 'shipped-rul'\n  fix: did you mean 'shipped-rule'?\n"
    )
    result = prescriptions("show", "yanked")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no prescription is named 'yanked'\n  fix: `thoth prescriptions list` names them all\n"
    )
