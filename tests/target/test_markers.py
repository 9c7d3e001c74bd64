"""The target's PEP 508 marker environment, and evaluating markers in it."""

from __future__ import annotations

import pytest
from packaging.markers import Marker, default_environment

from thoth_cli.target import Platform, Target


def described(python: str, platform: str) -> Target:
    return Target.from_options(python, platform)


def test_windows_amd64_environment() -> None:
    assert described("3.12", "win_amd64").marker_environment() == {
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Windows",
        "platform_version": "",
        "python_full_version": "3.12.0",
        "python_version": "3.12",
        "sys_platform": "win32",
    }


def test_macos_arm64_environment() -> None:
    environment = described("3.11.9", "macosx_14_0_arm64").marker_environment()
    assert environment["os_name"] == "posix"
    assert environment["platform_machine"] == "arm64"
    assert environment["platform_system"] == "Darwin"
    assert environment["sys_platform"] == "darwin"
    assert environment["python_full_version"] == "3.11.9"
    assert environment["implementation_version"] == "3.11.9"


def test_linux_environment() -> None:
    environment = described("3.13", "manylinux_2_28_aarch64").marker_environment()
    assert environment["os_name"] == "posix"
    assert environment["platform_machine"] == "aarch64"
    assert environment["platform_system"] == "Linux"
    assert environment["sys_platform"] == "linux"


@pytest.mark.parametrize(
    ("tag", "machine"), [("win32", "x86"), ("win_arm64", "ARM64"), ("macosx_12_0_x86_64", "x86_64")]
)
def test_platform_machine_is_spelt_as_the_os_spells_it(tag: str, machine: str) -> None:
    assert described("3.12", tag).marker_environment()["platform_machine"] == machine


def test_pypy_environment_names_pypy_and_its_own_version() -> None:
    environment = described("pypy3.10", "manylinux_2_17_x86_64").marker_environment()
    assert environment["implementation_name"] == "pypy"
    assert environment["platform_python_implementation"] == "PyPy"
    # Only the Python version was given: the oldest PyPy with the pp73 ABI is assumed.
    assert environment["implementation_version"] == "7.3.0"
    assert environment["python_full_version"] == "3.10.0"
    exact = Target(
        python_version=(3, 10, 14),
        platform=Platform.parse("manylinux_2_17_x86_64"),
        implementation="pypy",
        implementation_version=(7, 3, 17),
    )
    assert exact.marker_environment()["implementation_version"] == "7.3.17"


def test_current_target_environment_is_packagings_default_environment() -> None:
    assert Target.current().marker_environment() == default_environment()


def test_environment_is_a_fresh_dict_each_time() -> None:
    target = described("3.12", "win_amd64")
    target.marker_environment()["sys_platform"] = "linux"
    assert target.marker_environment()["sys_platform"] == "win32"


def test_no_marker_always_holds() -> None:
    assert described("3.12", "win_amd64").evaluate(None)


@pytest.mark.parametrize(
    ("marker", "windows", "linux"),
    [
        ('sys_platform == "win32"', True, False),
        ('platform_machine == "AMD64"', True, False),
        ('platform_system == "Linux" and platform_machine == "x86_64"', False, True),
        ('os_name == "nt"', True, False),
        ('python_version >= "3.12"', True, True),
        # 3.12 means 3.12.0: a marker asking for a later patch release does not hold.
        ('python_full_version >= "3.12.1"', False, False),
        ('implementation_name == "cpython"', True, True),
    ],
)
def test_markers_are_evaluated_for_the_target_not_the_host(marker: str, windows: bool, linux: bool) -> None:
    assert described("3.12", "win_amd64").evaluate(Marker(marker)) is windows
    assert described("3.12", "manylinux_2_28_x86_64").evaluate(Marker(marker)) is linux


def test_extras_make_extra_markers_hold() -> None:
    target = described("3.12", "manylinux_2_28_x86_64")
    socks = Marker('extra == "socks"')
    assert not target.evaluate(socks)
    assert target.evaluate(socks, frozenset({"socks"}))
    assert target.evaluate(socks, frozenset({"brotli", "socks"}))
    assert not target.evaluate(socks, frozenset({"brotli"}))
    # Extra names are compared normalised, as packaging does.
    assert target.evaluate(Marker('extra == "Use_Chardet"'), frozenset({"use-chardet"}))


def test_extras_combine_with_the_rest_of_the_marker() -> None:
    target = described("3.12", "manylinux_2_28_x86_64")
    marker = Marker('extra == "win" and sys_platform == "win32"')
    assert not target.evaluate(marker, frozenset({"win"}))
    assert described("3.12", "win_amd64").evaluate(marker, frozenset({"win"}))


def test_the_empty_extra_is_tried_alongside_the_given_ones() -> None:
    marker = Marker('extra != "socks"')
    assert described("3.12", "win_amd64").evaluate(marker, frozenset({"socks"}))
