"""The index client's HTTP layer: pooled requests, retries, credentials, hashes and the page cache."""

from __future__ import annotations

import hashlib
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from thoth_cli import __version__
from thoth_cli.index.auth import CredentialStore, split_userinfo
from thoth_cli.index.cache import Cache, CachedPage
from thoth_cli.index.errors import (
    DownloadTooLargeError,
    HashMismatchError,
    IndexAuthError,
    IndexUnavailableError,
    OfflineMissError,
)
from thoth_cli.index.freshness import is_fresh, is_storable
from thoth_cli.index.model import redact

T = TypeVar("T")

# 408 and 429 say "not now"; every 5xx may be a passing overload or a restarting backend.
_RETRY_STATUSES = frozenset({408, 429})
_AUTH_STATUSES = frozenset({401, 403, 407})
# Hop-by-hop and body-framing headers describe one transfer, not the stored page; cookies
# and authentication challenges have no business in a shared cache.
_UNSTORED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "set-cookie",
        "www-authenticate",
        "proxy-authenticate",
        "upgrade",
        "te",
        "trailer",
    }
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


@dataclass(frozen=True)
class HttpSettings:
    """How the HTTP layer behaves for one run."""

    timeout: float = 30.0
    """Seconds to wait for a connection or for the next piece of a response."""
    retries: int = 4
    """Attempts per request, the first one included."""
    backoff: float = 0.5
    """Base pause between attempts in seconds, doubled each time, with full jitter."""
    backoff_cap: float = 8.0
    """The longest pause between two attempts, also for a server's Retry-After."""
    max_connections_per_host: int = 10
    offline: bool = False
    """Use the cache only, stale entries included; anything missing is an error."""
    refresh: bool = False
    """Ask the server again even for fresh pages (conditionally, so unchanged pages are cheap)."""
    ttl: float = 600.0
    """How long a page stays fresh when the server says nothing about freshness."""
    user_agent: str = f"thoth_cli/{__version__}"
    insecure_hosts: frozenset[str] = frozenset()
    """Hosts whose TLS certificate is not checked (a source's `verify_ssl = false`)."""

    def __post_init__(self) -> None:
        if self.retries < 1:
            raise ValueError(f"retries counts attempts and must be at least 1, not {self.retries}")
        if self.timeout <= 0 or self.max_connections_per_host < 1:
            raise ValueError("timeout and max_connections_per_host must be positive")
        if self.backoff < 0 or self.backoff_cap < 0 or self.ttl < 0:
            raise ValueError("backoff, backoff_cap and ttl must not be negative")


@dataclass(frozen=True)
class Response:
    """A page or a HEAD answer; `url` is the final URL after redirects, without credentials."""

    url: str
    status: int
    headers: Mapping[str, str]
    """Lower-case names; repeated headers joined with ", "."""
    content: bytes
    from_cache: bool
    revalidated: bool
    """The server confirmed the cached copy (304 Not Modified)."""


@dataclass(frozen=True)
class RangeResponse:
    """The bytes of a range request: `content` starts at offset `start` of a file of `total_size`."""

    content: bytes
    start: int
    total_size: int | None
    """None when the server did not say (`Content-Range: bytes a-b/*`)."""

    @property
    def end(self) -> int:
        """Offset just past the last byte received."""
        return self.start + len(self.content)


@dataclass(frozen=True)
class HttpStats:
    """Counters for the progress display."""

    requests: int = 0
    """HTTP requests sent, retries included."""
    cache_hits: int = 0
    """Answers served from the cache without asking the server."""
    revalidations: int = 0
    """Cached pages the server confirmed unchanged (304)."""
    bytes_downloaded: int = 0


@dataclass(frozen=True)
class _Fetched:
    url: str
    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes


