"""PEP 735 dependency groups: normalised names, expanded includes, refused cycles and bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.dependency_groups import DependencyGroup, closure, find_cycle, read_dependency_groups
from thoth_cli.project.model import Group, GroupKind
from thoth_cli.project.toml import load_toml


def groups(tmp_path: Path, body: str) -> tuple[DependencyGroup, ...]:
    path = tmp_path / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    data, text = load_toml(path)
    return read_dependency_groups(data["dependency-groups"], path=path, text=text)


def refused(tmp_path: Path, body: str) -> str:
    with pytest.raises(ManifestError) as caught:
        groups(tmp_path, body)
    return str(caught.value).replace(str(tmp_path / "pyproject.toml"), "pyproject.toml")


def test_includes_are_expanded_in_place_and_names_normalised(tmp_path: Path) -> None:
    body = (
        "[dependency-groups]\n"
        'Test = ["pytest>=8", "coverage[toml]"]\n'
        'typing = ["mypy>=1.10", { include-group = "TEST" }, "types-requests"]\n'
        "all_the_things = [\n"
        '    { include-group = "typing" },\n'
        '    "ruff",\n'
        "]\n"
    )
    found = {
        g.name: ([str(r) for r in g.requirements], g.includes, g.display_name) for g in groups(tmp_path, body)
    }
    assert found == {
        "test": (["pytest>=8", "coverage[toml]"], (), "Test"),
        "typing": (["mypy>=1.10", "pytest>=8", "coverage[toml]", "types-requests"], ("test",), "typing"),
        "all-the-things": (
            ["mypy>=1.10", "pytest>=8", "coverage[toml]", "types-requests", "ruff"],
            ("typing", "test"),
            "all_the_things",
        ),
    }


def test_every_requirement_belongs_to_the_group_that_includes_it_and_keeps_its_line(tmp_path: Path) -> None:
    body = '[dependency-groups]\ntest = ["pytest"]\ndev = [\n  { include-group = "test" },\n  "ipython",\n]\n'
    dev = groups(tmp_path, body)[1]
    path = tmp_path / "pyproject.toml"
    assert [(r.name, r.group, r.origin) for r in dev.requirements] == [
        ("pytest", Group(GroupKind.GROUP, "dev"), Location(path, 2, "dependency-groups.test")),
        ("ipython", Group(GroupKind.GROUP, "dev"), Location(path, 5, "dependency-groups.dev")),
    ]


def test_an_include_of_the_same_group_twice_keeps_both_copies(tmp_path: Path) -> None:
    # PEP 735: tools should not deduplicate what includes produce.
    body = '[dependency-groups]\na = ["x"]\nb = [{include-group = "a"}, {include-group = "a"}]\n'
    assert [r.name for r in groups(tmp_path, body)[1].requirements] == ["x", "x"]


def test_an_empty_table_has_no_groups(tmp_path: Path) -> None:
    assert groups(tmp_path, "[dependency-groups]\n") == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[dependency-groups]\ndev = [{ include-group = "test" }]\ntest = [{ include-group = "dev" }]\n',
            "pyproject.toml:2 [dependency-groups.dev]: dependency groups include each other in a cycle: "
            "dev -> test -> dev\n  fix: remove one of the include-group entries in that cycle",
        ),
        (
            '[dependency-groups]\nlint = ["ruff"]\nDev = [{ include-group = "dev" }]\n',
            "pyproject.toml:3 [dependency-groups.Dev]: dependency groups include each other in a cycle: "
            "Dev -> Dev\n  fix: remove one of the include-group entries in that cycle",
        ),
        (
            '[dependency-groups]\ndev = [{ include-group = "tests" }]\ntest = ["pytest"]\n',
            "pyproject.toml:2 [dependency-groups.dev]: includes a dependency group that is not "
            "defined: 'tests'\n"
            "  fix: define it in [dependency-groups] or include one of: dev, test",
        ),
        (
            '[dependency-groups]\ndev = ["pytest", 3]\n',
            "pyproject.toml:2 [dependency-groups.dev]: entry 2 of the group is neither a requirement "
            "string nor "
            'an {include-group = "..."} table: 3\n  fix: write a PEP 508 string such as "pytest>=8", or '
            '{include-group = "test"}',
        ),
        (
            '[dependency-groups]\ndev = [{ include-group = "a", extra = 1 }]\na = []\n',
            "pyproject.toml:2 [dependency-groups.dev]: entry 1 of the group is neither a requirement "
            "string nor "
            'an {include-group = "..."} table: {"include-group": "a", "extra": 1}\n  fix: write a PEP 508 '
            'string such as "pytest>=8", or {include-group = "test"}',
        ),
        (
            "[dependency-groups]\ndev = [{ include-group = 7 }]\n",
            "pyproject.toml:2 [dependency-groups.dev]: entry 1 of the group is neither a requirement "
            "string nor "
            'an {include-group = "..."} table: {"include-group": 7}\n  fix: write a PEP 508 string such as '
            '"pytest>=8", or {include-group = "test"}',
        ),
        (
            '[dependency-groups]\ndev = "pytest"\n',
            "pyproject.toml:2 [dependency-groups.dev]: a dependency group must be an array, not a "
            'string: "pytest"\n'
            '  fix: write dev = ["requirement", {include-group = "other-group"}]',
        ),
        (
            '[dependency-groups]\nTest = ["a"]\ntest = ["b"]\n',
            "pyproject.toml:3 [dependency-groups.test]: dependency group names 'Test' and 'test' are "
            "the same "
            "once normalised: 'test'\n  fix: merge the two groups into one",
        ),
        (
            '[dependency-groups]\n"-dev" = ["a"]\n',
            "pyproject.toml:2 [dependency-groups.-dev]: not a valid dependency group name: '-dev'\n"
            "  fix: use letters, digits and '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            '[dependency-groups]\ndev = [\n  "pytest",\n  "requests >>= 2",\n]\n',
            "pyproject.toml:4 [dependency-groups.dev]: invalid requirement (expected semicolon (after name "
            "with no version specifier) or end): 'requests >>= 2'\n  fix: write it as PEP 508 describes, "
            "e.g. 'requests>=2.31,<3' or 'name @ https://host/name-1.0.tar.gz'",
        ),
    ],
)
def test_bad_groups_are_refused_with_exact_messages(tmp_path: Path, body: str, message: str) -> None:
    assert refused(tmp_path, body) == message


def test_a_dependency_groups_value_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path, 'dependency-groups = ["pytest"]\n') == (
        "pyproject.toml:1 [dependency-groups]: [dependency-groups] must be a table of arrays, not an array: "
        '["pytest"]\n  fix: write [dependency-groups] with one array per group, e.g. test = ["pytest>=8"]'
    )


def test_find_cycle_and_closure() -> None:
    graph = {"a": ["b"], "b": ["c", "d"], "c": [], "d": ["c"]}
    assert find_cycle(graph) is None
    assert closure(graph, "a") == ("b", "c", "d")
    assert closure(graph, "c") == ()
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["b"]}) == ("b", "c", "b")
    assert find_cycle({"x": ["unknown"]}) is None
