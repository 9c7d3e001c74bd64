"""Probes for installed native stacks: the CUDA toolkit, cuDNN, MKL, OpenBLAS and Open MPI.

These say what a build would compile or link against in the root; which CUDA builds *run*
is the driver's business (see `gpu.py`). Everything is read from files (version files,
headers, library names, conda's package records) except `nvcc --version`, which runs
only on the host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from thoth_cli.discovery.model import CudaToolkit, Library
from thoth_cli.discovery.os_info import MULTIARCH, architecture, library_dirs
from thoth_cli.discovery.probe import ProbeContext, probe

CUDA_HOME_VARIABLES = ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT")
CUDA_HOMES = ("/usr/local/cuda", "/opt/cuda", "/usr/lib/cuda")
CONDA_PREFIX = "/opt/conda"

_NVCC = re.compile(r"release (\d+\.\d+), V(\d+\.\d+\.\d+)")
_VERSION_TXT = re.compile(r"CUDA Version (\d+\.\d+(?:\.\d+)?)")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.+?)[ \t]*(?://.*|/\*.*)?$", re.MULTILINE)
_SONAME_VERSION = re.compile(r"\.so\.(\d+(?:\.\d+)*)$")
_OPENBLAS_FILE = re.compile(r"libopenblas\w*-r(\d+\.\d+\.\d+)\.so")


@probe("cuda-toolkit")
def cuda_toolkit(ctx: ProbeContext) -> CudaToolkit | None:
    """The CUDA toolkit: `nvcc --version` (host), then version.json, version.txt, headers, libcudart."""
    nvcc = ctx.which("nvcc")
    if nvcc is not None:
        result = ctx.run([nvcc, "--version"])
        if result is not None and (match := _NVCC.search(result.stdout)):
            return CudaToolkit(match[2], "nvcc", nvcc)
        ctx.note(f"{nvcc} --version names no CUDA release")
    homes = cuda_homes(ctx)
    for home in homes:
        if found := _toolkit_in(ctx, home):
            return found
    ctx.note(f"no CUDA toolkit in {', '.join(homes)}")
    return None


def cuda_homes(ctx: ProbeContext) -> list[str]:
    """Folders a CUDA toolkit may be installed in: the environment's choice, then the usual places."""
    homes = [ctx.environ[name] for name in CUDA_HOME_VARIABLES if ctx.environ.get(name)]
    versioned = sorted(
        ctx.fs.glob("/usr/local", "cuda-*"),
        key=lambda path: _numbers(path.rsplit("-", 1)[1]),
        reverse=True,
    )
    for home in [*homes, CUDA_HOMES[0], *versioned, *CUDA_HOMES[1:]]:
        if home not in homes:
            homes.append(home)
    return homes


def _toolkit_in(ctx: ProbeContext, home: str) -> CudaToolkit | None:
    if not ctx.fs.is_dir(home):
        return None
    text = ctx.fs.read_text(f"{home}/version.json", limit=1024 * 1024)
    if text is not None:
        try:
            version = json.loads(text)["cuda"]["version"]
        except (ValueError, KeyError, TypeError):
            ctx.note(f"{home}/version.json names no CUDA version")
        else:
            if isinstance(version, str):
                # Runfile installs stamp a build date where the patch number goes
                # ("11.8.20220929"): that is 11.8, not patch twenty million.
                if dated := re.fullmatch(r"(\d+\.\d+)\.\d{8}", version):
                    version = dated[1]
                return CudaToolkit(version, "version.json", f"{home}/version.json")
    text = ctx.fs.read_text(f"{home}/version.txt", limit=64 * 1024)
    if text is not None and (match := _VERSION_TXT.search(text)):
        return CudaToolkit(match[1], "version.txt", f"{home}/version.txt")
    for header in _runtime_headers(ctx, home):
        defines = _defines(ctx, header)
        if (value := defines.get("CUDART_VERSION", "")).isdigit():
            number = int(value)
            return CudaToolkit(f"{number // 1000}.{number % 1000 // 10}", "cuda_runtime_api.h", header)
    libraries = [
        (version, path)
        for folder in (f"{home}/lib64", f"{home}/lib")
        for path in ctx.fs.glob(folder, "libcudart.so.*")
        if (version := _soname_version(path)) is not None
    ]
    if libraries:
        version, path = max(libraries, key=lambda item: (item[0].count("."), _numbers(item[0])))
        return CudaToolkit(version, "libcudart", path)
    return None


