"""Tests for reading core metadata: .metadata files, wheels by range or download, sdists, and the cache."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.indexserver import Fault, IndexServer, IndexServerFactory, Universe
from tests.indexserver.faults import tampered
from thoth_cli.index.cache import Cache
from thoth_cli.index.errors import HashMismatchError
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.metadata import (
    InvalidMetadataError,
    MetadataFetcher,
    MetadataUnavailableError,
    dist_info_metadata,
    fetch_metadata,
    metadata_url,
)
from thoth_cli.index.model import DistributionFile, Hashes, IndexSpec, MetadataSource
from thoth_cli.index.simple import fetch_project_page

WHEEL = "demo-1.0-py3-none-any.whl"
SDIST = "demo-1.0.tar.gz"
HASH_FIX = (
    "the index or a proxy serves a different file than it lists; do not install it, and "
    "report it to the index's maintainers"
)


def _client(cache_dir: Path) -> HttpClient:
    return HttpClient(HttpSettings(retries=1, backoff=0), Cache(cache_dir))


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpClient]:
    with _client(tmp_path / "cache") as client:
        yield client


def _universe(**options: object) -> Universe:
    universe = Universe()
    universe.add(
        "demo",
        "1.0",
        requires_dist=["urllib3>=1.21", 'pysocks>=1.5; extra == "socks"'],
        requires_python=">=3.8",
        **options,  # type: ignore[arg-type]
    )
    return universe


def _file(server: IndexServer, http: HttpClient, filename: str) -> DistributionFile:
    page = fetch_project_page(http, IndexSpec("pypi", server.url("pypi")), filename.split("-", maxsplit=1)[0])
    assert page is not None
    [file] = [file for file in page.files if file.filename == filename]
    server.clear_requests()
    return file


def _paths(server: IndexServer) -> list[tuple[str, str | None]]:
    return [(record.path, record.headers.get("range")) for record in server.requests]


def test_an_advertised_metadata_file_is_all_that_is_fetched(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe())
    file = _file(server, http, WHEEL)

    metadata = fetch_metadata(http, file)

    assert metadata.name == "demo"
    assert str(metadata.version) == "1.0"
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')
    assert metadata.requires_python == ">=3.8"
    assert metadata.provides_extra == ("socks",)
    assert metadata.source is MetadataSource.METADATA_FILE
    assert _paths(server) == [(f"/pypi/files/{WHEEL}.metadata", None)]


def test_an_unadvertised_metadata_file_is_tried_anyway(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(metadata="unadvertised"))
    file = _file(server, http, WHEEL)
    assert file.metadata_available is None

    metadata = fetch_metadata(http, file)

    assert metadata.source is MetadataSource.METADATA_FILE
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')
    assert _paths(server) == [(f"/pypi/files/{WHEEL}.metadata", None)]


def test_a_probe_that_finds_nothing_falls_back_to_ranges_for_that_file_only(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    universe = Universe()
    universe.add("demo", "1.0", requires_dist=["idna"], metadata="unadvertised", sdist=False)
    universe.add("demo", "2.0", requires_dist=["idna>=3"], metadata="missing", sdist=False)
    # HTML cannot say "there is none", so both files look alike to the client.
    server = index_server(universe, json=False)
    served = _file(server, http, "demo-1.0-py3-none-any.whl")
    missing = _file(server, http, "demo-2.0-py3-none-any.whl")
    assert (served.metadata_available, missing.metadata_available) == (None, None)

    assert fetch_metadata(http, served).source is MetadataSource.METADATA_FILE
    second = fetch_metadata(http, missing)

    assert second.source is MetadataSource.WHEEL_RANGE
    assert second.requires_dist == ("idna>=3",)
    probes = server.requests_to("/pypi/files/demo-2.0-py3-none-any.whl.metadata")
    assert [record.status for record in probes] == [404]
    wheel_requests = server.requests_to("/pypi/files/demo-2.0-py3-none-any.whl")
    assert wheel_requests
    assert all(record.headers.get("range") is not None for record in wheel_requests)
    assert all(record.status == 206 for record in wheel_requests)


def test_a_probe_answered_with_a_server_error_falls_back_too(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(metadata="unadvertised"))
    file = _file(server, http, WHEEL)
    server.inject(Fault.status(502), path=f"/pypi/files/{WHEEL}.metadata")

    metadata = fetch_metadata(http, file)

    assert metadata.source is MetadataSource.WHEEL_RANGE
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')


def test_a_wheel_the_index_says_has_no_metadata_file_is_read_by_ranges_without_a_probe(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(metadata="missing"))
    file = _file(server, http, WHEEL)
    assert file.metadata_available is False

    metadata = fetch_metadata(http, file)

    assert metadata.source is MetadataSource.WHEEL_RANGE
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')
    assert server.requests_to(f"/pypi/files/{WHEEL}.metadata") == []
    ranges = [header for path, header in _paths(server)]
    assert ranges and all(header is not None and header.startswith("bytes=") for header in ranges)


def test_without_range_support_the_whole_wheel_is_downloaded_and_checked(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(metadata="missing"), range_requests=False)
    file = _file(server, http, WHEEL)

    metadata = fetch_metadata(http, file)

    assert metadata.source is MetadataSource.WHEEL_DOWNLOAD
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')
    assert (f"/pypi/files/{WHEEL}", None) in _paths(server)


def test_a_static_sdist_gives_its_pkg_info(index_server: IndexServerFactory, http: HttpClient) -> None:
    server = index_server(_universe(sdist_metadata="static"))
    file = _file(server, http, SDIST)

    metadata = fetch_metadata(http, file)

    assert metadata.source is MetadataSource.SDIST
    assert metadata.requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')
    assert metadata.requires_python == ">=3.8"
    assert metadata.provides_extra == ("socks",)
    assert _paths(server) == [(f"/pypi/files/{SDIST}", None)]


def test_a_dynamic_sdist_cannot_give_its_dependencies(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(sdist_metadata="dynamic"))
    file = _file(server, http, SDIST)

    with pytest.raises(MetadataUnavailableError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        "cannot know the dependencies of demo 1.0 without building demo-1.0.tar.gz, and thoth never runs "
        "code from an index: its PKG-INFO lists Requires-Dist as dynamic (PEP 643)\n"
        "  fix: choose a version of demo that has a wheel or static sdist metadata, or ask its maintainers "
        "to publish a wheel"
    )
    assert (caught.value.name, caught.value.version, caught.value.filename) == ("demo", "1.0", SDIST)


def test_a_legacy_sdist_cannot_give_its_dependencies(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(sdist_metadata="legacy"))
    file = _file(server, http, SDIST)

    with pytest.raises(MetadataUnavailableError) as caught:
        fetch_metadata(http, file)

    assert caught.value.reason == (
        "its PKG-INFO has Metadata-Version 2.1, and only from 2.2 on (PEP 643) are an sdist's fields final"
    )


def test_a_metadata_file_with_the_wrong_hash_is_refused(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe())
    file = _file(server, http, WHEEL)
    server.inject(Fault.wrong_hash(), path=f"/pypi/files/{WHEEL}.metadata")
    served = server.metadata_bytes("pypi", WHEEL)
    expected = hashlib.sha256(served).hexdigest()
    actual = hashlib.sha256(tampered(f"{WHEEL}.metadata", served)).hexdigest()

    with pytest.raises(HashMismatchError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        f"hash mismatch for {WHEEL}.metadata ({server.metadata_url('pypi', WHEEL)}): the index lists sha256 "
        f"{expected}, the downloaded file has sha256 {actual}\n  fix: {HASH_FIX}"
    )


def test_a_wheel_with_the_wrong_hash_is_refused(index_server: IndexServerFactory, http: HttpClient) -> None:
    server = index_server(_universe(metadata="missing"), range_requests=False)
    file = _file(server, http, WHEEL)
    server.inject(Fault.wrong_hash(), path=f"/pypi/files/{WHEEL}")
    expected = server.sha256("pypi", WHEEL)
    actual = hashlib.sha256(tampered(WHEEL, server.file_bytes("pypi", WHEEL))).hexdigest()

    with pytest.raises(HashMismatchError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        f"hash mismatch for {WHEEL} ({server.file_url('pypi', WHEEL)}): the index lists sha256 "
        f"{expected}, the downloaded file has sha256 {actual}\n  fix: {HASH_FIX}"
    )


def test_an_index_that_lists_only_md5_gets_its_md5_checked(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = index_server(_universe(metadata="missing"), range_requests=False)
    listed = _file(server, http, WHEEL)
    file = replace(listed, hashes=Hashes.of({"md5": "0" * 32}))
    actual = hashlib.md5(server.file_bytes("pypi", WHEEL)).hexdigest()

    with pytest.raises(HashMismatchError) as caught:
        fetch_metadata(http, file)

    assert (caught.value.algorithm, caught.value.expected, caught.value.actual) == ("md5", "0" * 32, actual)


def test_metadata_of_another_release_is_refused(index_server: IndexServerFactory, http: HttpClient) -> None:
    universe = Universe()
    wrong = b"Metadata-Version: 2.1\nName: other\nVersion: 1.0\n"
    universe.add_file("demo", WHEEL, _wheel_bytes({}), metadata=wrong)
    server = index_server(universe)
    file = _file(server, http, WHEEL)

    with pytest.raises(InvalidMetadataError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        f"the core metadata of {WHEEL} on index 'pypi' ({server.file_url('pypi', WHEEL)}) is unusable: "
        "it describes other 1.0, not demo 1.0\n"
        "  fix: the index serves a broken file; report it to the index's or the project's maintainers"
    )


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            b"Requires-Dist: urllib3\nRequires-Dist: idna (\xff)\n",
            "its Requires-Dist cannot be read (not UTF-8, or given more than once)",
        ),
        (
            b"Requires-Python: >=3.8\nRequires-Python: >=3.10\n",
            "its Requires-Python cannot be read (not UTF-8, or given more than once)",
        ),
        (b"Name: demo\n", "its Name cannot be read (not UTF-8, or given more than once)"),
    ],
)
def test_a_field_thoth_reads_but_cannot_decode_is_refused_not_dropped(
    index_server: IndexServerFactory, http: HttpClient, lines: bytes, reason: str
) -> None:
    universe = Universe()
    metadata = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" + lines
    universe.add_file("demo", WHEEL, _wheel_bytes({}), metadata=metadata)
    server = index_server(universe)
    file = _file(server, http, WHEEL)

    with pytest.raises(InvalidMetadataError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        f"the core metadata of {WHEEL} on index 'pypi' ({server.file_url('pypi', WHEEL)}) is unusable: "
        f"{reason}\n"
        "  fix: the index serves a broken file; report it to the index's or the project's maintainers"
    )


def test_a_wheel_without_metadata_inside_is_refused(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    universe = Universe()
    universe.add_file("demo", WHEEL, _wheel_bytes({"demo/__init__.py": b""}))
    server = index_server(universe)
    file = _file(server, http, WHEEL)

    with pytest.raises(InvalidMetadataError) as caught:
        fetch_metadata(http, file)

    assert caught.value.reason == "the wheel has no .dist-info/METADATA"


def _damaged_wheel() -> bytes:
    """A wheel whose METADATA is not a deflate stream: zipfile raises zlib.error for it."""
    data = bytearray(_wheel_bytes({"demo-1.0.dist-info/METADATA": b"Name: demo\n" * 50}, deflate=True))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("demo-1.0.dist-info/METADATA")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    return bytes(data)


def _encrypted_wheel() -> bytes:
    """A wheel whose METADATA is marked encrypted: zipfile raises RuntimeError for it."""
    data = bytearray(_wheel_bytes({"demo-1.0.dist-info/METADATA": b"Name: demo\n"}))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flags_at
        data[at] |= 0x1
    return bytes(data)


def _zip_sdist_of_a_later_zip_version() -> bytes:
    """A zip sdist whose entry needs zip version 9.9 to extract: zipfile raises NotImplementedError."""
    data = bytearray(
        _wheel_bytes({"demo-1.0/PKG-INFO": b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n"})
    )
    at = data.index(b"PK\x01\x02") + 6
    data[at : at + 2] = (99).to_bytes(2, "little")
    return bytes(data)


def _corrupt_xz_sdist() -> bytes:
    """A .tar.gz that is xz inside with a damaged byte: tarfile lets lzma.LZMAError through."""
    buffer = io.BytesIO()
    members = {
        "demo-1.0/setup.py": b"".join(b"print(%d)\n" % line for line in range(20_000)),
        "demo-1.0/PKG-INFO": b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n",
    }
    with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    data = bytearray(buffer.getvalue())
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    ("filename", "make", "reason"),
    [
        (
            WHEEL,
            _damaged_wheel,
            "the wheel is not a readable zip archive (Error -3 while decompressing data: invalid block type)",
        ),
        (
            WHEEL,
            _encrypted_wheel,
            "the wheel is not a readable zip archive "
            "(File 'demo-1.0.dist-info/METADATA' is encrypted, password required for extraction)",
        ),
        (
            "demo-1.0.zip",
            _zip_sdist_of_a_later_zip_version,
            "the sdist is not a readable archive (zip file version 9.9)",
        ),
        (SDIST, _corrupt_xz_sdist, "the sdist is not a readable archive (Corrupt input data)"),
    ],
)
def test_an_archive_python_cannot_read_is_invalid_metadata(
    index_server: IndexServerFactory, http: HttpClient, filename: str, make: Callable[[], bytes], reason: str
) -> None:
    universe = Universe()
    universe.add_file("demo", filename, make())
    server = index_server(universe)
    file = _file(server, http, filename)

    with pytest.raises(InvalidMetadataError) as caught:
        fetch_metadata(http, file)

    assert str(caught.value) == (
        f"the core metadata of {filename} on index 'pypi' ({server.file_url('pypi', filename)}) is unusable: "
        f"{reason}\n"
        "  fix: the index serves a broken file; report it to the index's or the project's maintainers"
    )


def _wheel_bytes(members: dict[str, bytes], *, deflate: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("options", "filename", "source"),
    [
        ({}, WHEEL, MetadataSource.METADATA_FILE),
        ({"metadata": "missing"}, WHEEL, MetadataSource.WHEEL_RANGE),
        ({}, SDIST, MetadataSource.SDIST),
    ],
)
def test_a_warm_run_asks_the_server_nothing(
    index_server: IndexServerFactory,
    tmp_path: Path,
    options: dict[str, str],
    filename: str,
    source: MetadataSource,
) -> None:
    server = index_server(_universe(**options))
    with _client(tmp_path / "cache") as cold:
        file = _file(server, cold, filename)
        first = fetch_metadata(cold, file)
    server.clear_requests()

    with _client(tmp_path / "cache") as warm:
        second = MetadataFetcher(warm).fetch_metadata(file)

    assert first == second
    assert second.source is source
    assert server.requests_to("/pypi/files/*") == []


def test_a_warm_run_remembers_that_an_sdist_needs_a_build(
    index_server: IndexServerFactory, tmp_path: Path
) -> None:
    server = index_server(_universe(sdist_metadata="dynamic"))
    with _client(tmp_path / "cache") as cold:
        file = _file(server, cold, SDIST)
        with pytest.raises(MetadataUnavailableError) as first:
            fetch_metadata(cold, file)
    server.clear_requests()

    with _client(tmp_path / "cache") as warm, pytest.raises(MetadataUnavailableError) as second:
        fetch_metadata(warm, file)

    assert str(second.value) == str(first.value)
    assert server.requests_to("/pypi/files/*") == []


def test_credentials_in_the_url_of_a_file_without_hash_stay_out_of_the_cache(
    index_server: IndexServerFactory, http: HttpClient, tmp_path: Path
) -> None:
    server = index_server(_universe(sdist_metadata="static"))
    listed = _file(server, http, SDIST)
    url = listed.url.replace("http://", "http://alice:s3cr3t@", 1)
    file = replace(listed, url=url, hashes=Hashes())

    assert fetch_metadata(http, file).requires_dist == ("urllib3>=1.21", 'pysocks>=1.5; extra == "socks"')

    for path in (tmp_path / "cache").rglob("*"):
        assert "s3cr3t" not in str(path)
        if path.is_file():
            assert b"s3cr3t" not in path.read_bytes()
    # The entry is found again by the URL without credentials.
    server.clear_requests()
    assert fetch_metadata(http, replace(file, url=listed.url)).source is MetadataSource.SDIST
    assert server.requests == []


def test_metadata_url_appends_to_the_path_and_drops_the_fragment() -> None:
    assert metadata_url("https://h/f/demo-1.0-py3-none-any.whl?x=1#sha256=ab") == (
        "https://h/f/demo-1.0-py3-none-any.whl.metadata?x=1"
    )


def test_the_dist_info_of_the_project_is_chosen_among_several() -> None:
    file = DistributionFile(filename="Demo_Pkg-1.0-py3-none-any.whl", url="https://h/x.whl", index="pypi")
    names = ["vendored-2.0.dist-info/METADATA", "Demo_Pkg-1.0.dist-info/METADATA", "demo_pkg/__init__.py"]

    assert dist_info_metadata(names, file) == "Demo_Pkg-1.0.dist-info/METADATA"
    assert dist_info_metadata(["demo_pkg/__init__.py", "a/b.dist-info/METADATA"], file) is None
