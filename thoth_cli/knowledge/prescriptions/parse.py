"""Reading one prescription file's YAML into checked `Prescription` values, refusing what cannot work.

Every refusal is a `PrescriptionError` naming the file, the line, the key's path
(`units[3].match.package.version`), the unit and the offending text, with the fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import Location
from thoth_cli.knowledge.prescriptions import validate
from thoth_cli.knowledge.prescriptions.model import (
    ABSENT,
    FORMAT_VERSION,
    UNIT_TYPES,
    Conditions,
    CpuCondition,
    EnvironmentConditions,
    GpuCondition,
    JustificationSpec,
    LibraryUsageCondition,
    Match,
    OperatingSystemCondition,
    PackageMatch,
    Pin,
    Prescription,
    PrescriptionError,
    Presence,
    Run,
    VersionCondition,
)
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import WHEN_EMPTY, Alternative, ManifestChange
from thoth_cli.stack import JustificationType

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it: the bundled files are read on every run."""

UNIT_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PLATFORM = re.compile(r"[a-z0-9_*?]+-[a-z0-9_*?]+|\*")
_CPU_FLAG = re.compile(r"[a-z0-9_.]+")
_ENVIRONMENT_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SCALARS = frozenset({_STR, _INT, _FLOAT})

UNIT_KEYS = ("name", "type", "description", "should_include", "match", "run")
CONDITION_KEYS = ("recommendation_types", "runtime_environment", "library_usage", "labels")
ENVIRONMENT_KEYS = (
    "operating_systems",
    "python_version",
    "cuda_version",
    "driver_cuda_version",
    "cudnn_version",
    "driver_version",
    "cpu_flags",
    "cpu",
    "gpu",
    "platforms",
    "base_images",
    "system_packages",
    "python_packages",
)
RUN_KEYS: dict[str, tuple[str, ...]] = {
    "boot": ("stack_info", "not_acceptable", "justification"),
    "pseudonym": ("alternative", "justification"),
    "sieve": ("remove", "skip_package", "when_empty", "justification"),
    "step": ("score", "not_acceptable", "when_empty", "justification"),
    "stride": ("score", "not_acceptable", "justification"),
    "wrap": ("justification", "advised_environment", "advised_manifest_changes", "add_package"),
}
MATCH_KEYS: dict[str, tuple[str, ...]] = {
    "boot": ("package",),
    "pseudonym": ("package",),
    "sieve": ("package",),
    "step": ("package", "together", "introduced_by"),
    "stride": ("stack",),
    "wrap": ("stack",),
}
_NEEDS_MATCH = frozenset({"pseudonym", "sieve", "step", "stride"})
_TYPES_SHOWN = ", ".join(t.value for t in RecommendationType)
_LINK = re.compile(r"https?://\S+")

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed:
    """A file's units, checked, in the order written."""

    path: Path
    prescriptions: tuple[Prescription, ...]


