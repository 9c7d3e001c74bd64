"""What the user allows a resolution to choose: pre-releases, yanked files, age, builds, kept pins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from packaging.utils import NormalizedName
from packaging.version import Version


class PrereleaseMode(str, Enum):
    """When pre-releases may be chosen (uv's names and meanings)."""

    DISALLOW = "disallow"
    ALLOW = "allow"
    IF_NECESSARY = "if-necessary"
    EXPLICIT = "explicit"
    IF_NECESSARY_OR_EXPLICIT = "if-necessary-or-explicit"


@dataclass(frozen=True)
class ResolutionPolicy:
    """The choices a user makes about which releases are acceptable.

    `preferred` holds the pins of an existing lock: they are tried first, so re-locking
    changes nothing that still fits (as pip-compile and uv do), except for names in
    `upgrade_packages` or everything when `upgrade` is set.
    """

    prerelease: PrereleaseMode = PrereleaseMode.IF_NECESSARY_OR_EXPLICIT
    prerelease_packages: frozenset[NormalizedName] = frozenset()
    """Packages whose pre-releases are allowed whatever the mode (Pipfile/Poetry per-package)."""
    exclude_newer: datetime | None = None
    exclude_newer_packages: Mapping[NormalizedName, datetime] = field(default_factory=dict)
    allow_build: bool = False
    preferred: Mapping[NormalizedName, Version] = field(default_factory=dict)
    upgrade: bool = False
    upgrade_packages: frozenset[NormalizedName] = frozenset()
    max_rounds: int = 200_000
    """resolvelib's default of 100 rounds is far too low for real stacks."""

    def cutoff_for(self, name: NormalizedName) -> datetime | None:
        return self.exclude_newer_packages.get(name, self.exclude_newer)

    def preferred_version(self, name: NormalizedName) -> Version | None:
        if self.upgrade or name in self.upgrade_packages:
            return None
        return self.preferred.get(name)
