"""Operating-system probes: the distribution (os-release), the kernel, the architecture, the C library."""

from __future__ import annotations

import platform as _uname
import re
import shlex
import sys
from typing import Literal

from thoth_cli.discovery.model import OperatingSystem
from thoth_cli.discovery.probe import ProbeContext, probe
from thoth_cli.target import Platform, TargetError

OS_RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")
"""Where os-release(5) lives; the first file wins, as the specification says."""

MULTIARCH = {
    "x86_64": "x86_64-linux-gnu",
    "aarch64": "aarch64-linux-gnu",
    "i686": "i386-linux-gnu",
    "armv7l": "arm-linux-gnueabihf",
    "ppc64le": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
    "loongarch64": "loongarch64-linux-gnu",
}
"""Debian's multiarch triplet per architecture: the folder its libraries live in."""

ARCH_PROBE_FILES = ("/bin/sh", "/usr/bin/sh", "/bin/busybox", "/usr/bin/python3", "/usr/local/bin/python3")
"""Executables whose ELF header tells an image's architecture; every image has one of them."""

_ELF_MACHINES = {3: "i686", 40: "armv7l", 62: "x86_64", 183: "aarch64", 258: "loongarch64"}
"""ELF e_machine -> wheel architecture, where the machine alone decides it."""

_GLIBC_BANNER = re.compile(rb"GNU C Library[^\n\0]{0,200}? version (\d+)\.(\d+)")
_GLIBC_FILE = re.compile(r"libc-(\d+)\.(\d+)\.so")
_MUSL_VERSION = re.compile(r"^V:(\d+)\.(\d+)", re.MULTILINE)


def parse_os_release(text: str) -> dict[str, str]:
    """The KEY=value pairs of an os-release file, with shell quoting removed."""
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            words = shlex.split(raw, comments=False, posix=True)
        except ValueError:
            words = [raw.strip("\"'")]
        values[key.strip()] = " ".join(words)
    return values


@probe("os-release")
def operating_system(ctx: ProbeContext) -> OperatingSystem | None:
    """The distribution from os-release; for this machine also the kernel (uname)."""
    kernel_release = kernel_version = None
    if ctx.running_machine:
        kernel_release, kernel_version = _uname.release(), _uname.version()
        if sys.platform == "darwin":
            return OperatingSystem(
                id="macos",
                name="macOS",
                version=_uname.mac_ver()[0] or None,
                kernel_release=kernel_release,
                kernel_version=kernel_version,
            )
        if sys.platform == "win32":
            return OperatingSystem(
                id="windows",
                name="Windows",
                version=_uname.version() or None,
                kernel_release=kernel_release,
                kernel_version=kernel_version,
            )
    for path in OS_RELEASE_FILES:
        text = ctx.fs.read_text(path, limit=64 * 1024)
        if text is not None:
            break
    else:
        ctx.note(f"none of {', '.join(OS_RELEASE_FILES)} exists")
        if kernel_release is None:
            return None
        return OperatingSystem(kernel_release=kernel_release, kernel_version=kernel_version)
    values = parse_os_release(text)
    return OperatingSystem(
        id=values.get("ID") or None,
        name=values.get("NAME") or None,
        version=values.get("VERSION_ID") or None,
        id_like=tuple(values.get("ID_LIKE", "").split()),
        pretty_name=values.get("PRETTY_NAME") or None,
        codename=values.get("VERSION_CODENAME") or None,
        kernel_release=kernel_release,
        kernel_version=kernel_version,
    )


