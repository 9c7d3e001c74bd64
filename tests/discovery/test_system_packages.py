"""System packages from dpkg's status, Alpine's installed database and rpm's SQLite database."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest

from tests.discovery.conftest import FakeRoot, image_context
from thoth_cli.discovery.model import SystemPackage
from thoth_cli.discovery.probe import ProbeContext, ProbeNote
from thoth_cli.discovery.system_packages import parse_rpm_header, system_packages


def rpm_header(name: str, version: str, release: str, arch: str, epoch: int | None = None) -> bytes:
    """An rpm header blob as rpmdb.sqlite stores it: counts, index entries, then the data they point into."""
    entries: list[tuple[int, int, bytes]] = [(63, 7, bytes(16))]  # the immutable region rpm writes first
    entries += [(1000, 6, name.encode() + b"\0"), (1001, 6, version.encode() + b"\0")]
    entries += [(1002, 6, release.encode() + b"\0"), (1022, 6, arch.encode() + b"\0")]
    if epoch is not None:
        entries.append((1003, 4, struct.pack(">I", epoch)))
    index, data = b"", b""
    for tag, kind, value in entries:
        if kind == 4:
            data += bytes(-len(data) % 4)  # int32 values are 4-byte aligned
        index += struct.pack(">iIiI", tag, kind, len(data), 1)
        data += value
    return struct.pack(">II", len(entries), len(data)) + index + data


def rpm_database(path: Path, blobs: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    connection.executemany("INSERT INTO Packages (blob) VALUES (?)", [(blob,) for blob in blobs])
    connection.commit()
    connection.close()


def test_dpkg_installed_packages_without_the_removed_ones(root: FakeRoot) -> None:
    root.copy("/var/lib/dpkg/status", "system-packages/dpkg-status-debian-12")
    assert system_packages(image_context(root)) == (
        SystemPackage("dpkg", "base-files", "12.4+deb12u11", "amd64"),
        SystemPackage("dpkg", "libc6", "2.36-9+deb12u14", "amd64"),
        SystemPackage("dpkg", "python3.11-minimal", "3.11.2-6+deb12u6", "amd64"),
        SystemPackage("dpkg", "zlib1g", "1:1.2.13.dfsg-1", "amd64"),
    )


def test_distroless_status_files_need_no_status_field(root: FakeRoot) -> None:
    root.write(
        "/var/lib/dpkg/status.d/libssl3",
        "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n",
    )
    root.write(
        "/var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"
    )
    assert system_packages(image_context(root)) == (
        SystemPackage("dpkg", "libssl3", "3.0.11-1~deb12u2", "amd64"),
        SystemPackage("dpkg", "tzdata", "2024a-0+deb12u1", "all"),
    )


def test_alpine_packages(root: FakeRoot) -> None:
    root.copy("/lib/apk/db/installed", "system-packages/apk-installed-alpine")
    assert system_packages(image_context(root)) == (
        SystemPackage("apk", "libretls", "3.3.4-r2", "x86_64"),
        SystemPackage("apk", "musl", "1.2.2-r7", "x86_64"),
    )


def test_rpm_packages_from_the_sqlite_database(root: FakeRoot) -> None:
    rpm_database(
        root.path / "usr/lib/sysimage/rpm/rpmdb.sqlite",
        [
            rpm_header("bash", "5.1.8", "9.el9", "x86_64"),
            rpm_header("openssl-libs", "3.0.7", "27.el9", "x86_64", epoch=1),
            rpm_header("gpg-pubkey", "fd431d51", "4ae0493b", "(none)"),
            b"\x00\x00\x00\x09truncated",
        ],
    )
    root.link("/var/lib/rpm", "../../usr/lib/sysimage/rpm")
    ctx = image_context(root)
    assert system_packages(ctx) == (
        SystemPackage("rpm", "bash", "5.1.8-9.el9", "x86_64"),
        SystemPackage("rpm", "openssl-libs", "1:3.0.7-27.el9", "x86_64"),
    )
    assert ctx.notes == [
        ProbeNote("system-packages", "1 unreadable package headers in /usr/lib/sysimage/rpm/rpmdb.sqlite")
    ]


def test_an_rpm_header_is_read_as_rpm_writes_it() -> None:
    assert parse_rpm_header(rpm_header("zlib", "1.2.11", "40.el9", "x86_64")) == SystemPackage(
        "rpm", "zlib", "1.2.11-40.el9", "x86_64"
    )
    assert parse_rpm_header(b"") is None
    assert parse_rpm_header(struct.pack(">II", 1, 0) + struct.pack(">iIiI", 1000, 6, 99, 1)) is None


def test_berkeley_db_rpm_databases_of_an_image_are_unknown(root: FakeRoot) -> None:
    root.write("/var/lib/rpm/Packages", bytes(4096))
    ctx = image_context(root)
    assert system_packages(ctx) is None
    assert ctx.notes == [
        ProbeNote(
            "system-packages",
            "/var/lib/rpm/Packages is an rpm database only rpm itself reads, and nothing in an image runs",
        )
    ]


def test_a_root_without_a_package_manager_has_no_packages(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert system_packages(ctx) == ()
    assert ctx.notes == [ProbeNote("system-packages", "no dpkg, rpm or apk database in the root")]


@pytest.mark.skipif(
    shutil.which("dpkg-query") is None or not Path("/var/lib/dpkg/status").exists(),
    reason="this machine has no dpkg",
)
def test_this_machines_packages_are_what_dpkg_query_lists() -> None:
    output = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = {
        SystemPackage("dpkg", name, version, arch)
        for status, name, version, arch in (line.split("\t") for line in output.splitlines())
        if status == "installed"
    }
    found = system_packages(ProbeContext.create())
    assert found is not None
    assert {package for package in found if package.manager == "dpkg"} == listed