def _runtime_headers(ctx: ProbeContext, home: str) -> Iterator[str]:
    yield f"{home}/include/cuda_runtime_api.h"
    for target in ctx.fs.listdir(f"{home}/targets"):
        yield f"{home}/targets/{target}/include/cuda_runtime_api.h"


@probe("cudnn")
def cudnn(ctx: ProbeContext) -> Library | None:
    """cuDNN from its version header (`cudnn_version.h`, or `cudnn.h` before 8), else its library's name."""
    arch = architecture(ctx)
    folders = [f"{home}/include" for home in cuda_homes(ctx)] + _include_dirs(arch)
    for folder in folders:
        names = [
            "cudnn_version.h",
            *sorted(_names(ctx, folder, "cudnn_version_v*.h"), reverse=True),
            "cudnn.h",
        ]
        for name in names:
            header = f"{folder}/{name}"
            defines = _defines(ctx, header)
            if "CUDNN_MAJOR" in defines:
                parts = [defines.get(key, "0") for key in ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL")]
                return Library("cudnn", ".".join(parts) if all(p.isdigit() for p in parts) else None, header)
    libraries = [f"{home}/lib64" for home in cuda_homes(ctx)] + list(library_dirs(arch))
    return _library_by_name(ctx, "cudnn", libraries, "libcudnn.so.*")


@probe("mkl")
def mkl(ctx: ProbeContext) -> Library | None:
    """Intel MKL (oneMKL): `mkl_version.h`, a oneAPI version folder, conda's record, or `libmkl_rt`."""
    folders = [
        "/opt/intel/oneapi/mkl/latest/include",
        "/opt/intel/mkl/include",
        f"{CONDA_PREFIX}/include",
        "/usr/include/mkl",
        "/usr/local/include",
    ]
    for folder in folders:
        header = f"{folder}/mkl_version.h"
        defines = _defines(ctx, header)
        if "__INTEL_MKL__" in defines:
            parts = [
                defines.get(key, "0")
                for key in ("__INTEL_MKL__", "__INTEL_MKL_MINOR__", "__INTEL_MKL_UPDATE__")
            ]
            return Library("mkl", ".".join(parts) if all(p.isdigit() for p in parts) else None, header)
    releases = sorted(
        (path for path in ctx.fs.glob("/opt/intel/oneapi/mkl", "*") if re.search(r"/\d+\.\d+$", path)),
        key=lambda path: _numbers(PurePosixPath(path).name),
    )
    if releases:
        return Library("mkl", PurePosixPath(releases[-1]).name, releases[-1])
    if found := _conda_package(ctx, "mkl"):
        return found
    dirs = [*library_dirs(architecture(ctx)), f"{CONDA_PREFIX}/lib", "/opt/intel/oneapi/mkl/latest/lib"]
    return _library_by_name(ctx, "mkl", dirs, "libmkl_rt.so*", versioned=False)


@probe("openblas")
def openblas(ctx: ProbeContext) -> Library | None:
    """OpenBLAS: `openblas_config.h`, a `libopenblas*-r0.3.21.so` file name, or conda's record."""
    arch = architecture(ctx)
    folders = [
        f"{folder}/{sub}" for folder in _include_dirs(arch) for sub in ("openblas-pthread", "openblas")
    ]
    folders += [*_include_dirs(arch), f"{CONDA_PREFIX}/include", "/opt/OpenBLAS/include"]
    for folder in folders:
        header = f"{folder}/openblas_config.h"
        value = _defines(ctx, header).get("OPENBLAS_VERSION")
        if value is not None:
            match = re.search(r"(\d+\.\d+\.\d+)", value)
            return Library("openblas", match[1] if match else None, header)
    for folder in [*library_dirs(arch), f"{CONDA_PREFIX}/lib", "/opt/OpenBLAS/lib"]:
        for pattern in ("libopenblas*.so*", "openblas*/libopenblas*.so*"):
            for path in ctx.fs.glob(folder, pattern):
                if match := _OPENBLAS_FILE.search(path):
                    return Library("openblas", match[1], path)
    if found := _conda_package(ctx, "libopenblas"):
        return Library("openblas", found.version, found.path)
    return _library_by_name(ctx, "openblas", library_dirs(arch), "libopenblas*.so*", versioned=False)


@probe("openmpi")
def openmpi(ctx: ProbeContext) -> Library | None:
    """Open MPI from its `mpi.h` (OMPI_*_VERSION), else the presence of its `libmpi`."""
    arch = architecture(ctx)
    triplet = MULTIARCH.get(arch or "", "")
    folders = [
        f"/usr/lib/{triplet}/openmpi/include",
        f"/usr/include/openmpi-{arch}",
        "/usr/include/openmpi",
        "/usr/local/include",
        f"{CONDA_PREFIX}/include",
        "/opt/openmpi/include",
    ]
    for folder in folders:
        header = f"{folder}/mpi.h"
        defines = _defines(ctx, header)
        if "OMPI_MAJOR_VERSION" in defines:
            parts = [defines.get(f"OMPI_{key}_VERSION", "0") for key in ("MAJOR", "MINOR", "RELEASE")]
            return Library("openmpi", ".".join(parts) if all(p.isdigit() for p in parts) else None, header)
    dirs = [f"/usr/lib/{triplet}/openmpi/lib", "/usr/lib64/openmpi/lib", "/opt/openmpi/lib"]
    return _library_by_name(ctx, "openmpi", dirs, "libmpi.so*", versioned=False)


def _include_dirs(arch: str | None) -> list[str]:
    triplet = MULTIARCH.get(arch or "")
    return ["/usr/include", *([f"/usr/include/{triplet}"] if triplet else []), "/usr/local/include"]


def _defines(ctx: ProbeContext, header: str) -> dict[str, str]:
    text = ctx.fs.read_text(header, limit=1024 * 1024)
    if text is None:
        return {}
    return {name: value.strip() for name, value in _DEFINE.findall(text)}


def _names(ctx: ProbeContext, folder: str, pattern: str) -> list[str]:
    return [PurePosixPath(path).name for path in ctx.fs.glob(folder, pattern)]


def _soname_version(path: str) -> str | None:
    match = _SONAME_VERSION.search(path)
    return match[1] if match else None


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _library_by_name(
    ctx: ProbeContext, name: str, folders: Iterable[str], pattern: str, *, versioned: bool = True
) -> Library | None:
    found: list[tuple[tuple[int, ...], str, str | None]] = []
    for folder in folders:
        for path in ctx.fs.glob(folder, pattern):
            version = _soname_version(path) if versioned else None
            found.append((_numbers(version or ""), path, version))
        if found:
            break
    if not found:
        return None
    # The newest major version; within it the longest name (libcudnn.so.8.9.7 over
    # libcudnn.so.8) says the most.
    _, path, version = max(found, key=lambda item: (item[0][:1], len(item[0]), item[0]))
    return Library(name, version, path)


def _conda_package(ctx: ProbeContext, package: str) -> Library | None:
    records = [
        path
        for path in ctx.fs.glob(f"{CONDA_PREFIX}/conda-meta", f"{package}-*.json")
        if re.fullmatch(rf"{re.escape(package)}-\d[^-]*-[^-]+\.json", PurePosixPath(path).name)
    ]
    if not records:
        return None
    record = max(records)
    version = PurePosixPath(record).name[len(package) + 1 :].rsplit("-", 1)[0]
    return Library(package, version, record)
