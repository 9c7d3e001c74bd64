"""Which versions of a package can be installed on the target, and which a request admits."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from thoth_cli.index.model import DistKind, DistributionFile, FileLoader, ProjectPage
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


class _Releases:
    """One package's releases on one index, each assessed for the target when first asked.

    Large projects list thousands of files (every wheel of every release); the resolver
    usually needs the newest few, so files are looked at only for versions it reaches.
    """

    def __init__(
        self,
        page: ProjectPage,
        assess: Callable[[Version, Sequence[DistributionFile]], Candidate | Rejection],
    ) -> None:
        self.page = page
        self.versions = sorted(page.release_loaders().items(), key=lambda item: item[0], reverse=True)
        self.all_prereleases = bool(self.versions) and all(v.is_prerelease for v, _ in self.versions)
        self._assess = assess
        self._done: dict[Version, Candidate | Rejection] = {}
        self._lock = Lock()

    def reject(self, version: Version, reason: str) -> None:
        with self._lock:
            self._done[version] = Rejection(version, reason)

    def get(self, version: Version, load: FileLoader) -> Candidate | Rejection:
        with self._lock:
            known = self._done.get(version)
        if known is None:
            known = self._assess(version, load())
            with self._lock:
                self._done[version] = known
        return known


class CandidateFinder:
    """Turns index pages into candidates for one target under one policy.

    Pure in the sense resolvelib needs: the same question always gets the same answer,
    whatever the resolver has pinned so far.
    """

    def __init__(
        self,
        source: PackageSource,
        target: Target,
        policy: ResolutionPolicy,
        *,
        prereleases_by_pipeline: bool = False,
    ) -> None:
        self._source = source
        self._target = target
        self._policy = policy
        self._prereleases_by_pipeline = prereleases_by_pipeline
        """When the pipeline's `prerelease` step decides, every pre-release is offered to it."""
        self._python = Version(target.python_full_version)
        self._releases: dict[tuple[str, str | None], _Releases] = {}
        self._python_ok: dict[str, bool] = {}
        self._lock = Lock()

    @property
    def target(self) -> Target:
        return self._target

    def _releases_of(self, name: NormalizedName, index: str | None) -> _Releases:
        key = (name, index)
        with self._lock:
            known = self._releases.get(key)
        if known is not None:
            return known
        page = self._source.project(name, index=index)
        cutoff = self._policy.cutoff_for(page.name)
        releases = _Releases(page, lambda version, files: self._assess(page, version, files, cutoff))
        with self._lock:
            return self._releases.setdefault(key, releases)

    def versions_of(self, name: NormalizedName, index: str | None = None) -> tuple[Version, ...]:
        """Every version the index lists for `name`, newest first; under --exclude-newer, only
        those with a file uploaded by the cut-off (the others do not exist for this run)."""
        releases = self._releases_of(name, index)
        cutoff = self._policy.cutoff_for(name)
        if cutoff is None:
            return tuple(version for version, _ in releases.versions)
        return tuple(
            version
            for version, load in releases.versions
            if any(f.upload_time is not None and f.upload_time <= cutoff for f in load())
        )

    def reject(self, name: NormalizedName, version: Version, reason: str) -> None:
        """A release found unusable once its metadata was read: never offered again, and
        explanations say why."""
        with self._lock:
            found = [releases for (known, _), releases in self._releases.items() if known == name]
        for releases in found:
            releases.reject(version, reason)

    def availability(self, name: NormalizedName, index: str | None = None) -> Availability:
        """Every release assessed: what explanations of a failure need."""
        releases = self._releases_of(name, index)
        candidates: list[Candidate] = []
        rejected: list[Rejection] = []
        for version, load in releases.versions:
            outcome = releases.get(version, load)
            if isinstance(outcome, Candidate):
                candidates.append(outcome)
            else:
                rejected.append(outcome)
        return Availability(
            name=releases.page.name,
            display_name=releases.page.name,
            index=releases.page.index.name,
            candidates=tuple(candidates),
            rejected=tuple(rejected),
        )

    def _assess(
        self, page: ProjectPage, version: Version, files: Sequence[DistributionFile], cutoff: datetime | None
    ) -> Candidate | Rejection:
        usable, reason = self._usable_files(files, cutoff)
        if not usable:
            return Rejection(version, reason)
        live = [f for f in usable if not f.yanked]
        reasons = {f.yanked_reason for f in usable if f.yanked and f.yanked_reason}
        chosen = live or usable
        wheels = sorted((f for f in files if f.is_wheel), key=lambda f: (f.yanked, f.filename))
        return Candidate(
            name=page.name,
            display_name=page.name,
            version=version,
            files=tuple(chosen),
            index=chosen[0].index,
            yanked=not live,
            yanked_reason="; ".join(sorted(reasons)) if not live and reasons else None,
            wheel_for_metadata=wheels[0] if wheels and not chosen[0].is_wheel else None,
        )

    def _python_allows(self, spec: SpecifierSet) -> bool:
        key = str(spec)
        known = self._python_ok.get(key)
        if known is None:
            known = spec.contains(self._python, prereleases=True)
            self._python_ok[key] = known
        return known

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
            if spec is not None and not self._python_allows(spec):
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
            return [], f"was uploaded after {cutoff.isoformat()}"
        if unknown_age:
            return [], "has no upload time on the index, so --exclude-newer cannot admit it"
        return [], f"has {describe_wheels(files)}"

    def matches(
        self,
        name: NormalizedName,
        requirements: Sequence[Requirement],
        excluded: Sequence[Candidate] = (),
        index: str | None = None,
        *,
        prefer_kept: bool = True,
    ) -> Callable[[], Iterator[Candidate]]:
        """Candidates every requirement admits, most preferred first, assessed as consumed.

        resolvelib accepts a callable returning a fresh iterator; it usually takes the
        first, so the files of older releases are seldom looked at.
        """
        releases = self._releases_of(name, index)
        banned = {c.version for c in excluded}
        allow_pre = self._prereleases_by_pipeline or self.prereleases_allowed(
            name, requirements, releases.all_prereleases
        )
        admitted = [
            (version, load)
            for version, load in releases.versions
            if version not in banned
            and (allow_pre or not version.is_prerelease)
            and all(req.specifier.contains(version, prereleases=True) for req in requirements)
        ]
        if not allow_pre and self._policy.prerelease in _IF_NECESSARY:
            # uv's "if necessary": when final releases match but none can be installed on the
            # target (tensorflow on a Python newer than its last final release), its
            # pre-releases are what there is. When no final release matches at all, the
            # explanation says pre-releases exist and how to allow them, as uv does.
            finals = list(admitted)
            if finals and not any(self._usable(releases, v, load, requirements) for v, load in finals):
                admitted = [
                    (version, load)
                    for version, load in releases.versions
                    if version not in banned
                    and all(req.specifier.contains(version, prereleases=True) for req in requirements)
                ]
        preferred = self._policy.preferred_version(name) if prefer_kept else None
        if preferred is not None:
            admitted.sort(key=lambda item: item[0] != preferred)

        def iterate() -> Iterator[Candidate]:
            for version, load in admitted:
                if self._usable(releases, version, load, requirements):
                    outcome = releases.get(version, load)
                    assert isinstance(outcome, Candidate)
                    yield outcome

        return iterate

    @staticmethod
    def _usable(
        releases: _Releases, version: Version, load: FileLoader, requirements: Sequence[Requirement]
    ) -> bool:
        outcome = releases.get(version, load)
        if not isinstance(outcome, Candidate):
            return False
        return not outcome.yanked or _pinned_exactly(requirements, version)

    def prereleases_allowed(
        self, name: NormalizedName, requirements: Sequence[Requirement], only_prereleases: bool
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
        explicit = any(req.first_party and _names_prerelease(req) for req in requirements)
        if explicit and mode in (PrereleaseMode.EXPLICIT, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT):
            return True
        if mode in (PrereleaseMode.IF_NECESSARY, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT):
            return only_prereleases
        return False


_IF_NECESSARY = (PrereleaseMode.IF_NECESSARY, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT)


def _names_prerelease(requirement: Requirement) -> bool:
    for spec in requirement.specifier:
        try:
            if Version(spec.version.removesuffix(".*")).is_prerelease:
                return True
        except InvalidVersion:
            continue
    return False


def _pinned_exactly(requirements: Sequence[Requirement], version: Version) -> bool:
    """PEP 592: a yanked release is used only when pinned with `==` (no `.*`) or `===`."""
    for requirement in requirements:
        for spec in requirement.specifier:
            exact = spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*"))
            if exact and spec.contains(version, prereleases=True):
                return True
    return False
