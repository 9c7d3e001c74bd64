"""Reading one OSV vulnerability record exactly as the OSV schema defines it, for PyPI packages."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import InputError, Location, ThothError
from thoth_cli.knowledge.advisories import Advisory

PYPI = "PyPI"
"""The OSV ecosystem name of packages on the Python Package Index (case-sensitive)."""

VERSION_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER"})
"""Range types whose events are versions; GIT ranges hold commit hashes and never match a version."""

REFERENCE_PREFERENCE = ("ADVISORY", "WEB", "ARTICLE", "REPORT", "DISCUSSION", "FIX", "EVIDENCE")
"""Reference types worth linking to, best first; PACKAGE (a home page) says nothing about the bug."""

EventKind = Literal["introduced", "last_affected", "fixed", "limit"]
_EVENT_KINDS: tuple[EventKind, ...] = ("introduced", "last_affected", "fixed", "limit")
# At one version, an `introduced` is applied before the event that ends it: an empty range stays empty.
_KIND_ORDER = {kind: position for position, kind in enumerate(_EVENT_KINDS)}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_HEADLINE_WIDTH = 160
_RECORD_FIX = "correct or remove the record; the OSV schema is https://ossf.github.io/osv-schema/"


class OsvRecordError(InputError):
    """An OSV record that cannot be read: names its source (a file or a URL) and the key at fault."""

    def __init__(
        self,
        problem: str,
        *,
        source: str,
        key: str | None = None,
        line: int | None = None,
        text: str | None = None,
        fix: str | None = None,
    ) -> None:
        # `Location` holds a Path, which would fold the "//" of an OSV API URL: the message is
        # built from the source as given, the location kept for callers that read it.
        self.source = source
        self.key = key
        self.problem = problem
        self.location = Location(Path(source), line=line, key=key)
        self.text = text
        where = source + (f":{line}" if line is not None else "") + (f" [{key}]" if key else "")
        message = f"{where}: {problem}" + (f": {text}" if text is not None else "")
        ThothError.__init__(self, message, fix=fix or _RECORD_FIX)


@dataclass(frozen=True)
class Event:
    """One event of a version range; `version` None is "0" for `introduced` and "*" for `limit`."""

    kind: EventKind
    version: Version | None

    @property
    def sort_key(self) -> tuple[int, Version | None, int]:
        # "0" sorts before every version and "*" after every version (OSV's special values).
        rank = 1 if self.version is not None else (0 if self.kind == "introduced" else 2)
        return (rank, self.version, _KIND_ORDER[self.kind])


@dataclass(frozen=True)
class VersionRange:
    """An ECOSYSTEM or SEMVER range of PEP 440 versions: its events sorted by version."""

    type: str
    events: tuple[Event, ...]

    def contains(self, version: Version) -> bool:
        """OSV's evaluation: the state after every event at or below `version`, within the limits."""
        # PEP 440's ordered comparisons ignore a candidate's local label: 2.0+cu118 is a build of 2.0.
        public = Version(version.public) if version.local is not None else version
        limits = [event.version for event in self.events if event.kind == "limit"]
        if limits and not any(limit is None or public < limit for limit in limits):
            return False
        vulnerable = False
        for event in self.events:
            if event.kind == "introduced":
                if event.version is None or public >= event.version:
                    vulnerable = True
            elif event.version is None:
                continue
            elif event.kind == "fixed":
                if public >= event.version:
                    vulnerable = False
            elif event.kind == "last_affected" and public > event.version:
                vulnerable = False
        return vulnerable

    @property
    def fixed(self) -> tuple[Version, ...]:
        """The version that ends each affected interval of the range, in order."""
        return tuple(e.version for e in self.events if e.kind == "fixed" and e.version is not None)


@dataclass(frozen=True)
class AffectedPackage:
    """One `affected` entry of a PyPI package: its version ranges and its explicit version list.

    `git_ranges` counts the GIT ranges, which hold commits and are never matched against versions.
    """

    name: NormalizedName
    ranges: tuple[VersionRange, ...] = ()
    versions: frozenset[Version] = frozenset()
    git_ranges: int = 0

    def affects(self, version: Version) -> bool:
        return self._listed(version) or any(r.contains(version) for r in self.ranges)

    def _listed(self, version: Version) -> bool:
        # PEP 440 `==` with a public version ignores the candidate's local label, so a local
        # build (2.0.0+cu118) of a listed release (2.0.0) is that release.
        if version in self.versions:
            return True
        return version.local is not None and Version(version.public) in self.versions

    @property
    def fixed(self) -> tuple[Version, ...]:
        return tuple(version for r in self.ranges for version in r.fixed)


