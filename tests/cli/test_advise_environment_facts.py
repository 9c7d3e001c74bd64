"""The machine `thoth advise` shows its units: this one discovered on first use only, a `.thoth.yaml`
entry's fields, a base image's, another target's Python and platform alone; flags over all of them.
And prescriptions reading those facts, from --prescriptions and from .thoth.yaml."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from tests.cli.conftest import HOST, Thoth
from tests.cli.test_advise import pins, project
from tests.cli.test_discover import image_archive, python_root
from tests.discovery.conftest import FakeRoot
from tests.indexserver import IndexServer, IndexServerFactory
from tests.pipeline.sample_units import LINK, install_distribution
from thoth_cli.discovery import (
    Cpu,
    CudaToolkit,
    Gpu,
    Library,
    NvidiaDriver,
    OperatingSystem,
    PythonInterpreter,
    RuntimeEnvironment,
)
from thoth_cli.discovery.probe import clear_cache
from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.units import Boot, Configuration
from thoth_cli.stack import Justification
from thoth_cli.target import Platform

SEEN: list[RuntimeEnvironment | None] = []
"""What the `machine-facts` unit was shown, one entry per pipeline built."""

TARGET_38 = ("--python-version", "3.8", "--platform", "manylinux_2_17_x86_64")
LINUX_X86_64_217 = Platform(os="linux", arch="x86_64", libc="glibc", libc_version=(2, 17))
PYTHON_38 = PythonInterpreter(implementation="cpython", version=(3, 8, 0), version_exact=False)

SMI_QUERY = "NVIDIA L40S, 46068, 570.195.03, 8.9\n"
SMI_HEADER = "| NVIDIA-SMI 570.195.03      Driver Version: 570.195.03      CUDA Version: 12.8     |\n"


class MachineFactsBoot(Boot):
    """Asks for the machine while the pipeline is built, as a prescription's condition does, and
    keeps what it was shown; it never joins."""

    name = "machine-facts"
    description = "Records the machine its conditions would read."
    link = LINK
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        SEEN.append(context.runtime_environment())
        return iter(())

    def run(self) -> Iterable[Justification]:
        return ()


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    SEEN.clear()
    clear_cache()
    yield
    SEEN.clear()
    clear_cache()


@pytest.fixture
def asking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `machine-facts` unit installed, as a third party's unit is."""
    site = tmp_path / "site"
    install_distribution(site, "thoth_fact_units", {"machine-facts": f"{__name__}:MachineFactsBoot"})
    monkeypatch.syspath_prepend(str(site))


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server("demo 1.0 2.0\n")


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A project at a repository's root (no .thoth.yaml above it is found) needing `demo`."""
    folder = tmp_path / "app"
    (folder / ".git").mkdir(parents=True)
    project(folder, "requirements.in", "demo\n")
    return folder


