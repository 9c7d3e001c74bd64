"""Turning PEP 508 requirement strings into `ProjectRequirement`s, with located errors."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import MAIN, Group, ProjectRequirement, normalize


def parse_requirement(
    text: str,
    *,
    location: Location,
    group: Group = MAIN,
    index: str | None = None,
    allow_prereleases: bool = False,
    editable: bool = False,
    hashes: tuple[str, ...] = (),
) -> ProjectRequirement:
    """Parse one PEP 508 requirement; an invalid one raises ManifestError quoting it."""
    try:
        parsed = Requirement(text)
    except InvalidRequirement as exc:
        detail = str(exc).splitlines()[0].strip().rstrip(".")
        raise ManifestError(
            f"invalid requirement ({detail[0].lower() + detail[1:] if detail else 'syntax'})",
            location=location,
            text=repr(text),
            fix="write it as PEP 508 describes, e.g. 'requests>=2.31,<3' or "
            "'name @ https://host/name-1.0.tar.gz'",
        ) from None
    return from_requirement(
        parsed,
        location=location,
        group=group,
        index=index,
        allow_prereleases=allow_prereleases,
        editable=editable,
        hashes=hashes,
    )


def from_requirement(
    parsed: Requirement,
    *,
    location: Location,
    group: Group = MAIN,
    index: str | None = None,
    allow_prereleases: bool = False,
    editable: bool = False,
    hashes: tuple[str, ...] = (),
) -> ProjectRequirement:
    """Wrap an already parsed `packaging` requirement."""
    return ProjectRequirement(
        name=normalize(parsed.name),
        display_name=parsed.name,
        specifier=parsed.specifier,
        extras=frozenset(parsed.extras),
        marker=parsed.marker,
        url=parsed.url,
        editable=editable,
        index=index,
        group=group,
        allow_prereleases=allow_prereleases,
        hashes=hashes,
        origin=location,
    )
