"""Resolving a project for a target: from direct requirements to a `Stack`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.utils import NormalizedName
from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver
from resolvelib.resolvers import Result

from thoth_cli.errors import Location, ManifestError, ThothError
from thoth_cli.index.model import IndexSpec
from thoth_cli.project.model import MAIN, Group, Project, ProjectRequirement, redact_userinfo
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.errors import ResolutionImpossibleError
from thoth_cli.resolver.explain import Cause, Explainer, requirement_text
from thoth_cli.resolver.finder import CandidateFinder
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.resolver.provider import Provider
from thoth_cli.resolver.source import PackageSource
from thoth_cli.stack import Edge, PinnedPackage, Stack
from thoth_cli.target import Target

if TYPE_CHECKING:
    from thoth_cli.pipeline.context import BuilderContext
    from thoth_cli.pipeline.model import PipelineUnits
    from thoth_cli.pipeline.runner import PipelineRunner


class DirectReferenceNotSupportedError(ThothError):
    """A direct reference (VCS, path or URL) cannot be resolved from the index."""

    exit_code = ResolutionImpossibleError.exit_code

    def __init__(self, requirement: ProjectRequirement) -> None:
        self.requirement = requirement
        where = f" ({requirement.origin})" if requirement.origin else ""
        super().__init__(
            f"{requirement.display_name} is a direct reference ({redact_userinfo(requirement.url or '')})"
            f"{where}: "
            "thoth resolves from package indexes and cannot lock direct references yet",
            fix=f"require {requirement.display_name} by version from an index, "
            "or leave it out of the manifest you lock",
        )


@dataclass(frozen=True)
class ResolveRequest:
    """A project, the groups to lock, the target, and the user's policy."""

    project: Project
    target: Target
    indexes: tuple[IndexSpec, ...]
    groups: frozenset[Group] = frozenset({MAIN})
    policy: ResolutionPolicy = field(default_factory=ResolutionPolicy)


@dataclass(frozen=True)
class Resolution:
    """The stack found, and the requirements the target's markers left out."""

    stack: Stack
    skipped_by_marker: tuple[ProjectRequirement, ...] = ()


def root_requirements(
    request: ResolveRequest,
) -> tuple[list[tuple[Requirement, ProjectRequirement]], list[ProjectRequirement]]:
    """The project's requirements for the chosen groups that apply on the target."""
    roots: list[tuple[Requirement, ProjectRequirement]] = []
    skipped: list[ProjectRequirement] = []
    for req in request.project.requirements_for(request.groups):
        if not _applies(req, request):
            skipped.append(req)
            continue
        if req.url is not None:
            raise DirectReferenceNotSupportedError(req)
        roots.append((_as_resolver_requirement(req), req))
    return roots, skipped


def _applies(req: ProjectRequirement, request: ResolveRequest) -> bool:
    """Whether the requirement's marker holds on the target; a marker that cannot be evaluated
    (`python_version ~= "3"`) is the manifest's error, named where it was written."""
    try:
        return request.target.evaluate(req.marker, frozenset())
    except (UndefinedComparison, UndefinedEnvironmentName) as exc:
        raise ManifestError(
            f"the marker of {req.display_name} cannot be evaluated ({exc})",
            location=req.origin or Location(request.project.manifest),
            text=str(req.marker),
            fix="compare versions with ==, !=, <, <=, >, >= or a full X.Y for ~=",
        ) from None


def index_pins(
    roots: list[tuple[Requirement, ProjectRequirement]], manifest: Path
) -> dict[NormalizedName, str]:
    """Each pinned name's index; one name pinned to two indexes is refused."""
    pins: dict[NormalizedName, tuple[str, ProjectRequirement]] = {}
    for _, req in roots:
        if not req.index:
            continue
        known = pins.setdefault(req.name, (req.index, req))
        if known[0] != req.index:
            raise ManifestError(
                f"{req.display_name} is pinned to index {req.index!r} here and to {known[0]!r} "
                f"in group {known[1].group}",
                location=req.origin or Location(manifest),
                text=str(req),
                fix="pin the package to one index in every group",
            )
    return {name: index for name, (index, _) in pins.items()}


