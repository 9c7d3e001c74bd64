"""The OSV API client against a local server speaking the OSV protocol: batches, pages, retries, the cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.knowledge.osv_server import OsvServer, load_records
from thoth_cli.errors import ExitCode
from thoth_cli.index.cache import Cache
from thoth_cli.index.errors import OfflineMissError
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.knowledge.osv_api import BATCH_SIZE, OsvApi, OsvApiError

# Tiny pauses between attempts: the tests check what is retried, not how long it waits.
FAST = HttpSettings(timeout=5.0, retries=3, backoff=0.001, backoff_cap=0.001)
AFFECTED = {
    ("requests", "2.30.0"): ["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"],
    ("urllib3", "2.0.5"): ["PYSEC-2023-192", "PYSEC-2023-212"],
    ("jinja2", "3.1.2"): ["GHSA-h5c8-rqwp-cp95"],
}
REQUESTS = canonicalize_name("requests")
URLLIB3 = canonicalize_name("urllib3")
JINJA2 = canonicalize_name("jinja2")
IDNA = canonicalize_name("idna")
PROXY_LEAK = Advisory(
    id="PYSEC-2023-74",
    package=REQUESTS,
    summary="Requests is a HTTP library.",
    aliases=("GHSA-j8r2-6x86-q33q", "CVE-2023-32681"),
    fixed=(Version("2.31.0"),),
    link="https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
)
XMLATTR = Advisory(
    id="GHSA-h5c8-rqwp-cp95",
    package=JINJA2,
    summary="Jinja vulnerable to HTML attribute injection when passing user input as keys to xmlattr filter",
    aliases=("CVE-2024-22195",),
    fixed=(Version("3.1.3"),),
    link="https://nvd.nist.gov/vuln/detail/CVE-2024-22195",
)
UNAVAILABLE_FIX = (
    "\n  fix: check the network connection and the OSV API URL (--osv-url), read a local copy of the "
    "advisory database instead (--advisories DIR), or pass --offline to use only cached advisories"
)


class Clock:
    """A clock the test moves by hand, so freshness never depends on how fast the test runs."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    with OsvServer(records=load_records(), affected=AFFECTED) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Runs:
    """Makes one OsvApi per simulated run, all on the test's cache, and closes their clients."""

    def __init__(self, cache: Cache, clock: Clock, server: OsvServer) -> None:
        self.cache = cache
        self.clock = clock
        self.server = server
        self.clients: list[HttpClient] = []

    def api(self, settings: HttpSettings = FAST, *, cache: bool = True) -> OsvApi:
        client = HttpClient(settings, self.cache if cache else None, clock=self.clock)
        self.clients.append(client)
        return OsvApi(client, base_url=self.server.url, clock=self.clock)

    def close(self) -> None:
        for client in self.clients:
            client.close()


@pytest.fixture
def runs(tmp_path: Path, clock: Clock, osv: OsvServer) -> Iterator[Runs]:
    made = Runs(Cache(tmp_path / "cache"), clock, osv)
    yield made
    made.close()


def test_prefetch_asks_one_batch_then_answers_from_memory(runs: Runs, osv: OsvServer) -> None:
    api = runs.api()
    api.prefetch([("Jinja2", Version("3.1.2")), (IDNA, Version("3.4")), (REQUESTS, Version("2.30.0"))])
    assert osv.queried() == [("jinja2", "3.1.2", None), ("idna", "3.4", None), ("requests", "2.30.0", None)]
    fetched = sorted(request.path for request in osv.requests if request.method == "GET")
    assert fetched == [
        "/v1/vulns/GHSA-h5c8-rqwp-cp95",
        "/v1/vulns/GHSA-j8r2-6x86-q33q",
        "/v1/vulns/PYSEC-2023-74",
    ]
    asked = len(osv.requests)

    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert api.advisories_for(IDNA, Version("3.4")) == ()
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert len(osv.requests) == asked


def test_the_batch_asks_with_the_documented_payload(runs: Runs, osv: OsvServer) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    (batch,) = osv.requests_to("/v1/querybatch")
    assert batch.method == "POST"
    assert batch.body == {
        "queries": [{"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.2"}]
    }


def test_a_release_no_prefetch_covered_is_asked_alone(runs: Runs, osv: OsvServer) -> None:
    api = runs.api()
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert api.advisories_for(JINJA2, Version("3.1.3")) == ()
    assert osv.queried() == [("jinja2", "3.1.2", None), ("jinja2", "3.1.3", None)]


