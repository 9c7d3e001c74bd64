"""Tests for the HTTP layer against the hermetic test index: caching, retries, hashes, credentials, ranges."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.indexserver import Fault, IndexServer, IndexServerFactory, RequestRecord
from tests.indexserver.faults import tampered
from thoth_cli.index.cache import Cache
from thoth_cli.index.errors import (
    DownloadTooLargeError,
    HashMismatchError,
    IndexAuthError,
    IndexUnavailableError,
    OfflineMissError,
)
from thoth_cli.index.http import HttpClient, HttpSettings, RangeResponse

UNIVERSE = "requests 2.31.0: urllib3>=1.21\nurllib3 1.26.18 2.0.7"
JSON = "application/vnd.pypi.simple.v1+json"
HTML = "text/html"
WHEEL = "urllib3-2.0.7-py3-none-any.whl"
PAGE_PATH = "/pypi/simple/urllib3/"
FILE_PATH = f"/pypi/files/{WHEEL}"
UNAVAILABLE_FIX = (
    "\n  fix: check the network connection and the index URL, or pass --offline to use only cached data"
)
# Tiny pauses between attempts: the tests check what is retried, not how long it waits.
FAST = HttpSettings(timeout=5.0, retries=3, backoff=0.001, backoff_cap=0.001)


class Clock:
    """A clock the test moves by hand, so freshness never depends on how fast the test runs."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Clients:
    """Makes the test's clients and closes them after it; knows how many requests they sent."""

    def __init__(self, cache: Cache, clock: Clock) -> None:
        self.cache = cache
        self.clock = clock
        self.made: list[HttpClient] = []

    def __call__(self, settings: HttpSettings = FAST, *, cached: bool = True, **extra: Any) -> HttpClient:
        store = self.cache if cached else None
        client = HttpClient(settings, store, clock=self.clock, **extra)
        self.made.append(client)
        return client

    @property
    def sent(self) -> int:
        return sum(client.stats.requests for client in self.made)

    def close(self) -> None:
        for client in self.made:
            client.close()


class Recorded:
    """The test index, whose request log is read only once it holds every request the clients sent.

    The server logs a request just after answering it, so a client can hold the answer a
    moment before the log holds the request.
    """

    def __init__(self, server: IndexServer, clients: Clients) -> None:
        self._server = server
        self._clients = clients

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)

    @property
    def requests(self) -> list[RequestRecord]:
        self._settle()
        return self._server.requests

    def requests_to(self, path: str, *, method: str | None = None) -> list[RequestRecord]:
        self._settle()
        return self._server.requests_to(path, method=method)

    def _settle(self) -> None:
        deadline = time.monotonic() + 10.0
        while len(self._server.requests) < self._clients.sent and time.monotonic() < deadline:
            time.sleep(0.002)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(cache: Cache, clock: Clock) -> Iterator[Clients]:
    clients = Clients(cache, clock)
    yield clients
    clients.close()


@pytest.fixture
def client(make_client: Clients) -> HttpClient:
    return make_client()


@pytest.fixture
def server(index_server: IndexServerFactory, make_client: Clients) -> Recorded:
    return Recorded(index_server(UNIVERSE), make_client)


def page(http: HttpClient, server: Recorded, accept: str = JSON) -> bytes:
    response = http.get_page(server.project_url("urllib3"), accept=accept, index="pypi", package="urllib3")
    assert response.status == 200
    return response.content


def gets(server: Recorded, path: str = PAGE_PATH) -> list[int]:
    return [record.status for record in server.requests_to(path, method="GET")]


# Pages and their freshness


def test_a_fresh_page_is_served_from_the_cache_without_a_request(
    client: HttpClient, server: Recorded
) -> None:
    first = client.get_page(server.project_url("urllib3"), accept=JSON, index="pypi", package="urllib3")
    second = client.get_page(server.project_url("urllib3"), accept=JSON, index="pypi", package="urllib3")
    assert not first.from_cache
    assert second.from_cache
    assert not second.revalidated
    assert second.content == first.content
    assert second.url == server.project_url("urllib3")
    assert second.headers["content-type"] == JSON
    assert gets(server) == [200]
    assert client.stats.requests == 1
    assert client.stats.cache_hits == 1
    assert client.stats.bytes_downloaded == len(first.content)


