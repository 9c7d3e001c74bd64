"""Why a package is in a lock: the chains from the project's direct requirements to it, and its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import NoAnswer
from thoth_cli.lock.model import LockedPackage, LockFile, LockFormat

MAX_CHAINS = 10
"""Chains shown; the rest are counted. Deep stacks can reach a package along very many paths."""

_COLLECTED = 1000
"""Chains walked at most, so that counting the rest of a dense graph stays cheap."""

PROJECT = "project"
"""How a pylock's `required-by` names the project itself (`project: requests>=2.31`)."""


class NotInLockError(NoAnswer):
    """The package asked about is not pinned in the lock (exit 1); keeps the names it resembles."""

    def __init__(self, name: str, lock: Path, suggestions: tuple[str, ...] = ()) -> None:
        self.name = name
        self.lock = lock
        self.suggestions = suggestions
        fix = (
            "did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
            if suggestions
            else "check the name, or lock the project again with thoth advise if it should be there"
        )
        super().__init__(f"{name!r} is not in {lock}", fix=fix)


@dataclass(frozen=True)
class Link:
    """One package on a chain, with the requirement that asked for it when the lock records it."""

    name: NormalizedName
    version: Version | None
    requirement: str | None = None


@dataclass(frozen=True)
class Explanation:
    """Why `package` is in `lock`.

    `chains` run from a direct requirement of the project to the package (a direct
    requirement's own chain is just itself); `more` counts the chains left out. `recorded`
    is False when the lock's format keeps no dependencies (Pipfile.lock), and `note` then
    says so.
    """

    lock: LockFile
    package: LockedPackage
    direct: bool | None
    chains: tuple[tuple[Link, ...], ...]
    more: int = 0
    recorded: bool = True
    note: str | None = None


def explain(lock: LockFile, name: str) -> Explanation:
    """The chains that bring `name` into `lock`; NotInLockError (exit 1) when the lock does not pin it."""
    canonical = canonicalize_name(name)
    package = lock.get(canonical)
    if package is None:
        from thoth_cli.index.client import suggest

        raise NotInLockError(name, lock.path, suggest(canonical, {p.name for p in lock.packages}))
    parents = dependents(lock)
    recorded = lock.format is not LockFormat.PIPFILE_LOCK and (
        bool(parents) or any(p.direct is not None for p in lock.packages)
    )
    if not recorded:
        what = (
            "dependencies between packages" if lock.format is LockFormat.PIPFILE_LOCK else "`# via` comments"
        )
        unrecorded = f"{lock.path.name} records no {what}: it cannot tell which package pulled {canonical} in"
        return Explanation(lock, package, package.direct, (), recorded=False, note=unrecorded)
    roots = _roots(lock, parents)
    found: list[tuple[Link, ...]] = []
    _walk(lock, parents, roots, [canonical], found)
    chains = sorted(found, key=lambda chain: (len(chain), [link.name for link in chain]))
    direct = canonical in roots
    note: str | None = None
    if not chains:
        note = f"no chain from a direct requirement reaches {canonical} in {lock.path.name}"
    return Explanation(
        lock, package, direct, tuple(chains[:MAX_CHAINS]), more=max(0, len(chains) - MAX_CHAINS), note=note
    )


def dependents(lock: LockFile) -> dict[NormalizedName, dict[str, str | None]]:
    """Each package's parents (`project` for the project itself), with the requirement when recorded.

    pylock.toml: packages' `dependencies` and thoth's `required-by` ("requests 2.31.0:
    urllib3<3"); requirements.txt: pip-compile's `# via` lines.
    """
    found: dict[NormalizedName, dict[str, str | None]] = {}
    for package in lock.packages:
        for child in package.dependencies:
            found.setdefault(child, {}).setdefault(package.name, None)
        for text in package.required_by:
            who, colon, requirement = text.partition(":")
            parent = PROJECT if who.strip() == PROJECT and colon else canonicalize_name(who.split()[0])
            found.setdefault(package.name, {})[parent] = requirement.strip() if colon else None
        if package.direct:
            found.setdefault(package.name, {}).setdefault(PROJECT, None)
    return found


def _roots(lock: LockFile, parents: Mapping[NormalizedName, Mapping[str, str | None]]) -> set[str]:
    """The project's direct requirements: as the lock says, else the packages nothing else requires."""
    said = {p.name for p in lock.packages if PROJECT in parents.get(p.name, {})}
    if said or any(p.direct is not None for p in lock.packages):
        return set(said)
    return {p.name for p in lock.packages if not parents.get(p.name)}


def _walk(
    lock: LockFile,
    parents: Mapping[NormalizedName, Mapping[str, str | None]],
    roots: set[str],
    path: list[NormalizedName],
    found: list[tuple[Link, ...]],
) -> None:
    """Every simple path upwards from `path[-1]` to a root, written root first."""
    if len(found) >= _COLLECTED:
        return
    head = path[-1]
    if head in roots:
        found.append(_chain(lock, parents, path))
    for parent in sorted(parents.get(head, {})):
        if parent == PROJECT or parent in path:
            continue
        _walk(lock, parents, roots, [*path, canonicalize_name(parent)], found)


def _chain(
    lock: LockFile, parents: Mapping[NormalizedName, Mapping[str, str | None]], path: list[NormalizedName]
) -> tuple[Link, ...]:
    ordered = list(reversed(path))
    links: list[Link] = []
    for position, name in enumerate(ordered):
        asked_by = PROJECT if position == 0 else ordered[position - 1]
        pinned = lock.get(name)
        links.append(Link(name, pinned.version if pinned else None, parents.get(name, {}).get(asked_by)))
    return tuple(links)
