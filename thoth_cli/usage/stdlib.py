"""The standard library's top-level module names for a given Python version."""

from __future__ import annotations

import sys
from dataclasses import dataclass

PythonVersion = tuple[int, int]


@dataclass(frozen=True)
class Change:
    """The top-level modules a Python release added to or removed from its standard library."""

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()


def _change(added: str = "", removed: str = "") -> Change:
    return Change(frozenset(added.split()), frozenset(removed.split()))


CHANGES: dict[PythonVersion, Change] = {
    (3, 8): _change("_posixshmem _statistics", "macpath"),
    (3, 9): _change(
        "_aix_support _bootsubprocess _peg_parser _zoneinfo graphlib zoneinfo",
        "_dummy_thread dummy_threading",
    ),
    (3, 10): _change(removed="_bootlocale _peg_parser formatter parser symbol"),
    (3, 11): _change("_tokenize _typing tomllib", "binhex"),
    (3, 12): _change(
        "_pydatetime _pylong _sha2",
        "_bootsubprocess _sha256 _sha512 asynchat asyncore distutils imp smtpd",
    ),
    (3, 13): _change(
        "_android_support _colorize _interpchannels _interpqueues _interpreters _ios_support "
        "_opcode_metadata _pyrepl _suggestions _sysconfig _wmi",
        # PEP 594's dead batteries, and lib2to3.
        "_crypt _msi aifc audioop cgi cgitb chunk crypt imghdr lib2to3 mailcap msilib nis nntplib "
        "ossaudiodev pipes sndhdr spwd sunau telnetlib uu xdrlib",
    ),
    (3, 14): _change("_zstd annotationlib compression"),
}
"""What each release changed, measured on each interpreter's `sys.stdlib_module_names` (before 3.10,
on what it ships): enough to derive any version's list from the running interpreter's."""

ALWAYS = frozenset({"__main__"})
"""Importable in every interpreter, yet absent from `sys.stdlib_module_names`."""


@dataclass(frozen=True)
class StandardLibrary:
    """The top-level module names of one Python's standard library.

    `version` is the Python asked for (the running one when none was); `based_on` the one
    whose list thoth could derive, which differs only when `version` lies beyond what
    thoth's table of changes knows; `assumed` is True when no version was asked for.
    """

    version: PythonVersion
    based_on: PythonVersion
    names: frozenset[str]
    assumed: bool = False

    def __contains__(self, module: object) -> bool:
        return module in self.names

    @property
    def exact(self) -> bool:
        return self.version == self.based_on


def running_version() -> PythonVersion:
    return (sys.version_info.major, sys.version_info.minor)


def standard_library(version: PythonVersion | None = None) -> StandardLibrary:
    """The standard library of Python `version` (None: the running interpreter's).

    Derived from the running interpreter's own `sys.stdlib_module_names` by replaying
    (or undoing) each release's changes in `CHANGES` between the two versions; a version
    the table cannot reach gets the nearest one it can (`based_on`).
    """
    running = running_version()
    names = set(sys.stdlib_module_names) | ALWAYS
    if version is None:
        return StandardLibrary(running, running, frozenset(names), assumed=True)
    current = running
    while current != version:
        if version > current:
            later = (current[0], current[1] + 1)
            if later not in CHANGES:
                break
            names = (names - CHANGES[later].removed) | CHANGES[later].added
            current = later
        else:
            if current not in CHANGES:
                break
            names = (names - CHANGES[current].added) | CHANGES[current].removed
            current = (current[0], current[1] - 1)
    return StandardLibrary(version, current, frozenset(names))
