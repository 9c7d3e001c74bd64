"""`.thoth.yaml`: Thoth's files read as they are, bad keys named with their line, entries saved in place."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from thoth_cli.config import (
    EnvironmentSpec,
    HardwareSpec,
    OperatingSystemSpec,
    SaveResult,
    ThothConfig,
    describe_environment,
    find_config,
    parse_config,
    read_config,
    save_environment,
    sysconfig_platform,
    with_overrides,
)
from thoth_cli.discovery.model import (
    Cpu,
    CudaToolkit,
    Gpu,
    Library,
    NvidiaDriver,
    OperatingSystem,
    PythonInterpreter,
    RuntimeEnvironment,
)
from thoth_cli.errors import ConfigError, ExitCode
from thoth_cli.target import Platform, Target, TargetError

CONFIG = Path(".thoth.yaml")

THOTH = """\
# This is Thoth's configuration file placed in a root of a repo.
host: khemenu.thoth-station.ninja
tls_verify: true
requirements_format: pipenv
overlays_dir: overlays

runtime_environments:
  - name: 'fedora:32'
    operating_system:
      name: fedora
      version: '32'
    hardware:
      # Intel(R) Core(TM) i7-6600U CPU @ 2.60GHz
      cpu_family: 6
      cpu_model: 78
      gpu_model: null
    python_version: '3.8'
    cuda_version: '10.1'
    cudnn_version: null
    recommendation_type: stable
    platform: 'linux-x86_64'
    labels:
      team: ml
  - name: ubi8
    python_version: 3.10
    platform: linux-x86_64
    glibc: '2.28'
    cpu_flags: [AVX2, avx512f]
    driver_version: '550.54.14'

managers:
  - name: update
    configuration:
      labels: [bot]
