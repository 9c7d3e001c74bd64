""".thoth.yaml: Thoth's client configuration read as it is, checked key by key, environments saved into it.

Thoth's clients (Thamos, the Kebechet bots) keep their settings in `.thoth.yaml` at the
root of a repository. thoth reads the same file: `runtime_environments` name the machines
a project is locked for, `overlays_dir` keeps one lock per environment, `advisories` (thoth's
own) names folders of security advisories to read instead of asking the OSV API,
`prescriptions` (thoth's own too) folders of the project's prescriptions, and the
service settings (`host`, `tls_verify`, `managers`...) are accepted and left alone. thoth adds a
few fields to an environment entry (`platform_tag`, `glibc`, `cpu_flags`,
`driver_version`) that Thoth's schema lacks.

Every key is checked: an unknown one, or a value of the wrong kind, is a `ConfigError`
naming the file, the line and the key's path (`runtime_environments[1].hardware.cpu_model`).
Saving an environment (`save_environment`) rewrites only that entry's lines, so the rest
of the file, comments included, stays as the user wrote it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from thoth_cli.errors import ConfigError, Location
from thoth_cli.lock.atomic import write_atomic
from thoth_cli.target import Platform, Target, TargetError

if TYPE_CHECKING:
    from thoth_cli.discovery.model import PythonInterpreter, RuntimeEnvironment

CONFIG_NAME = ".thoth.yaml"

RECOMMENDATION_TYPES = ("latest", "stable", "performance", "security", "testing")
"""Thoth's recommendation types, as an environment entry may name them."""

REQUIREMENTS_FORMATS = ("pipenv", "pip", "pip-tools", "pip-compile")

IGNORED_KEYS: dict[str, str] = {
    "host": "the Thoth service to ask",
    "tls_verify": "TLS checks with the Thoth service",
    "requirements_format": "the manifest format Thamos writes",
    "managers": "Kebechet's bots",
    "virtualenv": "the virtual environment Thamos manages",
    "managed": "whether Thoth's bots manage the repository",
}
"""Top-level keys of Thoth's own that do not change what thoth resolves, and what they are for."""

TOP_LEVEL_KEYS = ("runtime_environments", "overlays_dir", "advisories", "prescriptions", *IGNORED_KEYS)

ENVIRONMENT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")
"""Thoth's names (letters, digits, `_`, `-`, and `:` as its older template wrote them), and dots.

Names become folders under `overlays_dir`, so a name never starts with a dot or holds a slash.
"""

_VERSION = re.compile(r"\d+(\.\d+)*")
_GLIBC = re.compile(r"2\.\d+")
_PLAIN_SCALARS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class OperatingSystemSpec:
    """Thoth's `operating_system`: the distribution's name and version (`rhel`, `8`)."""

    name: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class HardwareSpec:
    """Thoth's `hardware`: the CPU's family and model numbers, and the GPU's model."""

    cpu_family: int | None = None
    cpu_model: int | None = None
    gpu_model: str | None = None