def _as_resolver_requirement(req: ProjectRequirement) -> Requirement:
    text = str(req).split(";", 1)[0].strip()
    return Requirement(
        name=req.name,
        display_name=req.display_name,
        specifier=req.specifier,
        extras=req.extras,
        text=text,
        index=req.index,
        first_party=True,
        allow_prereleases=req.allow_prereleases,
        hashes=frozenset(h.lower() for h in req.hashes),
    )


class ResolveSession:
    """One run's finder, provider and pipeline: resolves as often as the search asks, every
    resolve after the first answered from what the earlier ones fetched."""

    def __init__(
        self,
        request: ResolveRequest,
        source: PackageSource,
        reporter: BaseReporter[Requirement, Candidate, str] | None = None,
        *,
        on_build: Callable[[Candidate], None] | None = None,
        pipeline: PipelineUnits | None = None,
        context: BuilderContext | None = None,
    ) -> None:
        self.request = request
        self.roots, self.skipped = root_requirements(request)
        constraints: dict[NormalizedName, list[Requirement]] = {}
        for constraint in request.project.constraints:
            if request.target.evaluate(constraint.marker, frozenset()):
                constraints.setdefault(constraint.name, []).append(_as_resolver_requirement(constraint))
        pins = index_pins(self.roots, request.project.manifest)
        # With a pipeline, its `prerelease` step decides which pre-releases are acceptable.
        self.finder = CandidateFinder(
            source, request.target, request.policy, prereleases_by_pipeline=pipeline is not None
        )
        self.runner: PipelineRunner | None = None
        if pipeline is not None:
            from thoth_cli.pipeline.context import BuilderContext as _BuilderContext
            from thoth_cli.pipeline.runner import PipelineRunner

            by_name: dict[NormalizedName, list[Requirement]] = {}
            for root, _ in self.roots:
                by_name.setdefault(root.name, []).append(root)
            for name, listed in constraints.items():
                by_name.setdefault(name, []).extend(listed)
            self.runner = PipelineRunner(
                pipeline,
                context
                or _BuilderContext(
                    project=request.project,
                    target=request.target,
                    groups=request.groups,
                    policy=request.policy,
                ),
                self.finder,
                roots=by_name,
                index_for=pins.get,
            )
        self.provider = Provider(
            self.finder,
            source,
            constraints=constraints,
            index_pins=pins,
            allow_build=request.policy.allow_build,
            build_index_url=request.indexes[0].url if request.indexes else None,
            on_build=on_build,
            runner=self.runner,
        )
        self._reporter = reporter
        self._indexes = {spec.name: spec for spec in request.indexes}
        resolver_roots = [r for r, _ in self.roots]
        self.provider.record_roots(resolver_roots)
        self.provider.prefetch_roots(resolver_roots)
        self.resolves = 0

    def resolve(self, *, max_rounds: int | None = None) -> Stack:
        """One resolution (of the runner's current subproblem); a failure is explained."""
        request = self.request
        rounds = max_rounds or request.policy.max_rounds
        resolver: Resolver[Requirement, Candidate, str] = Resolver(
            self.provider, self._reporter or BaseReporter()
        )
        self.resolves += 1
        try:
            result = resolver.resolve([r for r, _ in self.roots], max_rounds=rounds)
        except ResolutionImpossible as exc:
            self.provider.check_build_was_the_obstacle()
            causes = [Cause(info.requirement, info.parent) for info in exc.causes]
            explainer = Explainer(self.finder, self.provider.introduced, request.policy.prerelease)
            text, fix = explainer.explain(causes)
            text += self._removals({cause.requirement.name for cause in causes})
            raise ResolutionImpossibleError(
                f"no set of versions satisfies the requirements on {request.target.describe()}:\n{text}",
                fix=fix,
            ) from None
        except ResolutionTooDeep:
            raise ResolutionImpossibleError(
                f"gave up after {rounds} resolution rounds without a solution",
                fix="narrow the requirements (e.g. raise lower bounds) so fewer versions need trying",
            ) from None
        self.provider.check_no_fallback(
            {candidate.name: candidate.version for candidate in result.mapping.values()}
        )
        return replace(build_stack(result, self.roots, self._indexes), groups=request.groups)

    def _removals(self, names: set[NormalizedName]) -> str:
        """What the pipeline's units removed of the packages in a conflict, newest first."""
        if self.runner is None:
            return ""
        lines = []
        for name in sorted(names):
            removed = self.runner.removed.get(name, {})
            for version in sorted(removed, reverse=True)[:5]:
                lines.append(f"  {name} {version}: {removed[version]}")
        return ("\n" + "\n".join(lines)) if lines else ""


