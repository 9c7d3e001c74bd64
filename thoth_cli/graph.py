"""A lock's dependency graph as Graphviz DOT (an older lock's changes highlighted), and as SVG through dot."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from enum import Enum

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import ExternalError
from thoth_cli.lock.model import LockedPackage, LockFile

PROJECT = "project"
"""How thoth's pylock.toml names the project in `required-by`, and the label of its node."""

_PROJECT_ID = ":project"
"""The DOT id of the project's node: no package name has a colon, so no package can take it."""

_NO_SCORE = "#eeeeee"


class Change(str, Enum):
    """How a package of the new lock differs from the old one."""

    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    CHANGED = "changed"
    """Another pin that versions cannot order: a direct reference on either side."""


@dataclass(frozen=True)
class GraphNode:
    """One package: its pin, its score when the lock records one, and how it changed."""

    name: NormalizedName
    version: Version | None
    score: float | None = None
    direct: bool = False
    change: Change = Change.SAME
    old_version: Version | None = None


@dataclass(frozen=True)
class GraphEdge:
    """`parent` (None: the project) requires `child`; `requirement` is empty when the lock does not say."""

    parent: NormalizedName | None
    child: NormalizedName
    requirement: str = ""
    removed: bool = False


@dataclass(frozen=True)
class LockGraph:
    """The packages of a lock (and those an older lock had) and who requires whom, in a stable order."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    compared: bool = False
    """True when an older lock was given, so that changes mean something."""


class GraphvizError(ExternalError):
    """Graphviz's dot could not turn the graph into SVG (exit 3)."""

    def __init__(self, executable: str, reason: str) -> None:
        self.executable = executable
        self.reason = reason
        super().__init__(
            f"cannot render SVG with {executable}: {reason}",
            fix="install Graphviz (https://graphviz.org/download/), or write DOT: --output graph.dot",
        )


def lock_edges(lock: LockFile) -> tuple[GraphEdge, ...]:
    """Who requires whom, as far as the lock's format records it.

    A pylock.toml thoth wrote names each requirement (`[tool.thoth] required-by`); a
    standard pylock.toml names only dependencies, a requirements.txt only its `# via`
    parents; a Pipfile.lock records no edges at all.
    """
    known = {package.name for package in lock.packages}
    edges: dict[tuple[NormalizedName | None, NormalizedName], GraphEdge] = {}
    for package in lock.packages:
        for text in package.required_by:
            who, separator, requirement = text.partition(": ")
            parent = (
                None if who == PROJECT and separator else canonicalize_name(who.split()[0]) if who else None
            )
            if parent is not None and parent not in known:
                continue
            edges.setdefault((parent, package.name), GraphEdge(parent, package.name, requirement.strip()))
    # Only now the bare dependencies, so that an edge with its requirement is never shadowed by one without.
    for package in lock.packages:
        for dependency in package.dependencies:
            if dependency in known:
                edges.setdefault((package.name, dependency), GraphEdge(package.name, dependency))
    for package in lock.packages:
        if package.direct and not any(parent is None and child == package.name for parent, child in edges):
            edges[(None, package.name)] = GraphEdge(None, package.name)
    return tuple(sorted(edges.values(), key=_edge_key))


def lock_graph(lock: LockFile, against: LockFile | None = None) -> LockGraph:
    """The graph of `lock`; with `against` (an older lock), each package says how it changed and the
    packages only the older lock had are kept, with their edges, as removed."""
    old = {package.name: package for package in against.packages} if against is not None else {}
    nodes: list[GraphNode] = []
    for name, package in _first_per_name(lock.packages).items():
        before = old.get(name)
        change = _change(before, package) if against is not None else Change.SAME
        nodes.append(
            GraphNode(
                name,
                package.version,
                package.score,
                _is_direct(package),
                change,
                before.version if before is not None and change is not Change.SAME else None,
            )
        )
    edges = list(lock_edges(lock))
    if against is not None:
        current = {package.name for package in lock.packages}
        gone = {
            name: package
            for name, package in _first_per_name(against.packages).items()
            if name not in current
        }
        for name, package in gone.items():
            nodes.append(GraphNode(name, package.version, package.score, _is_direct(package), Change.REMOVED))
        for edge in lock_edges(against):
            if edge.child in gone and (edge.parent is None or edge.parent in current or edge.parent in gone):
                edges.append(GraphEdge(edge.parent, edge.child, edge.requirement, removed=True))
    return LockGraph(
        tuple(sorted(nodes, key=lambda node: node.name)),
        tuple(sorted(edges, key=_edge_key)),
        compared=against is not None,
    )