@dataclass(frozen=True, kw_only=True)
class EnvironmentSpec:
    """One entry of `runtime_environments`: the machine a lock is made for, as the user describes it.

    Thoth's fields come first; `platform_tag`, `glibc`, `cpu_flags` and `driver_version`
    are thoth's additions. `platform` is a sysconfig platform (`linux-x86_64`) or a wheel
    platform tag; `glibc` ("2.28") makes a Linux platform a manylinux one; `platform_tag`
    names the wheel platform exactly and agrees with the other two when they are given.
    Versions are text as written; `python_version` takes every form `--python-version` does.
    """

    name: str
    operating_system: OperatingSystemSpec | None = None
    hardware: HardwareSpec | None = None
    python_version: str | None = None
    cuda_version: str | None = None
    cudnn_version: str | None = None
    mkl_version: str | None = None
    openblas_version: str | None = None
    openmpi_version: str | None = None
    base_image: str | None = None
    platform: str | None = None
    recommendation_type: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    platform_tag: str | None = None
    glibc: str | None = None
    cpu_flags: tuple[str, ...] | None = None
    driver_version: str | None = None

    def target_platform(self) -> Platform | None:
        """The wheel platform the entry names (None: it names none, so this machine's is meant)."""
        return _entry_platform(self, _raise_plain)

    def target(self, *, python_version: str | None = None, platform: str | None = None) -> Target:
        """The target: the entry's Python and platform, each replaced by a flag's value when given.

        What the entry leaves out is this machine's, as for `--python-version` and
        `--platform`; a flag's bad value is a `TargetError` naming the flag.
        """
        chosen_platform = self.target_platform()
        return Target.from_options(
            python_version or self.python_version,
            platform or (None if chosen_platform is None else str(chosen_platform)),
        )

    def record(self) -> dict[str, object]:
        """What a lock records of the environment beside its target: all but the Python and platform."""
        data = self.as_dict()
        for key in ("python_version", "platform", "platform_tag", "glibc"):
            data.pop(key, None)
        return data

    def as_dict(self) -> dict[str, Any]:
        """The entry as `.thoth.yaml` holds it, in the order of Thoth's template; unset fields left out."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, (OperatingSystemSpec, HardwareSpec)):
                value = {k: v for k, v in vars(value).items() if v is not None} or None
            elif isinstance(value, Mapping):
                value = dict(value) or None
            elif isinstance(value, tuple):
                value = list(value)
            if value is not None:
                data[item.name] = value
        return data


@dataclass(frozen=True)
class AdvisoryFolder:
    """An entry of `advisories`: a folder of OSV records, as written and as found from the file's folder."""

    written: str
    path: Path
    """`written` taken from the configuration file's folder when relative."""
    location: Location
    """Where the entry is written, for an error about the folder it names."""


@dataclass(frozen=True)
class ThothConfig:
    """A `.thoth.yaml` as read: its environments, the overlays folder, the advisory and prescription
    folders, notes on what thoth leaves alone.

    `prescriptions` are folders of prescription files, relative ones taken from the file's
    folder, in the order written (a later folder's unit replaces an earlier one's).
    """

    path: Path
    runtime_environments: tuple[EnvironmentSpec, ...] = ()
    overlays_dir: str | None = None
    notes: tuple[str, ...] = ()
    advisories: tuple[AdvisoryFolder, ...] = ()
    prescriptions: tuple[Path, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.runtime_environments)

    def environment(self, name: str) -> EnvironmentSpec | None:
        for entry in self.runtime_environments:
            if entry.name == name:
                return entry
        return None

    def overlay(self, name: str) -> Path | None:
        """The folder of environment `name`'s own manifest and lock, when the file sets `overlays_dir`."""
        if self.overlays_dir is None:
            return None
        return self.path.parent / self.overlays_dir / name


def find_config(start: Path) -> Path | None:
    """The `.thoth.yaml` in `start` or the nearest folder above it, as Thamos finds it.

    The search stops at the repository's root (a folder holding `.git`), `start` included,
    so that a stray file in a home folder never configures a project. `start` is kept as
    given, so a relative start gives a relative path to show.
    """
    for folder in (start, *start.resolve().parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
        if (folder / ".git").exists():
            return None
    return None


def read_config(path: Path) -> ThothConfig:
    """Read and check `path`; a `ConfigError` (exit 4) names the line and key of any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "no such file",
            location=Location(path),
            fix="save an environment into it with `thoth discover --save NAME`",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("cannot be read", location=Location(path), text=str(exc)) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> ThothConfig:
    """Check and read the text of a `.thoth.yaml`; `path` is named in errors."""
    return _parse(text, path)[0]


def environment_name_error(name: str) -> str | None:
    """Why `name` cannot name an environment, or None when it can."""
    if ENVIRONMENT_NAME.fullmatch(name):
        return None
    return "a name is letters, digits, '_', '-', '.' and ':', and does not start with '.', '-' or ':'"


# Reading ---------------------------------------------------------------------------------


class _Source:
    """The file being read: its path for errors, and a constructor for typed scalars."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(
        self, node: yaml.Node, key: str | None, problem: str, text: str | None = None, fix: str | None = None
    ) -> NoReturn:
        raise ConfigError(
            problem, location=Location(self.path, node.start_mark.line + 1, key), text=text, fix=fix
        )

    def value(self, node: yaml.Node) -> Any:
        return self.constructor.construct_object(node, deep=True)


def _shown(node: yaml.Node) -> str:
    """A node's text as written, for messages."""
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


