"""GPU probes: NVIDIA GPUs, their driver and the newest CUDA it runs; AMD GPUs and ROCm.

NVIDIA: the driver's version comes from `/proc/driver/nvidia/version` (a file read, no
process); the GPUs, their memory and compute capability from
`nvidia-smi --query-gpu=...` and the CUDA version the driver supports from the header of
plain `nvidia-smi` (each can take seconds, so each runs under the context's time limit).
Without nvidia-smi's header the CUDA version is looked up in NVIDIA's driver table below.
A machine without nvidia-smi has no NVIDIA GPUs; that is an answer, not an error.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass

from thoth_cli.discovery.model import Gpu, NvidiaDriver, Rocm
from thoth_cli.discovery.probe import CommandResult, ProbeContext, probe

NVIDIA_VERSION_FILE = "/proc/driver/nvidia/version"
NVIDIA_GPUS_FOLDER = "/proc/driver/nvidia/gpus"

QUERY_FIELDS = ("name", "memory.total", "driver_version", "compute_cap")
"""What nvidia-smi is asked per GPU; drivers before 510 do not know `compute_cap`."""

# NVIDIA CUDA Toolkit Release Notes, table 3 "CUDA Toolkit and Corresponding Driver
# Versions" (https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html, as of
# CUDA 13.2 Update 2): the oldest driver each toolkit release needs, on Linux x86_64 and on
# Windows x86_64 (None: NVIDIA lists no Windows driver). One row per CUDA minor version,
# its GA release, since a driver that runs X.Y.0 runs every X.Y update's runtime API.
DRIVER_TABLE: tuple[tuple[str, str, str | None], ...] = (
    ("13.2", "595.45.04", None),
    ("13.1", "590.44.01", None),
    ("13.0", "580.65.06", None),
    ("12.9", "575.51.03", "576.02"),
    ("12.8", "570.26", "570.65"),
    ("12.6", "560.28.03", "560.76"),
    ("12.5", "555.42.02", "555.85"),
    ("12.4", "550.54.14", "551.61"),
    ("12.3", "545.23.06", "545.84"),
    ("12.2", "535.54.03", "536.25"),
    ("12.1", "530.30.02", "531.14"),
    ("12.0", "525.60.13", "527.41"),
    ("11.8", "520.61.05", "520.06"),
    ("11.7", "515.43.04", "516.01"),
    ("11.6", "510.39.01", "511.23"),
    ("11.5", "495.29.05", "496.04"),
    ("11.4", "470.42.01", "471.11"),
    ("11.3", "465.19.01", "465.89"),
    ("11.2", "460.27.03", "460.82"),
    ("11.1", "455.23", "456.38"),
    ("11.0", "450.36.06", "451.22"),
    ("10.2", "440.33", "441.22"),
    ("10.1", "418.39", "418.96"),
    ("10.0", "410.48", "411.31"),
    ("9.2", "396.26", "397.44"),
    ("9.1", "390.46", "391.29"),
    ("9.0", "384.81", "385.54"),
    ("8.0", "367.48", "369.30"),
    ("7.5", "352.31", "353.66"),
    ("7.0", "346.46", "347.62"),
)

# Compute capabilities of common GPUs (NVIDIA's "CUDA GPUs" list,
# https://developer.nvidia.com/cuda-gpus), for drivers whose nvidia-smi cannot report it.
# Most specific names first: "A100" must not be read as "A10".
COMPUTE_CAPABILITIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), capability)
    for pattern, capability in (
        (r"\b(gb200|b200|b100)\b", "10.0"),
        (r"\b(gh200|h200|h100|h800)\b", "9.0"),
        (r"rtx 50\d0|rtx pro \d000 blackwell", "12.0"),
        (r"\b(l4|l40s?)\b|rtx 40\d0|rtx \d000 ada", "8.9"),
        (r"\b(a100|a800|a30)\b", "8.0"),
        (r"\b(a10g?|a16|a2|a40)\b|rtx 30\d0|rtx a\d000", "8.6"),
        (r"\bt4\b|rtx 20\d0|gtx 16\d0|quadro rtx|titan rtx", "7.5"),
        (r"\bv100|titan v\b", "7.0"),
        (r"\bp100\b", "6.0"),
        (r"\b(p4|p40|p6000)\b|gtx 10\d0|titan xp?\b", "6.1"),
        (r"\b(m60|m40)\b|gtx 9\d0", "5.2"),
        (r"\bk80\b", "3.7"),
    )
)

_NO_DEVICE = re.compile(
    r"No devices were found|couldn't communicate with the NVIDIA driver|Failed to initialize NVML"
    r"|No supported GPUs were found",
    re.IGNORECASE,
)
_PROC_VERSION = re.compile(r"NVRM version:.*?Kernel Module(?: for \S+)?\s+(\d+(?:\.\d+)+)")
_HEADER_DRIVER = re.compile(r"(?:Driver|KMD) Version:\s*(\d+(?:\.\d+)+)")
_HEADER_CUDA = re.compile(r"CUDA (?:UMD )?Version:\s*(\d+\.\d+)")
_DRIVER = re.compile(r"\d+(?:\.\d+)+")
_CAPABILITY = re.compile(r"\d+\.\d+")
_UNREPORTED = frozenset({"[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", "[Insufficient Permissions]"})
_MIB = 1024 * 1024


@dataclass(frozen=True)
class NvidiaReport:
    """What the NVIDIA probe found: the driver (None: no NVIDIA driver) and its GPUs."""

    driver: NvidiaDriver | None
    gpus: tuple[Gpu, ...]


@dataclass(frozen=True)
class AmdReport:
    """What the AMD probe found: a ROCm installation (None: none) and AMD GPUs."""

    rocm: Rocm | None
    gpus: tuple[Gpu, ...]


def newest_cuda(driver: str, *, windows: bool = False) -> str | None:
    """The newest CUDA (X.Y) a driver of this version runs, from NVIDIA's table; None if older than all."""
    have = _version(driver)
    if have is None:
        return None
    for cuda, linux, windows_minimum in DRIVER_TABLE:
        minimum = windows_minimum if windows else linux
        needed = _version(minimum) if minimum is not None else None
        if needed is not None and have >= needed:
            return cuda
    return None


