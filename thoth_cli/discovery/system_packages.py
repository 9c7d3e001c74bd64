"""The system-packages probe: what dpkg, rpm and apk installed, read from their databases as files."""

from __future__ import annotations

import re
import sqlite3
import struct
from collections.abc import Iterator

from thoth_cli.discovery.model import SystemPackage
from thoth_cli.discovery.probe import ProbeContext, probe

DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_FOLDER = "/var/lib/dpkg/status.d"
"""Distroless images keep one status file per package here instead."""
APK_INSTALLED = "/lib/apk/db/installed"
RPM_SQLITE = ("/usr/lib/sysimage/rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite")
"""rpm 4.16's SQLite database (Fedora 33+, RHEL 9+); Fedora 36 moved it under /usr/lib/sysimage."""
RPM_OTHER = (
    "/usr/lib/sysimage/rpm/Packages.db",
    "/var/lib/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/Packages",
    "/var/lib/rpm/Packages",
)
"""rpm's ndb (SUSE) and Berkeley DB (RHEL 8 and older) databases, which only rpm itself reads."""

_DATABASE_LIMIT = 256 * 1024 * 1024

# rpm header tags (rpmtag.h) and the value types they are stored with.
_RPMTAG_NAME, _RPMTAG_VERSION, _RPMTAG_RELEASE, _RPMTAG_EPOCH, _RPMTAG_ARCH = 1000, 1001, 1002, 1003, 1022
_RPM_INT32, _RPM_STRING = 4, 6


@probe("system-packages")
def system_packages(ctx: ProbeContext) -> tuple[SystemPackage, ...] | None:
    """Every installed package of the root's package managers, sorted; empty when it has none."""
    packages: list[SystemPackage] = []
    found = False
    status = ctx.fs.read_text(DPKG_STATUS, limit=_DATABASE_LIMIT)
    if status is not None:
        found = True
        packages += parse_dpkg_status(status)
    for path in ctx.fs.glob(DPKG_STATUS_FOLDER, "*"):
        found = True
        packages += parse_dpkg_status(ctx.fs.read_text(path, limit=_DATABASE_LIMIT) or "")
    installed = ctx.fs.read_text(APK_INSTALLED, limit=_DATABASE_LIMIT)
    if installed is not None:
        found = True
        packages += parse_apk_installed(installed)
    rpm_database, rpm = _rpm(ctx)
    if rpm_database and rpm is None and not packages:
        return None
    found = found or rpm_database
    packages += rpm or []
    if not found:
        ctx.note("no dpkg, rpm or apk database in the root")
    return tuple(sorted(set(packages)))


def parse_dpkg_status(text: str) -> list[SystemPackage]:
    """Installed packages of a dpkg status file (removed ones that left config files are skipped)."""
    packages = []
    for stanza in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        name, version = fields.get("Package"), fields.get("Version")
        # Distroless status.d files may carry no Status: being there means installed.
        state = fields.get("Status", "install ok installed").split()
        if name and version and state and state[-1] == "installed":
            packages.append(SystemPackage("dpkg", name, version, fields.get("Architecture") or None))
    return packages


def parse_apk_installed(text: str) -> list[SystemPackage]:
    """Packages of Alpine's `/lib/apk/db/installed` (P: name, V: version, A: architecture)."""
    packages = []
    for block in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if len(line) > 2 and line[1] == ":":
                fields.setdefault(line[0], line[2:].strip())
        if fields.get("P") and fields.get("V"):
            packages.append(SystemPackage("apk", fields["P"], fields["V"], fields.get("A") or None))
    return packages


def parse_rpm_header(blob: bytes) -> SystemPackage | None:
    """The package an rpm header blob (as rpmdb.sqlite stores it) describes; None if malformed.

    The blob is an index count and a data length (big-endian 32-bit), that many 16-byte
    entries (tag, type, offset, count), then the data they point into.
    """
    if len(blob) < 8:
        return None
    count, size = struct.unpack(">II", blob[:8])
    start = 8 + 16 * count
    if start + size > len(blob):
        return None
    data = blob[start : start + size]
    values: dict[int, str | int] = {}
    for entry in range(count):
        tag, kind, offset, _ = struct.unpack(">iIiI", blob[8 + 16 * entry : 24 + 16 * entry])
        if tag not in (_RPMTAG_NAME, _RPMTAG_VERSION, _RPMTAG_RELEASE, _RPMTAG_EPOCH, _RPMTAG_ARCH):
            continue
        if not 0 <= offset < len(data):
            return None
        if kind == _RPM_STRING:
            end = data.find(b"\0", offset)
            values[tag] = data[offset : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
        elif kind == _RPM_INT32 and offset + 4 <= len(data):
            values[tag] = struct.unpack(">I", data[offset : offset + 4])[0]
    name, version, release = (
        values.get(_RPMTAG_NAME),
        values.get(_RPMTAG_VERSION),
        values.get(_RPMTAG_RELEASE),
    )
    if not isinstance(name, str) or not isinstance(version, str) or not isinstance(release, str):
        return None
    epoch = values.get(_RPMTAG_EPOCH)
    full = f"{epoch}:{version}-{release}" if isinstance(epoch, int) and epoch else f"{version}-{release}"
    arch = values.get(_RPMTAG_ARCH)
    return SystemPackage("rpm", name, full, arch if isinstance(arch, str) else None)


def _rpm(ctx: ProbeContext) -> tuple[bool, list[SystemPackage] | None]:
    """Whether the root has an rpm database, and its packages (None: it cannot be read)."""
    for path in RPM_SQLITE:
        real = ctx.fs.resolve(path)
        if real is None or not real.is_file():
            continue
        try:
            blobs = list(_sqlite_blobs(real.as_uri()))
        except sqlite3.Error as exc:
            ctx.note(f"cannot read {path}: {exc}")
            return True, None
        packages = [package for blob in blobs if (package := parse_rpm_header(blob)) is not None]
        if len(packages) < len(blobs):
            ctx.note(f"{len(blobs) - len(packages)} unreadable package headers in {path}")
        # gpg-pubkey entries are rpm's record of imported signing keys, not packages.
        return True, [package for package in packages if package.name != "gpg-pubkey"]
    other = next((path for path in RPM_OTHER if ctx.fs.is_file(path)), None)
    if other is None:
        return False, None
    if not ctx.running_machine:
        ctx.note(f"{other} is an rpm database only rpm itself reads, and nothing in an image runs")
        return True, None
    return True, _rpm_query(ctx)


def _sqlite_blobs(uri: str) -> Iterator[bytes]:
    # immutable=1: the live database of a running system must not be locked or journalled by us.
    connection = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    try:
        for (blob,) in connection.execute("SELECT blob FROM Packages"):
            if isinstance(blob, bytes):
                yield blob
    finally:
        connection.close()


def _rpm_query(ctx: ProbeContext) -> list[SystemPackage] | None:
    executable = ctx.which("rpm")
    if executable is None:
        ctx.note("an rpm database without rpm to read it")
        return None
    query = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n"
    result = ctx.run([executable, "-qa", "--queryformat", query])
    if result is None or not result.ok:
        ctx.note("rpm -qa failed")
        return None
    packages = []
    for line in result.stdout.splitlines():
        cells = line.split("\t")
        if len(cells) != 5 or cells[0] == "gpg-pubkey":
            continue
        name, epoch, version, release, arch = cells
        full = f"{epoch}:{version}-{release}" if epoch not in ("", "0") else f"{version}-{release}"
        packages.append(SystemPackage("rpm", name, full, None if arch == "(none)" else arch))
    return packages
