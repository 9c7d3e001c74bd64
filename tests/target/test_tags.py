"""The target's wheel tags, best first, and their ranks."""

from __future__ import annotations

from packaging.tags import Tag, parse_tag, platform_tags, sys_tags

from thoth_cli.target import Platform, TagPriority, Target


def cpython(version: str, platform: str) -> Target:
    return Target.from_options(version, platform)


def tag_strings(target: Target) -> list[str]:
    return [str(tag) for tag in target.tags()]


def test_cpython_on_windows_lists_pips_tags_for_that_python_and_platform() -> None:
    # What `pip download --python-version 3.12 --platform win_amd64 --only-binary :all:` accepts:
    # the interpreter's own ABI, abi3 down to cp32, none, then pure tags.
    expected = ["cp312-cp312-win_amd64", "cp312-abi3-win_amd64", "cp312-none-win_amd64"]
    expected += [f"cp3{minor}-abi3-win_amd64" for minor in range(11, 1, -1)]
    expected += ["py312-none-win_amd64", "py3-none-win_amd64"]
    expected += [f"py3{minor}-none-win_amd64" for minor in range(11, -1, -1)]
    expected += ["cp312-none-any", "py312-none-any", "py3-none-any"]
    expected += [f"py3{minor}-none-any" for minor in range(11, -1, -1)]
    assert tag_strings(cpython("3.12", "win_amd64")) == expected


def test_cpython_on_linux_puts_the_interpreter_abi_on_every_platform_first() -> None:
    target = cpython("3.12", "manylinux_2_28_x86_64")
    tags = tag_strings(target)
    ladder = Platform.parse("manylinux_2_28_x86_64").tags()
    width = len(ladder)
    assert tags[:width] == [f"cp312-cp312-{platform}" for platform in ladder]
    assert tags[width : 2 * width] == [f"cp312-abi3-{platform}" for platform in ladder]
    assert tags[2 * width : 3 * width] == [f"cp312-none-{platform}" for platform in ladder]
    assert tags[3 * width] == "cp311-abi3-manylinux_2_28_x86_64"
    assert tags.index("cp32-abi3-linux_x86_64") < tags.index("py312-none-manylinux_2_28_x86_64")
    assert tags[-15:-12] == ["cp312-none-any", "py312-none-any", "py3-none-any"]
    assert tags[-1] == "py30-none-any"


def test_python_3_7_uses_the_pymalloc_abi() -> None:
    assert tag_strings(cpython("3.7", "win_amd64"))[:2] == ["cp37-cp37m-win_amd64", "cp37-abi3-win_amd64"]


def test_free_threaded_cpython_has_its_own_abi_and_no_abi3() -> None:
    target = cpython("3.13t", "manylinux_2_17_x86_64")
    tags = target.tags()
    assert str(tags[0]) == "cp313-cp313t-manylinux_2_17_x86_64"
    assert not any(tag.abi in ("abi3", "cp313") for tag in tags)
    # Recent packaging also offers abi3t (PEP 803) to free-threaded builds; older offers none.
    assert {tag.abi for tag in tags} <= {"cp313t", "abi3t", "none"}
    assert Tag("cp313", "none", "manylinux_2_17_x86_64") in tags
    assert target.tag_rank(Tag("cp313", "abi3", "manylinux_2_17_x86_64")) is None


def test_pypy_tags_follow_packagings_rules() -> None:
    # sys_tags() on PyPy 3.10: pp310 with the pypy310_pp73 ABI, then none, then the pure
    # tags with pp3-none-any as the interpreter's own.
    tags = tag_strings(Target.from_options("pypy3.10", "manylinux_2_17_x86_64"))
    ladder = Platform.parse("manylinux_2_17_x86_64").tags()
    width = len(ladder)
    assert tags[:width] == [f"pp310-pypy310_pp73-{platform}" for platform in ladder]
    assert tags[width : 2 * width] == [f"pp310-none-{platform}" for platform in ladder]
    assert tags[2 * width] == "py310-none-manylinux_2_17_x86_64"
    assert "pp3-none-any" in tags
    assert tags.index("pp3-none-any") + 1 == tags.index("py310-none-any")
    assert not any("abi3" in tag for tag in tags)


def test_current_target_matches_packagings_sys_tags() -> None:
    host = list(sys_tags())
    ladder = list(platform_tags())
    # packaging 26.3 ranks the host's own linux_* tags before manylinux (pypa/packaging#160);
    # thoth keeps them last, as earlier packaging and uv do, since a linux_* wheel names no
    # libc. Reorder packaging's list that way and nothing else: within each run of one
    # interpreter and ABI, linux_* platforms move to the end.
    moved = [p for p in ladder if not p.startswith("linux_")] + [p for p in ladder if p.startswith("linux_")]
    place = {platform: index for index, platform in enumerate(moved)}
    runs: dict[tuple[str, str, bool], int] = {}
    for tag in host:
        runs.setdefault((tag.interpreter, tag.abi, tag.platform == "any"), len(runs))
    expected = sorted(
        host,
        key=lambda tag: (runs[(tag.interpreter, tag.abi, tag.platform == "any")], place.get(tag.platform, 0)),
    )
    assert list(Target.current().tags()) == expected


def test_tags_are_computed_once_per_target() -> None:
    first = cpython("3.11", "macosx_14_0_arm64")
    again = cpython("3.11", "macosx_14_0_arm64")
    assert first.tags() is again.tags()


def test_tag_rank_is_the_place_in_the_best_first_list() -> None:
    target = cpython("3.12", "manylinux_2_28_x86_64")
    tags = target.tags()
    assert target.tag_rank(tags[0]) == 0
    assert target.tag_rank(Tag("py3", "none", "any")) == tags.index(Tag("py3", "none", "any"))
    assert target.tag_rank(Tag("cp312", "cp312", "win_amd64")) is None
    assert target.tag_rank(Tag("cp313", "cp313", "manylinux_2_17_x86_64")) is None


def test_best_rank_takes_a_wheels_best_fitting_tag() -> None:
    target = cpython("3.12", "manylinux_2_28_x86_64")
    # numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
    wheel = parse_tag("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64")
    assert target.best_rank(wheel) == target.tag_rank(Tag("cp312", "cp312", "manylinux_2_17_x86_64"))
    assert target.best_rank(parse_tag("py2.py3-none-any")) == target.tag_rank(Tag("py3", "none", "any"))
    assert target.best_rank(parse_tag("cp312-cp312-macosx_11_0_arm64")) is None
    assert target.best_rank(frozenset()) is None


def test_a_native_wheel_outranks_abi3_and_pure_ones() -> None:
    target = cpython("3.12", "manylinux_2_28_x86_64")
    native = target.best_rank(parse_tag("cp312-cp312-manylinux_2_17_x86_64"))
    stable = target.best_rank(parse_tag("cp38-abi3-manylinux_2_28_x86_64"))
    pure = target.best_rank(parse_tag("py3-none-any"))
    assert native is not None and stable is not None and pure is not None
    assert native < stable < pure


def test_tag_priority_keeps_the_first_rank_of_a_repeated_tag() -> None:
    a, b = Tag("cp312", "cp312", "win_amd64"), Tag("py3", "none", "any")
    priority = TagPriority([a, b, a])
    assert dict(priority) == {a: 0, b: 1}
    assert len(priority) == 2
    assert priority.best([b, a]) == 0
    assert priority.best([Tag("py2", "none", "any")]) is None
