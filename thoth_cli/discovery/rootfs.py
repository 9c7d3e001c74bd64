"""Reading files of a root file system - this machine's or an unpacked image's - confined to it.

Every probe reads through a `RootFS`, so the same code discovers the running machine
(`RootFS("/")`) and a container image unpacked in a folder, where a symbolic link such as
`/etc/os-release -> ../usr/lib/os-release` or an absolute `/usr/lib/libcuda.so` must
resolve inside the image, never on the host.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_MAX_LINKS = 40  # as Linux's MAXSYMLINKS: a loop ends in an error, not a hang


@dataclass(frozen=True)
class RootFS:
    """A root file system at `root`; paths given to its methods are absolute inside it."""

    root: Path = Path("/")

    @property
    def is_host(self) -> bool:
        return self.root == Path("/")

    def resolve(self, path: str | PurePosixPath) -> Path | None:
        """The host path of `path` inside the root, following links within the root.

        Absolute link targets are taken relative to the root, `..` never climbs above it;
        None when a component is missing or the links loop.
        """
        if self.is_host:
            try:
                return Path(os.path.realpath(str(path), strict=True))
            except (OSError, RuntimeError):
                return None
        parts = list(PurePosixPath("/", path).parts[1:])
        resolved: list[str] = []
        links = 0
        while parts:
            part = parts.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = self.root.joinpath(*resolved, part)
            try:
                mode = candidate.lstat().st_mode
            except OSError:
                return None
            if stat.S_ISLNK(mode):
                links += 1
                if links > _MAX_LINKS:
                    return None
                target = PurePosixPath(candidate.readlink())
                if target.is_absolute():
                    resolved = []
                    parts = list(target.parts[1:]) + parts
                else:
                    parts = list(target.parts) + parts
                continue
            resolved.append(part)
        return self.root.joinpath(*resolved)

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def is_file(self, path: str) -> bool:
        real = self.resolve(path)
        return real is not None and real.is_file()

    def is_dir(self, path: str) -> bool:
        real = self.resolve(path)
        return real is not None and real.is_dir()

    def read_bytes(self, path: str, limit: int = 16 * 1024 * 1024) -> bytes | None:
        """At most `limit` bytes of a regular file; None when absent or unreadable."""
        real = self.resolve(path)
        if real is None or not real.is_file():
            return None
        try:
            with real.open("rb") as handle:
                return handle.read(limit)
        except OSError:
            return None

    def read_text(self, path: str, limit: int = 16 * 1024 * 1024) -> str | None:
        data = self.read_bytes(path, limit)
        return None if data is None else data.decode("utf-8", errors="replace")

    def listdir(self, path: str) -> list[str]:
        """Entry names of a folder, sorted; empty when absent."""
        real = self.resolve(path)
        if real is None or not real.is_dir():
            return []
        try:
            return sorted(entry.name for entry in real.iterdir())
        except OSError:
            return []

    def glob(self, folder: str, pattern: str) -> Iterator[str]:
        """Paths inside the root (as absolute root paths) of `folder`'s entries matching `pattern`."""
        real = self.resolve(folder)
        if real is None or not real.is_dir():
            return
        base = PurePosixPath("/", folder)
        try:
            matches = sorted(real.glob(pattern))
        except OSError:
            return
        for match in matches:
            yield str(base / match.relative_to(real).as_posix())
