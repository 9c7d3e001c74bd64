"""A run's advisory source: local folders, the OSV API or none, and what an outage of the OSV API does."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.errors import ExternalError
from thoth_cli.index.http import HttpClient
from thoth_cli.knowledge.advisories import Advisory, AdvisorySource, NoAdvisories
from thoth_cli.knowledge.dedupe import CombinedAdvisories
from thoth_cli.knowledge.local import LocalAdvisories
from thoth_cli.knowledge.osv_api import DEFAULT_OSV_URL, OsvApi

UNAVAILABLE_FIX = (
    "check the network connection and --osv-url (with --offline: run once without it to fill the cache), "
    "read a local copy of the advisory database with --advisories DIR (a clone of "
    "https://github.com/pypa/advisory-database), or pass --no-advisories to resolve without advisories"
)


@dataclass(frozen=True)
class AdvisoryOptions:
    """Where a run's advisories come from: folders of OSV records (read locally, no network), the
    OSV API at `osv_url` (None: not asked), both, or neither. The default asks the OSV API alone."""

    directories: tuple[Path, ...] = ()
    osv_url: str | None = DEFAULT_OSV_URL

    @classmethod
    def disabled(cls) -> AdvisoryOptions:
        """No advisories at all: nothing is known to be vulnerable."""
        return cls(directories=(), osv_url=None)

    @property
    def enabled(self) -> bool:
        return bool(self.directories) or self.osv_url is not None


class AdvisoriesUnavailableError(ExternalError):
    """A run that needs advisories cannot get them from the OSV API (exit 3); keeps the cause."""

    def __init__(self, purpose: str, cause: ExternalError) -> None:
        self.purpose = purpose
        self.cause = cause
        super().__init__(f"{purpose} needs security advisories: {cause.message}", fix=UNAVAILABLE_FIX)


class GuardedAdvisories:
    """An AdvisorySource over one that may fail (the OSV API), deciding what a failure does to the run.

    A failure is an ExternalError: the network, the service, `--offline` with nothing cached.
    With `required` (what needs the advisories, named in the error) the first one becomes an
    AdvisoriesUnavailableError, raised then and for every later question; as the search sets
    aside the errors of its later resolves, the caller also calls `check()` after the run.
    Without it the source degrades: the first failure is kept for `warnings`, and from then on
    nothing is asked and nothing is known to be vulnerable. A run never mixes answers of a
    working and a failed source for long: one failure ends the asking.
    """

    def __init__(self, source: AdvisorySource, *, required: str | None = None) -> None:
        self.source = source
        self.required = required
        self._lock = threading.Lock()
        self._failure: ExternalError | None = None

    @property
    def failure(self) -> ExternalError | None:
        """The first failure, if any; once set, the source asks nothing more."""
        with self._lock:
            return self._failure

    @property
    def warnings(self) -> tuple[str, ...]:
        """What to tell the user about a failure the run went on without (none when required)."""
        failure = self.failure
        if failure is None or self.required is not None:
            return ()
        return (f"advisories unavailable: {failure.message}; vulnerabilities are not checked",)

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        if self.failure is None:
            try:
                return self.source.advisories_for(name, version)
            except ExternalError as exc:
                with self._lock:
                    if self._failure is None:
                        self._failure = exc
        self.check()
        return ()

    def check(self) -> None:
        """Raise AdvisoriesUnavailableError when advisories are required and the source failed."""
        failure = self.failure
        if failure is not None and self.required is not None:
            raise AdvisoriesUnavailableError(self.required, failure)


class RunAdvisories:
    """A run's advisory source, opened: what units ask (`source`), the names to announce to it, and
    what to tell the user afterwards (`warnings`, and `notes` on what records had to skip)."""

    def __init__(
        self,
        source: AdvisorySource,
        *,
        local: tuple[LocalAdvisories, ...] = (),
        osv: OsvApi | None = None,
        guard: GuardedAdvisories | None = None,
    ) -> None:
        self.source = source
        self.local = local
        self.osv = osv
        self.guard = guard

    def expect(self, names: Iterable[str]) -> None:
        """Packages the run is about to meet: the OSV API asks about them together."""
        if self.osv is not None:
            self.osv.expect(names)

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.guard.warnings if self.guard is not None else ()

    @property
    def notes(self) -> tuple[str, ...]:
        found = [note for source in self.local for note in source.notes]
        if self.osv is not None:
            found.extend(self.osv.notes)
        return tuple(found)

    def check(self) -> None:
        """Raise the failure of a required source, which a search may have set aside."""
        if self.guard is not None:
            self.guard.check()


def open_advisories(
    options: AdvisoryOptions, http: HttpClient, *, required: str | None = None
) -> RunAdvisories:
    """The run's advisories: the folders (read now, so a missing one fails before resolving), then
    the OSV API by package through the run's HttpClient (its cache, --offline), guarded.

    `required` names what cannot go without the OSV API's advisories (an outage then fails the
    run); None lets the run go on without them, with a warning.
    """
    local = tuple(LocalAdvisories(directory) for directory in options.directories)
    osv = None
    guard = None
    sources: list[AdvisorySource] = list(local)
    if options.osv_url is not None:
        osv = OsvApi(http, base_url=options.osv_url, by_package=True)
        guard = GuardedAdvisories(osv, required=required)
        sources.append(guard)
    source: AdvisorySource
    if not sources:
        source = NoAdvisories()
    elif len(sources) == 1:
        source = sources[0]
    else:
        source = CombinedAdvisories(sources)
    return RunAdvisories(source, local=local, osv=osv, guard=guard)
