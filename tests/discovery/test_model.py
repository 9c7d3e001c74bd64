"""The runtime-environment model: its dict form, its round trip, its target, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from thoth_cli.discovery.model import (
    SCHEMA,
    Container,
    Cpu,
    CudaToolkit,
    EnvironmentDescriptionError,
    Gpu,
    IncompleteEnvironmentError,
    Library,
    Memory,
    NvidiaDriver,
    OperatingSystem,
    PythonInterpreter,
    PythonPackage,
    Rocm,
    RuntimeEnvironment,
    SystemPackage,
)
from thoth_cli.errors import ExitCode
from thoth_cli.target import Platform, Target

GPU_MACHINE = RuntimeEnvironment(
    host=True,
    os=OperatingSystem(
        id="ubuntu",
        name="Ubuntu",
        version="22.04",
        id_like=("debian",),
        pretty_name="Ubuntu 22.04.4 LTS",
        codename="jammy",
        kernel_release="5.15.0-105-generic",
        kernel_version="#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024",
    ),
    platform=Platform(os="linux", arch="x86_64", libc="glibc", libc_version=(2, 35)),
    python=PythonInterpreter(implementation="cpython", version=(3, 12, 4), executable="/usr/bin/python3.12"),
    python_packages=(PythonPackage("torch", "2.3.1+cu121", "/usr/lib/python3/dist-packages"),),
    cpu=Cpu(
        vendor="GenuineIntel",
        brand="Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
        family=6,
        model=106,
        stepping=6,
        logical_cores=8,
        physical_cores=4,
        flags=frozenset({"avx2", "avx512f", "sse4_2"}),
        source="/proc/cpuinfo",
    ),
    memory=Memory(64 * 2**30, 60 * 2**30, 32 * 2**30),
    gpus=(Gpu("nvidia", "NVIDIA H100 80GB HBM3", 81559 * 2**20, "9.0", 0),),
    nvidia_driver=NvidiaDriver("535.104.05", "12.2", "nvidia-smi"),
    rocm=Rocm("6.0.2", "/opt/rocm"),
    cuda_toolkit=CudaToolkit("12.1.105", "version.json", "/usr/local/cuda/version.json"),
    cudnn=Library("cudnn", "8.9.7", "/usr/include/cudnn_version.h"),
    mkl=None,
    openblas=Library(
        "openblas", "0.3.20", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.20.so"
    ),
    openmpi=Library("openmpi", None, "/usr/lib/x86_64-linux-gnu/openmpi/lib/libmpi.so.40"),
    system_packages=(SystemPackage("dpkg", "libc6", "2.35-0ubuntu3.7", "amd64"),),
    container=Container(True, "docker", "/.dockerenv exists"),
)

ALPINE_IMAGE = RuntimeEnvironment(
    host=False,
    os=OperatingSystem(id="alpine", name="Alpine Linux", version="3.19.1"),
    platform=Platform(os="linux", arch="aarch64", libc="musl", libc_version=(1, 2)),
    python=PythonInterpreter(implementation="cpython", version=(3, 12, 0), version_exact=False),
    container=Container(True, None, "an image root runs in a container"),
)


def test_the_dict_form_is_versioned_and_keeps_its_key_order() -> None:
    data = GPU_MACHINE.as_dict()
    assert list(data) == [
        "schema",
        "host",
        "os",
        "platform",
        "python",
        "python_packages",
        "cpu",
        "memory",
        "gpus",
        "nvidia_driver",
        "rocm",
        "cuda_toolkit",
        "cudnn",
        "mkl",
        "openblas",
        "openmpi",
        "system_packages",
        "container",
    ]
    assert data["schema"] == SCHEMA == "thoth.runtime-environment/1"
    assert data["nvidia_driver"] == {"version": "535.104.05", "cuda": "12.2", "cuda_source": "nvidia-smi"}
    assert data["cuda_toolkit"] == {
        "version": "12.1.105",
        "source": "version.json",
        "path": "/usr/local/cuda/version.json",
    }
    assert data["cpu"]["flags"] == ["avx2", "avx512f", "sse4_2"]  # type: ignore[index]


def test_the_dict_form_carries_what_follows_from_the_description() -> None:
    target = GPU_MACHINE.to_target()
    python = GPU_MACHINE.as_dict()["python"]
    platform = GPU_MACHINE.as_dict()["platform"]
    assert isinstance(python, dict) and isinstance(platform, dict)
    assert python["abi"] == "cp312"
    assert python["tags"] == [str(tag) for tag in target.tags()]
    assert python["tags"][0] == "cp312-cp312-manylinux_2_35_x86_64"
    assert python["marker_environment"] == target.marker_environment()
    assert python["marker_environment"]["platform_release"] == "5.15.0-105-generic"
    assert platform["tag"] == "manylinux_2_35_x86_64"
    assert platform["tags"][-1] == "linux_x86_64"


@pytest.mark.parametrize("environment", [GPU_MACHINE, ALPINE_IMAGE, RuntimeEnvironment(host=False)])
def test_json_and_yaml_round_trips_give_the_same_environment(environment: RuntimeEnvironment) -> None:
    assert RuntimeEnvironment.from_dict(json.loads(json.dumps(environment.as_dict()))) == environment
    assert RuntimeEnvironment.from_dict(yaml.safe_load(yaml.safe_dump(environment.as_dict()))) == environment


def test_derived_keys_are_recomputed_not_trusted() -> None:
    data = ALPINE_IMAGE.as_dict()
    python = data["python"]
    assert isinstance(python, dict)
    python["tags"] = ["py3-none-any"]
    python["abi"] = "cp27mu"
    read = RuntimeEnvironment.from_dict(data)
    assert read == ALPINE_IMAGE
    assert str(read.to_target().tags()[0]) == "cp312-cp312-musllinux_1_2_aarch64"


def test_an_image_with_only_x_y_known_targets_like_the_python_version_flag() -> None:
    assert ALPINE_IMAGE.to_target() == Target.from_options("3.12", "musllinux_1_2_aarch64")
    assert ALPINE_IMAGE.to_target().describe() == "CPython 3.12.0 (from 3.12) on musllinux_1_2_aarch64"


def test_the_host_target_carries_the_kernel_for_markers() -> None:
    target = GPU_MACHINE.to_target()
    assert target.platform_release == "5.15.0-105-generic"
    assert target.platform_version == "#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024"
    assert not target.python_version_stated


def test_no_target_without_an_interpreter() -> None:
    with pytest.raises(IncompleteEnvironmentError) as caught:
        RuntimeEnvironment(host=False, platform=ALPINE_IMAGE.platform).to_target()
    assert str(caught.value) == (
        "cannot build a target: the environment's Python interpreter is unknown\n"
        "  fix: pass the interpreter to describe (--python PATH), or name one with --python-version"
    )
    assert caught.value.missing == "Python interpreter"
    assert caught.value.exit_code is ExitCode.ENVIRONMENT


def test_no_target_without_a_platform() -> None:
    with pytest.raises(IncompleteEnvironmentError) as caught:
        RuntimeEnvironment(host=False, python=ALPINE_IMAGE.python).to_target()
    assert str(caught.value) == (
        "cannot build a target: the environment's platform is unknown\n"
        "  fix: name the platform to resolve for with --platform, e.g. manylinux_2_28_x86_64"
    )


def test_a_description_of_another_schema_is_refused() -> None:
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict({"schema": "thoth.runtime-environment/9", "host": False})
    assert str(caught.value) == (
        "<runtime environment> [schema]: not a runtime-environment description thoth reads: "
        "'thoth.runtime-environment/9'\n"
        '  fix: set "schema: thoth.runtime-environment/1"'
    )
    assert caught.value.exit_code is ExitCode.INVALID_INPUT


def test_an_unquoted_yaml_version_is_refused_with_the_key_and_the_fix() -> None:
    data = yaml.safe_load(
        f"schema: {SCHEMA}\nhost: false\npython:\n  implementation: cpython\n  version: 3.12\n"
    )
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict(data, source=Path("env.yaml"))
    assert (
        str(caught.value)
        == 'env.yaml [python.version]: expected text: 3.12\n  fix: quote the value, e.g. version: "3.12"'
    )
    assert caught.value.location.key == "python.version"


def test_a_short_python_version_is_refused() -> None:
    data = {"schema": SCHEMA, "host": False, "python": {"implementation": "cpython", "version": "3.12"}}
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict(data, source=Path("env.json"))
    assert str(caught.value) == "env.json [python.version]: expected a version of the form N.N.N: '3.12'"


def test_an_unknown_architecture_is_refused_as_the_platform_flag_would() -> None:
    data = {"schema": SCHEMA, "host": False, "platform": {"os": "linux", "architecture": "amd64"}}
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict(data, source=Path("env.json"))
    assert str(caught.value).startswith(
        "env.json [platform.architecture]: unknown Linux architecture in platform:"
    )
    assert "what Windows calls amd64 is x86_64 on Linux" in str(caught.value)


def test_a_libc_without_its_version_is_refused() -> None:
    data = {
        "schema": SCHEMA,
        "host": False,
        "platform": {"os": "linux", "architecture": "x86_64", "libc": "glibc"},
    }
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict(data)
    assert str(caught.value) == (
        "<runtime environment> [platform.libc]: libc and libc_version go together, "
        "macos_version with macOS only: 'glibc'"
    )


def test_list_entries_are_named_by_their_index() -> None:
    data = {"schema": SCHEMA, "host": False, "gpus": [{"vendor": "intel", "model": "Arc A770"}]}
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict(data)
    assert str(caught.value) == "<runtime environment> [gpus[0].vendor]: expected one of nvidia, amd: 'intel'"


def test_host_must_be_a_boolean() -> None:
    with pytest.raises(EnvironmentDescriptionError) as caught:
        RuntimeEnvironment.from_dict({"schema": SCHEMA, "host": "yes"})
    assert str(caught.value) == "<runtime environment> [host]: expected true or false: 'yes'"