def test_the_accept_header_is_part_of_the_cache_key(client: HttpClient, server: Recorded) -> None:
    assert page(client, server, JSON).startswith(b"{")
    assert page(client, server, HTML).lstrip().lower().startswith(b"<!doctype html")
    assert page(client, server, JSON).startswith(b"{")
    assert gets(server) == [200, 200]


def test_a_stale_page_is_revalidated_with_its_etag(
    client: HttpClient, server: Recorded, clock: Clock
) -> None:
    body = page(client, server)
    etag = server.requests_to(PAGE_PATH)[0]
    assert "if-none-match" not in etag.headers
    clock.now += 601  # the server says max-age=600
    response = client.get_page(server.project_url("urllib3"), accept=JSON, index="pypi", package="urllib3")
    assert response.content == body
    assert response.from_cache
    assert response.revalidated
    assert gets(server) == [200, 304]
    assert server.requests_to(PAGE_PATH)[1].headers["if-none-match"].startswith('"')
    assert client.stats.revalidations == 1


def test_a_stale_page_is_revalidated_with_last_modified(
    client: HttpClient, server: Recorded, clock: Clock
) -> None:
    server.options(etag=False)
    body = page(client, server)
    clock.now += 601
    assert page(client, server) == body
    second = server.requests_to(PAGE_PATH)[1]
    assert "if-none-match" not in second.headers
    assert "GMT" in second.headers["if-modified-since"]
    assert gets(server) == [200, 304]
    assert client.stats.revalidations == 1


def test_a_304_renews_freshness(client: HttpClient, server: Recorded, clock: Clock) -> None:
    page(client, server)
    clock.now += 601
    page(client, server)
    clock.now += 599
    page(client, server)
    assert gets(server) == [200, 304]


def test_a_changed_page_replaces_the_cached_one(client: HttpClient, server: Recorded, clock: Clock) -> None:
    before = page(client, server)
    server.universe().add("urllib3", "2.1.0")
    clock.now += 601
    after = page(client, server)
    assert b"urllib3-2.1.0" in after
    assert b"urllib3-2.1.0" not in before
    assert gets(server) == [200, 200]
    assert page(client, server) == after


def test_without_caching_headers_a_page_is_fresh_for_the_ttl(
    client: HttpClient, server: Recorded, clock: Clock
) -> None:
    server.options(cache_headers=False)
    page(client, server)
    clock.now += 599  # FAST keeps the default ttl of 600 seconds
    page(client, server)
    assert gets(server) == [200]
    clock.now += 2
    page(client, server)
    assert gets(server) == [200, 200]
    # Nothing to revalidate with: the request was unconditional.
    assert "if-none-match" not in server.requests_to(PAGE_PATH)[1].headers
    assert "if-modified-since" not in server.requests_to(PAGE_PATH)[1].headers


def test_refresh_asks_again_for_a_fresh_page(make_client: Clients, server: Recorded) -> None:
    body = page(make_client(), server)
    again = make_client(replace(FAST, refresh=True))
    response = again.get_page(server.project_url("urllib3"), accept=JSON, index="pypi", package="urllib3")
    assert response.revalidated
    assert response.content == body
    assert gets(server) == [200, 304]


def test_a_corrupt_cached_page_is_fetched_again(client: HttpClient, server: Recorded, cache: Cache) -> None:
    body = page(client, server)
    (entry,) = [path for path in (cache.root / "pages").rglob("*") if path.is_file()]
    entry.write_bytes(entry.read_bytes()[:-5])
    assert page(client, server) == body
    assert gets(server) == [200, 200]
    assert cache.get_page(server.project_url("urllib3"), JSON) is not None


def test_a_missing_project_is_a_404_response(client: HttpClient, server: Recorded) -> None:
    response = client.get_page(server.project_url("nothing"), accept=JSON, index="pypi", package="nothing")
    assert response.status == 404
    assert not response.from_cache


