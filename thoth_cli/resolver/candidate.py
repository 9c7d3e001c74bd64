"""The resolver's requirements and candidates, and how they are identified."""

from __future__ import annotations

from dataclasses import dataclass, replace

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.index.model import DistKind, DistributionFile


def identifier(name: NormalizedName, extras: frozenset[str]) -> str:
    """One resolver slot per name, plus one per name-with-extras (as pip does).

    A `name[extra]` slot depends on `name==version` itself, so the resolver keeps the
    base and its extras on one version.
    """
    if not extras:
        return name
    return f"{name}[{','.join(sorted(extras))}]"


@dataclass(frozen=True)
class Requirement:
    """A requirement as the resolver sees it, already filtered by the target's markers."""

    name: NormalizedName
    display_name: str
    specifier: SpecifierSet
    extras: frozenset[str] = frozenset()
    text: str = ""
    """The requirement as its author wrote it, for explanations."""
    index: str | None = None
    """The only index this requirement may be satisfied from (an index pin)."""
    first_party: bool = False
    """Written in the project's manifest (not pulled in by a dependency)."""
    allow_prereleases: bool = False
    hashes: frozenset[str] = frozenset()
    """`algorithm:digest` values the manifest allows (`--hash`); empty: any file."""
    unusable: str | None = None
    """Set on the one dependency of a release that cannot be used, saying why; nothing satisfies
    it, so the resolver backtracks past that release (pip does this for Requires-Python)."""

    @property
    def identifier(self) -> str:
        if self.unusable is not None:
            return f"<{self.name} {self.text}: {self.unusable}>"
        return identifier(self.name, self.extras)

    @classmethod
    def impossible(cls, candidate: Candidate, reason: str) -> Requirement:
        return cls(
            name=candidate.name,
            display_name=candidate.display_name,
            specifier=SpecifierSet(),
            text=str(candidate.version),
            unusable=reason,
        )

    def __str__(self) -> str:
        return self.text or f"{self.display_name}{self.specifier}"


@dataclass(frozen=True)
class Candidate:
    """One version of a package that can be installed on the target, with its usable files."""

    name: NormalizedName
    display_name: str
    version: Version
    files: tuple[DistributionFile, ...]
    """Installable on the target: wheels best-ranked first, then the sdist."""
    index: str
    extras: frozenset[str] = frozenset()
    yanked: bool = False
    yanked_reason: str | None = None
    wheel_for_metadata: DistributionFile | None = None
    """A wheel of the release built for another target, when only the sdist fits this one."""
    alias_of: NormalizedName | None = None
    """Set when a pseudonym offers this candidate in place of another package: the resolver
    slot it fills (tensorflow-cpu standing in for tensorflow)."""
    skipped: str | None = None
    """Set on the stand-in for a package a unit told the resolver to leave out (the reason):
    it satisfies every requirement on the package and brings nothing into the stack."""

    @property
    def slot_name(self) -> NormalizedName:
        """The name of the resolver slot this candidate fills."""
        return self.alias_of or self.name

    @property
    def identifier(self) -> str:
        return identifier(self.slot_name, self.extras)

    @property
    def key(self) -> tuple[NormalizedName, Version, str]:
        """What tells candidates apart across names and indexes: name, version, index."""
        return (self.name, self.version, self.index)

    @classmethod
    def skip(cls, name: NormalizedName, display_name: str, reason: str) -> Candidate:
        """The stand-in for a package left out of the stack."""
        return cls(
            name=name, display_name=display_name, version=Version("0"), files=(), index="", skipped=reason
        )

    @property
    def metadata_file(self) -> DistributionFile:
        """The file whose metadata stands for the release: its best wheel for the target, else
        any wheel of the release (its wheels share their dependencies, as uv assumes), else the
        sdist."""
        if self.files[0].is_wheel or self.wheel_for_metadata is None:
            return self.files[0]
        return self.wheel_for_metadata

    @property
    def has_wheel(self) -> bool:
        return any(f.kind is DistKind.WHEEL for f in self.files)

    def with_extras(self, extras: frozenset[str]) -> Candidate:
        return replace(self, extras=extras)

    def __str__(self) -> str:
        return f"{self.display_name} {self.version}"
