"""PEP 691 content negotiation: which page format an `Accept` header gets, q-values honoured."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# PEP 691: `latest` means the newest version the server has, which here is always v1.
_ALIASES = {
    "application/vnd.pypi.simple.latest+json": "application/vnd.pypi.simple.v1+json",
    "application/vnd.pypi.simple.latest+html": "application/vnd.pypi.simple.v1+html",
}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    media_type: str
    """`type/subtype`, lower case; may be `type/*` or `*/*`."""
    q: float
    position: int

    def specificity(self, offer: str) -> int | None:
        """How closely this range names `offer` (2 exact, 1 `type/*`, 0 `*/*`), None if not at all."""
        if self.media_type == offer:
            return 2
        kind, _, subtype = self.media_type.partition("/")
        if subtype == "*" and kind == "*":
            return 0
        if subtype == "*" and offer.startswith(kind + "/"):
            return 1
        return None


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The ranges of an Accept header; an absent or empty header accepts anything (RFC 9110)."""
    if header is None or not header.strip():
        return (MediaRange("*/*", 1.0, 0),)
    ranges = []
    for position, item in enumerate(header.split(",")):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        if "/" not in media_type:
            continue
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        media_type = media_type.lower()
        ranges.append(MediaRange(_ALIASES.get(media_type, media_type), q, position))
    return tuple(ranges)


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or None (406) when it accepts none of them.

    The most specific matching range sets an offer's q; ties go to the more specific
    match, then to the range the client listed first, then to the order of `offers`.
    """
    ranges = parse_accept(header)
    best: tuple[tuple[float, int, int, int], str] | None = None
    for rank, offer in enumerate(offers):
        matches = [(r.specificity(offer), r) for r in ranges]
        scored = [(specificity, r) for specificity, r in matches if specificity is not None]
        if not scored:
            continue
        specificity, chosen = max(scored, key=lambda item: (item[0], -item[1].position))
        if chosen.q <= 0:
            continue
        key = (chosen.q, specificity, -chosen.position, -rank)
        if best is None or key > best[0]:
            best = (key, offer)
    return best[1] if best else None


def from_format_parameter(value: str, offers: Sequence[str]) -> str | None:
    """PEP 691's optional `?format=` override: the named type if offered."""
    media_type = _ALIASES.get(value.strip().lower(), value.strip().lower())
    return media_type if media_type in offers else None
