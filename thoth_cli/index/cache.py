"""The on-disk cache of index pages, files and derived values, shared safely between processes.

Layout under the root, one file per entry, named by a sha256 so no URL (and no credential)
ever becomes a file name:

    pages/ab/<key>             index pages with their response headers (envelope)
    files/ab/<key>             files fetched by URL when no hash was known (envelope)
    blobs/sha256/ab/<sha256>   files by content hash (raw bytes; the name is the check)
    json/<namespace>/ab/<key>  values other modules derive, e.g. parsed metadata (envelope)

An envelope is a magic line, one JSON header line (`length`, `sha256` of the body, `meta`)
and the body. Every write goes to a temporary file in the entry's folder and is renamed
into place, so two thoth processes may write the same entry at once and a reader sees the
old entry or the new one, never a mix. An entry whose length or hash does not match (a
crash, a full disk, a hand edit) is deleted and reported as missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import platformdirs

from thoth_cli.errors import ExternalError
from thoth_cli.index.errors import CacheError
from thoth_cli.index.model import redact

_MAGIC = b"thoth-cache 1\n"
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_SECONDS = 3600.0
"""A temporary file this old belongs to a process that died; younger ones may be in use."""
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")

PAGES = "pages"
FILES = "files"
BLOBS = "blobs"
JSON = "json"
KINDS: tuple[str, ...] = (PAGES, FILES, BLOBS, JSON)


class CacheCleanError(ExternalError):
    """Some cache entries could not be deleted; the others were (exit 3)."""

    def __init__(self, *, root: Path, failed: tuple[Path, ...], reason: str, removed: int) -> None:
        self.root = root
        self.failed = failed
        self.reason = reason
        self.removed = removed
        count = len(failed)
        super().__init__(
            f"could not delete {count} {'entry' if count == 1 else 'entries'} of the cache at {root} "
            f"({reason}: {failed[0]}); {removed} bytes were freed",
            fix=f"delete them as the user who owns them, or make {root} and its folders writable",
        )


@dataclass(frozen=True)
class CachedPage:
    """An index page as stored: the request it answers, the response, and when it was stored.

    `url` is the requested URL without credentials; `final_url` the URL after redirects,
    which relative links on the page resolve against.
    """

    url: str
    accept: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    stored_at: float


@dataclass(frozen=True)
class KindInfo:
    """How many entries of one kind the cache holds, and their size on disk."""

    kind: str
    entries: int
    bytes: int


@dataclass(frozen=True)
class CacheInfo:
    """What `thoth cache info` shows."""

    root: Path
    kinds: tuple[KindInfo, ...]

    @property
    def total_entries(self) -> int:
        return sum(kind.entries for kind in self.kinds)

    @property
    def total_bytes(self) -> int:
        return sum(kind.bytes for kind in self.kinds)


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _sharded(folder: Path, name: str) -> Path:
    return folder / name[:2] / name


class Cache:
    """The on-disk cache; safe for several threads and several processes at once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default_root(cls, environ: Mapping[str, str] | None = None) -> Path:
        """THOTH_CACHE_DIR when set, else the platform's user cache folder for thoth_cli."""
        env = os.environ if environ is None else environ
        value = env.get("THOTH_CACHE_DIR")
        if value:
            return Path(value).expanduser()
        return Path(platformdirs.user_cache_dir("thoth_cli", appauthor=False))

    # Index pages

    def get_page(self, url: str, accept: str) -> CachedPage | None:
        """The stored page for `url` requested with `accept`, or None."""
        url = redact(url)
        found = self._read_envelope(self._page_path(url, accept))
        if found is None:
            return None
        meta, body = found
        try:
            if meta["url"] != url or meta["accept"] != accept:
                return None
            return CachedPage(
                url=url,
                accept=accept,
                final_url=str(meta["final_url"]),
                status=int(meta["status"]),
                headers=MappingProxyType({str(k): str(v) for k, v in dict(meta["headers"]).items()}),
                content=body,
                stored_at=float(meta["stored_at"]),
            )
        except (KeyError, TypeError, ValueError):
            self._drop(self._page_path(url, accept))
            return None

    def put_page(self, page: CachedPage) -> None:
        """Store (or replace) a page; credentials in its URLs are stripped first."""
        url = redact(page.url)
        meta = {
            "url": url,
            "accept": page.accept,
            "final_url": redact(page.final_url),
            "status": page.status,
            "headers": dict(page.headers),
            "stored_at": page.stored_at,
        }
        self._write_envelope(self._page_path(url, page.accept), meta, page.content)

    def drop_page(self, url: str, accept: str) -> None:
        """Forget a stored page (the server now forbids storing it)."""
        self._drop(self._page_path(redact(url), accept))

    def _page_path(self, url: str, accept: str) -> Path:
        return _sharded(self.root / PAGES, _key(url, accept))

    # Files by content hash

    def get_blob(self, sha256: str) -> bytes | None:
        """The bytes whose sha256 is `sha256`, or None; a corrupt entry is dropped."""
        digest = sha256.lower()
        if not _SHA256.fullmatch(digest):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        path = self._blob_path(digest)
        data = self._read_bytes(path)
        if data is None:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            self._drop(path)
            return None
        return data

    def put_blob(self, data: bytes) -> str:
        """Store `data` by its content; returns its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        self._write(self._blob_path(digest), [data])
        return digest

    def _blob_path(self, digest: str) -> Path:
        return _sharded(self.root / BLOBS / "sha256", digest)

    # Files by URL (no hash known)

    def get_url_blob(self, url: str) -> bytes | None:
        """The file stored for `url`, or None."""
        url = redact(url)
        found = self._read_envelope(self._url_path(url))
        if found is None or found[0].get("url") != url:
            return None
        return found[1]

    def put_url_blob(self, url: str, data: bytes) -> None:
        url = redact(url)
        self._write_envelope(self._url_path(url), {"url": url}, data)

    def _url_path(self, url: str) -> Path:
        return _sharded(self.root / FILES, _key(url))

    # Derived values

    def get_json(self, namespace: str, key: str) -> Any:
        """The value stored under `namespace`/`key`, or None; a URL as key loses its credentials."""
        key = redact(key)
        path = self._json_path(namespace, key)
        found = self._read_envelope(path)
        if found is None or found[0].get("key") != key:
            return None
        try:
            return json.loads(found[1])
        except ValueError:
            self._drop(path)
            return None

    def put_json(self, namespace: str, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under `namespace`/`key`; the key is written in the entry,
        so a URL as key loses its credentials first."""
        key = redact(key)
        body = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self._write_envelope(self._json_path(namespace, key), {"key": key}, body)

    def _json_path(self, namespace: str, key: str) -> Path:
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"cache namespace must match {_NAMESPACE.pattern}: {namespace!r}")
        return _sharded(self.root / JSON / namespace, _key(key))

    # Housekeeping

    def info(self) -> CacheInfo:
        """Entries and bytes per kind."""
        kinds = []
        for kind in KINDS:
            entries = size = 0
            for _path, stat in self._files(self.root / kind):
                entries += 1
                size += stat.st_size
            kinds.append(KindInfo(kind, entries, size))
        return CacheInfo(self.root, tuple(kinds))

    def clean(self, *, older_than: float | None = None) -> int:
        """Delete entries stored more than `older_than` seconds ago (all when None); bytes removed.

        Only the cache's own folders are touched, whatever else the root holds. Entries that
        cannot be deleted (another user's, a read-only disk) are skipped, then reported
        together in a CacheCleanError once the rest are gone.
        """
        now = time.time()
        removed = 0
        failed: list[tuple[Path, OSError]] = []
        for kind in KINDS:
            folder = self.root / kind
            for path, stat in self._files(folder, include_temp=True, failed=failed):
                age = now - stat.st_mtime
                if path.name.startswith(_TEMP_PREFIX):
                    # Another thoth may be writing it right now.
                    if age < _STALE_TEMP_SECONDS:
                        continue
                elif older_than is not None and age <= older_than:
                    continue
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    failed.append((path, exc))
                    continue
                removed += stat.st_size
            self._prune_empty(folder)
        if failed:
            first = failed[0][1]
            raise CacheCleanError(
                root=self.root,
                failed=tuple(path for path, _ in failed),
                reason=first.strerror or str(first),
                removed=removed,
            )
        return removed

    def _files(
        self,
        folder: Path,
        *,
        include_temp: bool = False,
        failed: list[tuple[Path, OSError]] | None = None,
    ) -> Iterator[tuple[Path, os.stat_result]]:
        """Every entry file under `folder`; what cannot be listed or read is skipped, or added to `failed`."""

        def skipped(path: Path, exc: OSError) -> None:
            # A kind never written has no folder; an entry another process removed is gone.
            if failed is not None and not isinstance(exc, FileNotFoundError):
                failed.append((path, exc))

        for dirpath, _dirnames, filenames in os.walk(
            folder, onerror=lambda exc: skipped(Path(exc.filename or folder), exc)
        ):
            for name in filenames:
                if name.startswith(_TEMP_PREFIX) and not include_temp:
                    continue
                path = Path(dirpath, name)
                try:
                    yield path, path.stat()
                except OSError as exc:
                    skipped(path, exc)

    @staticmethod
    def _prune_empty(folder: Path) -> None:
        for dirpath, _dirnames, _filenames in os.walk(folder, topdown=False):
            if Path(dirpath) != folder:
                with contextlib.suppress(OSError):
                    Path(dirpath).rmdir()

    # Envelopes and atomic files

    def _read_envelope(self, path: Path) -> tuple[dict[str, Any], bytes] | None:
        raw = self._read_bytes(path)
        if raw is None:
            return None
        parsed = _parse_envelope(raw)
        if parsed is None:
            self._drop(path)
        return parsed

    def _write_envelope(self, path: Path, meta: Mapping[str, Any], body: bytes) -> None:
        header = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest(), "meta": dict(meta)}
        line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
        self._write(path, [_MAGIC, line, body])

    @staticmethod
    def _read_bytes(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            # Missing or unreadable: either way the caller fetches it again.
            return None

    @staticmethod
    def _drop(path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()

    def _write(self, path: Path, chunks: list[bytes]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
        except OSError as exc:
            raise CacheError(path=self.root, reason=exc.strerror or str(exc)) from exc
        try:
            with os.fdopen(fd, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
            _replace(temp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                Path(temp).unlink()
            raise CacheError(path=self.root, reason=exc.strerror or str(exc)) from exc


def _replace(source: str, target: Path) -> None:
    # On Windows a rename onto a file another process is reading fails for a moment.
    for _ in range(10):
        try:
            Path(source).replace(target)
            return
        except PermissionError:
            time.sleep(0.05)
    Path(source).replace(target)


def _parse_envelope(raw: bytes) -> tuple[dict[str, Any], bytes] | None:
    if not raw.startswith(_MAGIC):
        return None
    end = raw.find(b"\n", len(_MAGIC))
    if end < 0:
        return None
    try:
        header = json.loads(raw[len(_MAGIC) : end])
        length = int(header["length"])
        digest = str(header["sha256"])
        meta = header["meta"]
    except (ValueError, KeyError, TypeError):
        return None
    body = raw[end + 1 :]
    if not isinstance(meta, dict) or len(body) != length or hashlib.sha256(body).hexdigest() != digest:
        return None
    return meta, body
