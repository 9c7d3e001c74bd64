"""The memory probe: total and available memory, and a container's cgroup limit."""

from __future__ import annotations

import psutil

from thoth_cli.discovery.model import Memory
from thoth_cli.discovery.probe import ProbeContext, probe

MEMINFO = "/proc/meminfo"
OWN_CGROUP = "/proc/self/cgroup"


@probe("memory")
def memory(ctx: ProbeContext) -> Memory | None:
    """This machine's memory from psutil; another root's from its `/proc/meminfo`, if it has one."""
    if ctx.running_machine:
        total = psutil.virtual_memory()
        return Memory(total.total, total.available, cgroup_limit(ctx, total.total))
    text = ctx.fs.read_text(MEMINFO, limit=256 * 1024)
    if text is None:
        ctx.note(f"no {MEMINFO} in the root: the memory is the machine's the image will run on")
        return None
    values = parse_meminfo(text)
    if "MemTotal" not in values:
        ctx.note(f"{MEMINFO} gives no MemTotal")
        return None
    return Memory(values["MemTotal"], values.get("MemAvailable"), cgroup_limit(ctx, values["MemTotal"]))


def parse_meminfo(text: str) -> dict[str, int]:
    """`/proc/meminfo` fields in bytes (the file counts in KiB)."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            scale = 1024 if words[1:] == ["kB"] else 1
            values[key.strip()] = int(words[0]) * scale
    return values


def cgroup_limit(ctx: ProbeContext, total: int) -> int | None:
    """The memory limit of the process's cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`).

    None when there is none or it is no smaller than the machine's memory (cgroup v1 writes
    "no limit" as a huge number).
    """
    for path in _limit_files(ctx):
        text = ctx.fs.read_text(path, limit=64)
        if text is None:
            continue
        value = text.strip()
        if value.isdigit() and int(value) < total:
            return int(value)
        return None
    return None


def _limit_files(ctx: ProbeContext) -> list[str]:
    v2: list[str] = []
    v1: list[str] = []
    for line in (ctx.fs.read_text(OWN_CGROUP, limit=64 * 1024) or "").splitlines():
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        path = path.rstrip("/")
        if controllers == "" and line.startswith("0::"):
            v2.append(f"/sys/fs/cgroup{path}/memory.max")
        elif "memory" in controllers.split(","):
            v1.append(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
    # Inside a container's cgroup namespace the own cgroup is "/", so the root files are its own.
    return [*v2, "/sys/fs/cgroup/memory.max", *v1, "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