def test_a_redirected_page_reports_its_final_url(client: HttpClient, server: Recorded) -> None:
    response = client.get_page(server.url() + "URLLib3/", accept=JSON, index="pypi", package="urllib3")
    assert response.status == 200
    assert response.url == server.project_url("urllib3")


# Offline


def test_offline_serves_even_a_stale_cached_page(
    make_client: Clients, server: Recorded, clock: Clock
) -> None:
    body = page(make_client(), server)
    clock.now += 10 * 86400
    offline = make_client(HttpSettings(offline=True))
    assert page(offline, server) == body
    assert offline.stats.cache_hits == 1
    assert offline.stats.requests == 0
    assert gets(server) == [200]


def test_offline_without_a_cached_page_says_what_is_missing(make_client: Clients, server: Recorded) -> None:
    offline = make_client(HttpSettings(offline=True))
    with pytest.raises(OfflineMissError) as caught:
        page(offline, server)
    assert str(caught.value) == (
        f"--offline: no cached copy of {server.project_url('urllib3')} for package 'urllib3'\n"
        "  fix: run once without --offline to fill the cache"
    )
    assert caught.value.exit_code == 3
    assert server.requests == []


def test_offline_without_a_cached_file_says_what_is_missing(make_client: Clients, server: Recorded) -> None:
    url = server.file_url("pypi", WHEEL)
    offline = make_client(HttpSettings(offline=True))
    with pytest.raises(OfflineMissError) as caught:
        offline.get_file(url, sha256=server.sha256("pypi", WHEEL), index="pypi", package="urllib3")
    assert str(caught.value) == (
        f"--offline: no cached copy of {url} for package 'urllib3'\n"
        "  fix: run once without --offline to fill the cache"
    )


# Faults: retried, then reported


@pytest.mark.parametrize(
    "fault",
    [Fault.status(500), Fault.status(503), Fault.status(429), Fault.reset(), Fault.truncate(100)],
    ids=["500", "503", "429", "reset", "truncate"],
)
def test_a_passing_fault_is_retried_to_success(client: HttpClient, server: Recorded, fault: Fault) -> None:
    rule = server.inject(fault, path=PAGE_PATH, times=2)
    assert page(client, server).startswith(b"{")
    assert rule.hits == 2
    assert len(server.requests_to(PAGE_PATH)) == 3
    assert client.stats.requests == 3


def unavailable(client: HttpClient, server: Recorded) -> IndexUnavailableError:
    with pytest.raises(IndexUnavailableError) as caught:
        page(client, server)
    return caught.value


def test_a_lasting_server_error_is_reported_after_every_attempt(client: HttpClient, server: Recorded) -> None:
    server.inject(Fault.status(503), path=PAGE_PATH)
    error = unavailable(client, server)
    assert str(error) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}) for package 'urllib3': "
        "HTTP 503 Service Unavailable after 3 attempts" + UNAVAILABLE_FIX
    )
    assert (error.index, error.package, error.url) == ("pypi", "urllib3", server.project_url("urllib3"))
    assert error.exit_code == 3
    assert gets(server) == [503, 503, 503]


def test_lasting_resets_are_reported(client: HttpClient, server: Recorded) -> None:
    server.inject(Fault.reset(), path=PAGE_PATH)
    assert str(unavailable(client, server)) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}) for package 'urllib3': "
        "the connection was reset after 3 attempts" + UNAVAILABLE_FIX
    )


def test_lasting_truncation_is_reported_with_the_bytes_received(
    client: HttpClient, make_client: Clients, server: Recorded
) -> None:
    size = len(page(make_client(cached=False), server))
    server.inject(Fault.truncate(100), path=PAGE_PATH)
    assert str(unavailable(client, server)) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}) for package 'urllib3': "
        f"the response was cut short (100 of {size} bytes) after 3 attempts" + UNAVAILABLE_FIX
    )


