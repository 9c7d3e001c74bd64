"""PEP 508 for every reader: requirement strings into `ProjectRequirement`s, names checked, markers joined."""

from __future__ import annotations

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import MAIN, Group, ProjectRequirement, normalize

NAME_FIX = "use letters, digits and '-', '_' or '.', starting and ending with a letter or digit"


def parse_requirement(text: str, *, location: Location, group: Group = MAIN) -> ProjectRequirement:
    """Parse one PEP 508 requirement; an invalid one raises ManifestError quoting it.

    What PEP 508 cannot say (index, editable, hashes, pre-releases) the reader sets with
    `dataclasses.replace`, as for `from_requirement`.
    """
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
    return from_requirement(parsed, location=location, group=group)


def from_requirement(parsed: Requirement, *, location: Location, group: Group = MAIN) -> ProjectRequirement:
    """Wrap an already parsed `packaging` requirement, written at `location`."""
    return ProjectRequirement(
        name=normalize(parsed.name),
        display_name=parsed.name,
        specifier=parsed.specifier,
        extras=frozenset(parsed.extras),
        marker=parsed.marker,
        url=parsed.url,
        group=group,
        origin=location,
    )


def valid_name(raw: str, *, what: str, location: Location, fix: str = NAME_FIX) -> NormalizedName:
    """`raw` normalised; a ManifestError "not a valid <what>" quoting it when it is not a valid name."""
    try:
        return canonicalize_name(raw, validate=True)
    except InvalidName:
        raise ManifestError(f"not a valid {what}", location=location, text=repr(raw), fix=fix) from None


def join_markers(*markers: Marker | None) -> Marker | None:
    """All of the given markers at once (None when none is given)."""
    present = [str(m) for m in markers if m is not None]
    if not present:
        return None
    if len(present) == 1:
        return Marker(present[0])
    return Marker(" and ".join(f"({m})" for m in present))
