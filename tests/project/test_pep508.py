"""PEP 508 for every reader: requirement strings, names and markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import MAIN, Group, GroupKind
from thoth_cli.project.pep508 import from_requirement, join_markers, parse_requirement, valid_name

TEXT = "Requests[socks]>=2.31; python_version < '3.12'"
WHERE = Location(Path("pyproject.toml"), line=3, key="project.dependencies")
DEV = Group(GroupKind.GROUP, "dev")


def test_a_requirement_keeps_its_spelling_group_and_origin() -> None:
    requirement = parse_requirement(TEXT, location=WHERE, group=DEV)
    assert (requirement.name, requirement.display_name) == ("requests", "Requests")
    assert requirement.specifier == SpecifierSet(">=2.31")
    assert requirement.extras == frozenset({"socks"})
    assert requirement.marker == Marker("python_version < '3.12'")
    assert (requirement.group, requirement.origin) == (DEV, WHERE)
    assert (requirement.editable, requirement.index, requirement.hashes) == (False, None, ())
    parsed = from_requirement(Requirement(TEXT), location=WHERE)
    assert parsed == parse_requirement(TEXT, location=WHERE, group=MAIN)


def test_a_direct_reference_keeps_its_url() -> None:
    requirement = parse_requirement("lib @ https://host/lib-1.0.tar.gz", location=WHERE)
    assert (requirement.url, str(requirement.specifier)) == ("https://host/lib-1.0.tar.gz", "")


def test_an_invalid_requirement_is_quoted_with_its_location() -> None:
    with pytest.raises(ManifestError) as caught:
        parse_requirement("requests>=", location=WHERE)
    assert str(caught.value).startswith(
        "pyproject.toml:3 [project.dependencies]: invalid requirement (expected "
    )
    assert str(caught.value).endswith(
        ": 'requests>='\n  fix: write it as PEP 508 describes, e.g. 'requests>=2.31,<3' or "
        "'name @ https://host/name-1.0.tar.gz'"
    )


def test_valid_name_normalises_or_refuses_naming_what_it_is() -> None:
    assert valid_name("Flask_Login", what="extra name", location=WHERE) == "flask-login"
    with pytest.raises(ManifestError) as caught:
        valid_name("-dev", what="dependency group name", location=WHERE)
    assert str(caught.value) == (
        "pyproject.toml:3 [project.dependencies]: not a valid dependency group name: '-dev'\n"
        "  fix: use letters, digits and '-', '_' or '.', starting and ending with a letter or digit"
    )
    with pytest.raises(ManifestError) as caught:
        valid_name("a b", what="package name", location=WHERE, fix="use the index's name")
    assert str(caught.value).endswith("not a valid package name: 'a b'\n  fix: use the index's name")


def test_join_markers() -> None:
    assert join_markers(None, None) is None
    assert join_markers(Marker("os_name == 'nt'"), None) == Marker("os_name == 'nt'")
    either = Marker("os_name == 'nt' or sys_platform == 'cygwin'")
    assert join_markers(either, Marker("python_version < '3.12'")) == Marker(
        "(os_name == 'nt' or sys_platform == 'cygwin') and python_version < '3.12'"
    )