def test_a_slow_server_times_out_and_is_reported(make_client: Clients, server: Recorded) -> None:
    server.inject(Fault.slow(3.0), path=PAGE_PATH)
    http = make_client(replace(FAST, timeout=0.2, retries=2))
    assert str(unavailable(http, server)) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}) for package 'urllib3': "
        "no answer within 0.2 seconds after 2 attempts" + UNAVAILABLE_FIX
    )


def test_a_truncated_file_download_is_retried(client: HttpClient, server: Recorded) -> None:
    server.inject(Fault.truncate(10), path=FILE_PATH, times=1)
    data = client.get_file(
        server.file_url("pypi", WHEEL), sha256=server.sha256("pypi", WHEEL), index="pypi", package="urllib3"
    )
    assert data == server.file_bytes("pypi", WHEEL)
    assert gets(server, FILE_PATH) == [200, 200]


def test_a_file_the_index_lists_but_does_not_serve_is_reported(client: HttpClient, server: Recorded) -> None:
    url = server.file_url("pypi", "urllib3-9.9-py3-none-any.whl")
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_file(url, sha256=None, index="pypi", package="urllib3")
    assert str(caught.value) == (
        f"could not reach index 'pypi' ({url}) for package 'urllib3': HTTP 404 Not Found" + UNAVAILABLE_FIX
    )


# Files and hashes


def test_a_file_is_checked_and_cached_by_its_hash(client: HttpClient, server: Recorded) -> None:
    url = server.file_url("pypi", WHEEL)
    sha = server.sha256("pypi", WHEEL)
    data = client.get_file(url, sha256=sha, index="pypi", package="urllib3")
    assert hashlib.sha256(data).hexdigest() == sha
    # Content-addressed: the same file under another URL comes from the cache too.
    again = client.get_file(url + "?mirror=1", sha256=sha.upper(), index="pypi", package="urllib3")
    assert again == data
    assert gets(server, FILE_PATH) == [200]
    assert client.stats.cache_hits == 1
    # A file's bytes are compared as sent: no content coding may stand between them and the hash.
    assert server.requests_to(FILE_PATH)[0].headers["accept-encoding"] == "identity"


def test_a_file_without_a_known_hash_is_cached_by_url(client: HttpClient, server: Recorded) -> None:
    url = server.metadata_url("pypi", WHEEL)
    first = client.get_file(url, sha256=None, index="pypi", package="urllib3")
    assert first == server.metadata_bytes("pypi", WHEEL)
    assert client.get_file(url, sha256=None, index="pypi", package="urllib3") == first
    assert gets(server, FILE_PATH + ".metadata") == [200]


def test_a_corrupt_cached_file_is_fetched_again(client: HttpClient, server: Recorded, cache: Cache) -> None:
    url = server.file_url("pypi", WHEEL)
    sha = server.sha256("pypi", WHEEL)
    client.get_file(url, sha256=sha, index="pypi", package="urllib3")
    blob = cache.root / "blobs" / "sha256" / sha[:2] / sha
    blob.write_bytes(blob.read_bytes()[:-1])
    assert client.get_file(url, sha256=sha, index="pypi", package="urllib3") == server.file_bytes(
        "pypi", WHEEL
    )
    assert gets(server, FILE_PATH) == [200, 200]
    assert cache.get_blob(sha) == server.file_bytes("pypi", WHEEL)


def test_a_wrong_hash_once_is_a_corrupt_transfer_and_fetched_again(
    client: HttpClient, server: Recorded
) -> None:
    server.inject(Fault.wrong_hash(), path=FILE_PATH, times=1)
    data = client.get_file(
        server.file_url("pypi", WHEEL), sha256=server.sha256("pypi", WHEEL), index="pypi", package="urllib3"
    )
    assert data == server.file_bytes("pypi", WHEEL)
    assert gets(server, FILE_PATH) == [200, 200]