@dataclass(frozen=True)
class Reference:
    """A link the record gives, with its OSV type (ADVISORY, WEB, FIX, ...)."""

    type: str
    url: str


@dataclass(frozen=True)
class OsvRecord:
    """One OSV record, reduced to what matters for PyPI packages.

    `affected` keeps the PyPI entries only, names normalised. `notes` says what was skipped
    while reading (versions that are not PEP 440), for the caller to show; nothing is printed.
    """

    id: str
    source: str
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    withdrawn: datetime | None = None
    references: tuple[Reference, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def packages(self) -> frozenset[NormalizedName]:
        return frozenset(entry.name for entry in self.affected)

    @property
    def link(self) -> str | None:
        """The most useful reference: an ADVISORY, else a WEB page, else an article, report, fix."""
        for wanted in REFERENCE_PREFERENCE:
            for reference in self.references:
                if reference.type == wanted:
                    return reference.url
        return None

    @property
    def headline(self) -> str:
        """The summary, or else the first sentence of the details, short enough for one line."""
        text = self.summary.strip()
        if not text:
            paragraph = self.details.strip().split("\n\n", 1)[0]
            text = _SENTENCE_END.split(" ".join(paragraph.split()), maxsplit=1)[0]
        return textwrap.shorten(text, _HEADLINE_WIDTH, placeholder=" …") if text else ""

    def affects(self, name: str, version: Version) -> bool:
        """Whether the record says `version` of `name` is vulnerable; a withdrawn record says nothing."""
        if self.withdrawn is not None:
            return False
        wanted = canonicalize_name(name)
        return any(entry.name == wanted and entry.affects(version) for entry in self.affected)

    def fixed_versions(self, name: str) -> tuple[Version, ...]:
        """The first fixed version of each affected interval of `name`, ascending and without repeats."""
        wanted = canonicalize_name(name)
        return tuple(sorted({v for entry in self.affected if entry.name == wanted for v in entry.fixed}))

    def advisory_for(self, name: str) -> Advisory:
        """The record as the pipeline sees it, for one of the packages it affects."""
        return Advisory(
            id=self.id,
            package=canonicalize_name(name),
            summary=self.headline,
            aliases=self.aliases,
            fixed=self.fixed_versions(name),
            link=self.link,
        )


def parse_record(data: object, *, source: str) -> OsvRecord:
    """Read one OSV record (a mapping decoded from JSON or YAML); `source` names it in errors.

    Raises OsvRecordError (exit 4) when the record's structure breaks the schema. A version
    that is not PEP 440 does not: its event or list entry is skipped and a note says so.
    """
    return _Reader(source).record(data)


class _Reader:
    """Walks one record, keeping the key path for errors and collecting notes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[str] = []
        self.record_id = "?"

    def error(self, key: str | None, problem: str, text: object = None) -> OsvRecordError:
        return OsvRecordError(problem, source=self.source, key=key, text=None if text is None else repr(text))

    def note(self, key: str, problem: str) -> None:
        self.notes.append(f"{self.record_id} ({self.source}) [{key}]: {problem}")

    def record(self, data: object) -> OsvRecord:
        if not isinstance(data, Mapping):
            raise self.error(None, "not an OSV record: expected a mapping of fields", type(data).__name__)
        record_id = data.get("id")
        if not isinstance(record_id, str) or not record_id.strip():
            raise self.error("id", "an OSV record needs an id string", record_id)
        self.record_id = record_id.strip()
        affected = self.sequence(data, "affected")
        entries = tuple(
            entry
            for index, item in enumerate(affected)
            if (entry := self.affected(item, f"affected[{index}]")) is not None
        )
        return OsvRecord(
            id=self.record_id,
            source=self.source,
            summary=self.text(data, "summary"),
            details=self.text(data, "details"),
            aliases=self.strings(data, "aliases"),
            published=self.timestamp(data, "published"),
            modified=self.timestamp(data, "modified"),
            withdrawn=self.timestamp(data, "withdrawn"),
            references=self.references(data),
            affected=entries,
            notes=tuple(self.notes),
        )

    def sequence(self, data: Mapping[object, object], key: str, *, where: str = "") -> Sequence[object]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(where + key, "expected a list", value)
        return value

    def mapping(self, value: object, key: str) -> Mapping[object, object]:
        if not isinstance(value, Mapping):
            raise self.error(key, "expected a mapping", value)
        return value

    def text(self, data: Mapping[object, object], key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(key, "expected a string", value)
        return value

    def strings(self, data: Mapping[object, object], key: str) -> tuple[str, ...]:
        values = self.sequence(data, key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.error(f"{key}[{index}]", "expected a string", value)
        return tuple(str(value) for value in values)

    def timestamp(self, data: Mapping[object, object], key: str) -> datetime | None:
        value = data.get(key)
        if value is None:
            return None
        # YAML reads an unquoted timestamp as a datetime (or a date); JSON always gives RFC 3339 text.
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            text = value.strip()
            # datetime.fromisoformat reads a trailing "Z" only from Python 3.11 on.
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise self.error(key, "not an RFC 3339 timestamp", value) from None
        else:
            raise self.error(key, "not an RFC 3339 timestamp", value)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)

    def references(self, data: Mapping[object, object]) -> tuple[Reference, ...]:
        references = []
        for index, item in enumerate(self.sequence(data, "references")):
            key = f"references[{index}]"
            reference = self.mapping(item, key)
            kind, url = reference.get("type"), reference.get("url")
            if not isinstance(url, str) or not url:
                raise self.error(f"{key}.url", "a reference needs a url string", url)
            if kind is not None and not isinstance(kind, str):
                raise self.error(f"{key}.type", "expected a string", kind)
            references.append(Reference(type=(kind or "WEB").upper(), url=url))
        return tuple(references)

    def affected(self, item: object, key: str) -> AffectedPackage | None:
        entry = self.mapping(item, key)
        package = entry.get("package")
        if package is None:
            # Since schema 1.5 an entry may name no package (bare GIT ranges): nothing for PyPI.
            return None
        package = self.mapping(package, f"{key}.package")
        ecosystem, name = package.get("ecosystem"), package.get("name")
        if not isinstance(ecosystem, str):
            raise self.error(f"{key}.package.ecosystem", "expected a string", ecosystem)
        if ecosystem != PYPI:
            return None
        if not isinstance(name, str) or not name.strip():
            raise self.error(f"{key}.package.name", "a PyPI package needs a name", name)
        ranges: list[VersionRange] = []
        git_ranges = 0
        for index, raw_range in enumerate(self.sequence(entry, "ranges", where=f"{key}.")):
            parsed = self.version_range(raw_range, f"{key}.ranges[{index}]")
            if parsed is None:
                git_ranges += 1
            else:
                ranges.append(parsed)
        versions = set()
        for index, value in enumerate(self.sequence(entry, "versions", where=f"{key}.")):
            version = self.version(value, f"{key}.versions[{index}]", "list entry")
            if version is not None:
                versions.add(version)
        return AffectedPackage(
            name=canonicalize_name(name.strip()),
            ranges=tuple(ranges),
            versions=frozenset(versions),
            git_ranges=git_ranges,
        )

    def version_range(self, item: object, key: str) -> VersionRange | None:
        """The range's events as versions; None for a range that never matches a version (GIT)."""
        data = self.mapping(item, key)
        range_type = data.get("type")
        if not isinstance(range_type, str):
            raise self.error(f"{key}.type", "a range needs a type (ECOSYSTEM, SEMVER or GIT)", range_type)
        raw_events = self.sequence(data, "events", where=f"{key}.")
        if range_type not in VERSION_RANGE_TYPES:
            if range_type != "GIT":
                self.note(key, f"range type {range_type!r} is not one OSV defines; range ignored")
            return None
        events: list[Event] = []
        for index, raw_event in enumerate(raw_events):
            event = self.event(raw_event, f"{key}.events[{index}]")
            if event is not None:
                events.append(event)
        if not any(event.kind == "introduced" for event in events):
            self.note(key, "range has no usable `introduced` event and affects no version")
        return VersionRange(type=range_type, events=tuple(sorted(events, key=lambda event: event.sort_key)))

    def event(self, item: object, key: str) -> Event | None:
        data = self.mapping(item, key)
        kinds = [kind for kind in _EVENT_KINDS if kind in data]
        if len(kinds) != 1:
            raise self.error(
                key, "an event needs exactly one of introduced, fixed, last_affected, limit", dict(data)
            )
        kind = kinds[0]
        value = data[kind]
        if kind == "introduced" and value == "0":
            return Event(kind, None)
        if kind == "limit" and isinstance(value, str) and "*" in value:
            return Event(kind, None)
        version = self.version(value, f"{key}.{kind}", "event")
        return None if version is None else Event(kind, version)

    def version(self, value: object, key: str, what: str) -> Version | None:
        if isinstance(value, str):
            try:
                return Version(value)
            except InvalidVersion:
                pass
        self.note(key, f"{value!r} is not a PEP 440 version; {what} skipped")
        return None
