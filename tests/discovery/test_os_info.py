"""The operating system, architecture and C library of a root, and of this machine."""

from __future__ import annotations

import os
import platform as host_platform
import struct
import sys
from pathlib import Path

import pytest
from packaging.tags import platform_tags

from tests.discovery.conftest import DATA, FakeRoot, image_context
from thoth_cli.discovery.model import OperatingSystem
from thoth_cli.discovery.os_info import elf_architecture, operating_system, parse_os_release, platform
from thoth_cli.discovery.probe import ProbeContext, ProbeNote
from thoth_cli.discovery.rootfs import RootFS
from thoth_cli.target import Platform

GLIBC_BANNER = b"GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n"


def elf_header(machine: int, *, is_64: bool = True, little: bool = True) -> bytes:
    """The first 20 bytes of an ELF executable for `machine` (e_ident, e_type, e_machine)."""
    order = "<" if little else ">"
    ident = b"\x7fELF" + bytes([2 if is_64 else 1, 1 if little else 2, 1]) + bytes(9)
    return ident + struct.pack(f"{order}HH", 3, machine) + bytes(44)


def test_os_release_values_lose_their_shell_quoting() -> None:
    values = parse_os_release((DATA / "os-release" / "rocky-9").read_text())
    assert values["ID"] == "rocky"
    assert values["ID_LIKE"] == "rhel centos fedora"
    assert values["PRETTY_NAME"] == "Rocky Linux 9.3 (Blue Onyx)"
    assert parse_os_release("# comment\nNAME='it''s'\nBROKEN=\"unbalanced\n") == {
        "NAME": "its",
        "BROKEN": "unbalanced",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ubuntu-22.04",
            OperatingSystem("ubuntu", "Ubuntu", "22.04", ("debian",), "Ubuntu 22.04.4 LTS", "jammy"),
        ),
        ("alpine-3.19", OperatingSystem("alpine", "Alpine Linux", "3.19.1", (), "Alpine Linux v3.19", None)),
        (
            "rocky-9",
            OperatingSystem(
                "rocky",
                "Rocky Linux",
                "9.3",
                ("rhel", "centos", "fedora"),
                "Rocky Linux 9.3 (Blue Onyx)",
                None,
            ),
        ),
    ],
)
def test_an_image_names_its_distribution_and_has_no_kernel(
    root: FakeRoot, name: str, expected: OperatingSystem
) -> None:
    root.copy("/usr/lib/os-release", f"os-release/{name}").link("/etc/os-release", "../usr/lib/os-release")
    assert operating_system(image_context(root)) == expected


def test_usr_lib_os_release_is_read_when_etc_has_none(root: FakeRoot) -> None:
    root.copy("/usr/lib/os-release", "os-release/alpine-3.19")
    found = operating_system(image_context(root))
    assert found is not None and found.id == "alpine"


