"""Every error the index client raises, each keeping the inputs that produced it."""

from __future__ import annotations

from pathlib import Path

from thoth_cli.errors import ExternalError, NoAnswer


def _for_package(package: str | None) -> str:
    return f" for package {package!r}" if package else ""


class IndexUnavailableError(ExternalError):
    """An index could not give an answer: network failure, server error, truncated data (exit 3).

    `url` is always redacted: credentials never reach a message.
    """

    def __init__(
        self,
        *,
        index: str,
        url: str,
        package: str | None,
        reason: str,
        fix: str | None = None,
    ) -> None:
        self.index = index
        self.url = url
        self.package = package
        self.reason = reason
        super().__init__(
            f"could not reach index {index!r} ({url}){_for_package(package)}: {reason}",
            fix=fix
            or "check the network connection and the index URL, or pass --offline to use only cached data",
        )


class IndexAuthError(IndexUnavailableError):
    """The index refused our credentials or asked for some (HTTP 401, 403, 407)."""

    def __init__(self, *, index: str, url: str, package: str | None, reason: str) -> None:
        super().__init__(
            index=index,
            url=url,
            package=package,
            reason=reason,
            fix="put the credentials in the index URL (https://user:password@host/...) or in ~/.netrc "
            "(or the file NETRC names)",
        )


class HashMismatchError(ExternalError):
    """A downloaded file's hash differs from the one the index lists (exit 3).

    Raised only after a second, fresh download gave a wrong hash too, so a corrupt transfer
    is ruled out: the index serves a different file than it lists.
    """

    def __init__(self, *, url: str, filename: str, algorithm: str, expected: str, actual: str) -> None:
        self.url = url
        self.filename = filename
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"hash mismatch for {filename} ({url}): the index lists {algorithm} {expected}, "
            f"the downloaded file has {algorithm} {actual}",
            fix="the index or a proxy serves a different file than it lists; do not install it, and "
            "report it to the index's maintainers",
        )


class DownloadTooLargeError(ExternalError):
    """A download grew past the size its caller allowed (exit 3)."""

    def __init__(self, *, url: str, package: str | None, limit: int) -> None:
        self.url = url
        self.package = package
        self.limit = limit
        super().__init__(f"download of {url}{_for_package(package)} is larger than {limit} bytes")


class OfflineMissError(ExternalError):
    """--offline was asked for and the cache lacks something the run needs (exit 3)."""

    def __init__(self, *, what: str, package: str | None) -> None:
        self.what = what
        self.package = package
        super().__init__(
            f"--offline: no cached copy of {what}{_for_package(package)}",
            fix="run once without --offline to fill the cache",
        )


class CacheError(ExternalError):
    """The on-disk cache cannot be written (exit 3)."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot write to the cache at {path}: {reason}",
            fix="pass --cache-dir with a writable folder, or set THOTH_CACHE_DIR",
        )


class PackageNotFoundError(NoAnswer):
    """No index the package may come from knows it (exit 1)."""

    def __init__(self, *, name: str, indexes: tuple[str, ...], suggestions: tuple[str, ...] = ()) -> None:
        self.name = name
        self.indexes = indexes
        self.suggestions = suggestions
        where = ", ".join(repr(index) for index in indexes)
        noun = "index" if len(indexes) == 1 else "indexes"
        fix = None
        if suggestions:
            fix = "did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        super().__init__(f"package {name!r} not found on {noun} {where}", fix=fix)
