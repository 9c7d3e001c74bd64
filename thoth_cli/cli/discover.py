"""`thoth discover`: describe this machine, an unpacked root or a container image; save it to .thoth.yaml."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.cache import human_size
from thoth_cli.cli.console import Consoles
from thoth_cli.errors import InputError, Location, UsageError

if TYPE_CHECKING:
    from thoth_cli.discovery import Library, ProbeNote, RuntimeEnvironment

# Discovery (psutil, every probe, the image unpacker) and YAML are imported by the commands
# that use them, not each time thoth starts; hence these two of their values, restated.

CONFIG_NAME = ".thoth.yaml"

TIMEOUT = 5.0
"""Seconds a program asked may run: discovery's own default (`thoth_cli.discovery.probe.DEFAULT_TIMEOUT`)."""

NOTABLE_CPU_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "asimd",
    "sve",
    "sve2",
)
"""Flags wheels are built for or against (x86-64 levels, AVX-512, AMX; ARM's NEON and SVE): shown first."""

_ROOT_MARKS = ("etc", "usr", "bin", "lib")
"""What an unpacked root has at least one of; a folder without any is not a root file system."""

IMAGE_MARKS = ("oci-layout", "manifest.json")
"""Files that make a folder an image layout (OCI, or `docker save` unpacked) rather than a root."""


@dataclass(frozen=True)
class Described:
    """A machine as discovery found it, why any part is unknown, and what unpacking an image said."""

    environment: RuntimeEnvironment
    notes: tuple[ProbeNote, ...] = ()
    image_notes: tuple[str, ...] = ()
    image_name: str | None = None
    """The image's first reference, else the archive's file name; None for a root or this machine."""


def describe_machine(
    *,
    root: Path | None = None,
    image: Path | None = None,
    image_platform: str | None = None,
    reference: str | None = None,
    python: Path | None = None,
    timeout: float = TIMEOUT,
) -> Described:
    """Discover this machine, the root file system at `root`, or the image in `image` (nothing in it runs)."""
    from thoth_cli.discovery import RootFS, discover, open_image

    notes: list[ProbeNote] = []
    if image is not None:
        with open_image(image, platform=image_platform, reference=reference) as unpacked:
            environment = discover(
                unpacked.fs, environ=unpacked.config.env, python=python, timeout=timeout, notes=notes
            )
            name = unpacked.references[0] if unpacked.references else image.name
            return Described(environment, tuple(notes), unpacked.notes, name)
    if root is not None:
        check_root(root)
        # A root given by the user is read as files, never run, even when it is "/".
        environment = discover(
            RootFS(root.resolve()), python=python, timeout=timeout, notes=notes, host=False
        )
        return Described(environment, tuple(notes))
    return Described(discover(python=python, timeout=timeout, notes=notes), tuple(notes))


def check_root(root: Path) -> None:
    """An unpacked root file system, or an `InputError` (exit 4) saying what `root` is instead."""
    if not root.exists():
        raise InputError(
            "no such folder", location=Location(root), fix="pass the folder an image was unpacked into"
        )
    if not root.is_dir():
        raise InputError(
            "not a folder",
            location=Location(root),
            fix="pass the folder an image was unpacked into; an image archive goes to --image",
        )
    if not any((root / mark).exists() or (root / mark).is_symlink() for mark in _ROOT_MARKS):
        raise InputError(
            "not a root file system: it has no etc, usr, bin or lib folder",
            location=Location(root),
            fix="pass the folder an image was unpacked into (the one holding etc/ and usr/)",
        )


def is_image_layout(folder: Path) -> bool:
    return any((folder / mark).is_file() for mark in IMAGE_MARKS)


