"""The main job: from a project and a target to a resolved stack and its lock file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter

from thoth_cli.discovery.model import RuntimeEnvironment
from thoth_cli.errors import InputError, UsageError
from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient, IndexStrategy
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import CoreMetadata, DistributionFile, IndexSpec, ProjectPage
from thoth_cli.index.sources import index_specs
from thoth_cli.knowledge.advisories import AdvisorySource, NoAdvisories
from thoth_cli.knowledge.sources import AdvisoryOptions, RunAdvisories, open_advisories
from thoth_cli.lock.atomic import write_atomic
from thoth_cli.lock.formats import LockFormat, lock_path_for, read_lock, render_lock
from thoth_cli.lock.model import LockFile
from thoth_cli.pipeline.builder import build_pipeline, check_blocked
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.model import Pipeline, PipelineUnits
from thoth_cli.pipeline.registry import available_units
from thoth_cli.pipeline.search import DEFAULT_LIMIT, SearchResult, search
from thoth_cli.project.model import Group, Project
from thoth_cli.resolver.candidate import Candidate, Requirement
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.resolver.resolve import Resolution, ResolveRequest, ResolveSession
from thoth_cli.resolver.source import PackageSource
from thoth_cli.stack import Justification, JustificationType, Stack
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage


@dataclass(frozen=True)
class IndexOptions:
    """Where packages come from and how the index is reached."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    strategy: IndexStrategy = IndexStrategy.FIRST_INDEX
    cache_dir: Path | None = None
    http: HttpSettings = field(default_factory=HttpSettings)


@dataclass(frozen=True)
class Recommendation:
    """What the pipeline is asked for: the type, how many stacks within how many resolves, and
    what it may know (the machine, the code's library usage, advisories, labels).

    `pipeline` given explicitly bypasses the builder; `blocked` units never run. `now` is
    when release ages are measured from (default: the `--exclude-newer` cut-off, else now).
    `machine` is what units may know of the machine (CUDA, CPU flags, GPUs, system packages),
    or a function that discovers it: it runs only if a unit asks. `usage` may be a function
    that scans the sources, likewise.
    `advisories` is a source, or `AdvisoryOptions` saying where to get them: the OSV API is
    then asked through the run's own HTTP client and cache, and when it cannot be reached
    the run goes on without advisories and says so (`Advice.warnings`), except for the
    security type, which fails (exit 3).
    """

    type: RecommendationType = RecommendationType.LATEST
    count: int = 1
    limit: int = DEFAULT_LIMIT
    pipeline: Pipeline | None = None
    blocked: frozenset[str] = frozenset()
    machine: RuntimeEnvironment | Callable[[], RuntimeEnvironment | None] | None = None
    usage: LibraryUsage | Callable[[], LibraryUsage | None] | None = None
    advisories: AdvisorySource | AdvisoryOptions = field(default_factory=NoAdvisories)
    labels: Mapping[str, str] = field(default_factory=dict)
    now: datetime | None = None
    prescriptions: tuple[Path, ...] = ()
    """Folders (or files) of the user's prescriptions, read after the bundled ones; a later one's
    unit replaces an earlier unit of its name."""


@dataclass(frozen=True)
class AdviseRequest:
    """Everything `thoth advise` was asked to do.

    `environment` is what the lock records about the machine beside its target (CUDA,
    driver, CPU flags: a `.thoth.yaml` entry's other fields), for pylock's
    `[tool.thoth.target.environment]`. `installed` are the packages the machine already
    has (a base image's): each is kept at its version where the requirements allow,
    after the existing lock's pins.
    """

    project: Project
    target: Target
    groups: frozenset[Group]
    policy: ResolutionPolicy
    index: IndexOptions
    lock_format: LockFormat
    output: Path
    dry_run: bool = False
    environment: Mapping[str, object] | None = None
    installed: Mapping[NormalizedName, Version] = field(default_factory=dict)
    recommendation: Recommendation = field(default_factory=Recommendation)


@dataclass(frozen=True)
class InstalledOutcome:
    """What became of the packages the machine already had: kept, changed (old, new), or not needed."""

    kept: tuple[tuple[str, Version], ...] = ()
    changed: tuple[tuple[str, Version, Version], ...] = ()
    not_needed: tuple[tuple[str, Version], ...] = ()