def capability_from_name(name: str) -> str | None:
    """A GPU's compute capability from its product name, for common GPUs; None for others."""
    lowered = name.lower()
    for pattern, capability in COMPUTE_CAPABILITIES:
        if pattern.search(lowered):
            return capability
    return None


def parse_proc_version(text: str) -> str | None:
    """The driver version in `/proc/driver/nvidia/version` (proprietary and open kernel modules)."""
    match = _PROC_VERSION.search(text)
    return match[1] if match else None


def parse_smi_header(text: str) -> tuple[str | None, str | None]:
    """The driver version and the CUDA version in plain `nvidia-smi`'s header (either header style)."""
    driver = _HEADER_DRIVER.search(text)
    cuda = _HEADER_CUDA.search(text)
    return (driver[1] if driver else None, cuda[1] if cuda else None)


def parse_smi_query(text: str, *, with_capability: bool) -> tuple[list[tuple[Gpu, str]], list[str]]:
    """GPUs (with their driver version) from `--query-gpu` CSV output, and the lines that were no GPU."""
    width = len(QUERY_FIELDS) if with_capability else len(QUERY_FIELDS) - 1
    found: list[tuple[Gpu, str]] = []
    rejected: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    for index, row in enumerate(csv.reader(lines, skipinitialspace=True)):
        cells = [cell.strip() for cell in row]
        if len(cells) != width or not cells[0] or not _DRIVER.fullmatch(cells[2]):
            rejected.append(lines[index])
            continue
        name, memory, driver = cells[0], cells[1], cells[2]
        capability = cells[3] if with_capability else None
        if capability is not None and not _CAPABILITY.fullmatch(capability):
            capability = None
        found.append(
            (
                Gpu(
                    vendor="nvidia",
                    model=name,
                    memory_bytes=int(memory) * _MIB if memory.isdigit() else None,
                    compute_capability=capability or capability_from_name(name),
                    index=len(found),
                ),
                driver,
            )
        )
    return found, rejected