def resolve(
    request: ResolveRequest,
    source: PackageSource,
    reporter: BaseReporter[Requirement, Candidate, str] | None = None,
    *,
    on_build: Callable[[Candidate], None] | None = None,
) -> Resolution:
    """Resolve the request without a pipeline; raise a ThothError that explains any failure."""
    session = ResolveSession(request, source, reporter, on_build=on_build)
    return Resolution(stack=session.resolve(), skipped_by_marker=tuple(session.skipped))


def build_stack(
    result: Result[Requirement, Candidate, str],
    roots: list[tuple[Requirement, ProjectRequirement]],
    indexes: Mapping[str, IndexSpec],
) -> Stack:
    """Fold extras slots into their packages and compute edges, groups and directness."""
    base: dict[NormalizedName, Candidate] = {}
    extras: dict[NormalizedName, set[str]] = {}
    pinned_as: dict[NormalizedName, NormalizedName] = {}
    """Slot name -> the package filling it (a pseudonym's alternative fills another's slot)."""
    skipped: dict[NormalizedName, str] = {}
    for candidate in result.mapping.values():
        if candidate.skipped is not None:
            skipped[candidate.slot_name] = candidate.skipped
            continue
        pinned_as[candidate.slot_name] = candidate.name
        if candidate.extras:
            extras.setdefault(candidate.name, set()).update(candidate.extras)
        else:
            base[candidate.name] = candidate
    display: dict[NormalizedName, str] = {}
    skipped_by: set[NormalizedName] = set()
    edges: set[Edge] = set()
    # Group membership follows resolver slots (name plus extras), not bare names: what an
    # extra requested only by the dev group pulls in must not count as a default dependency.
    slot_children: dict[str | None, set[str]] = {}
    slot_name: dict[str, NormalizedName] = {}
    for criterion in result.criteria.values():
        for info in criterion.information:
            requirement = info.requirement
            child = pinned_as.get(requirement.name, requirement.name)
            slot_name[requirement.identifier] = child
            parent_slot = info.parent.identifier if info.parent is not None else None
            slot_children.setdefault(parent_slot, set()).add(requirement.identifier)
            parent = info.parent.name if info.parent is not None else None
            if requirement.name in skipped:
                if parent is not None:
                    skipped_by.add(parent)
                continue
            if child == requirement.name:
                display.setdefault(requirement.name, requirement.display_name)
            if parent == child:
                continue
            edges.add(Edge(parent, child, requirement_text(requirement)))
    for root, _ in roots:
        if pinned_as.get(root.name, root.name) == root.name:
            display[root.name] = root.display_name
    group_roots: dict[Group, set[str]] = {}
    for root, req in roots:
        group_roots.setdefault(req.group, set()).add(root.identifier)
    membership: dict[NormalizedName, set[Group]] = {}
    for group, slots in group_roots.items():
        for slot in _reachable(slots, slot_children):
            membership.setdefault(slot_name[slot], set()).add(group)
    direct = {pinned_as.get(root.name, root.name) for root, _ in roots}
    packages = tuple(
        PinnedPackage(
            name=name,
            display_name=display.get(name, candidate.display_name),
            version=candidate.version,
            index=indexes.get(candidate.index) or IndexSpec.named_by_url(candidate.index),
            files=candidate.files,
            extras=frozenset(extras.get(name, ())),
            groups=frozenset(membership.get(name, ())),
            direct=name in direct,
            yanked_reason=(candidate.yanked_reason or "yanked") if candidate.yanked else None,
        )
        for name, candidate in sorted(base.items())
    )
    ordered_edges = tuple(sorted(edges, key=lambda e: (e.parent or "", e.child, e.requirement)))
    return Stack(
        packages=packages,
        edges=ordered_edges,
        skipped_dependencies=tuple(sorted(skipped_by)),
        skipped=tuple(sorted(skipped.items())),
    )


def _reachable(start: Iterable[str], children: dict[str | None, set[str]]) -> set[str]:
    seen: set[str] = set()
    queue = deque(start)
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        queue.extend(children.get(name, ()))
    return seen
