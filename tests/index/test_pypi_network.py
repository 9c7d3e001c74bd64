"""Reading a few real projects from PyPI the way a run does (opt in with `-m network`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.metadata import MetadataFetcher, MetadataUnavailableError, WheelRangeStrategy
from thoth_cli.index.model import PYPI_SIMPLE, DistributionFile, IndexSpec, MetadataSource
from thoth_cli.index.simple import parse_project_page, project_url

pytestmark = pytest.mark.network

PYPI = IndexSpec("pypi", PYPI_SIMPLE)


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpClient]:
    with HttpClient(HttpSettings(), Cache(tmp_path / "cache")) as client:
        yield client


@pytest.fixture
def client(http: HttpClient) -> Iterator[IndexClient]:
    with IndexClient([PYPI], http) as index_client:
        yield index_client


def _file(client: IndexClient, project: str, filename: str) -> DistributionFile:
    [file] = [file for file in client.project(project).files if file.filename == filename]
    return file


def test_json_and_html_pages_of_a_real_project_list_the_same_files(
    client: IndexClient, http: HttpClient
) -> None:
    from_json = client.project("requests")
    response = http.get_page(
        project_url(PYPI, "requests"), accept="text/html", index="pypi", package="requests"
    )
    from_html = parse_project_page(
        response.content, response.headers["content-type"], url=response.url, index=PYPI, name="requests"
    )

    # The two representations may list files in different orders.
    assert sorted((file.filename, file.url, file.hashes) for file in from_json.files) == sorted(
        (file.filename, file.url, file.hashes) for file in from_html.files
    )
    assert "2.31.0" in from_json.versions
    assert all(file.upload_time is not None for file in from_json.files)


def test_a_wheel_s_metadata_file(client: IndexClient) -> None:
    # Advertised or not (proxies strip PEP 658 fields), PyPI serves it next to the wheel.
    file = _file(client, "requests", "requests-2.31.0-py3-none-any.whl")

    metadata = client.metadata(file)

    assert metadata.source is MetadataSource.METADATA_FILE
    # Kept as the file writes it; the resolver parses requirements.
    assert "urllib3 (<3,>=1.21.1)" in metadata.requires_dist
    assert metadata.requires_python == ">=3.7"


def test_a_wheel_read_by_range_requests_gives_the_same_metadata_without_the_download(
    client: IndexClient,
) -> None:
    listed = _file(client, "pip", "pip-24.0-py3-none-any.whl")
    expected = client.metadata(listed)
    # As if the index had no .metadata file: only the wheel itself can tell.
    blind = replace(listed, metadata_available=False)

    with HttpClient(HttpSettings(), None) as uncached:
        metadata = MetadataFetcher(uncached, strategies=(WheelRangeStrategy(uncached),)).fetch_metadata(blind)
        received = uncached.stats.bytes_downloaded

    assert metadata.source is MetadataSource.WHEEL_RANGE
    assert (metadata.requires_dist, metadata.requires_python) == (
        expected.requires_dist,
        expected.requires_python,
    )
    assert listed.size is not None
    assert received < listed.size // 4


def test_a_static_sdist_gives_its_pkg_info(client: IndexClient) -> None:
    metadata = client.metadata(_file(client, "attrs", "attrs-24.2.0.tar.gz"))

    assert metadata.source is MetadataSource.SDIST
    assert metadata.requires_python == ">=3.7"
    assert "benchmark" in metadata.provides_extra


def test_an_sdist_from_before_metadata_2_2_needs_a_build(client: IndexClient) -> None:
    with pytest.raises(MetadataUnavailableError) as caught:
        client.metadata(_file(client, "idna", "idna-3.10.tar.gz"))

    assert caught.value.reason == (
        "its PKG-INFO has Metadata-Version 2.1, and only from 2.2 on (PEP 643) are an sdist's fields final"
    )
