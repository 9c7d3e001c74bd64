"""`thoth graph`: a lock's dependency graph as Graphviz DOT on stdout or in a file, or as SVG."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from thoth_cli.cli.console import Consoles
from thoth_cli.cli.lock_here import lock_here
from thoth_cli.graph import GraphvizError, lock_graph, to_dot, to_svg
from thoth_cli.lock.atomic import write_atomic
from thoth_cli.lock.read import read_lock


@click.command("graph")
@click.argument(
    "lock_path", metavar="[LOCK]", required=False, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the graph to FILE instead of stdout: SVG when FILE ends in .svg (needs Graphviz's "
    "dot), DOT otherwise.",
)
@click.option(
    "--against",
    "old_lock_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="OLD_LOCK",
    help="Highlight what changed since OLD_LOCK: added, upgraded, downgraded and removed packages.",
)
@click.pass_obj
def graph_command(
    consoles: Consoles, lock_path: Path | None, output: Path | None, old_lock_path: Path | None
) -> None:
    """Draw the dependency graph of LOCK (default: the lock next to the manifest) for Graphviz.

    Each package is labelled with its version and filled by its score, red (-1) through
    white (0) to green (+1), grey when the lock records none; direct dependencies have a
    double border and hang from the project; edges carry the requirement that pulled a
    package in, when the lock records it (a pylock.toml written by thoth does).

    Render DOT yourself with: dot -Tpng graph.dot -o graph.png
    """
    lock = read_lock(lock_path or lock_here("graph", purpose="to draw"))
    against = read_lock(old_lock_path) if old_lock_path is not None else None
    title = f"{lock.path.name} against {against.path.name}" if against is not None else lock.path.name
    dot = to_dot(lock_graph(lock, against), title=title)
    if output is None:
        # Written as is: rich must neither wrap the DOT text nor read its brackets as markup.
        consoles.out.out(dot, end="", highlight=False)
        return
    if output.suffix.lower() == ".svg":
        executable = shutil.which("dot")
        if executable is None:
            raise GraphvizError("dot", "Graphviz's dot is not on PATH")
        write_atomic(output, to_svg(dot, executable=executable))
    else:
        write_atomic(output, dot)
    count = len({package.name for package in lock.packages})
    consoles.info(f"wrote {output} ({count} {'package' if count == 1 else 'packages'})")