class _CutShort(Exception):
    """The response ended before the bytes it announced; worth another attempt."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class HttpClient:
    """One per run; thread-safe; a context manager that closes its connection pool."""

    def __init__(
        self,
        settings: HttpSettings,
        cache: Cache | None,
        *,
        netrc_path: Path | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._clock = clock
        self._credentials = CredentialStore(netrc_path, environ=environ)
        self._clients: dict[bool, httpx.Client] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._stats = HttpStats()
        self._random = random.Random()
        self._closed = threading.Event()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pool; requests still running in other threads stop at their next step."""
        self._closed.set()
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()

    @property
    def stats(self) -> HttpStats:
        with self._lock:
            return self._stats

    # Index pages

    def get_page(self, url: str, *, accept: str, index: str, package: str | None) -> Response:
        """An index page, from the cache while fresh, else from the server (conditionally).

        Any status other than 401/403/407 comes back as a Response (404: no such project);
        server errors and broken transfers are retried, then raise IndexUnavailableError.
        """
        bare = _bare(url, index=index, package=package)
        cached = self.cache.get_page(bare, accept) if self.cache is not None else None
        if self.settings.offline:
            if cached is None:
                raise OfflineMissError(what=redact(bare), package=package)
            self._count(cache_hits=1)
            return _from_cached(cached, cached.headers, revalidated=False)
        if (
            cached is not None
            and not self.settings.refresh
            and is_fresh(cached.headers, cached.stored_at, self._clock(), self.settings.ttl)
        ):
            self._count(cache_hits=1)
            return _from_cached(cached, cached.headers, revalidated=False)

        headers = {"Accept": accept}
        if cached is not None:
            if "etag" in cached.headers:
                headers["If-None-Match"] = cached.headers["etag"]
            if "last-modified" in cached.headers:
                headers["If-Modified-Since"] = cached.headers["last-modified"]
        fetched = self._send("GET", url, headers=headers, index=index, package=package, read=_read_decoded)
        if fetched.status == 304:
            if cached is None:
                raise IndexUnavailableError(
                    index=index,
                    url=redact(bare),
                    package=package,
                    reason="the server answered 304 Not Modified to an unconditional request",
                )
            self._count(revalidations=1)
            # RFC 9111 4.3.4: the 304's headers (a new max-age, ETag, Date) replace the stored ones.
            merged = MappingProxyType({**cached.headers, **_storable(fetched.headers)})
            self._store_page(replace(cached, headers=merged, stored_at=self._clock()))
            return _from_cached(cached, merged, revalidated=True)
        if fetched.status == 200 and self.cache is not None:
            self._store_page(
                CachedPage(
                    url=bare,
                    accept=accept,
                    final_url=fetched.url,
                    status=fetched.status,
                    headers=MappingProxyType(_storable(fetched.headers)),
                    content=fetched.content,
                    stored_at=self._clock(),
                )
            )
        return Response(
            url=fetched.url,
            status=fetched.status,
            headers=MappingProxyType(_storable(fetched.headers)),
            content=fetched.content,
            from_cache=False,
            revalidated=False,
        )

    def _store_page(self, page: CachedPage) -> None:
        if self.cache is None:
            return
        if is_storable(page.headers):
            self.cache.put_page(page)
        else:
            self.cache.drop_page(page.url, page.accept)

    # Immutable files

    def get_file(
        self,
        url: str,
        *,
        sha256: str | None,
        index: str,
        package: str | None,
        max_bytes: int | None = None,
    ) -> bytes:
        """A distribution or `.metadata` file, checked against `sha256` when given.

        Cached by content hash (by URL when no hash is known). A wrong hash is fetched once
        more to rule out a corrupt transfer; a second wrong hash raises HashMismatchError.
        """
        bare = _bare(url, index=index, package=package)
        shown = redact(bare)
        expected = sha256.lower() if sha256 else None
        if self.cache is not None:
            if expected is not None:
                # A malformed hash on a page cannot name a blob; the download then reports the mismatch.
                data = self.cache.get_blob(expected) if _SHA256.fullmatch(expected) else None
            elif not self.settings.refresh or self.settings.offline:
                data = self.cache.get_url_blob(bare)
            else:
                data = None
            if data is not None:
                self._count(cache_hits=1)
                return data
        if self.settings.offline:
            raise OfflineMissError(what=shown, package=package)

        def download() -> bytes:
            # Identity encoding: a server that gzips a .tar.gz on the fly must not change the hash.
            fetched = self._send(
                "GET",
                url,
                headers={"Accept-Encoding": "identity"},
                index=index,
                package=package,
                read=lambda response: _read_raw(response, max_bytes=max_bytes, package=package),
            )
            if fetched.status != 200:
                raise IndexUnavailableError(
                    index=index, url=shown, package=package, reason=_status_text(fetched)
                )
            return fetched.content

        if expected is None:
            data = download()
            if self.cache is not None:
                self.cache.put_url_blob(bare, data)
            return data
        actual = ""
        for _transfer in range(2):
            data = download()
            actual = hashlib.sha256(data).hexdigest()
            if actual == expected:
                if self.cache is not None:
                    self.cache.put_blob(data)
                return data
        raise HashMismatchError(
            url=shown, filename=_filename(bare), algorithm="sha256", expected=expected, actual=actual
        )

    # Ranges and HEAD

    def get_range(
        self,
        url: str,
        *,
        start: int | None,
        end: int | None,
        suffix: int | None = None,
        index: str,
        package: str | None,
    ) -> RangeResponse | None:
        """Bytes `start`..`end` (inclusive; open-ended when `end` is None) or the last `suffix` bytes.

        None when no range answer is to be had (the server sent the whole file instead, the
        range was unsatisfiable, or the run is offline): fetch the whole file then. Not cached.
        """
        if (start is None) == (suffix is None):
            raise ValueError("give either start (with an optional end) or suffix")
        if suffix is not None:
            if suffix < 1 or end is not None:
                raise ValueError("suffix must be positive and comes without end")
            wanted = f"bytes=-{suffix}"
        else:
            assert start is not None
            if start < 0 or (end is not None and end < start):
                raise ValueError(f"invalid range {start}-{end}")
            wanted = f"bytes={start}-{'' if end is None else end}"
        if self.settings.offline:
            return None

        def read(response: httpx.Response) -> RangeResponse | _Fetched | None:
            if response.status_code == 206:
                return _read_range(response)
            if response.status_code in (200, 416):
                # The server ignores ranges (or cannot serve this one): leave the body unread.
                return None
            return _Fetched(_final_url(response), response.status_code, response.reason_phrase, {}, b"")

        result = self._send(
            "GET",
            url,
            headers={"Range": wanted, "Accept-Encoding": "identity"},
            index=index,
            package=package,
            read=read,
        )
        if isinstance(result, _Fetched):
            raise IndexUnavailableError(
                index=index, url=redact(url), package=package, reason=_status_text(result)
            )
        return result

    def head(self, url: str, *, index: str, package: str | None) -> Response:
        """The headers of `url` (Content-Length, Accept-Ranges); statuses as for get_page."""
        if self.settings.offline:
            raise OfflineMissError(what=redact(url), package=package)
        fetched = self._send(
            "HEAD",
            url,
            headers={"Accept-Encoding": "identity"},
            index=index,
            package=package,
            read=_read_head,
        )
        return Response(
            url=fetched.url,
            status=fetched.status,
            headers=MappingProxyType(dict(fetched.headers)),
            content=b"",
            from_cache=False,
            revalidated=False,
        )

    # Sending, with retries

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        index: str,
        package: str | None,
        read: Callable[[httpx.Response], T],
    ) -> T:
        try:
            bare, credentials = self._credentials.resolve(url)
        except ValueError as exc:
            raise _invalid_url(url, index=index, package=package, error=exc) from None
        shown = redact(bare)
        if self._closed.is_set():
            raise IndexUnavailableError(
                index=index, url=shown, package=package, reason="the client is closed"
            )
        client = self._client(urlsplit(bare).hostname or "")
        slot = self._slot(urlsplit(bare).netloc)
        auth = httpx.BasicAuth(credentials.username, credentials.password) if credentials else None
        attempts = self.settings.retries
        reason = ""
        retry_after: float | None = None
        for attempt in range(attempts):
            if attempt:
                self._pause(attempt, retry_after)
            if self._closed.is_set():
                # The run is over (finished, failed or interrupted): a prefetch still in
                # flight must not keep the process alive through its retries.
                raise IndexUnavailableError(
                    index=index, url=shown, package=package, reason="the client is closed"
                )
            retry_after = None
            self._count(requests=1)
            try:
                with slot, client.stream(method, bare, headers=headers, auth=auth) as response:
                    try:
                        status = response.status_code
                        if status in _RETRY_STATUSES or status >= 500:
                            reason = f"HTTP {status} {response.reason_phrase}".rstrip()
                            retry_after = _retry_after(response.headers.get("retry-after"))
                            continue
                        if status in _AUTH_STATUSES:
                            raise IndexAuthError(
                                index=index,
                                url=shown,
                                package=package,
                                reason=f"HTTP {status} {response.reason_phrase}".rstrip(),
                            )
                        try:
                            return read(response)
                        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                            raise _CutShort(_cut_short_reason(response)) from exc
                    finally:
                        self._count(bytes_downloaded=response.num_bytes_downloaded)
            except _CutShort as exc:
                reason = exc.reason
            except httpx.TimeoutException:
                reason = f"no answer within {self.settings.timeout:g} seconds"
            except httpx.ConnectError as exc:
                reason = f"cannot connect ({exc})" if str(exc) else "cannot connect"
                if unknown_host(exc):
                    # The name does not exist here: asking again cannot make it.
                    raise IndexUnavailableError(
                        index=index, url=shown, package=package, reason=reason
                    ) from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                reason = "the connection was reset"
            except httpx.InvalidURL as exc:
                # Not an httpx.HTTPError; no attempt can send this URL.
                raise _invalid_url(bare, index=index, package=package, error=exc) from None
            except httpx.TooManyRedirects:
                raise IndexUnavailableError(
                    index=index, url=shown, package=package, reason="too many redirects"
                ) from None
            except httpx.HTTPError as exc:
                # Bad URLs, unsupported schemes, proxy refusals: another attempt cannot help.
                raise IndexUnavailableError(
                    index=index, url=shown, package=package, reason=f"{type(exc).__name__}: {exc}"
                ) from None
        noun = "attempt" if attempts == 1 else "attempts"
        raise IndexUnavailableError(
            index=index, url=shown, package=package, reason=f"{reason} after {attempts} {noun}"
        )

    def _pause(self, retry: int, retry_after: float | None) -> None:
        cap = self.settings.backoff_cap
        if retry_after is not None:
            delay = min(retry_after, cap)
        else:
            # Full jitter keeps many clients that failed together from retrying together.
            delay = self._random.uniform(0.0, min(cap, self.settings.backoff * 2 ** (retry - 1)))
        self._closed.wait(delay)

    def _client(self, host: str) -> httpx.Client:
        verify = host.lower() not in self.settings.insecure_hosts
        with self._lock:
            client = self._clients.get(verify)
            if client is None:
                per_host = self.settings.max_connections_per_host
                client = httpx.Client(
                    timeout=httpx.Timeout(self.settings.timeout),
                    # The pool is shared by all hosts; _slot bounds each host to per_host.
                    limits=httpx.Limits(
                        max_connections=None, max_keepalive_connections=per_host * 4, keepalive_expiry=60.0
                    ),
                    follow_redirects=True,
                    headers={"User-Agent": self.settings.user_agent},
                    verify=verify,
                    trust_env=True,
                )
                self._clients[verify] = client
            return client

    def _slot(self, netloc: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(netloc)
            if slot is None:
                slot = threading.BoundedSemaphore(self.settings.max_connections_per_host)
                self._slots[netloc] = slot
            return slot

    def _count(
        self, *, requests: int = 0, cache_hits: int = 0, revalidations: int = 0, bytes_downloaded: int = 0
    ) -> None:
        with self._lock:
            old = self._stats
            self._stats = HttpStats(
                requests=old.requests + requests,
                cache_hits=old.cache_hits + cache_hits,
                revalidations=old.revalidations + revalidations,
                bytes_downloaded=old.bytes_downloaded + bytes_downloaded,
            )


def _bare(url: str, *, index: str, package: str | None) -> str:
    """The URL without its userinfo; IndexUnavailableError when urllib cannot read it."""
    try:
        return split_userinfo(url)[0]
    except ValueError as exc:
        raise _invalid_url(url, index=index, package=package, error=exc) from None


def _invalid_url(url: str, *, index: str, package: str | None, error: Exception) -> IndexUnavailableError:
    return IndexUnavailableError(
        index=index,
        url=redact(url),
        package=package,
        reason=f"not a valid URL ({error})",
        fix=f"check the URL of index {index!r}; if the index itself lists this URL, report it to whoever "
        "runs the index",
    )


def _from_cached(page: CachedPage, headers: Mapping[str, str], *, revalidated: bool) -> Response:
    return Response(
        url=page.final_url,
        status=page.status,
        headers=headers,
        content=page.content,
        from_cache=True,
        revalidated=revalidated,
    )


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def _storable(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in _UNSTORED_HEADERS}


def _final_url(response: httpx.Response) -> str:
    return redact(str(response.url))


def _read_decoded(response: httpx.Response) -> _Fetched:
    content = response.read()
    _check_length(response)
    return _Fetched(
        _final_url(response), response.status_code, response.reason_phrase, _headers(response), content
    )


def _read_raw(response: httpx.Response, *, max_bytes: int | None, package: str | None) -> _Fetched:
    if response.status_code != 200:
        return _Fetched(_final_url(response), response.status_code, response.reason_phrase, {}, b"")
    announced = _content_length(response)
    if max_bytes is not None and announced is not None and announced > max_bytes:
        raise DownloadTooLargeError(url=_final_url(response), package=package, limit=max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise DownloadTooLargeError(url=_final_url(response), package=package, limit=max_bytes)
        chunks.append(chunk)
    _check_length(response)
    return _Fetched(
        _final_url(response),
        response.status_code,
        response.reason_phrase,
        _headers(response),
        b"".join(chunks),
    )


def _read_range(response: httpx.Response) -> RangeResponse | None:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    if match is None:
        # A 206 we cannot place in the file is no use; the caller downloads the whole file.
        return None
    first, last, total = int(match[1]), int(match[2]), match[3]
    content = b"".join(response.iter_raw())
    _check_length(response)
    if len(content) != last - first + 1:
        raise _CutShort(f"the server sent {len(content)} bytes for the range {first}-{last}")
    return RangeResponse(content=content, start=first, total_size=None if total == "*" else int(total))


def _read_head(response: httpx.Response) -> _Fetched:
    return _Fetched(
        _final_url(response), response.status_code, response.reason_phrase, _headers(response), b""
    )


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.strip().isdigit() else None


def _check_length(response: httpx.Response) -> None:
    # h11 already refuses a body shorter than Content-Length; this guards other transports.
    # A 304 (or 204) has no body whatever Content-Length says.
    announced = _content_length(response)
    if (
        response.status_code not in (204, 304)
        and announced is not None
        and response.num_bytes_downloaded != announced
    ):
        raise _CutShort(_cut_short_reason(response))


def _cut_short_reason(response: httpx.Response) -> str:
    announced = _content_length(response)
    if announced is None:
        return "the connection closed before the response was complete"
    return f"the response was cut short ({response.num_bytes_downloaded} of {announced} bytes)"


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def _status_text(fetched: _Fetched) -> str:
    return f"HTTP {fetched.status} {fetched.reason}".rstrip()


def _filename(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


UNKNOWN_HOST = ("Name or service not known", "nodename nor servname provided", "No such host is known")
"""How the C library says a host name does not exist (glibc, BSD/macOS, Windows): a definite answer,
unlike "Temporary failure in name resolution"."""


def unknown_host(error: Exception) -> bool:
    """Whether a connection failed because the host name does not exist."""
    return any(text in str(error) for text in UNKNOWN_HOST)
