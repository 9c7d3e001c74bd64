"""Resolution for a target against the hermetic index: what is chosen, and why not the rest."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.indexserver import Universe
from tests.resolver.conftest import Resolve, pins, project_of
from thoth_cli.errors import ThothError
from thoth_cli.project.model import MAIN, Group, GroupKind
from thoth_cli.resolver.policy import PrereleaseMode, ResolutionPolicy
from thoth_cli.stack import Stack


def test_newest_versions_and_their_dependencies(resolve_in: Resolve) -> None:
    resolution = resolve_in(
        "requests 2.30.0 2.31.0: urllib3>=1.21.1,<3, idna>=2.5\nurllib3 1.26.18 2.0.7\nidna 3.5 3.6",
        ["requests"],
    )
    assert pins(resolution) == {"idna": "3.6", "requests": "2.31.0", "urllib3": "2.0.7"}
    stack = resolution.stack
    assert stack.get("requests") is not None and stack.get("requests").direct  # type: ignore[union-attr]
    assert [(e.parent, e.child) for e in stack.dependents_of(canonicalize_name("urllib3"))] == [
        ("requests", "urllib3")
    ]


def test_markers_are_evaluated_for_the_target_not_this_machine(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add(
        "app",
        "1.0",
        requires_dist=["colorama; sys_platform == 'win32'", "uvloop; sys_platform != 'win32'"],
    )
    universe.add("colorama", "0.4.6")
    universe.add("uvloop", "0.19.0")
    assert set(pins(resolve_in(universe, ["app"], platform="win_amd64"))) == {"app", "colorama"}
    assert set(pins(resolve_in(universe, ["app"], platform="macosx_14_0_arm64"))) == {"app", "uvloop"}


def test_windows_platform_machine_is_amd64(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("app", "1.0", requires_dist=["pywin; platform_machine == 'AMD64'"])
    universe.add("pywin", "1.0")
    assert set(pins(resolve_in(universe, ["app"], platform="win_amd64"))) == {"app", "pywin"}


def test_wheel_tags_choose_the_newest_release_built_for_the_target(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add(
        "fast", "1.0", wheels=["cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-manylinux_2_17_x86_64"]
    )
    universe.add(
        "fast",
        "2.0",
        wheels=["cp312-cp312-manylinux_2_28_x86_64", "cp312-cp312-macosx_14_0_arm64"],
        sdist=False,
    )
    assert pins(resolve_in(universe, ["fast"], python="3.12")) == {"fast": "2.0"}
    # manylinux_2_28 needs glibc 2.28: a 2.17 target takes the older release.
    assert pins(resolve_in(universe, ["fast"], platform="manylinux_2_17_x86_64")) == {"fast": "1.0"}
    assert pins(resolve_in(universe, ["fast"], python="3.11")) == {"fast": "1.0"}
    assert pins(resolve_in(universe, ["fast"], platform="macosx_14_0_arm64")) == {"fast": "2.0"}


def test_best_wheel_first_then_sdist_in_the_pin(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add(
        "fast", "1.0", wheels=["py3-none-any", "cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-win_amd64"]
    )
    package = resolve_in(universe, ["fast"]).stack.packages[0]
    assert [f.filename for f in package.files] == [
        "fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "fast-1.0-py3-none-any.whl",
        "fast-1.0.tar.gz",
    ]


def test_requires_python_against_the_target_python(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("lib", "1.0", requires_python=">=3.8")
    universe.add("lib", "2.0", requires_python=">=3.13")
    assert pins(resolve_in(universe, ["lib"], python="3.12")) == {"lib": "1.0"}
    assert pins(resolve_in(universe, ["lib"], python="3.13")) == {"lib": "2.0"}


def test_yanked_releases_are_skipped_unless_pinned_exactly(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("lib", "1.0")
    universe.add("lib", "1.1", yanked="broken wheel")
    assert pins(resolve_in(universe, ["lib"])) == {"lib": "1.0"}
    exact = resolve_in(universe, ["lib==1.1"])
    assert pins(exact) == {"lib": "1.1"}
    assert exact.stack.packages[0].yanked_reason == "broken wheel"


def test_pre_releases_follow_uvs_default_rule(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add_many("lib", ["1.0", "2.0b1"])
    universe.add_many("onlypre", ["0.1a1", "0.2b2"])
    assert pins(resolve_in(universe, ["lib"])) == {"lib": "1.0"}
    # A first-party specifier that names a pre-release allows them for that package.
    assert pins(resolve_in(universe, ["lib>=2.0b1"])) == {"lib": "2.0b1"}
    # Nothing but pre-releases: they are what there is.
    assert pins(resolve_in(universe, ["onlypre"])) == {"onlypre": "0.2b2"}
    allow = ResolutionPolicy(prerelease=PrereleaseMode.ALLOW)
    assert pins(resolve_in(universe, ["lib"], policy=allow)) == {"lib": "2.0b1"}
    per_package = ResolutionPolicy(prerelease_packages=frozenset({canonicalize_name("lib")}))
    assert pins(resolve_in(universe, ["lib"], policy=per_package)) == {"lib": "2.0b1"}


def test_extras_pull_in_their_dependencies_on_the_same_version(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("web", "1.0", requires_dist=["socks>=1; extra == 'proxy'"])
    universe.add("web", "2.0", requires_dist=["socks>=2; extra == 'proxy'", "idna"])
    universe.add_many("socks", ["1.5", "2.1"])
    universe.add("idna", "3.6")
    resolution = resolve_in(universe, ["web[proxy]"])
    assert pins(resolution) == {"idna": "3.6", "socks": "2.1", "web": "2.0"}
    assert resolution.stack.get("web").extras == frozenset({"proxy"})  # type: ignore[union-attr]
    assert pins(resolve_in(universe, ["web"])) == {"idna": "3.6", "web": "2.0"}


def test_groups_are_locked_together_and_membership_recorded(resolve_in: Resolve, tmp_path: Path) -> None:
    dev = Group(GroupKind.GROUP, "dev")
    project = project_of(["app"], tmp_path / "requirements.in", groups={dev: ["pytest", "shared<2"]})
    universe = Universe.parse("app 1.0: shared\nshared 1.0 2.0\npytest 8.0")
    main_only = resolve_in(universe, project)
    assert pins(main_only) == {"app": "1.0", "shared": "2.0"}
    both = resolve_in(universe, project, groups=frozenset({MAIN, dev}))
    assert pins(both) == {"app": "1.0", "pytest": "8.0", "shared": "1.0"}
    assert both.stack.get("shared").groups == frozenset({MAIN, dev})  # type: ignore[union-attr]
    assert both.stack.get("pytest").groups == frozenset({dev})  # type: ignore[union-attr]


def test_constraints_limit_versions_without_adding_packages(resolve_in: Resolve, tmp_path: Path) -> None:
    project = project_of(["app"], tmp_path / "requirements.in", constraints=["shared<2", "unused==1.0"])
    resolution = resolve_in("app 1.0: shared\nshared 1.0 2.0\nunused 1.0", project)
    assert pins(resolution) == {"app": "1.0", "shared": "1.0"}


def test_exclude_newer_ignores_later_uploads(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("lib", "1.0", upload_time="2023-01-01T00:00:00Z")
    universe.add("lib", "2.0", upload_time="2024-06-01T00:00:00Z")
    universe.add("other", "1.0", upload_time="2023-01-01T00:00:00Z")
    universe.add("other", "2.0", upload_time="2024-06-01T00:00:00Z")
    cutoff = datetime(2024, 1, 1, tzinfo=timezone.utc)
    policy = ResolutionPolicy(exclude_newer=cutoff)
    assert pins(resolve_in(universe, ["lib", "other"], policy=policy)) == {"lib": "1.0", "other": "1.0"}
    per_package = ResolutionPolicy(exclude_newer_packages={canonicalize_name("lib"): cutoff})
    assert pins(resolve_in(universe, ["lib", "other"], policy=per_package)) == {"lib": "1.0", "other": "2.0"}


def test_a_static_sdist_is_used_when_it_is_the_only_distribution(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("plain", "1.0", wheels=[], requires_dist=["dep"])
    universe.add("dep", "1.0")
    resolution = resolve_in(universe, ["plain"])
    assert pins(resolution) == {"dep": "1.0", "plain": "1.0"}
    assert [f.filename for f in resolution.stack.get("plain").files] == ["plain-1.0.tar.gz"]  # type: ignore[union-attr]


def test_existing_pins_are_kept_until_released(resolve_in: Resolve) -> None:
    universe = "app 1.0 1.1: lib\nlib 1.0 2.0"
    keep = ResolutionPolicy(preferred={canonicalize_name("lib"): Version("1.0")})
    assert pins(resolve_in(universe, ["app"], policy=keep)) == {"app": "1.1", "lib": "1.0"}
    upgrade_one = ResolutionPolicy(
        preferred={canonicalize_name("lib"): Version("1.0"), canonicalize_name("app"): Version("1.0")},
        upgrade_packages=frozenset({canonicalize_name("lib")}),
    )
    assert pins(resolve_in(universe, ["app"], policy=upgrade_one)) == {"app": "1.0", "lib": "2.0"}
    upgrade_all = ResolutionPolicy(preferred=keep.preferred, upgrade=True)
    assert pins(resolve_in(universe, ["app"], policy=upgrade_all)) == {"app": "1.1", "lib": "2.0"}


def test_a_kept_pin_that_no_longer_fits_gives_way(resolve_in: Resolve) -> None:
    keep = ResolutionPolicy(preferred={canonicalize_name("lib"): Version("1.0")})
    assert pins(resolve_in("lib 1.0 2.0", ["lib>=2"], policy=keep)) == {"lib": "2.0"}


def test_backtracking_finds_a_compatible_older_release(resolve_in: Resolve) -> None:
    universe = "a 1.0 2.0\nb 1.0: a<2\nb 2.0: a<2\nc 1.0: a>=2\nc 0.9"
    assert pins(resolve_in(universe, ["a", "b", "c"])) == {"a": "1.0", "b": "2.0", "c": "0.9"}


def test_index_pins_and_first_index_strategy(resolve_in: Resolve, tmp_path: Path) -> None:
    public = Universe.parse("internal 99.0\nlib 1.0")
    private = Universe.parse("internal 1.0\nlib 2.0")
    # first-index: 'internal' is on both; the first index (public) wins unless pinned.
    resolution = resolve_in({"pypi": public, "private": private}, ["internal", "lib"])
    assert pins(resolution) == {"internal": "99.0", "lib": "1.0"}
    project = project_of(["internal", "lib"], tmp_path / "requirements.in")
    from dataclasses import replace

    pinned = replace(
        project,
        requirements=tuple(
            replace(r, index="private") if r.name == "internal" else r for r in project.requirements
        ),
    )
    resolution = resolve_in({"pypi": public, "private": private}, pinned)
    assert pins(resolution) == {"internal": "1.0", "lib": "1.0"}
    assert resolution.stack.get("internal").index.name == "private"  # type: ignore[union-attr]


def test_unsafe_best_match_takes_the_best_version_across_indexes(resolve_in: Resolve) -> None:
    from thoth_cli.index.client import IndexStrategy

    public = Universe.parse("lib 1.0")
    private = Universe.parse("lib 2.0")
    resolution = resolve_in(
        {"pypi": public, "private": private}, ["lib"], strategy=IndexStrategy.UNSAFE_BEST_MATCH
    )
    assert pins(resolution) == {"lib": "2.0"}
    assert resolution.stack.get("lib").index.name == "private"  # type: ignore[union-attr]


def test_requirements_whose_marker_is_false_on_the_target_are_left_out(resolve_in: Resolve) -> None:
    resolution = resolve_in("lib 1.0\nwinonly 1.0", ["lib", "winonly; sys_platform == 'win32'"])
    assert pins(resolution) == {"lib": "1.0"}
    assert [str(r) for r in resolution.skipped_by_marker] == ['winonly; sys_platform == "win32"']


def test_same_inputs_same_stack(resolve_in: Resolve) -> None:
    universe = "a 1.0 2.0: b, c\nb 1.0 2.0: c<3\nc 1.0 2.0 3.0"
    first = resolve_in(universe, ["a"]).stack
    second = resolve_in(universe, ["a"]).stack

    def shape(stack: Stack) -> object:
        # Each run has its own server port, so compare everything but the URLs.
        return [(p.name, p.version, [f.filename for f in p.files], p.groups) for p in stack], stack.edges

    assert shape(first) == shape(second)


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_several_pythons(resolve_in: Resolve, python: str) -> None:
    universe = Universe()
    for minor in (10, 11, 12, 13):
        universe.add(
            "ext", f"1.{minor}", wheels=[f"cp3{minor}-cp3{minor}-manylinux_2_17_x86_64"], sdist=False
        )
    assert pins(resolve_in(universe, ["ext"], python=python)) == {"ext": f"1.{python.split('.')[1]}"}


def test_metadata_comes_from_another_wheel_of_the_release_when_only_the_sdist_fits(
    resolve_in: Resolve,
) -> None:
    universe = Universe()
    # Wheels for another platform and an sdist with dynamic metadata: the wheels tell the
    # release's dependencies, so no build is needed to resolve for this target.
    universe.add(
        "fast",
        "2.0",
        wheels=["cp312-cp312-win_amd64"],
        sdist_metadata="dynamic",
        requires_dist=["dep"],
    )
    universe.add("dep", "1.0")
    resolution = resolve_in(universe, ["fast"], platform="manylinux_2_17_x86_64")
    assert pins(resolution) == {"dep": "1.0", "fast": "2.0"}
    assert [f.filename for f in resolution.stack.get("fast").files] == ["fast-2.0.tar.gz"]  # type: ignore[union-attr]


def test_pre_releases_when_no_final_release_installs_on_the_target(resolve_in: Resolve) -> None:
    universe = Universe()
    # As tensorflow on a Python newer than its last final release: only the rc has a wheel.
    universe.add("tf", "2.21.0", wheels=["cp313-cp313-manylinux_2_17_x86_64"], sdist=False)
    universe.add("tf", "2.22.0rc0", wheels=["cp314-cp314-manylinux_2_17_x86_64"], sdist=False)
    assert pins(resolve_in(universe, ["tf"], python="3.14")) == {"tf": "2.22.0rc0"}
    assert pins(resolve_in(universe, ["tf"], python="3.13")) == {"tf": "2.21.0"}
    strict = ResolutionPolicy(prerelease=PrereleaseMode.DISALLOW)
    with pytest.raises(ThothError):
        resolve_in(universe, ["tf"], python="3.14", policy=strict)