def parse_text(text: str, path: Path) -> Parsed:
    """Check and read the text of the prescription file at `path` (named in errors)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PrescriptionError(
            "not valid YAML",
            location=Location(path, None if mark is None else mark.line + 1),
            text=exc.problem or str(exc),
            fix="correct the YAML syntax at that line",
        ) from None
    except yaml.YAMLError as exc:
        raise PrescriptionError("not valid YAML", location=Location(path), text=str(exc)) from None
    if root is None:
        raise PrescriptionError(
            "empty",
            location=Location(path),
            fix="start the file with `version: 1` and a list of `units:` (or remove it)",
        )
    lines = text.splitlines()
    top = _At(path, root, "", None).mapping(("version", "units"), "a prescription file")
    version = top.required("version", fix="start the file with `version: 1`")
    if version.node.tag != _INT or version.node.value.strip() != str(FORMAT_VERSION):
        version.fail(
            "unsupported prescription format version",
            _shown(version.node),
            fix=f"write `version: {FORMAT_VERSION}`, the format this thoth reads",
        )
    units = top.required("units", fix="list the file's units under `units:`").sequence()
    found: list[Prescription] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(units):
        prescription = _unit(item, position, lines)
        if prescription.name in seen:
            item.named(prescription.name).child_of("name").fail(
                f"the name is taken by units[{seen[prescription.name]}]",
                repr(prescription.name),
                fix="give each unit its own name",
            )
        seen[prescription.name] = position
        found.append(prescription)
    return Parsed(path, tuple(found))


# -- a node and where it is ----------------------------------------------------------------


class _At:
    """A YAML node at a key path of a file, within a unit (when known); errors name all three."""

    def __init__(self, path: Path, node: yaml.Node, key: str, unit: str | None) -> None:
        self.path = path
        self.node = node
        self.key = key
        self.unit = unit

    def fail(self, problem: str, text: str | None = None, *, fix: str | None = None) -> NoReturn:
        raise PrescriptionError(
            problem,
            location=Location(self.path, self.node.start_mark.line + 1, self.key or None),
            unit=self.unit,
            text=text,
            fix=fix,
        )

    def at(self, node: yaml.Node, key: str) -> _At:
        return _At(self.path, node, key, self.unit)

    def named(self, unit: str) -> _At:
        return _At(self.path, self.node, self.key, unit)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == _NULL

    def mapping(self, known: Sequence[str], what: str) -> _Fields:
        if not isinstance(self.node, yaml.MappingNode):
            self.fail(f"expected {what} (a mapping)", _shown(self.node))
        values: dict[str, _At] = {}
        for key_node, value_node in self.node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            path = f"{self.key}.{name}" if self.key else str(name)
            where = self.at(key_node, path)
            if not isinstance(name, str) or key_node.tag != _STR:
                where.fail(f"a key of {what} must be text", _shown(key_node))
            if name in values:
                where.fail("key given twice", repr(name), fix="keep one of them")
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                fix = f"did you mean {close[0]!r}?" if close else f"the keys of {what} are {', '.join(known)}"
                where.fail(f"unknown key in {what}", repr(name), fix=fix)
            values[name] = self.at(value_node, path)
        return _Fields(self, values)

    def sequence(self, *, empty_ok: bool = True) -> list[_At]:
        if not isinstance(self.node, yaml.SequenceNode):
            self.fail("expected a list", _shown(self.node))
        items = [self.at(node, f"{self.key}[{index}]") for index, node in enumerate(self.node.value)]
        if not items and not empty_ok:
            self.fail("expected a list of one or more entries", "[]")
        return items

    def text(self, *, fix: str | None = None) -> str:
        """A scalar as written: `version: 3.10` is "3.10", not the number YAML would make of it."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag not in _SCALARS:
            self.fail("expected text", _shown(self.node), fix=fix)
        text = str(self.node.value).strip()
        if not text:
            self.fail("expected text", "''", fix=fix)
        return text

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.sequence(empty_ok=False))

    def boolean(self) -> bool:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _BOOL:
            self.fail("expected true or false", _shown(self.node))
        return str(self.node.value).lower() in ("true", "yes", "on", "y")

    def yes(self, key: str) -> bool:
        """A flag that may only be `true` (say nothing for false)."""
        if not self.boolean():
            self.fail(f"{key} may only be true", "false", fix=f"leave {key} out instead")
        return True

    def number(self) -> float:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag not in (_INT, _FLOAT):
            self.fail("expected a number", _shown(self.node))
        try:
            return float(str(self.node.value).replace("_", ""))
        except ValueError:
            self.fail("expected a number", _shown(self.node))

    def whole(self) -> int:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _INT:
            self.fail("expected a whole number", _shown(self.node))
        try:
            return int(str(self.node.value).replace("_", ""), 0)
        except ValueError:
            self.fail("expected a whole number", _shown(self.node))

    def specifier(self, *, what: str = "version") -> SpecifierSet:
        """A version specifier some version can satisfy."""
        example = "'>=2.4,<2.5'" if what == "version" else "'>=12.1'"
        text = self.text(fix=f"write it as text, e.g. {example}")
        try:
            specifier = SpecifierSet(text)
        except InvalidSpecifier:
            self.fail(
                "not a version specifier",
                repr(text),
                fix=f"write a PEP 440 specifier such as {example} (a bare version is '==X.Y')",
            )
        if not str(specifier):
            self.fail("not a version specifier", repr(text), fix=f"write a specifier such as {example}")
        if not validate.satisfiable(specifier):
            self.fail(
                f"no {what} satisfies this specifier",
                repr(text),
                fix="correct the bounds: as written the rule can never apply",
            )
        return specifier

    def package_name(self) -> NormalizedName:
        text = self.text()
        canonical = canonicalize_name(text)
        if text != canonical:
            self.fail("not a normalised package name", repr(text), fix=f"write {canonical!r}")
        return canonical

    def link(self) -> str:
        text = self.text(fix="give the source's address, e.g. https://...")
        if not _LINK.fullmatch(text):
            self.fail(
                "expected a link (https://...)", repr(text), fix="give the address of the fact's source"
            )
        return text

    def child_of(self, name: str) -> _At:
        """The value at `name` in this mapping node (which must hold it)."""
        assert isinstance(self.node, yaml.MappingNode)
        for key_node, value_node in self.node.value:
            if key_node.value == name:
                return self.at(value_node, f"{self.key}.{name}" if self.key else name)
        raise KeyError(name)


