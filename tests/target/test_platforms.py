"""Platform tags: parsing descriptions, the ladders they expand to, and the running host."""

from __future__ import annotations

import pytest
from packaging.tags import mac_platforms, platform_tags

from thoth_cli.errors import ExitCode
from thoth_cli.target import Platform, TargetError
from thoth_cli.target.platforms import platform_from_host_tags


def manylinux_ladder(arch: str, newest: int, oldest: int) -> list[str]:
    """PEP 600's ladder written out: each glibc 2.N down to the oldest, the PEP 513/571/599
    names right after the version they alias, and the machine-specific tag last."""
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    ladder = []
    for minor in range(newest, oldest - 1, -1):
        ladder.append(f"manylinux_2_{minor}_{arch}")
        if minor in legacy:
            ladder.append(f"{legacy[minor]}_{arch}")
    return [*ladder, f"linux_{arch}"]


@pytest.mark.parametrize(
    ("text", "expected", "canonical"),
    [
        ("manylinux_2_28_x86_64", Platform("linux", "x86_64", "glibc", (2, 28)), "manylinux_2_28_x86_64"),
        ("manylinux2014_aarch64", Platform("linux", "aarch64", "glibc", (2, 17)), "manylinux_2_17_aarch64"),
        ("manylinux2010_i686", Platform("linux", "i686", "glibc", (2, 12)), "manylinux_2_12_i686"),
        ("manylinux1_x86_64", Platform("linux", "x86_64", "glibc", (2, 5)), "manylinux_2_5_x86_64"),
        ("musllinux_1_2_aarch64", Platform("linux", "aarch64", "musl", (1, 2)), "musllinux_1_2_aarch64"),
        ("linux_x86_64", Platform("linux", "x86_64"), "linux_x86_64"),
        ("linux-x86_64", Platform("linux", "x86_64"), "linux_x86_64"),
        ("macosx_14_0_arm64", Platform("macos", "arm64", macos_version=(14, 0)), "macosx_14_0_arm64"),
        ("macosx_10_9_x86_64", Platform("macos", "x86_64", macos_version=(10, 9)), "macosx_10_9_x86_64"),
        ("macosx-11.0-arm64", Platform("macos", "arm64", macos_version=(11, 0)), "macosx_11_0_arm64"),
        ("win_amd64", Platform("windows", "amd64"), "win_amd64"),
        ("win-amd64", Platform("windows", "amd64"), "win_amd64"),
        ("win32", Platform("windows", "x86"), "win32"),
        ("win_arm64", Platform("windows", "arm64"), "win_arm64"),
        ("  Win_AMD64 ", Platform("windows", "amd64"), "win_amd64"),
    ],
)
def test_parse_reads_tags_and_sysconfig_platforms(text: str, expected: Platform, canonical: str) -> None:
    platform = Platform.parse(text)
    assert platform == expected
    assert str(platform) == canonical


def test_manylinux_x86_64_ladder_runs_down_to_glibc_2_5_with_legacy_aliases() -> None:
    # pip expands only manylinux2014/2010 for --platform; uv (and pip on a glibc host)
    # walk every glibc version down, which is what a target on that glibc accepts.
    ladder = Platform.parse("manylinux_2_28_x86_64").tags()
    assert list(ladder) == manylinux_ladder("x86_64", 28, 5)
    assert ladder[:2] == ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64")
    assert ladder[-3:] == ("manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64")
    assert ladder.index("manylinux2014_x86_64") == ladder.index("manylinux_2_17_x86_64") + 1


@pytest.mark.parametrize("arch", ["aarch64", "ppc64le", "s390x", "armv7l"])
def test_manylinux_ladder_stops_at_glibc_2_17_off_x86(arch: str) -> None:
    ladder = Platform.parse(f"manylinux_2_28_{arch}").tags()
    assert list(ladder) == manylinux_ladder(arch, 28, 17)
    assert ladder[-2:] == (f"manylinux2014_{arch}", f"linux_{arch}")


def test_legacy_alias_expands_like_its_glibc_version() -> None:
    assert Platform.parse("manylinux2014_x86_64").tags() == Platform.parse("manylinux_2_17_x86_64").tags()
    assert Platform.parse("manylinux2014_aarch64").tags() == (
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
        "linux_aarch64",
    )


