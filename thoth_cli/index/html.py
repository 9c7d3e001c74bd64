"""Read a PEP 503 HTML simple-API page into its anchors, base URL and repository version."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Anchor:
    """One `<a>` of a simple-API page: its href, its text and its other attributes, unescaped."""

    href: str
    text: str
    attributes: tuple[tuple[str, str | None], ...] = ()

    def get(self, name: str) -> str | None:
        """The attribute's value; None both when absent and when given without a value."""
        for key, value in self.attributes:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.attributes)


@dataclass(frozen=True)
class HtmlPage:
    """What a PEP 503 page says: its anchors in document order, `<base href>` and PEP 629 version."""

    anchors: tuple[Anchor, ...]
    base_href: str | None = None
    repository_version: str | None = None


class _SimpleParser(HTMLParser):
    def __init__(self) -> None:
        # HTMLParser unescapes attribute values itself; convert_charrefs does the same for text.
        super().__init__(convert_charrefs=True)
        self.anchors: list[Anchor] = []
        self.base_href: str | None = None
        self.repository_version: str | None = None
        self._open: tuple[str, list[tuple[str, str | None]]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self._close_anchor()
            href = values.get("href")
            if href is not None:
                self._open = (href, [(k, v) for k, v in attrs if k != "href"])
                self._text = []
        elif tag == "base" and self.base_href is None:
            # Only the first <base> counts, as in browsers.
            self.base_href = values.get("href")
        elif tag == "meta" and values.get("name") == "pypi:repository-version":
            self.repository_version = values.get("content")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self._close_anchor()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._close_anchor()

    def _close_anchor(self) -> None:
        if self._open is None:
            return
        href, attrs = self._open
        self.anchors.append(Anchor(href=href, text="".join(self._text).strip(), attributes=tuple(attrs)))
        self._open = None
        self._text = []


def parse_html(text: str) -> HtmlPage:
    """The anchors of a PEP 503 page; tolerant of sloppy markup, as browsers and pip are."""
    parser = _SimpleParser()
    parser.feed(text)
    parser.close()
    return HtmlPage(
        anchors=tuple(parser.anchors),
        base_href=parser.base_href,
        repository_version=parser.repository_version,
    )
