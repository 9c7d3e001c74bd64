"""`thoth why PACKAGE`: the chains that bring a package into the lock, its score and its justifications."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from thoth_cli.cli.console import Consoles
from thoth_cli.cli.lock_here import lock_here
from thoth_cli.lock.read import read_lock
from thoth_cli.why import Explanation, Link, explain


@click.command("why")
@click.argument("package")
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The lock to read (default: the lock next to the manifest).",
)
@click.pass_obj
def why_command(consoles: Consoles, package: str, lock_path: Path | None) -> None:
    """Say why PACKAGE is in the lock: the chains from the project's direct requirements to it, and
    its score and justifications when the lock records them (pylock.toml written by thoth).

    Reads pylock.toml (its packages' dependencies), requirements.txt (pip-compile's `# via`
    lines) and Pipfile.lock (which records no dependencies). Exits 1 when the lock does not
    pin PACKAGE.
    """
    lock = read_lock(lock_path or lock_here("why", usage="thoth why PACKAGE --lock LOCK"))
    show_explanation(consoles, explain(lock, package))


def show_explanation(consoles: Consoles, explanation: Explanation) -> None:
    out = consoles.out
    package = explanation.package
    version = f" {package.version}" if package.version is not None else " (direct reference)"
    out.print(escape(f"{package.name}{version} in {explanation.lock.path}"))
    if package.groups:
        out.print(escape("  groups: " + ", ".join(sorted(str(group) for group in package.groups))))
    if package.score is not None:
        out.print(escape(f"  score: {package.score:g}"))
    if explanation.direct:
        requirement = explanation.chains[0][0].requirement if explanation.chains else None
        out.print(
            escape("  a direct requirement of the project" + (f" ({requirement})" if requirement else ""))
        )
    chains = [chain for chain in explanation.chains if len(chain) > 1]
    if chains:
        out.print("  required through:")
        for chain in chains:
            out.print(escape("    " + " -> ".join(_link(link) for link in chain)))
        if explanation.more:
            out.print(escape(f"    ... and {explanation.more} more"))
    if explanation.note:
        out.print(escape(f"  {explanation.note}"))
    if package.justifications:
        out.print("  justifications:")
        for justification in package.justifications:
            unit = f" [{justification.unit}]" if justification.unit else ""
            link = f" ({justification.link})" if justification.link else ""
            out.print(escape(f"    {justification.type.value}: {justification.message}{unit}{link}"))


def _link(link: Link) -> str:
    text = link.name if link.version is None else f"{link.name} {link.version}"
    return f"{text} ({link.requirement})" if link.requirement else text