class _Fields:
    """A mapping's values by key, each an `_At`."""

    def __init__(self, owner: _At, values: dict[str, _At]) -> None:
        self.owner = owner
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str) -> _At | None:
        """The value at `name`; None when the key is absent (a `null` value is returned as such)."""
        return self.values.get(name)

    def given(self, name: str) -> _At | None:
        """The value at `name`, None when absent or null."""
        value = self.values.get(name)
        return None if value is None or value.is_null else value

    def required(self, name: str, *, fix: str | None = None) -> _At:
        value = self.given(name)
        if value is None:
            key = f"{self.owner.key}.{name}" if self.owner.key else name
            node = self.values[name].node if name in self.values else self.owner.node
            self.owner.at(node, key).fail("missing", fix=fix or f"give {name} a value")
        return value

    def read(self, name: str, reader: Callable[[_At], T]) -> T | None:
        value = self.given(name)
        return None if value is None else reader(value)


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "null" if node.tag == _NULL else repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


# -- a unit --------------------------------------------------------------------------------


def _unit(at: _At, position: int, lines: Sequence[str]) -> Prescription:
    # The name first, so that every later error (an unknown key too) can name the unit.
    peeked = _peek_name(at.node)
    if peeked is not None:
        at = at.named(peeked)
    fields = at.mapping(UNIT_KEYS, "a unit")
    name_at = fields.required("name", fix="give the unit a kebab-case name, e.g. tensorflow-needs-avx")
    name = name_at.text()
    if not UNIT_NAME.fullmatch(name):
        name_at.fail(
            "not a unit name",
            repr(name),
            fix="use lower-case letters and digits in words joined by '-', e.g. tensorflow-needs-avx",
        )
    fields = _Fields(at.named(name), {key: value.named(name) for key, value in fields.values.items()})
    type_at = fields.required("type", fix=f"say which type of unit it is: {', '.join(UNIT_TYPES)}")
    kind = type_at.text()
    if kind not in UNIT_TYPES:
        close = difflib.get_close_matches(kind, UNIT_TYPES, n=1, cutoff=0.6)
        type_at.fail(
            "unknown unit type",
            repr(kind),
            fix=f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(UNIT_TYPES)}",
        )
    description = fields.required("description", fix="say in one sentence what the unit does and why").text()
    conditions = fields.read("should_include", _conditions) or Conditions()
    match = _match(fields, kind)
    run = _run(fields.required("run", fix="say what the unit does under run:"), kind, match)
    return Prescription(
        name=name,
        type=kind,
        description=description,
        conditions=conditions,
        match=match,
        run=run,
        source=at.path,
        position=position,
        line=at.node.start_mark.line + 1,
        text=_written(at.node, lines),
    )


