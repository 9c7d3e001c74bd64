"""Advisories from a local folder of OSV records: a clone of PyPA's advisory database or an OSV export."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path

import yaml
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import InputError, Location
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.knowledge.dedupe import merge_advisories
from thoth_cli.knowledge.osv import PYPI, OsvRecord, OsvRecordError, parse_record

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
    return parse_record(_read_data(path), source=str(path))


def _read_data(path: Path) -> object:
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OsvRecordError("cannot be read", source=source, text=exc.strerror or str(exc)) from None
    if path.suffix.lower() in YAML_SUFFIXES:
        try:
            return yaml.load(raw, Loader=_RecordLoader)  # _RecordLoader is a safe loader
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
            raise OsvRecordError("not valid YAML", source=source, line=line, text=exc.problem) from None
        except yaml.YAMLError as exc:
            raise OsvRecordError("not valid YAML", source=source, text=str(exc)) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OsvRecordError("not valid JSON", source=source, line=exc.lineno, text=exc.msg) from None
    except UnicodeDecodeError as exc:
        raise OsvRecordError("not valid JSON", source=source, text=str(exc)) from None


def _named_packages(data: object) -> frozenset[NormalizedName] | None:
    """The PyPI packages a decoded record names (none when withdrawn); None when it is malformed."""
    if not isinstance(data, Mapping) or not isinstance(data.get("affected", []), list):
        return None
    if data.get("withdrawn") is not None:
        return frozenset()
    names = set()
    for entry in data.get("affected", []):
        package = entry.get("package") if isinstance(entry, Mapping) else None
        if not isinstance(package, Mapping):
            return None
        name = package.get("name")
        if package.get("ecosystem") == PYPI and isinstance(name, str):
            names.add(canonicalize_name(name))
    return frozenset(names)


class LocalAdvisories:
    """An AdvisorySource over a folder of OSV records (*.json, *.yaml, *.yml, hidden folders skipped).

    YAML files laid out as PyPA's database lays them out (vulns/<package>/<id>.yaml) are read
    only when their package is first asked about, and count for that package only: PyPA files
    a vulnerability under each package it affects. Every other file is looked into once, at the
    first question, for the PyPI packages it names, and read in full when one of them is asked
    about. Withdrawn records are skipped; records of one vulnerability (a PYSEC and a GHSA
    aliasing each other) are reported once.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        if not directory.is_dir():
            raise AdvisoryFolderError(directory, "advisory folder not found")
        self._files: dict[NormalizedName, list[Path]] = {}
        self._unsorted: list[Path] = []
        for path in _record_files(directory):
            if path.suffix.lower() in YAML_SUFFIXES and path.parent.parent.name == PYPA_VULNS:
                self._files.setdefault(canonicalize_name(path.parent.name), []).append(path)
            else:
                self._unsorted.append(path)
        self.file_count = len(self._unsorted) + sum(len(paths) for paths in self._files.values())
        if not self.file_count:
            raise AdvisoryFolderError(
                directory, "advisory folder holds no OSV record (*.json, *.yaml, *.yml)"
            )
        self._lock = threading.Lock()
        self._parsed: dict[Path, OsvRecord] = {}
        self._loaded: dict[NormalizedName, tuple[OsvRecord, ...]] = {}
        self._answers: dict[tuple[NormalizedName, Version], tuple[Advisory, ...]] = {}
        self._notes: list[str] = []

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
        self._sort_files()
        records = [self._parse(path) for path in self._files.get(name, ())]
        kept = (r for r in records if r.withdrawn is None and name in r.packages)
        return tuple(sorted(kept, key=lambda record: (record.id, record.source)))

    def _sort_files(self) -> None:
        """File each record outside PyPA's layout under the packages it names (once)."""
        sorted_files: list[tuple[NormalizedName, Path]] = []
        for path in self._unsorted:
            names = _named_packages(_read_data(path))
            if names is None:
                names = self._parse(path).packages
            sorted_files.extend((name, path) for name in sorted(names))
        # Filed only once every file was read: a run that failed on one file can ask again.
        for name, path in sorted_files:
            self._files.setdefault(name, []).append(path)
        self._unsorted = []

    def _parse(self, path: Path) -> OsvRecord:
        record = self._parsed.get(path)
        if record is None:
            record = read_record(path)
            self._parsed[path] = record
            self._notes.extend(record.notes)
        return record


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
