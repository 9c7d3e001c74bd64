"""Whether a prescription can ever fire: specifiers some version satisfies, conditions some machine meets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from thoth_cli.knowledge.prescriptions.model import (
    ABSENT,
    EnvironmentConditions,
    OperatingSystemCondition,
    Presence,
)
from thoth_cli.knowledge.prescriptions.validate import (
    both_ways,
    impossible_environment,
    impossible_python_packages,
    platform_systems,
    satisfiable,
)


@pytest.mark.parametrize(
    "text",
    [
        ">2.4.0,<2.4.0",
        "<1.0,>1.4",
        ">=2.4.0rc0,<2.4.0",  # every version between is a pre-release of 2.4.0, which <2.4.0 leaves out
        ">1.0,<1.0.post1",  # a post-release of 1.0 is not >1.0
        "==1.4.*,!=1.4.*",
        "~=1.4.5,>=1.5",
        "<0",
        "==2.0,!=2.0",
        ">=3.13,<3.12",
    ],
)
def test_specifiers_no_version_satisfies_are_found(text: str) -> None:
    assert not satisfiable(SpecifierSet(text))


@pytest.mark.parametrize(
    "text",
    [
        ">=1.6",
        ">=12,<13",
        ">1.0,<1.0.0.1",  # 1.0.0.0.1
        ">=2.4.0rc0,<=2.4.0rc0",
        "==1.4.*,!=1.4.0",
        "~=1.4.5,!=1.4.5",
        ">1.0.post1,<1.0.post3",
        "<2.0.dev0",
        "==2.1.0+cu121",
        ">=0",
        "",
    ],
)
def test_specifiers_some_version_satisfies_pass(text: str) -> None:
    assert satisfiable(SpecifierSet(text))


def test_a_specifier_is_checked_against_the_ones_it_must_not_meet() -> None:
    assert satisfiable(SpecifierSet(">=2"), excluded=[SpecifierSet("<2")])
    assert not satisfiable(SpecifierSet(">=2"), excluded=[SpecifierSet("")])
    assert not satisfiable(
        SpecifierSet(">=2,<3"), excluded=[SpecifierSet("<2.5"), SpecifierSet(">=2.5.dev0")]
    )
    # 2.5rc1 is neither <2.5 (a pre-release of 2.5 itself) nor >=2.5.
    assert satisfiable(SpecifierSet(">=2,<3"), excluded=[SpecifierSet("<2.5"), SpecifierSet(">=2.5")])


# A universe of versions dense around a few releases, to search for a witness by brute force.
RELEASES = ("0", "0.9", "1", "1.0.1", "1.0.0.1", "1.1", "1.4.5", "1.5", "2", "2.0.1", "2.4.0", "10")
SUFFIXES = (
    "",
    "a1",
    "a2",
    "b1",
    "rc1",
    ".dev0",
    ".dev1",
    ".post0",
    ".post1",
    ".post2",
    ".post1.dev0",
    "+local",
)
UNIVERSE = sorted({Version(release + suffix) for release in RELEASES for suffix in SUFFIXES})
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*")


@st.composite
def specifiers(draw: st.DrawFn) -> SpecifierSet:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        operator = draw(st.sampled_from(OPERATORS))
        version = draw(st.sampled_from(UNIVERSE))
        part = f"{operator[:2]}{version.base_version}.*" if operator.endswith("*") else f"{operator}{version}"
        try:
            # ~= needs two release parts, and ordered comparisons take no local label.
            SpecifierSet(part)
        except InvalidSpecifier:
            continue
        parts.append(part)
    return SpecifierSet(",".join(parts))


@settings(max_examples=800, deadline=None)
@given(specifiers())
def test_a_specifier_some_version_satisfies_is_never_refused(specifier: SpecifierSet) -> None:
    try:
        witness = next(v for v in UNIVERSE if specifier.contains(v, prereleases=True))
    except StopIteration:
        return
    assert satisfiable(specifier), f"{specifier} is satisfied by {witness}"


def test_a_name_both_present_and_absent_is_found() -> None:
    assert both_ways(Presence(("avx2", "avx"), ("sse", "avx"))) == "avx"
    assert both_ways(Presence(("avx2",), ("avx",))) is None


def test_python_packages_must_leave_some_version_possible() -> None:
    assert impossible_python_packages(Presence(("numpy>=2",), ("numpy",))) == "numpy"
    assert impossible_python_packages(Presence(("numpy>=2",), ("NumPy>=1",))) == "numpy"
    assert impossible_python_packages(Presence(("numpy>=2", "numpy<2"), ())) == "numpy"
    assert impossible_python_packages(Presence(("numpy>=2",), ("numpy<2", "pandas"))) is None
    assert impossible_python_packages(Presence(("numpy",), ("numpy==2.0.0",))) is None


def test_machines_cannot_run_cudnn_without_cuda_nor_a_drivers_cuda_without_a_driver() -> None:
    assert impossible_environment(
        EnvironmentConditions(cuda_version=ABSENT, cudnn_version=SpecifierSet(">=8"))
    )
    assert impossible_environment(EnvironmentConditions(cuda_version=ABSENT, cudnn_version=ABSENT)) is None
    assert impossible_environment(
        EnvironmentConditions(driver_version=ABSENT, driver_cuda_version=SpecifierSet(">=12"))
    )
    assert (
        impossible_environment(EnvironmentConditions(driver_version=ABSENT, driver_cuda_version=ABSENT))
        is None
    )


@pytest.mark.parametrize(
    ("platforms", "systems", "possible"),
    [
        (("macos-*",), ("rhel",), False),
        (("macos-arm64",), ("darwin",), True),
        (("macos-arm64",), ("macos", "rhel"), True),
        (("linux-x86_64", "macos-arm64"), ("ubuntu",), True),
        (("windows-*",), ("ubuntu", "macos"), False),
        (("*-x86_64",), ("windows",), True),
        (("linux-*",), ("macos",), False),
    ],
)
def test_platforms_and_operating_systems_must_meet(
    platforms: tuple[str, ...], systems: tuple[str, ...], possible: bool
) -> None:
    conditions = EnvironmentConditions(
        platforms=platforms, operating_systems=tuple(OperatingSystemCondition(name) for name in systems)
    )
    assert (impossible_environment(conditions) is None) is possible


def test_a_platform_pattern_names_the_systems_it_can_match() -> None:
    assert platform_systems("macos-*") == ("macos",)
    assert platform_systems("*-aarch64") == ("linux", "macos", "windows")
    assert platform_systems("*") == ("linux", "macos", "windows")
    assert platform_systems("solaris-sparc") == ()


@settings(max_examples=500, deadline=None)
@given(specifiers(), st.lists(specifiers(), max_size=2))
def test_a_version_between_the_excluded_ones_is_always_found(
    specifier: SpecifierSet, excluded: list[SpecifierSet]
) -> None:
    def allowed(version: Version) -> bool:
        return specifier.contains(version, prereleases=True) and not any(
            other.contains(version, prereleases=True) for other in excluded
        )

    witness = next((v for v in UNIVERSE if allowed(v)), None)
    if witness is not None:
        assert satisfiable(specifier, excluded=excluded), (
            f"{witness} is in {specifier} and none of {excluded}"
        )
