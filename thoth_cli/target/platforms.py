"""Platform tags: reading a platform from its tag, and the ladder of platform tags it accepts."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

from packaging.tags import mac_platforms, platform_tags

from thoth_cli.target.model import Platform, TargetError

LINUX_ARCHES = frozenset(
    {"aarch64", "armv7l", "armv8l", "i686", "loongarch64", "ppc64", "ppc64le", "riscv64", "s390x", "x86_64"}
)
"""Architectures manylinux and musllinux wheels are built for (packaging's `_ALLOWED_ARCHS` and kin)."""

MACOS_ARCHES = frozenset({"arm64", "x86_64"})

WINDOWS_TAGS = {"win_amd64": "amd64", "win32": "x86", "win_arm64": "arm64"}
"""Windows platform tag -> architecture: each names exactly one kind of interpreter."""

LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
"""PEP 599, 571 and 513 names for the glibc versions PEP 600 later spelt `manylinux_2_N`."""

_LEGACY_GLIBC = {name: version for version, name in LEGACY_MANYLINUX.items()}

OLDEST_GLIBC = (2, 17)
OLDEST_GLIBC_X86 = (2, 5)
"""manylinux1 (glibc 2.5) was only ever defined for x86_64 and i686; other arches start at manylinux2014."""

ACCEPTED_FORMS = (
    "use a wheel platform tag such as manylinux_2_28_x86_64, manylinux2014_aarch64, "
    "musllinux_1_2_aarch64, macosx_14_0_arm64, win_amd64, win32, win_arm64 or linux_x86_64, "
    "or a sysconfig platform such as linux-x86_64, macosx-11.0-arm64 or win-amd64"
)

_ARCH = r"(?P<arch>[a-z0-9_]+)"
_MANYLINUX = re.compile(rf"manylinux_(?P<major>\d+)_(?P<minor>\d+)_{_ARCH}")
_LEGACY = re.compile(rf"(?P<legacy>manylinux1|manylinux2010|manylinux2014)_{_ARCH}")
_MUSLLINUX = re.compile(rf"musllinux_(?P<major>\d+)_(?P<minor>\d+)_{_ARCH}")
_LINUX = re.compile(rf"linux_{_ARCH}")
_MACOS = re.compile(rf"macosx_(?P<major>\d+)_(?P<minor>\d+)_{_ARCH}")


def parse_platform(text: str) -> Platform:
    """The platform a wheel platform tag or a sysconfig platform names; TargetError if none."""
    # sysconfig spells `macosx-11.0-arm64` what wheel tags spell `macosx_11_0_arm64`:
    # packaging derives the tag by exactly this substitution.
    tag = text.strip().lower().replace("-", "_").replace(".", "_")
    if tag in WINDOWS_TAGS:
        return Platform(os="windows", arch=WINDOWS_TAGS[tag])
    if tag.startswith("win"):
        raise TargetError(
            "unknown Windows platform", text=text, fix="use win_amd64 (64-bit), win32 (32-bit) or win_arm64"
        )
    if match := _MANYLINUX.fullmatch(tag):
        return _glibc(text, match["arch"], (int(match["major"]), int(match["minor"])))
    if match := _LEGACY.fullmatch(tag):
        return _glibc(text, match["arch"], _LEGACY_GLIBC[match["legacy"]])
    if match := _MUSLLINUX.fullmatch(tag):
        arch = _linux_arch(text, match["arch"])
        if match["major"] != "1":
            raise TargetError(
                "musllinux tags name musl 1.x",
                text=text,
                fix=f"use musllinux_1_N_{arch}, e.g. musllinux_1_2_{arch}",
            )
        return Platform(os="linux", arch=arch, libc="musl", libc_version=(1, int(match["minor"])))
    if match := _LINUX.fullmatch(tag):
        return Platform(os="linux", arch=_linux_arch(text, match["arch"]))
    if match := _MACOS.fullmatch(tag):
        return _macos(text, match["arch"], (int(match["major"]), int(match["minor"])))
    raise TargetError("not a platform tag or sysconfig platform", text=text, fix=ACCEPTED_FORMS)


def _linux_arch(text: str, arch: str) -> str:
    if arch not in LINUX_ARCHES:
        raise TargetError(
            "unknown Linux architecture in platform",
            text=text,
            fix=f"use one of {', '.join(sorted(LINUX_ARCHES))} (what Windows calls amd64 is x86_64 on Linux)",
        )
    return arch


def _glibc(text: str, arch: str, version: tuple[int, int]) -> Platform:
    arch = _linux_arch(text, arch)
    if version[0] != 2:
        raise TargetError(
            "manylinux tags name glibc 2.x",
            text=text,
            fix=f"use manylinux_2_N_{arch}, e.g. manylinux_2_28_{arch}",
        )
    oldest = _oldest_glibc(arch)
    if version < oldest:
        legacy = LEGACY_MANYLINUX[oldest]
        raise TargetError(
            f"manylinux on {arch} starts at glibc {oldest[0]}.{oldest[1]}",
            text=text,
            fix=f"use manylinux_{oldest[0]}_{oldest[1]}_{arch} ({legacy}_{arch}) or newer",
        )
    return Platform(os="linux", arch=arch, libc="glibc", libc_version=version)


def _oldest_glibc(arch: str) -> tuple[int, int]:
    return OLDEST_GLIBC_X86 if arch in ("x86_64", "i686") else OLDEST_GLIBC


def _macos(text: str, arch: str, version: tuple[int, int]) -> Platform:
    if arch not in MACOS_ARCHES:
        raise TargetError(
            "unknown macOS architecture in platform",
            text=text,
            fix="name the Mac's own architecture, arm64 (Apple silicon) or x86_64 (Intel): macosx_14_0_arm64",
        )
    if arch == "arm64" and version < (11, 0):
        raise TargetError(
            "Apple silicon Macs run macOS 11 or newer", text=text, fix="use macosx_11_0_arm64 or newer"
        )
    if version < (10, 4):
        raise TargetError(
            "macOS wheels start at macOS 10.4", text=text, fix="use macosx_10_4_x86_64 or newer"
        )
    return Platform(os="macos", arch=arch, macos_version=version)


@functools.cache
def platform_ladder(platform: Platform) -> tuple[str, ...]:
    """Every platform tag the platform accepts, best first."""
    if platform.os == "windows":
        return (str(platform),)
    if platform.os == "macos":
        # mac_platforms only probes the host when a version or arch is missing.
        return tuple(mac_platforms(platform.macos_version, platform.arch))
    return tuple(_linux_ladder(platform))


def _linux_ladder(platform: Platform) -> Iterator[str]:
    # A 32-bit ARM interpreter on a 64-bit kernel reports armv8l and runs armv7l code too.
    archs = ["armv8l", "armv7l"] if platform.arch == "armv8l" else [platform.arch]
    if platform.libc == "glibc" and platform.libc_version is not None:
        major, newest = platform.libc_version
        for arch in archs:
            oldest = _oldest_glibc(arch)[1]
            for minor in range(newest, oldest - 1, -1):
                yield f"manylinux_{major}_{minor}_{arch}"
                if legacy := LEGACY_MANYLINUX.get((major, minor)):
                    yield f"{legacy}_{arch}"
    if platform.libc == "musl" and platform.libc_version is not None:
        major, newest = platform.libc_version
        for arch in archs:
            # PEP 656 leaves the floor to installers; packaging (and so pip) goes down to 1.0.
            for minor in range(newest, -1, -1):
                yield f"musllinux_{major}_{minor}_{arch}"
    # Plain linux_* wheels are built for one machine and say nothing of its libc, so they
    # rank below every portable tag, as uv and packaging before 26.3 rank them.
    for arch in archs:
        yield f"linux_{arch}"


def host_platform() -> Platform:
    """The running host's platform, read from the tags packaging finds for it."""
    return platform_from_host_tags(list(platform_tags()))


def platform_from_host_tags(tags: Sequence[str]) -> Platform:
    """The platform whose best tags are `tags`, the output of `packaging.tags.platform_tags()`.

    packaging probes the C library (glibc through confstr, musl through the dynamic loader)
    and reports what it found only as tags: the newest manylinux or musllinux tag carries
    the library's version, the `linux_*` tag the architecture.
    """
    if not tags:
        raise TargetError("packaging found no platform tags for this machine", text="", fix=_HOST_FIX)
    linux = _first(_LINUX, tags)
    if linux is None:
        try:
            return parse_platform(tags[0])
        except TargetError as exc:
            raise TargetError(
                "thoth cannot describe this machine as a target", text=tags[0], fix=_HOST_FIX
            ) from exc
    arch = linux["arch"]
    if glibc := _first(_MANYLINUX, tags):
        return Platform(
            os="linux", arch=arch, libc="glibc", libc_version=(int(glibc["major"]), int(glibc["minor"]))
        )
    if musl := _first(_MUSLLINUX, tags):
        return Platform(
            os="linux", arch=arch, libc="musl", libc_version=(int(musl["major"]), int(musl["minor"]))
        )
    return Platform(os="linux", arch=arch)


_HOST_FIX = "pass --platform to name the platform to resolve for, e.g. manylinux_2_28_x86_64"


def _first(pattern: re.Pattern[str], tags: Iterable[str]) -> re.Match[str] | None:
    for tag in tags:
        if match := pattern.fullmatch(tag):
            return match
    return None
