"""Core metadata of a distribution file, by the cheapest way that works, never by running code."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from packaging.metadata import parse_email
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import ExternalError
from thoth_cli.index.cache import Cache
from thoth_cli.index.errors import HashMismatchError, IndexAuthError, IndexUnavailableError
from thoth_cli.index.http import HttpClient
from thoth_cli.index.model import CoreMetadata, DistKind, DistributionFile, Hashes, MetadataSource, redact
from thoth_cli.index.wheelzip import RemoteZip, ZipFormatError

CACHE_NAMESPACE = "core-metadata-v1"
"""Bump the suffix when the cached shape changes, so that old entries are simply not found."""

STATIC_SINCE = Version("2.2")
"""PEP 643: from Metadata-Version 2.2 on, a field not listed as Dynamic is final in an sdist."""

MAX_METADATA_SIZE = 16 * 1024 * 1024
"""A PKG-INFO larger than this is not a metadata file; refused rather than read into memory."""

try:
    import lzma

    _LZMA_ERRORS: tuple[type[Exception], ...] = (lzma.LZMAError,)
except ImportError:  # A Python built without liblzma opens no .tar.xz in the first place.
    _LZMA_ERRORS = ()

_ARCHIVE_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    *_LZMA_ERRORS,
    EOFError,
    OSError,
    # zipfile and tarfile report damaged headers in these too: "negative seek value",
    # "zip file version 9.9", "File ... is encrypted", undecodable member names.
    ValueError,
    NotImplementedError,
    RuntimeError,
)
"""What reading a damaged or unusual archive from an index may raise."""


class MetadataUnavailableError(ExternalError):
    """A release's dependencies cannot be known without building it, which thoth never does (exit 3)."""

    def __init__(self, *, name: str, version: str, filename: str, reason: str) -> None:
        self.name = name
        self.version = version
        self.filename = filename
        self.reason = reason
        super().__init__(
            f"cannot know the dependencies of {name} {version} without building {filename}, "
            f"and thoth never runs code from an index: {reason}",
            fix=f"choose a version of {name} that has a wheel or static sdist metadata, "
            "or ask its maintainers to publish a wheel",
        )


class InvalidMetadataError(ExternalError):
    """A core metadata file is unreadable or describes another release than its file (exit 3)."""

    def __init__(self, *, url: str, filename: str, index: str, reason: str) -> None:
        self.url = url
        self.filename = filename
        self.index = index
        self.reason = reason
        super().__init__(
            f"the core metadata of {filename} on index {index!r} ({redact(url)}) is unusable: {reason}",
            fix="the index serves a broken file; report it to the index's or the project's maintainers",
        )


def metadata_url(url: str) -> str:
    """PEP 658: the file's URL with `.metadata` appended to its path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path + ".metadata", parts.query, ""))


class MetadataStrategy:
    """One way to get a file's core metadata file; strategies are tried in order.

    `fetch` returns the raw metadata bytes, or None when this way does not apply to the file
    (so the next strategy is tried); it raises only when the way applies and fails for good.
    """

    source: ClassVar[MetadataSource]

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def fetch(self, file: DistributionFile) -> bytes | None:
        raise NotImplementedError


class MetadataFileStrategy(MetadataStrategy):
    """PEP 658/714: the `.metadata` file next to the distribution, advertised or not."""

    source = MetadataSource.METADATA_FILE

    def fetch(self, file: DistributionFile) -> bytes | None:
        url = metadata_url(file.url)
        package = str(file.name)
        if file.metadata_available:
            data = self.http.get_file(
                url, sha256=file.metadata_hashes.sha256, index=file.index, package=package
            )
            _verify_other_hashes(data, file.metadata_hashes, url, f"{file.filename}.metadata")
            return data
        if file.metadata_available is False or not file.is_wheel:
            return None
        # Unadvertised: some proxies serve it for most wheels but not all, so ask and accept a no.
        try:
            response = self.http.get_page(url, accept="*/*", index=file.index, package=package)
        except IndexAuthError:
            raise
        except IndexUnavailableError:
            # Some proxies answer 5xx for what they lack; the next strategies report a real outage.
            return None
        return response.content if response.status == 200 else None


class WheelRangeStrategy(MetadataStrategy):
    """A wheel's `.dist-info/METADATA` read through range requests: the central directory, then the member."""

    source = MetadataSource.WHEEL_RANGE

    def fetch(self, file: DistributionFile) -> bytes | None:
        if not file.is_wheel:
            return None
        try:
            archive = RemoteZip.open(self.http, file.url, index=file.index, package=str(file.name))
            if archive is None:
                return None
            member = dist_info_metadata(archive.names(), file)
            if member is None:
                return None
            return archive.read(member)
        except ZipFormatError:
            # Ranges cannot be trusted to tell a damaged file from an odd server: the
            # hash-checked full download gives the final word.
            return None


