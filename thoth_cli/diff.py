"""Comparing two stacks (lock files of any format, or stacks of a report): what was added, removed,
upgraded, downgraded or moved to another index, with the score change and the reasons that differ."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import InputError, Location, UsageError
from thoth_cli.lock.model import LockedPackage, LockFile
from thoth_cli.lock.read import read_lock, read_lock_text
from thoth_cli.stack import Justification, JustificationType

REPORT_SCHEMA = "thoth.report/1"
REPORT_FORMAT = "report"
"""The `format` of a side taken from a report of `thoth advise --report`."""


class ChangeKind(str, Enum):
    """How a package differs between the old stack and the new one."""

    ADDED = "added"
    REMOVED = "removed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    REPLACED = "replaced"
    """A version on one side, a direct reference (no version) on the other."""
    SOURCE = "source"
    """The same version, from another index."""
    REASONS = "reasons"
    """The same pin, with another score or other justifications."""


@dataclass(frozen=True)
class Side:
    """One of the two stacks compared: what to call it, its format, and its pins as a lock holds them.

    `reasons_known` is False for a lock that cannot hold thoth's scores and justifications
    (Pipfile.lock, requirements.txt, a pylock.toml another tool wrote): its missing reasons
    are unknown, not removed.
    """

    label: str
    format: str
    packages: tuple[LockedPackage, ...]
    score: float | None = None
    justifications: tuple[Justification, ...] = ()
    reasons_known: bool = False

    def by_name(self) -> dict[NormalizedName, LockedPackage]:
        """Each package's first entry, as `LockFile.get` finds it."""
        found: dict[NormalizedName, LockedPackage] = {}
        for package in self.packages:
            found.setdefault(package.name, package)
        return found


@dataclass(frozen=True)
class PackageChange:
    """One package that differs, with both sides' version, index, score and the reasons gone or new."""

    name: NormalizedName
    kind: ChangeKind
    old_version: Version | None
    new_version: Version | None
    old_index: str | None
    new_index: str | None
    old_score: float | None
    new_score: float | None
    removed_justifications: tuple[Justification, ...] = ()
    added_justifications: tuple[Justification, ...] = ()

    @property
    def score_change(self) -> float | None:
        """New score minus old, when both sides know it."""
        if self.old_score is None or self.new_score is None:
            return None
        return self.new_score - self.old_score

    @property
    def pins_differ(self) -> bool:
        """Whether an install would differ: another version, another index, or a package in or out."""
        return self.kind is not ChangeKind.REASONS


@dataclass(frozen=True)
class StackDiff:
    """What differs between two stacks, packages in name order."""

    old: Side
    new: Side
    changes: tuple[PackageChange, ...]
    unchanged: int
    """Packages pinned alike on both sides, reasons and all."""
    removed_justifications: tuple[Justification, ...] = ()
    added_justifications: tuple[Justification, ...] = ()
    """The stacks' own justifications (not a package's) that only one side has."""

    @property
    def same(self) -> bool:
        """True when both stacks install the same packages at the same versions from the same indexes.

        Scores and justifications may still differ: they change what thoth says, not what is installed.
        """
        return not any(change.pins_differ for change in self.changes)

    @property
    def score_change(self) -> float | None:
        if self.old.score is None or self.new.score is None:
            return None
        return self.new.score - self.old.score

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


def side_of_lock(lock: LockFile) -> Side:
    """A lock file as one side; thoth's tool table (its stack score) says whether it holds reasons."""
    return Side(
        label=str(lock.path),
        format=lock.format.value,
        packages=lock.packages,
        score=lock.score,
        justifications=lock.justifications,
        reasons_known=lock.score is not None,
    )


def diff_stacks(old: Side, new: Side) -> StackDiff:
    """Compare `old` with `new`, package by package."""
    before, after = old.by_name(), new.by_name()
    reasons_known = old.reasons_known and new.reasons_known
    changes: list[PackageChange] = []
    unchanged = 0
    for name in sorted(before.keys() | after.keys()):
        change = _compare(name, before.get(name), after.get(name), reasons_known)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    removed, added = _difference(old.justifications, new.justifications) if reasons_known else ((), ())
    return StackDiff(old, new, tuple(changes), unchanged, removed, added)