@probe("platform")
def platform(ctx: ProbeContext) -> Platform | None:
    """The platform wheels are chosen for: OS, architecture, C library and its version.

    For this machine, packaging's own probes decide (as `Target.current()` does); for any
    other root, the files do: the ELF header of its shell, its libc, its musl loader.
    """
    if ctx.running_machine:
        try:
            return Platform.current()
        except TargetError as exc:
            ctx.note(f"packaging cannot describe this machine ({exc.message}); reading its files")
    arch = architecture(ctx)
    if arch is None:
        return None
    musl = _musl(ctx, arch)
    if musl is not None:
        return musl
    glibc = glibc_version(ctx, arch)
    if glibc is None:
        ctx.note(f"no C library found: only linux_{arch} wheels fit")
        return Platform(os="linux", arch=arch)
    return Platform(os="linux", arch=arch, libc="glibc", libc_version=glibc)


def architecture(ctx: ProbeContext) -> str | None:
    """The root's architecture, spelt as wheel tags spell it, from its executables' ELF headers."""
    if ctx.running_machine:
        return _normalise_machine(_uname.machine())
    for path in ARCH_PROBE_FILES:
        header = ctx.fs.read_bytes(path, limit=64)
        if header is None:
            continue
        arch = elf_architecture(header)
        if arch is not None:
            return arch
        ctx.note(f"{path} is not an ELF executable thoth knows")
    ctx.note(f"no ELF executable among {', '.join(ARCH_PROBE_FILES)} tells the architecture")
    return None


def elf_architecture(header: bytes) -> str | None:
    """The architecture an ELF header names, or None when it is no ELF file or an unknown machine."""
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    is_64 = header[4] == 2
    order: Literal["little", "big"] = "little" if header[5] == 1 else "big"
    machine = int.from_bytes(header[18:20], order)
    if machine == 21:  # EM_PPC64
        return "ppc64le" if order == "little" else "ppc64"
    if machine == 22 and is_64:  # EM_S390
        return "s390x"
    if machine == 243 and is_64:  # EM_RISCV
        return "riscv64"
    return _ELF_MACHINES.get(machine)


def _normalise_machine(machine: str) -> str:
    machine = machine.lower()
    return {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "i586": "i686"}.get(machine, machine)


def library_dirs(arch: str | None) -> tuple[str, ...]:
    """The folders a Linux root keeps shared libraries in, most specific first."""
    dirs: list[str] = []
    triplet = MULTIARCH.get(arch or "")
    if triplet:
        dirs += [f"/usr/lib/{triplet}", f"/lib/{triplet}"]
    dirs += ["/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"]
    return tuple(dirs)


def glibc_version(ctx: ProbeContext, arch: str) -> tuple[int, int] | None:
    """glibc's version from the root's `libc.so.6`: its file name (libc-2.31.so) or its banner."""
    for folder in library_dirs(arch):
        path = f"{folder}/libc.so.6"
        real = ctx.fs.resolve(path)
        if real is None:
            continue
        if match := _GLIBC_FILE.fullmatch(real.name):
            return int(match[1]), int(match[2])
        data = ctx.fs.read_bytes(path, limit=32 * 1024 * 1024)
        if data is not None and (banner := _GLIBC_BANNER.search(data)):
            return int(banner[1]), int(banner[2])
        ctx.note(f"{path} names no glibc version")
    return None


def _musl(ctx: ProbeContext, arch: str) -> Platform | None:
    loaders = [path for folder in ("/lib", "/usr/lib") for path in ctx.fs.glob(folder, "ld-musl-*.so.1")]
    if not loaders:
        return None
    # musl prints its version only when its loader runs, and nothing in an image runs:
    # Alpine's package database records it instead.
    version = _musl_version(ctx)
    if version is None:
        ctx.note(f"{loaders[0]} is musl of unknown version: only linux_{arch} wheels fit")
        return Platform(os="linux", arch=arch)
    return Platform(os="linux", arch=arch, libc="musl", libc_version=version)


def _musl_version(ctx: ProbeContext) -> tuple[int, int] | None:
    installed = ctx.fs.read_text("/lib/apk/db/installed")
    if installed is None:
        return None
    for block in installed.split("\n\n"):
        if "\nP:musl\n" in f"\n{block}\n" and (match := _MUSL_VERSION.search(block)):
            return int(match[1]), int(match[2])
    return None