def test_a_pysec_and_a_ghsa_record_of_one_vulnerability_are_reported_once(runs: Runs) -> None:
    assert runs.api().advisories_for(REQUESTS, Version("2.30.0")) == (PROXY_LEAK,)


def test_a_local_build_is_asked_about_as_its_release(runs: Runs, osv: OsvServer) -> None:
    found = runs.api().advisories_for(JINJA2, Version("3.1.2+local.1"))
    assert found == (XMLATTR,)
    assert osv.queried() == [("jinja2", "3.1.2", None)]


def test_records_the_service_lists_are_checked_against_the_version(runs: Runs) -> None:
    # The service lists PYSEC-2023-192 for urllib3 2.0.5, but the record itself says 2.0.5 is
    # affected only up to its fix at 2.0.6: the record is read, and it does affect 2.0.5.
    found = runs.api().advisories_for(URLLIB3, Version("2.0.5"))
    assert [advisory.id for advisory in found] == ["PYSEC-2023-192", "PYSEC-2023-212"]
    assert found[0].fixed == (Version("1.26.17"), Version("2.0.6"))
    assert found[1].fixed == (Version("1.26.18"), Version("2.0.7"))


def test_a_record_listed_for_a_release_it_does_not_affect_is_not_reported(tmp_path: Path) -> None:
    # A service (or a stale answer) naming a record whose ranges exclude the release: the record wins.
    affected = {("jinja2", "3.1.3"): ["GHSA-h5c8-rqwp-cp95"]}
    with (
        OsvServer(records=load_records(), affected=affected) as server,
        HttpClient(FAST, Cache(tmp_path / "cache")) as client,
    ):
        assert OsvApi(client, base_url=server.url).advisories_for(JINJA2, Version("3.1.3")) == ()


def test_pages_are_followed_with_their_tokens(osv: OsvServer, runs: Runs) -> None:
    osv.page_size = 1
    found = runs.api().advisories_for(URLLIB3, Version("2.0.5"))
    assert [advisory.id for advisory in found] == ["PYSEC-2023-192", "PYSEC-2023-212"]
    assert osv.queried() == [("urllib3", "2.0.5", None), ("urllib3", "2.0.5", "1")]


def test_only_queries_with_more_pages_are_asked_again(osv: OsvServer, runs: Runs) -> None:
    osv.page_size = 1
    runs.api().prefetch([(URLLIB3, Version("2.0.5")), (JINJA2, Version("3.1.2")), (IDNA, Version("3.4"))])
    assert osv.queried() == [
        ("urllib3", "2.0.5", None),
        ("jinja2", "3.1.2", None),
        ("idna", "3.4", None),
        ("urllib3", "2.0.5", "1"),
    ]


def test_more_releases_than_a_batch_holds_are_split(runs: Runs, osv: OsvServer) -> None:
    releases = [(IDNA, Version(f"1.{minor}")) for minor in range(BATCH_SIZE)] + [(JINJA2, Version("3.1.2"))]
    api = runs.api()
    api.prefetch(releases)
    batches = osv.requests_to("/v1/querybatch")
    assert [len(batch.body["queries"]) for batch in batches] == [BATCH_SIZE, 1]
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)


def test_a_server_error_is_retried(osv: OsvServer, runs: Runs) -> None:
    osv.fail("/v1/querybatch", 500)
    osv.fail("/v1/vulns/GHSA-h5c8-rqwp-cp95", 503)
    assert runs.api().advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert len(osv.requests_to("/v1/querybatch")) == 2
    assert len(osv.requests_to("/v1/vulns/GHSA-h5c8-rqwp-cp95")) == 2


def test_a_batch_that_keeps_failing_names_the_osv_api(osv: OsvServer, runs: Runs) -> None:
    osv.fail("/v1/querybatch", 500, times=3)
    with pytest.raises(OsvApiError) as caught:
        runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    assert str(caught.value) == (
        f"could not get security advisories from the OSV API ({osv.url}/v1/querybatch): "
        "HTTP 500 Internal Server Error after 3 attempts" + UNAVAILABLE_FIX
    )
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    assert len(osv.requests_to("/v1/querybatch")) == 3


def test_a_record_that_keeps_failing_names_the_osv_api(osv: OsvServer, runs: Runs) -> None:
    osv.fail("/v1/vulns/GHSA-h5c8-rqwp-cp95", 502, times=3)
    with pytest.raises(OsvApiError) as caught:
        runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    assert str(caught.value) == (
        f"could not get security advisories from the OSV API ({osv.url}/v1/vulns/GHSA-h5c8-rqwp-cp95): "
        "HTTP 502 Bad Gateway after 3 attempts" + UNAVAILABLE_FIX
    )


