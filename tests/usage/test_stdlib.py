"""The standard library's module names for the running Python and for other versions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from thoth_cli.usage.stdlib import CHANGES, StandardLibrary, running_version, standard_library


def test_no_version_is_the_running_interpreters_list() -> None:
    stdlib = standard_library()
    assert stdlib == StandardLibrary(
        version=running_version(),
        based_on=running_version(),
        names=frozenset(sys.stdlib_module_names) | {"__main__"},
        assumed=True,
    )
    assert "json" in stdlib
    assert "requests" not in stdlib


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ((3, 8), {"dummy_threading", "parser", "distutils"}, {"zoneinfo", "graphlib", "tomllib"}),
        ((3, 10), {"zoneinfo", "binhex", "distutils", "asyncore"}, {"tomllib", "parser", "dummy_threading"}),
        ((3, 11), {"tomllib", "distutils", "imp"}, {"binhex"}),
        ((3, 12), {"tomllib", "cgi", "telnetlib"}, {"distutils", "imp", "asynchat", "smtpd"}),
        ((3, 13), {"tomllib", "_colorize"}, {"distutils", "cgi", "telnetlib", "lib2to3", "crypt"}),
        ((3, 14), {"annotationlib", "compression"}, {"distutils", "cgi"}),
    ],
)
def test_other_versions_are_derived_by_the_table_of_changes(
    version: tuple[int, int], present: set[str], absent: set[str]
) -> None:
    stdlib = standard_library(version)
    assert (stdlib.version, stdlib.based_on, stdlib.assumed) == (version, version, False)
    assert stdlib.exact
    assert present <= stdlib.names
    assert not absent & stdlib.names


def test_a_version_beyond_the_table_takes_the_nearest_known_list() -> None:
    newest = max(*CHANGES, running_version())
    later = standard_library((3, 99))
    assert (later.version, later.based_on, later.exact) == ((3, 99), newest, False)
    assert later.names == standard_library(newest).names
    older = standard_library((3, 1))
    assert (older.based_on, older.exact) == ((3, 7), False)
    assert "macpath" in older.names


def _other_pythons() -> list[str]:
    return [f"3.{minor}" for minor in range(10, 15) if (3, minor) != running_version()]


@pytest.mark.parametrize("version", _other_pythons())
def test_the_derived_list_is_what_that_python_itself_says(version: str) -> None:
    # Only where that interpreter happens to be installed: it checks the table against reality.
    program = shutil.which(f"python{version}")
    if program is None:
        pytest.skip(f"python{version} is not installed")
    asked = subprocess.run(
        [program, "-c", "import json, sys; print(json.dumps(sorted(sys.stdlib_module_names)))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if asked.returncode != 0:
        pytest.skip(f"python{version} does not run here: {asked.stderr.strip().splitlines()[:1]}")
    major, minor = map(int, version.split("."))
    derived = standard_library((major, minor)).names - {"__main__"}
    actual = set(json.loads(asked.stdout))
    assert sorted(derived ^ actual) == []
