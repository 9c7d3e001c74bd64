"""Turning resolvelib's ResolutionImpossible into prose a user can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.finder import Availability, CandidateFinder
from thoth_cli.resolver.policy import PrereleaseMode


@dataclass(frozen=True)
class Cause:
    """One requirement that took part in a conflict, and the release that stated it."""

    requirement: Requirement
    parent: Candidate | None


def requirement_text(requirement: Requirement) -> str:
    """The requirement as its author wrote it, without its marker."""
    text = requirement.text.split(";", 1)[0].strip() if requirement.text else ""
    return text or f"{requirement.display_name}{requirement.specifier}"


def who_requires(cause: Cause) -> str:
    if cause.requirement.unusable is not None:
        return f"{cause.parent} {cause.requirement.unusable}"
    if cause.parent is None:
        return f"you require {requirement_text(cause.requirement)}"
    return f"{cause.parent} requires {requirement_text(cause.requirement)}"


class Explainer:
    """Writes the explanation of a failed resolution from its causes and what the finder saw."""

    def __init__(
        self,
        finder: CandidateFinder,
        introduced: Mapping[NormalizedName, Sequence[Cause]],
        prerelease: PrereleaseMode,
    ) -> None:
        self._finder = finder
        self._introduced = introduced
        self._prerelease = prerelease

    def explain(self, causes: Sequence[Cause]) -> tuple[str, str | None]:
        """The explanation and a hint for the fix."""
        by_name: dict[NormalizedName, list[Cause]] = {}
        for cause in causes:
            name = cause.requirement.name
            if cause.requirement.unusable is not None:
                # The release itself was unusable (its reason is on record with the finder):
                # what is worth explaining is what every requirement on the name left.
                by_name.setdefault(name, []).extend(self._introduced.get(name, ()))
                continue
            by_name.setdefault(name, []).append(cause)
        paragraphs: list[str] = []
        hints: list[str] = []
        for name in sorted(by_name):
            text, hint = self._explain_one(name, _unique(by_name[name]))
            paragraphs.append(text)
            if hint:
                hints.append(hint)
        return "\n".join(paragraphs), "; ".join(dict.fromkeys(hints)) or None

    def _explain_one(self, name: NormalizedName, causes: list[Cause]) -> tuple[str, str | None]:
        index = _index_of(causes)
        available = self._finder.availability(name, index)
        chains = self._chains(causes)
        if not available.candidates:
            return self._nothing_installable(available) + chains, (
                "choose a target where it is available, or a different version of "
                "the package that requires it"
            )
        requirements = [cause.requirement for cause in causes]
        alone = [c for c in causes if not self._satisfiable(available, [c.requirement], index)]
        if alone:
            cause = alone[0]
            return self._no_version(
                available, cause
            ) + chains, f"loosen {requirement_text(cause.requirement)}"
        if len(causes) == 1:
            # Satisfiable alone, so the versions were all ruled out by backtracking.
            return (
                f"{who_requires(causes[0])}, but every matching version of {available.display_name} "
                f"conflicts with other requirements" + chains,
                None,
            )
        # Dependencies first, the user's own requirement last: "x requires ...; you require ...".
        ordered = sorted(causes, key=lambda c: (c.parent is None, str(c.parent or "")))
        clash = "; ".join(who_requires(c) for c in ordered)
        del requirements
        return f"{clash} — loosen one of them" + chains, "loosen one of the requirements above"

    def _satisfiable(
        self, available: Availability, requirements: list[Requirement], index: str | None
    ) -> bool:
        """Whether the requirements admit a release, on the same index view the resolver used."""
        return next(self._finder.matches(available.name, requirements, (), index)(), None) is not None

    def _nothing_installable(self, available: Availability) -> str:
        name = available.display_name
        if not available.rejected:
            return f"{name} has no releases on index {available.index!r}"
        newest = available.rejected[0]
        reasons = {r.reason for r in available.rejected}
        if len(reasons) == 1:
            return f"no release of {name} can be installed on this target: every release {newest.reason}"
        return (
            f"no release of {name} can be installed on this target: the newest, {newest.version}, "
            f"{newest.reason}"
        )

    def _no_version(self, available: Availability, cause: Cause) -> str:
        requirement = cause.requirement
        name = available.display_name
        spec = requirement.specifier
        in_spec = [c for c in available.candidates if spec.contains(c.version, prereleases=True)]
        yanked = [c for c in in_spec if c.yanked]
        pre = [c for c in in_spec if c.version.is_prerelease and not c.yanked]
        prefix = who_requires(cause)
        if in_spec and len(yanked) == len(in_spec):
            listed = ", ".join(
                f"{c.version} (yanked: {c.yanked_reason})" if c.yanked_reason else f"{c.version} (yanked)"
                for c in yanked
            )
            return (
                f"{prefix}, which matches only yanked releases: {listed}; a yanked release is used "
                f"only when pinned exactly with == or ==="
            )
        if in_spec and len(pre) == len(in_spec):
            listed = ", ".join(str(c.version) for c in pre[:5])
            return (
                f"{prefix}, which matches only pre-releases ({listed}); pre-releases are not allowed "
                f"(--prerelease {self._prerelease.value}): pass --prerelease allow or name a "
                "pre-release in the requirement"
            )
        rejected = [r for r in available.rejected if spec.contains(r.version, prereleases=True)]
        if rejected:
            newest = rejected[0]
            return (
                f"{prefix}, but no matching release can be installed on this target: "
                f"the newest, {newest.version}, {newest.reason}"
            )
        versions = _summarise_versions([c.version for c in available.candidates])
        return f"{prefix}, but no version of {name} matches it (available: {versions})"

    def _chains(self, causes: Sequence[Cause]) -> str:
        lines: list[str] = []
        for cause in causes:
            if cause.parent is None:
                continue
            chain = self._chain(cause.parent)
            if len(chain) > 1:
                lines.append(f"\n  {cause.parent} comes from: {' → '.join(chain)}")
        return "".join(dict.fromkeys(lines))

    def _chain(self, candidate: Candidate) -> list[str]:
        """From the user's requirement out to `candidate`: who brought in whom."""
        steps: list[str] = []
        seen: set[NormalizedName] = set()
        current: Candidate | None = candidate
        while current is not None and current.name not in seen:
            seen.add(current.name)
            introductions = self._introduced.get(current.name, ())
            if not introductions:
                break
            first = introductions[0]
            steps.append(who_requires(first))
            current = first.parent
        return steps[::-1]


def _summarise_versions(versions: list[Version]) -> str:
    if not versions:
        return "none"
    ordered = sorted(versions)
    if len(ordered) <= 6:
        return ", ".join(str(v) for v in ordered)
    return ", ".join(str(v) for v in ordered[:3]) + ", …, " + ", ".join(str(v) for v in ordered[-3:])


def _index_of(causes: Sequence[Cause]) -> str | None:
    for cause in causes:
        if cause.requirement.index:
            return cause.requirement.index
    return None


def _unique(causes: list[Cause]) -> list[Cause]:
    seen: set[tuple[str, str]] = set()
    result: list[Cause] = []
    for cause in causes:
        key = (requirement_text(cause.requirement), str(cause.parent))
        if key not in seen:
            seen.add(key)
            result.append(cause)
    return result