def test_a_refused_query_is_not_retried_and_quotes_the_service(osv: OsvServer, runs: Runs) -> None:
    osv.fail("/v1/querybatch", 400)
    with pytest.raises(OsvApiError) as caught:
        runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    assert str(caught.value) == (
        f"could not get security advisories from the OSV API ({osv.url}/v1/querybatch): "
        "HTTP 400 Bad Request: injected failure" + UNAVAILABLE_FIX
    )
    assert len(osv.requests_to("/v1/querybatch")) == 1


def test_a_listed_record_the_service_does_not_have_is_an_error(tmp_path: Path) -> None:
    records = load_records("GHSA-h5c8-rqwp-cp95")
    affected = {("jinja2", "3.1.2"): ["GHSA-h5c8-rqwp-cp95"]}
    with OsvServer(records=records, affected=affected) as server:
        del server.records["GHSA-h5c8-rqwp-cp95"]
        with HttpClient(FAST, None) as client, pytest.raises(OsvApiError) as caught:
            OsvApi(client, base_url=server.url).prefetch([(JINJA2, Version("3.1.2"))])
    assert (
        caught.value.reason == "it lists GHSA-h5c8-rqwp-cp95 as affecting a release but has no record of it"
    )


def test_a_run_within_the_ttl_asks_nothing(runs: Runs, osv: OsvServer, clock: Clock) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2")), (IDNA, Version("3.4"))])
    asked = len(osv.requests)
    clock.now += 60
    api = runs.api()
    api.prefetch([(JINJA2, Version("3.1.2")), (IDNA, Version("3.4"))])
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert api.advisories_for(IDNA, Version("3.4")) == ()
    assert len(osv.requests) == asked


def test_after_the_ttl_the_batch_is_asked_again_but_unchanged_records_are_not(
    runs: Runs, osv: OsvServer, clock: Clock
) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    clock.now += FAST.ttl + 1
    osv.requests.clear()
    assert runs.api().advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert [request.path for request in osv.requests] == ["/v1/querybatch"]


def test_a_record_the_batch_says_changed_is_fetched_again(runs: Runs, osv: OsvServer, clock: Clock) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    clock.now += FAST.ttl + 1
    changed = dict(osv.records["GHSA-h5c8-rqwp-cp95"])
    changed["modified"] = "2024-02-01T00:00:00Z"
    changed["summary"] = "Jinja's xmlattr filter accepts keys with spaces"
    osv.records["GHSA-h5c8-rqwp-cp95"] = changed
    osv.requests.clear()
    (found,) = runs.api().advisories_for(JINJA2, Version("3.1.2"))
    assert found.summary == "Jinja's xmlattr filter accepts keys with spaces"
    assert [request.path for request in osv.requests] == ["/v1/querybatch", "/v1/vulns/GHSA-h5c8-rqwp-cp95"]


def test_offline_after_a_cached_run_uses_only_the_cache(runs: Runs, osv: OsvServer, clock: Clock) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2")), (REQUESTS, Version("2.30.0")), (IDNA, Version("3.4"))])
    clock.now += 30 * 86400  # stale: offline uses it all the same
    osv.requests.clear()
    api = runs.api(HttpSettings(offline=True))
    api.prefetch([(JINJA2, Version("3.1.2")), (REQUESTS, Version("2.30.0")), (IDNA, Version("3.4"))])
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert api.advisories_for(IDNA, Version("3.4")) == ()
    assert api.advisories_for(REQUESTS, Version("2.30.0")) == (PROXY_LEAK,)
    assert osv.requests == []


def test_offline_a_release_never_asked_about_is_an_error_that_says_so(runs: Runs, osv: OsvServer) -> None:
    runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    osv.requests.clear()
    api = runs.api(HttpSettings(offline=True))
    api.prefetch([(JINJA2, Version("3.1.2")), (JINJA2, Version("3.1.3"))])
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    with pytest.raises(OfflineMissError) as caught:
        api.advisories_for(JINJA2, Version("3.1.3"))
    assert str(caught.value) == (
        "--offline: no cached copy of the OSV API's advisories for jinja2 3.1.3\n"
        "  fix: run once without --offline to fill the cache"
    )
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    assert osv.requests == []


def test_without_a_cache_every_run_asks_again(runs: Runs, osv: OsvServer) -> None:
    runs.api(cache=False).prefetch([(JINJA2, Version("3.1.2"))])
    runs.api(cache=False).prefetch([(JINJA2, Version("3.1.2"))])
    assert len(osv.requests_to("/v1/querybatch")) == 2
    assert len(osv.requests_to("/v1/vulns/GHSA-h5c8-rqwp-cp95")) == 2


