"""Every resolution failure says why in plain words, exit code 1, word for word."""

from __future__ import annotations

import pytest

from tests.indexserver import Universe
from tests.resolver.conftest import Resolve
from thoth_cli.errors import ExitCode, ThothError

HEADER = (
    "no set of versions satisfies the requirements on CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64:\n"
)


def failure(resolve_in: Resolve, universe: Universe | str, lines: list[str]) -> str:
    with pytest.raises(ThothError) as caught:
        resolve_in(universe, lines)
    assert caught.value.exit_code is ExitCode.NO
    return str(caught.value)


def test_a_clash_names_both_sides_and_the_hint(resolve_in: Resolve) -> None:
    text = failure(
        resolve_in,
        "requests 2.31.0: urllib3>=1.21.1,<3\nurllib3 1.20 1.26.18 2.0.7",
        ["requests", "urllib3<1.21"],
    )
    assert text == (
        HEADER
        + "requests 2.31.0 requires urllib3>=1.21.1,<3; you require urllib3<1.21 — loosen one of them\n"
        "  fix: loosen one of the requirements above"
    )


def test_a_clash_deep_in_the_tree_shows_the_chain_from_the_direct_dependency(resolve_in: Resolve) -> None:
    text = failure(
        resolve_in,
        "app 1.0: requests\nrequests 2.31.0: urllib3>=1.21.1,<3\nurllib3 1.20 1.26.18 2.0.7",
        ["app", "urllib3<1.21"],
    )
    assert text == (
        HEADER
        + "requests 2.31.0 requires urllib3>=1.21.1,<3; you require urllib3<1.21 — loosen one of them\n"
        "  requests 2.31.0 comes from: you require app → app 1.0 requires requests\n"
        "  fix: loosen one of the requirements above"
    )


def test_an_unknown_package_suggests_close_names(resolve_in: Resolve) -> None:
    text = failure(resolve_in, "requests 2.31.0\nrequests-toolbelt 1.0", ["reqests"])
    assert text == "package 'reqests' not found on index 'pypi'\n  fix: did you mean 'requests'?"


def test_no_distribution_for_the_target_says_what_exists(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("fast", "2.1.0", wheels=["cp312-cp312-macosx_11_0_arm64"], sdist=False)
    universe.add(
        "fast", "2.0.0", wheels=["cp311-cp311-macosx_11_0_arm64", "cp312-cp312-win_amd64"], sdist=False
    )
    assert failure(resolve_in, universe, ["fast"]) == (
        HEADER + "no release of fast can be installed on this target: the newest, 2.1.0, has only wheels "
        "for cp312 on macOS arm64, no sdist\n"
        "  fix: choose a target where it is available, or a different version of the package that requires it"
    )


def test_every_release_too_new_for_the_target_python(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add_many("new", ["1.0", "2.0"], requires_python=">=3.13")
    assert failure(resolve_in, universe, ["new"]) == (
        HEADER + "no release of new can be installed on this target: every release requires Python >=3.13\n"
        "  fix: choose a target where it is available, or a different version of the package that requires it"
    )


def test_only_yanked_releases_match(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("lib", "1.0")
    universe.add("lib", "1.1", yanked="broken wheel")
    assert failure(resolve_in, universe, ["lib>=1.0.5"]) == (
        HEADER + "you require lib>=1.0.5, which matches only yanked releases: 1.1 (yanked: broken wheel); "
        "a yanked release is used only when pinned exactly with == or ===\n"
        "  fix: loosen lib>=1.0.5"
    )


def test_only_pre_releases_match(resolve_in: Resolve) -> None:
    assert failure(resolve_in, "lib 1.0 2.0b1", ["lib>=1.5"]) == (
        HEADER + "you require lib>=1.5, which matches only pre-releases (2.0b1); pre-releases are not "
        "allowed (--prerelease if-necessary-or-explicit): pass --prerelease allow or name a pre-release "
        "in the requirement\n"
        "  fix: loosen lib>=1.5"
    )


def test_no_version_matches(resolve_in: Resolve) -> None:
    assert failure(resolve_in, "lib 1.0 1.1", ["lib>=2"]) == (
        HEADER + "you require lib>=2, but no version of lib matches it (available: 1.0, 1.1)\n"
        "  fix: loosen lib>=2"
    )


def test_an_sdist_with_dynamic_dependencies_is_not_silently_skipped(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("dyn", "1.0")
    universe.add("dyn", "2.0", wheels=[], sdist_metadata="dynamic")
    assert failure(resolve_in, universe, ["dyn"]) == (
        "dyn 2.0 has no wheel and its sdist (dyn-2.0.tar.gz) declares its dependencies dynamic: they can "
        "only be known by building it, and thoth does not silently fall back to an older version\n"
        "  fix: pass --allow-build to run its build backend's metadata hook in an isolated environment, "
        "or require an older dyn that has wheels"
    )


def test_a_build_only_release_met_while_backtracking_does_not_hide_the_conflict(resolve_in: Resolve) -> None:
    universe = Universe()
    # As on PyPI: old Django releases are sdists only, newer ones under 2 have wheels.
    universe.add("django", "1.5", wheels=[], sdist_metadata="dynamic")
    universe.add("django", "1.11")
    universe.add("django", "3.0")
    universe.add("drf", "3.15", requires_dist=["django>=3.0"])
    text = failure(resolve_in, universe, ["django<2", "drf>=3.15"])
    assert text.startswith(
        HEADER + "drf 3.15 requires django>=3.0; you require django<2 — loosen one of them"
    )


def test_a_build_only_release_older_than_the_pin_is_no_obstacle(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("lib", "1.0", wheels=[], sdist_metadata="dynamic")
    universe.add("lib", "2.0")
    universe.add("app", "1.0", requires_dist=["lib>=2"])
    # lib 1.0 is never needed: resolving must not ask for a build.
    assert {p.name: str(p.version) for p in resolve_in(universe, ["app", "lib"]).stack} == {
        "app": "1.0",
        "lib": "2.0",
    }
