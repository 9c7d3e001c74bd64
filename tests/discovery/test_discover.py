"""`discover()` on this machine (checked against what the machine says itself) and on an unpacked image."""

from __future__ import annotations

import json
import platform as host_platform
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from packaging.tags import sys_tags

from tests.discovery.conftest import FakeRoot
from tests.discovery.test_os_info import GLIBC_BANNER, elf_header
from thoth_cli.discovery.cpu import parse_cpuinfo
from thoth_cli.discovery.discover import discover
from thoth_cli.discovery.model import (
    Container,
    CudaToolkit,
    Library,
    OperatingSystem,
    PythonInterpreter,
    PythonPackage,
    RuntimeEnvironment,
    SystemPackage,
)
from thoth_cli.discovery.probe import ProbeNote
from thoth_cli.target import Platform, Target


def debian_arm64_image(root: FakeRoot) -> FakeRoot:
    """An unpacked python:3.12-bookworm-like image for arm64 with CUDA 11.5 files and cuDNN 8."""
    root.write("/usr/bin/dash", elf_header(183)).link("/bin/sh", "/usr/bin/dash")
    root.write("/usr/lib/aarch64-linux-gnu/libc.so.6", elf_header(183) + bytes(512) + GLIBC_BANNER)
    root.link("/lib", "usr/lib")
    root.copy("/usr/lib/os-release", "os-release/debian-12").link("/etc/os-release", "../usr/lib/os-release")
    root.copy("/var/lib/dpkg/status", "system-packages/dpkg-status-debian-12")
    root.write("/usr/local/bin/python3.12", elf_header(183)).link("/usr/local/bin/python3", "python3.12")
    root.write("/usr/local/include/python3.12/patchlevel.h", '#define PY_VERSION "3.12.4"\n')
    root.write(
        "/usr/local/lib/python3.12/site-packages/pip-24.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: pip\nVersion: 24.0\n",
    )
    root.copy("/usr/local/cuda-11.5/version.json", "cuda/version-11.5.json").link(
        "/usr/local/cuda", "cuda-11.5"
    )
    root.copy("/usr/include/aarch64-linux-gnu/cudnn_version.h", "cuda/cudnn_version-8.9.7.h")
    return root


def test_an_unpacked_image_is_described_from_its_files(root: FakeRoot) -> None:
    notes: list[ProbeNote] = []
    found = discover(debian_arm64_image(root).fs, notes=notes)
    dpkg = [
        SystemPackage("dpkg", "base-files", "12.4+deb12u11", "amd64"),
        SystemPackage("dpkg", "libc6", "2.36-9+deb12u14", "amd64"),
        SystemPackage("dpkg", "python3.11-minimal", "3.11.2-6+deb12u6", "amd64"),
        SystemPackage("dpkg", "zlib1g", "1:1.2.13.dfsg-1", "amd64"),
    ]
    assert found == RuntimeEnvironment(
        host=False,
        os=OperatingSystem(
            id="debian",
            name="Debian GNU/Linux",
            version="12",
            pretty_name="Debian GNU/Linux 12 (bookworm)",
            codename="bookworm",
        ),
        platform=Platform(os="linux", arch="aarch64", libc="glibc", libc_version=(2, 36)),
        python=PythonInterpreter("cpython", (3, 12, 4), executable="/usr/local/bin/python3"),
        python_packages=(PythonPackage("pip", "24.0", "/usr/local/lib/python3.12/site-packages"),),
        cuda_toolkit=CudaToolkit("11.5.2", "version.json", "/usr/local/cuda/version.json"),
        cudnn=Library("cudnn", "8.9.7", "/usr/include/aarch64-linux-gnu/cudnn_version.h"),
        system_packages=tuple(dpkg),
        container=Container(True, None, "an image root runs in a container"),
    )
    # Found, not asked for: the lock may claim only 3.12 (python_version_exact stays False).
    assert found.to_target() == replace(
        Target.from_options("3.12.4", "manylinux_2_36_aarch64"), python_version_exact=False
    )
    assert {note.probe for note in notes} >= {"cpu", "memory", "nvidia"}


def test_nothing_in_an_image_runs(root: FakeRoot) -> None:
    debian_arm64_image(root)
    marker = root.path.parent / "ran"
    for name in ("nvidia-smi", "nvcc", "rocm-smi", "rpm"):
        tool = root.path / "usr" / "bin" / name
        tool.write_text(f"#!/bin/sh\ntouch {marker}\n")
        tool.chmod(0o755)
    discover(root.fs, environ={"PATH": str(root.path / "usr" / "bin")})
    assert not marker.exists()


def test_a_broken_root_is_described_as_far_as_it_goes(root: FakeRoot) -> None:
    root.folder("/etc/os-release")
    root.write("/proc/cpuinfo", bytes(range(256)) * 4)
    root.write("/var/lib/dpkg/status", b"\xff\xfe\x00Package\n\n\n:::\n")
    root.write("/usr/local/cuda/version.json", "{not json")
    root.write("/usr/local/bin/python3.12", b"\x7fELF")
    root.write("/usr/local/lib/python3.12/site-packages/x-1.dist-info/METADATA", bytes(range(256)))
    found = discover(root.fs)
    assert found.os is None and found.platform is None and found.cuda_toolkit is None
    assert found.python == PythonInterpreter(
        "cpython", (3, 12, 0), version_exact=False, executable="/usr/local/bin/python3.12"
    )
    assert found.system_packages == ()
    json.dumps(found.as_dict())


@pytest.fixture(scope="module")
def here() -> RuntimeEnvironment:
    return discover()


def test_this_machines_target_is_the_running_interpreters(here: RuntimeEnvironment) -> None:
    assert here.host
    assert here.to_target() == Target.current()
    assert here.to_target().tags() == Target.current().tags()
    # The same tags packaging finds, in thoth's order (see tests/target/test_tags.py).
    assert Counter(here.to_target().tags()) == Counter(sys_tags())


@pytest.mark.skipif(not Path("/etc/os-release").exists(), reason="this machine has no os-release")
def test_this_machines_os_is_its_os_release(here: RuntimeEnvironment) -> None:
    release = host_platform.freedesktop_os_release()
    assert here.os is not None
    assert (here.os.id, here.os.version, here.os.pretty_name) == (
        release["ID"],
        release.get("VERSION_ID"),
        release.get("PRETTY_NAME"),
    )


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="this machine has no /proc/cpuinfo")
def test_this_machines_cpu_flags_are_its_cpuinfos(here: RuntimeEnvironment) -> None:
    expected = parse_cpuinfo(Path("/proc/cpuinfo").read_text())
    assert here.cpu is not None and expected is not None
    assert here.cpu.flags == expected.flags


def test_this_machines_description_round_trips_through_json(here: RuntimeEnvironment) -> None:
    assert RuntimeEnvironment.from_dict(json.loads(json.dumps(here.as_dict()))) == here