def test_a_record_that_breaks_the_schema_is_an_osv_api_error_and_is_not_kept(
    runs: Runs, osv: OsvServer, clock: Clock
) -> None:
    broken = dict(osv.records["GHSA-h5c8-rqwp-cp95"])
    broken["affected"] = {"package": {"ecosystem": "PyPI", "name": "jinja2"}}
    osv.records["GHSA-h5c8-rqwp-cp95"] = broken
    with pytest.raises(OsvApiError) as caught:
        runs.api().prefetch([(JINJA2, Version("3.1.2"))])
    assert caught.value.reason == "the record cannot be read (expected a list at affected)"
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    # Once the service serves a good record again, the next run reads it instead of the bad copy.
    osv.records["GHSA-h5c8-rqwp-cp95"] = load_records("GHSA-h5c8-rqwp-cp95")["GHSA-h5c8-rqwp-cp95"]
    assert runs.api().advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)


def test_a_page_token_handed_out_twice_stops_the_paging(runs: Runs, osv: OsvServer) -> None:
    osv.page_size = 1
    osv.repeat_tokens = True
    with pytest.raises(OsvApiError) as caught:
        runs.api().prefetch([(URLLIB3, Version("2.0.5"))])
    assert caught.value.reason == "the page token '1' came back twice"


# By package: one query per package, its versions matched here ------------------------------------


def by_package(runs: Runs, settings: HttpSettings = FAST) -> OsvApi:
    client = HttpClient(settings, runs.cache, clock=runs.clock)
    runs.clients.append(client)
    return OsvApi(client, base_url=runs.server.url, by_package=True, clock=runs.clock)


def ids(found: tuple[Advisory, ...]) -> list[str]:
    return [advisory.id for advisory in found]


def test_by_package_many_versions_cost_one_query_without_a_version(runs: Runs, osv: OsvServer) -> None:
    api = by_package(runs)
    answers = {
        version: ids(api.advisories_for(URLLIB3, Version(version)))
        for version in ("1.26.16", "1.26.17", "1.26.18", "2.0.5", "2.0.6", "2.0.7")
    }
    assert answers == {
        "1.26.16": ["PYSEC-2023-192", "PYSEC-2023-212"],
        "1.26.17": ["PYSEC-2023-212"],
        "1.26.18": [],
        "2.0.5": ["PYSEC-2023-192", "PYSEC-2023-212"],
        "2.0.6": ["PYSEC-2023-212"],
        "2.0.7": [],
    }
    (batch,) = osv.requests_to("/v1/querybatch")
    assert batch.body == {"queries": [{"package": {"name": "urllib3", "ecosystem": "PyPI"}}]}
    fetched = sorted(request.path for request in osv.requests if request.method == "GET")
    assert fetched == [
        "/v1/vulns/GHSA-g4mx-q9vg-27p4",
        "/v1/vulns/PYSEC-2023-192",
        "/v1/vulns/PYSEC-2023-212",
    ]


def test_by_package_aliased_records_are_reported_once(runs: Runs) -> None:
    (found,) = by_package(runs).advisories_for(URLLIB3, Version("2.0.6"))
    assert found == Advisory(
        id="PYSEC-2023-212",
        package=URLLIB3,
        summary=found.summary,
        aliases=("GHSA-g4mx-q9vg-27p4", "CVE-2023-45803"),
        fixed=(Version("1.26.18"), Version("2.0.7")),
        link=found.link,
    )
    assert found.summary


def test_by_package_a_package_without_records_is_asked_once(runs: Runs, osv: OsvServer) -> None:
    api = by_package(runs)
    assert api.advisories_for(IDNA, Version("3.4")) == ()
    assert api.advisories_for(IDNA, Version("3.6")) == ()
    assert osv.queried() == [("idna", None, None)]
    assert [request.method for request in osv.requests] == ["POST"]


def test_by_package_expected_names_join_the_next_query(runs: Runs, osv: OsvServer) -> None:
    api = by_package(runs)
    api.expect(["Jinja2", "requests", "urllib3"])
    assert api.advisories_for(URLLIB3, Version("2.0.7")) == ()
    assert osv.queried() == [("urllib3", None, None), ("jinja2", None, None), ("requests", None, None)]
    asked = len(osv.requests)

    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert api.advisories_for(REQUESTS, Version("2.30.0")) == (PROXY_LEAK,)
    assert api.advisories_for(REQUESTS, Version("2.31.0")) == ()
    assert len(osv.requests) == asked


