"""Whether a lock holds: current with its manifest, fit for a target, no yanked or vulnerable pin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, NormalizedName, parse_wheel_filename
from packaging.version import Version

from thoth_cli.errors import ExternalError, InputError, Location
from thoth_cli.index.client import IndexClient
from thoth_cli.index.errors import PackageNotFoundError
from thoth_cli.index.model import PYPI_SIMPLE, DistributionFile, IndexSpec, redact
from thoth_cli.index.sources import index_specs
from thoth_cli.knowledge.advisories import AdvisorySource
from thoth_cli.knowledge.sources import AdvisoriesUnavailableError
from thoth_cli.lock.model import LockedPackage, LockFile, LockFormat
from thoth_cli.lock.pipfile_lock import pipfile_data, pipfile_hash
from thoth_cli.lock.pylock import manifest_sha256
from thoth_cli.project.model import MAIN, GroupKind, Project, Source
from thoth_cli.target import Target

SCHEMA = "thoth.check/1"

RELOCK = "lock it again with thoth advise"


class CheckName(str, Enum):
    """The questions `thoth check` asks of a lock, in the order it asks them."""

    CURRENT = "current"
    """Does the lock still answer the manifest?"""
    ENVIRONMENT = "environment"
    """Does it install on the target: requires-python, markers, a file whose tags fit?"""
    YANKED = "yanked"
    """Is every pin still on its index, and not yanked?"""
    VULNERABILITIES = "vulnerabilities"
    """Is any pin known to be vulnerable?"""


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    """The question could not be answered (no manifest, no advisories): not a failure."""
    SKIPPED = "skipped"
    """The user asked not to ask it."""


@dataclass(frozen=True)
class Problem:
    """One reason the lock does not hold, about one pin when `package` is set."""

    check: CheckName
    message: str
    package: NormalizedName | None = None
    version: Version | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The answer to one question: its status, one line saying what was found, and the problems."""

    check: CheckName
    status: Status
    summary: str
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    """Everything `thoth check` found about one lock, for one target."""

    lock: LockFile
    manifest: Path | None
    target: Target
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for outcome in self.outcomes for problem in outcome.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ReleaseFiles:
    """The files of one pinned release as its index lists them now, narrowed to those the lock names."""

    package: LockedPackage
    files: tuple[DistributionFile, ...]


# The manifest ----------------------------------------------------------------------------


def manifest_for_lock(lock: LockFile) -> Path | None:
    """The manifest a lock was most likely made from, in the lock's folder; None when there is none.

    Pipenv names its lock after the Pipfile; thoth's requirements locks are `<stem>.lock.txt`
    beside `<stem>.txt`, and pip-compile's `<stem>.txt` beside `<stem>.in`. A lock is never
    its own manifest.
    """
    folder = lock.path.parent
    name = lock.path.name
    candidates: list[str] = []
    if lock.format is LockFormat.PIPFILE_LOCK:
        candidates.append(name[: -len(".lock")] if name.endswith(".lock") else "Pipfile")
    elif lock.format is LockFormat.PYLOCK:
        candidates.append("pyproject.toml")
    else:
        if name.endswith(".lock.txt"):
            candidates.append(name[: -len(".lock.txt")] + ".txt")
        candidates.append(Path(name).stem + ".in")
    for candidate in candidates:
        path = folder / candidate
        if path.is_file() and path != lock.path:
            return path
    from thoth_cli.errors import ManifestNotFoundError
    from thoth_cli.project.load import find_manifest

    try:
        found = find_manifest(folder).path
    except ManifestNotFoundError:
        return None
    return None if found.resolve() == lock.path.resolve() else found


# Is the lock current? --------------------------------------------------------------------


