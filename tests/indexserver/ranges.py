"""Reading a `Range: bytes=...` header against a body of known size (RFC 9110, single ranges only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ByteRange:
    """An inclusive byte range within a body."""

    start: int
    end: int

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    """The range lies outside the body: the answer is 416."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """The range asked for, or None when the header is to be ignored (then the whole body is sent).

    Multi-range requests are ignored too, which RFC 9110 allows and some real servers do.
    """
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == "") or first == last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(header)
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise Unsatisfiable(header)
    return ByteRange(start, min(end, size - 1))