@dataclass(frozen=True)
class Advice:
    """The outcome: the resolution, the lock text, the lock it replaces (if any), and what became of
    the installed packages (None when there were none)."""

    request: AdviseRequest
    resolution: Resolution
    indexes: tuple[IndexSpec, ...]
    lock_text: str
    previous: LockFile | None
    written: Path | None
    installed: InstalledOutcome | None = None
    search: SearchResult | None = None
    units: PipelineUnits | None = None
    """The units that ran, in pipeline order."""
    warnings: tuple[str, ...] = ()
    """What the run went on without (advisories the OSV API could not give)."""
    notes: tuple[str, ...] = ()
    """What the run's sources skipped (advisory records' versions that are not PEP 440)."""


@dataclass(frozen=True)
class RecordedTarget:
    """A target as a lock records it: whether its X.Y.Z was asked for, and the environment facts
    beside it (none: no `environment` table); the lock writers read it as a target."""

    target: Target
    environment: Mapping[str, object] = field(default_factory=dict)
    python_version_exact: bool = False
    recommendation_type: str = "latest"
    """What the stack was chosen for: a lock made for `stable` says so, and how to make it again."""

    @property
    def python_full_version(self) -> str:
        return self.target.python_full_version

    def marker_environment(self) -> dict[str, str]:
        return self.target.marker_environment()

    def describe(self) -> str:
        return self.target.describe()

    def as_dict(self) -> dict[str, object]:
        recorded = self.target.as_dict()
        return {**recorded, "environment": dict(self.environment)} if self.environment else recorded


def indexes_for(project: Project, options: IndexOptions) -> tuple[IndexSpec, ...]:
    return index_specs(
        project.sources, index_url=options.index_url, extra_index_urls=options.extra_index_urls
    )


def output_path(project: Project, lock_format: LockFormat, output: Path | None) -> Path:
    """Where the lock goes: `output`, or next to the manifest - never over a manifest.

    Refused: the manifest itself, a file the manifest includes (`-r`, `-c`), and any file
    named as a manifest is (Pipfile, pyproject.toml, `*.in`), which thoth would read as one.
    """
    path = output if output is not None else lock_path_for(project.manifest, lock_format)
    resolved = path.resolve()
    if resolved == project.manifest.resolve():
        raise UsageError(
            f"the lock would overwrite the manifest {project.manifest}",
            fix="pass --output PATH or --lock-format with another format",
        )
    for included in _included_files(project):
        if resolved == included.resolve():
            raise UsageError(
                f"the lock would overwrite {included}, which the manifest {project.manifest} includes",
                fix="pass --output PATH with another file name",
            )
    if _is_manifest_name(path):
        raise UsageError(
            f"the lock would be written to {path}, a manifest's file name",
            fix="pass --output PATH with a lock's file name (not Pipfile, pyproject.toml or *.in)",
        )
    return path


def _included_files(project: Project) -> tuple[Path, ...]:
    """The files the manifest reads besides itself: where its requirements and constraints were written."""
    requirements = (*project.requirements, *project.constraints)
    paths = {req.origin.path for req in requirements if req.origin is not None}
    return tuple(sorted(path for path in paths if path != project.manifest))


def _is_manifest_name(path: Path) -> bool:
    name = path.name
    return name in ("Pipfile", "pyproject.toml") or name.endswith(".Pipfile") or path.suffix == ".in"


@contextmanager
def open_http(indexes: Sequence[IndexSpec], options: IndexOptions) -> Iterator[HttpClient]:
    """The run's HTTP client and cache, shared by the index client and the OSV API."""
    cache = Cache(options.cache_dir or Cache.default_root())
    insecure = frozenset(_host(spec.url) for spec in indexes if not spec.verify_ssl)
    settings = replace(options.http, insecure_hosts=options.http.insecure_hosts | insecure)
    with HttpClient(settings, cache) as http:
        yield http