def test_a_lasting_wrong_hash_raises_and_caches_nothing(
    client: HttpClient, server: Recorded, cache: Cache
) -> None:
    server.inject(Fault.wrong_hash(), path=FILE_PATH)
    url = server.file_url("pypi", WHEEL)
    expected = server.sha256("pypi", WHEEL)
    actual = hashlib.sha256(tampered(WHEEL, server.file_bytes("pypi", WHEEL))).hexdigest()
    with pytest.raises(HashMismatchError) as caught:
        client.get_file(url, sha256=expected, index="pypi", package="urllib3")
    assert str(caught.value) == (
        f"hash mismatch for {WHEEL} ({url}): the index lists sha256 {expected}, "
        f"the downloaded file has sha256 {actual}\n"
        "  fix: the index or a proxy serves a different file than it lists; do not install it, and "
        "report it to the index's maintainers"
    )
    assert (caught.value.filename, caught.value.expected, caught.value.actual) == (WHEEL, expected, actual)
    assert gets(server, FILE_PATH) == [200, 200]
    assert cache.info().total_entries == 0


def test_a_download_past_max_bytes_is_refused(client: HttpClient, server: Recorded) -> None:
    url = server.file_url("pypi", WHEEL)
    with pytest.raises(DownloadTooLargeError) as caught:
        client.get_file(url, sha256=None, index="pypi", package="urllib3", max_bytes=100)
    assert str(caught.value) == f"download of {url} for package 'urllib3' is larger than 100 bytes"
    assert client.get_file(url, sha256=None, index="pypi", package="urllib3", max_bytes=100_000)


def test_threads_share_one_client(client: HttpClient, server: Recorded) -> None:
    names = server.filenames(project="urllib3")

    def fetch(name: str) -> bytes:
        return client.get_file(
            server.file_url("pypi", name), sha256=server.sha256("pypi", name), index="pypi", package="urllib3"
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fetch, names * 3))
    assert results == [server.file_bytes("pypi", name) for name in names * 3]
    assert client.stats.requests + client.stats.cache_hits == len(names) * 3


# Credentials


SECRET = "s3cr3t-pw"


def with_userinfo(url: str) -> str:
    return url.replace("http://", f"http://alice:{SECRET}@", 1)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def no_secret_under(root: Path) -> None:
    for path in root.rglob("*"):
        assert SECRET not in str(path)
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()


def test_credentials_in_the_url_reach_the_server_and_nothing_else(
    client: HttpClient, server: Recorded, cache: Cache
) -> None:
    server.options(auth={"pypi": ("alice", SECRET)})
    response = client.get_page(
        with_userinfo(server.project_url("urllib3")), accept=JSON, index="pypi", package="urllib3"
    )
    assert response.status == 200
    assert SECRET not in response.url
    assert server.requests_to(PAGE_PATH)[0].headers["authorization"] == basic("alice", SECRET)
    # A file listed by absolute URL on the same host is fetched with the same credentials.
    client.get_file(
        server.file_url("pypi", WHEEL), sha256=server.sha256("pypi", WHEEL), index="pypi", package="urllib3"
    )
    assert server.requests_to(FILE_PATH)[0].headers["authorization"] == basic("alice", SECRET)
    no_secret_under(cache.root)


def test_credentials_never_appear_in_error_messages(client: HttpClient, server: Recorded) -> None:
    server.inject(Fault.status(502), path=PAGE_PATH)
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_page(with_userinfo(server.project_url("urllib3")), accept=JSON, index="pypi", package=None)
    assert str(caught.value) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}): "
        "HTTP 502 Bad Gateway after 3 attempts" + UNAVAILABLE_FIX
    )
    assert SECRET not in repr(caught.value.__dict__)


def test_credentials_from_a_netrc_file(
    tmp_path: Path, cache: Cache, make_client: Clients, server: Recorded
) -> None:
    server.options(auth={"pypi": ("bob", SECRET)})
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {SECRET}\n")
    assert page(make_client(netrc_path=netrc), server).startswith(b"{")
    assert server.requests_to(PAGE_PATH)[0].headers["authorization"] == basic("bob", SECRET)
    no_secret_under(cache.root)