"""


def read(text: str) -> ThothConfig:
    return parse_config(text, CONFIG)


def error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        read(text)
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    return str(caught.value)


# Reading Thoth's files -------------------------------------------------------------------


def test_a_thoth_file_reads_as_it_is() -> None:
    config = read(THOTH)
    assert config.names == ("fedora:32", "ubi8")
    assert config.overlays_dir == "overlays"
    assert config.overlay("ubi8") == Path("overlays/ubi8")
    assert config.environment("fedora:32") == EnvironmentSpec(
        name="fedora:32",
        operating_system=OperatingSystemSpec("fedora", "32"),
        hardware=HardwareSpec(6, 78, None),
        python_version="3.8",
        cuda_version="10.1",
        recommendation_type="stable",
        platform="linux-x86_64",
        labels={"team": "ml"},
    )
    ubi8 = config.environment("ubi8")
    assert ubi8 is not None
    # Written unquoted, 3.10 is the number 3.1 to YAML; thoth reads the text as written.
    assert ubi8.python_version == "3.10"
    assert ubi8.cpu_flags == ("avx2", "avx512f")
    assert ubi8.driver_version == "550.54.14"
    assert config.environment("cuda") is None


def test_thoths_service_settings_are_accepted_and_noted() -> None:
    assert read(THOTH).notes == (
        ".thoth.yaml: host is Thoth's setting for the Thoth service to ask; thoth leaves it alone",
        ".thoth.yaml: tls_verify is Thoth's setting for TLS checks with the Thoth service; "
        "thoth leaves it alone",
        ".thoth.yaml: requirements_format is Thoth's setting for the manifest format Thamos writes; "
        "thoth leaves it alone",
        ".thoth.yaml: managers is Thoth's setting for Kebechet's bots; thoth leaves it alone",
    )
    assert read("managed: true\nvirtualenv: false\n").names == ()


def test_an_empty_file_has_no_environments() -> None:
    assert read("") == ThothConfig(CONFIG)
    assert read("# nothing yet\n") == ThothConfig(CONFIG)


def test_python_version_x_y_means_x_y_0_as_the_flag_does() -> None:
    fedora = read(THOTH).environment("fedora:32")
    assert fedora is not None
    target = fedora.target()
    assert target == Target.from_options("3.8", "linux-x86_64")
    assert target.describe() == "CPython 3.8.0 (from 3.8) on linux_x86_64"


@pytest.mark.parametrize(
    ("entry", "platform"),
    [
        ({"platform": "linux-x86_64"}, "linux_x86_64"),
        ({"platform": "linux-aarch64", "glibc": "2.28"}, "manylinux_2_28_aarch64"),
        ({"platform": "macosx-11.0-arm64"}, "macosx_11_0_arm64"),
        ({"platform": "win-amd64"}, "win_amd64"),
        ({"platform_tag": "musllinux_1_2_x86_64"}, "musllinux_1_2_x86_64"),
        (
            {"platform": "linux-x86_64", "platform_tag": "manylinux_2_17_x86_64", "glibc": "2.17"},
            "manylinux_2_17_x86_64",
        ),
        ({"platform": "manylinux_2_31_x86_64"}, "manylinux_2_31_x86_64"),
    ],
)
def test_platform_glibc_and_platform_tag_name_the_wheel_platform(
    entry: dict[str, str], platform: str
) -> None:
    spec = EnvironmentSpec(name="e", python_version="3.12", **entry)
    assert str(spec.target_platform()) == platform
    assert spec.target().platform == Platform.parse(platform)


def test_an_entry_without_python_or_platform_means_this_machines() -> None:
    assert EnvironmentSpec(name="here").target() == Target.from_options(None, None)


def test_flags_replace_the_entrys_python_and_platform() -> None:
    spec = EnvironmentSpec(name="e", python_version="3.8", platform="linux-x86_64", glibc="2.28")
    assert spec.target(python_version="3.12.4") == Target.from_options("3.12.4", "manylinux_2_28_x86_64")
    assert spec.target(platform="win_amd64") == Target.from_options("3.8", "win_amd64")
    with pytest.raises(TargetError) as caught:
        spec.target(platform="win_amd65")
    assert caught.value.flag == "--platform"


def test_overrides_replace_single_fields() -> None:
    spec = EnvironmentSpec(name="e", cuda_version="11.8", cpu_flags=("avx",), driver_version="525.60")
    assert with_overrides(spec, cuda_version="12.4", cpu_flags=("AVX2", "fma")) == EnvironmentSpec(
        name="e", cuda_version="12.4", cpu_flags=("avx2", "fma"), driver_version="525.60"
    )
    assert with_overrides(spec) is spec


def test_a_lock_records_all_but_the_target() -> None:
    ubi8 = read(THOTH).environment("ubi8")
    assert ubi8 is not None
    assert ubi8.record() == {
        "name": "ubi8",
        "cpu_flags": ["avx2", "avx512f"],
        "driver_version": "550.54.14",
    }


# Bad input: the line, the key's path, the text and the fix -------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hots: thoth.example\n",
            ".thoth.yaml:1 [hots]: unknown key in the configuration: 'hots'\n  fix: did you mean 'host'?",
        ),
        (
            "runtime_environments:\n  - name: x\n    pyhton_version: '3.8'\n",
            ".thoth.yaml:3 [runtime_environments[0].pyhton_version]: unknown key in a runtime environment: "
            "'pyhton_version'\n  fix: did you mean 'python_version'?",
        ),
        (
            "runtime_environments:\n  - name: x\n  - name: y\n    hardware:\n      cpu_modle: 85\n",
            ".thoth.yaml:5 [runtime_environments[1].hardware.cpu_modle]: unknown key in hardware: "
            "'cpu_modle'\n  fix: did you mean 'cpu_model'?",
        ),
        (
            "runtime_environments:\n  - name: x\n    colour: blue\n",
            ".thoth.yaml:3 [runtime_environments[0].colour]: unknown key in a runtime environment: 'colour'\n"
            "  fix: the keys of a runtime environment are name, operating_system, hardware, "
            "python_version, cuda_version, cudnn_version, mkl_version, openblas_version, openmpi_version, "
            "base_image, platform, recommendation_type, labels, platform_tag, glibc, cpu_flags, "
            "driver_version",
        ),
        (
            "runtime_environments:\n  - name: x\n    python_version: '2.7'\n",
            ".thoth.yaml:3 [runtime_environments[0].python_version]: thoth resolves for Python 3.7 or newer: "
            "'2.7'\n  fix: name a newer Python, e.g. 3.12",
        ),
        (
            "runtime_environments:\n  - name: x\n    platform: linux-amd64\n",
            ".thoth.yaml:3 [runtime_environments[0].platform]: unknown Linux architecture in platform: "
            "'linux-amd64'\n  fix: use one of aarch64, armv7l, armv8l, i686, loongarch64, ppc64, ppc64le, "
            "riscv64, s390x, x86_64 (what Windows calls amd64 is x86_64 on Linux)",
        ),
        (
            "runtime_environments:\n  - name: x\n    platform: linux-x86_64\n    glibc: '2.1'\n",
            ".thoth.yaml:4 [runtime_environments[0].glibc]: manylinux on x86_64 starts at glibc 2.5: '2.1'\n"
            "  fix: name the glibc the machine has, e.g. 2.28",
        ),
        (
            "runtime_environments:\n  - name: x\n    glibc: 2.28\n",
            ".thoth.yaml:3 [runtime_environments[0].glibc]: names a Linux C library, and the entry names no "
            "Linux platform for it: '2.28'\n  fix: add the platform, e.g. platform: linux-x86_64",
        ),
        (
            "runtime_environments:\n  - name: x\n    glibc: 'glibc 2.28'\n",
            ".thoth.yaml:3 [runtime_environments[0].glibc]: expected a glibc version such as 2.28: "
            "'glibc 2.28'",
        ),
        (
            "runtime_environments:\n  - name: x\n    platform: linux-x86_64\n    platform_tag: win_amd64\n",
            ".thoth.yaml:4 [runtime_environments[0].platform_tag]: does not name the same system as platform "
            "'linux-x86_64': 'win_amd64'\n  fix: make platform and platform_tag agree, or leave one out",
        ),
        (
            "runtime_environments:\n  - name: x\n    platform_tag: manylinux_2_28_x86_64\n"
            "    glibc: '2.17'\n",
            ".thoth.yaml:4 [runtime_environments[0].glibc]: does not agree with platform_tag "
            "'manylinux_2_28_x86_64': '2.17'\n  fix: make glibc and platform_tag agree, or leave glibc out",
        ),
        (
            "runtime_environments:\n  - name: x\n    hardware:\n      cpu_family: six\n",
            ".thoth.yaml:4 [runtime_environments[0].hardware.cpu_family]: expected a whole number: 'six'",
        ),
        (
            "runtime_environments:\n  - name: x\n    cuda_version: cuda-12\n",
            ".thoth.yaml:3 [runtime_environments[0].cuda_version]: expected a version such as 12.4: "
            "'cuda-12'",
        ),
        (
            "runtime_environments:\n  - name: x\n    cuda_version: [12]\n",
            ".thoth.yaml:3 [runtime_environments[0].cuda_version]: expected text: a list\n"
            '  fix: write it as cuda_version: "..."',
        ),
        (
            "runtime_environments:\n  - name: x\n    cpu_flags: avx2 fma\n",
            ".thoth.yaml:3 [runtime_environments[0].cpu_flags]: expected a list: 'avx2 fma'",
        ),
        (
            "runtime_environments:\n  - name: x\n    labels: [a]\n",
            ".thoth.yaml:3 [runtime_environments[0].labels]: expected a mapping of label names to values: "
            "a list",
        ),
        (
            "runtime_environments:\n  - name: x\n    recommendation_type: stabel\n",
            ".thoth.yaml:3 [runtime_environments[0].recommendation_type]: expected one of latest, stable, "
            "performance, security, testing: 'stabel'\n  fix: did you mean 'stable'?",
        ),
        (
            "runtime_environments:\n  - name: x\n  - name: x\n",
            ".thoth.yaml:3 [runtime_environments[1].name]: the name is taken by runtime_environments[0]: "
            "'x'\n  fix: give each environment its own name",
        ),
        (
            "runtime_environments:\n  - python_version: '3.8'\n",
            ".thoth.yaml:2 [runtime_environments[0].name]: missing\n"
            "  fix: give every runtime environment a name",
        ),
        (
            "runtime_environments:\n  - name: ../up\n",
            ".thoth.yaml:2 [runtime_environments[0].name]: not a usable name: '../up'\n"
            "  fix: a name is letters, digits, '_', '-', '.' and ':', "
            "and does not start with '.', '-' or ':'",
        ),
        (
            "runtime_environments:\n  - name: x\n    name: y\n",
            ".thoth.yaml:3 [runtime_environments[0].name]: key given twice (first on line 2): 'name'\n"
            "  fix: keep one of them",
        ),
        (
            "runtime_environments:\n  name: x\n",
            ".thoth.yaml:2 [runtime_environments]: expected a list: a mapping",
        ),
        ("tls_verify: 'yes'\n", ".thoth.yaml:1 [tls_verify]: expected true or false: 'yes'"),
        (
            "requirements_format: poetry\n",
            ".thoth.yaml:1 [requirements_format]: expected one of pipenv, pip, pip-tools, pip-compile: "
            "'poetry'\n  fix: use one of pipenv, pip, pip-tools, pip-compile",
        ),
        (
            "overlays_dir: /srv/overlays\n",
            ".thoth.yaml:1 [overlays_dir]: expected a folder relative to the configuration file: "
            "'/srv/overlays'\n  fix: write it as Thoth does, e.g. overlays_dir: overlays",
        ),
        ("- host\n", ".thoth.yaml:1: expected the configuration (a mapping): a list"),
        (
            "runtime_environments:\n  - name: x\n   platform: linux\n",
            ".thoth.yaml:3: not valid YAML: expected <block end>, but found '<block mapping start>'\n"
            "  fix: correct the YAML syntax at that line",
        ),
    ],
)
def test_bad_input_names_line_key_text_and_fix(text: str, message: str) -> None:
    assert error(text) == message


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_config(tmp_path / ".thoth.yaml")
    assert str(caught.value) == (
        f"{tmp_path / '.thoth.yaml'}: no such file\n"
        "  fix: save an environment into it with `thoth discover --save NAME`"
    )


# Finding the file ------------------------------------------------------------------------


def test_the_file_is_found_in_the_folder_or_above_it(tmp_path: Path) -> None:
    (tmp_path / ".thoth.yaml").write_text(THOTH)
    inner = tmp_path / "src" / "app"
    inner.mkdir(parents=True)
    assert find_config(tmp_path) == tmp_path / ".thoth.yaml"
    assert find_config(inner) == (tmp_path / ".thoth.yaml").resolve()
    assert read_config(find_config(inner) or Path()).names == ("fedora:32", "ubi8")


def test_the_search_stops_at_the_repositorys_root(tmp_path: Path) -> None:
    (tmp_path / ".thoth.yaml").write_text(THOTH)
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "app").mkdir()
    assert find_config(repository / "app") is None


def test_the_search_stops_when_it_starts_at_the_repositorys_root(tmp_path: Path) -> None:
    (tmp_path / ".thoth.yaml").write_text(THOTH)
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    assert find_config(repository) is None


def test_a_file_at_the_repositorys_root_is_found_from_the_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".thoth.yaml").write_text(THOTH)
    assert find_config(tmp_path) == tmp_path / ".thoth.yaml"


# Saving ----------------------------------------------------------------------------------

GPU = EnvironmentSpec(
    name="gpu",
    python_version="3.12.4",
    cuda_version="12.4",
    platform="linux-x86_64",
    glibc="2.35",
    cpu_flags=("avx", "avx2"),
    driver_version="550.54.14",
)

GPU_LINES = """\
  - name: gpu
    python_version: 3.12.4
    cuda_version: '12.4'
    platform: linux-x86_64
    glibc: '2.35'
    cpu_flags: [avx, avx2]
    driver_version: 550.54.14
