"""Fetch simple-API pages (PEP 691 JSON, PEP 503 HTML) and parse them into `ProjectPage` values."""

from __future__ import annotations

import html
import json
import posixpath
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import ExternalError
from thoth_cli.index.errors import IndexUnavailableError
from thoth_cli.index.html import Anchor, parse_html
from thoth_cli.index.http import HttpClient, Response
from thoth_cli.index.model import (
    DistributionFile,
    Hashes,
    IndexSpec,
    ProjectPage,
    file_identity,
    is_distribution_filename,
    redact,
)

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{JSON_V1}, {HTML_V1};q=0.2, text/html;q=0.01"
"""JSON first; HTML for PEP 503-only indexes, including static file trees served as text/html."""

SUPPORTED_MAJOR = 1
"""PEP 629: a client must refuse a page whose major API version it does not know."""

NOT_FOUND = frozenset({404, 410})


class InvalidPageError(ExternalError):
    """An index returned a page that is not a simple-API page we can read (exit 3)."""

    def __init__(self, *, index: str, url: str, package: str | None, reason: str) -> None:
        self.index = index
        self.url = url
        self.package = package
        self.reason = reason
        what = f"page for project {package!r}" if package else "project list"
        super().__init__(
            f"index {index!r} returned a malformed {what} ({redact(url)}): {reason}",
            fix=f"check that index {index!r} points at a simple-API root (PEP 503/691); "
            "if it does, the index is broken: report it to whoever runs it",
        )


@dataclass(frozen=True)
class _Context:
    """Who and where a page came from, for joining URLs and naming errors."""

    index: IndexSpec
    url: str
    package: str | None

    def fail(self, reason: str) -> InvalidPageError:
        return InvalidPageError(index=self.index.name, url=self.url, package=self.package, reason=reason)


def project_url(index: IndexSpec, name: str) -> str:
    """The URL of a project's page: the index root plus the PEP 503-normalised name."""
    root = index.url if index.url.endswith("/") else index.url + "/"
    return f"{root}{canonicalize_name(name)}/"


def root_url(index: IndexSpec) -> str:
    return index.url if index.url.endswith("/") else index.url + "/"


def fetch_project_page(http: HttpClient, index: IndexSpec, name: str) -> ProjectPage | None:
    """The project's page on one index, or None when the index does not have the project."""
    canonical = canonicalize_name(name)
    url = project_url(index, canonical)
    response = http.get_page(url, accept=ACCEPT, index=index.name, package=canonical)
    if response.status in NOT_FOUND:
        return None
    context = _Context(index, response.url or url, canonical)
    _check_status(response, context)
    return parse_project_page(
        response.content,
        response.headers.get("content-type", ""),
        url=context.url,
        index=index,
        name=canonical,
    )


def fetch_root_names(http: HttpClient, index: IndexSpec) -> tuple[NormalizedName, ...]:
    """Every project name the index lists at its root (empty when it lists none)."""
    url = root_url(index)
    response = http.get_page(url, accept=ACCEPT, index=index.name, package=None)
    if response.status in NOT_FOUND:
        return ()
    context = _Context(index, response.url or url, None)
    _check_status(response, context)
    return parse_root_page(
        response.content, response.headers.get("content-type", ""), url=context.url, index=index
    )


def _check_status(response: Response, context: _Context) -> None:
    if response.status != 200:
        raise IndexUnavailableError(
            index=context.index.name,
            url=redact(context.url),
            package=context.package,
            reason=f"unexpected HTTP status {response.status}",
        )


def parse_project_page(
    content: bytes, content_type: str, *, url: str, index: IndexSpec, name: str
) -> ProjectPage:
    """Parse a project page by its Content-Type; files not of this project or not usable are left out."""
    canonical = canonicalize_name(name)
    context = _Context(index, url, canonical)
    kind, charset = _media_type(content_type)
    if kind == JSON_V1:
        data = _load_json(content, context)
        return _lazy_json_page(data, context, canonical, index)
    if kind in (HTML_V1, "text/html"):
        files, versions = _html_files(_decode(content, charset), context), ()
    else:
        raise context.fail(f"unsupported content type {content_type or '(none)'!r}")
    usable = tuple(file for file in files if file.name == canonical)
    return ProjectPage(name=canonical, index=index, files=usable, versions=versions)


def parse_root_page(
    content: bytes, content_type: str, *, url: str, index: IndexSpec
) -> tuple[NormalizedName, ...]:
    """The project names of a root page, normalised, in the index's order."""
    context = _Context(index, url, None)
    kind, charset = _media_type(content_type)
    if kind == JSON_V1:
        data = _load_json(content, context)
        projects = data.get("projects")
        if not isinstance(projects, list):
            raise context.fail("'projects' is missing or not a list")
        names = []
        for entry in projects:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise context.fail(f"a project entry has no name: {entry!r}")
            names.append(entry["name"])
    elif kind in (HTML_V1, "text/html"):
        page = parse_html(_decode(content, charset))
        _check_version(page.repository_version, context)
        names = [anchor.text for anchor in page.anchors if anchor.text]
    else:
        raise context.fail(f"unsupported content type {content_type or '(none)'!r}")
    return tuple(canonicalize_name(name) for name in names)


