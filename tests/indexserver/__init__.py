"""A hermetic package index for tests: real wheels and sdists served over PEP 691 JSON and PEP 503 HTML.

    u = Universe.parse("requests 2.31.0: urllib3>=1.21\nurllib3 1.26.18 2.0.7")
    with IndexServer({"pypi": u}) as server:
        server.url("pypi")  # http://127.0.0.1:<port>/pypi/simple/

In tests, prefer the `index_server` fixture (tests/conftest.py), which stops servers for you.
"""

from __future__ import annotations

from tests.indexserver.build import Artefact
from tests.indexserver.faults import Fault, FaultKind, FaultRule
from tests.indexserver.server import IndexServer, IndexServerFactory
from tests.indexserver.state import Headers, RequestRecord, ServerOptions
from tests.indexserver.universe import RawFile, Release, Universe, UniverseError

__all__ = [
    "Artefact",
    "Fault",
    "FaultKind",
    "FaultRule",
    "Headers",
    "IndexServer",
    "IndexServerFactory",
    "RawFile",
    "Release",
    "RequestRecord",
    "ServerOptions",
    "Universe",
    "UniverseError",
]
