"""Reading TOML manifests and finding the line of a key, an array element or an array-of-tables entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from thoth_cli.errors import Location
from thoth_cli.project.toml import element_location, key_label, key_line, location_of

PIPFILE = """\
[[source]]
name = "pypi"
url = "https://pypi.org/simple"

[[source]]
url = "https://corp.example/simple"
name = "corp"

[packages]
"Requests" = "*"
Django.version = ">=4.2"
Django.extras = ["argon2"]
'zope.interface' = { version = ">=6" }
"a \\"quoted\\" key" = "*"

[packages.celery]
version = ">=5.3"
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("source",), 1),
        (("source", 0), 1),
        (("source", 1), 5),
        (("source", 0, "url"), 3),
        (("source", 1, "url"), 6),
        (("source", 1, "name"), 7),
        # Without an index, the first element that has the key.
        (("source", "url"), 3),
        # An element that is not there: the array's first header.
        (("source", 2, "url"), 1),
        (("packages",), 9),
        (("packages", "Requests"), 10),
        # A table written only through dotted keys is found at the first of them.
        (("packages", "Django"), 11),
        (("packages", "Django", "extras"), 12),
        (("packages", "zope.interface"), 13),
        # A key inside an inline table: the line of the enclosing key.
        (("packages", "zope.interface", "version"), 13),
        (("packages", 'a "quoted" key'), 14),
        (("packages", "celery"), 16),
        (("packages", "celery", "version"), 17),
        (("packages", "flask"), 9),
        (("nowhere",), None),
        ((), None),
    ],
)
def test_key_line_finds_dotted_keys_and_array_of_tables_elements(
    path: tuple[str | int, ...], line: int
) -> None:
    assert key_line(PIPFILE, path) == line


def test_a_key_written_in_its_own_table_wins_over_deeper_tables_before_it() -> None:
    text = "[tool.poetry.dependencies]\nrequests = '*'\n\n[tool.poetry]\nname = 'app'\n"
    assert key_line(text, ("tool", "poetry")) == 4
    assert key_line(text, ("tool", "poetry", "group")) == 4
    # A table only implied by a deeper header is found at that header.
    groups = "[tool.poetry]\nname = 'app'\n[tool.poetry.group.dev.dependencies]\npytest = '*'\n"
    assert key_line(groups, ("tool", "poetry", "group", "dev")) == 3


def test_tables_below_an_array_of_tables_belong_to_its_latest_element() -> None:
    text = """\
[[package]]
name = "a"
[package.info]
size = 1
[[package]]
name = "b"
[package.info]
size = 2
[[package.files]]
name = "b-1.whl"
[[package.files]]
name = "b-1.tar.gz"
"""
    assert key_line(text, ("package", 1, "info", "size")) == 8
    assert key_line(text, ("package", 0, "info", "size")) == 4
    assert key_line(text, ("package", 1, "files", 1, "name")) == 12
    assert key_line(text, ("package", 1, "files", 0)) == 9


def test_text_inside_multi_line_values_is_never_taken_for_a_key() -> None:
    text = '''\
[project]
description = """
version = "not a key"
[not.a.header]
"""
classifiers = [
    "a = b",
    ["nested"]
]
note = 'has # no comment [ in it'
version = "1.0"
doc = """ends with quotes"""""
readme = "x"
'''
    assert key_line(text, ("project", "version")) == 11
    assert key_line(text, ("not",)) is None
    assert key_line(text, ("project", "readme")) == 13


def test_text_that_is_not_valid_toml_is_searched_all_the_same() -> None:
    text = '[packages]\n"bad \\q escape" = "*"\nrequests = \n'
    assert key_line(text, ("packages", "bad \\q escape")) == 2
    assert key_line(text, ("packages", "requests")) == 3


def test_location_names_an_index_in_brackets() -> None:
    path = Path("Pipfile")
    assert key_label(("source", 1, "url")) == "source[1].url"
    assert key_label(("tool", "poetry")) == "tool.poetry"
    assert location_of(path, PIPFILE, ("source", 1, "url")) == Location(path, 6, "source[1].url")
    assert str(location_of(path, PIPFILE, ("packages", "Django"))) == "Pipfile:11 [packages.Django]"


def test_element_location_finds_the_element_line_or_falls_back_to_the_key(tmp_path: Path) -> None:
    text = "[project]\ndependencies = [\n  \"a\",\n  'b',\n]\n"
    path = tmp_path / "pyproject.toml"
    assert element_location(path, text, ("project", "dependencies"), "b").line == 4
    assert element_location(path, text, ("project", "dependencies"), "c").line == 2
    # An unknown key falls back to its deepest known table, then to the value's own line.
    assert element_location(path, text, ("project", "missing"), "zz") == Location(path, 1, "project.missing")
    assert element_location(path, text, ("tool", "x"), "a") == Location(path, None, "tool.x")


def test_a_missing_key_is_found_at_the_deepest_table_that_holds_it() -> None:
    text = "[tool.poetry.dependencies]\nrequests = '*'\n[project]\nname = 'app'\n"
    # `tool` is defined by the header of one of its tables.
    assert key_line(text, ("tool", "ruff")) == 1
    assert key_line(text, ("project", "dependencies")) == 3
    assert key_line(text, ("build-system", "requires")) is None
