"""HTTP freshness rules (RFC 9111) for cached index pages: may a stored copy be used unasked?"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timezone
from email.utils import parsedate_to_datetime


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """Cache-Control directives, lower-cased, each with its argument (unquoted) or None.

    Commas inside quoted arguments (`no-cache="a, b"`) do not split directives.
    """
    directives: dict[str, str | None] = {}
    if not value:
        return directives
    for part in _split_outside_quotes(value):
        name, sep, argument = part.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if not sep:
            directives.setdefault(name, None)
            continue
        argument = argument.strip()
        if len(argument) >= 2 and argument[0] == argument[-1] == '"':
            argument = argument[1:-1]
        directives.setdefault(name, argument)
    return directives


def _split_outside_quotes(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def is_storable(headers: Mapping[str, str]) -> bool:
    """Whether a response may be stored at all (`no-store` forbids it)."""
    return "no-store" not in parse_cache_control(headers.get("cache-control"))


def freshness_lifetime(headers: Mapping[str, str], default_ttl: float) -> float:
    """Seconds a stored response stays fresh.

    `no-cache` means zero (always revalidate); then `max-age`; then `Expires` minus `Date`.
    A response that says nothing about freshness (proxies often strip the headers) gets
    `default_ttl`, so an index behind such a proxy is not asked again for every package.
    """
    directives = parse_cache_control(headers.get("cache-control"))
    if "no-cache" in directives:
        return 0.0
    if "max-age" in directives:
        return _seconds(directives["max-age"])
    expires = headers.get("expires")
    if expires is not None:
        expires_at = _http_date(expires)
        if expires_at is None:
            # RFC 9111 5.3: an invalid Expires (often "0") means already expired.
            return 0.0
        date = _http_date(headers.get("date", ""))
        if date is None:
            return 0.0
        return max(0.0, expires_at - date)
    return default_ttl


def current_age(headers: Mapping[str, str], stored_at: float, now: float) -> float:
    """Seconds since the origin produced the response: the `Age` it arrived with plus time stored."""
    initial = _seconds(headers.get("age")) if "age" in headers else 0.0
    return initial + max(0.0, now - stored_at)


def is_fresh(headers: Mapping[str, str], stored_at: float, now: float, default_ttl: float) -> bool:
    """Whether a response stored at `stored_at` may be served at `now` without asking the server."""
    return current_age(headers, stored_at, now) < freshness_lifetime(headers, default_ttl)


def _seconds(value: str | None) -> float:
    # RFC 9111 1.2.2: a delta-seconds that is not a non-negative integer makes the response stale.
    if value is None or not value.strip().isdigit():
        return 0.0
    return float(int(value.strip()))


def _http_date(value: str) -> float | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        # HTTP dates are in GMT; a zone-less one must not be read as local time.
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
