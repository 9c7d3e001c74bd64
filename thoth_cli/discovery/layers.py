"""Applying one container image layer - a tar, maybe compressed - onto a root folder, safely.

A layer is applied as a container runtime applies it, but nothing in it is trusted: no
member may land outside the root (absolute names, `..`, or a folder that is a symbolic
link pointing out are all confined to the root), symbolic links are created as links and
never followed while writing, hard links only join files already in the root, device
nodes and fifos are left out (and counted), set-user/group-ID bits are dropped, and the
bytes a layer unpacks to are bounded by its size. Whiteouts (`.wh.NAME`, `.wh..wh..opq`)
remove what lower layers put there. The blob's digest and the uncompressed tar's digest
(the image configuration's `diff_id`) are computed while streaming and checked at the end.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import importlib
import io
import lzma
import os
import shutil
import stat
import tarfile
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Protocol

from thoth_cli.errors import ExternalError, InputError, Location

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

WHITEOUT_PREFIX = ".wh."
OPAQUE_WHITEOUT = ".wh..wh..opq"
"""Marks its folder opaque: what lower layers put in it is gone."""

REFUSED_FIX = (
    "the archive is unsafe or corrupt: do not use it; export the image again (docker save, skopeo copy)"
)

_MAX_LINKS = 40  # as Linux's MAXSYMLINKS: a loop ends, it does not hang
_MAX_RATIO = 1032  # deflate's ceiling; a layer unpacking to more than this is a bomb, not an image
_CHUNK = 1024 * 1024
_READ_ERRORS = (tarfile.TarError, EOFError, OSError, lzma.LZMAError, zlib.error)


class ImageError(InputError):
    """A container image cannot be used: malformed, unsafe to unpack, or not what its manifest says (exit 4).

    Keeps the `archive` (file or folder) and the `member` of it at fault - a layer, a
    manifest, a blob - besides the problem and the offending text.
    """

    def __init__(
        self,
        problem: str,
        *,
        archive: Path,
        member: str | None = None,
        text: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.archive = archive
        self.member = member
        super().__init__(problem, location=Location(archive, key=member), text=text, fix=fix)


class UnpackWriteError(ExternalError):
    """The machine would not let us write the unpacked image (exit 3)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot write {path} while unpacking an image: {reason}",
            fix="unpack into a writable folder with enough free space",
        )


@dataclass(frozen=True)
class SkippedMember:
    """A layer member left out of the root, and why."""

    layer: str
    """The layer's name in the archive."""
    name: str
    """The member's path in the layer."""
    reason: str


@dataclass(frozen=True)
class AppliedLayer:
    """One layer as applied: digests as computed from the bytes read, and what was left out."""

    member: str
    """The layer's name in the archive (`blobs/sha256/<hex>`, `<id>/layer.tar`)."""
    digest: str
    """Digest of the blob as stored (compressed or not)."""
    diff_id: str
    """sha256 digest of the uncompressed tar, as image configurations list them."""
    compression: str
    """`none`, `gzip`, `bzip2`, `xz` or `zstd`."""
    size: int
    """Bytes of the blob as stored."""
    members: int
    """Members read from the layer, whiteouts and skipped ones included."""
    skipped: tuple[SkippedMember, ...]


