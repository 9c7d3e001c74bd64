"""Which versions of a package can be installed on the target, and which a request admits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.index.model import DistKind, DistributionFile, ProjectPage
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.describe import describe_wheels
from thoth_cli.resolver.policy import PrereleaseMode, ResolutionPolicy
from thoth_cli.resolver.source import PackageSource
from thoth_cli.target import Target


@dataclass(frozen=True)
class Rejection:
    """A version that exists on the index but cannot be used on the target, and why."""

    version: Version
    reason: str


@dataclass(frozen=True)
class Availability:
    """Every version of a package usable on the target (newest first), and those that are not."""

    name: NormalizedName
    display_name: str
    index: str
    candidates: tuple[Candidate, ...]
    rejected: tuple[Rejection, ...]
    wheel_summary: str
    """What the index offers in wheels, in words (for "no distribution for the target")."""


class CandidateFinder:
    """Turns index pages into candidates for one target under one policy.

    Pure in the sense resolvelib needs: the same question always gets the same answer,
    whatever the resolver has pinned so far.
    """

    def __init__(self, source: PackageSource, target: Target, policy: ResolutionPolicy) -> None:
        self._source = source
        self._target = target
        self._policy = policy
        self._python = Version(target.python_full_version)
        self._cache: dict[tuple[str, str | None], Availability] = {}
        self._lock = Lock()

    @property
    def target(self) -> Target:
        return self._target

    def availability(self, name: NormalizedName, index: str | None = None) -> Availability:
        key = (name, index)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        page = self._source.project(name, index=index)
        result = self._assess(page)
        with self._lock:
            self._cache[key] = result
        return result

    def known(self) -> Iterable[Availability]:
        with self._lock:
            return tuple(self._cache.values())

    def _assess(self, page: ProjectPage) -> Availability:
        cutoff = self._policy.cutoff_for(page.name)
        candidates: list[Candidate] = []
        rejected: list[Rejection] = []
        for version, files in sorted(page.files_by_version().items(), reverse=True):
            usable, reason = self._usable_files(files, cutoff)
            if not usable:
                rejected.append(Rejection(version, reason))
                continue
            live = [f for f in usable if not f.yanked]
            yanked = not live
            reasons = {f.yanked_reason for f in usable if f.yanked and f.yanked_reason}
            candidates.append(
                Candidate(
                    name=page.name,
                    display_name=page.name,
                    version=version,
                    files=tuple(live or usable),
                    index=(live or usable)[0].index,
                    yanked=yanked,
                    yanked_reason="; ".join(sorted(reasons)) if yanked and reasons else None,
                )
            )
        return Availability(
            name=page.name,
            display_name=page.name,
            index=page.index.name,
            candidates=tuple(candidates),
            rejected=tuple(rejected),
            wheel_summary=describe_wheels(page.files),
        )

    def _usable_files(
        self, files: Sequence[DistributionFile], cutoff: datetime | None
    ) -> tuple[list[DistributionFile], str]:
        """The files of one release usable on the target (best first), or why there are none."""
        ranked: list[tuple[int, str, DistributionFile]] = []
        sdists: list[DistributionFile] = []
        python_limits: set[str] = set()
        too_new = unknown_age = 0
        for file in files:
            if cutoff is not None:
                if file.upload_time is None:
                    unknown_age += 1
                    continue
                if file.upload_time > cutoff:
                    too_new += 1
                    continue
            spec = file.requires_python_specifier
            if spec is not None and not spec.contains(self._python, prereleases=True):
                python_limits.add(str(spec))
                continue
            if file.kind is DistKind.SDIST:
                sdists.append(file)
                continue
            rank = self._target.best_rank(file.tags)
            if rank is not None:
                ranked.append((rank, file.filename, file))
        usable = [file for _, _, file in sorted(ranked, key=lambda item: (item[0], item[1]))]
        usable.extend(sorted(sdists, key=lambda f: f.filename))
        if usable:
            return usable, ""
        if python_limits:
            return [], f"requires Python {' or '.join(sorted(python_limits))}"
        if too_new and cutoff is not None:
            return [], f"uploaded after {cutoff.isoformat()}"
        if unknown_age:
            return [], "has no upload time on the index, so --exclude-newer cannot admit it"
        return [], f"has {describe_wheels(files)}"

    def matches(
        self,
        name: NormalizedName,
        requirements: Sequence[Requirement],
        excluded: Iterable[Candidate] = (),
        index: str | None = None,
    ) -> list[Candidate]:
        """Candidates every requirement admits, most preferred first."""
        available = self.availability(name, index)
        banned = {c.version for c in excluded}
        allow_pre = self.prereleases_allowed(name, requirements, available)
        result: list[Candidate] = []
        for candidate in available.candidates:
            version = candidate.version
            if version in banned:
                continue
            if version.is_prerelease and not allow_pre:
                continue
            if not all(req.specifier.contains(version, prereleases=True) for req in requirements):
                continue
            if candidate.yanked and not _pinned_exactly(requirements, version):
                continue
            result.append(candidate)
        preferred = self._policy.preferred_version(name)
        if preferred is not None:
            result.sort(key=lambda c: c.version != preferred)
        return result

    def prereleases_allowed(
        self, name: NormalizedName, requirements: Sequence[Requirement], available: Availability
    ) -> bool:
        """uv's rule: allowed globally or per package, when a first-party specifier names a
        pre-release (explicit), or when the package has nothing but pre-releases (if necessary)."""
        mode = self._policy.prerelease
        if mode is PrereleaseMode.ALLOW or name in self._policy.prerelease_packages:
            return True
        if any(req.allow_prereleases for req in requirements):
            return True
        if mode is PrereleaseMode.DISALLOW:
            return False
        explicit = any(
            req.first_party and any(Version(s.version.rstrip(".*")).is_prerelease for s in req.specifier)
            for req in requirements
            if _has_parseable_versions(req)
        )
        if explicit and mode in (PrereleaseMode.EXPLICIT, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT):
            return True
        if mode in (PrereleaseMode.IF_NECESSARY, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT):
            versions = [c.version for c in available.candidates]
            return bool(versions) and all(v.is_prerelease for v in versions)
        return False


def _has_parseable_versions(requirement: Requirement) -> bool:
    from packaging.version import InvalidVersion

    try:
        for spec in requirement.specifier:
            Version(spec.version.rstrip(".*"))
    except InvalidVersion:
        return False
    return True


def _pinned_exactly(requirements: Sequence[Requirement], version: Version) -> bool:
    """PEP 592: a yanked release is used only when pinned with `==` (no `.*`) or `===`."""
    for requirement in requirements:
        for spec in requirement.specifier:
            exact = spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*"))
            if exact and spec.contains(version, prereleases=True):
                return True
    return False