def test_credentials_from_the_netrc_variable(tmp_path: Path, make_client: Clients, server: Recorded) -> None:
    server.options(auth={"pypi": ("bob", SECRET)})
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {SECRET}\n")
    assert page(make_client(environ={"NETRC": str(netrc)}), server).startswith(b"{")


def test_missing_credentials_are_reported_without_retrying(
    tmp_path: Path, make_client: Clients, server: Recorded
) -> None:
    server.options(auth={"pypi": ("alice", SECRET)})
    http = make_client(netrc_path=tmp_path / "none")
    with pytest.raises(IndexAuthError) as caught:
        page(http, server)
    assert str(caught.value) == (
        f"could not reach index 'pypi' ({server.project_url('urllib3')}) for package 'urllib3': "
        "HTTP 401 Unauthorized\n"
        "  fix: put the credentials in the index URL (https://user:password@host/...) or in ~/.netrc "
        "(or the file NETRC names)"
    )
    assert gets(server) == [401]


# Ranges and HEAD


def test_a_range_request_returns_the_bytes_asked_for(client: HttpClient, server: Recorded) -> None:
    url = server.file_url("pypi", WHEEL)
    data = server.file_bytes("pypi", WHEEL)
    head = client.get_range(url, start=0, end=9, index="pypi", package="urllib3")
    assert head == RangeResponse(content=data[:10], start=0, total_size=len(data))
    assert server.requests_to(FILE_PATH)[0].headers["range"] == "bytes=0-9"
    tail = client.get_range(url, start=None, end=None, suffix=22, index="pypi", package="urllib3")
    assert tail == RangeResponse(content=data[-22:], start=len(data) - 22, total_size=len(data))
    assert tail.end == len(data)
    middle = client.get_range(url, start=100, end=None, index="pypi", package="urllib3")
    assert middle == RangeResponse(content=data[100:], start=100, total_size=len(data))
    assert gets(server, FILE_PATH) == [206, 206, 206]


def test_a_server_ignoring_ranges_gives_none(client: HttpClient, server: Recorded) -> None:
    server.options(range_requests=False)
    url = server.file_url("pypi", WHEEL)
    assert client.get_range(url, start=0, end=9, index="pypi", package="urllib3") is None
    assert gets(server, FILE_PATH) == [200]
    # The stream was closed unread; the whole file costs nothing until the caller asks for it.
    assert client.stats.bytes_downloaded < len(server.file_bytes("pypi", WHEEL))


def test_an_unsatisfiable_range_gives_none(client: HttpClient, server: Recorded) -> None:
    url = server.file_url("pypi", WHEEL)
    assert client.get_range(url, start=10**9, end=None, index="pypi", package="urllib3") is None


def test_offline_ranges_give_none(make_client: Clients, server: Recorded) -> None:
    offline = make_client(HttpSettings(offline=True))
    url = server.file_url("pypi", WHEEL)
    assert offline.get_range(url, start=0, end=9, index="pypi", package="urllib3") is None
    assert server.requests == []


@pytest.mark.parametrize(
    ("start", "end", "suffix"),
    [(None, None, None), (0, None, 5), (5, 4, None), (-1, None, None), (None, 3, 5), (None, None, 0)],
)
def test_a_range_must_make_sense(
    client: HttpClient, start: int | None, end: int | None, suffix: int | None
) -> None:
    with pytest.raises(ValueError):
        client.get_range(
            "http://127.0.0.1:9/x", start=start, end=end, suffix=suffix, index="pypi", package=None
        )


def test_head_reports_size_and_range_support(client: HttpClient, server: Recorded) -> None:
    response = client.head(server.file_url("pypi", WHEEL), index="pypi", package="urllib3")
    assert response.status == 200
    assert response.headers["content-length"] == str(len(server.file_bytes("pypi", WHEEL)))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == b""
    assert [record.method for record in server.requests] == ["HEAD"]


# Settings


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match=r"^retries counts attempts and must be at least 1, not 0$"):
        HttpSettings(retries=0)


def test_the_user_agent_names_thoth(client: HttpClient, server: Recorded) -> None:
    page(client, server)
    assert server.requests[0].headers["user-agent"].startswith("thoth_cli/")