def check_current(lock: LockFile, manifest: Path | None, project: Project | None, target: Target) -> Outcome:
    """Whether the lock answers the manifest: by the hash it records when it has one (pylock's
    `[tool.thoth] manifest-sha256`, Pipenv's `_meta.hash`), otherwise by comparing the manifest's
    requirements with the pins."""
    if manifest is None:
        return Outcome(
            CheckName.CURRENT,
            Status.UNKNOWN,
            "cannot tell: no manifest next to the lock (name it with --manifest)",
        )
    compared = compare_requirements(lock, project, manifest, target) if project is not None else ()
    recorded, actual, what = _hashes(lock, manifest)
    if recorded is not None:
        if recorded == actual:
            return Outcome(
                CheckName.CURRENT,
                Status.PASS,
                f"{manifest.name} is unchanged since the lock was written ({what})",
            )
        changed = Problem(
            CheckName.CURRENT,
            f"{manifest.name} changed since the lock was written: its {what} is {actual}, "
            f"the lock records {recorded}",
            fix=RELOCK,
        )
        return Outcome(
            CheckName.CURRENT,
            Status.FAIL,
            f"{manifest.name} changed since the lock was written",
            (changed, *compared),
        )
    if project is None:
        return Outcome(CheckName.CURRENT, Status.UNKNOWN, f"cannot tell: {manifest.name} could not be read")
    if compared:
        count = len(compared)
        return Outcome(
            CheckName.CURRENT,
            Status.FAIL,
            f"{count} {'difference' if count == 1 else 'differences'} between {manifest.name} and the pins",
            compared,
        )
    return Outcome(
        CheckName.CURRENT,
        Status.PASS,
        f"every requirement of {manifest.name} is pinned to a version it allows "
        "(the lock records no manifest hash)",
    )


def _hashes(lock: LockFile, manifest: Path) -> tuple[str | None, str | None, str]:
    """The hash the lock records, the manifest's hash as it is now, and what the hash is called."""
    if lock.format is LockFormat.PYLOCK and lock.manifest_sha256 is not None:
        return lock.manifest_sha256, manifest_sha256(manifest), "sha256"
    if lock.format is LockFormat.PIPFILE_LOCK and lock.pipfile_hash is not None and _is_pipfile(manifest):
        return lock.pipfile_hash, pipfile_hash(pipfile_data(manifest), path=manifest), "Pipenv hash"
    return None, None, ""


def _is_pipfile(path: Path) -> bool:
    return path.name == "Pipfile" or path.name.endswith(".Pipfile")


def compare_requirements(
    lock: LockFile, project: Project, manifest: Path, target: Target
) -> tuple[Problem, ...]:
    """What the pins no longer answer: a requirement of a locked group that holds on the target with
    no pin or a pin it excludes, and a pin the lock calls direct that the manifest no longer names."""
    locked_groups = {group for package in lock.packages for group in package.groups} or {MAIN}
    problems: list[Problem] = []
    for requirement in project.requirements:
        if requirement.group not in locked_groups:
            continue
        extras = (
            frozenset({requirement.group.name}) if requirement.group.kind is GroupKind.EXTRA else frozenset()
        )
        if not target.evaluate(requirement.marker, extras):
            continue
        pinned = lock.get(requirement.name)
        where = _where(requirement.origin, manifest)
        if pinned is None:
            problems.append(
                Problem(
                    CheckName.CURRENT,
                    f"{where} asks for {requirement}, which the lock does not pin",
                    package=requirement.name,
                    fix=RELOCK,
                )
            )
        elif pinned.version is not None and not requirement.specifier.contains(
            pinned.version, prereleases=True
        ):
            problems.append(
                Problem(
                    CheckName.CURRENT,
                    f"{where} asks for {requirement}, and the lock pins {pinned.version}",
                    package=requirement.name,
                    version=pinned.version,
                    fix=RELOCK,
                )
            )
    named = {requirement.name for requirement in project.requirements}
    for package in lock.packages:
        if package.direct and package.name not in named:
            problems.append(
                Problem(
                    CheckName.CURRENT,
                    f"the lock pins {package.name} as a direct requirement, "
                    f"and {manifest.name} no longer names it",
                    package=package.name,
                    version=package.version,
                    fix=RELOCK,
                )
            )
    return tuple(problems)


def _where(origin: Location | None, manifest: Path) -> str:
    if origin is None:
        return manifest.name
    return str(Location(Path(manifest.name), line=origin.line, key=origin.key))


