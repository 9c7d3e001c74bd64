"""Security advisories from the OSV API: batch queries by release or by package, then records by id."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import ExternalError
from thoth_cli.index.errors import IndexUnavailableError, OfflineMissError
from thoth_cli.index.http import HttpClient, unknown_host
from thoth_cli.index.model import redact
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.knowledge.dedupe import merge_advisories
from thoth_cli.knowledge.osv import PYPI, OsvRecord, OsvRecordError, parse_record

DEFAULT_OSV_URL = "https://api.osv.dev"
BATCH_SIZE = 1000
"""The most queries the OSV API accepts in one querybatch request."""
SERVICE = "OSV API"
"""How errors and the HTTP layer name the service."""

_ACCEPT = "application/json"
_QUERY_NAMESPACE = "osv-query"
_FETCH_THREADS = 8
_RETRY_STATUSES = frozenset({408, 429})

Release = tuple[NormalizedName, Version]


class OsvApiError(ExternalError):
    """The OSV API could not give an answer, or gave one that cannot be read (exit 3)."""

    def __init__(self, *, url: str, reason: str, fix: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"could not get security advisories from the {SERVICE} ({url}): {reason}",
            fix=fix
            or "check the network connection and the OSV API URL (--osv-url), read a local copy of the "
            "advisory database instead (--advisories DIR), or pass --offline to use only cached advisories",
        )


@dataclass(frozen=True)
class VulnerabilityRef:
    """What a batch query says about one affected release: a record's id and when it last changed."""

    id: str
    modified: str | None = None
    """The record's `modified` timestamp as the service wrote it; None when it gave none."""