def test_a_root_without_os_release_says_so(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert operating_system(ctx) is None
    assert ctx.notes == [ProbeNote("os-release", "none of /etc/os-release, /usr/lib/os-release exists")]


@pytest.mark.parametrize(
    ("header", "arch"),
    [
        (elf_header(62), "x86_64"),
        (elf_header(183), "aarch64"),
        (elf_header(3, is_64=False), "i686"),
        (elf_header(40, is_64=False), "armv7l"),
        (elf_header(21), "ppc64le"),
        (elf_header(21, little=False), "ppc64"),
        (elf_header(22, little=False), "s390x"),
        (elf_header(243), "riscv64"),
        (elf_header(258), "loongarch64"),
        (elf_header(8), None),
        (b"#!/bin/sh\n", None),
    ],
)
def test_elf_headers_name_the_architecture(header: bytes, arch: str | None) -> None:
    assert elf_architecture(header) == arch


def test_an_image_platform_comes_from_its_shell_and_its_libc_banner(root: FakeRoot) -> None:
    root.write("/usr/bin/dash", elf_header(183)).link("/bin/sh", "/usr/bin/dash")
    root.write("/usr/lib/aarch64-linux-gnu/libc.so.6", elf_header(183) + bytes(4096) + GLIBC_BANNER)
    root.link("/lib", "usr/lib")
    assert platform(image_context(root)) == Platform(
        os="linux", arch="aarch64", libc="glibc", libc_version=(2, 36)
    )


def test_an_older_glibc_names_its_version_in_the_file_name(root: FakeRoot) -> None:
    root.write("/bin/sh", elf_header(62))
    root.write("/lib/x86_64-linux-gnu/libc-2.31.so", elf_header(62))
    root.link("/lib/x86_64-linux-gnu/libc.so.6", "libc-2.31.so")
    assert platform(image_context(root)) == Platform(
        os="linux", arch="x86_64", libc="glibc", libc_version=(2, 31)
    )


def test_musl_takes_its_version_from_alpines_package_database(root: FakeRoot) -> None:
    root.write("/bin/busybox", elf_header(62)).link("/bin/sh", "/bin/busybox")
    root.write("/lib/ld-musl-x86_64.so.1", elf_header(62))
    root.copy("/lib/apk/db/installed", "system-packages/apk-installed-alpine")
    assert platform(image_context(root)) == Platform(
        os="linux", arch="x86_64", libc="musl", libc_version=(1, 2)
    )


def test_musl_of_unknown_version_allows_only_plain_linux_wheels(root: FakeRoot) -> None:
    root.write("/bin/sh", elf_header(183)).write("/lib/ld-musl-aarch64.so.1", elf_header(183))
    ctx = image_context(root)
    assert platform(ctx) == Platform(os="linux", arch="aarch64")
    assert ctx.notes == [
        ProbeNote(
            "platform", "/lib/ld-musl-aarch64.so.1 is musl of unknown version: only linux_aarch64 wheels fit"
        )
    ]


def test_a_root_without_a_c_library_allows_only_plain_linux_wheels(root: FakeRoot) -> None:
    root.write("/bin/sh", elf_header(62))
    ctx = image_context(root)
    assert platform(ctx) == Platform(os="linux", arch="x86_64")
    assert ctx.notes == [ProbeNote("platform", "no C library found: only linux_x86_64 wheels fit")]


def test_a_root_without_executables_has_no_platform(root: FakeRoot) -> None:
    root.write("/bin/sh", "#!/bin/busybox sh\n")
    ctx = image_context(root)
    assert platform(ctx) is None
    assert ctx.notes == [
        ProbeNote("platform", "/bin/sh is not an ELF executable thoth knows"),
        ProbeNote(
            "platform",
            "no ELF executable among /bin/sh, /usr/bin/sh, /bin/busybox, /usr/bin/python3, "
            "/usr/local/bin/python3 tells the architecture",
        ),
    ]


@pytest.mark.skipif(not Path("/etc/os-release").exists(), reason="this machine has no os-release")
def test_this_machine_is_what_its_os_release_and_uname_say() -> None:
    found = operating_system(ProbeContext.create())
    release = host_platform.freedesktop_os_release()
    assert found is not None
    assert (found.id, found.name, found.version) == (
        release["ID"],
        release["NAME"],
        release.get("VERSION_ID"),
    )
    assert found.id_like == tuple(release.get("ID_LIKE", "").split())
    assert (found.kernel_release, found.kernel_version) == (os.uname().release, os.uname().version)


def test_this_machines_platform_is_what_packaging_finds() -> None:
    found = platform(ProbeContext.create())
    assert found == Platform.current()
    assert found is not None
    assert set(found.tags()) == set(platform_tags())


@pytest.mark.skipif(
    not hasattr(os, "confstr") or sys.platform != "linux", reason="glibc's confstr is Linux's"
)
def test_this_machine_read_as_files_gives_the_platform_its_libc_reports() -> None:
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (OSError, ValueError):
        libc = ""
    if not libc.startswith("glibc "):
        pytest.skip("this machine's C library is not glibc")
    major, minor = libc.split()[1].split(".")[:2]
    as_image = ProbeContext.create(RootFS(Path("/")), host=False)
    assert platform(as_image) == Platform(
        os="linux", arch=Platform.current().arch, libc="glibc", libc_version=(int(major), int(minor))
    )