class _Mapping:
    """A YAML mapping whose keys are checked against the known ones; `key` is its dotted path."""

    def __init__(self, source: _Source, node: yaml.Node, key: str, known: Sequence[str], what: str) -> None:
        self.source = source
        self.node = node
        self.key = key
        if not isinstance(node, yaml.MappingNode):
            source.fail(node, key or None, f"expected {what} (a mapping)", _shown(node))
        self.values: dict[str, yaml.Node] = {}
        self.keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(name, str) or key_node.tag != "tag:yaml.org,2002:str":
                source.fail(key_node, key or None, f"a key of {what} must be text", _shown(key_node))
            path = self.path(name)
            if name in self.values:
                first = self.keys[name].start_mark.line + 1
                source.fail(
                    key_node, path, f"key given twice (first on line {first})", repr(name), "keep one of them"
                )
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                hint = (
                    f"did you mean {close[0]!r}?" if close else f"the keys of {what} are {', '.join(known)}"
                )
                source.fail(key_node, path, f"unknown key in {what}", repr(name), hint)
            self.keys[name] = key_node
            self.values[name] = value_node

    def path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def node_of(self, name: str) -> yaml.Node | None:
        node = self.values.get(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return None
        return node

    def text(self, name: str, *, pattern: re.Pattern[str] | None = None, form: str = "") -> str | None:
        """A scalar as written: `version: 3.10` is "3.10", not the number 3.1 YAML would make of it."""
        node = self.node_of(name)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN_SCALARS:
            self.source.fail(
                node, self.path(name), "expected text", _shown(node), f'write it as {name}: "..."'
            )
        text = str(node.value).strip()
        if pattern is not None and not pattern.fullmatch(text):
            self.source.fail(node, self.path(name), f"expected {form}", repr(text))
        return text

    def integer(self, name: str) -> int | None:
        node = self.node_of(name)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.source.fail(node, self.path(name), "expected a whole number", _shown(node))
        value = self.source.value(node)
        assert isinstance(value, int)
        return value

    def boolean(self, name: str) -> bool | None:
        node = self.node_of(name)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            self.source.fail(node, self.path(name), "expected true or false", _shown(node))
        return bool(self.source.value(node))

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            node = self.values[name]
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(choices)}"
            self.source.fail(
                node, self.path(name), f"expected one of {', '.join(choices)}", repr(value), hint
            )
        return value

    def sequence(self, name: str) -> list[yaml.Node] | None:
        node = self.node_of(name)
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.source.fail(node, self.path(name), "expected a list", _shown(node))
        return list(node.value)

    def texts(self, name: str) -> tuple[str, ...] | None:
        items = self.sequence(name)
        if items is None:
            return None
        texts = []
        for index, item in enumerate(items):
            if not isinstance(item, yaml.ScalarNode) or item.tag not in _PLAIN_SCALARS:
                self.source.fail(item, f"{self.path(name)}[{index}]", "expected text", _shown(item))
            texts.append(str(item.value).strip())
        return tuple(texts)

    def labels(self, name: str) -> dict[str, str]:
        node = self.node_of(name)
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.source.fail(
                node, self.path(name), "expected a mapping of label names to values", _shown(node)
            )
        labels: dict[str, str] = {}
        for key_node, value_node in node.value:
            label = f"{self.path(name)}.{key_node.value}"
            for part in (key_node, value_node):
                if not isinstance(part, yaml.ScalarNode) or part.tag not in _PLAIN_SCALARS:
                    self.source.fail(part, label, "a label's name and value are text", _shown(part))
            labels[str(key_node.value)] = str(value_node.value)
        return labels


_ENVIRONMENT_KEYS = tuple(item.name for item in fields(EnvironmentSpec))