# Does the lock fit the target? -----------------------------------------------------------


def applies(lock: LockFile, package: LockedPackage, target: Target) -> bool:
    """Whether the pin is installed on the target, by its marker (for some group of a pylock)."""
    if package.marker is None:
        return True
    try:
        marker = Marker(package.marker)
    except InvalidMarker as exc:
        raise InputError(
            f"the marker of {package.name} cannot be read ({exc})",
            location=Location(lock.path, key=package.name),
            text=package.marker,
            fix=RELOCK,
        ) from None
    if lock.format is not LockFormat.PYLOCK:
        return target.evaluate(marker)
    # PEP 751 markers may ask which groups and extras are installed: any that the lock has.
    groups = {group for p in lock.packages for group in p.groups}
    environment: dict[str, Any] = dict(target.marker_environment())
    environment["dependency_groups"] = frozenset(
        {"default"} | {g.name for g in groups if g.kind is GroupKind.GROUP}
    )
    environment["extras"] = frozenset(g.name for g in groups if g.kind is GroupKind.EXTRA)
    return marker.evaluate(environment, context="lock_file")


def check_environment(
    lock: LockFile, target: Target, releases: Mapping[NormalizedName, ReleaseFiles] | None = None
) -> Outcome:
    """Whether the lock installs on the target: its requires-python, and for each pin whose marker holds,
    a file the target can use (a wheel whose tags fit, or an sdist) that admits the target's Python.

    The files are those the lock names (pylock.toml), else those of `releases` (the index's files
    matched by the lock's hashes); a pin with neither cannot be judged and is counted as such.
    """
    python = Version(target.python_full_version)
    problems: list[Problem] = []
    if lock.requires_python:
        try:
            admitted = SpecifierSet(lock.requires_python).contains(python, prereleases=True)
        except InvalidSpecifier:
            admitted = True
        if not admitted:
            problems.append(
                Problem(
                    CheckName.ENVIRONMENT,
                    f"the lock requires Python {lock.requires_python}, and the target is {target.describe()}",
                    fix="check with the Python the lock is for (--python-version), or " + RELOCK,
                )
            )
    applicable = 0
    elsewhere: list[NormalizedName] = []
    unjudged: list[NormalizedName] = []
    for package in lock.packages:
        if not applies(lock, package, target):
            elsewhere.append(package.name)
            continue
        applicable += 1
        if package.version is None:
            unjudged.append(package.name)
            continue
        found = _file_problem(package, target, python, releases)
        if found is None:
            unjudged.append(package.name)
        elif found:
            problems.append(
                Problem(
                    CheckName.ENVIRONMENT, found, package=package.name, version=package.version, fix=RELOCK
                )
            )
    summary = f"{applicable} {'pin' if applicable == 1 else 'pins'} for {target.describe()}"
    if elsewhere:
        summary += f", {len(elsewhere)} for other environments"
    if unjudged:
        summary += f"; files of {', '.join(unjudged)} unknown"
    status = Status.FAIL if problems else Status.PASS
    return Outcome(CheckName.ENVIRONMENT, status, summary, tuple(problems))


def _file_problem(
    package: LockedPackage,
    target: Target,
    python: Version,
    releases: Mapping[NormalizedName, ReleaseFiles] | None,
) -> str | None:
    """Why no file of the pin installs on the target; "" when one does; None when its files are unknown."""
    listed = releases.get(package.name) if releases is not None else None
    index_files = listed.files if listed is not None else ()
    names = [file.filename for file in package.files] or [file.filename for file in index_files]
    if not names:
        return None
    requires_python = {
        file.filename: specifier
        for file in index_files
        if (specifier := file.requires_python_specifier) is not None
    }
    fitting = [name for name in names if _fits(name, target)]
    label = f"{package.name} {package.version}"
    if not fitting:
        wheels = ", ".join(sorted(names))
        return f"{label}: no file installs on {target.describe()} (the lock has {wheels})"
    usable = [
        name
        for name in fitting
        if name not in requires_python or requires_python[name].contains(python, prereleases=True)
    ]
    if not usable:
        needs = sorted({str(requires_python[name]) for name in fitting})
        return (
            f"{label}: requires Python {' or '.join(needs)}, and the target has {target.python_full_version}"
        )
    return ""


