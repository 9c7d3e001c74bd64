"""The dependency graph of real lock files written by thoth's writers, as DOT and as SVG."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from tests.lock.builders import StubTarget, dist, edge, pinned, pipfile_project, small_stack
from thoth_cli.graph import (
    Change,
    GraphEdge,
    GraphvizError,
    lock_edges,
    lock_graph,
    score_color,
    to_dot,
    to_svg,
)
from thoth_cli.lock.model import LockFile
from thoth_cli.lock.pylock import pylock_text
from thoth_cli.lock.read import read_lock
from thoth_cli.lock.requirements_txt import requirements_txt_text
from thoth_cli.stack import Stack

HEADER = """\
digraph thoth {
  rankdir=LR;
  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#eeeeee"];
  edge [fontname="Helvetica", fontsize=10, color="#555555"];
"""


def write_pylock(folder: Path, stack: Stack, name: str = "pylock.toml") -> LockFile:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(pylock_text(pipfile_project(folder), stack, StubTarget()), encoding="utf-8")
    return read_lock(path)


def newer_stack() -> Stack:
    """small_stack a month later: requests upgraded, urllib3 downgraded, iniconfig gone, idna new."""
    old = small_stack()
    packages = {package.name: package for package in old.packages}
    return Stack(
        packages=(
            dataclasses.replace(
                packages["requests"],
                version=pinned("requests", "2.32.3", ()).version,
                files=(dist("requests-2.32.3-py3-none-any.whl", "9"),),
            ),
            pinned("urllib3", "1.26.18", (dist("urllib3-1.26.18-py2.py3-none-any.whl", "7"),), score=-0.5),
            packages["pytest"],
            pinned("idna", "3.7", (dist("idna-3.7-py3-none-any.whl", "8"),)),
        ),
        edges=(
            edge(None, "requests", "Requests[socks]>=2.31"),
            edge(None, "pytest", "pytest; sys_platform == 'linux'"),
            edge("requests", "urllib3", "urllib3<3,>=1.21.1"),
            edge("requests", "idna", "idna<4,>=2.5"),
            edge("pytest", "urllib3", "urllib3"),
        ),
    )


def test_a_pylock_written_by_thoth_gives_versions_scores_direct_marks_and_requirements(
    tmp_path: Path,
) -> None:
    lock = write_pylock(tmp_path, small_stack())

    assert to_dot(lock_graph(lock)) == HEADER + (
        '  ":project" [shape=house, fillcolor="#dddddd", label="project"];\n'
        '  "iniconfig" [label="iniconfig\\n2.0.0\\nscore +0.00", fillcolor="#ffffff"];\n'
        '  "pytest" [label="pytest\\n8.0.0\\nscore +0.00", fillcolor="#ffffff", peripheries=2];\n'
        '  "requests" [label="requests\\n2.31.0\\nscore +0.50", fillcolor="#c3ffc3", peripheries=2];\n'
        '  "urllib3" [label="urllib3\\n2.0.7\\nscore +0.25", fillcolor="#e1ffe1"];\n'
        '  ":project" -> "pytest" [label="pytest; sys_platform == \'linux\'"];\n'
        '  ":project" -> "requests" [label="Requests[socks]>=2.31"];\n'
        '  "pytest" -> "iniconfig" [label="iniconfig"];\n'
        '  "pytest" -> "urllib3" [label="urllib3"];\n'
        '  "requests" -> "urllib3" [label="urllib3<3,>=1.21.1"];\n'
        "}\n"
    )


def test_against_an_older_lock_highlights_each_change_and_keeps_removed_packages_dashed(
    tmp_path: Path,
) -> None:
    old = write_pylock(tmp_path / "old", small_stack())
    new = write_pylock(tmp_path / "new", newer_stack())

    graph = lock_graph(new, old)

    assert {node.name: node.change for node in graph.nodes} == {
        "idna": Change.ADDED,
        "iniconfig": Change.REMOVED,
        "pytest": Change.SAME,
        "requests": Change.UPGRADED,
        "urllib3": Change.DOWNGRADED,
    }
    dot = to_dot(graph, title="new against old")
    assert dot.startswith('digraph thoth {\n  label="new against old";\n  labelloc=t;\n')
    node_lines = [
        line for line in dot.splitlines() if line.startswith('  "') and "->" not in line.split("[")[0]
    ]
    assert node_lines.pop(0).startswith('  ":project" ')
    assert node_lines == [
        '  "idna" [label="idna\\n3.7\\nscore +0.00\\nadded", fillcolor="#ffffff", '
        'color="#1f78b4", penwidth=3];',
        '  "iniconfig" [label="iniconfig\\n2.0.0\\nscore +0.00\\nremoved", fillcolor="#ffffff", '
        'style="rounded,dashed", color="#999999", fontcolor="#777777"];',
        '  "pytest" [label="pytest\\n8.0.0\\nscore +0.00", fillcolor="#ffffff", peripheries=2];',
        '  "requests" [label="requests\\n2.31.0 -> 2.32.3\\nscore +0.50\\nupgraded", fillcolor="#c3ffc3", '
        'color="#33a02c", penwidth=3, peripheries=2];',
        '  "urllib3" [label="urllib3\\n2.0.7 -> 1.26.18\\nscore -0.50\\ndowngraded", fillcolor="#ffc3c3", '
        'color="#ff7f00", penwidth=3];',
    ]
    assert '  "pytest" -> "iniconfig" [label="iniconfig", style=dashed, color="#999999"];' in dot
    assert '  "requests" -> "idna" [label="idna<4,>=2.5"];' in dot


def test_a_requirements_txt_gives_its_via_parents_without_requirements(tmp_path: Path) -> None:
    project = pipfile_project(tmp_path)
    path = tmp_path / "requirements.txt"
    path.write_text(requirements_txt_text(project, small_stack(), StubTarget()), encoding="utf-8")

    edges = lock_edges(read_lock(path))

    assert set(edges) == {
        GraphEdge(None, "pytest"),
        GraphEdge(None, "requests"),
        GraphEdge("pytest", "iniconfig"),
        GraphEdge("pytest", "urllib3"),
        GraphEdge("requests", "urllib3"),
    }


def test_a_pipfile_lock_records_no_edges_so_the_graph_has_packages_alone(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text(
        '{"_meta": {"sources": []}, "default": {"six": {"version": "==1.16.0"}}, "develop": {}}',
        encoding="utf-8",
    )

    assert to_dot(lock_graph(read_lock(path))) == HEADER + (
        '  "six" [label="six\\n1.16.0", fillcolor="#eeeeee"];\n}\n'
    )


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (None, "#eeeeee"),
        (0.0, "#ffffff"),
        (1.0, "#87ff87"),
        (3.0, "#87ff87"),
        (-0.5, "#ffc3c3"),
        (-1.0, "#ff8787"),
    ],
)
def test_score_colours_run_from_red_through_white_to_green_and_stop_at_one(
    score: float | None, colour: str
) -> None:
    assert score_color(score) == colour


def test_quotes_and_backslashes_in_a_requirement_are_escaped_for_dot(tmp_path: Path) -> None:
    stack = dataclasses.replace(
        small_stack(),
        edges=(edge(None, "requests", 'requests; python_version == "3.12" and os_name != "\\"'),),
    )

    dot = to_dot(lock_graph(write_pylock(tmp_path, stack)))

    assert (
        '  ":project" -> "requests" '
        '[label="requests; python_version == \\"3.12\\" and os_name != \\"\\\\\\""];' in dot
    )


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_renders_the_graph_as_svg_naming_every_package(tmp_path: Path) -> None:
    svg = to_svg(to_dot(lock_graph(write_pylock(tmp_path, small_stack()))))

    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    for name in ("requests", "urllib3", "pytest", "iniconfig", "Requests[socks]&gt;=2.31"):
        assert name in svg


def test_a_missing_dot_is_an_environment_error_saying_how_to_get_svg(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-dot")

    with pytest.raises(GraphvizError) as caught:
        to_svg("digraph {}", executable=missing)

    assert str(caught.value) == (
        f"cannot render SVG with {missing}: No such file or directory\n"
        "  fix: install Graphviz (https://graphviz.org/download/), or write DOT: --output graph.dot"
    )
    assert caught.value.exit_code == 3


def test_a_failing_dot_is_reported_with_its_own_message(tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)

    with pytest.raises(
        GraphvizError, match=r"^cannot render SVG with .*/dot: Error: syntax error in line 1\n"
    ):
        to_svg("digraph {", executable=str(fake))
