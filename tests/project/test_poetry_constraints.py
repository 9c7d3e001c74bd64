"""Poetry constraints, `python` and `platform` conditions, translated into PEP 440/508 terms."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from thoth_cli.errors import ExitCode, Location, ManifestError
from thoth_cli.project.poetry_constraints import (
    poetry_platform_marker,
    poetry_python_marker,
    poetry_specifier,
)

HERE = Location(Path("pyproject.toml"), line=7, key="tool.poetry.dependencies.demo")

# Each row: a constraint as written in [tool.poetry.dependencies], and the PEP 440 set that
# allows the same versions. The expectations follow poetry-core's `parse_constraint`
# (constraints/version/parser.py) and `Version.next_breaking`/`next_major`/`next_minor`, whose
# bounds keep the precision written (`^1.2` -> `>=1.2,<2.0`), as `str(VersionRange)` prints them.
TRANSLATIONS = [
    # caret: up to the next change of the left-most non-zero part
    ("^1.2.3", ">=1.2.3,<2.0.0"),
    ("^1.2", ">=1.2,<2.0"),
    ("^1", ">=1,<2"),
    ("^0.2.3", ">=0.2.3,<0.3.0"),
    ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("^0.0", ">=0.0,<0.1"),
    ("^0", ">=0,<1"),
    ("^0.0.0", ">=0.0.0,<0.0.1"),
    ("^1.2.3b1", ">=1.2.3b1,<2.0.0"),
    ("^1.2.3.4", ">=1.2.3.4,<2.0.0.0"),
    ("^ 2.0", ">=2.0,<3.0"),
    ("^1!1.2", ">=1!1.2,<1!2.0"),
    # tilde: patch updates, or minor ones when only the major is given
    ("~1.2.3", ">=1.2.3,<1.3.0"),
    ("~1.2", ">=1.2,<1.3"),
    ("~1", ">=1,<2"),
    ("~0.29", ">=0.29,<0.30"),
    ("~1.2.3rc1", ">=1.2.3rc1,<1.3.0"),
    # PEP 440 compatible release, by Poetry's reading (precision 2 bumps the major)
    ("~=1.2", ">=1.2,<2.0"),
    ("~=1.2.3", ">=1.2.3,<1.3.0"),
    ("~=1", ">=1,<1.1"),
    # wildcards
    ("*", ""),
    ("x", ""),
    ("*.*", ""),
    ("1.*", "==1.*"),
    ("1.2.*", "==1.2.*"),
    ("1.2.x", "==1.2.*"),
    ("==1.2.*", "==1.2.*"),
    ("!=1.2.*", "!=1.2.*"),
    ("==1.2.3.4.*", "==1.2.3.4.*"),
    (">=1.2.*", ">=1.2"),
    # exact versions: a bare version means ==
    ("1.2.3", "==1.2.3"),
    ("==1.2.3", "==1.2.3"),
    ("=1.2.3", "==1.2.3"),
    ("v1.2.3", "==1.2.3"),
    ("2.0.0rc1", "==2.0.0rc1"),
    ("dev", "==0.0.dev0"),
    # comparisons, alone or listed with commas or spaces
    (">=1.2", ">=1.2"),
    ("> 1", ">1"),
    ("<2", "<2"),
    ("<=2.0", "<=2.0"),
    ("!=1.2.3", "!=1.2.3"),
    ("<>1.2.3", "!=1.2.3"),
    (">=1.2,<1.5", ">=1.2,<1.5"),
    (">= 1.2, < 1.5", ">=1.2,<1.5"),
    (">=1.2 <1.5", ">=1.2,<1.5"),
    (">=1.2,<1.5,", ">=1.2,<1.5"),
    (">=1.0,!=1.5,<2.0", ">=1.0,!=1.5,<2.0"),
    ("^1.2,<1.5", ">=1.2,<1.5"),
    (">=1.0,<=1.0", "==1.0"),
    # unions: merged when they touch, else the hull minus whole release series
    ("^1.0 || ^2.0", ">=1.0,<3.0"),
    (">=1.0,<2.0 || >=1.5,<3.0", ">=1.0,<3.0"),
    ("^4 || ^3.6", ">=3.6,<5"),
    ("^1.2 || ^3.0", ">=1.2,<4.0,!=2.*"),
    ("^1.0 || ^4.0", ">=1.0,<5.0,!=2.*,!=3.*"),
    ("~1.2 || ~1.4", ">=1.2,<1.5,!=1.3.*"),
    ("<1.0 || >=2.0", "!=1.*"),
    ("<2.0 || >2.0", "!=2.0"),
    (">=1,<2.0 || >2.0,<3", ">=1,<3,!=2.0"),
    ("^1.2 | ^3.0", ">=1.2,<4.0,!=2.*"),
    ("!=1.5 || ==1.5", ""),
    # a series floor that cannot become `==1.2.*` stays exact as a dev-release bound
    ("1.2.* || 1.4.*", ">=1.2.dev0,<1.5,!=1.3.*"),
]


@pytest.mark.parametrize(("constraint", "expected"), TRANSLATIONS)
def test_poetry_constraints_translate_to_the_same_versions(constraint: str, expected: str) -> None:
    result = poetry_specifier(constraint, location=HERE)
    # Compared as strings so the precision Poetry keeps (`<2.0.0` vs `<2`) is checked too.
    assert sorted(str(s) for s in result) == sorted(s for s in expected.split(",") if s)


@pytest.mark.parametrize(
    ("constraint", "inside", "outside"),
    [
        ("^1.2 || ^3.0", ["1.2", "1.9.9", "3.0", "3.7.1"], ["1.1", "2.0", "2.5", "4.0"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4", "0.0.2", "0.1.0"]),
        ("~1.2", ["1.2.0", "1.2.99"], ["1.3", "1.1.9"]),
        ("1.2.*", ["1.2", "1.2.5", "1.2.5.post1"], ["1.3", "1.20"]),
        ("<2.0", ["1.9"], ["2.0", "2.0rc1"]),
    ],
)
def test_translated_sets_admit_and_refuse_the_versions_poetry_would(
    constraint: str, inside: list[str], outside: list[str]
) -> None:
    result = poetry_specifier(constraint, location=HERE)
    assert all(result.contains(Version(v), prereleases=True) for v in inside)
    assert not any(result.contains(Version(v), prereleases=True) for v in outside)


def test_a_union_gap_keeps_the_upper_ranges_own_prereleases_the_one_known_widening() -> None:
    # Poetry's `>=3.0` refuses 3.0a1; a set with `!=2.*` cannot, and says so in its docstring.
    assert poetry_specifier("^1.2 || ^3.0", location=HERE).contains("3.0a1", prereleases=True)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^3.8", 'python_version >= "3.8" and python_version < "4.0"'),
        ("<3.11", 'python_version < "3.11"'),
        ("3.8", 'python_version == "3.8"'),
        ("3.8.*", 'python_version == "3.8.*"'),
        (">=3.8.1", 'python_full_version >= "3.8.1"'),
        ("!=3.8.1", 'python_full_version < "3.8.1" or python_full_version > "3.8.1"'),
        (
            "~2.7 || ^3.6",
            '(python_version >= "2.7" and python_version < "2.8") or '
            '(python_version >= "3.6" and python_version < "4.0")',
        ),
        (
            ">=2.7,<2.8 || >=3.4",
            '(python_version >= "2.7" and python_version < "2.8") or python_version >= "3.4"',
        ),
    ],
)
def test_per_dependency_python_becomes_a_marker(constraint: str, expected: str) -> None:
    assert poetry_python_marker(constraint, location=HERE) == Marker(expected)


def test_python_star_adds_no_marker() -> None:
    assert poetry_python_marker("*", location=HERE) is None


FIX = "write a Poetry constraint such as '^1.2', '~1.2.3', '>=1.2,<2.0', '1.2.*', '==1.2.3' or '*'"


@pytest.mark.parametrize(
    ("constraint", "problem"),
    [
        (">>1.0", "unknown version constraint: '>>1.0'"),
        ("^a.b", "unknown version constraint: '^a.b'"),
        ("", "unknown version constraint: ''"),
        ("latest", "unknown version constraint: 'latest'"),
        ("===1.0", "unknown version constraint: '===1.0'"),
        ("==1.0a1.*", "unknown version constraint: '==1.0a1.*'"),
        (">=1.0,>>2", "unknown version constraint '>>2' in: '>=1.0,>>2'"),
        (">=1.0 || ", "unknown version constraint '' in: '>=1.0 || '"),
    ],
)
def test_unknown_constraints_are_refused_naming_key_and_text(constraint: str, problem: str) -> None:
    with pytest.raises(ManifestError) as caught:
        poetry_specifier(constraint, location=HERE)
    assert str(caught.value) == f"pyproject.toml:7 [tool.poetry.dependencies.demo]: {problem}\n  fix: {FIX}"


@pytest.mark.parametrize("constraint", ["^1.0+local", "~1.0+local", ">=1.0+local,<2", "<1.0+local"])
def test_a_local_version_bounding_a_range_is_refused(constraint: str) -> None:
    with pytest.raises(ManifestError) as caught:
        poetry_specifier(constraint, location=HERE)
    assert str(caught.value) == (
        "pyproject.toml:7 [tool.poetry.dependencies.demo]: a local version (1.0+local) cannot bound a range: "
        f"PEP 440 compares local versions only with == and !=: {constraint!r}\n"
        "  fix: write 1.0 without the local label, or pin that one build with ==1.0+local"
    )
    assert caught.value.exit_code is ExitCode.INVALID_INPUT


@pytest.mark.parametrize(
    ("constraint", "specifier"), [("1.0+local", "==1.0+local"), ("!=1.0+local", "!=1.0+local")]
)
def test_a_local_version_compared_exactly_is_kept(constraint: str, specifier: str) -> None:
    assert poetry_specifier(constraint, location=HERE) == SpecifierSet(specifier)


def test_an_empty_range_is_refused() -> None:
    with pytest.raises(ManifestError) as caught:
        poetry_specifier(">=2.0,<1.0", location=HERE)
    assert str(caught.value) == (
        "pyproject.toml:7 [tool.poetry.dependencies.demo]: version constraint matches no version: "
        "'>=2.0,<1.0'\n  fix: check the bounds: each lower bound must be below its upper bound"
    )


@pytest.mark.parametrize(
    ("constraint", "between"),
    [
        (">=2.7,<2.8 || >=3.4", "<2.8 and >=3.4"),
        ("^21.4 || ^23.1", "<22.0 and >=23.1"),
        ("1.2.3 || 1.2.5", "<=1.2.3 and >=1.2.5"),
    ],
)
def test_a_union_no_specifier_set_can_express_is_refused(constraint: str, between: str) -> None:
    with pytest.raises(ManifestError) as caught:
        poetry_specifier(constraint, location=HERE)
    assert str(caught.value) == (
        "pyproject.toml:7 [tool.poetry.dependencies.demo]: this union cannot be written as one PEP 440 "
        f"specifier set (nothing in PEP 440 excludes exactly the versions between {between}): "
        f"{constraint!r}\n  fix: widen it to one range, or give one entry per range with its own "
        "`python` or `markers` condition (a list of tables)"
    )


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", 'sys_platform == "linux"'),
        ("!=win32", 'sys_platform != "win32"'),
        ("linux || darwin", 'sys_platform == "linux" or sys_platform == "darwin"'),
        ("!=win32,!=cygwin", 'sys_platform != "win32" and sys_platform != "cygwin"'),
    ],
)
def test_platform_becomes_sys_platform_comparisons(platform: str, expected: str) -> None:
    assert poetry_platform_marker(platform, location=HERE) == Marker(expected)