class WheelDownloadStrategy(MetadataStrategy):
    """The whole wheel, hash-checked, and its `.dist-info/METADATA`."""

    source = MetadataSource.WHEEL_DOWNLOAD

    def fetch(self, file: DistributionFile) -> bytes | None:
        if not file.is_wheel:
            return None
        data = _download(self.http, file)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                member = dist_info_metadata(archive.namelist(), file)
                if member is None:
                    raise _invalid(file, "the wheel has no .dist-info/METADATA")
                return archive.read(member)
        except _ARCHIVE_ERRORS as error:
            raise _invalid(file, f"the wheel is not a readable zip archive ({_describe(error)})") from None


class SdistStrategy(MetadataStrategy):
    """An sdist's PKG-INFO, read from the hash-checked archive; nothing in it is run."""

    source = MetadataSource.SDIST

    def fetch(self, file: DistributionFile) -> bytes | None:
        if file.is_wheel:
            return None
        data = _download(self.http, file)
        try:
            if file.filename.endswith(".zip"):
                return _pkg_info_from_zip(data, file)
            return _pkg_info_from_tar(data, file)
        except _ARCHIVE_ERRORS as error:
            raise _invalid(file, f"the sdist is not a readable archive ({_describe(error)})") from None


def default_strategies(http: HttpClient) -> tuple[MetadataStrategy, ...]:
    return (
        MetadataFileStrategy(http),
        WheelRangeStrategy(http),
        WheelDownloadStrategy(http),
        SdistStrategy(http),
    )


class MetadataFetcher:
    """Core metadata of distribution files: from the cache, else by the first strategy that applies."""

    def __init__(
        self,
        http: HttpClient,
        *,
        strategies: Sequence[MetadataStrategy] | None = None,
    ) -> None:
        self.http = http
        # The HTTP client's cache, so that --refresh, --offline and `thoth cache` cover it too.
        self.cache: Cache | None = http.cache
        self.strategies = tuple(strategies) if strategies is not None else default_strategies(http)

    def fetch_metadata(self, file: DistributionFile) -> CoreMetadata:
        """The file's core metadata; MetadataUnavailableError when only a build could tell."""
        # Without a hash the URL names the entry; credentials in it must not be written to disk.
        key = file.hashes.sha256 or redact(file.url)
        cached = self._cached(key, file)
        if isinstance(cached, CoreMetadata):
            return cached
        if isinstance(cached, str):
            raise MetadataUnavailableError(
                name=file.name, version=str(file.version), filename=file.filename, reason=cached
            )
        for strategy in self.strategies:
            raw = strategy.fetch(file)
            if raw is not None:
                break
        else:
            raise MetadataUnavailableError(
                name=file.name, version=str(file.version), filename=file.filename, reason="no way to read it"
            )
        try:
            metadata = parse_metadata(raw, file, strategy.source)
        except MetadataUnavailableError as error:
            self._store(key, {"unavailable": error.reason})
            raise
        self._store(key, _to_json(metadata))
        return metadata

    def _cached(self, key: str, file: DistributionFile) -> CoreMetadata | str | None:
        """The cached metadata, or the cached reason it is unavailable; None when not (usably) cached."""
        if self.cache is None:
            return None
        value = self.cache.get_json(CACHE_NAMESPACE, key)
        if not isinstance(value, dict):
            return None
        if isinstance(value.get("unavailable"), str):
            return str(value["unavailable"])
        metadata = _from_json(value)
        # Keyed by URL when the index gives no hash, so the entry may describe an older file.
        if metadata is None or metadata.name != file.name or metadata.version != file.version:
            return None
        return metadata

    def _store(self, key: str, value: dict[str, Any]) -> None:
        if self.cache is not None:
            self.cache.put_json(CACHE_NAMESPACE, key, value)


def fetch_metadata(http: HttpClient, file: DistributionFile) -> CoreMetadata:
    """The file's core metadata with the default strategies and the HTTP client's cache."""
    return MetadataFetcher(http).fetch_metadata(file)


def parse_metadata(data: bytes, file: DistributionFile, source: MetadataSource) -> CoreMetadata:
    """Parse a core metadata file and check that it belongs to `file` (and, for an sdist, is final)."""
    try:
        raw, unparsed = parse_email(data)
    except ValueError as error:
        raise _invalid(file, f"not a core metadata file ({error})") from None
    # parse_email sets aside a field it cannot decode or that is repeated where one is allowed;
    # taking that as "no such field" would lose dependencies without a word.
    for key, field in READ_FIELDS.items():
        if key in unparsed:
            raise _invalid(file, f"its {field} cannot be read (not UTF-8, or given more than once)")
    name, version_text = raw.get("name"), raw.get("version")
    if not name or not version_text:
        raise _invalid(file, "it names no project or no version")
    try:
        version = Version(version_text)
    except InvalidVersion:
        raise _invalid(file, f"invalid version {version_text!r}") from None
    if canonicalize_name(name) != file.name or version != file.version:
        raise _invalid(file, f"it describes {name} {version_text}, not {file.name} {file.version}")
    dynamic = tuple(raw.get("dynamic", ()))
    if file.kind is DistKind.SDIST:
        _check_static(raw.get("metadata_version"), dynamic, file)
    return CoreMetadata(
        name=file.name,
        version=version,
        requires_dist=tuple(raw.get("requires_dist", ())),
        requires_python=raw.get("requires_python"),
        provides_extra=tuple(raw.get("provides_extra", ())),
        dynamic=dynamic,
        source=source,
    )