def _media_type(content_type: str) -> tuple[str, str | None]:
    kind, *params = (part.strip() for part in content_type.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return kind.lower(), charset


def _decode(content: bytes, charset: str | None) -> str:
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def _load_json(content: bytes, context: _Context) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise context.fail(f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise context.fail("the JSON document is not an object")
    meta = data.get("meta")
    version = meta.get("api-version") if isinstance(meta, dict) else None
    if not isinstance(version, str):
        raise context.fail("'meta.api-version' is missing")
    _check_version(version, context)
    return data


def _check_version(version: str | None, context: _Context) -> None:
    if version is None:
        return
    major, _, _minor = version.partition(".")
    if not major.isdigit():
        raise context.fail(f"unreadable API version {version!r}")
    if int(major) > SUPPORTED_MAJOR:
        raise context.fail(f"API version {version} is newer than the {SUPPORTED_MAJOR}.x thoth reads")


def _lazy_json_page(
    data: Mapping[str, Any], context: _Context, canonical: NormalizedName, index: IndexSpec
) -> ProjectPage:
    """A page whose files are checked and built per release when the resolver reads it.

    Only the file names are read up front (to group entries by version and drop other
    projects' files); a malformed entry is reported when its release is read.
    """
    entries = data.get("files")
    if not isinstance(entries, list):
        raise context.fail("'files' is missing or not a list")
    groups: dict[Version, list[int]] = {}
    wanted: list[int] = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise context.fail(f"a file entry is not an object: {entry!r}")
        filename = _field(entry, "filename", str, context, required=True)
        identity = file_identity(filename)
        if identity is None or identity[0] != canonical:
            continue
        groups.setdefault(identity[1], []).append(position)
        wanted.append(position)
    built: dict[int, DistributionFile | None] = {}
    lock = threading.Lock()

    def build(positions: list[int]) -> tuple[DistributionFile, ...]:
        files = []
        for position in positions:
            with lock:
                known = built.get(position, _MISSING)
            if known is _MISSING:
                known = _json_file(entries[position], context)
                with lock:
                    built[position] = known
            if isinstance(known, DistributionFile):
                files.append(known)
        return tuple(files)

    loaders = {version: partial(build, positions) for version, positions in groups.items()}
    return ProjectPage(
        name=canonical,
        index=index,
        versions=_json_versions(data, context),
        loaders=loaders,
        order=partial(build, wanted),
    )


_MISSING: Any = object()


def _json_file(entry: Mapping[str, Any], context: _Context) -> DistributionFile | None:
    filename = _field(entry, "filename", str, context, required=True)
    href = _field(entry, "url", str, context, required=True)
    if not is_distribution_filename(filename):
        return None
    url, fragment_hashes = _file_url(context.url, href, f"the URL of {filename}", context)
    _check_hashes(fragment_hashes, f"the hash in the URL of {filename}", context)
    hashes = _field(entry, "hashes", dict, context) or {}
    _check_hashes(hashes, f"hashes of {filename}", context)
    yanked = _field(entry, "yanked", (bool, str), context)
    metadata = _pick(entry, "core-metadata", "dist-info-metadata")
    if metadata is not None and not isinstance(metadata, (bool, dict)):
        raise context.fail(f"'core-metadata' of {filename} is neither a boolean nor a hash table")
    metadata_hashes: dict[str, str] = metadata if isinstance(metadata, dict) else {}
    _check_hashes(metadata_hashes, f"core-metadata hashes of {filename}", context)
    upload_time = _field(entry, "upload-time", str, context)
    size = _field(entry, "size", int, context)
    if isinstance(size, bool) or (size is not None and size < 0):
        raise context.fail(f"'size' of {filename} is not a byte count: {size!r}")
    return DistributionFile(
        filename=filename,
        url=url,
        index=context.index.name,
        hashes=Hashes.of({**fragment_hashes, **hashes}),
        requires_python=_field(entry, "requires-python", str, context) or None,
        # PEP 691 wants a non-empty reason; an empty one still says "yanked".
        yanked=yanked is True or isinstance(yanked, str),
        yanked_reason=yanked if isinstance(yanked, str) and yanked else None,
        upload_time=_parse_time(upload_time, filename, context) if upload_time is not None else None,
        size=size,
        # An empty hash table still says "available", only without hashes (PEP 691).
        metadata_available=None if metadata is None else metadata is not False,
        metadata_hashes=Hashes.of(metadata_hashes),
    )


def _json_versions(data: Mapping[str, Any], context: _Context) -> tuple[str, ...]:
    versions = data.get("versions")
    if versions is None:
        return ()
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise context.fail("'versions' is not a list of strings")
    return tuple(versions)


def _html_files(text: str, context: _Context) -> list[DistributionFile]:
    page = parse_html(text)
    _check_version(page.repository_version, context)
    base = context.url
    if page.base_href:
        try:
            base = urljoin(context.url, page.base_href)
        except ValueError as error:
            raise context.fail(f"its <base> URL is malformed ({error}): {redact(page.base_href)!r}") from None
    files = []
    for anchor in page.anchors:
        file = _html_file(anchor, base, context)
        if file is not None:
            files.append(file)
    return files


def _html_file(anchor: Anchor, base: str, context: _Context) -> DistributionFile | None:
    url, hashes = _file_url(base, anchor.href, "a link's URL", context)
    # pip takes the name from the URL, not the link text; PEP 503 says they must agree.
    filename = posixpath.basename(unquote(urlsplit(url).path))
    if not is_distribution_filename(filename):
        return None
    _check_hashes(hashes, f"the hash in the link to {filename}", context)
    metadata_attribute = (
        "data-core-metadata" if anchor.has("data-core-metadata") else "data-dist-info-metadata"
    )
    available, metadata_hashes = _html_metadata(anchor, metadata_attribute)
    _check_hashes(metadata_hashes, f"core-metadata hashes of {filename}", context)
    reason = anchor.get("data-yanked")
    return DistributionFile(
        filename=filename,
        url=url,
        index=context.index.name,
        hashes=Hashes.of(hashes),
        requires_python=_requires_python(anchor),
        yanked=anchor.has("data-yanked"),
        yanked_reason=reason or None,
        metadata_available=available,
        metadata_hashes=Hashes.of(metadata_hashes),
    )


def _requires_python(anchor: Anchor) -> str | None:
    # Some indexes escape the value twice (`&amp;gt;=3.8`); pip unescapes once more, and so do
    # we: a specifier never holds a literal "&".
    value = anchor.get("data-requires-python")
    return html.unescape(value) if value else None


def _html_metadata(anchor: Anchor, attribute: str) -> tuple[bool | None, dict[str, str]]:
    if not anchor.has(attribute):
        return None, {}
    value = (anchor.get(attribute) or "true").strip()
    if value.lower() == "true":
        return True, {}
    if value.lower() == "false":
        return False, {}
    algorithm, sep, digest = value.partition("=")
    return True, ({algorithm: digest} if sep and digest else {})


def _file_url(base: str, href: str, what: str, context: _Context) -> tuple[str, dict[str, str]]:
    """The absolute URL of a file the page lists, without its hash fragment, and that hash.

    A URL urllib cannot read (unbalanced IPv6 brackets, a port that is not a number) is the
    index's fault, reported as such rather than failing when the file is requested.
    """
    try:
        # Most indexes give absolute URLs; urljoin costs more than the rest of the entry.
        absolute = href if href.startswith(("https://", "http://")) else urljoin(base, href)
        url, hashes = _split_hash(absolute)
        urlsplit(url).port  # noqa: B018  # urlsplit checks the port only when asked for it
    except ValueError as error:
        raise context.fail(f"{what} is malformed ({error}): {redact(href)!r}") from None
    return url, hashes


def _split_hash(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its fragment, and the `#<algorithm>=<digest>` hash the fragment carried."""
    bare, fragment = urldefrag(url)
    algorithm, sep, digest = fragment.partition("=")
    if sep and digest and re.fullmatch(r"[a-z0-9_]+", algorithm.lower()):
        return bare, {algorithm: digest}
    return bare, {}


def _pick(entry: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in entry:
            return entry[key]
    return None


def _field(
    entry: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    context: _Context,
    *,
    required: bool = False,
) -> Any:
    value = entry.get(key)
    if value is None:
        if required:
            raise context.fail(f"a file entry has no {key!r}: {dict(entry)!r}")
        return None
    if not isinstance(value, kind):
        raise context.fail(f"{key!r} of {entry.get('filename')!r} has the wrong type: {value!r}")
    return value


_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGEST_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def _check_hashes(hashes: Mapping[Any, Any], what: str, context: _Context) -> None:
    for algorithm, digest in hashes.items():
        if not isinstance(algorithm, str) or not isinstance(digest, str):
            raise context.fail(f"{what} are not strings: {dict(hashes)!r}")
        expected_length = _DIGEST_LENGTHS.get(algorithm.lower())
        if not _HEX.fullmatch(digest) or (expected_length and len(digest) != expected_length):
            raise context.fail(f"{what}: {algorithm} {digest!r} is not a hex digest")


_FRACTION = re.compile(r"\.(\d+)")


def _parse_time(text: str, filename: str, context: _Context) -> datetime:
    # PEP 700 uses ISO 8601 with a trailing Z and any number of fraction digits, which
    # datetime.fromisoformat only accepts from Python 3.11 on.
    normal = text.strip()
    if normal.endswith(("Z", "z")):
        normal = normal[:-1] + "+00:00"
    normal = _FRACTION.sub(lambda match: "." + match.group(1)[:6].ljust(6, "0"), normal, count=1)
    try:
        moment = datetime.fromisoformat(normal)
    except ValueError:
        raise context.fail(f"'upload-time' of {filename} is not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
