"""Read one member of a remote zip (a wheel) through HTTP range requests, without downloading it."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from thoth_cli.errors import ExternalError
from thoth_cli.index.http import HttpClient
from thoth_cli.index.model import redact

TAIL_SIZE = 64 * 1024
"""The first request: enough for the central directory of all but very large wheels."""

MAX_MEMBER_SIZE = 64 * 1024 * 1024
"""No core metadata file is this large; a member claiming more is refused, not inflated."""

_EOCD = struct.Struct("<4sHHHHIIH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ZIP64_EXTRA_ID = 0x0001
_MAX_COMMENT = 0xFFFF
_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFFFFFF
_FLAG_ENCRYPTED = 0x1
_FLAG_UTF8 = 0x800
STORED = 0
DEFLATED = 8


class ZipFormatError(ExternalError):
    """A remote zip cannot be read member by member: damaged, or a feature we do not read (exit 3)."""

    def __init__(self, *, url: str, index: str, package: str | None, reason: str) -> None:
        self.url = url
        self.index = index
        self.package = package
        self.reason = reason
        super().__init__(
            f"cannot read the zip archive {redact(url)} on index {index!r}: {reason}",
            fix="the file on the index is damaged or unusual; report it to the index's maintainers",
        )


@dataclass(frozen=True)
class ZipMember:
    """One entry of a zip's central directory: what is needed to find and unpack it."""

    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    uncompressed_size: int
    header_offset: int


class RemoteZip:
    """A zip archive on a server that answers range requests; keeps the bytes it has seen."""

    def __init__(self, reader: _Reader, members: tuple[ZipMember, ...]) -> None:
        self._reader = reader
        self.members = members

    @classmethod
    def open(
        cls, http: HttpClient, url: str, *, index: str, package: str | None, tail_size: int = TAIL_SIZE
    ) -> RemoteZip | None:
        """Read the archive's central directory; None when the server does not answer ranges."""
        first = http.get_range(url, start=None, end=None, suffix=tail_size, index=index, package=package)
        if first is None:
            return None
        reader = _Reader(http, url, index=index, package=package, size=first.end, tail=first.content)
        return cls(reader, reader.central_directory())

    @property
    def size(self) -> int:
        return self._reader.size

    def names(self) -> tuple[str, ...]:
        return tuple(member.name for member in self.members)

    def read(self, name: str) -> bytes:
        """The member's uncompressed bytes, checked against the CRC-32 the directory gives."""
        member = next((one for one in self.members if one.name == name), None)
        if member is None:
            raise self._reader.error(f"no member {name!r}")
        return self._reader.member(member)