def apply_layer(
    blob: IO[bytes],
    root: Path,
    *,
    archive: Path,
    member: str,
    size: int,
    digest: str | None = None,
    diff_id: str | None = None,
) -> AppliedLayer:
    """Apply the layer read from `blob` (`size` bytes) onto `root`, over the layers applied before.

    `digest` and `diff_id`, when given as `ALGORITHM:HEX`, are checked once the blob has
    been read in full; a mismatch raises `ImageError` naming the layer (the root then holds
    the layer's content: the caller discards it). `archive` and `member` name the layer in
    errors.
    """
    context = _Context(archive, member)
    blob_tap = _Tap(blob, context.algorithm(digest), limit=None, context=context)
    raw = io.BufferedReader(blob_tap, _CHUNK)
    compression, stream = _decompressed(raw, context)
    limit = size if compression == "none" else size * _MAX_RATIO
    tar_tap = _Tap(stream, context.algorithm(diff_id), limit=limit, context=context)
    tar_stream = io.BufferedReader(tar_tap, _CHUNK)
    applier = _Applier(root, context, limit)
    try:
        with tarfile.open(fileobj=tar_stream, mode="r|") as tar:
            for info in tar:
                applier.apply(info, tar)
        # Trailing padding and compression trailers count towards both digests.
        while tar_stream.read(_CHUNK):
            pass
        while raw.read(_CHUNK):
            pass
    except _READ_ERRORS as error:
        raise ImageError(
            "layer is not a readable tar archive",
            archive=archive,
            member=member,
            text=str(error),
            fix=REFUSED_FIX,
        ) from error
    found_digest = blob_tap.digest()
    found_diff_id = tar_tap.digest()
    if digest is not None and found_digest != digest:
        raise ImageError(
            "layer does not match its digest",
            archive=archive,
            member=member,
            text=f"expected {digest}, found {found_digest}",
            fix=REFUSED_FIX,
        )
    if diff_id is not None and found_diff_id != diff_id:
        raise ImageError(
            "uncompressed layer does not match the image configuration's diff_id",
            archive=archive,
            member=member,
            text=f"expected {diff_id}, found {found_diff_id}",
            fix=REFUSED_FIX,
        )
    return AppliedLayer(
        member=member,
        digest=found_digest,
        diff_id=found_diff_id,
        compression=compression,
        size=blob_tap.count,
        members=applier.members,
        skipped=tuple(applier.skipped),
    )


@dataclass(frozen=True)
class _Context:
    """Names the layer being applied, for errors."""

    archive: Path
    member: str

    def error(self, problem: str, text: str | None = None, fix: str | None = REFUSED_FIX) -> ImageError:
        return ImageError(problem, archive=self.archive, member=self.member, text=text, fix=fix)

    def algorithm(self, digest: str | None) -> str:
        if digest is None:
            return "sha256"
        algorithm = digest.partition(":")[0]
        if algorithm not in ("sha256", "sha512"):
            raise self.error("digest uses an algorithm this tool cannot verify", digest)
        return algorithm


class _Readable(Protocol):
    """What a decompressor or an archive member offers: bytes, at most `size` of them."""

    def read(self, size: int, /) -> bytes: ...


class _Tap(io.RawIOBase):
    """Passes a stream through, hashing and counting its bytes and refusing more than `limit`."""

    def __init__(self, source: _Readable, algorithm: str, *, limit: int | None, context: _Context) -> None:
        super().__init__()
        self._source = source
        self._algorithm = algorithm
        self._hash = hashlib.new(algorithm)
        self._limit = limit
        self._context = context
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        data = self._source.read(len(view))
        view[: len(data)] = data
        self._hash.update(data)
        self.count += len(data)
        if self._limit is not None and self.count > self._limit:
            raise self._context.error(
                "layer unpacks to more bytes than its size allows", f"more than {self._limit} bytes"
            )
        return len(data)

    def digest(self) -> str:
        return f"{self._algorithm}:{self._hash.hexdigest()}"


def _decompressed(raw: io.BufferedReader[_Tap], context: _Context) -> tuple[str, _Readable]:
    """The layer's compression, told by its magic bytes (media types are not always honest), and its tar."""
    magic = raw.peek(6)[:6]
    if magic.startswith(b"\x1f\x8b"):
        return "gzip", gzip.GzipFile(fileobj=raw, mode="rb")
    if magic.startswith(b"BZh"):
        return "bzip2", bz2.BZ2File(raw)
    if magic.startswith(b"\xfd7zXZ\x00"):
        return "xz", lzma.LZMAFile(raw)
    if magic.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd", _zstd_reader(raw, context)
    return "none", raw