@click.command()
@click.option(
    "--root",
    type=click.Path(path_type=Path),
    default=None,
    help="Describe the root file system unpacked in this folder; nothing in it runs.",
)
@click.option(
    "--image",
    type=click.Path(path_type=Path),
    default=None,
    help="Describe the container image in this archive (docker save, OCI layout; a file or folder).",
)
@click.option(
    "--image-platform",
    metavar="OS/ARCH[/VARIANT]",
    default=None,
    help="The build of a multi-platform image to describe (default: this machine's).",
)
@click.option(
    "--reference",
    "--image-reference",
    "reference",
    metavar="NAME",
    default=None,
    help="The image to describe when the archive holds several (python:3.12-slim).",
)
@click.option(
    "--python",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The interpreter to describe instead of the running one (in an image: its path there).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT,
    show_default=True,
    help="Seconds any program asked (nvidia-smi, nvcc) may take.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table", show_default=True
)
@click.option(
    "--save",
    metavar="NAME",
    default=None,
    help=f"Save the description as runtime environment NAME in {CONFIG_NAME} (adds or replaces it).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"The file --save writes (default: the {CONFIG_NAME} here or above, else a new one here).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="List the packages found and say why any part is unknown."
)
@click.pass_obj
def discover_command(
    consoles: Consoles,
    root: Path | None,
    image: Path | None,
    image_platform: str | None,
    reference: str | None,
    python: Path | None,
    timeout: float,
    fmt: str,
    save: str | None,
    config_path: Path | None,
    verbose: bool,
) -> None:
    """Describe the machine thoth would resolve for: OS, Python, CPU, memory, GPUs, CUDA, libraries."""
    from thoth_cli.config import describe_environment, environment_name_error, find_config, save_environment

    if root is not None and image is not None:
        raise UsageError("--root and --image each name the machine to describe", fix="pass one of them")
    if image is None and (image_platform is not None or reference is not None):
        raise UsageError(
            "--image-platform and --reference choose within an image", fix="pass --image FILE too"
        )
    if save is not None and (problem := environment_name_error(save)) is not None:
        raise click.BadParameter(f"{save!r}: {problem}", param_hint="--save")
    verbose = verbose or consoles.verbosity >= 1
    described = describe_machine(
        root=root,
        image=image,
        image_platform=image_platform,
        reference=reference,
        python=python,
        timeout=timeout,
    )
    for note in described.image_notes:
        consoles.info(note)
    if verbose:
        for probe_note in described.notes:
            consoles.err.print(escape(f"note: {probe_note}"), style="dim")
    environment = described.environment
    if fmt == "json":
        consoles.out.print_json(json.dumps(environment.as_dict()))
    elif fmt == "yaml":
        import yaml

        consoles.out.print(yaml.safe_dump(environment.as_dict(), sort_keys=False), markup=False, end="")
    else:
        show_environment(consoles, environment, verbose=verbose)
    if save is not None:
        path = config_path or find_config(Path()) or Path(CONFIG_NAME)
        spec = describe_environment(save, environment, base_image=described.image_name)
        result = save_environment(path, spec)
        if result.unchanged:
            consoles.info(f"runtime environment {save} in {path} already says this; left as it was")
        else:
            action = "replaced" if result.replaced else "added"
            consoles.info(f"{action} runtime environment {save} in {path}")
        if result.rewritten:
            consoles.warning(f"{path} was written anew to add it (its layout could not be edited in place)")


# The table -------------------------------------------------------------------------------

UNKNOWN = "unknown"


def show_environment(consoles: Consoles, environment: RuntimeEnvironment, *, verbose: bool) -> None:
    """The description as a table of sections (stdout); with `verbose`, the packages too."""
    table = Table(box=None, show_header=False, pad_edge=False, show_edge=False)
    table.add_column("section", style="bold")
    table.add_column("item")
    table.add_column("value")
    for section, rows in _sections(environment, verbose=verbose):
        for number, (item, value) in enumerate(rows):
            table.add_row(section if number == 0 else "", escape(item), escape(value))
    consoles.out.print(table)
    if not verbose:
        return
    if environment.python_packages:
        packages = Table(title="Python packages", title_justify="left", box=None, pad_edge=False)
        for column in ("name", "version", "location"):
            packages.add_column(column)
        for package in environment.python_packages:
            packages.add_row(escape(package.name), escape(package.version), escape(package.location))
        consoles.out.print(packages)
    if environment.system_packages:
        system = Table(title="System packages", title_justify="left", box=None, pad_edge=False)
        for column in ("manager", "name", "version", "architecture"):
            system.add_column(column)
        for entry in environment.system_packages:
            system.add_row(
                *(
                    escape(text)
                    for text in (entry.manager, entry.name, entry.version, entry.architecture or "")
                )
            )
        consoles.out.print(system)


Rows = list[tuple[str, str]]


def _sections(environment: RuntimeEnvironment, *, verbose: bool) -> Iterator[tuple[str, Rows]]:
    yield "OS", _os_rows(environment)
    yield "Python", _python_rows(environment)
    yield "CPU", _cpu_rows(environment, verbose=verbose)
    yield "Memory", _memory_rows(environment)
    yield "GPU", _gpu_rows(environment)
    yield (
        "Libraries",
        [
            (name, _library(library))
            for name, library in (
                ("cuDNN", environment.cudnn),
                ("MKL", environment.mkl),
                ("OpenBLAS", environment.openblas),
                ("Open MPI", environment.openmpi),
            )
        ],
    )
    yield "Container", [("container", _container(environment))]
    yield "Packages", _package_rows(environment)


def _os_rows(environment: RuntimeEnvironment) -> Rows:
    system = environment.os
    rows: Rows = []
    if system is None:
        rows.append(("distribution", UNKNOWN))
    else:
        name = (
            system.pretty_name or " ".join(part for part in (system.name, system.version) if part) or UNKNOWN
        )
        ids = " ".join(part for part in (system.id, system.version) if part)
        rows.append(("distribution", f"{name} ({ids})" if ids and ids != name else name))
        if system.kernel_release:
            rows.append(("kernel", system.kernel_release))
    platform = environment.platform
    if platform is None:
        rows.append(("platform", UNKNOWN))
    else:
        libc = ""
        if platform.libc is not None and platform.libc_version is not None:
            libc = f" ({platform.libc} {'.'.join(map(str, platform.libc_version))})"
        rows.append(("platform", f"{platform}{libc}"))
    return rows


