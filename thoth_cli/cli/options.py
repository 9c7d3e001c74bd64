"""Parsing option values shared by several commands (dates, durations, NAME=VALUE pairs)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import click
from packaging.utils import NormalizedName, canonicalize_name

_DURATION = re.compile(
    r"^\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE
)
_ISO_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_cutoff(text: str, *, now: datetime, option: str = "--exclude-newer") -> datetime:
    """A date (`2024-05-01`), a timestamp (`2024-05-01T12:00:00Z`) or a duration back from now
    (`7d`, `2 weeks`, `P7D`), as an aware UTC datetime."""
    value = text.strip()
    match = _DURATION.match(value)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2)[0].lower()]
        return now - timedelta(seconds=seconds)
    iso = _ISO_DURATION.match(value)
    if iso and value.upper() not in ("P", "PT"):
        weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in iso.groups())
        return now - timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is neither a date (2024-05-01), a timestamp (2024-05-01T12:00:00Z) "
            "nor a duration (7d, 2 weeks, P7D)",
            param_hint=option,
        ) from None
    if parsed.tzinfo is None:
        # As uv: a bare date admits what was uploaded before that day began; in UTC, not the
        # local zone, so that the same flag gives the same lock on every machine.
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_package_values(values: tuple[str, ...], option: str) -> list[tuple[NormalizedName, str]]:
    """`NAME=VALUE` pairs, names normalised."""
    pairs: list[tuple[NormalizedName, str]] = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=option)
        pairs.append((canonicalize_name(name.strip()), value.strip()))
    return pairs
