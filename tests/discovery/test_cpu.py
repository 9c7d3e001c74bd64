"""The CPU from /proc/cpuinfo on x86 and ARM, py-cpuinfo where that file is missing, and this machine's."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.discovery.conftest import DATA, FakeRoot, FakeTools, host_context, image_context
from thoth_cli.discovery.cpu import cpu, parse_cpuinfo
from thoth_cli.discovery.model import Cpu
from thoth_cli.discovery.probe import ProbeContext, ProbeNote

CPUINFO = Path("/proc/cpuinfo")
NEOVERSE_N1_FEATURES = frozenset(
    [
        "fp",
        "asimd",
        "evtstrm",
        "aes",
        "pmull",
        "sha1",
        "sha2",
        "crc32",
        "atomics",
        "fphp",
        "asimdhp",
        "cpuid",
        "asimdrdm",
        "lrcpc",
        "dcpop",
        "asimddp",
        "ssbs",
    ]
)


def test_an_x86_cpuinfo_gives_identity_cores_and_flags() -> None:
    found = parse_cpuinfo((DATA / "cpuinfo" / "amd-epyc-kvm.txt").read_text())
    assert found is not None
    assert (found.vendor, found.brand, found.family, found.model, found.stepping) == (
        "AuthenticAMD",
        "AMD EPYC",
        25,
        17,
        1,
    )
    assert (found.logical_cores, found.physical_cores) == (2, 2)
    assert {"avx", "avx2", "avx512f", "avx512_bf16", "avx512_vnni"} <= found.flags
    assert "amx_tile" not in found.flags
    assert found.source == "/proc/cpuinfo"


def test_an_arm_cpuinfo_gives_the_implementer_part_and_features() -> None:
    found = parse_cpuinfo((DATA / "cpuinfo" / "neoverse-n1.txt").read_text())
    assert found == Cpu(
        vendor="ARM",
        brand=None,
        family=8,
        model=0xD0C,
        stepping=1,
        logical_cores=3,
        physical_cores=None,
        flags=NEOVERSE_N1_FEATURES,
        source="/proc/cpuinfo",
    )


def test_a_cpuinfo_without_processors_is_no_cpu(root: FakeRoot) -> None:
    root.write("/proc/cpuinfo", "\n\n")
    ctx = image_context(root)
    assert cpu(ctx) is None
    assert ctx.notes == [ProbeNote("cpu", "/proc/cpuinfo lists no processor")]


def test_an_image_has_no_cpu_of_its_own(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert cpu(ctx) is None
    assert ctx.notes == [
        ProbeNote("cpu", "no /proc/cpuinfo in the root: the CPU is the one the image will run on")
    ]


def test_a_root_with_cpuinfo_is_read_without_any_process(root: FakeRoot, tools: FakeTools) -> None:
    root.copy("/proc/cpuinfo", "cpuinfo/neoverse-n1.txt")
    found = cpu(host_context(root, tools))
    assert found is not None and found.source == "/proc/cpuinfo" and found.vendor == "ARM"


@pytest.mark.skipif(not CPUINFO.exists(), reason="this machine has no /proc/cpuinfo")
def test_py_cpuinfo_describes_a_host_without_cpuinfo(root: FakeRoot, tools: FakeTools) -> None:
    found = cpu(host_context(root, tools, timeout=60))
    here = parse_cpuinfo(CPUINFO.read_text())
    assert found is not None and here is not None
    assert found.source == "py-cpuinfo"
    assert (found.vendor, found.logical_cores) == (here.vendor, os.cpu_count())
    assert found.flags


@pytest.mark.skipif(not CPUINFO.exists(), reason="this machine has no /proc/cpuinfo")
def test_this_machines_flags_are_its_cpuinfos() -> None:
    found = cpu(ProbeContext.create())
    flags = next(
        line
        for line in CPUINFO.read_text().splitlines()
        if line.split(":")[0].strip() in ("flags", "Features")
    )
    assert found is not None
    assert found.flags == frozenset(flags.split(":", 1)[1].split())
    assert found.logical_cores == os.cpu_count()


@pytest.mark.skipif(shutil.which("lscpu") is None, reason="this machine has no lscpu")
def test_this_machine_is_what_lscpu_says() -> None:
    found = cpu(ProbeContext.create())
    output = subprocess.run(["lscpu"], capture_output=True, text=True, check=True, env={"LC_ALL": "C"}).stdout
    lscpu = {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())
    }
    assert found is not None
    assert found.logical_cores == int(lscpu["CPU(s)"])
    if "Flags" in lscpu:
        assert found.flags == frozenset(lscpu["Flags"].split())
    if "Vendor ID" in lscpu and found.brand is not None:
        assert (found.vendor, found.brand) == (lscpu["Vendor ID"], lscpu["Model name"])
    if "Core(s) per socket" in lscpu and "Socket(s)" in lscpu:
        assert found.physical_cores == int(lscpu["Core(s) per socket"]) * int(lscpu["Socket(s)"])