def _python_rows(environment: RuntimeEnvironment) -> Rows:
    python = environment.python
    if python is None:
        return [("interpreter", UNKNOWN)]
    name = "PyPy" if python.implementation == "pypy" else "CPython"
    version = ".".join(map(str, python.version if python.version_exact else python.version[:2]))
    text = f"{name} {version}" + (" free-threaded" if python.free_threaded else "")
    if not python.version_exact:
        text += " (micro version unknown)"
    rows: Rows = [("interpreter", text)]
    if python.executable:
        rows.append(("executable", python.executable))
    if environment.platform is not None:
        tags = environment.to_target().tags()
        rows.append(("best wheel tag", f"{tags[0]} (of {len(tags)} accepted)" if tags else "none"))
    return rows


def _cpu_rows(environment: RuntimeEnvironment, *, verbose: bool) -> Rows:
    cpu = environment.cpu
    if cpu is None:
        return [("model", UNKNOWN)]
    identity = ", ".join(
        part
        for part in (
            cpu.vendor,
            None if cpu.family is None else f"family {cpu.family}",
            None if cpu.model is None else f"model {cpu.model}",
        )
        if part
    )
    rows: Rows = [("model", f"{cpu.brand or UNKNOWN}" + (f" ({identity})" if identity else ""))]
    cores = [f"{cpu.logical_cores} logical"] if cpu.logical_cores else []
    if cpu.physical_cores:
        cores.append(f"{cpu.physical_cores} physical")
    rows.append(("cores", ", ".join(cores) or UNKNOWN))
    if verbose:
        rows.append(("flags", " ".join(sorted(cpu.flags)) or "none"))
    else:
        notable = [flag for flag in NOTABLE_CPU_FLAGS if flag in cpu.flags]
        shown = " ".join(notable) if notable else "none of note"
        rows.append(("flags", f"{shown} ({len(cpu.flags)} in all; -v lists them)"))
    return rows


def _memory_rows(environment: RuntimeEnvironment) -> Rows:
    memory = environment.memory
    if memory is None:
        return [("total", UNKNOWN)]
    rows: Rows = [("total", human_size(memory.total_bytes))]
    if memory.available_bytes is not None:
        rows.append(("available", human_size(memory.available_bytes)))
    if memory.limit_bytes is not None:
        rows.append(("limit", f"{human_size(memory.limit_bytes)} (cgroup)"))
    return rows


def _gpu_rows(environment: RuntimeEnvironment) -> Rows:
    rows: Rows = []
    if environment.gpus is None:
        rows.append(("gpus", UNKNOWN))
    elif not environment.gpus:
        rows.append(("gpus", "none found"))
    for gpu in environment.gpus or ():
        details = [f"compute {gpu.compute_capability}"] if gpu.compute_capability else []
        if gpu.memory_bytes:
            details.append(human_size(gpu.memory_bytes))
        label = "gpu" if gpu.index is None else f"gpu {gpu.index}"
        rows.append((label, f"{gpu.model}" + (f" ({', '.join(details)})" if details else "")))
    driver = environment.nvidia_driver
    if driver is not None:
        runs = f", runs CUDA {driver.cuda} (per {driver.cuda_source})" if driver.cuda else ""
        rows.append(("nvidia driver", f"{driver.version}{runs}"))
    if environment.rocm is not None:
        rows.append(
            ("rocm", " ".join(part for part in (environment.rocm.version, environment.rocm.path) if part))
        )
    toolkit = environment.cuda_toolkit
    if toolkit is None:
        rows.append(("cuda toolkit", "none found"))
    else:
        where = f"{toolkit.source}: {toolkit.path}" if toolkit.path else toolkit.source
        rows.append(("cuda toolkit", f"{toolkit.version} ({where})"))
    return rows


def _library(library: Library | None) -> str:
    if library is None:
        return "none found"
    return f"{library.version or 'version unknown'} ({library.path})"


def _container(environment: RuntimeEnvironment) -> str:
    container = environment.container
    if container is None:
        return UNKNOWN
    if not container.in_container:
        return "no"
    text = "yes" + (f", {container.runtime}" if container.runtime else "")
    return text + (f" ({container.evidence})" if container.evidence else "")


def _package_rows(environment: RuntimeEnvironment) -> Rows:
    rows: Rows = []
    if environment.system_packages is None:
        rows.append(("system", UNKNOWN))
    else:
        managers = Counter(package.manager for package in environment.system_packages)
        by = ", ".join(f"{count} {manager}" for manager, count in sorted(managers.items()))
        rows.append(("system", f"{len(environment.system_packages)}" + (f" ({by})" if by else "")))
    if environment.python_packages is None:
        rows.append(("python", UNKNOWN))
    else:
        rows.append(("python", str(len(environment.python_packages))))
    return rows
