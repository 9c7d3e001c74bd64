"""A hermetic package index for tests: real wheels and sdists served over PEP 691 JSON and PEP 503 HTML.

Describe packages, serve them, point a client at `server.url("pypi")`:

    def test_something(index_server: IndexServerFactory) -> None:
        server = index_server("requests 2.31.0: urllib3>=1.21.1,<3, idna>=2.5\nurllib3 1.26.18 2.0.7")
        other = Universe()
        other.add("requests", "2.31.0", requires_dist=["idna"], requires_python=">=3.7",
                  wheels=["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"],
                  sdist_metadata="dynamic", yanked="broken", metadata="unadvertised")
        both = index_server({"pypi": Universe.parse("idna 3.6"), "private": other}, json=False)

Universe: `add(name, version, ...)`, `add_many(name, versions, ...)`, `add_file(project,
filename, data, metadata=...)` for hand-made files, `yank(name, version, reason)`,
`Universe.parse(text, **add_options)`. It may change while served; pages follow.

IndexServer (started by the `index_server` fixture, or `with IndexServer(...) as server`):
  addresses   url(index), project_url(name, index), file_url(index, file), metadata_url(index, file)
  content     file_bytes, sha256, metadata_bytes, path, filenames(index, project)
  behaviour   options(json=, html=, range_requests=, cache_headers=, etag=, last_modified=,
              file_urls="absolute"|"relative", auth={"private": (user, password)})
  faults      inject(Fault.status(500) | slow(s) | reset() | truncate(n) | wrong_hash(),
              path="*/simple/requests/*", times=2 (None: always), method="GET") -> rule (rule.hits);
              clear_faults()
  log         requests (RequestRecord(method, path, headers, status, fault); headers ignore case),
              requests_to(glob, method=None), clear_requests(). A request is logged before its
              answer is sent, so it is always there once the client has the answer.

Routes: /<index>/simple/ and /<index>/simple/<name>/ (non-normalised names: 301),
/<index>/files/<file> and /<index>/files/<file>.metadata. Pages carry Cache-Control
`max-age=600, public`, ETag and Last-Modified (304 on revalidation); files are immutable
and answer Range requests with 206.
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
