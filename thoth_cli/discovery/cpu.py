"""The CPU probe: identity, cores and feature flags from `/proc/cpuinfo`, py-cpuinfo where there is none."""

from __future__ import annotations

import json
import sys

import psutil

from thoth_cli.discovery.model import Cpu
from thoth_cli.discovery.probe import ProbeContext, probe

CPUINFO = "/proc/cpuinfo"

ARM_IMPLEMENTERS = {
    0x41: "ARM",
    0x42: "Broadcom",
    0x43: "Cavium",
    0x46: "Fujitsu",
    0x48: "HiSilicon",
    0x4E: "NVIDIA",
    0x50: "APM",
    0x51: "Qualcomm",
    0x53: "Samsung",
    0x61: "Apple",
    0x69: "Intel",
    0xC0: "Ampere",
}
"""`CPU implementer` codes of ARM's Main ID Register, as lscpu names them."""


@probe("cpu")
def cpu(ctx: ProbeContext) -> Cpu | None:
    """The processor, from the root's `/proc/cpuinfo`.

    Only where that file is missing (macOS, Windows) and the root is the host does
    py-cpuinfo run, describing the running machine: it starts a Python process and costs
    about a second.
    """
    text = ctx.fs.read_text(CPUINFO, limit=8 * 1024 * 1024)
    if text is not None:
        found = parse_cpuinfo(text)
        if found is None:
            ctx.note(f"{CPUINFO} lists no processor")
        elif found.physical_cores is None and ctx.host:
            return _with_physical_cores(found, psutil.cpu_count(logical=False))
        return found
    if not ctx.host:
        ctx.note(f"no {CPUINFO} in the root: the CPU is the one the image will run on")
        return None
    return _py_cpuinfo(ctx)


def parse_cpuinfo(text: str) -> Cpu | None:
    """The processor `/proc/cpuinfo` describes (x86, ARM, POWER, s390x spellings); None if none."""
    blocks = [_fields(block) for block in text.split("\n\n")]
    processors = [block for block in blocks if "processor" in block]
    if not processors:
        return None
    first = processors[0]
    if "CPU implementer" in first:
        implementer = _integer(first.get("CPU implementer"))
        vendor = (
            ARM_IMPLEMENTERS.get(implementer, first["CPU implementer"]) if implementer is not None else None
        )
        family = _integer(first.get("CPU architecture"))
        model = _integer(first.get("CPU part"))
        stepping = _integer(first.get("CPU revision"))
    else:
        vendor = first.get("vendor_id") or first.get("vendor")
        family = _integer(first.get("cpu family"))
        model = _integer(first.get("model"))
        stepping = _integer(first.get("stepping"))
    flags = first.get("flags") or first.get("Features") or first.get("features") or ""
    brand = first.get("model name") or first.get("cpu") or None
    cores = {
        (block["physical id"], block["core id"])
        for block in processors
        if "physical id" in block and "core id" in block
    }
    return Cpu(
        vendor=vendor,
        brand=brand,
        family=family,
        model=model,
        stepping=stepping,
        logical_cores=len(processors),
        physical_cores=len(cores) or None,
        flags=frozenset(flags.split()),
        source=CPUINFO,
    )


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def _integer(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        # ARM writes its identification registers in hex ("0xd0c"), x86 in decimal.
        return int(text, 0)
    except ValueError:
        return None


def _with_physical_cores(found: Cpu, physical: int | None) -> Cpu:
    return Cpu(
        vendor=found.vendor,
        brand=found.brand,
        family=found.family,
        model=found.model,
        stepping=found.stepping,
        logical_cores=found.logical_cores,
        physical_cores=physical,
        flags=found.flags,
        source=found.source,
    )


def _py_cpuinfo(ctx: ProbeContext) -> Cpu | None:
    result = ctx.run([sys.executable, "-m", "cpuinfo", "--json"])
    if result is None:
        return None
    try:
        info = json.loads(result.stdout)
    except ValueError:
        ctx.note(f"py-cpuinfo printed no JSON (exit {result.returncode})")
        return None
    if not isinstance(info, dict):
        ctx.note("py-cpuinfo printed no CPU description")
        return None

    def text(key: str) -> str | None:
        value = info.get(key)
        return value if isinstance(value, str) and value else None

    def number(key: str) -> int | None:
        value = info.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    flags = info.get("flags")
    return Cpu(
        vendor=text("vendor_id_raw"),
        brand=text("brand_raw"),
        family=number("family"),
        model=number("model"),
        stepping=number("stepping"),
        logical_cores=number("count"),
        physical_cores=psutil.cpu_count(logical=False),
        flags=frozenset(flag for flag in flags if isinstance(flag, str))
        if isinstance(flags, list)
        else frozenset(),
        source="py-cpuinfo",
    )