class OsvApi:
    """An AdvisorySource backed by the OSV API (https://google.github.io/osv.dev/api/).

    By release (the default, for a lock's pins): `prefetch` asks about many releases in as
    few batch requests as the service allows, and the service says which records affect
    each. By package (`by_package=True`, for a resolver judging many versions of each
    package): a package is asked about once, without a version, for every record naming it,
    and each version is matched against those records here (`OsvRecord.affects`), so
    judging a hundred versions costs one query, not a hundred. `expect` names packages
    likely to be asked about next; the next package query asks about them too.

    `advisories_for` answers from what is known, asking the service only about what no
    earlier query covered. Answers are kept for the run, so the source is pure, and cached
    on disk like index pages: which records a query lists for the HTTP settings' `ttl`, each
    record until a batch answer reports a newer `modified`. With `offline` only the cache is
    used, stale entries included; a release or package it lacks is an OfflineMissError.

    Thread-safe (one question at a time; `expect` never waits for one); requests go through
    the run's HttpClient settings (retries, proxies, the cache).
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        base_url: str = DEFAULT_OSV_URL,
        by_package: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.by_package = by_package
        self._clock = clock
        self._lock = threading.RLock()
        self._random = random.Random()
        self._answers: dict[Release, tuple[VulnerabilityRef, ...]] = {}
        self._package_answers: dict[NormalizedName, tuple[VulnerabilityRef, ...]] = {}
        self._records: dict[str, OsvRecord] = {}
        self._results: dict[Release, tuple[Advisory, ...]] = {}
        # Its own lock: the resolver announces names while another thread may be waiting on the service.
        self._expected_lock = threading.Lock()
        self._expected: dict[NormalizedName, None] = {}

    @property
    def notes(self) -> tuple[str, ...]:
        """What was skipped while reading the records fetched so far (versions that are not PEP 440)."""
        with self._lock:
            return tuple(note for record in self._records.values() for note in record.notes)

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        release = (canonicalize_name(name), version)
        with self._lock:
            known = self._results.get(release)
            if known is not None:
                return known
            if self.by_package:
                found = self._package_advisories(release)
                self._results[release] = found
                return found
            if release not in self._answers:
                self.prefetch([release])
            refs = self._answers.get(release)
            if refs is None:
                raise OfflineMissError(
                    what=f"the {SERVICE}'s advisories for {release[0]} {version}", package=None
                )
            # A record an earlier prefetch failed to fetch is asked for again, not skipped.
            self._records.update(self._fetch_records([ref for ref in refs if ref.id not in self._records]))
            records = [self._records[ref.id] for ref in refs]
            # The service lists a PYSEC and a GHSA record of one vulnerability side by side.
            found = merge_advisories(
                record.advisory_for(release[0]) for record in records if record.affects(release[0], version)
            )
            self._results[release] = found
            return found

    def prefetch(self, releases: Iterable[tuple[str, Version]]) -> None:
        """Learn the advisories of many releases at once: the efficient path for a whole stack or lock.

        Releases already known cost nothing; the others are asked in batches of BATCH_SIZE,
        then every record they name that is not cached is fetched, several at a time. By
        package, their packages are asked about (`prefetch_packages`).
        """
        wanted = list(dict.fromkeys((canonicalize_name(name), version) for name, version in releases))
        if self.by_package:
            self.prefetch_packages(name for name, _version in wanted)
            return
        with self._lock:
            unknown = [release for release in wanted if release not in self._answers]
            to_ask = []
            for release in unknown:
                cached = self._cached_answer(self._query_url(release))
                if cached is not None:
                    self._answers[release] = cached
                elif not self.http.settings.offline:
                    to_ask.append(release)
            for start in range(0, len(to_ask), BATCH_SIZE):
                chunk = to_ask[start : start + BATCH_SIZE]
                # A local build (2.1.0+cu118) is asked about as its release; the records decide.
                answers = self._query_batch([_release_query(name, version) for name, version in chunk])
                for release, refs in zip(chunk, answers, strict=True):
                    self._answers[release] = refs
                    self._store_answer(self._query_url(release), refs)
            needed = {
                ref.id: ref
                for release in wanted
                for ref in self._answers.get(release, ())
                if ref.id not in self._records
            }
            self._records.update(self._fetch_records(list(needed.values())))

    def expect(self, names: Iterable[str]) -> None:
        """Packages likely to be asked about soon: by package, the next query asks about them too.

        Costs nothing now and never waits: the resolver calls it as it meets names.
        """
        if not self.by_package:
            return
        with self._expected_lock:
            for name in names:
                self._expected.setdefault(canonicalize_name(name), None)

    def prefetch_packages(self, names: Iterable[str]) -> None:
        """Learn every record naming each package, in as few batch requests as the service allows."""
        with self._lock:
            self._load_packages(list(dict.fromkeys(canonicalize_name(name) for name in names)))

    # By package

    def _package_advisories(self, release: Release) -> tuple[Advisory, ...]:
        name, version = release
        if name not in self._package_answers:
            with self._expected_lock:
                expected = [n for n in self._expected if n != name and n not in self._package_answers]
            self._load_packages([name, *expected])
            with self._expected_lock:
                for asked in (name, *expected):
                    self._expected.pop(asked, None)
        refs = self._package_answers.get(name)
        if refs is None:
            raise OfflineMissError(what=f"the {SERVICE}'s advisories for {name}", package=None)
        # A record an earlier fetch failed to get is asked for again, not skipped.
        self._records.update(self._fetch_records([ref for ref in refs if ref.id not in self._records]))
        records = [self._records[ref.id] for ref in refs]
        # The service lists a PYSEC and a GHSA record of one vulnerability side by side.
        return merge_advisories(
            record.advisory_for(name) for record in records if record.affects(name, version)
        )

    def _load_packages(self, names: list[NormalizedName]) -> None:
        """Ask about the packages not known yet (the cache first), then fetch the records they name."""
        to_ask = []
        for name in names:
            if name in self._package_answers:
                continue
            cached = self._cached_answer(self._package_url(name))
            if cached is not None:
                self._package_answers[name] = cached
            elif not self.http.settings.offline:
                to_ask.append(name)
        for start in range(0, len(to_ask), BATCH_SIZE):
            chunk = to_ask[start : start + BATCH_SIZE]
            answers = self._query_batch([_package_query(name) for name in chunk])
            for name, refs in zip(chunk, answers, strict=True):
                self._package_answers[name] = refs
                self._store_answer(self._package_url(name), refs)
        needed = {
            ref.id: ref
            for name in names
            for ref in self._package_answers.get(name, ())
            if ref.id not in self._records
        }
        self._records.update(self._fetch_records(list(needed.values())))

    # Batch queries

    def _query_url(self, release: Release) -> str:
        # The cache key: the query as a URL, so that another --osv-url keeps its own answers.
        name, version = quote(release[0]), quote(str(release[1]))
        return f"{self.base_url}/v1/query?ecosystem={PYPI}&name={name}&version={version}"

    def _package_url(self, name: NormalizedName) -> str:
        return f"{self.base_url}/v1/query?ecosystem={PYPI}&name={quote(name)}"

    def _cached_answer(self, key: str) -> tuple[VulnerabilityRef, ...] | None:
        cache = self.http.cache
        settings = self.http.settings
        if cache is None or (settings.refresh and not settings.offline):
            return None
        stored = cache.get_json(_QUERY_NAMESPACE, key)
        try:
            stored_at = float(stored["stored_at"])
            refs = tuple(VulnerabilityRef(str(v["id"]), v.get("modified")) for v in stored["vulns"])
        except (TypeError, KeyError, ValueError):
            return None
        if not settings.offline and self._clock() - stored_at > settings.ttl:
            return None
        return refs

    def _store_answer(self, key: str, refs: tuple[VulnerabilityRef, ...]) -> None:
        if self.http.cache is None:
            return
        value = {"stored_at": self._clock(), "vulns": [{"id": r.id, "modified": r.modified} for r in refs]}
        self.http.cache.put_json(_QUERY_NAMESPACE, key, value)

    def _query_batch(self, asked: list[dict[str, Any]]) -> list[tuple[VulnerabilityRef, ...]]:
        """One querybatch request for the queries `asked`, then one more for each further page any
        of them has; the vulnerabilities listed for each query, in the order asked."""
        url = f"{self.base_url}/v1/querybatch"
        found: dict[int, list[VulnerabilityRef]] = {index: [] for index in range(len(asked))}
        seen_tokens: set[tuple[int, str]] = set()
        pending: list[tuple[int, str | None]] = [(index, None) for index in range(len(asked))]
        while pending:
            queries = []
            for index, token in pending:
                query = dict(asked[index])
                if token is not None:
                    query["page_token"] = token
                queries.append(query)
            answer = self._post_json(url, {"queries": queries})
            results = answer.get("results") if isinstance(answer, Mapping) else None
            if not isinstance(results, list) or len(results) != len(pending):
                raise OsvApiError(
                    url=url, reason=f"the answer has no list of {len(pending)} results, one per query"
                )
            next_pending: list[tuple[int, str | None]] = []
            for (index, _token), result in zip(pending, results, strict=True):
                refs, token = _read_result(result, url=url)
                found[index].extend(refs)
                if token:
                    # A service that hands out the same page again would keep us asking forever.
                    if (index, token) in seen_tokens:
                        raise OsvApiError(url=url, reason=f"the page token {token!r} came back twice")
                    seen_tokens.add((index, token))
                    next_pending.append((index, token))
            pending = next_pending
        return [tuple(dict.fromkeys(found[index])) for index in range(len(asked))]

    def _post_json(self, url: str, payload: object) -> Any:
        """POST `payload` as JSON and decode the answer; retried as the HttpClient retries its GETs."""
        settings = self.http.settings
        shown = redact(url)
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": _ACCEPT}
        reason = ""
        retry_after: float | None = None
        with httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent},
            follow_redirects=True,
            trust_env=True,
        ) as client:
            for attempt in range(settings.retries):
                if attempt:
                    self._pause(attempt, retry_after)
                retry_after = None
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.TimeoutException:
                    reason = f"no answer within {settings.timeout:g} seconds"
                    continue
                except httpx.ConnectError as exc:
                    reason = f"cannot connect ({exc})" if str(exc) else "cannot connect"
                    if unknown_host(exc):
                        # The name does not exist here (an offline machine, a closed network):
                        # asking again will not make it, and every run would wait for the retries.
                        raise OsvApiError(url=shown, reason=reason) from None
                    continue
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                    reason = "the connection was reset"
                    continue
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    raise OsvApiError(url=shown, reason=f"{type(exc).__name__}: {exc}") from None
                status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                if response.status_code in _RETRY_STATUSES or response.status_code >= 500:
                    reason = status
                    retry_after = _retry_after(response.headers.get("retry-after"))
                    continue
                if response.status_code != 200:
                    raise OsvApiError(url=shown, reason=status + _service_message(response.content))
                try:
                    return json.loads(response.content)
                except ValueError:
                    raise OsvApiError(url=shown, reason="the answer is not JSON") from None
        noun = "attempt" if settings.retries == 1 else "attempts"
        raise OsvApiError(url=shown, reason=f"{reason} after {settings.retries} {noun}")

    def _pause(self, retry: int, retry_after: float | None) -> None:
        settings = self.http.settings
        if retry_after is not None:
            delay = min(retry_after, settings.backoff_cap)
        else:
            # Full jitter, as the HttpClient does: clients that failed together do not retry together.
            delay = self._random.uniform(0.0, min(settings.backoff_cap, settings.backoff * 2 ** (retry - 1)))
        time.sleep(delay)

    # Records

    def _fetch_records(self, refs: list[VulnerabilityRef]) -> dict[str, OsvRecord]:
        if len(refs) <= 1:
            return {ref.id: self._fetch_record(ref) for ref in refs}
        pool = ThreadPoolExecutor(max_workers=min(_FETCH_THREADS, len(refs)), thread_name_prefix="osv")
        try:
            return dict(zip((ref.id for ref in refs), pool.map(self._fetch_record, refs), strict=True))
        finally:
            # After a failure or Ctrl-C, fetches not yet started are dropped rather than awaited.
            pool.shutdown(wait=False, cancel_futures=True)

    def _fetch_record(self, ref: VulnerabilityRef) -> OsvRecord:
        url = f"{self.base_url}/v1/vulns/{quote(ref.id, safe='')}"
        cache = self.http.cache
        if cache is not None and ref.modified is not None and not self.http.settings.offline:
            # A stored record as new as the batch answer says is current, however old the copy:
            # the service's `modified` is the freshness check, not a time to live.
            page = cache.get_page(url, _ACCEPT)
            if page is not None:
                data = _decode(page.content)
                if page.status == 200 and isinstance(data, Mapping) and data.get("modified") == ref.modified:
                    return self._parse(data, url)
                # Outdated: get_page would still serve it while fresh by its headers.
                cache.drop_page(url, _ACCEPT)
        try:
            response = self.http.get_page(url, accept=_ACCEPT, index=SERVICE, package=None)
        except IndexUnavailableError as exc:
            raise OsvApiError(url=exc.url, reason=exc.reason) from None
        if response.status == 404:
            raise OsvApiError(
                url=redact(url), reason=f"it lists {ref.id} as affecting a release but has no record of it"
            )
        if response.status != 200:
            raise OsvApiError(url=redact(url), reason=f"HTTP {response.status}")
        data = _decode(response.content)
        if not isinstance(data, Mapping):
            if cache is not None:
                cache.drop_page(url, _ACCEPT)
            raise OsvApiError(url=redact(url), reason="the answer is not an OSV record in JSON")
        return self._parse(data, url)

    def _parse(self, data: Mapping[str, Any], url: str) -> OsvRecord:
        try:
            return parse_record(data, source=redact(url))
        except OsvRecordError as exc:
            if self.http.cache is not None:
                self.http.cache.drop_page(url, _ACCEPT)
            where = f" at {exc.key}" if exc.key else ""
            raise OsvApiError(
                url=redact(url),
                reason=f"the record cannot be read ({exc.problem}{where})",
                fix="try again later; if it persists, report the record to https://github.com/google/osv.dev",
            ) from None


def _release_query(name: NormalizedName, version: Version) -> dict[str, Any]:
    """The query for one release: the records the service finds affecting it."""
    return {"package": {"name": name, "ecosystem": PYPI}, "version": version.public}


def _package_query(name: NormalizedName) -> dict[str, Any]:
    """The query for a package without a version: every record naming it."""
    return {"package": {"name": name, "ecosystem": PYPI}}


def _read_result(result: object, *, url: str) -> tuple[list[VulnerabilityRef], str | None]:
    """The vulnerabilities of one query's result and its next page token; `{}` means none."""
    if not isinstance(result, Mapping):
        raise OsvApiError(url=url, reason=f"a result is not an object: {result!r}")
    vulns = result.get("vulns") or []
    token = result.get("next_page_token") or None
    if not isinstance(vulns, list) or (token is not None and not isinstance(token, str)):
        raise OsvApiError(url=url, reason=f"a result is not of the documented shape: {dict(result)!r}")
    refs = []
    for vuln in vulns:
        vuln_id = vuln.get("id") if isinstance(vuln, Mapping) else None
        if not isinstance(vuln_id, str) or not vuln_id:
            raise OsvApiError(url=url, reason=f"a vulnerability has no id: {vuln!r}")
        modified = vuln.get("modified")
        refs.append(VulnerabilityRef(vuln_id, modified if isinstance(modified, str) else None))
    return refs, token


def _decode(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _service_message(content: bytes) -> str:
    """The service's own explanation of a refusal (`{"code": 3, "message": "..."}`), when it gave one."""
    data = _decode(content)
    message = data.get("message") if isinstance(data, Mapping) else None
    return f": {message}" if isinstance(message, str) and message else ""


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
