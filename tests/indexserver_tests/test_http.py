"""Tests of the server's HTTP behaviour: revalidation, ranges, HEAD, options, auth, keep-alive."""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.indexserver import IndexServerFactory, Universe

WHEEL = "requests-2.31.0-py3-none-any.whl"


def test_pages_revalidate_with_etag_and_last_modified(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    first = client.get(server.project_url("urllib3"))

    by_etag = client.get(server.project_url("urllib3"), headers={"If-None-Match": first.headers["etag"]})
    by_date = client.get(
        server.project_url("urllib3"), headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert first.headers["cache-control"] == "max-age=600, public"
    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_etag.headers["etag"] == first.headers["etag"]
    assert by_date.status_code == 304
    assert [record.status for record in server.requests] == [200, 304, 304]


def test_a_changed_page_gets_a_new_etag_and_a_later_date(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    first = client.get(server.project_url("urllib3"))

    universe.add("urllib3", "2.1.0")
    by_etag = client.get(server.project_url("urllib3"), headers={"If-None-Match": first.headers["etag"]})
    by_date = client.get(
        server.project_url("urllib3"), headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert by_etag.status_code == 200
    assert by_etag.headers["etag"] != first.headers["etag"]
    assert by_date.status_code == 200
    assert "urllib3-2.1.0.tar.gz" in by_date.text


def test_caching_headers_can_be_stripped_mid_test(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    first = client.get(server.project_url("urllib3"))

    server.options(cache_headers=False)
    second = client.get(server.project_url("urllib3"), headers={"If-None-Match": first.headers["etag"]})

    assert second.status_code == 200
    assert not {"cache-control", "etag", "last-modified"} & set(second.headers)


def test_files_have_immutable_caching_headers(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    response = client.get(server.file_url("pypi", WHEEL))

    assert response.headers["cache-control"] == "max-age=365000000, immutable, public"
    assert response.headers["etag"] == f'"{server.sha256("pypi", WHEEL)}"'
    assert response.headers["last-modified"] == "Mon, 22 May 2023 15:12:44 GMT"


@pytest.mark.parametrize(
    ("requested", "content_range", "cut"),
    [
        ("bytes=0-9", "bytes 0-9/{size}", slice(0, 10)),
        ("bytes=-22", "bytes {start}-{end}/{size}", slice(-22, None)),
    ],
)
def test_range_requests(
    index_server: IndexServerFactory,
    universe: Universe,
    client: httpx.Client,
    requested: str,
    content_range: str,
    cut: slice,
) -> None:
    server = index_server({"pypi": universe})
    whole = server.file_bytes("pypi", WHEEL)

    response = client.get(server.file_url("pypi", WHEEL), headers={"Range": requested})

    size = len(whole)
    assert response.status_code == 206
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-range"] == content_range.format(size=size, start=size - 22, end=size - 1)
    assert response.content == whole[cut]


def test_without_range_support_the_whole_file_comes_back(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe}, range_requests=False)

    response = client.get(server.file_url("pypi", WHEEL), headers={"Range": "bytes=-22"})

    assert response.status_code == 200
    assert "accept-ranges" not in response.headers
    assert response.content == server.file_bytes("pypi", WHEEL)


def test_an_unsatisfiable_range_is_416(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    size = len(server.file_bytes("pypi", WHEEL))

    response = client.get(server.file_url("pypi", WHEEL), headers={"Range": f"bytes={size}-"})

    assert (response.status_code, response.headers["content-range"]) == (416, f"bytes */{size}")


def test_head_answers_headers_only(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    response = client.head(server.file_url("pypi", WHEEL))

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(server.file_bytes("pypi", WHEEL)))
    assert server.requests[-1].method == "HEAD"


def test_an_index_can_require_basic_auth(index_server: IndexServerFactory, client: httpx.Client) -> None:
    server = index_server(
        {"pypi": Universe.parse("demo 1.0"), "private": Universe.parse("secret 1.0")},
        auth={"private": ("alice", "s3cret")},
    )

    anonymous = client.get(server.url("private"))
    wrong = client.get(server.url("private"), auth=("alice", "guess"))
    right = client.get(server.url("private"), auth=("alice", "s3cret"))

    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, 'Basic realm="private"')
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert client.get(server.url("pypi")).status_code == 200
    assert server.requests[-2].headers["Authorization"] == "Basic YWxpY2U6czNjcmV0"


def test_connections_are_kept_alive(index_server: IndexServerFactory, universe: Universe) -> None:
    server = index_server({"pypi": universe})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        statuses = []
        sockets = set()
        for path in ("/pypi/simple/", "/pypi/simple/urllib3/", f"/pypi/files/{WHEEL}"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            sockets.add(id(connection.sock))
    finally:
        connection.close()

    assert statuses == [200, 200, 200]
    assert len(sockets) == 1


def test_concurrent_clients_while_the_universe_grows(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    paths = [server.project_url("urllib3"), server.file_url("pypi", WHEEL), server.url()] * 10

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = pool.map(lambda url: client.get(url).status_code, paths)
        universe.add("urllib3", "2.1.0")

    assert set(statuses) == {200}
    assert len(server.requests) == len(paths)
