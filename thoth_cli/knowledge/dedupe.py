"""One vulnerability reported once: advisories that alias each other merged, and sources combined."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.knowledge.advisories import Advisory, AdvisorySource

ID_PREFERENCE = ("PYSEC-", "GHSA-")
"""Which record's id names a merged vulnerability, best first; any other database's id comes next,
and a bare CVE id last. PYSEC first: PyPA's database is the home database of the PyPI ecosystem in
OSV, and its id is the one PyPI's own API and pip-audit report; GHSA next, the most widespread."""


def id_rank(identifier: str) -> tuple[int, str]:
    """Sort key of an id: by database preference (PYSEC, GHSA, others, CVE), then by the id itself."""
    upper = identifier.upper()
    for position, prefix in enumerate(ID_PREFERENCE):
        if upper.startswith(prefix):
            return (position, identifier)
    if upper.startswith("CVE-"):
        return (len(ID_PREFERENCE) + 1, identifier)
    return (len(ID_PREFERENCE), identifier)


def merge_advisories(advisories: Iterable[Advisory]) -> tuple[Advisory, ...]:
    """Merge the advisories of one package that name the same vulnerability, in id order.

    Two advisories are the same vulnerability when their ids and aliases meet, directly or
    through others (PYSEC-2021-98 and GHSA-68w8-qjq3-2gfm both alias CVE-2021-33203). A merged
    advisory takes the preferred id (see ID_PREFERENCE), every other id as an alias, the union
    of the fixed versions, and the summary and link of the best-ranked advisory that has one.
    """
    by_package: dict[NormalizedName, list[Advisory]] = {}
    for advisory in advisories:
        by_package.setdefault(advisory.package, []).append(advisory)
    merged = [group_advisory for group in by_package.values() for group_advisory in _merge_package(group)]
    return tuple(sorted(merged, key=lambda advisory: (advisory.package, id_rank(advisory.id))))


def _merge_package(advisories: Sequence[Advisory]) -> list[Advisory]:
    parent: dict[str, str] = {}

    def root(identifier: str) -> str:
        parent.setdefault(identifier, identifier)
        while parent[identifier] != identifier:
            parent[identifier] = parent[parent[identifier]]
            identifier = parent[identifier]
        return identifier

    for advisory in advisories:
        for alias in advisory.aliases:
            parent[root(alias)] = root(advisory.id)
    groups: dict[str, list[Advisory]] = {}
    for advisory in advisories:
        groups.setdefault(root(advisory.id), []).append(advisory)
    return [_merge_group(group) for group in groups.values()]


def _merge_group(group: list[Advisory]) -> Advisory:
    if len(group) == 1:
        return group[0]
    ranked = sorted(group, key=lambda advisory: id_rank(advisory.id))
    primary = ranked[0]
    names = {primary.id}
    aliases: set[str] = set()
    fixed: set[Version] = set()
    for advisory in ranked:
        aliases.update(name for name in (advisory.id, *advisory.aliases) if name not in names)
        fixed.update(advisory.fixed)
    return Advisory(
        id=primary.id,
        package=primary.package,
        summary=next((a.summary for a in ranked if a.summary), ""),
        aliases=tuple(sorted(aliases, key=id_rank)),
        fixed=tuple(sorted(fixed)),
        link=next((a.link for a in ranked if a.link), None),
    )


class CombinedAdvisories:
    """An AdvisorySource asking several sources and reporting each vulnerability once."""

    def __init__(self, sources: Iterable[AdvisorySource]) -> None:
        self.sources = tuple(sources)

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        return merge_advisories(
            advisory for source in self.sources for advisory in source.advisories_for(name, version)
        )