def _fits(filename: str, target: Target) -> bool:
    """A wheel fits when one of its tags is the target's; an sdist builds anywhere, so it fits."""
    if not filename.endswith(".whl"):
        return True
    try:
        tags: frozenset[Tag] = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return False
    return target.best_rank(tags) is not None


# Is every pin still on its index, and not yanked? ----------------------------------------


def lock_indexes(
    lock: LockFile, *, index_url: str | None = None, sources: Sequence[Source] = ()
) -> tuple[tuple[IndexSpec, ...], dict[str, str]]:
    """The indexes to ask about the lock's pins, and each recorded index URL's index name.

    Locks keep URLs without credentials: a manifest source whose URL is the same once its
    credentials are hidden lends its own (or its `${VAR}` references). `index_url` replaces
    the lock's first index, as it replaces a manifest's.
    """
    recorded = list(dict.fromkeys([*lock.index_urls, *(p.index_url for p in lock.packages if p.index_url)]))
    if not recorded:
        recorded = [PYPI_SIMPLE]
    by_display = {_same(redact(source.url)): source.url for source in sources}
    named = [
        Source(name=f"index-{position}", url=by_display.get(_same(redact(url)), url))
        for position, url in enumerate(recorded, start=1)
    ]
    specs = index_specs(named, index_url=index_url)
    names = {url: f"index-{position}" for position, url in enumerate(recorded, start=1)}
    return specs, names


def _same(url: str) -> str:
    return url.rstrip("/")


def fetch_releases(
    lock: LockFile, client: IndexClient, index_names: Mapping[str, str]
) -> tuple[dict[NormalizedName, ReleaseFiles], tuple[Problem, ...]]:
    """Each pin's release as its index lists it now, and the pins that are no longer there.

    An index that cannot be reached is an ExternalError (exit 3): a check that did not look
    must not pass.
    """
    pinned = [p for p in lock.packages if p.version is not None]
    for package in pinned:
        client.prefetch([package.name], index=_index_of(package, index_names))
    releases: dict[NormalizedName, ReleaseFiles] = {}
    problems: list[Problem] = []
    for package in pinned:
        assert package.version is not None
        index = _index_of(package, index_names)
        try:
            page = client.project(package.name, index=index)
        except PackageNotFoundError as exc:
            problems.append(
                Problem(
                    CheckName.YANKED,
                    f"{package.name} is no longer on {_indexes_named(exc.indexes, client)}",
                    package=package.name,
                    version=package.version,
                    fix=RELOCK,
                )
            )
            continue
        loader = page.release_loaders().get(package.version)
        if loader is None:
            problems.append(
                Problem(
                    CheckName.YANKED,
                    f"{package.name} {package.version} is no longer on {redact(page.index.url)}",
                    package=package.name,
                    version=package.version,
                    fix=RELOCK,
                )
            )
            continue
        releases[package.name] = ReleaseFiles(package, _locked_files(package, loader()))
    return releases, tuple(problems)


def _index_of(package: LockedPackage, index_names: Mapping[str, str]) -> str | None:
    return index_names.get(package.index_url) if package.index_url else None


def _indexes_named(names: Iterable[str], client: IndexClient) -> str:
    urls = [redact(spec.url) for spec in client.indexes if spec.name in set(names)]
    return ", ".join(urls) or "the index"


def _locked_files(package: LockedPackage, files: Sequence[DistributionFile]) -> tuple[DistributionFile, ...]:
    """The release's files the lock names, by file name or by hash; all of them when it names none."""
    names = {file.filename for file in package.files}
    digests = {digest.partition(":")[2] for digest in package.hashes if digest.startswith("sha256:")}
    chosen = tuple(file for file in files if file.filename in names or (file.hashes.sha256 or "") in digests)
    return chosen or tuple(files)


