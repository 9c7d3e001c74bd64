"""A local OSV API for tests: POST /v1/querybatch (with paging) and GET /v1/vulns/{id}, from real records.

    with OsvServer(records=load_records(), affected={("urllib3", "1.26.17"): ["PYSEC-2023-212"]}) as osv:
        api = OsvApi(client, base_url=osv.url)

`affected` says which records the server lists for a (name, version) query, as the real
service would: the test states it, so no OSV matching runs in the fixture. A query without a
version lists every record naming the package (in a PyPI `affected` entry), as the service does. `page_size`
splits a query's answer into pages joined by `next_page_token`; `fail(path, status, times)`
answers the next requests to a path with an error; `requests` logs what was asked.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from packaging.utils import canonicalize_name

DATA = Path(__file__).parent / "osv_api_data"
"""Real OSV records (PyPA advisory database and GitHub advisories) as the OSV API serves them."""


def load_records(*ids: str) -> dict[str, dict[str, Any]]:
    """The stored records by id: those named, or all of them."""
    wanted = ids or tuple(path.stem for path in sorted(DATA.glob("*.json")))
    return {record_id: json.loads((DATA / f"{record_id}.json").read_text("utf-8")) for record_id in wanted}


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it; `body` is the decoded JSON of a POST."""

    method: str
    path: str
    body: Any = None


@dataclass
class _Fault:
    path: str
    status: int
    times: int
    retry_after: int | None


@dataclass
class OsvServer:
    """The fake service; a context manager that starts and stops it on 127.0.0.1."""

    records: dict[str, dict[str, Any]]
    affected: Mapping[tuple[str, str], list[str]] = field(default_factory=dict)
    page_size: int = 1000
    repeat_tokens: bool = False
    """Hand out the first page token again and again, as a broken service might."""
    requests: list[Recorded] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _faults: list[_Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not running"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def fail(self, path: str, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` requests to `path` with `status` (and a Retry-After header when given)."""
        with self._lock:
            self._faults.append(_Fault(path, status, times, retry_after))

    def requests_to(self, path: str) -> list[Recorded]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def queried(self) -> list[tuple[str, str | None, str | None]]:
        """Every (name, version, page_token) the querybatch requests asked about, in order
        (version None: a query for the whole package)."""
        found = []
        for request in self.requests_to("/v1/querybatch"):
            for query in request.body["queries"]:
                found.append((query["package"]["name"], query.get("version"), query.get("page_token")))
        return found

    def __enter__(self) -> OsvServer:
        server = _HTTPServer(self)
        self._httpd = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._thread.join()
        self._httpd.server_close()
        if exc is None and self.errors:
            raise self.errors[0]

    # Answers

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        decoded: Any = json.loads(body) if body else None
        with self._lock:
            self.requests.append(Recorded(method, path, decoded))
            for fault in self._faults:
                if fault.path == path and fault.times > 0:
                    fault.times -= 1
                    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                    return fault.status, {"code": 13, "message": "injected failure"}, headers
        if method == "POST" and path == "/v1/querybatch":
            return 200, {"results": [self._query(query) for query in decoded["queries"]]}, {}
        if method == "GET" and path.startswith("/v1/vulns/"):
            record = self.records.get(path.removeprefix("/v1/vulns/"))
            if record is None:
                return 404, {"code": 5, "message": "Bug not found."}, {}
            return 200, record, {}
        return 404, {"code": 5, "message": "Not Found"}, {}

    def _query(self, query: Mapping[str, Any]) -> dict[str, Any]:
        package = query["package"]
        assert package["ecosystem"] == "PyPI", package
        if "version" in query:
            ids = self.affected.get((package["name"], query["version"]), [])
        else:
            ids = self._naming(package["name"])
        start = int(query.get("page_token") or 0)
        page = ids[start : start + self.page_size]
        if not page:
            # The service answers a query without vulnerabilities with an empty object.
            return {}
        # A listed id the server has no record of (a test of that case) is listed without `modified`.
        vulns = [
            {"id": i, **({"modified": self.records[i]["modified"]} if i in self.records else {})}
            for i in page
        ]
        result: dict[str, Any] = {"vulns": vulns}
        if start + self.page_size < len(ids) or self.repeat_tokens:
            result["next_page_token"] = str(self.page_size if self.repeat_tokens else start + self.page_size)
        return result

    def _naming(self, name: str) -> list[str]:
        wanted = canonicalize_name(name)
        return sorted(
            record_id
            for record_id, record in self.records.items()
            if any(
                entry.get("package", {}).get("ecosystem") == "PyPI"
                and canonicalize_name(entry["package"]["name"]) == wanted
                for entry in record.get("affected", [])
            )
        )


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def _respond(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload, headers = self.server.osv.answer(method, self.path, self.rfile.read(length))
        except Exception as exc:
            self.server.osv.errors.append(exc)
            status, payload, headers = 500, {"code": 13, "message": f"fixture error: {exc}"}, {}
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, osv: OsvServer) -> None:
        self.osv = osv
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS, which tests must not do.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]