def _peek_name(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == "name" and isinstance(value_node, yaml.ScalarNode) and value_node.tag == _STR:
            name = str(value_node.value)
            return name if UNIT_NAME.fullmatch(name) else None
    return None


def _written(node: yaml.Node, lines: Sequence[str]) -> str:
    """The unit's lines as written, dedented; a flow-style unit shares its lines, so it is dumped."""
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        dumped = yaml.safe_dump([yaml.safe_load(yaml.serialize(node))], sort_keys=False)
        return str(dumped)
    first = node.start_mark.line
    last = _last_line(node)
    chunk = list(lines[first : last + 1])
    column = node.start_mark.column
    # The item's first line starts with its `- `: keep it, and the rest as indented under it.
    dash = chunk[0].rfind("-", 0, column)
    indent = dash if dash >= 0 else column
    return "\n".join(line[indent:] if line[:indent].strip() == "" else line for line in chunk) + "\n"


def _last_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.MappingNode) and node.value:
        return _last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1])
    end = node.end_mark
    # A block scalar's end mark sits at the start of the next line.
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


# -- should_include ------------------------------------------------------------------------


def _conditions(at: _At) -> Conditions:
    fields = at.mapping(CONDITION_KEYS, "should_include")
    return Conditions(
        recommendation_types=fields.read("recommendation_types", _recommendation_types),
        environment=fields.read("runtime_environment", _environment) or EnvironmentConditions(),
        library_usage=fields.read("library_usage", _library_usage),
        labels=fields.read("labels", _labels) or (),
    )


def _recommendation_type(at: _At) -> RecommendationType:
    text = at.text()
    try:
        return RecommendationType(text)
    except ValueError:
        at.fail("unknown recommendation type", repr(text), fix=f"use one of {_TYPES_SHOWN}")


def _recommendation_types(at: _At) -> frozenset[RecommendationType]:
    if isinstance(at.node, yaml.MappingNode):
        fields = at.mapping(("not",), "recommendation_types")
        excluded = fields.required("not", fix="list the types the unit is not for")
        named = frozenset(_recommendation_type(item) for item in excluded.sequence(empty_ok=False))
        chosen = frozenset(RecommendationType) - named
        if not chosen:
            excluded.fail(
                "excludes every recommendation type, so the unit never runs",
                repr(sorted(t.value for t in named)),
                fix="leave some type out of the list, or remove the unit",
            )
        return chosen
    items = at.sequence()
    if not items:
        at.fail(
            "names no recommendation type, so the unit never runs",
            "[]",
            fix=f"list the types it is for ({_TYPES_SHOWN}), or leave the key out for all of them",
        )
    return frozenset(_recommendation_type(item) for item in items)


def _version_condition(at: _At | None, what: str) -> VersionCondition:
    if at is None:
        return None
    if at.is_null:
        return ABSENT
    return at.specifier(what=what)


def _environment(at: _At) -> EnvironmentConditions:
    fields = at.mapping(ENVIRONMENT_KEYS, "runtime_environment")
    conditions = EnvironmentConditions(
        operating_systems=fields.read("operating_systems", _operating_systems),
        python_version=fields.read("python_version", lambda a: a.specifier(what="Python version")),
        cuda_version=_version_condition(fields.get("cuda_version"), "CUDA version"),
        driver_cuda_version=_version_condition(fields.get("driver_cuda_version"), "CUDA version"),
        cudnn_version=_version_condition(fields.get("cudnn_version"), "cuDNN version"),
        driver_version=_version_condition(fields.get("driver_version"), "driver version"),
        cpu_flags=fields.read("cpu_flags", _cpu_flags),
        cpu=fields.read("cpu", _cpu),
        gpu=fields.read("gpu", _gpu),
        platforms=fields.read("platforms", _platforms),
        base_images=fields.read("base_images", lambda a: a.texts()),
        system_packages=fields.read("system_packages", _system_packages),
        python_packages=fields.read("python_packages", _python_packages),
    )
    impossible = validate.impossible_environment(conditions)
    if impossible is not None:
        key, reason = impossible
        fields.required(key).fail(
            f"no machine meets these conditions together: {reason}",
            fix="correct the conditions, or remove the one that cannot hold",
        )
    return conditions