@contextmanager
def open_index(
    indexes: Sequence[IndexSpec], http: HttpClient, options: IndexOptions
) -> Iterator[IndexClient]:
    """An index client on the run's HTTP client, closed (pending fetches cancelled) on the way out."""
    client = IndexClient(indexes, http, strategy=options.strategy)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def open_source(indexes: Sequence[IndexSpec], options: IndexOptions) -> Iterator[PackageSource]:
    """An index client for the run, on its own HTTP client, closed on the way out."""
    with open_http(indexes, options) as http, open_index(indexes, http, options) as client:
        yield client


class AnnouncingSource:
    """A PackageSource that tells `announce` each name the resolver looks up or fetches ahead, so
    that the OSV API learns, in one query, about the packages the units are about to ask about."""

    def __init__(self, source: PackageSource, announce: Callable[[Iterable[str]], None]) -> None:
        self.source = source
        self.announce = announce

    def project(self, name: str, *, index: str | None = None) -> ProjectPage:
        self.announce((name,))
        return self.source.project(name, index=index)

    def metadata(self, file: DistributionFile) -> CoreMetadata:
        return self.source.metadata(file)

    def download(self, file: DistributionFile) -> bytes:
        return self.source.download(file)

    def prefetch(self, names: Iterable[str], *, index: str | None = None) -> None:
        names = list(names)
        self.announce(names)
        self.source.prefetch(names, index=index)

    def prefetch_metadata(self, files: Iterable[DistributionFile]) -> None:
        self.source.prefetch_metadata(files)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def previous_lock(path: Path) -> LockFile | None:
    """The existing lock at `path`, if there is one to keep pins from."""
    if not path.is_file():
        return None
    return read_lock(path)


def _readable_previous_lock(path: Path, *, upgrade: bool) -> LockFile | None:
    """The existing lock; with --upgrade an unreadable one is simply replaced (no pin is kept)."""
    try:
        return previous_lock(path)
    except InputError as exc:
        if upgrade:
            return None
        raise InputError(
            f"the existing lock cannot be read to keep its pins: {exc.problem}",
            location=exc.location,
            text=exc.text,
            fix="repair or delete it, or pass --upgrade to lock from scratch "
            "(the old lock is replaced only when the new one is complete)",
        ) from None


def preferences(
    policy: ResolutionPolicy, previous: LockFile | None, installed: Mapping[NormalizedName, Version]
) -> ResolutionPolicy:
    """The policy with the versions to try first: the existing lock's pins, then the installed packages.

    `--upgrade` releases the lock's pins, not what the machine has installed: keeping
    those is why they were given.
    """
    if policy.preferred:
        pins = dict(policy.preferred)
    elif previous is not None and not policy.upgrade:
        pins = {p.name: p.version for p in previous.packages if p.version is not None}
    else:
        pins = {}
    if not installed:
        return replace(policy, preferred=pins) if pins else policy
    return replace(policy, preferred={**installed, **pins}, upgrade=False)


def installed_outcome(installed: Mapping[NormalizedName, Version], stack: Stack) -> InstalledOutcome:
    """Which installed packages the stack keeps, which it changes, and which it does not need."""
    kept: list[tuple[str, Version]] = []
    changed: list[tuple[str, Version, Version]] = []
    not_needed: list[tuple[str, Version]] = []
    pinned = {package.name: package for package in stack.packages}
    for name, version in sorted(installed.items()):
        package = pinned.get(name)
        if package is None:
            not_needed.append((name, version))
        elif package.version == version:
            kept.append((package.display_name, version))
        else:
            changed.append((package.display_name, version, package.version))
    return InstalledOutcome(tuple(kept), tuple(changed), tuple(not_needed))


