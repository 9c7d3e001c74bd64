"""The unit registry with prescriptions: built in, bundled, installed, then the user's folders in order."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from tests.knowledge.prescriptions.conftest import LINK, write_units
from tests.pipeline.sample_units import OldestFirstStep
from thoth_cli.errors import ExitCode
from thoth_cli.knowledge.prescriptions.model import PrescriptionError
from thoth_cli.knowledge.prescriptions.units import Prescribed
from thoth_cli.pipeline.registry import ENTRY_POINT_GROUP, available_units, builtin_units, bundled_units


def wrap(name: str, description: str = "d") -> str:
    return (
        f"- name: {name}\n  type: wrap\n  description: {description}\n"
        f'  run: {{justification: {{message: m, link: "{LINK}"}}}}\n'
    )


def point(name: str) -> EntryPoint:
    return EntryPoint(name=name, value="tests.pipeline.sample_units:OldestFirstStep", group=ENTRY_POINT_GROUP)


def test_without_prescriptions_the_registry_is_the_built_in_and_installed_units(no_bundled: Path) -> None:
    assert bundled_units() == ()
    assert list(available_units([])) == [unit.name for unit in builtin_units()]


def test_bundled_units_come_after_the_built_in_ones_and_before_the_installed_ones(no_bundled: Path) -> None:
    write_units(no_bundled, "knowledge.yaml", wrap("shipped-rule"))
    units = available_units([point("oldest-first")])
    names = list(units)
    assert names == [*(unit.name for unit in builtin_units()), "shipped-rule", "oldest-first"]
    assert issubclass(units["shipped-rule"], Prescribed)
    assert bundled_units() == (units["shipped-rule"],)


def test_each_source_replaces_an_earlier_ones_unit_of_its_name(no_bundled: Path, tmp_path: Path) -> None:
    write_units(no_bundled, "knowledge.yaml", wrap("oldest-first", "bundled") + wrap("shared", "bundled"))
    write_units(tmp_path / "team", "rules.yaml", wrap("shared", "team") + wrap("yanked", "team"))
    write_units(tmp_path / "mine", "rules.yaml", wrap("shared", "mine"))
    installed = available_units([point("oldest-first")])
    assert installed["oldest-first"] is OldestFirstStep
    units = available_units([point("oldest-first")], prescriptions=[tmp_path / "team", tmp_path / "mine"])
    assert units["shared"].description == "mine"
    assert units["yanked"].description == "team"
    assert units["oldest-first"] is OldestFirstStep
    # A replaced unit keeps its place in the pipeline order.
    assert list(units).index("yanked") < list(units).index("shared")


def test_a_broken_user_prescription_is_invalid_input(no_bundled: Path, tmp_path: Path) -> None:
    path = write_units(tmp_path / "mine", "rules.yaml", wrap("Bad_Name"))
    with pytest.raises(PrescriptionError) as caught:
        available_units([], prescriptions=[tmp_path / "mine"])
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    assert str(caught.value).startswith(f"{path}:3 [units[0].name]: not a unit name: 'Bad_Name'")


def test_a_missing_user_folder_is_invalid_input(no_bundled: Path, tmp_path: Path) -> None:
    with pytest.raises(PrescriptionError) as caught:
        available_units([], prescriptions=[tmp_path / "absent"])
    assert (
        str(caught.value)
        == f"{tmp_path / 'absent'}: no such folder\n  fix: pass a folder of prescription files (*.yaml)"
    )
