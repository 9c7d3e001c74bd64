"""TOML values described in error messages, and the located document readers raise them from."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.toml_values import TomlDocument, show_value, toml_type

TEXT = """\
[project]
name = 1
dependencies = [
    "a",
    "b",
]
"""
DOC = TomlDocument(Path("pyproject.toml"), TEXT)


def test_value_descriptions() -> None:
    values: tuple[object, ...] = (True, "s", 1, 1.5, [], {})
    assert [toml_type(v) for v in values] == [
        "a boolean",
        "a string",
        "an integer",
        "a float",
        "an array",
        "a table",
    ]
    assert toml_type(datetime.date(2024, 1, 2)) == "a date or time"
    assert show_value("requests") == '"requests"'
    assert show_value(3.8) == "3.8"
    assert show_value(["x" * 100]) == '["' + "x" * 75 + "..."


def test_a_document_locates_keys_and_array_elements() -> None:
    assert DOC.at("project", "name") == Location(Path("pyproject.toml"), 2, "project.name")
    assert DOC.element(("project", "dependencies"), "b") == Location(
        Path("pyproject.toml"), 5, "project.dependencies"
    )


def test_a_wrong_type_names_the_key_the_type_and_the_value() -> None:
    error = DOC.wrong_type(("project", "name"), 1, "a string", 'write name = "app"')
    assert str(error) == (
        'pyproject.toml:2 [project.name]: must be a string, not an integer: 1\n  fix: write name = "app"'
    )


def test_an_optional_string_is_the_string_none_or_refused() -> None:
    table = {"name": 1, "version": "1.0"}
    assert DOC.optional_string(table, ("project",), "version", '"0.1.0"') == "1.0"
    assert DOC.optional_string(table, ("project",), "readme", '"README.md"') is None
    with pytest.raises(ManifestError) as caught:
        DOC.optional_string(table, ("project",), "name", '"my-project"')
    assert str(caught.value) == (
        "pyproject.toml:2 [project.name]: must be a string, not an integer: 1\n"
        '  fix: write name = "my-project"'
    )