def test_musllinux_ladder() -> None:
    # packaging (so pip on a musl host) walks down to musllinux_1_0.
    assert Platform.parse("musllinux_1_2_aarch64").tags() == (
        "musllinux_1_2_aarch64",
        "musllinux_1_1_aarch64",
        "musllinux_1_0_aarch64",
        "linux_aarch64",
    )


def test_plain_linux_accepts_only_its_own_tag() -> None:
    assert Platform.parse("linux-x86_64").tags() == ("linux_x86_64",)


def test_macos_arm64_ladder() -> None:
    # 11+ steps by major version; arm64 binaries did not exist before 11, yet universal2
    # ones may claim 10.x for their x86_64 half.
    expected = [f"macosx_{major}_0_{fmt}" for major in (14, 13, 12, 11) for fmt in ("arm64", "universal2")]
    expected += [f"macosx_10_{minor}_universal2" for minor in range(16, 3, -1)]
    ladder = Platform.parse("macosx_14_0_arm64").tags()
    assert list(ladder) == expected
    assert list(ladder) == list(mac_platforms((14, 0), "arm64"))


def test_macos_10_x86_64_ladder_steps_by_minor_to_10_4() -> None:
    formats = ("x86_64", "intel", "fat64", "fat3", "universal2", "universal")
    expected = [f"macosx_10_{minor}_{fmt}" for minor in range(9, 3, -1) for fmt in formats]
    assert list(Platform.parse("macosx_10_9_x86_64").tags()) == expected


def test_macos_11_x86_64_ladder_continues_into_10_x() -> None:
    formats = ("x86_64", "intel", "fat64", "fat3", "universal2", "universal")
    expected = [f"macosx_{major}_0_{fmt}" for major in (12, 11) for fmt in formats]
    expected += [f"macosx_10_{minor}_{fmt}" for minor in range(16, 3, -1) for fmt in formats]
    assert list(Platform.parse("macosx_12_0_x86_64").tags()) == expected


@pytest.mark.parametrize("tag", ["win_amd64", "win32", "win_arm64"])
def test_windows_accepts_one_tag(tag: str) -> None:
    assert Platform.parse(tag).tags() == (tag,)


FORMS = (
    "use a wheel platform tag such as manylinux_2_28_x86_64, manylinux2014_aarch64, "
    "musllinux_1_2_aarch64, macosx_14_0_arm64, win_amd64, win32, win_arm64 or linux_x86_64, "
    "or a sysconfig platform such as linux-x86_64, macosx-11.0-arm64 or win-amd64"
)
LINUX_ARCHES = "aarch64, armv7l, armv8l, i686, loongarch64, ppc64, ppc64le, riscv64, s390x, x86_64"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("any", f"not a platform tag or sysconfig platform: 'any'\n  fix: {FORMS}"),
        ("", f"not a platform tag or sysconfig platform: ''\n  fix: {FORMS}"),
        (
            "x86_64-unknown-linux-gnu",
            f"not a platform tag or sysconfig platform: 'x86_64-unknown-linux-gnu'\n  fix: {FORMS}",
        ),
        (
            "manylinux_2_28_amd64",
            "unknown Linux architecture in platform: 'manylinux_2_28_amd64'\n"
            f"  fix: use one of {LINUX_ARCHES} (what Windows calls amd64 is x86_64 on Linux)",
        ),
        (
            "manylinux_2_12_aarch64",
            "manylinux on aarch64 starts at glibc 2.17: 'manylinux_2_12_aarch64'\n"
            "  fix: use manylinux_2_17_aarch64 (manylinux2014_aarch64) or newer",
        ),
        (
            "manylinux1_aarch64",
            "manylinux on aarch64 starts at glibc 2.17: 'manylinux1_aarch64'\n"
            "  fix: use manylinux_2_17_aarch64 (manylinux2014_aarch64) or newer",
        ),
        (
            "manylinux_2_4_x86_64",
            "manylinux on x86_64 starts at glibc 2.5: 'manylinux_2_4_x86_64'\n"
            "  fix: use manylinux_2_5_x86_64 (manylinux1_x86_64) or newer",
        ),
        (
            "manylinux_3_0_x86_64",
            "manylinux tags name glibc 2.x: 'manylinux_3_0_x86_64'\n"
            "  fix: use manylinux_2_N_x86_64, e.g. manylinux_2_28_x86_64",
        ),
        (
            "musllinux_2_0_x86_64",
            "musllinux tags name musl 1.x: 'musllinux_2_0_x86_64'\n"
            "  fix: use musllinux_1_N_x86_64, e.g. musllinux_1_2_x86_64",
        ),
        (
            "macosx_11_0_universal2",
            "unknown macOS architecture in platform: 'macosx_11_0_universal2'\n"
            "  fix: name the Mac's own architecture, arm64 (Apple silicon) or x86_64 (Intel): "
            "macosx_14_0_arm64",
        ),
        (
            "macosx_10_15_arm64",
            "Apple silicon Macs run macOS 11 or newer: 'macosx_10_15_arm64'\n"
            "  fix: use macosx_11_0_arm64 or newer",
        ),
        (
            "macosx_10_3_x86_64",
            "macOS wheels start at macOS 10.4: 'macosx_10_3_x86_64'\n  fix: use macosx_10_4_x86_64 or newer",
        ),
        (
            "win_x86",
            "unknown Windows platform: 'win_x86'\n  fix: use win_amd64 (64-bit), win32 (32-bit) or win_arm64",
        ),
    ],
)
def test_parse_rejects_with_the_accepted_forms(text: str, message: str) -> None:
    with pytest.raises(TargetError) as caught:
        Platform.parse(text)
    assert str(caught.value) == message
    assert caught.value.text == text
    assert caught.value.flag is None
    assert caught.value.exit_code is ExitCode.USAGE


