"""File and import names of built distributions (PEP 427 wheels, PEP 625 sdists)."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version


def dist_name(name: str) -> str:
    """The project name as it appears in file names and `.dist-info`: normalised, `-` as `_`."""
    return canonicalize_name(name).replace("-", "_")


def dist_info(name: str, version: str) -> str:
    return f"{dist_name(name)}-{Version(version)}.dist-info"


def wheel_filename(name: str, version: str, tag: str) -> str:
    return f"{dist_name(name)}-{Version(version)}-{tag}.whl"


def sdist_filename(name: str, version: str) -> str:
    return f"{dist_name(name)}-{Version(version)}.tar.gz"


def import_name(name: str) -> str:
    """The importable package each built distribution ships (a valid identifier for any valid name)."""
    module = dist_name(name)
    return module if module[0].isalpha() else f"_{module}"
