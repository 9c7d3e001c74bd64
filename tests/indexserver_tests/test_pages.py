"""Tests of the simple-API pages: negotiation, JSON and HTML content, redirects, metadata files."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.indexserver import IndexServerFactory, Universe

JSON = "application/vnd.pypi.simple.v1+json"
V1_HTML = "application/vnd.pypi.simple.v1+html"
WHEEL = "requests-2.31.0-py3-none-any.whl"


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (JSON, JSON),
        (f"{JSON}, {V1_HTML};q=0.2, text/html;q=0.01", JSON),
        (f"{JSON};q=0.1, text/html", "text/html; charset=utf-8"),
        (f"text/html, {JSON}", "text/html; charset=utf-8"),
        ("application/vnd.pypi.simple.latest+json", JSON),
        (V1_HTML, V1_HTML),
        ("*/*", "text/html; charset=utf-8"),
        (f"*/*, {JSON}", JSON),
    ],
)
def test_content_negotiation_honours_q_values(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client, accept: str, content_type: str
) -> None:
    server = index_server({"pypi": universe})

    response = client.get(server.project_url("requests"), headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"


def test_without_json_the_index_answers_html_or_406(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe}, json=False)

    preferred = client.get(server.url(), headers={"Accept": f"{JSON}, text/html;q=0.01"})
    only_json = client.get(server.url(), headers={"Accept": JSON})

    assert preferred.headers["content-type"] == "text/html; charset=utf-8"
    assert only_json.status_code == 406
    assert only_json.text == f"406 Not Acceptable; this index offers: text/html, {V1_HTML}\n"


def test_json_project_page(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    page = client.get(server.project_url("Requests"), headers={"Accept": JSON}).json()

    metadata_sha256 = hashlib.sha256(server.metadata_bytes("pypi", WHEEL)).hexdigest()
    assert page["meta"] == {"api-version": "1.1"}
    assert page["name"] == "requests"
    assert page["versions"] == ["2.31.0"]
    assert page["files"][0] == {
        "filename": WHEEL,
        "url": server.file_url("pypi", WHEEL),
        "hashes": {"sha256": server.sha256("pypi", WHEEL)},
        "requires-python": ">=3.7,<4",
        "yanked": "bad <release> & co",
        "upload-time": "2023-05-22T15:12:44Z",
        "size": len(server.file_bytes("pypi", WHEEL)),
        "core-metadata": {"sha256": metadata_sha256},
        "dist-info-metadata": {"sha256": metadata_sha256},
    }
    assert page["files"][1]["filename"] == "requests-2.31.0.tar.gz"
    assert page["files"][1]["core-metadata"] is False


def test_html_project_page(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    page = client.get(server.project_url("requests"), headers={"Accept": "text/html"}).text

    metadata_sha256 = hashlib.sha256(server.metadata_bytes("pypi", WHEEL)).hexdigest()
    anchor = (
        f'<a href="{server.file_url("pypi", WHEEL)}#sha256={server.sha256("pypi", WHEEL)}" '
        'data-requires-python="&gt;=3.7,&lt;4" data-yanked="bad &lt;release&gt; &amp; co" '
        f'data-core-metadata="sha256={metadata_sha256}" data-dist-info-metadata="sha256={metadata_sha256}">'
        f"{WHEEL}</a><br />"
    )
    assert anchor in page
    assert '<meta name="pypi:repository-version" content="1.1">' in page


def test_root_lists_every_project(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    listing = client.get(server.url(), headers={"Accept": JSON}).json()
    html = client.get(server.url(), headers={"Accept": "text/html"}).text

    assert listing["projects"] == [
        {"name": "missing"},
        {"name": "Requests"},
        {"name": "unadvertised"},
        {"name": "urllib3"},
    ]
    assert '<a href="/pypi/simple/requests/">Requests</a>' in html


def test_non_normalised_names_redirect_and_unknown_ones_are_404(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})

    moved = client.get(f"{server.url()}Requests/")
    no_slash = client.get(f"{server.url()}requests")
    unknown = client.get(f"{server.url()}reqeusts/")

    assert (moved.status_code, moved.headers["location"]) == (301, "/pypi/simple/requests/")
    assert (no_slash.status_code, no_slash.headers["location"]) == (301, "/pypi/simple/requests/")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("project", "status", "on_page"),
    [("requests", 200, "hash"), ("unadvertised", 200, "absent"), ("missing", 404, "false")],
)
def test_metadata_files_follow_the_release_mode(
    index_server: IndexServerFactory,
    universe: Universe,
    client: httpx.Client,
    project: str,
    status: int,
    on_page: str,
) -> None:
    server = index_server({"pypi": universe})
    (wheel,) = (name for name in server.filenames(project=project) if name.endswith(".whl"))

    served = client.get(server.metadata_url("pypi", wheel))
    (entry,) = (
        file
        for file in client.get(server.project_url(project), headers={"Accept": JSON}).json()["files"]
        if file["filename"] == wheel
    )

    assert served.status_code == status
    if status == 200:
        assert served.content == server.metadata_bytes("pypi", wheel)
    if on_page == "absent":
        assert "core-metadata" not in entry
    elif on_page == "false":
        assert entry["core-metadata"] is False
    else:
        assert entry["core-metadata"] == {"sha256": hashlib.sha256(served.content).hexdigest()}


def test_pages_follow_a_universe_that_changes(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    before = client.get(server.project_url("urllib3"), headers={"Accept": JSON}).json()

    universe.add("urllib3", "2.1.0", requires_python=">=3.8")
    after = client.get(server.project_url("urllib3"), headers={"Accept": JSON}).json()

    assert before["versions"] == ["1.26.18", "2.0.7"]
    assert after["versions"] == ["1.26.18", "2.0.7", "2.1.0"]
    assert client.get(server.file_url("pypi", "urllib3-2.1.0-py3-none-any.whl")).status_code == 200


def test_several_indexes_and_relative_file_urls(
    index_server: IndexServerFactory, client: httpx.Client
) -> None:
    server = index_server(
        {"pypi": Universe.parse("demo 1.0"), "private": Universe.parse("demo 2.0")}, file_urls="relative"
    )

    page = client.get(server.project_url("demo", "private"), headers={"Accept": JSON})
    (wheel, _) = page.json()["files"]
    download = client.get(page.url.join(wheel["url"]))

    assert wheel["url"] == "../../files/demo-2.0-py3-none-any.whl"
    assert download.content == server.file_bytes("private", "demo-2.0-py3-none-any.whl")
    assert server.url("private").endswith("/private/simple/")


def test_raw_files_are_listed_and_served_as_given(
    index_server: IndexServerFactory, client: httpx.Client
) -> None:
    server = index_server("demo 1.0")
    server.universe().add_file("demo", "demo-0.9.win32.exe", b"MZ", yanked="old installer")
    server.universe().add_file("demo", "demo-0.8-py3-none-any.whl", b"PK crafted", metadata=b"Name: demo\n")

    page = client.get(server.project_url("demo"), headers={"Accept": JSON}).json()

    assert [file["filename"] for file in page["files"]] == [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-0.9.win32.exe",
        "demo-0.8-py3-none-any.whl",
    ]
    assert page["versions"] == ["0.8", "1.0"]
    assert page["files"][2]["yanked"] == "old installer"
    assert client.get(server.file_url("pypi", "demo-0.9.win32.exe")).content == b"MZ"
    assert client.get(server.metadata_url("pypi", "demo-0.8-py3-none-any.whl")).content == b"Name: demo\n"