def _zstd_reader(raw: io.BufferedReader[_Tap], context: _Context) -> _Readable:
    """A zstd decompressing reader from Python 3.14's `compression.zstd` or the `zstandard` package."""
    try:
        builtin = importlib.import_module("compression.zstd")
    except ImportError:
        pass
    else:
        reader: _Readable = builtin.ZstdFile(raw, mode="rb")
        return reader
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        raise context.error(
            "layer is compressed with zstd, which this Python cannot read",
            fix="install the zstandard package (pip install zstandard) or use Python 3.14 or newer",
        ) from None
    # zstd:chunked layers are many frames; the default reader would stop after the first.
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return reader


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turns a failure to write the root into an environment error naming the path."""
    try:
        yield
    except OSError as error:
        raise UnpackWriteError(path, error.strerror or str(error)) from error


class _Unplaceable(Exception):
    """A member whose folder cannot be reached inside the root (a link loop); it is skipped."""


class _Applier:
    """Applies the members of one layer onto the root, remembering what this layer put there."""

    def __init__(self, root: Path, context: _Context, limit: int) -> None:
        self.root = root
        self.context = context
        self.limit = limit
        self.members = 0
        self.skipped: list[SkippedMember] = []
        # Host paths this layer created (and their folders): an opaque whiteout keeps them.
        self.unpacked: set[str] = set()
        # Resolved folders by their path in the image; any removal may change them.
        self.folders: dict[tuple[str, ...], Path] = {}

    def apply(self, info: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        self.members += 1
        parts = self.parts(info.name, info.name)
        if not parts:
            return  # the root itself: its mode is the caller's
        *folder, leaf = parts
        try:
            if leaf.startswith(WHITEOUT_PREFIX):
                self.whiteout(info.name, folder, leaf)
                return
            if info.ischr() or info.isblk():
                self.skip(info.name, "device node")
                return
            if info.isfifo():
                self.skip(info.name, "fifo")
                return
            if not (info.isreg() or info.isdir() or info.issym() or info.islnk()):
                self.skip(info.name, f"unsupported member type {info.type!r}")
                return
            if info.issym() and not info.linkname:
                self.skip(info.name, "symbolic link to nothing")
                return
            parent = self.folder(folder, create=True)
            assert parent is not None  # create=True always gives a folder
            target = parent / leaf
            if info.isdir():
                self.make_folder(target, info.mode)
            elif info.issym():
                self.remove(target, keep_folder=False)
                with _writing(target):
                    target.symlink_to(info.linkname)
            elif info.islnk():
                if not self.link(info, target):
                    return
            else:
                self.write_file(info, tar, target)
            self.record(target)
        except _Unplaceable as loop:
            self.skip(info.name, str(loop))

    def parts(self, name: str, shown: str) -> list[str]:
        """The components of a member's name, refusing any that would leave the root."""
        if name.startswith("/"):
            raise self.context.error("layer member path is absolute", shown)
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if ".." in parts:
            raise self.context.error("layer member path climbs out of the image root", shown)
        return parts

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append(SkippedMember(self.context.member, name, reason))

    def folder(self, parts: list[str], *, create: bool) -> Path | None:
        """The host folder of `parts`, links followed inside the root; None when absent and not created.

        Folders missing on the way are created; a non-folder on the way is replaced by
        one, as a later layer's folder replaces a lower layer's file.
        """
        key = tuple(parts)
        cached = self.folders.get(key)
        if cached is not None:
            return cached
        resolved: list[str] = []
        queue = deque(parts)
        links = 0
        while queue:
            part = queue.popleft()
            if part in ("", "."):
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = self.root.joinpath(*resolved, part)
            try:
                mode = candidate.lstat().st_mode
            except FileNotFoundError:
                if not create:
                    return None
                self.make_folder(candidate, 0o755)
                self.record(candidate)
                resolved.append(part)
                continue
            except OSError as error:
                raise UnpackWriteError(candidate, error.strerror or str(error)) from error
            if stat.S_ISLNK(mode):
                links += 1
                if links > _MAX_LINKS:
                    raise _Unplaceable("its folder is a loop of symbolic links")
                target = PurePosixPath(candidate.readlink())
                if target.is_absolute():
                    resolved = []
                    queue.extendleft(reversed(target.parts[1:]))
                else:
                    queue.extendleft(reversed(target.parts))
                continue
            if not stat.S_ISDIR(mode):
                if not create:
                    return None
                self.make_folder(candidate, 0o755)
                self.record(candidate)
            resolved.append(part)
        host = self.root.joinpath(*resolved)
        self.folders[key] = host
        return host

    def make_folder(self, path: Path, mode: int) -> None:
        """A real folder at `path`, replacing anything else there.

        The owner keeps rwx whatever the layer says, so later layers and cleanup can work in it.
        """
        try:
            existing = path.lstat().st_mode
        except FileNotFoundError:
            existing = None
        except OSError as error:
            raise UnpackWriteError(path, error.strerror or str(error)) from error
        with _writing(path):
            if existing is not None and not stat.S_ISDIR(existing):
                self.remove(path, keep_folder=False)
                existing = None
            if existing is None:
                path.mkdir()
            path.chmod((mode & 0o1777) | 0o700)

    def remove(self, path: Path, *, keep_folder: bool) -> None:
        """Remove what is at `path`, never following a link; a folder with its content unless keep_folder."""
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return
        except OSError as error:
            raise UnpackWriteError(path, error.strerror or str(error)) from error
        with _writing(path):
            if stat.S_ISDIR(mode):
                if keep_folder:
                    return
                shutil.rmtree(path)
                self.folders.clear()
            else:
                path.unlink()
                if stat.S_ISLNK(mode):
                    self.folders.clear()

    def record(self, path: Path) -> None:
        """Remember `path` and its folders up to the root as this layer's."""
        key = str(path)
        root = str(self.root)
        while key not in self.unpacked and key != root and len(key) > len(root):
            self.unpacked.add(key)
            key = key.rpartition("/")[0]

    def whiteout(self, name: str, folder: list[str], leaf: str) -> None:
        if leaf == OPAQUE_WHITEOUT:
            parent = self.folder(folder, create=True)
            assert parent is not None  # create=True always gives a folder
            self.clear(parent)
            self.record(parent)
            return
        if leaf.startswith(OPAQUE_WHITEOUT[:8]):
            # AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): nothing a root file system shows.
            self.skip(name, "whiteout metadata")
            return
        hidden = leaf[len(WHITEOUT_PREFIX) :]
        if hidden in ("", ".", ".."):
            raise self.context.error("whiteout names no file", name)
        parent = self.folder(folder, create=False)
        if parent is not None:
            self.remove(parent / hidden, keep_folder=False)

    def clear(self, folder: Path) -> None:
        """Remove from `folder` what lower layers put there, keeping this layer's entries."""
        with _writing(folder), os.scandir(folder) as entries:
            children = [(entry.path, entry.is_dir(follow_symlinks=False)) for entry in entries]
        for path, is_folder in children:
            if path not in self.unpacked:
                self.remove(Path(path), keep_folder=False)
            elif is_folder:
                self.clear(Path(path))

    def link(self, info: tarfile.TarInfo, target: Path) -> bool:
        """Hard-link `target` to a file already in the root; False (and skipped) when there is none."""
        shown = f"{info.name} -> {info.linkname}"
        *folder, leaf = self.parts(info.linkname, shown) or [""]
        parent = self.folder(folder, create=False)
        source = None if parent is None or not leaf else parent / leaf
        try:
            mode = None if source is None else source.lstat().st_mode
        except OSError:
            mode = None
        if source is None or mode is None:
            self.skip(info.name, f"hard link to {info.linkname}, which is not in the image")
            return False
        if stat.S_ISDIR(mode):
            self.skip(info.name, f"hard link to {info.linkname}, which is a folder")
            return False
        if source == target:
            return True
        self.remove(target, keep_folder=False)
        with _writing(target):
            os.link(source, target, follow_symlinks=False)
        return True

    def write_file(self, info: tarfile.TarInfo, tar: tarfile.TarFile, target: Path) -> None:
        if info.size > self.limit:
            raise self.context.error(
                "layer member is larger than the whole layer can hold",
                f"{info.name} declares {info.size} bytes, the layer holds at most {self.limit}",
            )
        source = tar.extractfile(info)
        if source is None:  # tarfile gives None only for non-files, which apply() never sends here
            raise self.context.error("layer member has no content", info.name)
        self.remove(target, keep_folder=False)
        with _writing(target):
            # O_EXCL|O_NOFOLLOW: never write through a link or into a file another name shares.
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        output = os.fdopen(descriptor, "wb")
        try:
            remaining = info.size
            while remaining:
                chunk = source.read(min(_CHUNK, remaining))
                if not chunk:
                    raise self.context.error("layer member is cut short", info.name)
                remaining -= len(chunk)
                with _writing(target):
                    output.write(chunk)
            with _writing(target):
                os.fchmod(output.fileno(), (info.mode & 0o777) | 0o600)
                output.close()
        finally:
            if not output.closed:
                # Already failing: the first error is the one worth reporting.
                with contextlib.suppress(OSError):
                    output.close()