READ_FIELDS = {
    "metadata-version": "Metadata-Version",
    "name": "Name",
    "version": "Version",
    "requires-dist": "Requires-Dist",
    "requires-python": "Requires-Python",
    "provides-extra": "Provides-Extra",
    "dynamic": "Dynamic",
}
"""The fields thoth reads, by the lower-case names parse_email's `unparsed` uses."""


def _check_static(metadata_version: str | None, dynamic: tuple[str, ...], file: DistributionFile) -> None:
    try:
        static = metadata_version is not None and Version(metadata_version) >= STATIC_SINCE
    except InvalidVersion:
        static = False
    if not static:
        reason = (
            f"its PKG-INFO has Metadata-Version {metadata_version}, and only from 2.2 on (PEP 643) "
            "are an sdist's fields final"
        )
    elif any(field.lower() == "requires-dist" for field in dynamic):
        reason = "its PKG-INFO lists Requires-Dist as dynamic (PEP 643)"
    else:
        return
    raise MetadataUnavailableError(
        name=file.name, version=str(file.version), filename=file.filename, reason=reason
    )


def dist_info_metadata(names: Sequence[str], file: DistributionFile) -> str | None:
    """The wheel's `<name>-<version>.dist-info/METADATA` member, matched by normalised project name."""
    found = []
    for member in names:
        folder, _, leaf = member.partition("/")
        if leaf == "METADATA" and folder.endswith(".dist-info"):
            found.append(member)
    if len(found) <= 1:
        return found[0] if found else None
    for member in found:
        project = member.split("/", 1)[0][: -len(".dist-info")].rsplit("-", 1)[0]
        if canonicalize_name(project) == file.name:
            return member
    return None


def _download(http: HttpClient, file: DistributionFile) -> bytes:
    data = http.get_file(file.url, sha256=file.hashes.sha256, index=file.index, package=str(file.name))
    _verify_other_hashes(data, file.hashes, file.url, file.filename)
    return data


def _verify_other_hashes(data: bytes, hashes: Hashes, url: str, filename: str) -> None:
    # get_file checks sha256; older indexes may list only md5 or sha512, checked here.
    if hashes.sha256 is not None:
        return
    for algorithm, expected in hashes.items:
        if algorithm not in hashlib.algorithms_guaranteed:
            continue
        actual = hashlib.new(algorithm, data).hexdigest()
        if actual != expected:
            raise HashMismatchError(
                url=redact(url), filename=filename, algorithm=algorithm, expected=expected, actual=actual
            )


def _pkg_info_from_tar(data: bytes, file: DistributionFile) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive:
            if _is_top_pkg_info(member.name) and member.isfile():
                if member.size > MAX_METADATA_SIZE:
                    raise _invalid(file, f"its PKG-INFO is {member.size} bytes")
                extracted = archive.extractfile(member)
                if extracted is not None:
                    return extracted.read()
    raise _invalid(file, "the sdist has no PKG-INFO")


def _pkg_info_from_zip(data: bytes, file: DistributionFile) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if _is_top_pkg_info(info.filename) and not info.is_dir():
                if info.file_size > MAX_METADATA_SIZE:
                    raise _invalid(file, f"its PKG-INFO is {info.file_size} bytes")
                return archive.read(info)
    raise _invalid(file, "the sdist has no PKG-INFO")


def _is_top_pkg_info(path: str) -> bool:
    parts = path.strip("/").split("/")
    return len(parts) == 2 and parts[1] == "PKG-INFO" and parts[0] not in ("", ".", "..")


def _describe(error: Exception) -> str:
    # Some of these carry no message (EOFError from a truncated member).
    return str(error) or type(error).__name__


def _invalid(file: DistributionFile, reason: str) -> InvalidMetadataError:
    return InvalidMetadataError(url=file.url, filename=file.filename, index=file.index, reason=reason)


def _to_json(metadata: CoreMetadata) -> dict[str, Any]:
    return {
        "name": str(metadata.name),
        "version": str(metadata.version),
        "requires_dist": list(metadata.requires_dist),
        "requires_python": metadata.requires_python,
        "provides_extra": list(metadata.provides_extra),
        "dynamic": list(metadata.dynamic),
        "source": metadata.source.value,
    }


def _from_json(value: dict[str, Any]) -> CoreMetadata | None:
    try:
        return CoreMetadata(
            name=canonicalize_name(value["name"]),
            version=Version(value["version"]),
            requires_dist=tuple(str(one) for one in value["requires_dist"]),
            requires_python=None if value["requires_python"] is None else str(value["requires_python"]),
            provides_extra=tuple(str(one) for one in value["provides_extra"]),
            dynamic=tuple(str(one) for one in value["dynamic"]),
            source=MetadataSource(value["source"]),
        )
    except (KeyError, TypeError, ValueError):
        # Not what this version of thoth writes: fetch again rather than trust it.
        return None
