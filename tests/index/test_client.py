"""Tests for the multi-index client: strategies, index pinning, suggestions, memo and prefetch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.indexserver import Fault, IndexServer, IndexServerFactory, Universe
from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient, IndexStrategy, NoIndexForPackageError, UnknownIndexError
from thoth_cli.index.errors import IndexUnavailableError, PackageNotFoundError
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import IndexSpec, MetadataSource

PUBLIC = """
shared 1.0 2.0
requests 2.31.0: urllib3>=1.21
requestz 1.0
requests3 1.0
urllib3 2.0.7
"""
PRIVATE = """
shared 1.5
internal 1.0
"""


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpClient]:
    with HttpClient(HttpSettings(retries=1, backoff=0), Cache(tmp_path / "cache")) as client:
        yield client


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server({"pypi": Universe.parse(PUBLIC), "private": Universe.parse(PRIVATE)})


def _specs(server: IndexServer, *names: str, explicit: frozenset[str] = frozenset()) -> list[IndexSpec]:
    return [IndexSpec(name, server.url(name), explicit=name in explicit) for name in names]


def _client(
    server: IndexServer,
    http: HttpClient,
    *names: str,
    strategy: IndexStrategy = IndexStrategy.FIRST_INDEX,
    explicit: frozenset[str] = frozenset(),
    max_workers: int = 4,
) -> IndexClient:
    return IndexClient(
        _specs(server, *names, explicit=explicit), http, strategy=strategy, max_workers=max_workers
    )


def test_first_index_takes_a_name_from_the_first_index_that_has_it(
    server: IndexServer, http: HttpClient
) -> None:
    with _client(server, http, "private", "pypi") as client:
        page = client.project("shared")

    assert page.index.name == "private"
    assert [(file.filename, file.index) for file in page.files] == [
        ("shared-1.5-py3-none-any.whl", "private"),
        ("shared-1.5.tar.gz", "private"),
    ]
    # The public index is never asked: a same-named upload there cannot shadow the private one.
    assert server.requests_to("/pypi/simple/shared/") == []


def test_first_index_moves_on_when_an_index_lacks_the_name(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "private", "pypi") as client:
        page = client.project("Requests")

    assert page.index.name == "pypi"
    assert [record.status for record in server.requests_to("/private/simple/requests/")] == [404]


def test_unsafe_best_match_merges_every_index_in_index_then_filename_order(
    server: IndexServer, http: HttpClient
) -> None:
    with _client(server, http, "pypi", "private", strategy=IndexStrategy.UNSAFE_BEST_MATCH) as client:
        page = client.project("shared")

    assert [(file.filename, file.index) for file in page.files] == [
        ("shared-1.0-py3-none-any.whl", "pypi"),
        ("shared-1.0.tar.gz", "pypi"),
        ("shared-2.0-py3-none-any.whl", "pypi"),
        ("shared-2.0.tar.gz", "pypi"),
        ("shared-1.5-py3-none-any.whl", "private"),
        ("shared-1.5.tar.gz", "private"),
    ]
    assert page.versions == ("1.0", "2.0", "1.5")


def test_a_pinned_package_comes_only_from_its_index(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "private", "pypi", strategy=IndexStrategy.UNSAFE_BEST_MATCH) as client:
        page = client.project("shared", index="pypi")

    assert page.index.name == "pypi"
    assert {file.index for file in page.files} == {"pypi"}
    assert server.requests_to("/private/*") == []


def test_a_pinned_package_missing_from_its_index_is_not_looked_for_elsewhere(
    server: IndexServer, http: HttpClient
) -> None:
    with _client(server, http, "private", "pypi") as client, pytest.raises(PackageNotFoundError) as caught:
        client.project("internal", index="pypi")

    assert str(caught.value) == "package 'internal' not found on index 'pypi'"
    assert caught.value.indexes == ("pypi",)
    assert server.requests_to("/private/*") == []


def test_an_explicit_index_serves_only_packages_pinned_to_it(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "private", "pypi", explicit=frozenset({"private"})) as client:
        shared = client.project("shared")
        internal = client.project("internal", index="private")
        with pytest.raises(PackageNotFoundError) as caught:
            client.project("internal")

    assert shared.index.name == "pypi"
    assert internal.index.name == "private"
    assert str(caught.value) == "package 'internal' not found on index 'pypi'"
    assert server.requests_to("/private/simple/shared/") == []


def test_an_unknown_package_gets_up_to_three_close_names(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "private", "pypi") as client:
        with pytest.raises(PackageNotFoundError) as caught:
            client.project("Requets")
        with pytest.raises(PackageNotFoundError):
            client.project("requetz")

    assert str(caught.value) == (
        "package 'requets' not found on indexes 'private', 'pypi'\n"
        "  fix: did you mean 'requests' or 'requests3' or 'requestz'?"
    )
    assert caught.value.suggestions == ("requests", "requests3", "requestz")
    # The root listings are read once per run, however many names are missing.
    assert len(server.requests_to("/pypi/simple/")) == 1
    assert len(server.requests_to("/private/simple/")) == 1


def test_an_unknown_package_with_no_close_name_gets_no_suggestion(
    server: IndexServer, http: HttpClient
) -> None:
    with _client(server, http, "pypi") as client, pytest.raises(PackageNotFoundError) as caught:
        client.project("zzzzzz")

    assert str(caught.value) == "package 'zzzzzz' not found on index 'pypi'"


def test_a_pin_to_an_unconfigured_index_is_an_input_error(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "private", "pypi") as client, pytest.raises(UnknownIndexError) as caught:
        client.project("shared", index="mirror")

    assert str(caught.value) == (
        "package 'shared' is pinned to index 'mirror', which is not configured (indexes: 'private', 'pypi')\n"
        "  fix: declare a source named 'mirror', or pin 'shared' to one of 'private', 'pypi'"
    )
    assert caught.value.exit_code == 4


def test_with_every_index_explicit_an_unpinned_package_has_nowhere_to_come_from(
    server: IndexServer, http: HttpClient
) -> None:
    explicit = frozenset({"private", "pypi"})
    with (
        _client(server, http, "private", "pypi", explicit=explicit) as client,
        pytest.raises(NoIndexForPackageError) as caught,
    ):
        client.project("shared")

    assert str(caught.value) == (
        "package 'shared' is not pinned to an index, and every index ('private', 'pypi') is explicit: "
        "only packages pinned to it may use it\n"
        "  fix: pin 'shared' to one of 'private', 'pypi', or make one of them a non-explicit source"
    )
    assert server.requests == []


def test_a_page_is_fetched_and_parsed_once_per_run(server: IndexServer, tmp_path: Path) -> None:
    # No cache at all, so only the memo can spare the second request.
    with (
        HttpClient(HttpSettings(retries=1, backoff=0), None) as http,
        _client(server, http, "pypi") as client,
    ):
        first = client.project("requests")
        second = client.project("REQUESTS")

    assert first is second
    assert len(server.requests_to("/pypi/simple/requests/")) == 1


def test_many_threads_asking_for_one_page_cause_one_request(server: IndexServer, tmp_path: Path) -> None:
    barrier = threading.Barrier(8)

    def ask(client: IndexClient) -> str:
        barrier.wait()
        return client.project("requests").files[0].filename

    with (
        HttpClient(HttpSettings(retries=1, backoff=0), None) as http,
        _client(server, http, "pypi") as client,
        ThreadPoolExecutor(8) as pool,
    ):
        answers = list(pool.map(ask, [client] * 8))

    assert answers == ["requests-2.31.0-py3-none-any.whl"] * 8
    assert len(server.requests_to("/pypi/simple/requests/")) == 1


def test_a_failed_page_fails_the_same_way_for_the_rest_of_the_run(
    server: IndexServer, http: HttpClient
) -> None:
    server.inject(Fault.status(503), path="/pypi/simple/requests/")

    with _client(server, http, "pypi") as client:
        with pytest.raises(IndexUnavailableError) as first:
            client.project("requests")
        with pytest.raises(IndexUnavailableError) as second:
            client.project("requests")

    assert second.value is first.value
    assert len(server.requests_to("/pypi/simple/requests/")) == 1


def test_prefetched_pages_are_not_fetched_again(server: IndexServer, tmp_path: Path) -> None:
    with (
        HttpClient(HttpSettings(retries=1, backoff=0), None) as http,
        _client(server, http, "pypi") as client,
    ):
        client.prefetch(["requests", "urllib3", "requests"])
        pages = [client.project("urllib3"), client.project("requests")]

    assert [page.name for page in pages] == ["urllib3", "requests"]
    assert len(server.requests_to("/pypi/simple/requests/")) == 1
    assert len(server.requests_to("/pypi/simple/urllib3/")) == 1


def test_prefetched_metadata_is_not_fetched_again(server: IndexServer, http: HttpClient) -> None:
    with _client(server, http, "pypi") as client:
        files = client.project("shared").files
        client.prefetch_metadata(files)
        client.prefetch_metadata(files)
        metadata = [client.metadata(file) for file in files]

    assert [(str(one.version), one.source) for one in metadata] == [
        ("1.0", MetadataSource.METADATA_FILE),
        ("1.0", MetadataSource.SDIST),
        ("2.0", MetadataSource.METADATA_FILE),
        ("2.0", MetadataSource.SDIST),
    ]
    for file in files:
        assert len(server.requests_to(f"/pypi/files/{file.filename}*")) == 1


def test_close_cancels_queued_work_and_does_not_wait_for_running_work(
    server: IndexServer, http: HttpClient
) -> None:
    # One worker, held up by a slow answer: everything behind it is still queued at close().
    server.inject(Fault.slow(2), path="/pypi/simple/requests/")
    client = _client(server, http, "pypi", max_workers=1)
    client.prefetch(["requests", "urllib3", "shared"])

    client.close()

    assert server.requests_to("/pypi/simple/requests/") == []
    with pytest.raises(RuntimeError, match="closed"):
        client.project("urllib3")
    client.close()
    assert server.requests_to("/pypi/simple/urllib3/") == []
    assert server.requests_to("/pypi/simple/shared/") == []


def test_index_names_must_be_unique(http: HttpClient) -> None:
    with pytest.raises(ValueError, match="unique"):
        IndexClient([IndexSpec("a", "https://a/simple/"), IndexSpec("a", "https://b/simple/")], http)


def test_suggestions_rank_by_edits_with_a_swap_counting_once() -> None:
    from thoth_cli.index.client import suggest

    names = ["reqwests", "requests", "yrequests", "numpy", "reqeusts-extra-long-name"]
    assert suggest("reqeusts", names) == ("requests", "reqwests")
    assert suggest("nmupy", names) == ("numpy",)
    assert suggest("zzzzzz", names) == ()


def test_an_index_named_by_url_joins_the_run_as_an_explicit_one(
    server: IndexServer, http: HttpClient
) -> None:
    client = IndexClient(_specs(server, "pypi"), http)
    url = server.url("private")
    page = client.project("internal", index=url.rstrip("/"))
    assert [str(v) for v in page.versions] == ["1.0"]
    added = client.indexes[-1]
    assert (added.name, added.url, added.explicit) == (url.rstrip("/"), url, True)
    # Explicit: a name asked of no index in particular is never taken from it.
    with pytest.raises(PackageNotFoundError):
        client.project("internal")


def test_an_unknown_index_name_that_is_no_url_is_still_refused(server: IndexServer, http: HttpClient) -> None:
    client = IndexClient(_specs(server, "pypi"), http)
    with pytest.raises(UnknownIndexError):
        client.project("internal", index="private")