# Servers that forbid caching (the test index never does, so a small one stands in)


class _FixedPage(BaseHTTPRequestHandler):
    """Serves one page with the Cache-Control the test chose, and answers 304 to its ETag."""

    protocol_version = "HTTP/1.1"
    cache_control = ""
    seen: list[str | None]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("If-None-Match"))
        status = 304 if self.headers.get("If-None-Match") == '"one"' else 200
        body = b"" if status == 304 else b'{"files": []}'
        self.send_response(status)
        self.send_header("Cache-Control", self.cache_control)
        self.send_header("ETag", '"one"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent."""


@contextmanager
def fixed_page(cache_control: str) -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    handler = type("Handler", (_FixedPage,), {"cache_control": cache_control, "seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/simple/a/", seen
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def test_no_cache_revalidates_every_time(client: HttpClient) -> None:
    with fixed_page("no-cache, max-age=600") as (url, seen):
        for _ in range(3):
            response = client.get_page(url, accept=JSON, index="fixed", package="a")
            assert response.content == b'{"files": []}'
    assert seen == [None, '"one"', '"one"']
    assert client.stats.revalidations == 2
    assert client.stats.cache_hits == 0


def test_no_store_keeps_the_page_out_of_the_cache(
    client: HttpClient, make_client: Clients, cache: Cache
) -> None:
    with fixed_page("no-store") as (url, seen):
        for _ in range(2):
            assert client.get_page(url, accept=JSON, index="fixed", package="a").content == b'{"files": []}'
    assert seen == [None, None]
    assert cache.info().total_entries == 0
    with pytest.raises(OfflineMissError):
        make_client(HttpSettings(offline=True)).get_page(url, accept=JSON, index="fixed", package="a")


def test_a_closed_client_refuses_new_requests_at_once(tmp_path: Path) -> None:
    """After the run ends, a prefetch still queued must not start a request (or its retries)."""
    client = HttpClient(HttpSettings(retries=4, backoff=5.0), Cache(tmp_path / "cache"))
    client.close()
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_page("http://127.0.0.1:9/simple/demo/", accept="text/html", index="pypi", package="demo")
    assert caught.value.reason == "the client is closed"


# URLs that cannot be sent

INVALID_URL_FIX = (
    "\n  fix: check the URL of index 'pypi'; if the index itself lists this URL, report it to whoever "
    "runs the index"
)


def test_a_url_httpx_refuses_is_reported_not_raised(client: HttpClient) -> None:
    url = "http://127.0.0.1:9/simple/de\x01mo/"
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_page(url, accept=JSON, index="pypi", package="demo")
    assert str(caught.value) == (
        f"could not reach index 'pypi' ({url}) for package 'demo': not a valid URL "
        "(Invalid non-printable ASCII character in URL, '\\x01' at position 28.)" + INVALID_URL_FIX
    )
    assert client.stats.requests == 1


def test_a_port_that_is_not_a_number_is_reported_not_raised(client: HttpClient) -> None:
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_page(
            "http://u:secret@127.0.0.1:abc/simple/demo/", accept=JSON, index="pypi", package="demo"
        )
    assert str(caught.value) == (
        "could not reach index 'pypi' (http://127.0.0.1:abc/simple/demo/) for package 'demo': "
        "not a valid URL (Port could not be cast to integer value as 'abc')" + INVALID_URL_FIX
    )
    assert client.stats.requests == 0


def test_unbalanced_ipv6_brackets_are_reported_not_raised(client: HttpClient) -> None:
    with pytest.raises(IndexUnavailableError) as caught:
        client.get_file(
            "http://u:secret@[::1/files/demo-1.0.tar.gz", sha256=None, index="pypi", package="demo"
        )
    assert str(caught.value) == (
        "could not reach index 'pypi' (http://[::1/files/demo-1.0.tar.gz) for package 'demo': "
        "not a valid URL (Invalid IPv6 URL)" + INVALID_URL_FIX
    )