def _compare(
    name: NormalizedName, old: LockedPackage | None, new: LockedPackage | None, reasons_known: bool
) -> PackageChange | None:
    removed: tuple[Justification, ...] = ()
    added: tuple[Justification, ...] = ()
    if old is not None and new is not None and reasons_known:
        removed, added = _difference(old.justifications, new.justifications)
    kind = _kind(old, new)
    if kind is None:
        score_differs = (
            reasons_known and old is not None and new is not None and not _same_score(old.score, new.score)
        )
        if not (score_differs or removed or added):
            return None
        kind = ChangeKind.REASONS
    return PackageChange(
        name=name,
        kind=kind,
        old_version=None if old is None else old.version,
        new_version=None if new is None else new.version,
        old_index=None if old is None else old.index_url,
        new_index=None if new is None else new.index_url,
        old_score=None if old is None else old.score,
        new_score=None if new is None else new.score,
        removed_justifications=removed,
        added_justifications=added,
    )


def _kind(old: LockedPackage | None, new: LockedPackage | None) -> ChangeKind | None:
    if old is None:
        return ChangeKind.ADDED
    if new is None:
        return ChangeKind.REMOVED
    if old.version != new.version:
        if old.version is None or new.version is None:
            return ChangeKind.REPLACED
        return ChangeKind.UPGRADED if new.version > old.version else ChangeKind.DOWNGRADED
    if _same_index(old.index_url, new.index_url):
        return None
    return ChangeKind.SOURCE


def _same_index(old: str | None, new: str | None) -> bool:
    # A format that does not record the index (requirements.txt with several) knows nothing
    # against it; PEP 503 makes "…/simple" and "…/simple/" one index.
    if old is None or new is None:
        return True
    return old.rstrip("/") == new.rstrip("/")


def _difference(
    old: Sequence[Justification], new: Sequence[Justification]
) -> tuple[tuple[Justification, ...], tuple[Justification, ...]]:
    """Justifications only the old side has, and only the new side has, each in its side's order.

    A justification is its type and message: a pylock.toml drops the package and version a
    report repeats in each package's reasons, and that is no difference.
    """
    old_keys, new_keys = {_key(j) for j in old}, {_key(j) for j in new}
    return (
        tuple(dict.fromkeys(j for j in old if _key(j) not in new_keys)),
        tuple(dict.fromkeys(j for j in new if _key(j) not in old_keys)),
    )


def _key(justification: Justification) -> tuple[str, str]:
    return justification.type.value, justification.message


def _same_score(old: float | None, new: float | None) -> bool:
    # Reports round scores to six places; locks keep the float as it was.
    return old is None or new is None or round(old, 6) == round(new, 6)


def read_side(path: Path, stack: int | None = None) -> Side:
    """The stack in `path`: a lock file of any supported format, or stack `stack` (from 1, the best)
    of a `thoth advise --report` file (its best stack when `stack` is None)."""
    text = read_lock_text(path)
    report = _report_data(path, text)
    if report is None:
        if stack is not None and stack != 1:
            raise UsageError(
                f"--stack {stack}: {path} is a lock file, which holds one stack",
                fix="give --stack only with a report written by thoth advise --report",
            )
        return side_of_lock(read_lock(path))
    return _report_side(path, report, 1 if stack is None else stack)


