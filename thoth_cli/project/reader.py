"""The contract every manifest reader fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from thoth_cli.project.model import ManifestKind, Project


class ManifestReader(ABC):
    """Reads one manifest format into a `Project`.

    A reader never prints and never returns a half-read project: it returns a complete
    `Project` or raises `ManifestError` naming the file, the line or key, the offending
    text and the fix. Any other exception escaping `read` is a bug.
    """

    kind: ClassVar[ManifestKind]
    filenames: ClassVar[tuple[str, ...]]
    """File names this reader claims when a manifest is looked for in a folder."""

    @abstractmethod
    def read(self, path: Path) -> Project:
        """Read the manifest at `path`."""
