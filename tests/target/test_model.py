"""Target values: built from the command line's options or the running interpreter."""

from __future__ import annotations

import platform
import sys

import pytest

from thoth_cli.errors import ExitCode, ThothError
from thoth_cli.target import Platform, Target, TargetError

LINUX = Platform.parse("manylinux_2_28_x86_64")


def test_x_y_assumes_the_minimum_patch_version() -> None:
    target = Target.from_options("3.12", "manylinux_2_28_x86_64")
    assert target.python_version == (3, 12, 0)
    assert target.python_version_stated
    assert target.python_full_version == "3.12.0"
    assert target.python_version_str == "3.12"
    assert target.implementation == "cpython"
    assert not target.free_threaded
    assert target.platform == LINUX
    assert target.describe() == "CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64"


def test_x_y_z_is_exact() -> None:
    target = Target.from_options("3.12.4", "manylinux2014_aarch64")
    assert target.python_version == (3, 12, 4)
    assert not target.python_version_stated
    assert target.describe() == "CPython 3.12.4 on manylinux_2_17_aarch64"


def test_trailing_t_is_free_threaded() -> None:
    target = Target.from_options("3.13t", "win_amd64")
    assert target.python_version == (3, 13, 0)
    assert target.free_threaded
    assert target.describe() == "CPython 3.13.0 free-threaded (from 3.13t) on win_amd64"
    assert (
        Target.from_options("3.14.1t", "win_amd64").describe() == "CPython 3.14.1 free-threaded on win_amd64"
    )


def test_pypy_prefix_targets_pypy() -> None:
    target = Target.from_options("pypy3.10", "macosx-11.0-arm64")
    assert target.implementation == "pypy"
    assert target.python_version == (3, 10, 0)
    assert target.describe() == "PyPy 3.10.0 (from pypy3.10) on macosx_11_0_arm64"


def test_described_platform_has_no_kernel_release() -> None:
    target = Target.from_options("3.12", "win_amd64")
    assert (target.platform_release, target.platform_version) == ("", "")


def test_no_options_is_the_running_interpreter_on_this_host() -> None:
    current = Target.current()
    assert Target.from_options(None, None) == current
    assert current.python_version == tuple(sys.version_info[:3])
    assert current.platform == Platform.current()
    assert current.platform_release == platform.release()
    assert not current.python_version_stated


def test_missing_python_version_is_the_running_interpreters() -> None:
    target = Target.from_options(None, "win_arm64")
    assert target.python_version == tuple(sys.version_info[:3])
    assert target.platform == Platform("windows", "arm64")
    assert target.platform_release == ""


def test_missing_platform_is_the_hosts() -> None:
    target = Target.from_options("3.12", None)
    assert target.platform == Platform.current()
    assert target.python_version == (3, 12, 0)
    assert target.platform_release == platform.release()


def test_as_dict_is_what_a_lock_file_records() -> None:
    target = Target.from_options("3.12", "win_amd64")
    record = target.as_dict()
    assert record["python"] == "3.12.0"
    assert record["implementation"] == "cpython"
    assert record["free_threaded"] is False
    assert record["platform"] == "win_amd64"
    assert record["tags"] == [str(tag) for tag in target.tags()]
    assert isinstance(record["tags"], list)
    assert record["tags"][:2] == ["cp312-cp312-win_amd64", "cp312-abi3-win_amd64"]


def test_targets_are_values() -> None:
    assert Target.from_options("3.12", "win32") == Target(
        python_version=(3, 12, 0), platform=Platform("windows", "x86"), python_version_stated=True
    )
    assert len({Target.from_options("3.12", "win32"), Target.from_options("3.12", "win32")}) == 1


VERSION_FORMS = (
    "use X.Y (the minimum patch version X.Y.0 is assumed), X.Y.Z, "
    "X.Yt for free-threaded CPython (3.13t or newer), or pypyX.Y for PyPy"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3", f"--python-version: not a Python version: '3'\n  fix: {VERSION_FORMS}"),
        ("three", f"--python-version: not a Python version: 'three'\n  fix: {VERSION_FORMS}"),
        ("3.x", f"--python-version: not a Python version: '3.x'\n  fix: {VERSION_FORMS}"),
        (">=3.12", f"--python-version: not a Python version: '>=3.12'\n  fix: {VERSION_FORMS}"),
        ("cp312", f"--python-version: not a Python version: 'cp312'\n  fix: {VERSION_FORMS}"),
        (
            "2.7",
            "--python-version: thoth resolves for Python 3.7 or newer: '2.7'\n"
            "  fix: name a newer Python, e.g. 3.12",
        ),
        (
            "3.6",
            "--python-version: thoth resolves for Python 3.7 or newer: '3.6'\n"
            "  fix: name a newer Python, e.g. 3.12",
        ),
        (
            "3.12t",
            "--python-version: free-threaded CPython starts at 3.13: '3.12t'\n"
            "  fix: use 3.13t or newer, or drop the trailing t",
        ),
        (
            "pypy3.11t",
            "--python-version: PyPy has no free-threaded build: 'pypy3.11t'\n"
            "  fix: drop the trailing t, e.g. pypy3.10",
        ),
    ],
)
def test_invalid_python_version_names_the_flag_and_the_accepted_forms(text: str, message: str) -> None:
    with pytest.raises(TargetError) as caught:
        Target.from_options(text, "win_amd64")
    assert str(caught.value) == message
    assert caught.value.flag == "--python-version"
    assert caught.value.text == text


def test_invalid_platform_names_the_flag() -> None:
    with pytest.raises(TargetError) as caught:
        Target.from_options("3.12", "windows")
    assert str(caught.value) == (
        "--platform: unknown Windows platform: 'windows'\n"
        "  fix: use win_amd64 (64-bit), win32 (32-bit) or win_arm64"
    )
    assert caught.value.flag == "--platform"
    assert caught.value.problem == "unknown Windows platform"


def test_target_errors_are_usage_errors() -> None:
    error = TargetError("not a Python version", text="x", flag="--python-version")
    assert isinstance(error, ThothError)
    assert error.exit_code is ExitCode.USAGE
    assert error.fix is None
    assert str(error) == "--python-version: not a Python version: 'x'"