def _parse(text: str, path: Path) -> tuple[ThothConfig, yaml.Node | None]:
    source = _Source(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(
            "not valid YAML",
            location=Location(path, None if mark is None else mark.line + 1),
            text=exc.problem or str(exc),
            fix="correct the YAML syntax at that line",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError("not valid YAML", location=Location(path), text=str(exc)) from None
    if root is None:
        return ThothConfig(path), None
    top = _Mapping(source, root, "", TOP_LEVEL_KEYS, "the configuration")
    overlays_dir = top.text("overlays_dir")
    if overlays_dir is not None and (Path(overlays_dir).is_absolute() or not overlays_dir):
        top.source.fail(
            top.values["overlays_dir"],
            "overlays_dir",
            "expected a folder relative to the configuration file",
            repr(overlays_dir),
            "write it as Thoth does, e.g. overlays_dir: overlays",
        )
    top.choice("requirements_format", REQUIREMENTS_FORMATS)
    top.boolean("tls_verify")
    top.boolean("virtualenv")
    top.text("host")
    top.sequence("managers")
    entries: list[EnvironmentSpec] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(top.sequence("runtime_environments") or ()):
        entry = _environment(source, node, f"runtime_environments[{index}]")
        if entry.name in seen:
            source.fail(
                node,
                f"runtime_environments[{index}].name",
                f"the name is taken by runtime_environments[{seen[entry.name]}]",
                repr(entry.name),
                "give each environment its own name",
            )
        seen[entry.name] = index
        entries.append(entry)
    ignored = [key for key in IGNORED_KEYS if key in top.values]
    notes = tuple(
        f"{path}: {key} is Thoth's setting for {IGNORED_KEYS[key]}; thoth leaves it alone" for key in ignored
    )
    prescriptions = tuple(
        folder.path for folder in _folders(top, "prescriptions", "prescriptions", "prescription files")
    )
    advisories = _folders(top, "advisories", "advisory-database", "OSV records")
    return ThothConfig(path, tuple(entries), overlays_dir, notes, advisories, prescriptions), root


def _folders(top: _Mapping, key: str, example: str, holding: str) -> tuple[AdvisoryFolder, ...]:
    """`key: [DIR, ...]`: folders of `holding`, relative ones taken from the file's folder.

    Whether each folder exists is for the command reading it to say (with the entry's
    location): a missing one must not stop `thoth discover --save` from editing the file.
    """
    source = top.source
    node = top.node_of(key)
    if node is not None and not isinstance(node, yaml.SequenceNode):
        source.fail(
            node,
            key,
            "expected a list of folders",
            _shown(node),
            f"write it as a list, e.g. {key}: [{example}]",
        )
    items = top.sequence(key)
    if items is None:
        return ()
    folders = []
    for index, item in enumerate(items):
        item_key = f"{key}[{index}]"
        if (
            not isinstance(item, yaml.ScalarNode)
            or item.tag not in _PLAIN_SCALARS
            or not str(item.value).strip()
        ):
            source.fail(
                item,
                item_key,
                f"expected a folder of {holding}",
                _shown(item),
                "write each folder as text, relative to the configuration file or absolute",
            )
        written = str(item.value).strip()
        folders.append(
            AdvisoryFolder(
                written=written,
                path=source.path.parent / Path(written).expanduser(),
                location=Location(source.path, item.start_mark.line + 1, item_key),
            )
        )
    return tuple(folders)


def _environment(source: _Source, node: yaml.Node, key: str) -> EnvironmentSpec:
    entry = _Mapping(source, node, key, _ENVIRONMENT_KEYS, "a runtime environment")
    name = entry.text("name")
    if name is None:
        source.fail(node, f"{key}.name", "missing", None, "give every runtime environment a name")
    problem = environment_name_error(name)
    if problem is not None:
        source.fail(entry.values["name"], f"{key}.name", "not a usable name", repr(name), problem)
    spec = EnvironmentSpec(
        name=name,
        operating_system=_operating_system(source, entry),
        hardware=_hardware(source, entry),
        python_version=entry.text("python_version"),
        cuda_version=entry.text("cuda_version", pattern=_VERSION, form="a version such as 12.4"),
        cudnn_version=entry.text("cudnn_version"),
        mkl_version=entry.text("mkl_version"),
        openblas_version=entry.text("openblas_version"),
        openmpi_version=entry.text("openmpi_version"),
        base_image=entry.text("base_image"),
        platform=entry.text("platform"),
        recommendation_type=entry.choice("recommendation_type", RECOMMENDATION_TYPES),
        labels=entry.labels("labels"),
        platform_tag=entry.text("platform_tag"),
        glibc=entry.text("glibc", pattern=_GLIBC, form="a glibc version such as 2.28"),
        cpu_flags=_cpu_flags(entry.texts("cpu_flags")),
        driver_version=entry.text(
            "driver_version", pattern=_VERSION, form="a driver version such as 550.54.14"
        ),
    )
    _check_python(source, entry, spec)

    def fail(name: str, problem: str, text: str, fix: str | None) -> NoReturn:
        source.fail(entry.values[name], entry.path(name), problem, repr(text), fix)

    _entry_platform(spec, fail)
    return spec


def _operating_system(source: _Source, entry: _Mapping) -> OperatingSystemSpec | None:
    node = entry.node_of("operating_system")
    if node is None:
        return None
    section = _Mapping(source, node, entry.path("operating_system"), ("name", "version"), "operating_system")
    return OperatingSystemSpec(section.text("name"), section.text("version"))


def _hardware(source: _Source, entry: _Mapping) -> HardwareSpec | None:
    node = entry.node_of("hardware")
    if node is None:
        return None
    section = _Mapping(
        source, node, entry.path("hardware"), ("cpu_family", "cpu_model", "gpu_model"), "hardware"
    )
    return HardwareSpec(
        section.integer("cpu_family"), section.integer("cpu_model"), section.text("gpu_model")
    )


def _cpu_flags(flags: tuple[str, ...] | None) -> tuple[str, ...] | None:
    # The kernel's flag names are lower case; so is what thoth compares them with.
    return None if flags is None else tuple(flag.lower() for flag in flags)


def _check_python(source: _Source, entry: _Mapping, spec: EnvironmentSpec) -> None:
    if spec.python_version is None:
        return
    try:
        # Any platform will do: only the Python version is being checked.
        Target.from_options(spec.python_version, "manylinux_2_17_x86_64")
    except TargetError as exc:
        source.fail(
            entry.values["python_version"], entry.path("python_version"), exc.problem, repr(exc.text), exc.fix
        )


_Fail = Callable[[str, str, str, "str | None"], NoReturn]
"""How a platform problem is reported: (key, problem, offending text, fix)."""


def _raise_plain(name: str, problem: str, text: str, fix: str | None) -> NoReturn:
    # An entry built in code rather than read from a file: the problem is in the values given.
    raise TargetError(f"{name} {problem}", text=text, fix=fix)


def _entry_platform(spec: EnvironmentSpec, fail: _Fail) -> Platform | None:
    """The platform `platform`, `glibc` and `platform_tag` name together; `fail` reports a conflict."""

    def parse(name: str, text: str) -> Platform:
        try:
            return Platform.parse(text)
        except TargetError as exc:
            fail(name, exc.problem, text, exc.fix)

    base = None if spec.platform is None else parse("platform", spec.platform)
    if spec.platform_tag is not None:
        exact = parse("platform_tag", spec.platform_tag)
        if base is not None and (base.os, base.arch) != (exact.os, exact.arch):
            fail(
                "platform_tag",
                f"does not name the same system as platform {spec.platform!r}",
                spec.platform_tag,
                "make platform and platform_tag agree, or leave one out",
            )
        if spec.glibc is not None and (exact.libc != "glibc" or _glibc(spec.glibc) != exact.libc_version):
            fail(
                "glibc",
                f"does not agree with platform_tag {spec.platform_tag!r}",
                spec.glibc,
                "make glibc and platform_tag agree, or leave glibc out",
            )
        return exact
    if spec.glibc is None:
        return base
    if base is None or base.os != "linux":
        fail(
            "glibc",
            "names a Linux C library, and the entry names no Linux platform for it",
            spec.glibc,
            "add the platform, e.g. platform: linux-x86_64",
        )
    major, minor = _glibc(spec.glibc)
    try:
        return Platform.parse(f"manylinux_{major}_{minor}_{base.arch}")
    except TargetError as exc:
        fail("glibc", exc.problem, spec.glibc, "name the glibc the machine has, e.g. 2.28")


def _glibc(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


# Writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """What `save_environment` did: `replaced` an entry of that name (else added it), left the
    file alone because the entry was already `unchanged`, or `rewritten` the whole file
    (comments lost) because its layout could not be edited in place."""

    path: Path
    replaced: bool
    rewritten: bool = False
    unchanged: bool = False


def sysconfig_platform(platform: Platform) -> str:
    """The platform as `sysconfig.get_platform()` spells it, which is what Thoth's `platform` holds."""
    if platform.os == "windows":
        return {"amd64": "win-amd64", "x86": "win32"}.get(platform.arch, f"win-{platform.arch}")
    if platform.os == "macos":
        assert platform.macos_version is not None
        major, minor = platform.macos_version
        return f"macosx-{major}.{minor}-{platform.arch}"
    return f"linux-{platform.arch}"


def describe_environment(
    name: str, environment: RuntimeEnvironment, *, base_image: str | None = None
) -> EnvironmentSpec:
    """The entry that describes a discovered environment, as `thoth discover --save` writes it.

    `cuda_version` is the installed toolkit's X.Y, as Thoth recorded it; what the driver
    runs follows from `driver_version`. `platform_tag` is written only when `platform`
    and `glibc` cannot say it (musl, a C library of unknown version).
    """
    system, python, cpu = environment.os, environment.python, environment.cpu
    platform = environment.platform
    glibc = None
    platform_tag = None
    if platform is not None:
        if platform.libc == "glibc" and platform.libc_version is not None:
            glibc = "{}.{}".format(*platform.libc_version)
        stated = replace(
            EnvironmentSpec(name=name), platform=sysconfig_platform(platform), glibc=glibc
        ).target_platform()
        if stated != platform:
            platform_tag = str(platform)
    gpu_model = environment.gpus[0].model if environment.gpus else None
    hardware = HardwareSpec(cpu.family if cpu else None, cpu.model if cpu else None, gpu_model)
    toolkit = environment.cuda_toolkit
    return EnvironmentSpec(
        name=name,
        operating_system=None if system is None else OperatingSystemSpec(system.id, system.version),
        hardware=None if hardware == HardwareSpec() else hardware,
        python_version=None if python is None else _python_text(python),
        cuda_version=None if toolkit is None else ".".join(toolkit.version.split(".")[:2]),
        cudnn_version=None if environment.cudnn is None else environment.cudnn.version,
        mkl_version=None if environment.mkl is None else environment.mkl.version,
        openblas_version=None if environment.openblas is None else environment.openblas.version,
        openmpi_version=None if environment.openmpi is None else environment.openmpi.version,
        base_image=base_image,
        platform=None if platform is None else sysconfig_platform(platform),
        platform_tag=platform_tag,
        glibc=glibc,
        cpu_flags=tuple(sorted(cpu.flags)) if cpu is not None and cpu.flags else None,
        driver_version=None if environment.nvidia_driver is None else environment.nvidia_driver.version,
    )


def _python_text(python: PythonInterpreter) -> str:
    """The interpreter as `--python-version` takes it: `3.12.4`, `3.13.1t`, `pypy3.10.14`, or X.Y."""
    parts = python.version if python.version_exact else python.version[:2]
    prefix = "pypy" if python.implementation == "pypy" else ""
    suffix = "t" if python.free_threaded else ""
    return prefix + ".".join(map(str, parts)) + suffix


def save_environment(path: Path, spec: EnvironmentSpec) -> SaveResult:
    """Add `spec` to the file at `path` (created if absent), or replace the entry of its name.

    The file is read and checked first (an invalid file is not written over); the other
    entries and top-level keys stay as they were, and the file is replaced atomically.
    """
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("cannot be read", location=Location(path), text=str(exc)) from None
    else:
        text = ""
    config, root = _parse(text, path)
    existing = config.environment(spec.name)
    if existing == spec:
        return SaveResult(path, replaced=True, unchanged=True)
    replaced = existing is not None
    expected = [spec if entry.name == spec.name else entry for entry in config.runtime_environments]
    if not replaced:
        expected.append(spec)
    edited = _edit(text, root, config, spec, expected)
    rewritten = False
    if edited is None or _parse_quietly(edited, path) != tuple(expected):
        edited = _dump_whole(text, expected)
        rewritten = bool(text.strip())
    write_atomic(path, edited)
    return SaveResult(path, replaced, rewritten)


def _parse_quietly(text: str, path: Path) -> tuple[EnvironmentSpec, ...] | None:
    try:
        return parse_config(text, path).runtime_environments
    except ConfigError:
        return None


class _FlowList(list[str]):
    """A list written on one line (`cpu_flags: [avx, avx2]`): a hundred flags need not fill 100 lines."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)


def _entry_data(spec: EnvironmentSpec) -> dict[str, Any]:
    data = spec.as_dict()
    if "cpu_flags" in data:
        data["cpu_flags"] = _FlowList(data["cpu_flags"])
    return data


def render_entry(spec: EnvironmentSpec) -> str:
    """The entry as YAML lines, unindented, without the leading `- `."""
    return _dump(_entry_data(spec))


def _sequence_item(entry_text: str, indent: int) -> str:
    """`entry_text` as an item of a block sequence whose dashes sit at column `indent`."""
    lines = entry_text.rstrip("\n").split("\n")
    pad = " " * indent
    first = f"{pad}- {lines[0]}"
    rest = [f"{pad}  {line}" if line else line for line in lines[1:]]
    return "\n".join([first, *rest]) + "\n"


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end == -1 else end + 1


def _last_content(node: yaml.Node) -> int:
    """Where a node's own text ends: block nodes' end marks run on over blank and comment lines."""
    if isinstance(node, yaml.MappingNode) and node.value:
        return _last_content(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_content(node.value[-1])
    return node.end_mark.index


def _edit(
    text: str,
    root: yaml.Node | None,
    config: ThothConfig,
    spec: EnvironmentSpec,
    expected: Sequence[EnvironmentSpec],
) -> str | None:
    """The text with `spec` replaced or added in place; None when the layout is not one handled.

    `expected` is every entry the file is to hold, `spec` among them.
    """
    entry = render_entry(spec)
    appended = "runtime_environments:\n" + _sequence_item(entry, 2)
    if root is None:
        return (text.rstrip("\n") + "\n" if text.strip() else text) + appended
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    for key_node, value in root.value:
        if key_node.value != "runtime_environments":
            continue
        if not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
            return _replace_value(text, key_node, value, expected)
        items = list(value.value)
        dash = text.rfind("-", 0, items[0].start_mark.index)
        if dash < 0 or text[_line_start(text, dash) : dash].strip():
            return None
        indent = dash - _line_start(text, dash)
        names = config.names
        if spec.name in names:
            item = items[names.index(spec.name)]
            item_dash = text.rfind("-", 0, item.start_mark.index)
            start = _line_start(text, item_dash)
            end = _line_end(text, _last_content(item))
            return text[:start] + _sequence_item(entry, indent) + text[end:]
        end = _line_end(text, _last_content(items[-1]))
        before = text[:end] if text[:end].endswith("\n") else text[:end] + "\n"
        return before + _sequence_item(entry, indent) + text[end:]
    return text.rstrip("\n") + "\n" + appended


def _replace_value(
    text: str, key_node: yaml.Node, value: yaml.Node, expected: Sequence[EnvironmentSpec]
) -> str | None:
    """`runtime_environments:` with nothing, null or a flow list after it, written as a block list."""
    if key_node.start_mark.column != 0:
        return None
    start = _line_start(text, key_node.start_mark.index)
    empty = isinstance(value, yaml.ScalarNode) and value.value == ""
    # An empty value's marks sit at the next token, possibly lines below: the key's line is its end.
    end = _line_end(text, key_node.end_mark.index if empty else _last_content(value))
    block = "".join(_sequence_item(render_entry(spec), 2) for spec in expected)
    return text[:start] + "runtime_environments:\n" + block + text[end:]


def _dump_whole(text: str, entries: Sequence[EnvironmentSpec]) -> str:
    """The whole file written anew: its top-level keys as they were, the environments as given."""
    data: dict[str, Any] = {}
    if text.strip():
        loaded = yaml.safe_load(text)
        if isinstance(loaded, dict):
            data.update(loaded)
    data["runtime_environments"] = [_entry_data(spec) for spec in entries]
    return _dump(data)


def with_overrides(
    spec: EnvironmentSpec,
    *,
    cuda_version: str | None = None,
    cpu_flags: tuple[str, ...] | None = None,
) -> EnvironmentSpec:
    """The entry with fields a command line gave instead of the file's."""
    changes: dict[str, Any] = {}
    if cuda_version is not None:
        changes["cuda_version"] = cuda_version
    if cpu_flags is not None:
        changes["cpu_flags"] = _cpu_flags(cpu_flags)
    return replace(spec, **changes) if changes else spec