def test_expect_is_ignored_by_release(runs: Runs, osv: OsvServer) -> None:
    api = runs.api()
    api.expect(["requests"])
    assert api.advisories_for(JINJA2, Version("3.1.2")) == (XMLATTR,)
    assert osv.queried() == [("jinja2", "3.1.2", None)]


def test_by_package_prefetch_asks_for_the_packages_of_the_releases(runs: Runs, osv: OsvServer) -> None:
    api = by_package(runs)
    api.prefetch([(JINJA2, Version("3.1.2")), (JINJA2, Version("3.1.3")), (IDNA, Version("3.4"))])
    assert osv.queried() == [("jinja2", None, None), ("idna", None, None)]
    asked = len(osv.requests)
    assert api.advisories_for(JINJA2, Version("3.1.3")) == ()
    assert len(osv.requests) == asked


def test_by_package_pages_are_followed(osv: OsvServer, runs: Runs) -> None:
    osv.page_size = 2
    found = by_package(runs).advisories_for(URLLIB3, Version("2.0.5"))
    assert ids(found) == ["PYSEC-2023-192", "PYSEC-2023-212"]
    assert osv.queried() == [("urllib3", None, None), ("urllib3", None, "2")]


def test_by_package_a_later_run_within_the_ttl_asks_nothing(runs: Runs, osv: OsvServer, clock: Clock) -> None:
    by_package(runs).advisories_for(URLLIB3, Version("2.0.5"))
    clock.now += 60
    osv.requests.clear()
    assert ids(by_package(runs).advisories_for(URLLIB3, Version("2.0.6"))) == ["PYSEC-2023-212"]
    assert osv.requests == []


def test_by_package_package_and_release_answers_are_cached_apart(runs: Runs, osv: OsvServer) -> None:
    # A release answer lists what affects one version: it must not pass for the package's records.
    runs.api().advisories_for(URLLIB3, Version("2.0.7"))
    osv.requests.clear()
    assert ids(by_package(runs).advisories_for(URLLIB3, Version("2.0.5"))) == [
        "PYSEC-2023-192",
        "PYSEC-2023-212",
    ]
    assert osv.queried() == [("urllib3", None, None)]


def test_by_package_offline_uses_the_cache_and_names_what_it_lacks(
    runs: Runs, osv: OsvServer, clock: Clock
) -> None:
    by_package(runs).advisories_for(URLLIB3, Version("2.0.5"))
    clock.now += 30 * 86400  # stale: offline uses it all the same
    osv.requests.clear()
    api = by_package(runs, HttpSettings(offline=True))
    api.expect(["jinja2"])
    assert ids(api.advisories_for(URLLIB3, Version("1.26.17"))) == ["PYSEC-2023-212"]
    with pytest.raises(OfflineMissError) as caught:
        api.advisories_for(JINJA2, Version("3.1.2"))
    assert str(caught.value) == (
        "--offline: no cached copy of the OSV API's advisories for jinja2\n"
        "  fix: run once without --offline to fill the cache"
    )
    assert osv.requests == []


def test_by_package_a_failed_query_is_asked_again_next_time(osv: OsvServer, runs: Runs) -> None:
    osv.fail("/v1/querybatch", 500, times=3)
    api = by_package(runs)
    api.expect(["jinja2"])
    with pytest.raises(OsvApiError) as caught:
        api.advisories_for(URLLIB3, Version("2.0.5"))
    assert caught.value.reason == "HTTP 500 Internal Server Error after 3 attempts"
    assert ids(api.advisories_for(URLLIB3, Version("2.0.5"))) == ["PYSEC-2023-192", "PYSEC-2023-212"]
    assert osv.queried()[-2:] == [("urllib3", None, None), ("jinja2", None, None)]


def test_by_package_threads_asking_together_share_one_query(runs: Runs, osv: OsvServer) -> None:
    api = by_package(runs)
    start = threading.Barrier(8)
    versions = ["1.26.16", "1.26.17", "1.26.18", "2.0.4", "2.0.5", "2.0.6", "2.0.7", "2.1.0"]

    def ask(version: str) -> list[str]:
        start.wait()
        api.expect(["jinja2"])
        return ids(api.advisories_for(URLLIB3, Version(version)))

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(versions, pool.map(ask, versions), strict=True))
    assert answers["2.0.4"] == ["PYSEC-2023-192", "PYSEC-2023-212"]
    assert answers["2.0.6"] == ["PYSEC-2023-212"]
    assert answers["2.1.0"] == []
    # The first thread in asks once, for urllib3 and the name it announced; the others wait for it.
    assert osv.queried() == [("urllib3", None, None), ("jinja2", None, None)]