@probe("nvidia")
def nvidia(ctx: ProbeContext) -> NvidiaReport | None:
    """NVIDIA GPUs and their driver; None only when the GPUs cannot be known."""
    proc_text = ctx.fs.read_text(NVIDIA_VERSION_FILE, limit=64 * 1024)
    proc_driver = parse_proc_version(proc_text) if proc_text is not None else None
    if proc_text is not None and proc_driver is None:
        ctx.note(f"{NVIDIA_VERSION_FILE} names no driver version")
    proc_gpus = _proc_gpus(ctx)
    smi: _Smi | None = None
    if ctx.host:
        executable = ctx.which("nvidia-smi")
        if executable is None:
            found = "the driver's files list the GPUs" if proc_gpus else "no NVIDIA GPUs"
            ctx.note(f"nvidia-smi is not on PATH: {found}")
        else:
            smi = _query(ctx, executable)
            if smi is None and proc_driver is None and not proc_gpus:
                return None
    elif proc_driver is None:
        ctx.note("the root has no NVIDIA driver files: its GPUs are the machine's it will run on")
        return None
    driver_version = (smi.driver if smi else None) or proc_driver
    gpus = smi.gpus if smi is not None else proc_gpus
    if driver_version is None:
        return NvidiaReport(None, gpus)
    if smi is not None and smi.cuda is not None:
        return NvidiaReport(NvidiaDriver(driver_version, smi.cuda, "nvidia-smi"), gpus)
    cuda = newest_cuda(driver_version)
    if cuda is None:
        ctx.note(f"driver {driver_version} is older than every CUDA release in NVIDIA's table")
        return NvidiaReport(NvidiaDriver(driver_version), gpus)
    return NvidiaReport(NvidiaDriver(driver_version, cuda, "driver-table"), gpus)


@dataclass(frozen=True)
class _Smi:
    gpus: tuple[Gpu, ...]
    driver: str | None
    cuda: str | None


def _query(ctx: ProbeContext, executable: str) -> _Smi | None:
    """What nvidia-smi says; None when it hangs or prints what thoth cannot read."""
    with_capability = True
    result = ctx.run([executable, _query_flag(QUERY_FIELDS), "--format=csv,noheader,nounits"])
    if result is not None and not result.ok and "not a valid field" in result.output:
        ctx.note("this driver's nvidia-smi cannot report compute_cap; taking it from the GPU's name")
        with_capability = False
        result = ctx.run([executable, _query_flag(QUERY_FIELDS[:-1]), "--format=csv,noheader,nounits"])
    if result is None:
        return None
    if not result.ok:
        if _NO_DEVICE.search(result.output):
            ctx.note(f"nvidia-smi: {_first_line(result)}: no usable NVIDIA GPU")
            return _Smi((), None, None)
        ctx.note(f"nvidia-smi failed (exit {result.returncode}): {_first_line(result)}")
        return None
    found, rejected = parse_smi_query(result.stdout, with_capability=with_capability)
    for line in rejected:
        ctx.note(f"ignored nvidia-smi output: {line.strip()[:200]!r}")
    if not found:
        if rejected:
            return None
        ctx.note("nvidia-smi lists no GPU")
        return _Smi((), None, None)
    header = ctx.run([executable])
    header_driver, cuda = (
        parse_smi_header(header.stdout) if header is not None and header.ok else (None, None)
    )
    if cuda is None:
        ctx.note("nvidia-smi's header gives no CUDA version; using NVIDIA's driver table")
    if header_driver is not None and header_driver != found[0][1]:
        ctx.note(f"nvidia-smi's header names driver {header_driver}, its query {found[0][1]}")
    return _Smi(tuple(gpu for gpu, _ in found), found[0][1], cuda)


