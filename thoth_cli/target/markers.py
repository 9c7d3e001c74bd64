"""The PEP 508 marker environment of a target, and evaluating markers in it."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from packaging.markers import Marker

if TYPE_CHECKING:
    from thoth_cli.target.model import Target

PYPY_VERSION = (7, 3, 0)
"""PyPy's own version when only the Python version is known: the oldest its `pp73` ABI implies."""

_OS = {
    # os -> (platform_system, sys_platform, os_name)
    "linux": ("Linux", "linux", "posix"),
    "macos": ("Darwin", "darwin", "posix"),
    "windows": ("Windows", "win32", "nt"),
}

_WINDOWS_MACHINE = {"amd64": "AMD64", "x86": "x86", "arm64": "ARM64"}
"""What `platform.machine()` reports on Windows for each architecture."""


@functools.cache
def _environment(target: Target) -> tuple[tuple[str, str], ...]:
    system, sys_platform, os_name = _OS[target.platform.os]
    machine = target.platform.arch
    if target.platform.os == "windows":
        machine = _WINDOWS_MACHINE[machine]
    if target.implementation == "pypy":
        implementation_version = ".".join(map(str, target.implementation_version or PYPY_VERSION))
        python_implementation = "PyPy"
    else:
        implementation_version = target.python_full_version
        python_implementation = "CPython"
    return (
        ("implementation_name", target.implementation),
        ("implementation_version", implementation_version),
        ("os_name", os_name),
        ("platform_machine", machine),
        ("platform_python_implementation", python_implementation),
        ("platform_release", target.platform_release),
        ("platform_system", system),
        ("platform_version", target.platform_version),
        ("python_full_version", target.python_full_version),
        ("python_version", target.python_version_str),
        ("sys_platform", sys_platform),
    )


def marker_environment(target: Target) -> dict[str, str]:
    """The target's marker environment (a fresh dict; `extra` is given per evaluation)."""
    return dict(_environment(target))


def evaluate(target: Target, marker: Marker | None, extras: frozenset[str] = frozenset()) -> bool:
    """Whether `marker` holds on the target for no extra or for any of `extras`; None always holds."""
    if marker is None:
        return True
    environment: dict[str, str] = dict(_environment(target))
    for extra in ("", *sorted(extras)):
        environment["extra"] = extra
        if marker.evaluate(environment):
            return True
    return False
