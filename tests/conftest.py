"""Fixtures shared by every test: the hermetic package index, and real installers made once per session."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.installers import pipenv, pylock_pip  # noqa: F401  # fixtures, registered here for every test


@pytest.fixture
def index_server() -> Iterator[IndexServerFactory]:
    """Start test indexes: `index_server({"pypi": universe}, json=False)`; all stop when the test ends.

    A bare `Universe` (or its compact text form) is served as the single index "pypi".
    """
    servers: list[IndexServer] = []

    def start(indexes: Mapping[str, Universe] | Universe | str, /, **options: Any) -> IndexServer:
        if isinstance(indexes, str):
            indexes = Universe.parse(indexes)
        server = IndexServer(indexes, **options).start()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        server.stop()
    for server in servers:
        server.raise_errors()
