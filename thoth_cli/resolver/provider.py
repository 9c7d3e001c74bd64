"""The resolvelib provider: a thin adapter from resolvelib's questions to the finder and the index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from threading import Lock
from typing import TYPE_CHECKING, Any

from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib.providers import AbstractProvider
from resolvelib.structs import RequirementInformation

from thoth_cli.index.metadata import MetadataUnavailableError
from thoth_cli.index.model import CoreMetadata
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.errors import DirectDependencyError, MetadataBuildRequiredError
from thoth_cli.resolver.explain import Cause
from thoth_cli.resolver.finder import CandidateFinder
from thoth_cli.resolver.source import PackageSource

if TYPE_CHECKING:
    from thoth_cli.pipeline.runner import PipelineRunner

Info = RequirementInformation[Requirement, Candidate]


class Provider(AbstractProvider[Requirement, Candidate, str]):
    """Answers resolvelib from a `CandidateFinder` and a `PackageSource`.

    Candidates are offered best first (newest, or the existing lock's pin first), so the
    first solution resolvelib finds is the preferred one. Dependencies are filtered by the
    target's markers here, once, and each new name is handed to the index to fetch ahead.
    """

    def __init__(
        self,
        finder: CandidateFinder,
        source: PackageSource,
        *,
        constraints: Mapping[NormalizedName, Sequence[Requirement]] | None = None,
        index_pins: Mapping[NormalizedName, str] | None = None,
        allow_build: bool = False,
        build_index_url: str | None = None,
        on_build: Callable[[Candidate], None] | None = None,
        runner: PipelineRunner | None = None,
    ) -> None:
        self._runner = runner
        self._finder = finder
        self._source = source
        self._constraints = constraints or {}
        self._index_pins = index_pins or {}
        self._allow_build = allow_build
        self._build_index_url = build_index_url
        self._on_build = on_build
        self._metadata: dict[tuple[NormalizedName, str], CoreMetadata] = {}
        self._lock = Lock()
        self.build_required: dict[NormalizedName, tuple[Version, Candidate, str]] = {}
        """The newest release of each name that was skipped because only a build could tell
        its dependencies."""
        self.introduced: dict[NormalizedName, list[Cause]] = {}
        """Who first required each name: the chains that explanations of failures show."""

    def record_roots(self, roots: Iterable[Requirement]) -> None:
        for root in roots:
            self.introduced.setdefault(root.name, []).append(Cause(root, None))

    # -- resolvelib contract -------------------------------------------------------------

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Info]],
        backtrack_causes: Sequence[Info],
    ) -> Any:
        infos = list(information[identifier])
        specs = [spec for info in infos for spec in info.requirement.specifier]
        exact = any(spec.operator in ("==", "===") and not spec.version.endswith(".*") for spec in specs)
        upper_bounded = any(
            spec.operator in ("<", "<=", "~=") or (spec.operator == "==" and spec.version.endswith(".*"))
            for spec in specs
        )
        root = any(info.parent is None for info in infos)
        cause = any(info.requirement.identifier == identifier for info in backtrack_causes) or any(
            info.parent is not None and info.parent.identifier == identifier for info in backtrack_causes
        )
        # pip's order: pinned and direct names first narrow the search; backtrack causes next
        # settle conflicts early; then names with upper bounds and any specifier, which have
        # the fewest choices - left for last, they make resolvelib backjump through every
        # combination of their dependants (a widely shared name such as certifi pinned early
        # cost one real stack 200,000 rounds). The name keeps the order deterministic.
        return (not exact, not cause, not root, not upper_bounded, not specs, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]] | list[Candidate]:
        reqs = list(requirements[identifier])
        if not reqs or reqs[0].unusable is not None:
            return []
        name = reqs[0].name
        extras = reqs[0].extras
        base_reqs = list(requirements.get(name, iter(()))) if extras else []
        all_reqs = [*reqs, *base_reqs, *self._constraints.get(name, ())]
        index = self._index_for(name, reqs)
        excluded = list(incompatibilities[identifier])
        # The finder bans by version; a pseudonym's alternative of the same version is another
        # candidate, which the runner bans by its key.
        found: Callable[[], Iterator[Candidate]] = self._finder.matches(
            name, all_reqs, [c for c in excluded if c.name == name], index
        )
        if self._runner is not None:
            offered = self._runner.offer(name, all_reqs, found, frozenset(c.key for c in excluded))
            if isinstance(offered, list):
                if offered and offered[0].skipped is not None:
                    return offered
                found = _replay(offered)
            else:
                found = offered
        allowed = _allowed_hashes(all_reqs)
        if allowed is not None:
            found = _with_hashes(found, allowed)
        first = next(found(), None)
        if first is not None:
            # The resolver will almost surely take the first: start reading its metadata now.
            self._source.prefetch_metadata([first.metadata_file])
        if not extras:
            return found
        return lambda: (candidate.with_extras(extras) for candidate in found())

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        if requirement.unusable is not None or requirement.name != candidate.slot_name:
            return False
        if candidate.skipped is not None:
            return True
        if not requirement.extras <= candidate.extras:
            return False
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: Candidate) -> list[Requirement]:
        if candidate.skipped is not None:
            return []
        try:
            dependencies = self._dependencies(candidate)
        except UnusableReleaseError as exc:
            self._finder.reject(candidate.name, candidate.version, exc.reason)
            return [Requirement.impossible(candidate, exc.reason)]
        for dependency in dependencies:
            if dependency.name != candidate.slot_name:
                self.introduced.setdefault(dependency.name, []).append(Cause(dependency, candidate))
        self._prefetch(dependencies)
        return dependencies

    def check_no_fallback(self, pinned: Mapping[NormalizedName, Version]) -> None:
        """Refuse a stack that chose an older version because a newer one needed a build."""
        for name, (version, candidate, filename) in sorted(self.build_required.items()):
            chosen = pinned.get(name)
            if chosen is not None and chosen < version:
                raise MetadataBuildRequiredError(candidate.display_name, str(version), filename)

    def check_build_was_the_obstacle(self) -> None:
        """After a failure: a skipped build-only release that every requirement on its name
        admits was the obstacle, and saying so is the useful answer."""
        for name, (version, candidate, filename) in sorted(self.build_required.items()):
            stated = [cause.requirement for cause in self.introduced.get(name, ())]
            if all(r.specifier.contains(version, prereleases=True) for r in stated):
                raise MetadataBuildRequiredError(candidate.display_name, str(version), filename)

    def _prefetch(self, requirements: Iterable[Requirement]) -> None:
        """Fetch the new names' pages ahead, each from the index it is pinned to (a name pinned
        to a private index is never asked of another)."""
        by_index: dict[str | None, set[NormalizedName]] = {}
        for requirement in requirements:
            by_index.setdefault(self._index_for(requirement.name, [requirement]), set()).add(requirement.name)
        for index, names in sorted(by_index.items(), key=lambda item: item[0] or ""):
            self._source.prefetch(sorted(names), index=index)

    def prefetch_roots(self, roots: Iterable[Requirement]) -> None:
        self._prefetch(roots)

    def _dependencies(self, candidate: Candidate) -> list[Requirement]:
        metadata = self.metadata(candidate)
        self._check_requires_python(metadata)
        dependencies: list[Requirement] = []
        if candidate.extras:
            # The extras slot pins the base slot to the same version.
            dependencies.append(
                Requirement(
                    name=candidate.slot_name,
                    display_name=candidate.display_name,
                    specifier=SpecifierSet(f"=={candidate.version}"),
                    text=f"{candidate.display_name}=={candidate.version}",
                )
            )
        if candidate.alias_of is not None and not candidate.extras:
            # A pseudonym's alternative fills another package's slot; its own name's slot must
            # agree, or a second requirement on it could pin another version of the same package.
            dependencies.append(
                Requirement(
                    name=candidate.name,
                    display_name=candidate.display_name,
                    specifier=SpecifierSet(f"=={candidate.version}"),
                    text=f"{candidate.display_name}=={candidate.version}",
                    index=candidate.index,
                )
            )
        for text in metadata.requires_dist:
            requirement = self._dependency(candidate, text)
            if requirement is not None:
                dependencies.append(requirement)
        return dependencies

    def _check_requires_python(self, metadata: CoreMetadata) -> None:
        """Indexes that do not publish data-requires-python leave it to the metadata."""
        if not metadata.requires_python:
            return
        try:
            spec = SpecifierSet(metadata.requires_python)
        except InvalidSpecifier:
            return  # as pip: an unreadable Requires-Python does not exclude the release
        if not spec.contains(self._finder.target.python_full_version, prereleases=True):
            raise UnusableReleaseError(f"requires Python {spec} (its metadata says)")

    # -- helpers ---------------------------------------------------------------------------

    def metadata(self, candidate: Candidate) -> CoreMetadata:
        key = (candidate.name, str(candidate.version))
        with self._lock:
            known = self._metadata.get(key)
        if known is not None:
            return known
        try:
            metadata = self._source.metadata(candidate.metadata_file)
        except MetadataUnavailableError:
            metadata = self._built_metadata(candidate)
        with self._lock:
            self._metadata[key] = metadata
        return metadata

    def _built_metadata(self, candidate: Candidate) -> CoreMetadata:
        """An sdist with dynamic dependencies: build its metadata only when the user allows it.

        Falling back to an older version instead would silently turn `latest` into
        something else, so without --allow-build the run stops and says why.
        """
        sdist = candidate.metadata_file
        if not self._allow_build:
            # Skipped for now, and remembered: reached while backtracking it must not stop the
            # run (the real cause is the conflict), but a stack that settles for an older
            # version of this package would be a silent fallback - `check_no_fallback` refuses it.
            with self._lock:
                known = self.build_required.get(candidate.name)
                if known is None or known[0] < candidate.version:
                    self.build_required[candidate.name] = (candidate.version, candidate, sdist.filename)
            raise UnusableReleaseError(
                "has no wheel and its sdist declares its dependencies dynamic (--allow-build builds it)"
            )
        from thoth_cli.resolver.build import build_metadata

        if self._on_build is not None:
            self._on_build(candidate)
        return build_metadata(self._source.download(sdist), sdist.filename, index_url=self._build_index_url)

    def _dependency(self, candidate: Candidate, text: str) -> Requirement | None:
        try:
            parsed = PackagingRequirement(text)
        except InvalidRequirement:
            # The release's fault: like pip, skip the release rather than fail the run.
            raise UnusableReleaseError(f"declares an invalid dependency {text!r}") from None
        if parsed.url:
            raise DirectDependencyError(candidate.display_name, str(candidate.version), text)
        target = self._finder.target
        try:
            if parsed.marker is not None:
                if candidate.extras:
                    if not any(target.evaluate(parsed.marker, frozenset({e})) for e in candidate.extras):
                        return None
                    if target.evaluate(parsed.marker, frozenset()):
                        # Already a dependency of the base candidate.
                        return None
                elif not target.evaluate(parsed.marker, frozenset()):
                    return None
            elif candidate.extras:
                return None
        except (UndefinedComparison, UndefinedEnvironmentName):
            raise UnusableReleaseError(
                f"declares a dependency whose marker cannot be evaluated: {text!r}"
            ) from None
        name = canonicalize_name(parsed.name)
        return Requirement(
            name=name,
            display_name=parsed.name,
            specifier=parsed.specifier,
            extras=frozenset(canonicalize_name(e) for e in parsed.extras),
            text=text,
        )

    def _index_for(self, name: NormalizedName, requirements: Iterable[Requirement]) -> str | None:
        """The index a name must come from: its requirement's pin, else the project's pin."""
        for requirement in requirements:
            if requirement.index:
                return requirement.index
        return self._index_pins.get(name)


class UnusableReleaseError(Exception):
    """Internal: a release whose metadata the resolver cannot use; it is skipped, with a reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _allowed_hashes(requirements: Iterable[Requirement]) -> frozenset[str] | None:
    """The `algorithm:digest` values every requirement with `--hash` allows (None: no limit)."""
    allowed: frozenset[str] | None = None
    for requirement in requirements:
        if requirement.hashes:
            allowed = requirement.hashes if allowed is None else allowed & requirement.hashes
    return allowed


def _with_hashes(
    found: Callable[[], Iterator[Candidate]], allowed: frozenset[str]
) -> Callable[[], Iterator[Candidate]]:
    """Only files whose sha256 the manifest lists (`--hash`); releases with none are skipped."""

    def iterate() -> Iterator[Candidate]:
        for candidate in found():
            files = tuple(f for f in candidate.files if any(f"{a}:{h}" in allowed for a, h in f.hashes.items))
            if files:
                yield replace(candidate, files=files)

    return iterate


def _replay(candidates: list[Candidate]) -> Callable[[], Iterator[Candidate]]:
    return lambda: iter(candidates)
