"""What the resolver needs from a package index, stated as a protocol."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from thoth_cli.index.model import CoreMetadata, DistributionFile, ProjectPage


class PackageSource(Protocol):
    """Project pages and core metadata, with hints to fetch ahead.

    `thoth_cli.index.client.IndexClient` is the real one; it raises
    `PackageNotFoundError` for a name no usable index has.
    """

    def project(self, name: str, *, index: str | None = None) -> ProjectPage: ...

    def metadata(self, file: DistributionFile) -> CoreMetadata: ...

    def download(self, file: DistributionFile) -> bytes: ...

    def prefetch(self, names: Iterable[str], *, index: str | None = None) -> None: ...

    def prefetch_metadata(self, files: Iterable[DistributionFile]) -> None: ...
