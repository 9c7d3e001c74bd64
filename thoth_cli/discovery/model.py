"""The `RuntimeEnvironment` model: the machine a lock is made for, its dict form, and its target.

Every part is a frozen value; a part is None when discovery could not tell (the reason is in
the probe notes), never a guess. Versions are strings as their tools print them, except
where thoth computes with them: the Python version and the C library version are tuples,
as `thoth_cli.target` wants them.

`RuntimeEnvironment.as_dict()` is the JSON/YAML form, schema "thoth.runtime-environment/1",
keys in a fixed order. It also writes what follows from the description (the Python ABI,
its wheel tags, the platform tags, the marker environment) for readers; `from_dict()`
ignores those derived keys and recomputes them, so a hand-edited description stays whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn, TypeVar, cast

from thoth_cli.errors import ExitCode, InputError, Location, ThothError
from thoth_cli.target import Platform, Target, TargetError

SCHEMA = "thoth.runtime-environment/1"

_DESCRIPTION = Path("<runtime environment>")
"""The location named in errors when a description did not come from a file."""


class EnvironmentDescriptionError(InputError):
    """A runtime-environment description (JSON or YAML) that thoth cannot read (exit 4)."""


class IncompleteEnvironmentError(ThothError):
    """The environment lacks what a target needs (a Python interpreter, a platform) (exit 3).

    Keeps the `missing` part's name.
    """

    exit_code = ExitCode.ENVIRONMENT

    def __init__(self, missing: str, *, fix: str) -> None:
        self.missing = missing
        super().__init__(f"cannot build a target: the environment's {missing} is unknown", fix=fix)


@dataclass(frozen=True)
class OperatingSystem:
    """The distribution as `/etc/os-release` names it, and the running kernel (host only)."""

    id: str | None = None
    name: str | None = None
    version: str | None = None
    id_like: tuple[str, ...] = ()
    pretty_name: str | None = None
    codename: str | None = None
    kernel_release: str | None = None
    """`uname -r`; None for an image, which has no kernel of its own."""
    kernel_version: str | None = None
    """`uname -v`."""


@dataclass(frozen=True)
class PythonInterpreter:
    """The interpreter packages are installed for.

    `version_exact` is False when only X.Y is known (an image without Python's headers) and
    the micro version 0 was assumed, as thoth does for `--python-version 3.12`.
    `executable` is its path inside the root.
    """

    implementation: Literal["cpython", "pypy"]
    version: tuple[int, int, int]
    version_exact: bool = True
    free_threaded: bool = False
    implementation_version: tuple[int, int, int] | None = None
    executable: str | None = None


@dataclass(frozen=True, order=True)
class PythonPackage:
    """A distribution installed for the interpreter: its normalised name, version and folder."""

    name: str
    version: str
    location: str


@dataclass(frozen=True)
class Cpu:
    """The processor: identity, core counts and feature flags as the kernel reports them.

    `flags` are the kernel's names (`avx2`, `avx512f`, `amx_tile`; on ARM `asimd`, `sve`).
    `source` is where they came from: "/proc/cpuinfo" or "py-cpuinfo".
    """

    vendor: str | None
    brand: str | None
    family: int | None
    model: int | None
    stepping: int | None
    logical_cores: int | None
    physical_cores: int | None
    flags: frozenset[str]
    source: str


@dataclass(frozen=True)
class Memory:
    """Main memory in bytes; `limit_bytes` is a container's cgroup limit when one is set."""

    total_bytes: int
    available_bytes: int | None = None
    limit_bytes: int | None = None


@dataclass(frozen=True)
class Gpu:
    """One GPU. NVIDIA's `compute_capability` reads "8.9"; AMD's is the gfx target ("gfx90a")."""

    vendor: Literal["nvidia", "amd"]
    model: str
    memory_bytes: int | None = None
    compute_capability: str | None = None
    index: int | None = None


@dataclass(frozen=True)
class NvidiaDriver:
    """The NVIDIA kernel driver and the newest CUDA it runs.

    The driver, not an installed toolkit, decides which CUDA builds run: CUDA wheels bring
    their own runtime, and minor-version compatibility lets any 12.x build run on a driver
    that supports some 12.x. `cuda` is "12.4"-style; `cuda_source` says whether nvidia-smi
    said so or thoth looked the driver up in NVIDIA's table.
    """

    version: str
    cuda: str | None = None
    cuda_source: Literal["nvidia-smi", "driver-table"] | None = None


@dataclass(frozen=True)
class Rocm:
    """An AMD ROCm installation."""

    version: str | None
    path: str | None


@dataclass(frozen=True)
class CudaToolkit:
    """An installed CUDA toolkit (what builds compile against), not what the driver runs.

    `source` names what the version was read from: "nvcc", "version.json", "version.txt",
    "cuda_runtime_api.h" or "libcudart"; `path` is that file, inside the root.
    """

    version: str
    source: str
    path: str | None = None


@dataclass(frozen=True)
class Library:
    """A native library found in the root (cuDNN, MKL, OpenBLAS, Open MPI) and its version.

    `path` is the file that showed it (a header, a library, a package record); `version` is
    None when that file names none.
    """

    name: str
    version: str | None
    path: str


@dataclass(frozen=True, order=True)
class SystemPackage:
    """A package of the system's package manager ("dpkg", "rpm" or "apk")."""

    manager: str
    name: str
    version: str
    architecture: str | None = None


@dataclass(frozen=True)
class Container:
    """Whether the environment runs in a container, which runtime, and what showed it."""

    in_container: bool
    runtime: str | None = None
    evidence: str | None = None


@dataclass(frozen=True, kw_only=True)
class RuntimeEnvironment:
    """The machine a lock is made for, as discovery found it (`host`: the running machine)."""

    host: bool
    os: OperatingSystem | None = None
    platform: Platform | None = None
    python: PythonInterpreter | None = None
    python_packages: tuple[PythonPackage, ...] | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    gpus: tuple[Gpu, ...] | None = None
    nvidia_driver: NvidiaDriver | None = None
    rocm: Rocm | None = None
    cuda_toolkit: CudaToolkit | None = None
    cudnn: Library | None = None
    mkl: Library | None = None
    openblas: Library | None = None
    openmpi: Library | None = None
    system_packages: tuple[SystemPackage, ...] | None = None
    container: Container | None = None
    base_image: str | None = None
    """The container image the environment was described from (`--base-image`, a `.thoth.yaml`
    entry's `base_image`); None for a machine."""

    def to_target(self) -> Target:
        """The resolver's target: this environment's interpreter on its platform."""
        if self.python is None:
            raise IncompleteEnvironmentError(
                "Python interpreter",
                fix="pass the interpreter to describe (--python PATH), or name one with --python-version",
            )
        if self.platform is None:
            raise IncompleteEnvironmentError(
                "platform", fix="name the platform to resolve for with --platform, e.g. manylinux_2_28_x86_64"
            )
        kernel = self.os or OperatingSystem()
        return Target(
            python_version=self.python.version,
            platform=self.platform,
            implementation=self.python.implementation,
            free_threaded=self.python.free_threaded,
            python_version_stated=not self.python.version_exact,
            implementation_version=self.python.implementation_version,
            platform_release=kernel.kernel_release or "",
            platform_version=kernel.kernel_version or "",
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON/YAML form, keys in a stable order, with derived tags for readers."""
        target = self._target_or_none()
        return {
            "schema": SCHEMA,
            "host": self.host,
            "os": None if self.os is None else _os_dict(self.os),
            "platform": None if self.platform is None else _platform_dict(self.platform),
            "python": None if self.python is None else _python_dict(self.python, target),
            "python_packages": _list(self.python_packages, _package_dict),
            "cpu": None if self.cpu is None else _cpu_dict(self.cpu),
            "memory": None if self.memory is None else _memory_dict(self.memory),
            "gpus": _list(self.gpus, _gpu_dict),
            "nvidia_driver": None if self.nvidia_driver is None else _driver_dict(self.nvidia_driver),
            "rocm": None if self.rocm is None else {"version": self.rocm.version, "path": self.rocm.path},
            "cuda_toolkit": None if self.cuda_toolkit is None else _toolkit_dict(self.cuda_toolkit),
            "cudnn": _library_dict(self.cudnn),
            "mkl": _library_dict(self.mkl),
            "openblas": _library_dict(self.openblas),
            "openmpi": _library_dict(self.openmpi),
            "system_packages": _list(self.system_packages, _system_package_dict),
            "container": None if self.container is None else _container_dict(self.container),
            # Written only for an image's description: a machine's keeps its original keys.
            **({"base_image": self.base_image} if self.base_image is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, source: Path | None = None) -> RuntimeEnvironment:
        """Read `as_dict()`'s form back; EnvironmentDescriptionError names the bad key.

        `source` is the file the data came from, for the error message.
        """
        reader = _Reader(data, "", source or _DESCRIPTION)
        schema = reader.get("schema")
        if schema != SCHEMA:
            reader.fail(
                "schema",
                "not a runtime-environment description thoth reads",
                schema,
                fix=f'set "schema: {SCHEMA}"',
            )
        return cls(
            host=reader.boolean("host"),
            os=_map(reader.section("os"), _read_os),
            platform=_map(reader.section("platform"), _read_platform),
            python=_map(reader.section("python"), _read_python),
            python_packages=_tuple(reader.sections("python_packages"), _read_package),
            cpu=_map(reader.section("cpu"), _read_cpu),
            memory=_map(reader.section("memory"), _read_memory),
            gpus=_tuple(reader.sections("gpus"), _read_gpu),
            nvidia_driver=_map(reader.section("nvidia_driver"), _read_driver),
            rocm=_map(reader.section("rocm"), lambda r: Rocm(r.text("version"), r.text("path"))),
            cuda_toolkit=_map(reader.section("cuda_toolkit"), _read_toolkit),
            cudnn=_map(reader.section("cudnn"), _read_library),
            mkl=_map(reader.section("mkl"), _read_library),
            openblas=_map(reader.section("openblas"), _read_library),
            openmpi=_map(reader.section("openmpi"), _read_library),
            system_packages=_tuple(reader.sections("system_packages"), _read_system_package),
            container=_map(reader.section("container"), _read_container),
            base_image=reader.text("base_image"),
        )

    def _target_or_none(self) -> Target | None:
        if self.python is None or self.platform is None:
            return None
        return self.to_target()


T = TypeVar("T")
V = TypeVar("V")


def _list(
    values: Sequence[T] | None, convert: Callable[[T], dict[str, object]]
) -> list[dict[str, object]] | None:
    return None if values is None else [convert(value) for value in values]


def _version_text(version: Sequence[int] | None) -> str | None:
    return None if version is None else ".".join(map(str, version))


def _os_dict(value: OperatingSystem) -> dict[str, object]:
    return {
        "id": value.id,
        "name": value.name,
        "version": value.version,
        "id_like": list(value.id_like),
        "pretty_name": value.pretty_name,
        "codename": value.codename,
        "kernel_release": value.kernel_release,
        "kernel_version": value.kernel_version,
    }


def _platform_dict(value: Platform) -> dict[str, object]:
    return {
        "os": value.os,
        "architecture": value.arch,
        "libc": value.libc,
        "libc_version": _version_text(value.libc_version),
        "macos_version": _version_text(value.macos_version),
        "tag": str(value),
        "tags": list(value.tags()),
    }


def _python_dict(value: PythonInterpreter, target: Target | None) -> dict[str, object]:
    tags = None if target is None else target.tags()
    return {
        "implementation": value.implementation,
        "version": _version_text(value.version),
        "version_exact": value.version_exact,
        "free_threaded": value.free_threaded,
        "implementation_version": _version_text(value.implementation_version),
        "executable": value.executable,
        "abi": None if not tags else tags[0].abi,
        "tags": None if tags is None else [str(tag) for tag in tags],
        "marker_environment": None if target is None else target.marker_environment(),
    }


def _package_dict(value: PythonPackage) -> dict[str, object]:
    return {"name": value.name, "version": value.version, "location": value.location}


def _cpu_dict(value: Cpu) -> dict[str, object]:
    return {
        "vendor": value.vendor,
        "brand": value.brand,
        "family": value.family,
        "model": value.model,
        "stepping": value.stepping,
        "logical_cores": value.logical_cores,
        "physical_cores": value.physical_cores,
        "flags": sorted(value.flags),
        "source": value.source,
    }


def _memory_dict(value: Memory) -> dict[str, object]:
    return {
        "total_bytes": value.total_bytes,
        "available_bytes": value.available_bytes,
        "limit_bytes": value.limit_bytes,
    }


def _gpu_dict(value: Gpu) -> dict[str, object]:
    return {
        "vendor": value.vendor,
        "model": value.model,
        "memory_bytes": value.memory_bytes,
        "compute_capability": value.compute_capability,
        "index": value.index,
    }


def _driver_dict(value: NvidiaDriver) -> dict[str, object]:
    return {"version": value.version, "cuda": value.cuda, "cuda_source": value.cuda_source}


def _toolkit_dict(value: CudaToolkit) -> dict[str, object]:
    return {"version": value.version, "source": value.source, "path": value.path}


def _library_dict(value: Library | None) -> dict[str, object] | None:
    if value is None:
        return None
    return {"name": value.name, "version": value.version, "path": value.path}


def _system_package_dict(value: SystemPackage) -> dict[str, object]:
    return {
        "manager": value.manager,
        "name": value.name,
        "version": value.version,
        "architecture": value.architecture,
    }


def _container_dict(value: Container) -> dict[str, object]:
    return {"in_container": value.in_container, "runtime": value.runtime, "evidence": value.evidence}


class _Reader:
    """Typed access to one mapping of a description; errors name the dotted key."""

    def __init__(self, data: Mapping[str, object], prefix: str, source: Path) -> None:
        self.data = data
        self.prefix = prefix
        self.source = source

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, problem: str, value: object, *, fix: str | None = None) -> NoReturn:
        raise EnvironmentDescriptionError(
            problem, location=Location(self.source, key=self.key(name)), text=repr(value), fix=fix
        )

    def get(self, name: str) -> object:
        return self.data.get(name)

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        self.fail(name, "expected text", value, fix=f'quote the value, e.g. {name}: "{value}"')

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            self.fail(name, "missing", value, fix=f"give {self.key(name)} a value")
        return value

    def integer(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.fail(name, "expected a whole number", value)

    def boolean(self, name: str, default: bool | None = None) -> bool:
        value = self.data.get(name, default)
        if isinstance(value, bool):
            return value
        self.fail(name, "expected true or false", value)

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(cast("list[str]", value))
        self.fail(name, "expected a list of text", value)

    def version(self, name: str, parts: int) -> tuple[int, ...] | None:
        value = self.text(name)
        if value is None:
            return None
        if not re.fullmatch(r"\d+(\.\d+)*", value) or value.count(".") != parts - 1:
            form = ".".join(["N"] * parts)
            self.fail(name, f"expected a version of the form {form}", value)
        return tuple(int(part) for part in value.split("."))

    def section(self, name: str) -> _Reader | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, Mapping):
            return _Reader(cast("Mapping[str, object]", value), f"{self.key(name)}.", self.source)
        self.fail(name, "expected a mapping", value)

    def sections(self, name: str) -> list[_Reader] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(name, "expected a list", value)
        readers = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.fail(f"{name}[{index}]", "expected a mapping", item)
            readers.append(
                _Reader(cast("Mapping[str, object]", item), f"{self.key(name)}[{index}].", self.source)
            )
        return readers

    def choice(self, name: str, choices: Sequence[str], *, required: bool = True) -> str | None:
        value = self.text(name)
        if value is None and not required:
            return None
        if value not in choices:
            self.fail(name, f"expected one of {', '.join(choices)}", value)
        return value


def _map(reader: _Reader | None, read: Callable[[_Reader], V]) -> V | None:
    return None if reader is None else read(reader)


def _tuple(readers: list[_Reader] | None, read: Callable[[_Reader], V]) -> tuple[V, ...] | None:
    return None if readers is None else tuple(read(reader) for reader in readers)


def _read_os(r: _Reader) -> OperatingSystem:
    return OperatingSystem(
        id=r.text("id"),
        name=r.text("name"),
        version=r.text("version"),
        id_like=r.texts("id_like"),
        pretty_name=r.text("pretty_name"),
        codename=r.text("codename"),
        kernel_release=r.text("kernel_release"),
        kernel_version=r.text("kernel_version"),
    )


def _read_platform(r: _Reader) -> Platform:
    system = r.choice("os", ("linux", "macos", "windows"))
    arch = r.required_text("architecture")
    libc = r.choice("libc", ("glibc", "musl"), required=False)
    libc_version = r.version("libc_version", 2)
    macos_version = r.version("macos_version", 2)
    try:
        platform = Platform(
            os=cast("Literal['linux', 'macos', 'windows']", system),
            arch=arch,
            libc=cast("Literal['glibc', 'musl'] | None", libc),
            libc_version=cast("tuple[int, int] | None", libc_version),
            macos_version=cast("tuple[int, int] | None", macos_version),
        )
        # Reading the platform's own tag back checks the architecture and versions as
        # `--platform` would.
        parsed = Platform.parse(str(platform))
    except ValueError:
        r.fail("libc", "libc and libc_version go together, macos_version with macOS only", libc)
    except TargetError as exc:
        r.fail("architecture", exc.problem, exc.text, fix=exc.fix)
    if parsed != platform:
        r.fail("architecture", "not a platform thoth describes", str(platform))
    return platform


def _read_python(r: _Reader) -> PythonInterpreter:
    version = r.version("version", 3)
    if version is None:
        r.fail("version", "missing", None, fix="give the interpreter's version, e.g. 3.12.4")
    implementation = r.choice("implementation", ("cpython", "pypy"))
    return PythonInterpreter(
        implementation=cast("Literal['cpython', 'pypy']", implementation),
        version=cast("tuple[int, int, int]", version),
        version_exact=r.boolean("version_exact", True),
        free_threaded=r.boolean("free_threaded", False),
        implementation_version=cast("tuple[int, int, int] | None", r.version("implementation_version", 3)),
        executable=r.text("executable"),
    )


def _read_package(r: _Reader) -> PythonPackage:
    return PythonPackage(r.required_text("name"), r.required_text("version"), r.text("location") or "")


def _read_cpu(r: _Reader) -> Cpu:
    return Cpu(
        vendor=r.text("vendor"),
        brand=r.text("brand"),
        family=r.integer("family"),
        model=r.integer("model"),
        stepping=r.integer("stepping"),
        logical_cores=r.integer("logical_cores"),
        physical_cores=r.integer("physical_cores"),
        flags=frozenset(r.texts("flags")),
        source=r.text("source") or "description",
    )


def _read_memory(r: _Reader) -> Memory:
    total = r.integer("total_bytes")
    if total is None:
        r.fail("total_bytes", "missing", None, fix="give the memory size in bytes")
    return Memory(total, r.integer("available_bytes"), r.integer("limit_bytes"))


def _read_gpu(r: _Reader) -> Gpu:
    vendor = r.choice("vendor", ("nvidia", "amd"))
    return Gpu(
        vendor=cast("Literal['nvidia', 'amd']", vendor),
        model=r.required_text("model"),
        memory_bytes=r.integer("memory_bytes"),
        compute_capability=r.text("compute_capability"),
        index=r.integer("index"),
    )


def _read_driver(r: _Reader) -> NvidiaDriver:
    source = r.choice("cuda_source", ("nvidia-smi", "driver-table"), required=False)
    return NvidiaDriver(
        r.required_text("version"),
        r.text("cuda"),
        cast("Literal['nvidia-smi', 'driver-table'] | None", source),
    )


def _read_toolkit(r: _Reader) -> CudaToolkit:
    return CudaToolkit(r.required_text("version"), r.text("source") or "description", r.text("path"))


def _read_library(r: _Reader) -> Library:
    return Library(r.required_text("name"), r.text("version"), r.text("path") or "")


def _read_system_package(r: _Reader) -> SystemPackage:
    return SystemPackage(
        r.required_text("manager"),
        r.required_text("name"),
        r.required_text("version"),
        r.text("architecture"),
    )


def _read_container(r: _Reader) -> Container:
    return Container(r.boolean("in_container"), r.text("runtime"), r.text("evidence"))