def advise(
    request: AdviseRequest,
    *,
    on_build: Callable[[Candidate], None] | None = None,
    reporter: BaseReporter[Requirement, Candidate, str] | None = None,
) -> Advice:
    """Resolve and render the lock; write it atomically unless this is a dry run."""
    indexes = indexes_for(request.project, request.index)
    previous = _readable_previous_lock(request.output, upgrade=request.policy.upgrade)
    policy = preferences(request.policy, previous, request.installed)
    resolve_request = ResolveRequest(
        project=request.project,
        target=request.target,
        indexes=indexes,
        groups=request.groups,
        policy=policy,
    )
    wanted = request.recommendation
    with open_http(indexes, request.index) as http:
        advisories = _advisories(wanted, http)
        context = BuilderContext(
            project=request.project,
            target=request.target,
            recommendation_type=wanted.type,
            groups=request.groups,
            policy=policy,
            environment=wanted.machine,
            usage=wanted.usage,
            labels=wanted.labels,
            advisories=advisories.source,
            now=wanted.now or policy.exclude_newer or datetime.now(timezone.utc),
        )
        units = choose_pipeline(context, wanted).instantiate()
        advisories.expect(req.name for req in context.requirements())
        with open_index(indexes, http, request.index) as client:
            source = AnnouncingSource(client, advisories.expect) if advisories.osv is not None else client
            session = ResolveSession(
                resolve_request, source, reporter, on_build=on_build, pipeline=units, context=context
            )
            assert session.runner is not None
            found = search(session, session.runner, count=wanted.count, limit=wanted.limit)
        # A later resolve's failure is set aside by the search: a run that needs advisories fails here.
        advisories.check()
    found = replace(
        found,
        stacks=tuple(
            replace(kept, stack=explain_removals(kept.stack, session.runner.removed)) for kept in found.stacks
        ),
    )
    resolution = Resolution(stack=found.stacks[0].stack, skipped_by_marker=tuple(session.skipped))
    target = RecordedTarget(
        request.target,
        request.environment or {},
        python_version_exact=request.target.python_version_exact,
        recommendation_type=wanted.type.value,
    )
    text = render_lock(request.lock_format, request.project, resolution.stack, target, indexes)
    written = None
    if not request.dry_run:
        write_atomic(request.output, text)
        written = request.output
    outcome = installed_outcome(request.installed, resolution.stack) if request.installed else None
    return Advice(
        request,
        resolution,
        indexes,
        text,
        previous,
        written,
        outcome,
        found,
        units,
        warnings=advisories.warnings,
        notes=advisories.notes,
    )


def _advisories(wanted: Recommendation, http: HttpClient) -> RunAdvisories:
    if not isinstance(wanted.advisories, AdvisoryOptions):
        return RunAdvisories(wanted.advisories)
    # Security removes known-vulnerable releases: without advisories its answer would be a lie.
    required = "the security recommendation type" if wanted.type is RecommendationType.SECURITY else None
    return open_advisories(wanted.advisories, http, required=required)


EXPLAINED_REMOVALS = 3
"""How many newer releases a package's justifications name as removed; the rest are counted."""


def explain_removals(stack: Stack, removed: Mapping[NormalizedName, Mapping[Version, str]]) -> Stack:
    """The stack with, for each pin whose newer releases units removed, why it is not one of those.

    Without it, a pin older than the newest release would go unexplained in the lock and the
    report: the units' reasons (a vulnerability, a sieve's issue) say why the choice is this
    one. Filed with the stack's reasons, each naming its package and version, as the stack
    rules file what they say about one pin.
    """
    explained: list[Justification] = []
    for package in stack.packages:
        reasons = removed.get(package.name, {})
        newer = sorted((version for version in reasons if version > package.version), reverse=True)
        about = {"package": package.display_name, "version": str(package.version)}
        explained.extend(
            Justification(JustificationType.INFO, f"chosen over {version}, {reasons[version]}", **about)
            for version in newer[:EXPLAINED_REMOVALS]
        )
        if len(newer) > EXPLAINED_REMOVALS:
            more = len(newer) - EXPLAINED_REMOVALS
            message = f"chosen over {more} more newer release{'s' if more != 1 else ''} that units removed"
            explained.append(Justification(JustificationType.INFO, message, **about))
    if not explained:
        return stack
    return replace(stack, justifications=(*stack.justifications, *explained))


def choose_pipeline(context: BuilderContext, wanted: Recommendation) -> Pipeline:
    """The explicit pipeline, or the one the units choose for this context; less the blocked units."""
    available = available_units(prescriptions=wanted.prescriptions)
    if wanted.pipeline is not None:
        # An explicit pipeline may hold units no registry knows (a notebook's own classes).
        named = {cls.name: cls for cls, _ in wanted.pipeline.all()}
        return wanted.pipeline.without(check_blocked(wanted.blocked, {**available, **named}))
    blocked = check_blocked(wanted.blocked, available)
    return build_pipeline(context, available.values(), blocked=blocked)