def to_dot(graph: LockGraph, *, title: str | None = None) -> str:
    """The graph as Graphviz DOT text: direct dependencies hang from the project and are drawn bold,
    fill colour goes from red (score -1) through white (0) to green (+1), grey when unscored;
    with a comparison, changed packages have a thick blue, green or orange border."""
    lines = ["digraph thoth {"]
    if title is not None:
        lines.append(f"  label={_quote(title)};")
        lines.append("  labelloc=t;")
    lines += [
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#eeeeee"];',
        '  edge [fontname="Helvetica", fontsize=10, color="#555555"];',
    ]
    if any(edge.parent is None for edge in graph.edges):
        lines.append(f'  {_quote(_PROJECT_ID)} [shape=house, fillcolor="#dddddd", label={_quote(PROJECT)}];')
    for node in graph.nodes:
        lines.append(f"  {_quote(node.name)} [{_node_attributes(node, graph.compared)}];")
    for edge in graph.edges:
        attributes = []
        if edge.requirement:
            attributes.append(f"label={_quote(edge.requirement)}")
        if edge.removed:
            attributes.append('style=dashed, color="#999999"')
        parent = _quote(edge.parent if edge.parent is not None else _PROJECT_ID)
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {parent} -> {_quote(edge.child)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(dot: str, *, executable: str = "dot") -> str:
    """The DOT text rendered by Graphviz as SVG; a missing or failing `dot` is a GraphvizError."""
    try:
        result = subprocess.run([executable, "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise GraphvizError(executable, exc.strerror or str(exc)) from None
    if result.returncode != 0:
        reason = result.stderr.strip() or f"exit status {result.returncode}"
        raise GraphvizError(executable, reason)
    return result.stdout


def score_color(score: float | None) -> str:
    """A fill colour for a score in [-1, 1] (clamped): red below 0, white at 0, green above."""
    if score is None:
        return _NO_SCORE
    strength = min(abs(score), 1.0)
    # Light at most, so that the black label stays readable on the strongest colour.
    fade = round(255 - 120 * strength)
    if score > 0:
        return f"#{fade:02x}ff{fade:02x}"
    if score < 0:
        return f"#ff{fade:02x}{fade:02x}"
    return "#ffffff"


_CHANGE_COLOURS = {
    Change.ADDED: "#1f78b4",
    Change.UPGRADED: "#33a02c",
    Change.DOWNGRADED: "#ff7f00",
    Change.CHANGED: "#6a3d9a",
}


def _node_attributes(node: GraphNode, compared: bool) -> str:
    label = [node.name, _version_text(node)]
    if node.score is not None:
        label.append(f"score {node.score:+.2f}")
    if compared and node.change is not Change.SAME:
        label.append(node.change.value)
    attributes = [f"label={_quote(chr(10).join(label))}", f'fillcolor="{score_color(node.score)}"']
    if node.change is Change.REMOVED:
        attributes += ['style="rounded,dashed"', 'color="#999999"', 'fontcolor="#777777"']
    elif node.change in _CHANGE_COLOURS:
        attributes += [f'color="{_CHANGE_COLOURS[node.change]}"', "penwidth=3"]
    if node.direct:
        # Two borders mark a direct dependency whether or not the lock records its requirement.
        attributes.append("peripheries=2")
    return ", ".join(attributes)


def _version_text(node: GraphNode) -> str:
    new = str(node.version) if node.version is not None else "direct reference"
    if node.change in (Change.UPGRADED, Change.DOWNGRADED, Change.CHANGED):
        old = str(node.old_version) if node.old_version is not None else "direct reference"
        return f"{old} -> {new}"
    return new


def _change(before: LockedPackage | None, after: LockedPackage) -> Change:
    if before is None:
        return Change.ADDED
    if before.version is None or after.version is None:
        return Change.SAME if before.version == after.version else Change.CHANGED
    if after.version > before.version:
        return Change.UPGRADED
    if after.version < before.version:
        return Change.DOWNGRADED
    return Change.SAME


def _is_direct(package: LockedPackage) -> bool:
    if package.direct is not None:
        return package.direct
    return any(text.startswith(f"{PROJECT}: ") for text in package.required_by)


def _first_per_name(packages: tuple[LockedPackage, ...]) -> dict[NormalizedName, LockedPackage]:
    # A lock may pin one name twice under exclusive markers; the graph has one node per name.
    first: dict[NormalizedName, LockedPackage] = {}
    for package in packages:
        first.setdefault(package.name, package)
    return first


def _edge_key(edge: GraphEdge) -> tuple[str, str, str]:
    return ("" if edge.parent is None else edge.parent, edge.child, edge.requirement)


def _quote(text: str) -> str:
    """A DOT double-quoted string; a newline becomes DOT's centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
