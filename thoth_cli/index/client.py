"""The multi-index client: which index a project comes from, pages and metadata memoised, fetched ahead."""

from __future__ import annotations

import contextlib
import difflib
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from enum import Enum
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import ExitCode, NoAnswer, ThothError
from thoth_cli.index.errors import PackageNotFoundError
from thoth_cli.index.http import HttpClient
from thoth_cli.index.metadata import MetadataFetcher
from thoth_cli.index.model import CoreMetadata, DistributionFile, IndexSpec, ProjectPage
from thoth_cli.index.simple import fetch_project_page, fetch_root_names

T = TypeVar("T")

MAX_SUGGESTIONS = 3
"""difflib's similarity ratio below which a name is not offered as a "did you mean"."""


class IndexStrategy(str, Enum):
    """How a package that no index pin binds is looked up across several indexes."""

    FIRST_INDEX = "first-index"
    """The first index (in order, explicit ones skipped) that has the name wins: a private
    index's name cannot be shadowed by a same-named upload to a public one."""
    UNSAFE_BEST_MATCH = "unsafe-best-match"
    """Every non-explicit index's files, merged: open to dependency confusion, hence the name."""


class UnknownIndexError(ThothError):
    """A package is pinned to an index name that no configured index has (exit 4)."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, *, package: str, index: str, known: tuple[str, ...]) -> None:
        self.package = package
        self.index = index
        self.known = known
        names = ", ".join(repr(name) for name in known)
        super().__init__(
            f"package {package!r} is pinned to index {index!r}, which is not configured (indexes: {names})",
            fix=f"declare a source named {index!r}, or pin {package!r} to one of {names}",
        )


class NoIndexForPackageError(NoAnswer):
    """Every index is explicit and the package is pinned to none of them (exit 1)."""

    def __init__(self, *, package: str, explicit: tuple[str, ...]) -> None:
        self.package = package
        self.explicit = explicit
        names = ", ".join(repr(name) for name in explicit)
        super().__init__(
            f"package {package!r} is not pinned to an index, and every index ({names}) is explicit: "
            "only packages pinned to it may use it",
            fix=f"pin {package!r} to one of {names}, or make one of them a non-explicit source",
        )


def suggest(name: str, known: Iterable[str]) -> tuple[str, ...]:
    """Up to MAX_SUGGESTIONS names a typo of `name` most likely meant, fewest edits first.

    PyPI lists some 740,000 names: only those of nearly the same length that start with one
    of the typo's first two letters are compared, and a swap of two neighbouring letters
    counts as one edit, so `reqeusts` suggests `requests`
    before a lookalike such as `reqwests`.
    """
    # A typo nearly always keeps one of the first two letters in front; checking that first
    # leaves a few thousand of the 740,000 names for the edit distance.
    lead = name[:2]
    near = [other for other in known if other[:1] in lead and abs(len(other) - len(name)) <= 2]
    limit = 1 if len(name) <= 4 else 2 if len(name) <= 10 else 3
    ranked = []
    for other in near:
        distance = _edits(name, other, limit)
        if distance <= limit:
            ratio = difflib.SequenceMatcher(None, name, other).ratio()
            ranked.append((distance, -ratio, other))
    return tuple(other for _, _, other in sorted(ranked)[:MAX_SUGGESTIONS])


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), or
    limit + 1 as soon as it must exceed `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, left in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, right in enumerate(b, start=1):
            cost = 0 if left == right else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left == b[j - 2] and a[i - 2] == right:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class IndexClient:
    """Project pages and core metadata from a list of indexes, for one run.

    Thread-safe. Each page is fetched and parsed once per run and each file's metadata read
    once; `prefetch` and `prefetch_metadata` start that work in a bounded pool so that later
    `project` and `metadata` calls find it done (or join it while it runs). Results never
    depend on what was prefetched or in which order.
    """

    def __init__(
        self,
        indexes: Sequence[IndexSpec],
        http: HttpClient,
        *,
        strategy: IndexStrategy = IndexStrategy.FIRST_INDEX,
        max_workers: int = 16,
        metadata: MetadataFetcher | None = None,
    ) -> None:
        if not indexes:
            raise ValueError("an IndexClient needs at least one index")
        names = [index.name for index in indexes]
        if len(set(names)) != len(names):
            raise ValueError(f"index names must be unique: {names}")
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers}")
        self.indexes = tuple(indexes)
        self.http = http
        self.strategy = strategy
        self._fetcher = metadata if metadata is not None else MetadataFetcher(http)
        self._by_name = {index.name: index for index in self.indexes}
        self._order = {index.name: position for position, index in enumerate(self.indexes)}
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="thoth-index")
        self._lock = threading.Lock()
        self._memo: dict[Hashable, Future[Any]] = {}
        self._submitted: dict[Hashable, Future[None]] = {}
        self._closed = False

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Cancel work not yet started and return at once; running fetches end on their own."""
        with self._lock:
            self._closed = True
        # wait=False: on Ctrl-C the caller must not sit behind a queue of fetches.
        self._executor.shutdown(wait=False, cancel_futures=True)

    # Pages

    def project(self, name: str, *, index: str | None = None) -> ProjectPage:
        """The project's files: from `index` only when given, else as the strategy says."""
        canonical = canonicalize_name(name)
        if index is not None:
            spec = self._spec(canonical, index)
            page = self._page(spec, canonical)
            if page is None:
                raise self._not_found(canonical, (spec,))
            return page
        searched = tuple(spec for spec in self.indexes if not spec.explicit)
        if not searched:
            raise NoIndexForPackageError(package=canonical, explicit=tuple(self._by_name))
        if self.strategy is IndexStrategy.FIRST_INDEX:
            for spec in searched:
                page = self._page(spec, canonical)
                if page is not None:
                    return page
            raise self._not_found(canonical, searched)
        pages = [page for page in (self._page(spec, canonical) for spec in searched) if page is not None]
        if not pages:
            raise self._not_found(canonical, searched)
        return self._merge(pages)

    def prefetch(self, names: Iterable[str], *, index: str | None = None) -> None:
        """Start fetching these projects' pages in the background (each at most once)."""
        for name in names:
            canonical = canonicalize_name(name)
            self._submit(("project", canonical, index), partial(self.project, canonical, index=index))

    def _page(self, spec: IndexSpec, name: NormalizedName) -> ProjectPage | None:
        return self._once(("page", spec.name, name), lambda: fetch_project_page(self.http, spec, name))

    def _spec(self, package: NormalizedName, index: str) -> IndexSpec:
        spec = self._by_name.get(index)
        if spec is None and index.startswith(("https://", "http://")):
            spec = self._add_index(index)
        if spec is None:
            raise UnknownIndexError(package=package, index=index, known=tuple(self._by_name))
        return spec

    def _add_index(self, url: str) -> IndexSpec:
        """An index a unit names by URL (PyTorch's CPU and CUDA builds): explicit, so only what is
        asked of it by name comes from it; its name is its URL."""
        with self._lock:
            known = self._by_name.get(url)
            if known is not None:
                return known
            spec = IndexSpec.named_by_url(url)
            self._by_name[url] = spec
            self._order[url] = len(self._order)
            self.indexes = (*self.indexes, spec)
            return spec

    def _merge(self, pages: Sequence[ProjectPage]) -> ProjectPage:
        if len(pages) == 1:
            return pages[0]
        files = sorted(
            (file for page in pages for file in page.files),
            key=lambda file: (self._order[file.index], file.filename),
        )
        versions = tuple(dict.fromkeys(version for page in pages for version in page.versions))
        return ProjectPage(name=pages[0].name, index=pages[0].index, files=tuple(files), versions=versions)

    def _not_found(self, name: NormalizedName, searched: Sequence[IndexSpec]) -> PackageNotFoundError:
        return PackageNotFoundError(
            name=name,
            indexes=tuple(spec.name for spec in searched),
            suggestions=self._suggestions(name, searched),
        )

    def _suggestions(self, name: NormalizedName, searched: Sequence[IndexSpec]) -> tuple[str, ...]:
        known: dict[str, None] = {}
        for spec in searched:
            try:
                listed = self._once(("root", spec.name), partial(fetch_root_names, self.http, spec))
            except ThothError:
                # Suggestions are a courtesy: an index without a usable root listing offers none.
                continue
            known.update(dict.fromkeys(listed))
        known.pop(name, None)
        return suggest(name, known)

    # Metadata

    def metadata(self, file: DistributionFile) -> CoreMetadata:
        """The file's core metadata (see `MetadataFetcher.fetch_metadata`)."""
        return self._once(("metadata", _file_key(file)), lambda: self._fetcher.fetch_metadata(file))

    def download(self, file: DistributionFile) -> bytes:
        """The file's bytes, hash-verified and cached by content."""
        return self.http.get_file(file.url, sha256=file.hashes.sha256, index=file.index, package=file.name)

    def prefetch_metadata(self, files: Iterable[DistributionFile]) -> None:
        """Start reading these files' metadata in the background (each at most once)."""
        for file in files:
            self._submit(("metadata", _file_key(file)), partial(self.metadata, file))

    # Memo and pool

    def _once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per key per run; a caller that finds it running waits for it.

        The caller that claims a key computes it in its own thread, so no one ever waits on
        work still queued in the pool, and a full pool cannot deadlock.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the index client is closed")
            future = self._memo.get(key)
            owner = future is None
            if future is None:
                future = Future()
                future.set_running_or_notify_cancel()
                self._memo[key] = future
        if not owner:
            result: T = future.result()
            return result
        try:
            value = compute()
        except Exception as error:
            # Kept: the same question gets the same answer for the rest of the run.
            future.set_exception(error)
            raise
        except BaseException as error:
            # Ctrl-C and friends are not an answer: forget the key, wake whoever waits.
            with self._lock:
                self._memo.pop(key, None)
            future.set_exception(error)
            raise
        future.set_result(value)
        return value

    def _submit(self, key: Hashable, work: Callable[[], object]) -> None:
        with self._lock:
            if self._closed or key in self._submitted or key in self._memo:
                return
            self._submitted[key] = self._executor.submit(self._run_quietly, work)

    def _run_quietly(self, work: Callable[[], object]) -> None:
        if self._closed:
            return
        # The memo keeps any error; the caller that asks for the result gets it raised.
        with contextlib.suppress(Exception):
            work()


def _file_key(file: DistributionFile) -> str:
    return file.hashes.sha256 or file.url
