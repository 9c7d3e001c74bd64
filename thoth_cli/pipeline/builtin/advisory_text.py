"""How the built-in units word a known vulnerability, so every report says it the same way."""

from __future__ import annotations

import dataclasses

from packaging.version import Version

from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.pipeline.units import Unit
from thoth_cli.stack import Justification, JustificationType, Stack


def fixed_in(advisory: Advisory) -> str:
    """`fixed in 1.2.4, 2.0.1`, or that no release fixes it yet."""
    if not advisory.fixed:
        return "no fixed release yet"
    return "fixed in " + ", ".join(str(version) for version in sorted(advisory.fixed))


def names(advisory: Advisory) -> str:
    """The advisory's id, with the ids it is also known by: `PYSEC-2023-1 (CVE-2023-1)`."""
    if not advisory.aliases:
        return advisory.id
    return f"{advisory.id} ({', '.join(advisory.aliases)})"


def vulnerability(advisory: Advisory) -> str:
    """One advisory in full: ids, summary and fix."""
    text = f"known vulnerability {names(advisory)}"
    if advisory.summary:
        text += f": {advisory.summary.rstrip().rstrip('.;,:')}"
    return f"{text}; {fixed_in(advisory)}"


def pinned_vulnerability(display_name: str, version: Version, advisory: Advisory) -> str:
    """One advisory of one pin of a stack, naming the package and version."""
    return f"{display_name} {version} has a {vulnerability(advisory)}"


def stack_warnings(unit: Unit, stack: Stack) -> tuple[Justification, ...]:
    """A WARNING signed by `unit` for each known vulnerability of each pin of `stack`."""
    warnings: list[Justification] = []
    for pin in stack:
        for advisory in unit.context.advisories.advisories_for(pin.name, pin.version):
            message = pinned_vulnerability(pin.display_name, pin.version, advisory)
            warning = unit.justification(JustificationType.WARNING, message, link=advisory.url)
            # Stack-level, yet about one pin: the fields let reports file it under the package.
            warnings.append(dataclasses.replace(warning, package=pin.display_name, version=str(pin.version)))
    return tuple(warnings)
