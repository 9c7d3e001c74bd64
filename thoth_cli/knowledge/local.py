"""Advisories from a local folder of OSV records: a clone of PyPA's advisory database or an OSV export."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import yaml
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import InputError, Location
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.knowledge.dedupe import merge_advisories
from thoth_cli.knowledge.osv import OsvRecord, OsvRecordError, parse_record

RECORD_SUFFIXES = (".json", ".yaml", ".yml")
YAML_SUFFIXES = (".yaml", ".yml")
PYPA_VULNS = "vulns"
"""PyPA's advisory database files each record as vulns/<package>/<id>.yaml."""

_DIRECTORY_FIX = (
    "pass a clone of https://github.com/pypa/advisory-database or a folder of OSV records "
    "(e.g. OSV's PyPI export, all.zip, unzipped)"
)

try:
    _YamlBase: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _YamlBase = yaml.SafeLoader

# OSV holds no numbers and no timestamps that must be read as such: keep unquoted scalars as text,
# so that a version 1.10 stays "1.10" (not the float 1.1) and 2.0 stays "2.0".
_TEXT_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})


class _RecordLoader(_YamlBase):  # type: ignore[valid-type,misc]
    """A safe YAML loader that reads every scalar but booleans and null as a string."""


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in _YamlBase.yaml_implicit_resolvers.items()
}


class AdvisoryFolderError(InputError):
    """The advisory folder is missing or holds no OSV record (exit 4)."""

    def __init__(self, directory: Path, problem: str) -> None:
        self.directory = directory
        super().__init__(problem, location=Location(directory), fix=_DIRECTORY_FIX)


def read_record(path: Path) -> OsvRecord:
    """Read one OSV record file, JSON or YAML (by its suffix); errors name the file and line."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OsvRecordError("cannot be read", source=source, text=exc.strerror or str(exc)) from None
    if path.suffix.lower() in YAML_SUFFIXES:
        try:
            data = yaml.load(raw, Loader=_RecordLoader)  # _RecordLoader is a safe loader
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
            raise OsvRecordError("not valid YAML", source=source, line=line, text=exc.problem) from None
        except yaml.YAMLError as exc:
            raise OsvRecordError("not valid YAML", source=source, text=str(exc)) from None
    else:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise OsvRecordError("not valid JSON", source=source, line=exc.lineno, text=exc.msg) from None
        except UnicodeDecodeError as exc:
            raise OsvRecordError("not valid JSON", source=source, text=str(exc)) from None
    return parse_record(data, source=source)


class LocalAdvisories:
    """An AdvisorySource over a folder of OSV records (*.json, *.yaml, *.yml, hidden folders skipped).

    YAML files laid out as PyPA's database lays them out (vulns/<package>/<id>.yaml) are read
    only when their package is first asked about, and then count for that package only: PyPA
    files a vulnerability under each package it affects. Every other file is read, once, at the
    first question, and counts for every PyPI package it names. Withdrawn records are skipped;
    records of one vulnerability (a PYSEC and a GHSA aliasing each other) are reported once.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        if not directory.is_dir():
            raise AdvisoryFolderError(directory, "advisory folder not found")
        self._by_package_folder: dict[NormalizedName, list[Path]] = {}
        self._eager_files: list[Path] = []
        for path in _record_files(directory):
            if path.suffix.lower() in YAML_SUFFIXES and path.parent.parent.name == PYPA_VULNS:
                name = canonicalize_name(path.parent.name)
                self._by_package_folder.setdefault(name, []).append(path)
            else:
                self._eager_files.append(path)
        if not self._by_package_folder and not self._eager_files:
            raise AdvisoryFolderError(
                directory, "advisory folder holds no OSV record (*.json, *.yaml, *.yml)"
            )
        self._lock = threading.Lock()
        self._eager: dict[NormalizedName, list[OsvRecord]] | None = None
        self._loaded: dict[NormalizedName, tuple[OsvRecord, ...]] = {}
        self._answers: dict[tuple[NormalizedName, Version], tuple[Advisory, ...]] = {}
        self._notes: list[str] = []

    @property
    def file_count(self) -> int:
        return len(self._eager_files) + sum(len(paths) for paths in self._by_package_folder.values())

    @property
    def notes(self) -> tuple[str, ...]:
        """What was skipped in the records read so far (versions that are not PEP 440)."""
        with self._lock:
            return tuple(self._notes)

    def records_for(self, name: str) -> tuple[OsvRecord, ...]:
        """The records, withdrawn ones left out, that name the package, in id order."""
        wanted = canonicalize_name(name)
        with self._lock:
            records = self._loaded.get(wanted)
            if records is None:
                records = self._load(wanted)
                self._loaded[wanted] = records
            return records

    def advisories_for(self, name: NormalizedName, version: Version) -> tuple[Advisory, ...]:
        wanted = canonicalize_name(name)
        key = (wanted, version)
        answer = self._answers.get(key)
        if answer is None:
            records = self.records_for(wanted)
            answer = merge_advisories(r.advisory_for(wanted) for r in records if r.affects(wanted, version))
            self._answers[key] = answer
        return answer

    def _load(self, name: NormalizedName) -> tuple[OsvRecord, ...]:
        if self._eager is None:
            self._eager = {}
            for record in self._read(self._eager_files):
                for package in record.packages:
                    self._eager.setdefault(package, []).append(record)
        records = list(self._eager.get(name, ()))
        records += (r for r in self._read(self._by_package_folder.get(name, ())) if name in r.packages)
        return tuple(sorted(records, key=lambda record: (record.id, record.source)))

    def _read(self, paths: Iterable[Path]) -> list[OsvRecord]:
        records = []
        for path in paths:
            record = read_record(path)
            self._notes.extend(record.notes)
            if record.withdrawn is None:
                records.append(record)
        return records


def _record_files(directory: Path) -> list[Path]:
    """Every record file under the folder, in a stable order, hidden files and folders left out."""
    found: list[Path] = []
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        found.extend(
            Path(root, file)
            for file in sorted(files)
            if not file.startswith(".") and file.lower().endswith(RECORD_SUFFIXES)
        )
    return found