class _Reader:
    """Byte access to the remote file: served from the tail when it covers a span, else a range request."""

    def __init__(
        self, http: HttpClient, url: str, *, index: str, package: str | None, size: int, tail: bytes
    ) -> None:
        self._http = http
        self._url = url
        self._index = index
        self._package = package
        self.size = size
        self._tail = tail
        self._tail_start = size - len(tail)

    def error(self, reason: str) -> ZipFormatError:
        return ZipFormatError(url=self._url, index=self._index, package=self._package, reason=reason)

    def read(self, start: int, length: int) -> bytes:
        if start < 0 or length < 0 or start + length > self.size:
            raise self.error(
                f"a record points outside the file (bytes {start}-{start + length} of {self.size})"
            )
        if length == 0:
            return b""
        if start >= self._tail_start:
            offset = start - self._tail_start
            return self._tail[offset : offset + length]
        # A span that reaches into the tail is only fetched up to where the tail begins.
        fetch_end = min(start + length, self._tail_start)
        got = self._http.get_range(
            self._url, start=start, end=fetch_end - 1, index=self._index, package=self._package
        )
        if got is None:
            raise self.error("the server stopped answering range requests")
        if got.start != start or len(got.content) != fetch_end - start:
            raise self.error(f"asked for bytes {start}-{fetch_end - 1}, got {got.start}-{got.end - 1}")
        rest = self.read(fetch_end, start + length - fetch_end) if fetch_end < start + length else b""
        return got.content + rest

    def central_directory(self) -> tuple[ZipMember, ...]:
        eocd_at = self._find_eocd()
        eocd = self._tail[eocd_at - self._tail_start : eocd_at - self._tail_start + _EOCD.size]
        _sig, disk, cd_disk, _on_disk, count, cd_size, cd_offset, _comment = _EOCD.unpack(eocd)
        if disk != cd_disk and _U16_MAX not in (disk, cd_disk):
            raise self.error("multi-disk archives are not supported")
        if _U16_MAX in (count,) or _U32_MAX in (cd_size, cd_offset) or self._has_zip64_locator(eocd_at):
            count, cd_size, cd_offset = self._zip64_end(eocd_at)
        data = self.read(cd_offset, cd_size)
        members = []
        position = 0
        for _ in range(count):
            member, position = self._central_entry(data, position)
            members.append(member)
        return tuple(members)

    def _find_eocd(self) -> int:
        # The record is followed only by its comment, whose length it states: search backwards
        # so that "PK\5\6" inside a comment is not taken for the record.
        tail = self._tail
        lowest = max(0, len(tail) - _EOCD.size - _MAX_COMMENT)
        position = tail.rfind(_EOCD_SIGNATURE, lowest)
        while position >= 0:
            if position + _EOCD.size <= len(tail):
                (comment_length,) = struct.unpack_from("<H", tail, position + _EOCD.size - 2)
                if position + _EOCD.size + comment_length == len(tail):
                    return self._tail_start + position
            position = tail.rfind(_EOCD_SIGNATURE, lowest, position)
        if self._tail_start > 0 and len(tail) < _EOCD.size + _MAX_COMMENT:
            # A long comment pushed the record out of the first tail: look at the largest span it may be in.
            span = min(self.size, _EOCD.size + _MAX_COMMENT)
            self._tail = self.read(self.size - span, span - len(tail)) + tail
            self._tail_start = self.size - span
            return self._find_eocd()
        raise self.error("no end-of-central-directory record (not a zip file?)")

    def _has_zip64_locator(self, eocd_at: int) -> bool:
        at = eocd_at - _ZIP64_LOCATOR.size
        return at >= 0 and self.read(at, 4) == _ZIP64_LOCATOR_SIGNATURE

    def _zip64_end(self, eocd_at: int) -> tuple[int, int, int]:
        at = eocd_at - _ZIP64_LOCATOR.size
        if at < 0:
            raise self.error("the zip64 end-of-central-directory locator is missing")
        signature, _disk, record_at, _disks = _ZIP64_LOCATOR.unpack(self.read(at, _ZIP64_LOCATOR.size))
        if signature != _ZIP64_LOCATOR_SIGNATURE:
            raise self.error("the zip64 end-of-central-directory locator is missing")
        record = self.read(record_at, _ZIP64_EOCD.size)
        fields = _ZIP64_EOCD.unpack(record)
        if fields[0] != _ZIP64_EOCD_SIGNATURE:
            raise self.error("the zip64 end-of-central-directory record is missing")
        _sig, _size, _made, _needed, _disk, _cd_disk, _on_disk, count, cd_size, cd_offset = fields
        return count, cd_size, cd_offset

    def _central_entry(self, data: bytes, position: int) -> tuple[ZipMember, int]:
        if position + _CENTRAL.size > len(data):
            raise self.error("the central directory is shorter than it says")
        fields = _CENTRAL.unpack_from(data, position)
        if fields[0] != _CENTRAL_SIGNATURE:
            raise self.error(f"bad central directory entry at offset {position}")
        flags, method, crc = fields[3], fields[4], fields[7]
        compressed, uncompressed = fields[8], fields[9]
        name_length, extra_length, comment_length = fields[10], fields[11], fields[12]
        offset = fields[16]
        start = position + _CENTRAL.size
        end = start + name_length + extra_length + comment_length
        if end > len(data):
            raise self.error("the central directory is shorter than it says")
        raw_name = data[start : start + name_length]
        name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")
        extra = data[start + name_length : start + name_length + extra_length]
        uncompressed, compressed, offset = self._zip64_extra(extra, uncompressed, compressed, offset)
        member = ZipMember(
            name=name,
            method=method,
            flags=flags,
            crc32=crc,
            compressed_size=compressed,
            uncompressed_size=uncompressed,
            header_offset=offset,
        )
        return member, end

    def _zip64_extra(
        self, extra: bytes, uncompressed: int, compressed: int, offset: int
    ) -> tuple[int, int, int]:
        # The zip64 extra field holds, in this order, only those values that overflowed.
        position = 0
        while position + 4 <= len(extra):
            field_id, length = struct.unpack_from("<HH", extra, position)
            body = extra[position + 4 : position + 4 + length]
            position += 4 + length
            if field_id != _ZIP64_EXTRA_ID:
                continue
            values = iter(struct.unpack_from(f"<{len(body) // 8}Q", body))
            try:
                if uncompressed == _U32_MAX:
                    uncompressed = next(values)
                if compressed == _U32_MAX:
                    compressed = next(values)
                if offset == _U32_MAX:
                    offset = next(values)
            except StopIteration:
                raise self.error("a zip64 extra field is too short") from None
            return uncompressed, compressed, offset
        if _U32_MAX in (uncompressed, compressed, offset):
            raise self.error("a member needs a zip64 extra field and has none")
        return uncompressed, compressed, offset

    def member(self, member: ZipMember) -> bytes:
        if member.flags & _FLAG_ENCRYPTED:
            raise self.error(f"{member.name} is encrypted")
        if member.method not in (STORED, DEFLATED):
            raise self.error(f"{member.name} uses compression method {member.method}, not stored or deflate")
        if member.uncompressed_size > MAX_MEMBER_SIZE:
            raise self.error(f"{member.name} claims {member.uncompressed_size} bytes, more than the allowed")
        header = self.read(member.header_offset, _LOCAL.size)
        fields = _LOCAL.unpack(header)
        if fields[0] != _LOCAL_SIGNATURE:
            raise self.error(f"no local header for {member.name} at offset {member.header_offset}")
        # The local header's name and extra lengths may differ from the central directory's.
        data_at = member.header_offset + _LOCAL.size + fields[9] + fields[10]
        raw = self.read(data_at, member.compressed_size)
        if member.method == DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                # Bounded, so that a member lying about its size cannot inflate without limit.
                content = inflater.decompress(raw, member.uncompressed_size + 1)
                if not inflater.unconsumed_tail:
                    content += inflater.flush()
            except zlib.error as error:
                raise self.error(f"{member.name} does not inflate ({error})") from None
        else:
            content = raw
        if len(content) != member.uncompressed_size:
            raise self.error(
                f"{member.name} unpacks to {len(content)} bytes, not the {member.uncompressed_size} listed"
            )
        if zlib.crc32(content) != member.crc32:
            raise self.error(f"{member.name} fails its CRC-32 check")
        return content
