"""Security advisories as the pipeline sees them: a value per vulnerability and a source to ask."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version


@dataclass(frozen=True)
class Advisory:
    """One known vulnerability of one package: its id, the ids it is also known by, and the fix.

    `fixed` lists the first fixed version of each affected range (empty: no fix yet).
    """

    id: str
    package: NormalizedName
    summary: str = ""
    aliases: tuple[str, ...] = ()
    fixed: tuple[Version, ...] = ()
    link: str | None = None

    @property
    def url(self) -> str:
        """A page about the advisory: its own link, else OSV's."""
        return self.link or f"https://osv.dev/vulnerability/{self.id}"

    def describe(self) -> str:
        names = ", ".join((self.id, *self.aliases))
        return f"{names}: {self.summary}" if self.summary else names


class AdvisorySource(Protocol):
    """Answers which known vulnerabilities affect one release of one package.

    Implementations must be pure for the length of a run (the resolver asks the same
    question many times) and must not raise for a package they know nothing about.
    """

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]: ...


@dataclass(frozen=True)
class NoAdvisories:
    """The source when no advisory data is configured: nothing is known to be vulnerable."""

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        return ()


@dataclass(frozen=True)
class AffectedVersions:
    """An advisory and the exact versions it affects (the simplest source: tests and notebooks)."""

    advisory: Advisory
    versions: frozenset[Version]


@dataclass(frozen=True)
class StaticAdvisories:
    """Advisories held in memory, each with the versions it affects."""

    entries: tuple[AffectedVersions, ...] = ()
    _by_package: Mapping[NormalizedName, tuple[AffectedVersions, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        grouped: dict[NormalizedName, list[AffectedVersions]] = {}
        for entry in self.entries:
            grouped.setdefault(canonicalize_name(entry.advisory.package), []).append(entry)
        object.__setattr__(self, "_by_package", {name: tuple(group) for name, group in grouped.items()})

    @classmethod
    def of(cls, affected: Iterable[tuple[Advisory, Iterable[str]]]) -> StaticAdvisories:
        return cls(tuple(AffectedVersions(a, frozenset(Version(v) for v in vs)) for a, vs in affected))

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        return tuple(entry.advisory for entry in self._by_package.get(name, ()) if version in entry.versions)