def _operating_systems(at: _At) -> tuple[OperatingSystemCondition, ...]:
    found = []
    for item in at.sequence(empty_ok=False):
        fields = item.mapping(("name", "version"), "an operating system")
        name = fields.required("name", fix="name the system as os-release's ID does, e.g. rhel").text()
        if name != name.lower():
            fields.required("name").fail("expected an os-release ID (lower case)", repr(name))
        found.append(
            OperatingSystemCondition(
                name, fields.read("version", lambda a: a.specifier(what="system version"))
            )
        )
    return tuple(found)


def _presence(at: _At, what: str, read: Callable[[_At], str]) -> tuple[Presence, _Fields]:
    fields = at.mapping(("present", "absent"), what)
    present = fields.read("present", lambda a: tuple(read(i) for i in a.sequence(empty_ok=False))) or ()
    absent = fields.read("absent", lambda a: tuple(read(i) for i in a.sequence(empty_ok=False))) or ()
    if not present and not absent:
        at.fail(f"{what} lists nothing", fix="list names under present: or absent:")
    return Presence(present, absent), fields


def _cpu_flag(at: _At) -> str:
    text = at.text()
    if not _CPU_FLAG.fullmatch(text):
        at.fail(
            "not a CPU flag as /proc/cpuinfo names it",
            repr(text),
            fix=f"write it in lower case, e.g. {text.lower()!r}",
        )
    return text


def _cpu_flags(at: _At) -> Presence:
    presence, fields = _presence(at, "cpu_flags", _cpu_flag)
    both = validate.both_ways(presence)
    if both is not None:
        fields.required("absent").fail(
            "no CPU has a flag and lacks it",
            repr(both),
            fix="list the flag as present or as absent, not both",
        )
    return presence


def _system_packages(at: _At) -> Presence:
    presence, fields = _presence(at, "system_packages", lambda a: a.text())
    both = validate.both_ways(presence)
    if both is not None:
        fields.required("absent").fail(
            "no machine has a package and lacks it",
            repr(both),
            fix="list the package as present or as absent, not both",
        )
    return presence


def _requirement(at: _At) -> str:
    text = at.text()
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        at.fail("not a requirement", repr(text), fix="write a name and a specifier, e.g. 'numpy>=2'")
    if requirement.name != canonicalize_name(requirement.name):
        at.fail(
            "not a normalised package name",
            repr(requirement.name),
            fix=f"write {canonicalize_name(requirement.name)!r}",
        )
    if requirement.marker is not None or requirement.extras or requirement.url:
        at.fail("expected a name and a version specifier only", repr(text))
    if str(requirement.specifier) and not validate.satisfiable(requirement.specifier):
        at.fail(
            "no version satisfies this specifier",
            repr(text),
            fix="correct the bounds: as written the rule can never apply",
        )
    return text


def _python_packages(at: _At) -> Presence:
    presence, fields = _presence(at, "python_packages", _requirement)
    impossible = validate.impossible_python_packages(presence)
    if impossible is not None:
        fields.required("absent" if presence.absent else "present").fail(
            "no installed version of the package meets these conditions together",
            repr(impossible),
            fix="leave some version of the package possible: one installed version must meet every "
            "present: entry and no absent: one",
        )
    return presence


def _cpu(at: _At) -> CpuCondition:
    fields = at.mapping(("vendors", "families", "models"), "cpu")
    if not fields.values:
        at.fail("cpu lists nothing", fix="give vendors, families or models, or leave cpu out")
    return CpuCondition(
        vendors=fields.read("vendors", lambda a: a.texts()) or (),
        families=fields.read("families", lambda a: tuple(i.whole() for i in a.sequence(empty_ok=False)))
        or (),
        models=fields.read("models", lambda a: tuple(i.whole() for i in a.sequence(empty_ok=False))) or (),
    )