class FakeNvidiaSmi:
    """An nvidia-smi on PATH that answers as a machine with one L40S and logs each time it runs."""

    def __init__(self, folder: Path) -> None:
        self.log = folder / "nvidia-smi.log"
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        script = self.bin / "nvidia-smi"
        script.write_text(
            f"#!{sys.executable}\n"
            "import sys\n"
            f"with open({str(self.log)!r}, 'a') as log:\n"
            "    log.write(' '.join(sys.argv[1:]) + '\\n')\n"
            "query = any(arg.startswith('--query-gpu=') for arg in sys.argv[1:])\n"
            f"sys.stdout.write({SMI_QUERY!r} if query else {SMI_HEADER!r})\n",
            encoding="utf-8",
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)

    @property
    def env(self) -> dict[str, str | None]:
        return {"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"}

    @property
    def runs(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0


@pytest.fixture
def smi(tmp_path: Path) -> FakeNvidiaSmi:
    return FakeNvidiaSmi(tmp_path / "smi")


def write_config(app: Path, text: str) -> None:
    (app / ".thoth.yaml").write_text(text, encoding="utf-8")


def advise(
    thoth: Thoth,
    app: Path,
    *arguments: str,
    server: IndexServer,
    target: Sequence[str],
    env: Mapping[str, str | None] | None = None,
) -> None:
    """A dry run for the project in `app`, which must succeed."""
    manifest = str(app / "requirements.in")
    result = thoth.advise(
        "--manifest", manifest, "--dry-run", *arguments, index=server, target=target, env=env
    )
    assert result.exit_code == 0, result.stderr


# This machine ----------------------------------------------------------------------------


def test_this_machine_is_not_probed_when_no_unit_asks(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    # An explicit pipeline is run as given: no unit is asked whether it joins.
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("steps:\n  - prerelease\n", encoding="utf-8")

    advise(thoth, app, "--pipeline", str(pipeline), server=server, target=HOST, env=smi.env)

    assert smi.runs == 0
    assert SEEN == []


def test_this_machine_is_probed_once_when_a_unit_asks(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    advise(thoth, app, server=server, target=HOST, env=smi.env)

    (machine,) = SEEN
    assert machine is not None and machine.host
    assert machine.gpus == (
        Gpu(
            vendor="nvidia",
            model="NVIDIA L40S",
            memory_bytes=46068 * 2**20,
            compute_capability="8.9",
            index=0,
        ),
    )
    assert machine.nvidia_driver == NvidiaDriver("570.195.03", "12.8", "nvidia-smi")
    assert machine.platform == Platform.current()
    assert machine.python is not None
    assert machine.python.version == tuple(sys.version_info[:3])
    # The running interpreter is the target: what it has installed is the environment's.
    assert machine.python_packages is not None
    assert "pytest" in {package.name for package in machine.python_packages}
    assert smi.runs == 2


def test_flags_replace_this_machines_cpu_flags_and_cuda(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    advise(
        thoth,
        app,
        "--cpu-flags",
        "SSE4_2, sse2",
        "--cuda-version",
        "11.8",
        server=server,
        target=HOST,
        env=smi.env,
    )

    (machine,) = SEEN
    assert machine is not None and machine.cpu is not None
    assert machine.cpu.flags == {"sse4_2", "sse2"}
    assert machine.cpu.source == "--cpu-flags"
    assert machine.cuda_toolkit == CudaToolkit("11.8", "--cuda-version")
    # What the flags do not name is still this machine's.
    assert machine.nvidia_driver == NvidiaDriver("570.195.03", "12.8", "nvidia-smi")


def test_the_manifests_python_runs_on_this_machine_without_the_running_interpreters_packages(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    other = "3.9" if sys.version_info[:2] != (3, 9) else "3.10"
    (app / "Pipfile").write_text(
        f'[packages]\ndemo = "*"\n\n[requires]\npython_version = "{other}"\n', encoding="utf-8"
    )

    result = thoth.advise(
        "--manifest", str(app / "Pipfile"), "--dry-run", index=server, target=HOST, env=smi.env
    )

    assert result.exit_code == 0, result.stderr
    (machine,) = SEEN
    assert machine is not None and machine.host
    assert machine.python == PythonInterpreter(
        implementation="cpython", version=(int(other[0]), int(other[2:]), 0), version_exact=False
    )
    assert machine.python_packages is None
    assert machine.nvidia_driver == NvidiaDriver("570.195.03", "12.8", "nvidia-smi")


# Another target --------------------------------------------------------------------------


def test_another_target_is_known_only_by_its_python_platform_and_flags(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    advise(thoth, app, "--cpu-flags", "sse,sse2,sse4_1,sse4_2", server=server, target=TARGET_38, env=smi.env)

    (machine,) = SEEN
    assert machine == RuntimeEnvironment(
        host=False,
        platform=LINUX_X86_64_217,
        python=PYTHON_38,
        cpu=Cpu(
            vendor=None,
            brand=None,
            family=None,
            model=None,
            stepping=None,
            logical_cores=None,
            physical_cores=None,
            flags=frozenset({"sse", "sse2", "sse4_1", "sse4_2"}),
            source="--cpu-flags",
        ),
    )
    assert smi.runs == 0


def test_another_target_without_flags_knows_nothing_of_the_machine(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    advise(thoth, app, server=server, target=TARGET_38, env=smi.env)

    assert SEEN == [None]
    assert smi.runs == 0


# .thoth.yaml -----------------------------------------------------------------------------

GPU_ENTRY = """\
runtime_environments:
  - name: training
    operating_system:
      name: rhel
      version: "8"
    hardware:
      cpu_family: 6
      cpu_model: 85
      gpu_model: Tesla V100
    python_version: "3.8"
    cuda_version: "11.8"
    cudnn_version: "8.6"
    base_image: quay.io/thoth-station/s2i-thoth-ubi8-py38
    platform: linux-x86_64
    glibc: "2.28"
    cpu_flags: [sse4_2, avx, avx2]
    driver_version: 520.61.05
"""


def test_a_thoth_yaml_entry_is_the_machine_its_fields_describe(
    app: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    write_config(app, GPU_ENTRY)

    advise(thoth, app, "--runtime-environment", "training", server=server, target=HOST, env=smi.env)

    (machine,) = SEEN
    assert machine == RuntimeEnvironment(
        host=False,
        base_image="quay.io/thoth-station/s2i-thoth-ubi8-py38",
        os=OperatingSystem(id="rhel", version="8"),
        platform=Platform(os="linux", arch="x86_64", libc="glibc", libc_version=(2, 28)),
        python=PYTHON_38,
        cpu=Cpu(
            vendor=None,
            brand=None,
            family=6,
            model=85,
            stepping=None,
            logical_cores=None,
            physical_cores=None,
            flags=frozenset({"sse4_2", "avx", "avx2"}),
            source=".thoth.yaml",
        ),
        gpus=(Gpu(vendor="nvidia", model="Tesla V100", compute_capability="7.0"),),
        nvidia_driver=NvidiaDriver("520.61.05", "11.8", "driver-table"),
        cuda_toolkit=CudaToolkit("11.8", ".thoth.yaml"),
        cudnn=Library("cudnn", "8.6", ""),
    )
    assert smi.runs == 0


def test_flags_replace_a_thoth_yaml_entrys_cpu_flags_and_cuda(
    app: Path, thoth: Thoth, server: IndexServer, asking: None
) -> None:
    write_config(app, GPU_ENTRY)

    advise(
        thoth,
        app,
        "--runtime-environment",
        "training",
        "--cpu-flags",
        "sse4_2",
        "--cuda-version",
        "12.4",
        "--python-version",
        "3.11",
        server=server,
        target=HOST,
    )

    (machine,) = SEEN
    assert machine is not None and machine.cpu is not None
    assert machine.cpu.flags == {"sse4_2"}
    assert (machine.cpu.family, machine.cpu.model) == (6, 85)
    assert machine.cuda_toolkit == CudaToolkit("12.4", "--cuda-version")
    assert machine.python == PythonInterpreter(
        implementation="cpython", version=(3, 11, 0), version_exact=False
    )
    assert machine.nvidia_driver == NvidiaDriver("520.61.05", "11.8", "driver-table")


def test_a_thoth_yaml_entry_without_hardware_leaves_the_cpu_and_gpus_unknown(
    app: Path, thoth: Thoth, server: IndexServer, asking: None
) -> None:
    write_config(
        app,
        "runtime_environments:\n"
        "  - name: amd\n"
        "    python_version: '3.12'\n"
        "    platform: linux-x86_64\n"
        "    glibc: '2.28'\n"
        "  - name: rocm\n"
        "    hardware:\n"
        "      gpu_model: AMD Instinct MI250X\n"
        "    python_version: '3.12'\n"
        "    platform: linux-x86_64\n"
        "    glibc: '2.28'\n",
    )

    advise(thoth, app, "--runtime-environment", "amd", server=server, target=HOST)
    advise(thoth, app, "--runtime-environment", "rocm", server=server, target=HOST)

    bare, rocm = SEEN
    assert bare is not None and rocm is not None
    assert (bare.cpu, bare.gpus, bare.cuda_toolkit, bare.nvidia_driver, bare.os) == (None,) * 5
    assert rocm.cpu is None
    assert rocm.gpus == (Gpu(vendor="amd", model="AMD Instinct MI250X"),)


# --base-image ----------------------------------------------------------------------------


def test_a_base_image_is_the_machine_discovery_found_in_it_with_the_flags_over_it(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi, asking: None
) -> None:
    root = python_root(FakeRoot(tmp_path / "image-root"), {"numpy": "1.26.4"})
    image = image_archive(root.path, tmp_path / "image.tar", tags=("shop/python:3.12",))

    advise(
        thoth, app, "--base-image", str(image), "--cpu-flags", "avx2", server=server, target=HOST, env=smi.env
    )

    (machine,) = SEEN
    assert machine is not None and not machine.host
    assert machine.os is not None and (machine.os.id, machine.os.version) == ("debian", "12")
    assert machine.python is not None and machine.python.version == (3, 12, 4)
    assert machine.python_packages is not None
    assert [(package.name, package.version) for package in machine.python_packages] == [("numpy", "1.26.4")]
    assert machine.system_packages
    assert machine.cpu is not None and machine.cpu.flags == {"avx2"}
    # An image's GPUs are those of the machine it will run on: this machine's are not asked.
    assert machine.gpus is None
    assert smi.runs == 0


# Prescriptions reading the facts ---------------------------------------------------------

AVX_RULE = """\
version: 1
units:
  - name: demo-needs-avx
    type: sieve
    description: demo 2 is built with AVX.
    should_include:
      runtime_environment:
        cpu_flags: {absent: [avx]}
    match:
      package: {name: demo, version: ">=2"}
    run:
      remove: true
      justification:
        type: WARNING
        message: demo {version} uses AVX instructions, which this CPU lacks
        link: https://example.org/demo-avx
"""

GPU_RULE = """\
version: 1
units:
  - name: demo-old-gpus
    type: sieve
    description: demo 2 has no kernels for GPUs before Turing.
    should_include:
      runtime_environment:
        gpu: {compute_capability: "<7.5"}
        driver_cuda_version: ">=11.8"
    match:
      package: {name: demo, version: ">=2"}
    run:
      remove: true
      justification:
        type: WARNING
        message: demo {version} has no kernels for this GPU
        link: https://example.org/demo-gpu
"""

AVX_REASON = (
    "chosen over 2.0, removed by unit demo-needs-avx[demo]: "
    "demo 2.0 uses AVX instructions, which this CPU lacks"
)
GPU_REASON = "chosen over 2.0, removed by unit demo-old-gpus[demo]: demo 2.0 has no kernels for this GPU"


def rules(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "rules.yaml").write_text(text, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Locked:
    """What a run chose for demo, the sieves that joined its pipeline, and the reasons its stack gives."""

    version: str
    sieves: list[str]
    reasons: list[str]


def locked(
    thoth: Thoth,
    app: Path,
    *arguments: str,
    server: IndexServer,
    target: Sequence[str],
    env: Mapping[str, str | None] | None = None,
) -> Locked:
    """Lock the project in `app` (replacing an earlier lock) and read its report."""
    manifest = str(app / "requirements.in")
    report = app / "report.json"
    (app / "requirements.txt").unlink(missing_ok=True)
    result = thoth.advise(
        "--manifest", manifest, "--report", str(report), *arguments, index=server, target=target, env=env
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    return Locked(
        pins(app / "requirements.txt")["demo"],
        [unit["name"] for unit in data["pipeline"]["sieves"] if unit["name"].startswith("demo-")],
        [reason["message"] for reason in data["stacks"][0]["justifications"]],
    )


@pytest.mark.parametrize(
    ("flags", "version"),
    [((), "1.0"), (("--cpu-flags", "sse4_2,avx"), "2.0")],
    ids=["the-entrys-flags", "the-command-lines-flags"],
)
def test_a_prescription_reads_a_thoth_yaml_entrys_cpu_flags_and_the_command_lines_over_them(
    app: Path, thoth: Thoth, server: IndexServer, flags: tuple[str, ...], version: str
) -> None:
    rules(app / "rules", AVX_RULE)
    write_config(
        app,
        "prescriptions: [rules]\n"
        "runtime_environments:\n"
        "  - name: old-cpu\n"
        "    python_version: '3.12'\n"
        "    platform: linux-x86_64\n"
        "    glibc: '2.28'\n"
        "    cpu_flags: [sse4_2]\n",
    )

    run = locked(thoth, app, "--runtime-environment", "old-cpu", *flags, server=server, target=HOST)

    assert run.version == version
    if version == "1.0":
        assert (run.sieves, run.reasons) == (["demo-needs-avx"], [AVX_REASON])
    else:
        assert (run.sieves, run.reasons) == ([], [])


@pytest.mark.parametrize(
    ("flags", "version"),
    [((), "2.0"), (("--cpu-flags", "sse,sse2,sse4_1,sse4_2"), "1.0")],
    ids=["unknown-cpu", "cpu-without-avx"],
)
def test_a_prescription_holds_for_another_target_only_on_what_the_flags_say(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer, flags: tuple[str, ...], version: str
) -> None:
    folder = rules(tmp_path / "rules", AVX_RULE)

    run = locked(thoth, app, "--prescriptions", str(folder), *flags, server=server, target=TARGET_38)

    assert run.version == version
    if version == "1.0":
        assert (run.sieves, run.reasons) == (["demo-needs-avx"], [AVX_REASON])
    else:
        assert (run.sieves, run.reasons) == ([], [])


def test_a_prescription_reads_the_gpu_and_driver_of_this_machine_and_of_a_thoth_yaml_entry(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer, smi: FakeNvidiaSmi
) -> None:
    folder = str(rules(tmp_path / "rules", GPU_RULE))
    write_config(app, GPU_ENTRY)

    # This machine's L40S (compute capability 8.9) has the kernels; the entry's V100 (7.0) has not.
    here = locked(thoth, app, "--prescriptions", folder, server=server, target=HOST, env=smi.env)
    there = locked(
        thoth, app, "--prescriptions", folder, "--runtime-environment", "training", server=server, target=HOST
    )

    assert (here.version, here.sieves, here.reasons) == ("2.0", [], [])
    assert (there.version, there.sieves, there.reasons) == ("1.0", ["demo-old-gpus"], [GPU_REASON])
    assert smi.runs == 2


def test_command_line_prescriptions_come_after_the_thoth_yamls(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    rules(app / "rules", AVX_RULE)
    write_config(app, "prescriptions: [rules]\n")
    # The same unit, told to leave demo alone: `recommendation_types` no run of this test has.
    relaxed = AVX_RULE.replace(
        "    should_include:\n", "    should_include:\n      recommendation_types: [security]\n"
    )
    later = rules(tmp_path / "later", relaxed)
    no_avx = ("--cpu-flags", "sse4_2")

    configured = locked(thoth, app, *no_avx, server=server, target=TARGET_38)
    replaced = locked(thoth, app, "--prescriptions", str(later), *no_avx, server=server, target=TARGET_38)

    assert (configured.version, configured.sieves) == ("1.0", ["demo-needs-avx"])
    assert (replaced.version, replaced.sieves) == ("2.0", [])


def test_a_missing_prescriptions_folder_is_named(
    app: Path, tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    missing = tmp_path / "nowhere"

    result = thoth.advise(
        "--manifest", str(app / "requirements.in"), "--prescriptions", str(missing), index=server
    )

    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {missing}: no such folder\n  fix: pass a folder of prescription files (*.yaml)\n"
    )
    assert not (app / "requirements.txt").exists()


def test_a_thoth_yaml_entry_naming_its_cpu_model_but_no_flags_holds_no_flag_condition(
    app: Path, thoth: Thoth, server: IndexServer
) -> None:
    # Thoth's entries name the CPU's family and model, never its flags: unknown flags must not
    # read as "no AVX" and remove every build that needs it.
    rules(app / "rules", AVX_RULE)
    write_config(
        app,
        "prescriptions: [rules]\n"
        "runtime_environments:\n"
        "  - name: thoth-style\n"
        "    hardware:\n"
        "      cpu_family: 6\n"
        "      cpu_model: 85\n"
        "    python_version: '3.12'\n"
        "    platform: linux-x86_64\n"
        "    glibc: '2.28'\n",
    )

    run = locked(thoth, app, "--runtime-environment", "thoth-style", server=server, target=HOST)

    assert (run.version, run.sieves) == ("2.0", [])