def check_yanked(
    lock: LockFile, releases: Mapping[NormalizedName, ReleaseFiles], gone: Sequence[Problem]
) -> Outcome:
    """Pins the index has since yanked (PEP 592), any of the lock's files of them, with the index's reason."""
    problems = list(gone)
    for name in sorted(releases):
        release = releases[name]
        yanked = [file for file in release.files if file.yanked]
        if not yanked:
            continue
        reasons = sorted({file.yanked_reason for file in yanked if file.yanked_reason})
        because = f": {'; '.join(reasons)}" if reasons else " (no reason given)"
        problems.append(
            Problem(
                CheckName.YANKED,
                f"{name} {release.package.version} was yanked{because}",
                package=name,
                version=release.package.version,
                fix=f"lock it again with thoth advise -P {name} to move to a release that is not yanked",
            )
        )
    unpinned = sum(1 for package in lock.packages if package.version is None)
    summary = f"{len(releases)} of {len(lock.packages)} pins checked on their index"
    if unpinned:
        summary += f" ({unpinned} from direct references)"
    return Outcome(CheckName.YANKED, Status.FAIL if problems else Status.PASS, summary, tuple(problems))


# Known vulnerabilities -------------------------------------------------------------------


def check_vulnerabilities(
    lock: LockFile,
    source: AdvisorySource,
    *,
    source_info: Mapping[str, Any],
    required: bool = False,
) -> tuple[Outcome, tuple[str, ...]]:
    """Pins with a known vulnerability, as `thoth audit` finds them, and the warnings to show.

    Advisories that cannot be had (the OSV API unreachable, --offline without a cached answer)
    leave the question unanswered, with a warning, unless `required`: then exit 3.
    """
    from thoth_cli.cli.audit import audit_lock

    try:
        audit = audit_lock(lock, source, source_info=source_info)
    except AdvisoriesUnavailableError:
        raise
    except ExternalError as exc:
        if required:
            raise AdvisoriesUnavailableError("thoth check --require-advisories", exc) from None
        warning = f"advisories unavailable: {exc.message}; vulnerabilities are not checked"
        return Outcome(CheckName.VULNERABILITIES, Status.UNKNOWN, "not checked: advisories unavailable"), (
            warning,
        )
    problems = tuple(
        Problem(
            CheckName.VULNERABILITIES,
            f"{finding.package} {finding.version} has {finding.advisory.describe()} ({finding.advisory.url})",
            package=finding.package,
            version=finding.version,
            fix=(
                f"lock it again with thoth advise -P {finding.package} (fixed in "
                + ", ".join(str(version) for version in finding.advisory.fixed)
                + ")"
                if finding.advisory.fixed
                else "no fixed release yet: see the advisory for a workaround"
            ),
        )
        for finding in audit.findings
    )
    checked = len(audit.checked)
    summary = f"{checked} pinned {'release' if checked == 1 else 'releases'} checked"
    summary += f" ({source_info.get('kind', 'advisories')})"
    return Outcome(CheckName.VULNERABILITIES, Status.FAIL if problems else Status.PASS, summary, problems), ()


def skipped(check: CheckName, reason: str) -> Outcome:
    return Outcome(check, Status.SKIPPED, reason)


# The JSON report -------------------------------------------------------------------------


def report_as_dict(report: CheckReport) -> dict[str, Any]:
    """A JSON-ready view of a check (schema `thoth.check/1`, thoth_cli/schemas/check.schema.json)."""
    return {
        "schema": SCHEMA,
        "lock": str(report.lock.path),
        "format": report.lock.format.value,
        "manifest": str(report.manifest) if report.manifest is not None else None,
        "target": {
            "description": report.target.describe(),
            "python": report.target.python_full_version,
            "implementation": report.target.implementation,
            "platform": str(report.target.platform),
        },
        "ok": report.ok,
        "checks": [
            {"name": outcome.check.value, "status": outcome.status.value, "summary": outcome.summary}
            for outcome in report.outcomes
        ],
        "problems": [
            {
                "check": problem.check.value,
                "package": problem.package,
                "version": str(problem.version) if problem.version is not None else None,
                "message": problem.message,
                "fix": problem.fix,
            }
            for problem in report.problems
        ],
        "warnings": list(report.warnings),
    }
