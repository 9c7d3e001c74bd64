"""Failures a test can inject into the index server, and the rules that say which requests get them."""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase


class FaultKind(str, Enum):
    STATUS = "status"
    SLOW = "slow"
    RESET = "reset"
    TRUNCATE = "truncate"
    WRONG_HASH = "wrong_hash"


@dataclass(frozen=True)
class Fault:
    """One way for a request to go wrong; build them with the class methods."""

    kind: FaultKind
    code: int = 0
    seconds: float = 0.0
    keep: int = 0
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def status(cls, code: int, *, headers: dict[str, str] | None = None) -> Fault:
        """Answer with this status (and headers, e.g. Retry-After) instead of the real answer."""
        if not 100 <= code <= 599:
            raise ValueError(f"not an HTTP status code: {code}")
        return cls(FaultKind.STATUS, code=code, headers=tuple((headers or {}).items()))

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait this long before answering normally."""
        if seconds < 0:
            raise ValueError(f"a delay cannot be negative: {seconds}")
        return cls(FaultKind.SLOW, seconds=seconds)

    @classmethod
    def reset(cls) -> Fault:
        """Drop the connection (TCP reset) without answering."""
        return cls(FaultKind.RESET)

    @classmethod
    def truncate(cls, keep: int) -> Fault:
        """Announce the full Content-Length, send only the first `keep` bytes of the body, then close."""
        if keep < 0:
            raise ValueError(f"cannot keep a negative number of bytes: {keep}")
        return cls(FaultKind.TRUNCATE, keep=keep)

    @classmethod
    def wrong_hash(cls) -> Fault:
        """Serve a body that differs from what the page's hashes describe (still a valid archive)."""
        return cls(FaultKind.WRONG_HASH)


class FaultRule:
    """A fault bound to the requests whose path matches a glob, for a number of times (None: always)."""

    def __init__(self, fault: Fault, path: str, times: int | None, method: str | None) -> None:
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None for always): {times}")
        self.fault = fault
        self.path = path
        self.method = method.upper() if method else None
        self.remaining = times
        self.hits = 0
        """How many requests this rule has hit so far."""

    def matches(self, method: str, path: str) -> bool:
        if self.remaining == 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return fnmatchcase(path, self.path)

    def __repr__(self) -> str:
        return f"FaultRule({self.fault!r}, path={self.path!r}, remaining={self.remaining}, hits={self.hits})"


class FaultBook:
    """The active rules of one server; the first rule that matches a request applies to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, counting it against its rule."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.fault
        return None


def tampered(filename: str, data: bytes) -> bytes:
    """Different bytes that a client still reads the same way, so only a hash check can tell.

    Wheels get a zip comment, sdists an extra empty gzip member; anything else (a page, a
    .metadata file) an extra newline.
    """
    if filename.endswith((".whl", ".zip")):
        buffer = io.BytesIO(data)
        try:
            with zipfile.ZipFile(buffer, "a") as archive:
                archive.comment += b" tampered"
        except zipfile.BadZipFile:
            return data + b"\n"
        return buffer.getvalue()
    if filename.endswith((".tar.gz", ".tgz")):
        return data + gzip.compress(b"", mtime=0)
    return data + b"\n"