def _gpu(at: _At) -> GpuCondition:
    fields = at.mapping(("models", "compute_capability"), "gpu")
    if not fields.values:
        at.fail("gpu lists nothing", fix="give models or compute_capability, or leave gpu out")
    return GpuCondition(
        models=fields.read("models", lambda a: a.texts()) or (),
        compute_capability=fields.read(
            "compute_capability", lambda a: a.specifier(what="compute capability")
        ),
    )


def _platforms(at: _At) -> tuple[str, ...]:
    found = []
    for item in at.sequence(empty_ok=False):
        text = item.text()
        if not _PLATFORM.fullmatch(text) or not validate.platform_systems(text):
            item.fail(
                "not a platform",
                repr(text),
                fix="write system-architecture: linux-x86_64, linux-aarch64, macos-arm64, windows-x86_64 "
                "(patterns such as macos-* allowed)",
            )
        found.append(text)
    return tuple(found)


def _library_usage(at: _At) -> LibraryUsageCondition:
    fields = at.mapping(("all", "any"), "library_usage")
    if len(fields.values) != 1:
        at.fail(
            "expected one of all: or any:",
            fix="all: the code uses every symbol listed; any: at least one of them",
        )
    (key, value), *_ = fields.values.items()
    return LibraryUsageCondition(value.texts(), require_all=key == "all")


def _labels(at: _At) -> tuple[tuple[str, str], ...]:
    if not isinstance(at.node, yaml.MappingNode):
        at.fail("expected a mapping of label names to values", _shown(at.node))
    labels = []
    for key_node, value_node in at.node.value:
        label = at.at(value_node, f"{at.key}.{key_node.value}")
        labels.append((at.at(key_node, label.key).text(), label.text()))
    return tuple(labels)


# -- match ---------------------------------------------------------------------------------


def _match(fields: _Fields, kind: str) -> Match:
    at = fields.given("match")
    if at is None:
        if kind == "stride":
            fields.required(
                "match", fix="list the pins the stack must hold under match: {stack: {contains: [...]}}"
            )
        if kind in _NEEDS_MATCH:
            fields.required("match", fix=f"say which packages the {kind} acts on under match:")
        return Match()
    if isinstance(at.node, yaml.SequenceNode):
        if kind not in ("sieve", "step", "pseudonym"):
            at.fail(f"a {kind} matches one mapping, not a list", fix="write match: as a mapping")
        packages = []
        for item in at.sequence(empty_ok=False):
            entry = item.mapping(("package",), f"a {kind}'s match")
            packages.append(_package(entry.required("package"), with_index=True))
        return Match(packages=tuple(packages))
    entry = at.mapping(MATCH_KEYS[kind], f"a {kind}'s match")
    if kind == "boot":
        name = (
            entry.required("package").mapping(("name",), "a boot's package").required("name").package_name()
        )
        return Match(packages=(PackageMatch(name),))
    if kind in ("stride", "wrap"):
        stack = entry.given("stack")
        if stack is None:
            if kind == "stride":
                entry.required("stack", fix="say which pins the stack must contain under stack.contains")
            return Match()
        contains = stack.mapping(("contains",), "stack").required("contains", fix="list the pins")
        return Match(stack=tuple(_pin(item) for item in contains.sequence(empty_ok=False)))
    together = entry.given("together")
    introduced_by = entry.given("introduced_by")
    package = entry.given("package")
    if kind == "step" and together is not None:
        if package is not None or introduced_by is not None:
            at.fail("together: stands alone", fix="a rule on pins together names no other package")
        pins = tuple(_pin(item) for item in together.sequence(empty_ok=False))
        if len(pins) < 2 or len({pin.name for pin in pins}) != len(pins):
            together.fail("expected two or more different packages", fix="list each package once")
        return Match(together=pins)
    if package is None:
        entry.required("package", fix=f"name the package the {kind} acts on")
    assert package is not None
    if introduced_by is not None:
        child = _package(package, with_index=False)
        parent = _pin(introduced_by)
        if parent.name == child.name:
            introduced_by.fail("a package is not introduced by itself", repr(parent.name))
        return Match(packages=(child,), introduced_by=parent)
    return Match(packages=(_package(package, with_index=True),))


