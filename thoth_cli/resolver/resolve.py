"""Resolving a project for a target: from direct requirements to a `Stack`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

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


def resolve(
    request: ResolveRequest,
    source: PackageSource,
    reporter: BaseReporter[Requirement, Candidate, str] | None = None,
    *,
    on_build: Callable[[Candidate], None] | None = None,
) -> Resolution:
    """Resolve the request; raise a ThothError that explains any failure."""
    roots, skipped = root_requirements(request)
    constraints: dict[NormalizedName, list[Requirement]] = {}
    for constraint in request.project.constraints:
        if request.target.evaluate(constraint.marker, frozenset()):
            constraints.setdefault(constraint.name, []).append(_as_resolver_requirement(constraint))
    pins = index_pins(roots, request.project.manifest)
    finder = CandidateFinder(source, request.target, request.policy)
    provider = Provider(
        finder,
        source,
        constraints=constraints,
        index_pins=pins,
        allow_build=request.policy.allow_build,
        build_index_url=request.indexes[0].url if request.indexes else None,
        on_build=on_build,
    )
    resolver_roots = [r for r, _ in roots]
    provider.record_roots(resolver_roots)
    provider.prefetch_roots(resolver_roots)
    resolver: Resolver[Requirement, Candidate, str] = Resolver(provider, reporter or BaseReporter())
    try:
        result = resolver.resolve(resolver_roots, max_rounds=request.policy.max_rounds)
    except ResolutionImpossible as exc:
        provider.check_build_was_the_obstacle()
        causes = [Cause(info.requirement, info.parent) for info in exc.causes]
        explainer = Explainer(finder, provider.introduced, request.policy.prerelease)
        text, fix = explainer.explain(causes)
        raise ResolutionImpossibleError(
            f"no set of versions satisfies the requirements on {request.target.describe()}:\n{text}",
            fix=fix,
        ) from None
    except ResolutionTooDeep:
        raise ResolutionImpossibleError(
            f"gave up after {request.policy.max_rounds} resolution rounds without a solution",
            fix="narrow the requirements (e.g. raise lower bounds) so fewer versions need trying",
        ) from None
    provider.check_no_fallback({candidate.name: candidate.version for candidate in result.mapping.values()})
    stack = replace(
        build_stack(result, roots, {spec.name: spec for spec in request.indexes}), groups=request.groups
    )
    return Resolution(stack=stack, skipped_by_marker=tuple(skipped))


def build_stack(
    result: Result[Requirement, Candidate, str],
    roots: list[tuple[Requirement, ProjectRequirement]],
    indexes: Mapping[str, IndexSpec],
) -> Stack:
    """Fold extras slots into their packages and compute edges, groups and directness."""
    base: dict[NormalizedName, Candidate] = {}
    extras: dict[NormalizedName, set[str]] = {}
    for candidate in result.mapping.values():
        if candidate.extras:
            extras.setdefault(candidate.name, set()).update(candidate.extras)
        else:
            base[candidate.name] = candidate
    display: dict[NormalizedName, str] = {}
    edges: set[Edge] = set()
    # Group membership follows resolver slots (name plus extras), not bare names: what an
    # extra requested only by the dev group pulls in must not count as a default dependency.
    slot_children: dict[str | None, set[str]] = {}
    slot_name: dict[str, NormalizedName] = {}
    for criterion in result.criteria.values():
        for info in criterion.information:
            requirement = info.requirement
            slot_name[requirement.identifier] = requirement.name
            parent_slot = info.parent.identifier if info.parent is not None else None
            slot_children.setdefault(parent_slot, set()).add(requirement.identifier)
            display.setdefault(requirement.name, requirement.display_name)
            parent = info.parent.name if info.parent is not None else None
            if parent == requirement.name:
                continue
            edges.add(Edge(parent, requirement.name, requirement_text(requirement)))
    for root, _ in roots:
        display[root.name] = root.display_name
    group_roots: dict[Group, set[str]] = {}
    for root, req in roots:
        group_roots.setdefault(req.group, set()).add(root.identifier)
    membership: dict[NormalizedName, set[Group]] = {}
    for group, slots in group_roots.items():
        for slot in _reachable(slots, slot_children):
            membership.setdefault(slot_name[slot], set()).add(group)
    direct = {root.name for root, _ in roots}
    packages = tuple(
        PinnedPackage(
            name=name,
            display_name=display.get(name, name),
            version=candidate.version,
            index=indexes[candidate.index],
            files=candidate.files,
            extras=frozenset(extras.get(name, ())),
            groups=frozenset(membership.get(name, ())),
            direct=name in direct,
            yanked_reason=(candidate.yanked_reason or "yanked") if candidate.yanked else None,
        )
        for name, candidate in sorted(base.items())
    )
    ordered_edges = tuple(sorted(edges, key=lambda e: (e.parent or "", e.child, e.requirement)))
    return Stack(packages=packages, edges=ordered_edges)


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