def _query_flag(fields: tuple[str, ...]) -> str:
    return f"--query-gpu={','.join(fields)}"


def _first_line(result: CommandResult) -> str:
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    return lines[0][:200] if lines else "no output"


def _proc_gpus(ctx: ProbeContext) -> tuple[Gpu, ...]:
    gpus: list[Gpu] = []
    for folder in ctx.fs.listdir(NVIDIA_GPUS_FOLDER):
        text = ctx.fs.read_text(f"{NVIDIA_GPUS_FOLDER}/{folder}/information", limit=64 * 1024) or ""
        match = re.search(r"^Model:\s*(.+?)\s*$", text, re.MULTILINE)
        if match:
            name = match[1]
            gpus.append(
                Gpu(
                    vendor="nvidia",
                    model=name,
                    compute_capability=capability_from_name(name),
                    index=len(gpus),
                )
            )
    return tuple(gpus)


def _version(text: str) -> tuple[int, ...] | None:
    if not _DRIVER.fullmatch(text):
        return None
    return tuple(int(part) for part in text.split("."))


ROCM_HOME = "/opt/rocm"
_ROCM_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")


@probe("amd")
def amd(ctx: ProbeContext) -> AmdReport | None:
    """AMD GPUs (rocm-smi, host only) and the ROCm installation under /opt/rocm."""
    rocm = _rocm(ctx)
    executable = ctx.which("rocm-smi")
    if executable is None:
        return AmdReport(rocm, ())
    result = ctx.run([executable, "--showproductname", "--showmeminfo", "vram", "--json"])
    if result is None:
        return None
    try:
        cards = json.loads(result.stdout)
    except ValueError:
        ctx.note(f"rocm-smi printed no JSON (exit {result.returncode}): {_first_line(result)}")
        return AmdReport(rocm, ())
    if not isinstance(cards, dict):
        ctx.note("rocm-smi printed no card list")
        return AmdReport(rocm, ())
    gpus: list[Gpu] = []
    for card, fields in sorted(cards.items(), key=lambda item: _card_number(item[0])):
        if not card.startswith("card") or not isinstance(fields, dict):
            continue
        name = next(
            (str(fields[key]) for key in ("Card series", "Card SKU", "Card model") if fields.get(key)),
            "AMD GPU",
        )
        memory = str(fields.get("VRAM Total Memory (B)", ""))
        gfx = fields.get("GFX Version")
        gpus.append(
            Gpu(
                vendor="amd",
                model=name,
                memory_bytes=int(memory) if memory.isdigit() and int(memory) > 0 else None,
                compute_capability=str(gfx) if gfx else None,
                index=_card_number(card),
            )
        )
    return AmdReport(rocm, tuple(gpus))


def _card_number(card: str) -> int:
    digits = card.removeprefix("card")
    return int(digits) if digits.isdigit() else 0


def _rocm(ctx: ProbeContext) -> Rocm | None:
    text = ctx.fs.read_text(f"{ROCM_HOME}/.info/version", limit=1024)
    if text is not None and (match := _ROCM_VERSION.match(text.strip())):
        return Rocm(match[1], ROCM_HOME)
    real = ctx.fs.resolve(ROCM_HOME)
    if real is not None and (match := re.fullmatch(r"rocm-(\d+\.\d+(?:\.\d+)?)", real.name)):
        return Rocm(match[1], ROCM_HOME)
    installs = sorted(
        ((_version(path.rsplit("-", 1)[1]) or (), path) for path in ctx.fs.glob("/opt", "rocm-*")),
        reverse=True,
    )
    if installs and installs[0][0]:
        version, path = installs[0]
        return Rocm(".".join(map(str, version)), path)
    if real is not None:
        ctx.note(f"{ROCM_HOME} names no ROCm version")
        return Rocm(None, ROCM_HOME)
    return None