def _package(at: _At, *, with_index: bool) -> PackageMatch:
    keys = ("name", "version", "index") if with_index else ("name", "version")
    fields = at.mapping(keys, "a package")
    name = fields.required("name", fix="name the package as the index does, normalised").package_name()
    return PackageMatch(
        name=name,
        version=fields.read("version", lambda a: a.specifier()),
        index=fields.read("index", lambda a: a.text()),
    )


def _pin(at: _At) -> Pin:
    fields = at.mapping(("name", "version"), "a package")
    name = fields.required("name", fix="name the package as the index does, normalised").package_name()
    return Pin(name, fields.read("version", lambda a: a.specifier()))


# -- run -----------------------------------------------------------------------------------


def _run(at: _At, kind: str, match: Match) -> Run:
    fields = at.mapping(RUN_KEYS[kind], f"a {kind}'s run")
    removes = False
    score = fields.read("score", _score)
    not_acceptable = fields.read("not_acceptable", lambda a: a.yes("not_acceptable")) or False
    remove = fields.read("remove", lambda a: a.yes("remove")) or False
    skip_package = fields.read("skip_package", lambda a: a.yes("skip_package")) or False
    if kind == "sieve":
        if remove == skip_package:
            at.fail(
                "a sieve either removes the matching releases or skips the package",
                fix="say remove: true or skip_package: true (one of them)",
            )
        removes = remove
    if kind == "step" and (match.together or match.introduced_by is not None):
        if score is not None:
            fields.required("score").fail(
                "a stack rule forbids its pins together; it gives no score",
                fix="leave score out (not_acceptable: true may stay)",
            )
    elif kind in ("step", "stride"):
        if score is None and not not_acceptable:
            at.fail(f"a {kind} scores or rejects", fix="give score: (from -1 to 1) or not_acceptable: true")
        removes = not_acceptable and kind == "step"
    when_empty = fields.read("when_empty", lambda a: a.text())
    if when_empty is not None:
        where = fields.required("when_empty")
        if not removes:
            where.fail(
                "when_empty applies to removals only",
                fix="leave it out, or give remove: true (a sieve) or not_acceptable: true (a step)",
            )
        if when_empty not in WHEN_EMPTY:
            where.fail(
                "expected fail or warn",
                repr(when_empty),
                fix="fail stops the run (crashes, broken installs); warn keeps the releases and warns",
            )
    placeholders = _placeholders(kind, match)
    # Advice and good news read as information; removals, rejections and penalties as warnings.
    default = "INFO" if kind in ("boot", "wrap") or (score or 0.0) > 0 else "WARNING"
    justification = fields.read("justification", lambda a: _justification(a, placeholders, default=default))
    stack_info = (
        fields.read(
            "stack_info",
            lambda a: tuple(
                _justification(i, placeholders, default="INFO") for i in a.sequence(empty_ok=False)
            ),
        )
        or ()
    )
    needs_justification = kind != "boot" or not_acceptable
    if justification is None and needs_justification:
        fields.required("justification", fix="give its type, message and link (the fact's source)")
    if kind == "boot" and not stack_info and not not_acceptable:
        at.fail("a boot adds stack_info or stops the run", fix="give stack_info: or not_acceptable: true")
    alternative = None
    if kind == "pseudonym":
        alternative_at = fields.required("alternative", fix="name the package offered instead")
        alternative = _alternative(alternative_at)
        _check_alternative(alternative_at, alternative, match)
    environment = fields.read("advised_environment", _advised_environment) or ()
    changes = list(fields.read("advised_manifest_changes", _manifest_changes) or ())
    added = fields.read("add_package", _add_package)
    if added is not None:
        assert justification is not None
        changes.append(ManifestChange("add", added[0], added[1], justification.message))
    return Run(
        justification=justification,
        remove=remove,
        skip_package=skip_package,
        score=score,
        not_acceptable=not_acceptable,
        when_empty=when_empty or "fail",
        alternative=alternative,
        stack_info=stack_info,
        advised_environment=environment,
        advised_manifest_changes=tuple(changes),
    )


