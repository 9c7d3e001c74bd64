"""The CUDA toolkit, cuDNN, MKL, OpenBLAS and Open MPI installed in a root."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.discovery.conftest import FakeRoot, FakeTools, host_context, image_context
from tests.discovery.test_os_info import elf_header
from thoth_cli.discovery.cuda import cuda_toolkit, cudnn, mkl, openblas, openmpi
from thoth_cli.discovery.model import CudaToolkit, Library
from thoth_cli.discovery.probe import ProbeContext, ProbeNote


def x86_64(root: FakeRoot) -> FakeRoot:
    """Give the root an x86-64 shell, so its multiarch folders are searched."""
    return root.write("/bin/sh", elf_header(62))


@pytest.mark.parametrize(
    ("output", "version"), [("13.0", "13.0.88"), ("12.4", "12.4.99"), ("11.5", "11.5.119")]
)
def test_nvcc_on_the_host_names_the_toolkit(
    root: FakeRoot, tools: FakeTools, output: str, version: str
) -> None:
    nvcc = tools.printing("nvcc", f"nvcc/{output}.txt")
    assert cuda_toolkit(host_context(root, tools)) == CudaToolkit(version, "nvcc", str(nvcc))


def test_an_nvcc_that_says_nothing_gives_way_to_the_files(root: FakeRoot, tools: FakeTools) -> None:
    nvcc = tools.script(
        "nvcc", "print('nvcc fatal   : No input files specified; use option --help for more information')\n"
    )
    root.copy("/usr/local/cuda/version.json", "cuda/version-11.5.json")
    ctx = host_context(root, tools)
    assert cuda_toolkit(ctx) == CudaToolkit("11.5.2", "version.json", "/usr/local/cuda/version.json")
    assert ctx.notes == [ProbeNote("cuda-toolkit", f"{nvcc} --version names no CUDA release")]


def test_an_image_is_read_from_version_json_and_its_nvcc_never_runs(root: FakeRoot) -> None:
    root.copy("/usr/local/cuda-11.5/version.json", "cuda/version-11.5.json").link(
        "/usr/local/cuda", "cuda-11.5"
    )
    root.write("/usr/local/cuda-11.5/bin/nvcc", "#!/bin/sh\nexit 1\n")
    assert cuda_toolkit(image_context(root)) == CudaToolkit(
        "11.5.2", "version.json", "/usr/local/cuda/version.json"
    )


def test_a_runfile_date_stamp_is_not_a_patch_number(root: FakeRoot) -> None:
    root.copy("/usr/local/cuda/version.json", "cuda/version-11.8.json")
    assert cuda_toolkit(image_context(root)) == CudaToolkit(
        "11.8", "version.json", "/usr/local/cuda/version.json"
    )


def test_cuda_10_has_version_txt(root: FakeRoot) -> None:
    root.copy("/usr/local/cuda/version.txt", "cuda/version-10.2.txt")
    assert cuda_toolkit(image_context(root)) == CudaToolkit(
        "10.2.89", "version.txt", "/usr/local/cuda/version.txt"
    )


def test_a_toolkit_of_wheels_has_only_its_runtime_header(root: FakeRoot) -> None:
    header = "/usr/local/cuda-13.0/targets/x86_64-linux/include/cuda_runtime_api.h"
    root.copy(header, "cuda/cuda_runtime_api-13.0.h")
    assert cuda_toolkit(image_context(root)) == CudaToolkit("13.0", "cuda_runtime_api.h", header)


def test_the_runtime_librarys_longest_name_tells_its_version(root: FakeRoot) -> None:
    root.write("/usr/local/cuda/lib64/libcudart.so.12.2.140", b"\x7fELF")
    root.link("/usr/local/cuda/lib64/libcudart.so.12", "libcudart.so.12.2.140")
    assert cuda_toolkit(image_context(root)) == CudaToolkit(
        "12.2.140", "libcudart", "/usr/local/cuda/lib64/libcudart.so.12.2.140"
    )


def test_cuda_home_wins_over_the_usual_places(root: FakeRoot) -> None:
    root.copy("/usr/local/cuda/version.json", "cuda/version-11.5.json")
    root.copy("/opt/nvidia/cuda-10/version.txt", "cuda/version-10.2.txt")
    ctx = image_context(root, environ={"CUDA_HOME": "/opt/nvidia/cuda-10"})
    assert cuda_toolkit(ctx) == CudaToolkit("10.2.89", "version.txt", "/opt/nvidia/cuda-10/version.txt")


def test_the_newest_versioned_folder_wins_without_a_cuda_link(root: FakeRoot) -> None:
    root.copy("/usr/local/cuda-11.8/version.json", "cuda/version-11.8.json")
    root.copy("/usr/local/cuda-12.10/version.txt", "cuda/version-10.2.txt")
    root.copy("/usr/local/cuda-12.9/version.json", "cuda/version-11.5.json")
    found = cuda_toolkit(image_context(root))
    assert found is not None and found.path == "/usr/local/cuda-12.10/version.txt"


def test_no_toolkit(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert cuda_toolkit(ctx) is None
    assert ctx.notes == [
        ProbeNote("cuda-toolkit", "no CUDA toolkit in /usr/local/cuda, /opt/cuda, /usr/lib/cuda")
    ]


def test_cudnn_from_its_version_header(root: FakeRoot) -> None:
    x86_64(root).copy("/usr/include/cudnn_version.h", "cuda/cudnn_version-8.9.7.h")
    assert cudnn(image_context(root)) == Library("cudnn", "8.9.7", "/usr/include/cudnn_version.h")


def test_cudnn_9_from_debians_versioned_header(root: FakeRoot) -> None:
    header = "/usr/include/x86_64-linux-gnu/cudnn_version_v9.h"
    x86_64(root).write(header, "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n")
    assert cudnn(image_context(root)) == Library("cudnn", "9.1.0", header)


def test_cudnn_without_headers_from_its_librarys_name(root: FakeRoot) -> None:
    x86_64(root).write("/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7", b"\x7fELF")
    root.link("/usr/lib/x86_64-linux-gnu/libcudnn.so.8", "libcudnn.so.8.9.7")
    assert cudnn(image_context(root)) == Library(
        "cudnn", "8.9.7", "/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7"
    )


def test_mkl_from_its_version_header(root: FakeRoot) -> None:
    header = "/opt/intel/oneapi/mkl/2024.0/include/mkl_version.h"
    root.write(
        header,
        "#define __INTEL_MKL_BUILD_DATE 20231011\n"
        "#define __INTEL_MKL__ 2024\n#define __INTEL_MKL_MINOR__ 0\n#define __INTEL_MKL_UPDATE__ 0\n"
        "#define INTEL_MKL_VERSION 20240000\n",
    )
    root.link("/opt/intel/oneapi/mkl/latest", "2024.0")
    assert mkl(image_context(root)) == Library(
        "mkl", "2024.0.0", "/opt/intel/oneapi/mkl/latest/include/mkl_version.h"
    )


def test_mkl_from_condas_package_record(root: FakeRoot) -> None:
    root.write("/opt/conda/conda-meta/mkl-2023.1.0-h213fc3f_46344.json", "{}")
    root.write("/opt/conda/conda-meta/mkl-service-2.4.0-py311h5eee18b_1.json", "{}")
    assert mkl(image_context(root)) == Library(
        "mkl", "2023.1.0", "/opt/conda/conda-meta/mkl-2023.1.0-h213fc3f_46344.json"
    )


def test_openblas_from_debians_library_name(root: FakeRoot) -> None:
    library = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"
    x86_64(root).write(library, b"\x7fELF")
    assert openblas(image_context(root)) == Library("openblas", "0.3.21", library)


def test_openblas_from_its_config_header(root: FakeRoot) -> None:
    header = "/usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h"
    x86_64(root).write(header, '#define OPENBLAS_VERSION " OpenBLAS 0.3.26 "\n')
    assert openblas(image_context(root)) == Library("openblas", "0.3.26", header)


def test_open_mpi_from_its_header(root: FakeRoot) -> None:
    header = "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h"
    x86_64(root).write(
        header,
        "#define OMPI_MAJOR_VERSION 4\n#define OMPI_MINOR_VERSION 1\n#define OMPI_RELEASE_VERSION 4\n",
    )
    assert openmpi(image_context(root)) == Library("openmpi", "4.1.4", header)


def test_mpich_is_not_open_mpi(root: FakeRoot) -> None:
    x86_64(root).write("/usr/local/include/mpi.h", '#define MPICH_VERSION "4.1.2"\n')
    assert openmpi(image_context(root)) is None


def test_a_bare_root_has_none_of_them(root: FakeRoot) -> None:
    ctx = image_context(x86_64(root))
    assert (cudnn(ctx), mkl(ctx), openblas(ctx), openmpi(ctx)) == (None, None, None, None)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="this machine has no nvcc")
def test_this_machines_toolkit_is_what_its_nvcc_says() -> None:
    output = subprocess.run(["nvcc", "--version"], capture_output=True, text=True, check=True).stdout
    found = cuda_toolkit(ProbeContext.create())
    assert found is not None and found.source == "nvcc"
    assert f"V{found.version}" in output
