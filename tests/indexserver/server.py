"""`IndexServer`: a threaded HTTP server on 127.0.0.1 serving one or more test indexes."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import replace
from fnmatch import fnmatchcase
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote

from packaging.utils import canonicalize_name

from tests.indexserver.catalogue import Catalogue, IndexFile
from tests.indexserver.faults import Fault, FaultRule
from tests.indexserver.httpd import IndexHTTPServer
from tests.indexserver.state import FileUrls, RequestRecord, ServerOptions, ServerState
from tests.indexserver.universe import Universe

_INDEX_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class IndexServer:
    """Serves universes as simple-API indexes at http://127.0.0.1:<port>/<index>/simple/.

    Use as a context manager (or `start()`/`stop()`); the pytest fixture `index_server`
    does this for you. Universes may change while the server runs; pages follow.
    """

    def __init__(
        self,
        indexes: Mapping[str, Universe] | Universe,
        *,
        json: bool = True,
        html: bool = True,
        range_requests: bool = True,
        cache_headers: bool = True,
        etag: bool = True,
        last_modified: bool = True,
        file_urls: FileUrls = "absolute",
        auth: Mapping[str, tuple[str, str]] | None = None,
        directory: Path | None = None,
    ) -> None:
        universes = {"pypi": indexes} if isinstance(indexes, Universe) else dict(indexes)
        if not universes:
            raise ValueError("an IndexServer needs at least one index")
        for name in universes:
            if not _INDEX_NAME.match(name):
                raise ValueError(f"index names are URL path segments ([A-Za-z0-9._-]): {name!r}")
        options = ServerOptions(
            json=json,
            html=html,
            range_requests=range_requests,
            cache_headers=cache_headers,
            etag=etag,
            last_modified=last_modified,
            file_urls=file_urls,
            auth=dict(auth or {}),
        )
        unknown = set(options.auth) - set(universes)
        if unknown:
            raise ValueError(f"auth names indexes the server does not have: {sorted(unknown)}")
        self._own_directory = directory is None
        self.directory = (
            directory if directory is not None else Path(tempfile.mkdtemp(prefix="thoth-test-index-"))
        )
        """Where the built files are written, one folder per index."""
        self._universes = universes
        self._state = ServerState(
            {name: Catalogue(universe, self.directory / name) for name, universe in universes.items()},
            options,
        )
        self._httpd: IndexHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> IndexServer:
        if self._httpd is not None:
            raise RuntimeError("the index server is already running")
        if self._state.stopping.is_set():
            raise RuntimeError("an IndexServer runs once (its folder is gone): create a new one")
        for catalogue in self._state.catalogues.values():
            # Build up front, so that `directory` holds every file and a first request is not slower.
            catalogue.projects()
        self._httpd = IndexHTTPServer(self._state)
        self._state.base_url = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="thoth-test-index",
            # A server a test forgot to stop must not keep the test session from exiting.
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection, wait for request threads, remove built files."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._state.stopping.set()
        httpd.shutdown()
        thread.join()
        httpd.close_all()
        self._httpd = self._thread = None
        if self._own_directory:
            for catalogue in self._state.catalogues.values():
                catalogue.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
        if kind is None:
            self.raise_errors()

    def raise_errors(self) -> None:
        """Fail loudly if a request crashed the server (a bug here, not in the client under test)."""
        errors = self._state.errors()
        if errors:
            first = errors[0]
            raise RuntimeError(f"the test index failed on {len(errors)} request(s): {first!r}") from first

    # -- addresses and content ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` (no trailing slash)."""
        if not self._state.base_url:
            raise RuntimeError("the index server is not running: use it as a context manager or call start()")
        return self._state.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def url(self, index: str | None = None) -> str:
        """The index's simple API root, e.g. `http://127.0.0.1:<port>/pypi/simple/`."""
        return f"{self.base_url}/{self._index(index)}/simple/"

    def project_url(self, name: str, index: str | None = None) -> str:
        return f"{self.url(index)}{quote(canonicalize_name(name))}/"

    def file_url(self, index: str, filename: str) -> str:
        return f"{self.base_url}/{self._index(index)}/files/{quote(filename)}"

    def metadata_url(self, index: str, filename: str) -> str:
        return self.file_url(index, filename) + ".metadata"

    def file_bytes(self, index: str, filename: str) -> bytes:
        """The exact bytes served for the file (without faults); still there after the server stopped."""
        return self._file(index, filename).data

    def sha256(self, index: str, filename: str) -> str:
        return self._file(index, filename).sha256

    def metadata_bytes(self, index: str, filename: str) -> bytes:
        """The exact bytes served at `<file>.metadata` (the wheel's METADATA)."""
        metadata = self._file(index, filename).metadata
        if metadata is None:
            raise KeyError(f"{filename!r} on index {index!r} has no .metadata file")
        return metadata

    def path(self, index: str, filename: str) -> Path:
        """Where the file lies on disk (e.g. to install it directly)."""
        return self._file(index, filename).path

    def filenames(self, index: str | None = None, project: str | None = None) -> list[str]:
        """Every file the index lists (of one project if given), in page order."""
        catalogue = self._state.catalogues[self._index(index)]
        listings = catalogue.projects()
        if project is not None:
            listings = tuple(one for one in listings if one.name == canonicalize_name(project))
        return [file.filename for listing in listings for file in listing.files]

    def universe(self, index: str | None = None) -> Universe:
        return self._universes[self._index(index)]

    # -- behaviour ----------------------------------------------------------------------------

    def options(
        self,
        *,
        json: bool | None = None,
        html: bool | None = None,
        range_requests: bool | None = None,
        cache_headers: bool | None = None,
        etag: bool | None = None,
        last_modified: bool | None = None,
        file_urls: FileUrls | None = None,
        auth: Mapping[str, tuple[str, str]] | None = None,
    ) -> ServerOptions:
        """Change options from the next request on (None keeps one); returns the options now in force."""
        changes: dict[str, Any] = {
            key: value
            for key, value in {
                "json": json,
                "html": html,
                "range_requests": range_requests,
                "cache_headers": cache_headers,
                "etag": etag,
                "last_modified": last_modified,
                "file_urls": file_urls,
                "auth": dict(auth) if auth is not None else None,
            }.items()
            if value is not None
        }
        self._state.options = replace(self._state.options, **changes)
        return self._state.options

    def inject(
        self, fault: Fault, *, path: str = "*", times: int | None = None, method: str | None = None
    ) -> FaultRule:
        """Apply `fault` to requests whose path (no query) matches the glob, `times` times (None: always).

        The first matching rule wins; the returned rule counts its `hits`.
        """
        return self._state.faults.add(FaultRule(fault, path, times, method))

    def clear_faults(self) -> None:
        self._state.faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in order (a copy)."""
        return self._state.records()

    def requests_to(self, path: str, *, method: str | None = None) -> list[RequestRecord]:
        """The requests whose path (no query) matches the glob."""
        return [
            record
            for record in self._state.records()
            if fnmatchcase(record.path.split("?", 1)[0], path) and (method is None or record.method == method)
        ]

    def clear_requests(self) -> None:
        self._state.clear_records()

    # -- helpers ------------------------------------------------------------------------------

    def _index(self, index: str | None) -> str:
        if index is None:
            return next(iter(self._universes))
        if index not in self._universes:
            raise KeyError(f"no index {index!r}; this server has {sorted(self._universes)}")
        return index

    def _file(self, index: str, filename: str) -> IndexFile:
        file = self._state.catalogues[self._index(index)].file(filename)
        if file is None:
            raise KeyError(f"no file {filename!r} on index {index!r}; it has {self.filenames(index)}")
        return file


class IndexServerFactory(Protocol):
    """The `index_server` fixture: starts a server (stopped at the end of the test)."""

    def __call__(
        self, indexes: Mapping[str, Universe] | Universe | str, /, **options: Any
    ) -> IndexServer: ...
