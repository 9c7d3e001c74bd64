"""Answering one HTTP request of the test index: routing, negotiation, caching, ranges and faults."""

from __future__ import annotations

import base64
import binascii
import hmac
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, unquote, urlsplit

from packaging.utils import canonicalize_name

from tests.indexserver import pages
from tests.indexserver.catalogue import Catalogue, IndexFile
from tests.indexserver.faults import Fault, FaultKind, tampered
from tests.indexserver.negotiation import from_format_parameter, negotiate
from tests.indexserver.ranges import Unsatisfiable, parse_range
from tests.indexserver.state import Headers, RequestRecord, ServerOptions, ServerState

if TYPE_CHECKING:
    from tests.indexserver.httpd import IndexHTTPServer

FILE_CACHE_CONTROL = "max-age=365000000, immutable, public"
"""What PyPI's file host sends: a file's bytes never change under its name."""


PageRenderer = Callable[[str], bytes]
"""Renders a page in the negotiated media type."""


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    has_length: bool = True
    """False for 304s: no body and no Content-Length."""


class IndexRequestHandler(BaseHTTPRequestHandler):
    """Serves /<index>/simple/..., /<index>/files/<file> and /<index>/files/<file>.metadata."""

    protocol_version = "HTTP/1.1"
    server_version = "thoth-test-index/1.0"
    # Long enough for any test; short enough that a forgotten connection cannot hang the session.
    timeout = 60
    server: IndexHTTPServer
    _wrong_hash = False

    @property
    def state(self) -> ServerState:
        return self.server.state

    def log_message(self, format: str, *args: object) -> None:
        """Silent: tests read `server.requests` instead."""

    def do_GET(self) -> None:
        with self.state.answering():
            self._serve(head=False)

    def do_HEAD(self) -> None:
        with self.state.answering():
            self._serve(head=True)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed requests and unsupported methods land here; answer without closing keep-alive.
        body = f"{code} {message or HTTPStatus(code).phrase}\n".encode()
        self._record(code, None)
        self._send(
            _Answer(code, (("Content-Type", "text/plain; charset=utf-8"),), body), head=self.command == "HEAD"
        )

    def _serve(self, *, head: bool) -> None:
        options = self.state.options
        path = urlsplit(self.path).path
        fault = self.state.faults.take(self.command, path)
        self._wrong_hash = fault is not None and fault.kind is FaultKind.WRONG_HASH
        if fault is not None and fault.kind is FaultKind.SLOW:
            self.state.stopping.wait(fault.seconds)
        if fault is not None and fault.kind is FaultKind.RESET:
            self._record(0, fault)
            self._reset()
            return
        if fault is not None and fault.kind is FaultKind.STATUS:
            headers = (("Content-Type", "text/plain; charset=utf-8"), *fault.headers)
            answer = _Answer(fault.code, headers, f"{fault.code} {_phrase(fault.code)}\n".encode())
        else:
            answer = self._route(path, options)
        # Recorded before answering, so a test that got its answer always finds the record.
        self._record(answer.status, fault)
        self._send(answer, head=head, fault=fault)

    def _route(self, path: str, options: ServerOptions) -> _Answer:
        parts = path.split("/")
        # "/pypi/simple/requests/" -> ["", "pypi", "simple", "requests", ""]
        if len(parts) < 3 or parts[1] not in self.state.catalogues:
            return _not_found()
        index, area = parts[1], parts[2]
        denied = self._check_auth(index, options)
        if denied is not None:
            return denied
        catalogue = self.state.catalogues[index]
        if area == "simple":
            return self._simple(index, catalogue, parts[3:], options)
        if area == "files" and len(parts) == 4 and parts[3]:
            return self._file(catalogue, unquote(parts[3]), options)
        return _not_found()

    def _check_auth(self, index: str, options: ServerOptions) -> _Answer | None:
        expected = options.auth.get(index)
        if expected is None:
            return None
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        try:
            given = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            given = ""
        if scheme.lower() == "basic" and hmac.compare_digest(given, f"{expected[0]}:{expected[1]}"):
            return None
        headers = (
            ("WWW-Authenticate", f'Basic realm="{index}"'),
            ("Content-Type", "text/plain; charset=utf-8"),
        )
        return _Answer(401, headers, b"401 Unauthorized\n")

    def _simple(self, index: str, catalogue: Catalogue, rest: list[str], options: ServerOptions) -> _Answer:
        query = urlsplit(self.path).query
        suffix = f"?{query}" if query else ""
        if not rest:
            return _redirect(f"/{index}/simple/{suffix}")
        if rest == [""]:
            return self._page(("root", index), options, lambda offer: self._root(catalogue, index, offer))
        name = unquote(rest[0])
        normalized = canonicalize_name(name)
        if name != normalized or rest[1:] != [""]:
            if len(rest) > 2 or (len(rest) == 2 and rest[1]):
                return _not_found()
            return _redirect(f"/{index}/simple/{quote(normalized)}/{suffix}")
        listing = catalogue.project(normalized)
        if listing is None:
            return _not_found()

        def body(offer: str) -> bytes:
            file_url = self._file_url_maker(index, options)
            if offer == pages.JSON_TYPE:
                return pages.project_json(listing, file_url)
            return pages.project_html(listing, file_url)

        return self._page(("project", index, normalized), options, body)

    def _root(self, catalogue: Catalogue, index: str, offer: str) -> bytes:
        projects = catalogue.projects()
        if offer == pages.JSON_TYPE:
            return pages.root_json(projects)
        return pages.root_html(projects, lambda name: f"/{index}/simple/{quote(name)}/")

    def _file_url_maker(self, index: str, options: ServerOptions) -> pages.UrlFor:
        if options.file_urls == "relative":
            return lambda filename: f"../../files/{quote(filename)}"
        base = self.state.base_url
        return lambda filename: f"{base}/{index}/files/{quote(filename)}"

    def _page(self, key: tuple[str, ...], options: ServerOptions, render: PageRenderer) -> _Answer:
        offers = [pages.TEXT_HTML, pages.HTML_TYPE] if options.html else []
        if options.json:
            offers.append(pages.JSON_TYPE)
        requested = parse_qs(urlsplit(self.path).query).get("format")
        if requested:
            offer = from_format_parameter(requested[0], offers)
        else:
            offer = negotiate(self.headers.get("Accept"), offers)
        if offer is None:
            body = ("406 Not Acceptable; this index offers: " + ", ".join(offers) + "\n").encode()
            return _Answer(406, (("Content-Type", "text/plain; charset=utf-8"),), body)
        body = render(offer)
        content_type = f"{offer}; charset=utf-8" if offer == pages.TEXT_HTML else offer
        headers: list[tuple[str, str]] = [("Content-Type", content_type), ("Vary", "Accept")]
        if options.cache_headers:
            etag, modified = self.state.clock.stamp((*key, offer), body)
            headers.extend(_validators(options, etag, modified, f"max-age={options.page_max_age}, public"))
            if self._not_modified(options, etag, modified):
                return _Answer(304, tuple(headers[1:]), has_length=False)
        return _Answer(200, tuple(headers), tampered("page", body) if self._wrong_hash else body)

    def _file(self, catalogue: Catalogue, filename: str, options: ServerOptions) -> _Answer:
        file = catalogue.file(filename)
        if file is not None:
            return self._bytes(file.data, file.sha256, file, options)
        if filename.endswith(".metadata"):
            file = catalogue.file(filename.removesuffix(".metadata"))
            if file is not None and file.metadata is not None and file.metadata_sha256 is not None:
                return self._bytes(file.metadata, file.metadata_sha256, file, options, filename)
        return _not_found()

    def _bytes(
        self, data: bytes, sha256: str, file: IndexFile, options: ServerOptions, filename: str | None = None
    ) -> _Answer:
        headers: list[tuple[str, str]] = [("Content-Type", "application/octet-stream")]
        if options.range_requests:
            headers.append(("Accept-Ranges", "bytes"))
        if options.cache_headers:
            modified = int(datetime.fromisoformat(file.upload_time[:-1] + "+00:00").timestamp())
            headers.extend(_validators(options, f'"{sha256}"', modified, FILE_CACHE_CONTROL))
            if self._not_modified(options, f'"{sha256}"', modified):
                return _Answer(304, tuple(headers[1:]), has_length=False)
        if self._wrong_hash:
            # Before any range is cut: the served file is the tampered one, consistently.
            data = tampered(filename or file.filename, data)
        wanted = self.headers.get("Range")
        if options.range_requests and wanted is not None:
            try:
                byte_range = parse_range(wanted, len(data))
            except Unsatisfiable:
                headers.append(("Content-Range", f"bytes */{len(data)}"))
                return _Answer(416, tuple(headers))
            if byte_range is not None:
                headers.append(("Content-Range", byte_range.content_range(len(data))))
                return _Answer(206, tuple(headers), data[byte_range.start : byte_range.end + 1])
        return _Answer(200, tuple(headers), data)

    def _not_modified(self, options: ServerOptions, etag: str, modified: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if options.etag and if_none_match is not None:
            # Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for GET.
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if options.last_modified and if_modified_since is not None:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return modified <= since
        return False

    def _send(self, answer: _Answer, *, head: bool, fault: Fault | None = None) -> None:
        body = answer.body
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.has_length:
            self.send_header("Content-Length", str(len(body)))
        truncate = fault is not None and fault.kind is FaultKind.TRUNCATE and not head
        if truncate:
            # No "Connection: close": the client must notice the short body by its Content-Length.
            self.close_connection = True
        self.end_headers()
        if head:
            return
        self.wfile.write(body[: fault.keep] if truncate and fault is not None else body)

    def _record(self, status: int, fault: Fault | None) -> None:
        headers = Headers()
        # A request that failed to parse may have no headers yet.
        received = getattr(self, "headers", None)
        for name, value in received.items() if received is not None else ():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.state.record(
            RequestRecord(
                method=self.command or "",
                path=getattr(self, "path", ""),
                headers=headers,
                status=int(status),
                fault=fault.kind.value if fault else None,
            )
        )

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees a reset, not a tidy end of stream.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _validators(options: ServerOptions, etag: str, modified: int, control: str) -> list[tuple[str, str]]:
    headers = [("Cache-Control", control)]
    if options.etag:
        headers.append(("ETag", etag))
    if options.last_modified:
        headers.append(("Last-Modified", formatdate(modified, usegmt=True)))
    return headers


def _not_found() -> _Answer:
    return _Answer(404, (("Content-Type", "text/plain; charset=utf-8"),), b"404 Not Found\n")


def _redirect(location: str) -> _Answer:
    headers = (("Location", location), ("Content-Type", "text/plain; charset=utf-8"))
    return _Answer(301, headers, f"Moved to {location}\n".encode())


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Status"
