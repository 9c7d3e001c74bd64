"""Saying in words which interpreters and platforms a set of files serves."""

from __future__ import annotations

import re
from collections.abc import Iterable

from thoth_cli.index.model import DistKind, DistributionFile

_ARCH = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "i686": "x86",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armv7",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def human_platform(platform: str) -> str:
    """`manylinux_2_17_x86_64` → `Linux x86_64`, `macosx_11_0_arm64` → `macOS arm64`."""
    if platform == "any":
        return "any platform"
    if platform in ("win32", "win_amd64", "win_arm64"):
        return {"win32": "Windows x86", "win_amd64": "Windows x86_64", "win_arm64": "Windows arm64"}[platform]
    # The versioned forms first: `manylinux\d*` would also match the start of manylinux_2_28.
    match = re.match(r"(manylinux_(\d+)_(\d+)|musllinux_(\d+)_(\d+)|manylinux\d*|linux)_(.+)$", platform)
    if match:
        family, glibc_major, glibc_minor, musl_major, musl_minor, arch = match.groups()
        if musl_major is not None:
            floor = f" (musl {musl_major}.{musl_minor}+)"
        elif glibc_major is not None:
            floor = f" (glibc {glibc_major}.{glibc_minor}+)"
        else:
            floor = {"manylinux1": " (glibc 2.5+)", "manylinux2010": " (glibc 2.12+)"}.get(
                family, " (glibc 2.17+)" if family == "manylinux2014" else ""
            )
        return f"Linux {_ARCH.get(arch, arch)}{floor}"
    match = re.match(r"macosx_\d+_\d+_(.+)$", platform)
    if match:
        return f"macOS {_ARCH.get(match.group(1), match.group(1))}"
    return platform


def describe_wheels(files: Iterable[DistributionFile]) -> str:
    """E.g. "only wheels for cp311, cp312 on Linux x86_64, macOS arm64, no sdist"."""
    files = list(files)
    has_sdist = any(f.kind is DistKind.SDIST for f in files)
    wheels = [f for f in files if f.kind is DistKind.WHEEL]
    if not wheels:
        return "only an sdist" if has_sdist else "no files"
    interpreters = sorted({tag.interpreter for f in wheels for tag in f.tags}, key=_interpreter_key)
    platforms = sorted({human_platform(tag.platform) for f in wheels for tag in f.tags})
    text = f"wheels for {', '.join(interpreters)} on {', '.join(platforms)}"
    return (
        text + (" and an sdist" if has_sdist else ", no sdist")
        if has_sdist
        else "only " + text + ", no sdist"
    )


def _interpreter_key(interpreter: str) -> tuple[str, int]:
    match = re.match(r"([a-z]+)(\d+)", interpreter)
    if not match:
        return interpreter, 0
    digits = match.group(2)
    return match.group(1), int(digits[0]) * 100 + int(digits[1:] or 0)
