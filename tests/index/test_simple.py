"""Tests for fetching simple-API pages and parsing them into ProjectPage values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from tests.indexserver import Fault, IndexServerFactory, Universe
from thoth_cli.index.cache import Cache
from thoth_cli.index.errors import IndexUnavailableError
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import Hashes, IndexSpec
from thoth_cli.index.simple import (
    ACCEPT,
    InvalidPageError,
    fetch_project_page,
    fetch_root_names,
    parse_project_page,
    project_url,
)

JSON = "application/vnd.pypi.simple.v1+json"
HTML = "application/vnd.pypi.simple.v1+html"
SPEC = IndexSpec("pypi", "https://index.example/simple/")
PAGE_URL = "https://index.example/simple/demo/"
FIX = (
    "check that index 'pypi' points at a simple-API root (PEP 503/691); "
    "if it does, the index is broken: report it to whoever runs it"
)
SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture
def http() -> Iterator[HttpClient]:
    # No cache: each test sees exactly what the server sends now.
    with HttpClient(HttpSettings(retries=1, backoff=0), None) as client:
        yield client


def _demo_universe() -> Universe:
    universe = Universe()
    universe.add(
        "demo",
        "1.0",
        requires_python=">=3.8,<4",
        wheels=["py3-none-any", "cp311-cp311-manylinux_2_17_x86_64"],
        sdist=False,
    )
    universe.add("demo", "2.0", yanked="broken build", metadata="unadvertised", sdist=False)
    universe.add("demo", "3.0", yanked=True, sdist=False, upload_time="2024-05-06T07:08:09.123456Z")
    return universe


def _spec(server: Any, name: str = "pypi") -> IndexSpec:
    return IndexSpec(name, server.url(name))


def test_json_and_html_pages_describe_the_same_files(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_demo_universe())

    server.options(json=True, html=False)
    from_json = fetch_project_page(http, _spec(server), "demo")
    server.options(json=False, html=True)
    from_html = fetch_project_page(http, _spec(server), "demo")

    assert from_json is not None
    assert from_html is not None
    # HTML has no place for PEP 700's upload-time, size and versions.
    assert [replace(file, upload_time=None, size=None) for file in from_json.files] == list(from_html.files)
    assert from_json.versions == ("1.0", "2.0", "3.0")
    assert from_html.versions == ()
    assert [file.filename for file in from_json.files] == server.filenames("pypi", "demo")


def test_pages_are_asked_for_json_first_by_normalised_name(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    universe = Universe()
    universe.add("Foo.Bar_baz", "1.0")
    server = index_server(universe)

    page = fetch_project_page(http, _spec(server), "FOO_bar.baz")

    assert page is not None
    assert page.name == "foo-bar-baz"
    [request] = server.requests
    assert request.path == "/pypi/simple/foo-bar-baz/"
    assert request.headers["accept"] == ACCEPT
    assert ACCEPT == (
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
    )


def test_project_url_normalises_the_name_and_adds_a_missing_slash() -> None:
    assert (
        project_url(IndexSpec("x", "https://h/simple"), "Zope.Interface")
        == "https://h/simple/zope-interface/"
    )


def test_json_file_fields(index_server: IndexServerFactory, http: HttpClient) -> None:
    server = index_server(_demo_universe(), html=False)

    page = fetch_project_page(http, _spec(server), "demo")

    assert page is not None
    files = {file.filename: file for file in page.files}
    first = files["demo-1.0-py3-none-any.whl"]
    assert first.url == server.file_url("pypi", first.filename)
    assert first.index == "pypi"
    assert first.hashes.sha256 == server.sha256("pypi", first.filename)
    assert first.requires_python == server.universe("pypi").releases("demo")[0].requires_python
    assert first.requires_python is not None
    assert "<" in first.requires_python
    assert first.size == len(server.file_bytes("pypi", first.filename))
    assert first.upload_time == datetime(2023, 1, 1, tzinfo=timezone.utc)
    assert first.metadata_available is True
    assert (
        first.metadata_hashes.sha256
        == hashlib.sha256(server.metadata_bytes("pypi", first.filename)).hexdigest()
    )
    assert not first.yanked
    second = files["demo-2.0-py3-none-any.whl"]
    assert (second.yanked, second.yanked_reason) == (True, "broken build")
    assert second.metadata_available is None
    third = files["demo-3.0-py3-none-any.whl"]
    assert (third.yanked, third.yanked_reason) == (True, None)
    assert third.upload_time == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def test_html_file_fields(index_server: IndexServerFactory, http: HttpClient) -> None:
    universe = _demo_universe()
    universe.add("demo", "4.0", metadata="missing")
    server = index_server(universe, json=False)

    page = fetch_project_page(http, _spec(server), "demo")

    assert page is not None
    files = {file.filename: file for file in page.files}
    first = files["demo-1.0-py3-none-any.whl"]
    assert first.url == server.file_url("pypi", first.filename)
    assert "#" not in first.url
    assert first.hashes.sha256 == server.sha256("pypi", first.filename)
    assert first.requires_python == server.universe("pypi").releases("demo")[0].requires_python
    assert first.requires_python is not None
    assert "<" in first.requires_python
    assert (first.size, first.upload_time) == (None, None)
    assert first.metadata_available is True
    assert (files["demo-2.0-py3-none-any.whl"].yanked_reason, files["demo-3.0-py3-none-any.whl"].yanked) == (
        "broken build",
        True,
    )
    # HTML cannot say "no metadata": an absent attribute leaves it unsaid.
    assert files["demo-4.0-py3-none-any.whl"].metadata_available is None
    assert files["demo-4.0.tar.gz"].metadata_available is None


@pytest.mark.parametrize("json_pages", [True, False], ids=["json", "html"])
def test_relative_file_urls_are_joined_with_the_page_url(
    index_server: IndexServerFactory, http: HttpClient, json_pages: bool
) -> None:
    server = index_server(_demo_universe(), json=json_pages, html=not json_pages, file_urls="relative")

    page = fetch_project_page(http, _spec(server), "demo")

    assert page is not None
    assert [file.url for file in page.files] == [
        server.file_url("pypi", name) for name in server.filenames("pypi", "demo")
    ]


@pytest.mark.parametrize("json_pages", [True, False], ids=["json", "html"])
def test_files_that_are_not_usable_or_of_another_project_are_left_out(
    index_server: IndexServerFactory, http: HttpClient, json_pages: bool
) -> None:
    universe = Universe()
    universe.add("demo", "1.0")
    for odd in (
        "demo-1.0-py2.7.egg",
        "demo-1.0.win32.exe",
        "demo-1.0.msi",
        "demo-1.0.tar.bz2",
        "other-1.0.tar.gz",
    ):
        universe.add_file("demo", odd, b"not a distribution")
    server = index_server(universe, json=json_pages, html=not json_pages)

    page = fetch_project_page(http, _spec(server), "demo")

    assert page is not None
    assert [file.filename for file in page.files] == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]


def test_a_project_the_index_does_not_have_gives_none(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server("demo 1.0")

    assert fetch_project_page(http, _spec(server), "absent") is None


def test_an_unexpected_status_names_index_url_and_package(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server("demo 1.0")
    server.inject(Fault.status(418), path="/pypi/simple/demo/")

    with pytest.raises(IndexUnavailableError) as caught:
        fetch_project_page(http, _spec(server), "demo")

    assert str(caught.value) == (
        f"could not reach index 'pypi' ({server.project_url('demo')}) for package 'demo': "
        "unexpected HTTP status 418\n"
        "  fix: check the network connection and the index URL, or pass --offline to use only cached data"
    )


@pytest.mark.parametrize("json_pages", [True, False], ids=["json", "html"])
def test_root_listing_gives_normalised_names(
    index_server: IndexServerFactory, http: HttpClient, json_pages: bool
) -> None:
    universe = Universe()
    universe.add("Foo.Bar", "1.0")
    universe.add("zope_interface", "1.0")
    server = index_server(universe, json=json_pages, html=not json_pages)

    assert fetch_root_names(http, _spec(server)) == ("foo-bar", "zope-interface")


def _json_page(files: list[dict[str, Any]], **top: Any) -> bytes:
    document: dict[str, Any] = {"meta": {"api-version": "1.1"}, "name": "demo", "files": files, **top}
    return json.dumps(document).encode()


def _entry(filename: str = "demo-1.0.tar.gz", **fields: Any) -> dict[str, Any]:
    return {"filename": filename, "url": f"../../files/{filename}", "hashes": {"sha256": SHA_A}, **fields}


def test_json_urls_are_relative_to_the_page_and_metadata_prefers_core_metadata() -> None:
    page = parse_project_page(
        _json_page(
            [
                _entry(
                    "demo-1.0-py3-none-any.whl",
                    **{"core-metadata": {"sha256": SHA_B}, "dist-info-metadata": True},
                ),
                _entry("demo-1.0.tar.gz", **{"dist-info-metadata": False}),
                _entry("demo-2.0.tar.gz", **{"core-metadata": True}),
            ],
            versions=["1.0", "2.0"],
        ),
        JSON,
        url=PAGE_URL,
        index=SPEC,
        name="demo",
    )

    wheel, sdist, newer = page.files
    assert wheel.url == "https://index.example/files/demo-1.0-py3-none-any.whl"
    assert (wheel.metadata_available, wheel.metadata_hashes.sha256) == (True, SHA_B)
    assert sdist.metadata_available is False
    assert (newer.metadata_available, newer.metadata_hashes.sha256) == (True, None)
    assert page.versions == ("1.0", "2.0")
    assert page.index == SPEC


def test_html_prefers_data_core_metadata_and_honours_base_href() -> None:
    html = (
        '<base href="https://mirror.example/packages/">'
        f'<a href="demo-1.0-py3-none-any.whl#sha256={SHA_A}" data-dist-info-metadata="sha256={SHA_A}"'
        f' data-core-metadata="sha256={SHA_B}">demo-1.0-py3-none-any.whl</a>'
        '<a href="demo-1.0.tar.gz#md5=0123456789abcdef0123456789abcdef" data-dist-info-metadata="true">x</a>'
    ).encode()

    page = parse_project_page(html, "text/html; charset=utf-8", url=PAGE_URL, index=SPEC, name="demo")

    wheel, sdist = page.files
    assert wheel.url == "https://mirror.example/packages/demo-1.0-py3-none-any.whl"
    assert (wheel.hashes.sha256, wheel.metadata_hashes.sha256) == (SHA_A, SHA_B)
    assert sdist.hashes.get("md5") == "0123456789abcdef0123456789abcdef"
    assert (sdist.metadata_available, sdist.metadata_hashes) == (True, type(sdist.metadata_hashes)())


def test_an_empty_core_metadata_table_means_available_without_hashes() -> None:
    page = parse_project_page(
        _json_page([_entry("demo-1.0-py3-none-any.whl", **{"core-metadata": {}})]),
        JSON,
        url=PAGE_URL,
        index=SPEC,
        name="demo",
    )

    assert (page.files[0].metadata_available, page.files[0].metadata_hashes) == (True, Hashes())


def test_a_twice_escaped_requires_python_is_unescaped_as_pip_does() -> None:
    html = b'<a href="demo-1.0.tar.gz" data-requires-python="&amp;gt;=3.8">demo-1.0.tar.gz</a>'

    page = parse_project_page(html, "text/html", url=PAGE_URL, index=SPEC, name="demo")

    assert page.files[0].requires_python == ">=3.8"


def test_an_empty_yank_reason_still_means_yanked() -> None:
    page = parse_project_page(_json_page([_entry(yanked="")]), JSON, url=PAGE_URL, index=SPEC, name="demo")

    assert (page.files[0].yanked, page.files[0].yanked_reason) == (True, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-06T07:08:09Z", datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)),
        ("2024-05-06T07:08:09.5Z", datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=timezone.utc)),
        ("2024-05-06T07:08:09.123456789Z", datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)),
        ("2024-05-06T09:08:09+02:00", datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)),
    ],
)
def test_upload_times_in_every_iso_8601_shape_pep_700_allows(text: str, expected: datetime) -> None:
    page = parse_project_page(
        _json_page([_entry(**{"upload-time": text})]), JSON, url=PAGE_URL, index=SPEC, name="demo"
    )

    assert page.files[0].upload_time == expected


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b"not json", JSON, "not valid JSON (Expecting value: line 1 column 1 (char 0))"),
        (b"[]", JSON, "the JSON document is not an object"),
        (b'{"meta": {}, "files": []}', JSON, "'meta.api-version' is missing"),
        (
            b'{"meta": {"api-version": "2.0"}, "files": []}',
            JSON,
            "API version 2.0 is newer than the 1.x thoth reads",
        ),
        (b'{"meta": {"api-version": "1.0"}}', JSON, "'files' is missing or not a list"),
        (
            _json_page([{"filename": "demo-1.0.tar.gz"}]),
            JSON,
            "a file entry has no 'url': {'filename': 'demo-1.0.tar.gz'}",
        ),
        (
            _json_page([_entry(hashes={"sha256": "xyz"})]),
            JSON,
            "hashes of demo-1.0.tar.gz: sha256 'xyz' is not a hex digest",
        ),
        (_json_page([_entry(yanked=1)]), JSON, "'yanked' of 'demo-1.0.tar.gz' has the wrong type: 1"),
        (
            _json_page([_entry(**{"upload-time": "yesterday"})]),
            JSON,
            "'upload-time' of demo-1.0.tar.gz is not an ISO 8601 time: 'yesterday'",
        ),
        (_json_page([], versions="1.0"), JSON, "'versions' is not a list of strings"),
        (
            b'<meta name="pypi:repository-version" content="2.0"><a href="demo-1.0.tar.gz">x</a>',
            HTML,
            "API version 2.0 is newer than the 1.x thoth reads",
        ),
        (
            b'<a href="demo-1.0.tar.gz#sha256=nothex">x</a>',
            HTML,
            "the hash in the link to demo-1.0.tar.gz: sha256 'nothex' is not a hex digest",
        ),
        (
            _json_page([_entry(url="https://[::1/files/demo-1.0.tar.gz")]),
            JSON,
            "the URL of demo-1.0.tar.gz is malformed (Invalid IPv6 URL): 'https://[::1/files/demo-1.0.tar.gz'",
        ),
        (
            _json_page([_entry(url="//[::1/files/demo-1.0.tar.gz")]),
            JSON,
            "the URL of demo-1.0.tar.gz is malformed (Invalid IPv6 URL): '//[::1/files/demo-1.0.tar.gz'",
        ),
        (
            _json_page([_entry(url="https://u:secret@files.example:8o/demo-1.0.tar.gz")]),
            JSON,
            "the URL of demo-1.0.tar.gz is malformed (Port could not be cast to integer value as '8o'): "
            "'https://files.example:8o/demo-1.0.tar.gz'",
        ),
        (
            b'<a href="https://[::1/files/demo-1.0.tar.gz">demo-1.0.tar.gz</a>',
            HTML,
            "a link's URL is malformed (Invalid IPv6 URL): 'https://[::1/files/demo-1.0.tar.gz'",
        ),
        (
            b'<base href="https://[::1/files/"><a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>',
            HTML,
            "its <base> URL is malformed (Invalid IPv6 URL): 'https://[::1/files/'",
        ),
        (b"{}", "application/json", "unsupported content type 'application/json'"),
        (b"{}", "", "unsupported content type '(none)'"),
    ],
)
def test_a_malformed_page_names_index_package_url_and_reason(
    content: bytes, content_type: str, reason: str
) -> None:
    with pytest.raises(InvalidPageError) as caught:
        # A malformed file entry is reported when its release is first read.
        _ = parse_project_page(content, content_type, url=PAGE_URL, index=SPEC, name="Demo").files

    assert str(caught.value) == (
        f"index 'pypi' returned a malformed page for project 'demo' ({PAGE_URL}): {reason}\n  fix: {FIX}"
    )
    assert (caught.value.index, caught.value.url, caught.value.package, caught.value.reason) == (
        "pypi",
        PAGE_URL,
        "demo",
        reason,
    )


def test_a_malformed_entry_of_an_unread_release_does_not_spoil_the_others() -> None:
    good = {"filename": "demo-2.0.tar.gz", "url": "https://files.example/demo-2.0.tar.gz", "hashes": {}}
    bad = {"filename": "demo-1.0.tar.gz", "url": "https://files.example/demo-1.0.tar.gz", "yanked": 1}
    content = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": [bad, good]}).encode()
    page = parse_project_page(content, JSON, url=PAGE_URL, index=SPEC, name="demo")
    loaders = page.release_loaders()
    assert [f.filename for f in loaders[Version("2.0")]()] == ["demo-2.0.tar.gz"]
    with pytest.raises(InvalidPageError):
        loaders[Version("1.0")]()


def test_credentials_never_reach_the_message() -> None:
    spec = IndexSpec("private", "https://user:secret@index.example/simple/")

    with pytest.raises(InvalidPageError) as caught:
        parse_project_page(
            b"[]", JSON, url="https://user:secret@index.example/simple/demo/", index=spec, name="demo"
        )

    assert "secret" not in str(caught.value)
    assert "(https://index.example/simple/demo/)" in str(caught.value)


def test_pages_can_be_cached_and_read_again(index_server: IndexServerFactory, tmp_path: Path) -> None:
    server = index_server(_demo_universe())
    with HttpClient(HttpSettings(retries=1, backoff=0), Cache(tmp_path)) as cached:
        first = fetch_project_page(cached, _spec(server), "demo")
        second = fetch_project_page(cached, _spec(server), "demo")

    assert first == second
    assert len(server.requests_to("/pypi/simple/demo/")) == 1