def _score(at: _At) -> float:
    value = at.number()
    if not -1.0 <= value <= 1.0:
        at.fail("a score is from -1 to 1", _shown(at.node), fix="give a score from -1 (worst) to 1 (best)")
    return value


def _placeholders(kind: str, match: Match) -> frozenset[str]:
    if kind in ("sieve", "step", "pseudonym") or match.stack:
        return frozenset({"package", "version"})
    if kind == "boot" and match.packages:
        return frozenset({"package"})
    return frozenset()


def _justification(at: _At, placeholders: frozenset[str], *, default: str) -> JustificationSpec:
    fields = at.mapping(("type", "message", "link"), "a justification")
    kind_text = fields.read("type", lambda a: a.text()) or default
    try:
        kind = JustificationType(kind_text)
    except ValueError:
        fields.required("type").fail(
            "unknown justification type", repr(kind_text), fix="use INFO, WARNING or ERROR"
        )
    message_at = fields.required("message", fix="say what the fact is and what it means here")
    message = message_at.text()
    for found in _PLACEHOLDER.findall(message):
        if found not in placeholders:
            allowed = " and ".join("{" + name + "}" for name in sorted(placeholders)) or "none"
            message_at.fail(
                f"unknown placeholder {{{found}}} in the message",
                repr(message),
                fix=f"this unit's messages may use {allowed}",
            )
    link = fields.required("link", fix="give the address of the fact's source").link()
    return JustificationSpec(kind, message, link)


def _alternative(at: _At) -> Alternative:
    fields = at.mapping(("name", "version", "index"), "an alternative")
    name = fields.required("name", fix="name the package offered instead").package_name()
    version = fields.read("version", lambda a: a.text())
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            fields.required("version").fail(
                "not a version", repr(version), fix="give an exact version, or null for the candidate's own"
            )
    return Alternative(name, version, fields.read("index", lambda a: a.text()))


def _check_alternative(at: _At, alternative: Alternative, match: Match) -> None:
    same = [p for p in match.packages if p.name == alternative.name]
    if same and alternative.version is None and alternative.index is None:
        at.fail(
            "offers the candidate itself",
            repr(alternative.name),
            fix="name another package, or give another version or index",
        )


def _advised_environment(at: _At) -> tuple[tuple[str, str], ...]:
    if not isinstance(at.node, yaml.MappingNode):
        at.fail("expected a mapping of environment variables to values", _shown(at.node))
    found = []
    for key_node, value_node in at.node.value:
        name = at.at(key_node, f"{at.key}.{key_node.value}").text()
        if not _ENVIRONMENT_VARIABLE.fullmatch(name):
            at.at(key_node, f"{at.key}.{name}").fail("not an environment variable name", repr(name))
        found.append((name, at.at(value_node, f"{at.key}.{name}").text(fix='quote the value, e.g. "1"')))
    return tuple(found)


def _manifest_changes(at: _At) -> tuple[ManifestChange, ...]:
    found = []
    for item in at.sequence(empty_ok=False):
        fields = item.mapping(("action", "package", "requirement", "reason"), "a manifest change")
        action = fields.required("action", fix="say add, remove or change").text()
        if action not in ("add", "remove", "change"):
            fields.required("action").fail("expected add, remove or change", repr(action))
        package = fields.required("package").package_name()
        requirement = fields.read("requirement", _requirement)
        if requirement is not None and canonicalize_name(Requirement(requirement).name) != package:
            fields.required("requirement").fail(f"names another package than {package!r}", repr(requirement))
        if requirement is None and action != "remove":
            fields.required("requirement", fix=f"give the requirement to {action}, e.g. '{package}>=1'")
        reason = fields.required("reason", fix="say why the change is advised").text()
        found.append(ManifestChange(action, package, requirement, reason))
    return tuple(found)


def _add_package(at: _At) -> tuple[str, str]:
    text = _requirement(at)
    return canonicalize_name(Requirement(text).name), text