def _report_data(path: Path, text: str) -> Mapping[str, Any] | None:
    """The report's data when `text` is a thoth report; None for a lock file (a Pipfile.lock is JSON too)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or "schema" not in data:
        return None
    schema = data["schema"]
    if schema != REPORT_SCHEMA:
        raise InputError(
            "not a report this thoth can read",
            location=Location(path, key="schema"),
            text=repr(schema),
            fix=f"give a report of schema {REPORT_SCHEMA} (thoth advise --report FILE) or a lock file",
        )
    return data


def _report_side(path: Path, report: Mapping[str, Any], number: int) -> Side:
    reader = _ReportReader(path)
    stacks = reader.typed(report, "stacks", list, "stacks")
    if not 1 <= number <= len(stacks):
        held = f"{len(stacks)} {'stack' if len(stacks) == 1 else 'stacks'}"
        raise UsageError(
            f"--stack {number}: {path} holds {held}",
            fix=f"give a stack from 1 to {len(stacks)}" if stacks else "write a report with a stack",
        )
    where = f"stacks[{number - 1}]"
    found = reader.typed(stacks, number - 1, dict, where)
    packages = reader.typed(found, "packages", list, f"{where}.packages")
    return Side(
        label=f"{path} stack {number}",
        format=REPORT_FORMAT,
        packages=tuple(reader.package(item, f"{where}.packages[{i}]") for i, item in enumerate(packages)),
        score=reader.number(found, "score", f"{where}.score"),
        justifications=reader.justifications(found, f"{where}.justifications"),
        reasons_known=True,
    )


@dataclass(frozen=True)
class _ReportReader:
    """Reads a report's values, each mistake an InputError naming the file and the key."""

    path: Path

    def fail(self, key: str, problem: str, value: object) -> InputError:
        return InputError(
            problem,
            location=Location(self.path, key=key),
            text=repr(value),
            fix="write the report again with thoth advise --report FILE",
        )

    def typed(self, container: Any, key: str | int, kind: type[Any], where: str) -> Any:
        try:
            value = container[key]
        except (KeyError, IndexError):
            raise self.fail(where, "missing", None) from None
        if not isinstance(value, kind):
            raise self.fail(where, f"expected {_KIND_NAMES.get(kind, kind.__name__)}", value)
        return value

    def optional_text(self, container: Mapping[str, Any], key: str, where: str) -> str | None:
        value = container.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "expected a string", value)
        return value

    def number(self, container: Mapping[str, Any], key: str, where: str) -> float:
        value = container.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, "expected a number", value)
        return float(value)

    def package(self, item: object, where: str) -> LockedPackage:
        if not isinstance(item, dict):
            raise self.fail(where, "expected a table", item)
        raw_name = self.typed(item, "name", str, f"{where}.name")
        raw_version = self.typed(item, "version", str, f"{where}.version")
        try:
            name = canonicalize_name(raw_name, validate=True)
        except InvalidName:
            raise self.fail(f"{where}.name", "not a package name", raw_name) from None
        try:
            version = Version(raw_version)
        except InvalidVersion:
            raise self.fail(f"{where}.version", "not a version", raw_version) from None
        direct = item.get("direct")
        return LockedPackage(
            name=name,
            version=version,
            index_url=self.optional_text(item, "index", where),
            direct=direct if isinstance(direct, bool) else None,
            score=self.number(item, "score", f"{where}.score"),
            justifications=self.justifications(item, f"{where}.justifications"),
        )

    def justifications(self, container: Mapping[str, Any], where: str) -> tuple[Justification, ...]:
        items = container.get("justifications", [])
        if not isinstance(items, list):
            raise self.fail(where, "expected a list", items)
        found: list[Justification] = []
        for position, item in enumerate(items):
            key = f"{where}[{position}]"
            if not isinstance(item, dict):
                raise self.fail(key, "expected a table", item)
            raw_type = self.typed(item, "type", str, f"{key}.type")
            try:
                kind = JustificationType(raw_type)
            except ValueError:
                raise self.fail(f"{key}.type", "expected INFO, WARNING or ERROR", raw_type) from None
            found.append(
                Justification(
                    type=kind,
                    message=self.typed(item, "message", str, f"{key}.message"),
                    link=self.optional_text(item, "link", key),
                    package=self.optional_text(item, "package", key),
                    version=self.optional_text(item, "version", key),
                    unit=self.optional_text(item, "unit", key),
                )
            )
        return tuple(found)


_KIND_NAMES: dict[type[Any], str] = {list: "a list", dict: "a table", str: "a string"}
