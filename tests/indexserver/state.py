"""What the server's request threads share: options, catalogues, faults, the request log and page clocks."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar, overload

from tests.indexserver.catalogue import Catalogue
from tests.indexserver.faults import FaultBook

FileUrls = Literal["absolute", "relative"]
_T = TypeVar("_T")


@dataclass(frozen=True)
class ServerOptions:
    """How the server behaves; `IndexServer.options(...)` swaps them while it runs."""

    json: bool = True
    """Offer PEP 691 JSON pages."""
    html: bool = True
    """Offer PEP 503 HTML pages."""
    range_requests: bool = True
    """Honour `Range` with 206 and announce `Accept-Ranges: bytes`; when off, send 200 and the whole file."""
    cache_headers: bool = True
    """Send caching headers and answer conditional requests with 304; off, like a proxy that strips them."""
    etag: bool = True
    """Within `cache_headers`: send ETag and honour If-None-Match."""
    last_modified: bool = True
    """Within `cache_headers`: send Last-Modified and honour If-Modified-Since."""
    file_urls: FileUrls = "absolute"
    """Pages link files by full URL (as PyPI does) or relative to the page (`../../files/...`)."""
    auth: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Index name -> (user, password) that index requires as Basic auth (401 otherwise)."""
    page_max_age: int = 600

    def __post_init__(self) -> None:
        if not (self.json or self.html):
            raise ValueError("an index must offer JSON or HTML pages (or both)")
        if self.file_urls not in ("absolute", "relative"):
            raise ValueError(f"file_urls must be 'absolute' or 'relative', not {self.file_urls!r}")


class Headers(dict[str, str]):
    """Request headers with lower-case keys; lookups ignore case (`headers["Range"]` works)."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    @overload
    def get(self, key: str, default: None = None, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...
    @overload
    def get(self, key: str, default: _T, /) -> str | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class RequestRecord:
    """One request the server answered, for asserting what a client did."""

    method: str
    path: str
    """As requested, query string included."""
    headers: Headers
    status: int
    """The status sent; 0 when the connection was reset without an answer."""
    fault: str | None = None
    """The injected fault's kind, if one applied."""


class PageClock:
    """ETag and Last-Modified per page representation; both change exactly when the body does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[tuple[str, ...], tuple[str, int]] = {}

    def stamp(self, key: tuple[str, ...], body: bytes) -> tuple[str, int]:
        """The page's ETag and its Last-Modified (whole seconds since the epoch)."""
        etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        with self._lock:
            known = self._pages.get(key)
            if known is not None and known[0] == etag:
                return known
            now = int(time.time())
            # HTTP dates have whole seconds: a change within the same second must still look newer.
            modified = now if known is None else max(now, known[1] + 1)
            self._pages[key] = (etag, modified)
            return etag, modified


class ServerState:
    """Everything request threads read and write, each part behind its own lock."""

    def __init__(self, catalogues: Mapping[str, Catalogue], options: ServerOptions) -> None:
        self.catalogues = dict(catalogues)
        self.options = options
        """Replaced whole (never mutated), so a request reads one consistent set."""
        self.faults = FaultBook()
        self.clock = PageClock()
        self.stopping = threading.Event()
        self.base_url = ""
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._connections: set[socket.socket] = set()
        self._errors: list[BaseException] = []
        self._answering = 0
        self._answered = threading.Condition(self._lock)

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._lock:
            self._records.clear()

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Marks a request being answered: stopping lets it finish before shutting connections."""
        with self._lock:
            self._answering += 1
        try:
            yield
        finally:
            with self._lock:
                self._answering -= 1
                self._answered.notify_all()

    def wait_answered(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until no request is being answered."""
        with self._lock:
            self._answered.wait_for(lambda: self._answering == 0, timeout=timeout)

    def open_connections(self) -> list[socket.socket]:
        with self._lock:
            return list(self._connections)

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def errors(self) -> list[BaseException]:
        with self._lock:
            return list(self._errors)
