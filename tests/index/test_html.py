"""Tests for reading PEP 503 HTML pages into anchors."""

from __future__ import annotations

from thoth_cli.index.html import Anchor, parse_html

PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <base href="https://files.example/base/">
    <title>Links for demo</title>
  </head>
  <body>
    <h1>Links for demo</h1>
    <a href="demo-1.0.tar.gz#sha256=abc" data-requires-python="&gt;=3.8,&lt;4">demo-1.0.tar.gz</a><br/>
    <a href="demo-2.0-py3-none-any.whl" data-yanked="broken &amp; bad" data-core-metadata="sha256=def">
      demo-2.0-py3-none-any.whl
    </a>
    <a name="no-href">not a link</a>
    <a href="demo-3.0.tar.gz" data-yanked>demo-3.0.tar.gz</a>
  </body>
</html>
"""


def test_anchors_come_in_document_order_with_unescaped_attributes() -> None:
    page = parse_html(PAGE)

    assert [anchor.href for anchor in page.anchors] == [
        "demo-1.0.tar.gz#sha256=abc",
        "demo-2.0-py3-none-any.whl",
        "demo-3.0.tar.gz",
    ]
    first, second, third = page.anchors
    assert first.get("data-requires-python") == ">=3.8,<4"
    assert second.get("data-yanked") == "broken & bad"
    assert second.get("data-core-metadata") == "sha256=def"
    assert second.text == "demo-2.0-py3-none-any.whl"
    assert third.has("data-yanked")
    assert third.get("data-yanked") is None


def test_base_href_and_repository_version_are_read() -> None:
    page = parse_html(PAGE)

    assert page.base_href == "https://files.example/base/"
    assert page.repository_version == "1.1"


def test_a_page_without_head_has_no_base_nor_version() -> None:
    page = parse_html('<a href="x-1.0.tar.gz">x-1.0.tar.gz</a>')

    assert page == parse_html('<a href="x-1.0.tar.gz">x-1.0.tar.gz</a>')
    assert page.base_href is None
    assert page.repository_version is None
    assert page.anchors == (Anchor(href="x-1.0.tar.gz", text="x-1.0.tar.gz"),)


def test_an_unclosed_anchor_ends_at_the_next_one_or_at_the_end() -> None:
    page = parse_html('<a href="a-1.0.tar.gz">a-1.0.tar.gz<a href="b-1.0.tar.gz">b-1.0.tar.gz')

    assert [(anchor.href, anchor.text) for anchor in page.anchors] == [
        ("a-1.0.tar.gz", "a-1.0.tar.gz"),
        ("b-1.0.tar.gz", "b-1.0.tar.gz"),
    ]


def test_only_the_first_base_counts() -> None:
    page = parse_html('<base href="/one/"><base href="/two/">')

    assert page.base_href == "/one/"


def test_character_references_in_hrefs_and_text_are_decoded() -> None:
    page = parse_html('<a href="/files/x-1.0.tar.gz?a=1&amp;b=2">x&#45;1.0.tar.gz</a>')

    assert page.anchors[0].href == "/files/x-1.0.tar.gz?a=1&b=2"
    assert page.anchors[0].text == "x-1.0.tar.gz"