"""


def test_saving_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    assert save_environment(path, GPU) == SaveResult(path, replaced=False)
    assert path.read_text() == "runtime_environments:\n" + GPU_LINES
    assert read_config(path).runtime_environments == (GPU,)


def test_saving_adds_an_entry_and_keeps_the_rest_of_the_file_as_written(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text(THOTH)
    assert save_environment(path, GPU) == SaveResult(path, replaced=False)
    before, _, after = THOTH.partition("\nmanagers:")
    assert path.read_text() == before.rstrip("\n") + "\n" + GPU_LINES + "\nmanagers:" + after
    assert read_config(path).names == ("fedora:32", "ubi8", "gpu")


def test_saving_replaces_the_entry_of_that_name_only(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text(THOTH)
    new = EnvironmentSpec(name="ubi8", python_version="3.9", platform="linux-x86_64", glibc="2.28")
    assert save_environment(path, new) == SaveResult(path, replaced=True)
    start = THOTH.index("  - name: ubi8")
    end = THOTH.index("\nmanagers:")
    expected = (
        THOTH[:start]
        + "  - name: ubi8\n    python_version: '3.9'\n    platform: linux-x86_64\n    glibc: '2.28'\n"
        + THOTH[end:]
    )
    assert path.read_text() == expected
    config = read_config(path)
    assert config.environment("ubi8") == new
    assert config.environment("fedora:32") == read(THOTH).environment("fedora:32")


def test_saving_the_same_entry_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    save_environment(path, GPU)
    written = path.read_bytes()
    assert save_environment(path, GPU) == SaveResult(path, replaced=True, unchanged=True)
    assert path.read_bytes() == written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "host: x  # service\nruntime_environments: []  # none yet\n# end\n",
            "host: x  # service\n{}# end\n",
        ),
        ("runtime_environments:\n# later\ntls_verify: true\n", "{}# later\ntls_verify: true\n"),
        ("# comments only\n", "# comments only\n{}"),
        ("host: x", "host: x\n{}"),
    ],
)
def test_saving_into_a_file_without_entries_keeps_its_comments(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text(text)
    assert save_environment(path, GPU) == SaveResult(path, replaced=False)
    assert path.read_text() == expected.format("runtime_environments:\n" + GPU_LINES)


def test_a_layout_that_cannot_be_edited_is_written_anew(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text("{host: x, runtime_environments: [{name: a}]}\n")
    assert save_environment(path, GPU) == SaveResult(path, replaced=False, rewritten=True)
    config = read_config(path)
    assert config.runtime_environments == (EnvironmentSpec(name="a"), GPU)
    assert "host: x\n" in path.read_text()


def test_an_invalid_file_is_not_written_over(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text("runtime_environments:\n  - name: x\n    colour: blue\n")
    with pytest.raises(ConfigError):
        save_environment(path, GPU)
    assert path.read_text() == "runtime_environments:\n  - name: x\n    colour: blue\n"


# A discovered environment as an entry ----------------------------------------------------


def discovered(platform: Platform, python: PythonInterpreter) -> RuntimeEnvironment:
    return RuntimeEnvironment(
        host=False,
        os=OperatingSystem(id="debian", name="Debian GNU/Linux", version="12"),
        platform=platform,
        python=python,
        cpu=Cpu("GenuineIntel", "Xeon", 6, 85, 7, 8, 4, frozenset({"avx2", "avx"}), "/proc/cpuinfo"),
        gpus=(Gpu("nvidia", "NVIDIA A100-SXM4-80GB", compute_capability="8.0"),),
        nvidia_driver=NvidiaDriver("550.54.14", "12.4", "nvidia-smi"),
        cuda_toolkit=CudaToolkit("12.4.131", "nvcc"),
        cudnn=Library("cudnn", "8.9.7", "/usr/include/cudnn_version.h"),
    )


def test_a_discovered_environment_becomes_an_entry_that_targets_it() -> None:
    glibc = Platform(os="linux", arch="x86_64", libc="glibc", libc_version=(2, 36))
    environment = discovered(glibc, PythonInterpreter("cpython", (3, 12, 4)))
    spec = describe_environment("train", environment, base_image="python:3.12")
    assert spec == EnvironmentSpec(
        name="train",
        operating_system=OperatingSystemSpec("debian", "12"),
        hardware=HardwareSpec(6, 85, "NVIDIA A100-SXM4-80GB"),
        python_version="3.12.4",
        cuda_version="12.4",
        cudnn_version="8.9.7",
        base_image="python:3.12",
        platform="linux-x86_64",
        glibc="2.36",
        cpu_flags=("avx", "avx2"),
        driver_version="550.54.14",
    )
    # The saved X.Y.Z is a statement the file makes, so the lock may claim it; the discovered
    # one was a fact, not a request. Otherwise the targets are the same.
    assert spec.target().python_version_exact
    assert replace(spec.target(), python_version_exact=False) == environment.to_target()


@pytest.mark.parametrize(
    ("platform", "python", "entry"),
    [
        (
            Platform(os="linux", arch="aarch64", libc="musl", libc_version=(1, 2)),
            PythonInterpreter("cpython", (3, 13, 1), free_threaded=True),
            {
                "platform": "linux-aarch64",
                "platform_tag": "musllinux_1_2_aarch64",
                "python_version": "3.13.1t",
            },
        ),
        (
            Platform(os="linux", arch="x86_64"),
            PythonInterpreter("cpython", (3, 11, 0), version_exact=False),
            {"platform": "linux-x86_64", "python_version": "3.11"},
        ),
        (
            Platform(os="macos", arch="arm64", macos_version=(14, 0)),
            PythonInterpreter("pypy", (3, 10, 14), implementation_version=(7, 3, 17)),
            {"platform": "macosx-14.0-arm64", "python_version": "pypy3.10.14"},
        ),
    ],
)
def test_an_entry_names_any_platform_and_python(
    platform: Platform, python: PythonInterpreter, entry: dict[str, str]
) -> None:
    spec = describe_environment("e", discovered(platform, python))
    assert {key: spec.as_dict()[key] for key in ("platform", "python_version")} == {
        key: entry[key] for key in ("platform", "python_version")
    }
    assert spec.platform_tag == entry.get("platform_tag")
    assert spec.target_platform() == platform


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("linux_x86_64", "linux-x86_64"),
        ("manylinux_2_28_aarch64", "linux-aarch64"),
        ("macosx_10_9_x86_64", "macosx-10.9-x86_64"),
        ("win_amd64", "win-amd64"),
        ("win32", "win32"),
        ("win_arm64", "win-arm64"),
    ],
)
def test_sysconfig_platforms_read_back_as_the_same_system(text: str, platform: str) -> None:
    parsed = Platform.parse(text)
    assert sysconfig_platform(parsed) == platform
    assert (Platform.parse(platform).os, Platform.parse(platform).arch) == (parsed.os, parsed.arch)


def test_a_saved_discovered_environment_reads_back_equal(tmp_path: Path) -> None:
    glibc = Platform(os="linux", arch="x86_64", libc="glibc", libc_version=(2, 36))
    spec = describe_environment("train", discovered(glibc, PythonInterpreter("cpython", (3, 12, 4))))
    path = tmp_path / ".thoth.yaml"
    save_environment(path, spec)
    assert read_config(path).environment("train") == spec


def test_the_commands_restate_the_file_name_and_timeout_exactly() -> None:
    from thoth_cli.cli import advise, discover
    from thoth_cli.config import CONFIG_NAME
    from thoth_cli.discovery.probe import DEFAULT_TIMEOUT

    assert advise.CONFIG_NAME == discover.CONFIG_NAME == CONFIG_NAME == ".thoth.yaml"
    assert discover.TIMEOUT == DEFAULT_TIMEOUT


# Advisory folders ----------------------------------------------------------------------------------


def test_advisory_folders_are_taken_from_the_files_folder(tmp_path: Path) -> None:
    path = tmp_path / "repo" / ".thoth.yaml"
    path.parent.mkdir()
    path.write_text(f"overlays_dir: overlays\nadvisories:\n  - advisory-database\n  - {tmp_path / 'osv'}\n")
    config = read_config(path)
    assert [(folder.written, folder.path) for folder in config.advisories] == [
        ("advisory-database", tmp_path / "repo" / "advisory-database"),
        (str(tmp_path / "osv"), tmp_path / "osv"),
    ]
    assert str(config.advisories[1].location) == f"{path}:4 [advisories[1]]"


def test_a_file_without_advisories_names_none() -> None:
    assert read(THOTH).advisories == ()
    assert read("advisories:\n").advisories == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "advisories: advisory-database\n",
            ".thoth.yaml:1 [advisories]: expected a list of folders: 'advisory-database'\n"
            "  fix: write it as a list, e.g. advisories: [advisory-database]",
        ),
        (
            "advisories:\n  - [vulns]\n",
            ".thoth.yaml:2 [advisories[0]]: expected a folder of OSV records: a list\n"
            "  fix: write each folder as text, relative to the configuration file or absolute",
        ),
        (
            "advisories:\n  - db\n  - ''\n",
            ".thoth.yaml:3 [advisories[1]]: expected a folder of OSV records: ''\n"
            "  fix: write each folder as text, relative to the configuration file or absolute",
        ),
        (
            "advisory: [db]\n",
            ".thoth.yaml:1 [advisory]: unknown key in the configuration: 'advisory'\n"
            "  fix: did you mean 'advisories'?",
        ),
    ],
)
def test_bad_advisory_folders_name_line_key_text_and_fix(text: str, message: str) -> None:
    assert error(text) == message


def test_saving_an_environment_keeps_the_advisory_folders(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text("advisories: [advisory-database]  # PyPA's, cloned\n")
    save_environment(path, GPU)
    assert path.read_text().startswith("advisories: [advisory-database]  # PyPA's, cloned\n")
    assert [folder.path for folder in read_config(path).advisories] == [tmp_path / "advisory-database"]


# Prescription folders ------------------------------------------------------------------------------


def test_prescription_folders_are_taken_from_the_files_folder_in_order(tmp_path: Path) -> None:
    path = tmp_path / "repo" / ".thoth.yaml"
    path.parent.mkdir()
    path.write_text(f"prescriptions:\n  - prescriptions\n  - {tmp_path / 'team'}\nadvisories: [db]\n")
    config = read_config(path)
    assert config.prescriptions == (tmp_path / "repo" / "prescriptions", tmp_path / "team")
    assert [folder.path for folder in config.advisories] == [tmp_path / "repo" / "db"]


def test_a_file_without_prescriptions_names_none() -> None:
    assert read(THOTH).prescriptions == ()
    assert read("prescriptions:\n").prescriptions == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "prescriptions: mine\n",
            ".thoth.yaml:1 [prescriptions]: expected a list of folders: 'mine'\n"
            "  fix: write it as a list, e.g. prescriptions: [prescriptions]",
        ),
        (
            "prescriptions:\n  - mine\n  - {dir: x}\n",
            ".thoth.yaml:3 [prescriptions[1]]: expected a folder of prescription files: a mapping\n"
            "  fix: write each folder as text, relative to the configuration file or absolute",
        ),
        (
            "prescription: [mine]\n",
            ".thoth.yaml:1 [prescription]: unknown key in the configuration: 'prescription'\n"
            "  fix: did you mean 'prescriptions'?",
        ),
    ],
)
def test_bad_prescription_folders_name_line_key_text_and_fix(text: str, message: str) -> None:
    assert error(text) == message


def test_saving_an_environment_keeps_the_prescription_folders(tmp_path: Path) -> None:
    path = tmp_path / ".thoth.yaml"
    path.write_text("prescriptions: [prescriptions]  # the team's rules\n")
    save_environment(path, GPU)
    assert path.read_text().startswith("prescriptions: [prescriptions]  # the team's rules\n")
    assert read_config(path).prescriptions == (tmp_path / "prescriptions",)