def test_platform_values_must_be_consistent() -> None:
    with pytest.raises(ValueError, match="macos_version goes with macOS"):
        Platform("macos", "arm64")
    with pytest.raises(ValueError, match="libc and libc_version go together"):
        Platform("windows", "amd64", "glibc", (2, 17))


def native_last(ladder: list[str]) -> list[str]:
    # packaging 26.3 ranks the host's own linux_* tags first (pypa/packaging#160); thoth keeps
    # them last, as earlier packaging, pip's resolver of old and uv do: a linux_* wheel names
    # no libc, so for a described target it is the least portable choice.
    return [p for p in ladder if not p.startswith("linux_")] + [p for p in ladder if p.startswith("linux_")]


def test_current_host_ladder_matches_packaging() -> None:
    assert list(Platform.current().tags()) == native_last(list(platform_tags()))


@pytest.mark.parametrize(
    ("host_tags", "expected"),
    [
        (
            ["linux_x86_64", "manylinux_2_36_x86_64", "manylinux_2_35_x86_64"],
            Platform("linux", "x86_64", "glibc", (2, 36)),
        ),
        (
            ["manylinux_2_31_aarch64", "manylinux_2_30_aarch64", "linux_aarch64"],
            Platform("linux", "aarch64", "glibc", (2, 31)),
        ),
        (
            ["linux_x86_64", "musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
            Platform("linux", "x86_64", "musl", (1, 2)),
        ),
        (["linux_riscv64"], Platform("linux", "riscv64")),
        (["macosx_14_0_arm64", "macosx_14_0_universal2"], Platform("macos", "arm64", macos_version=(14, 0))),
        (["win_amd64"], Platform("windows", "amd64")),
    ],
)
def test_host_platform_is_read_from_packagings_tags(host_tags: list[str], expected: Platform) -> None:
    assert platform_from_host_tags(host_tags) == expected


def test_armv8l_host_also_runs_armv7l_wheels() -> None:
    platform = platform_from_host_tags(["linux_armv8l", "linux_armv7l", "manylinux_2_31_armv8l"])
    assert platform == Platform("linux", "armv8l", "glibc", (2, 31))
    ladder = platform.tags()
    assert ladder.index("manylinux2014_armv8l") < ladder.index("manylinux_2_31_armv7l")
    assert ladder[-2:] == ("linux_armv8l", "linux_armv7l")


def test_unsupported_host_says_how_to_name_a_platform() -> None:
    with pytest.raises(TargetError) as caught:
        platform_from_host_tags(["freebsd_14_0_release_amd64"])
    assert str(caught.value) == (
        "thoth cannot describe this machine as a target: 'freebsd_14_0_release_amd64'\n"
        "  fix: pass --platform to name the platform to resolve for, e.g. manylinux_2_28_x86_64"
    )
