"""Rendering simple-API pages: PEP 691 JSON and PEP 503 HTML (with PEP 592, 658, 700 and 714 fields)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from html import escape

from tests.indexserver.catalogue import IndexFile, ProjectListing

API_VERSION = "1.1"
"""1.1: PEP 700 (`versions`, `size`, `upload-time`)."""

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"

UrlFor = Callable[[str], str]


def root_json(projects: Sequence[ProjectListing]) -> bytes:
    document = {
        "meta": {"api-version": API_VERSION},
        "projects": [{"name": project.display_name} for project in projects],
    }
    return _dump(document)


def root_html(projects: Sequence[ProjectListing], project_url: UrlFor) -> bytes:
    anchors = [
        f'    <a href="{escape(project_url(project.name))}">{escape(project.display_name)}</a>\n'
        for project in projects
    ]
    return _html("Simple index", "".join(anchors), heading=False)


def project_json(project: ProjectListing, file_url: UrlFor) -> bytes:
    document = {
        "meta": {"api-version": API_VERSION},
        "name": project.name,
        "files": [_json_file(file, file_url) for file in project.files],
        "versions": list(project.versions),
    }
    return _dump(document)


def project_html(project: ProjectListing, file_url: UrlFor) -> bytes:
    anchors = [_html_anchor(file, file_url) for file in project.files]
    return _html(f"Links for {project.name}", "".join(anchors), heading=True)


def _json_file(file: IndexFile, file_url: UrlFor) -> dict[str, object]:
    entry: dict[str, object] = {
        "filename": file.filename,
        "url": file_url(file.filename),
        "hashes": {"sha256": file.sha256},
        "requires-python": file.requires_python,
        "yanked": file.yanked,
        "upload-time": file.upload_time,
        "size": file.size,
    }
    if file.metadata_advertised is not None:
        metadata: object = {"sha256": file.metadata_sha256} if file.metadata_advertised else False
        # PEP 714 renamed the key; indexes send both so that older clients keep working.
        entry["core-metadata"] = metadata
        entry["dist-info-metadata"] = metadata
    return entry


def _html_anchor(file: IndexFile, file_url: UrlFor) -> str:
    attributes = [f'href="{escape(file_url(file.filename))}#sha256={file.sha256}"']
    if file.requires_python is not None:
        attributes.append(f'data-requires-python="{escape(file.requires_python)}"')
    if file.yanked is not False:
        reason = file.yanked if isinstance(file.yanked, str) else ""
        attributes.append(f'data-yanked="{escape(reason)}"')
    if file.metadata_advertised:
        value = f"sha256={file.metadata_sha256}"
        attributes.append(f'data-core-metadata="{value}"')
        attributes.append(f'data-dist-info-metadata="{value}"')
    return f"    <a {' '.join(attributes)}>{escape(file.filename)}</a><br />\n"


def _html(title: str, body: str, *, heading: bool) -> bytes:
    head = f"    <h1>{escape(title)}</h1>\n" if heading else ""
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{escape(title)}</title>\n"
        "  </head>\n  <body>\n"
        f"{head}{body}"
        "  </body>\n</html>\n"
    ).encode()


def _dump(document: Mapping[str, object]) -> bytes:
    return json.dumps(document, indent=None, separators=(",", ":")).encode()
