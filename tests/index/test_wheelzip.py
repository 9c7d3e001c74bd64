"""Tests for reading members of a remote zip through range requests, on zips built here and served locally."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterator

import pytest

from tests.indexserver import IndexServer, IndexServerFactory, Universe
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.wheelzip import TAIL_SIZE, RemoteZip, ZipFormatError

FILENAME = "demo-1.0-py3-none-any.whl"
FIX = "the file on the index is damaged or unusual; report it to the index's maintainers"


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with HttpClient(HttpSettings(retries=1, backoff=0), None) as client:
        yield client


def _serve(index_server: IndexServerFactory, data: bytes, **options: bool) -> IndexServer:
    universe = Universe()
    universe.add_file("demo", FILENAME, data)
    return index_server(universe, **options)


def _open(server: IndexServer, http: HttpClient, **kwargs: int) -> RemoteZip:
    archive = RemoteZip.open(http, server.file_url("pypi", FILENAME), index="pypi", package="demo", **kwargs)
    assert archive is not None
    return archive


def _zip(members: list[tuple[str, bytes, int]], *, comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in members:
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0)), data, compress_type=method
            )
        archive.comment = comment
    return buffer.getvalue()


def _noise(size: int, seed: int) -> bytes:
    """Bytes deflate cannot shrink, so archives are as large as the test needs."""
    return random.Random(seed).randbytes(size)


def _zip64(members: list[tuple[str, bytes, bool]]) -> bytes:
    """A zip whose every size and offset lives in zip64 extra fields, as in archives over 4 GiB."""
    out = bytearray()
    central = bytearray()
    for name, data, deflate in members:
        raw_name = name.encode()
        if deflate:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
            body = compressor.compress(data) + compressor.flush()
        else:
            body = data
        method = 8 if deflate else 0
        offset = len(out)
        crc = zlib.crc32(data)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(body))
        out += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            45,
            0,
            method,
            0,
            33,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(raw_name),
            20,
        )
        out += raw_name + local_extra + body
        central_extra = struct.pack("<HHQQQ", 1, 24, len(data), len(body), offset)
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            45,
            45,
            0,
            method,
            0,
            33,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(raw_name),
            len(central_extra),
            0,
            0,
            0,
            0,
            0xFFFFFFFF,
        )
        central += raw_name + central_extra
    directory_offset = len(out)
    out += central
    record_offset = len(out)
    count = len(members)
    out += struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), directory_offset
    )
    out += struct.pack("<4sIQI", b"PK\x06\x07", 0, record_offset, 1)
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return bytes(out)


def _range_headers(server: IndexServer) -> list[str | None]:
    return [record.headers.get("range") for record in server.requests_to(f"/pypi/files/{FILENAME}")]


def test_stored_and_deflated_members_of_a_small_zip_come_from_one_request(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    text = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" * 20
    data = _zip(
        [
            ("demo/__init__.py", b"x = 1\n", zipfile.ZIP_STORED),
            ("demo-1.0.dist-info/METADATA", text, zipfile.ZIP_DEFLATED),
        ]
    )
    server = _serve(index_server, data)

    archive = _open(server, http)

    assert archive.names() == ("demo/__init__.py", "demo-1.0.dist-info/METADATA")
    assert archive.size == len(data)
    assert archive.read("demo/__init__.py") == b"x = 1\n"
    assert archive.read("demo-1.0.dist-info/METADATA") == text
    assert _range_headers(server) == [f"bytes=-{TAIL_SIZE}"]


def test_a_member_and_a_directory_beyond_the_tail_are_fetched_by_range_not_by_download(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    first = _noise(5000, 1)
    members = [("demo-1.0.dist-info/METADATA", first, zipfile.ZIP_DEFLATED)]
    members += [(f"demo/module_{n:03}.py", _noise(300, n + 2), zipfile.ZIP_STORED) for n in range(40)]
    data = _zip(members)
    server = _serve(index_server, data)

    archive = _open(server, http, tail_size=512)

    assert len(archive.names()) == 41
    assert archive.read("demo-1.0.dist-info/METADATA") == first
    assert archive.read("demo/module_039.py") == _noise(300, 41)
    headers = _range_headers(server)
    assert headers[0] == "bytes=-512"
    assert all(header is not None and header.startswith("bytes=") for header in headers)
    assert len(headers) >= 3
    received = sum(
        int(header.split("-")[1]) - int(header.split("=")[1].split("-")[0]) + 1
        for header in headers[1:]
        if header is not None
    )
    assert received + 512 < len(data)


def test_a_comment_at_the_end_is_skipped_even_when_it_holds_a_fake_record(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    comment = b"built by hand PK\x05\x06 with a decoy end record " * 3
    data = _zip([("a.txt", b"alpha", zipfile.ZIP_STORED)], comment=comment)
    server = _serve(index_server, data)

    archive = _open(server, http)

    assert archive.read("a.txt") == b"alpha"


def test_a_comment_longer_than_the_first_tail_makes_the_reader_look_further(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    members = [(f"m{n}.bin", _noise(2000, n), zipfile.ZIP_STORED) for n in range(5)]
    data = _zip(members, comment=b"c" * 3000)
    server = _serve(index_server, data)

    archive = _open(server, http, tail_size=1024)

    assert archive.read("m0.bin") == _noise(2000, 0)
    assert archive.read("m4.bin") == _noise(2000, 4)


def test_a_zip64_archive_is_read_through_its_zip64_records(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    text = b"Name: demo\n" * 100
    data = _zip64([("demo/__init__.py", b"", False), ("demo-1.0.dist-info/METADATA", text, True)])
    # The archive is valid for the standard library too, so the test checks the reader, not the builder.
    with zipfile.ZipFile(io.BytesIO(data)) as reference:
        assert reference.read("demo-1.0.dist-info/METADATA") == text
    server = _serve(index_server, data)

    archive = _open(server, http)

    assert archive.names() == ("demo/__init__.py", "demo-1.0.dist-info/METADATA")
    assert archive.read("demo-1.0.dist-info/METADATA") == text
    assert archive.read("demo/__init__.py") == b""


def test_a_server_that_ignores_ranges_gives_none(index_server: IndexServerFactory, http: HttpClient) -> None:
    server = _serve(index_server, _zip([("a.txt", b"alpha", zipfile.ZIP_STORED)]), range_requests=False)

    assert RemoteZip.open(http, server.file_url("pypi", FILENAME), index="pypi", package="demo") is None
    [record] = server.requests_to(f"/pypi/files/{FILENAME}")
    assert record.status == 200


def _error(server: IndexServer, reason: str) -> str:
    url = server.file_url("pypi", FILENAME)
    return f"cannot read the zip archive {url} on index 'pypi': {reason}\n  fix: {FIX}"


def test_a_member_whose_bytes_were_changed_fails_its_crc_check(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    data = bytearray(_zip([("data.txt", b"original content", zipfile.ZIP_STORED)]))
    at = bytes(data).index(b"original")
    data[at] = ord("O")
    server = _serve(index_server, bytes(data))
    archive = _open(server, http)

    with pytest.raises(ZipFormatError) as caught:
        archive.read("data.txt")

    assert str(caught.value) == _error(server, "data.txt fails its CRC-32 check")


def test_a_file_that_is_no_zip_is_reported(index_server: IndexServerFactory, http: HttpClient) -> None:
    server = _serve(index_server, _noise(3000, 7))

    with pytest.raises(ZipFormatError) as caught:
        _open(server, http)

    assert str(caught.value) == _error(server, "no end-of-central-directory record (not a zip file?)")
    assert (caught.value.index, caught.value.package) == ("pypi", "demo")


def test_a_compression_method_other_than_stored_or_deflate_is_refused(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = _serve(index_server, _zip([("a.txt", b"alpha" * 100, zipfile.ZIP_BZIP2)]))
    archive = _open(server, http)

    with pytest.raises(ZipFormatError) as caught:
        archive.read("a.txt")

    assert str(caught.value) == _error(server, "a.txt uses compression method 12, not stored or deflate")


def test_asking_for_a_member_the_archive_lacks_names_it(
    index_server: IndexServerFactory, http: HttpClient
) -> None:
    server = _serve(index_server, _zip([("a.txt", b"alpha", zipfile.ZIP_STORED)]))
    archive = _open(server, http)

    with pytest.raises(ZipFormatError) as caught:
        archive.read("b.txt")

    assert str(caught.value) == _error(server, "no member 'b.txt'")
