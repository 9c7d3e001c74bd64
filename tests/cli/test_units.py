"""`thoth units`: every unit a pipeline can name, built in or installed, as a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.pipeline.sample_units import install_distribution
from thoth_cli.cli.main import cli
from thoth_cli.pipeline.registry import builtin_units

BUILT_IN = [
    ("tensorflow-30990", "sieve"),
    ("binary-wheel", "step"),
    ("newest-first", "step"),
    ("prerelease", "step"),
    ("release-age", "step"),
    ("vulnerabilities", "step"),
    ("yanked", "step"),
    ("vulnerable-stack", "stride"),
    ("vulnerability-report", "wrap"),
]
"""By type in pipeline order, then by name."""


def units(*arguments: str) -> Result:
    # Wide enough that the table never wraps: the test reads its rows.
    return CliRunner().invoke(cli, ["--color", "never", "units", *arguments], env={"COLUMNS": "400"})


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution registering `oldest-first` (from the test units) on `sys.path`."""
    site = tmp_path / "site"
    install_distribution(
        site, "thoth_extra_units", {"oldest-first": "tests.pipeline.sample_units:OldestFirstStep"}
    )
    monkeypatch.syspath_prepend(str(site))
    return site


def test_json_lists_every_built_in_unit_with_its_description_and_configuration() -> None:
    result = units("--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "thoth.units/1"
    built_in = [unit for unit in data["units"] if unit["prescription"] is None]
    assert [(unit["name"], unit["type"]) for unit in built_in] == BUILT_IN
    assert all(unit["builtin"] for unit in data["units"])
    assert built_in[0] == {
        "name": "tensorflow-30990",
        "type": "sieve",
        "description": "Removes TensorFlow 2.0.0 from projects whose code uses an LSTM layer with the "
        "ModelCheckpoint callback (tensorflow#30990).",
        "link": "https://github.com/tensorflow/tensorflow/issues/30990",
        "configuration": {
            "package_name": "tensorflow",
            "symbols": ["tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM"],
            "versions": "==2.0.0",
            "when_empty": "warn",
        },
        "builtin": True,
        "module": "thoth_cli.pipeline.builtin.tensorflow_30990",
        "prescription": None,
    }
    descriptions = {unit.name: unit.description for unit in builtin_units()}
    assert {unit["name"]: unit["description"] for unit in built_in} == descriptions


def test_the_table_shows_each_unit_its_type_description_and_defaults() -> None:
    result = units()
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["unit", "type", "description", "configuration"]
    builtin_names = {name for name, _ in BUILT_IN}
    assert [(row[0], row[1]) for row in rows[1:] if row and row[0] in builtin_names] == BUILT_IN
    lines = {line.split()[0]: " ".join(line.split()) for line in result.stdout.splitlines()[1:]}
    assert lines["release-age"] == (
        "release-age step Penalises releases younger than a number of days for stable; welcomes them for "
        "testing. bonus=0.3, days=7, mode='penalise', penalty=-1.0"
    )
    assert lines["prerelease"] == (
        "prerelease step Cuts pre-releases unless the project allows them or the package has nothing else."
    )


def test_an_installed_unit_is_listed_with_the_module_it_comes_from(installed: Path) -> None:
    table = units()
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if line.startswith("oldest-first"))
    assert " ".join(row.split()) == (
        "oldest-first step Prefers the oldest releases. (from tests.pipeline.sample_units) weight=0.1"
    )
    listed = json.loads(units("--format", "json").stdout)["units"]
    assert [unit for unit in listed if unit["name"] == "oldest-first"] == [
        {
            "name": "oldest-first",
            "type": "step",
            "description": "Prefers the oldest releases.",
            "link": "https://example.org/unit",
            "configuration": {"weight": 0.1},
            "builtin": False,
            "module": "tests.pipeline.sample_units",
            "prescription": None,
        }
    ]


def test_a_broken_entry_point_is_named_and_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    install_distribution(site, "thoth_broken_units", {"broken": "thoth_no_such_module:Unit"})
    monkeypatch.syspath_prepend(str(site))
    result = units()
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr == (
        "error: unit 'broken': entry point 'thoth_no_such_module:Unit' cannot be loaded: "
        "No module named 'thoth_no_such_module'\n"
    )
