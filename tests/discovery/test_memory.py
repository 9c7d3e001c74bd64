"""Memory: psutil on this machine, /proc/meminfo in another root, and a cgroup's limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discovery.conftest import FakeRoot, image_context
from thoth_cli.discovery.memory import memory, parse_meminfo
from thoth_cli.discovery.model import Memory
from thoth_cli.discovery.probe import ProbeContext, ProbeNote

MEMINFO = (
    "MemTotal:       24684084 kB\n"
    "MemFree:        23561480 kB\n"
    "MemAvailable:   24174208 kB\n"
    "HugePages_Total:       0\n"
)


def test_meminfo_counts_kibibytes() -> None:
    assert parse_meminfo(MEMINFO) == {
        "MemTotal": 24684084 * 1024,
        "MemFree": 23561480 * 1024,
        "MemAvailable": 24174208 * 1024,
        "HugePages_Total": 0,
    }


def test_a_root_with_meminfo_and_no_cgroup_limit(root: FakeRoot) -> None:
    root.write("/proc/meminfo", MEMINFO)
    assert memory(image_context(root)) == Memory(24684084 * 1024, 24174208 * 1024, None)


def test_a_cgroup_v2_limit_of_the_own_cgroup(root: FakeRoot) -> None:
    root.write("/proc/meminfo", MEMINFO)
    root.write("/proc/self/cgroup", "0::/system.slice/docker-4f2a.scope\n")
    root.write("/sys/fs/cgroup/system.slice/docker-4f2a.scope/memory.max", "4294967296\n")
    assert memory(image_context(root)) == Memory(24684084 * 1024, 24174208 * 1024, 4294967296)


def test_a_cgroup_v1_limit_and_no_limit_written_as_a_huge_number(root: FakeRoot) -> None:
    root.write("/proc/meminfo", MEMINFO)
    root.write("/proc/self/cgroup", "5:devices:/\n4:memory:/docker/4f2a\n0::/\n")
    root.write("/sys/fs/cgroup/memory/docker/4f2a/memory.limit_in_bytes", "2147483648\n")
    found = memory(image_context(root))
    assert found is not None and found.limit_bytes == 2147483648
    root.write("/sys/fs/cgroup/memory/docker/4f2a/memory.limit_in_bytes", "9223372036854771712\n")
    found = memory(ProbeContext.create(root.fs, environ={"PATH": "/again"}))
    assert found is not None and found.limit_bytes is None


def test_max_is_no_limit(root: FakeRoot) -> None:
    root.write("/proc/meminfo", MEMINFO).write("/sys/fs/cgroup/memory.max", "max\n")
    found = memory(image_context(root))
    assert found is not None and found.limit_bytes is None


def test_an_image_has_no_memory_of_its_own(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert memory(ctx) is None
    assert ctx.notes == [
        ProbeNote("memory", "no /proc/meminfo in the root: the memory is the machine's the image will run on")
    ]


@pytest.mark.skipif(not Path("/proc/meminfo").exists(), reason="this machine has no /proc/meminfo")
def test_this_machines_memory_is_its_meminfos() -> None:
    found = memory(ProbeContext.create())
    assert found is not None
    assert found.total_bytes == parse_meminfo(Path("/proc/meminfo").read_text())["MemTotal"]
    assert found.available_bytes is not None and 0 < found.available_bytes <= found.total_bytes
