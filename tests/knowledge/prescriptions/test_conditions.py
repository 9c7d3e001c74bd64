"""`should_include`: each condition against the target, the machine, the code's usage and the request."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.knowledge.prescriptions.conftest import LINK, context, machine, one
from thoth_cli.discovery.model import RuntimeEnvironment
from thoth_cli.knowledge.prescriptions.conditions import holds, platform_names
from thoth_cli.knowledge.prescriptions.model import Conditions
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.target import Platform
from thoth_cli.usage.model import LibraryUsage


def conditions(should_include: str) -> Conditions:
    """The conditions of a wrap whose `should_include` is this (flow-style) YAML."""
    return one(
        f"""\
        - name: rule
          type: wrap
          description: d
          should_include: {should_include}
          run: {{justification: {{message: m, link: "{LINK}"}}}}
        """
    ).conditions


def on(environment: str, facts: RuntimeEnvironment | None = None, **request: object) -> bool:
    """Whether `runtime_environment: {environment}` holds for a request on a machine with `facts`."""
    return holds(
        "rule", conditions(f"{{runtime_environment: {environment}}}"), context(environment=facts, **request)
    )  # type: ignore[arg-type]


def test_no_condition_always_holds() -> None:
    assert holds("rule", Conditions(), context())


@pytest.mark.parametrize(
    ("should_include", "chosen"),
    [
        ("{recommendation_types: [stable, security]}", {"stable", "security"}),
        ("{recommendation_types: {not: [latest]}}", {"stable", "testing", "security", "performance"}),
    ],
)
def test_recommendation_types_name_the_types_a_unit_is_for(should_include: str, chosen: set[str]) -> None:
    wanted = conditions(should_include)
    for kind in RecommendationType:
        assert holds("rule", wanted, context(recommendation_type=kind)) is (kind.value in chosen)


def test_labels_must_all_be_given_with_their_values() -> None:
    wanted = conditions("{labels: {team: ml, tier: gpu}}")
    assert holds("rule", wanted, context(labels={"team": "ml", "tier": "gpu", "other": "x"}))
    assert not holds("rule", wanted, context(labels={"team": "ml"}))
    assert not holds("rule", wanted, context(labels={"team": "web", "tier": "gpu"}))


def test_library_usage_all_needs_every_symbol_and_any_one_of_them() -> None:
    usage = LibraryUsage(
        frozenset({"tensorflow"}),
        frozenset({"tensorflow.keras.layers.LSTM", "tensorflow.keras.callbacks.ModelCheckpoint"}),
    )
    every = conditions("{library_usage: {all: [tensorflow.keras.layers.LSTM, tensorflow.keras.callbacks.*]}}")
    some = conditions("{library_usage: {any: [tensorflow.keras.layers.GRU, tensorflow.keras.callbacks.*]}}")
    missing = conditions(
        "{library_usage: {all: [tensorflow.keras.layers.LSTM, tensorflow.keras.layers.GRU]}}"
    )
    assert holds("rule", every, context(usage=usage))
    assert holds("rule", some, context(usage=usage))
    assert not holds("rule", missing, context(usage=usage))


def test_library_usage_not_scanned_holds_no_condition(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="thoth_cli.knowledge.prescriptions"):
        assert not holds("rule", conditions("{library_usage: {any: [a.b]}}"), context(usage=None))
    assert caplog.messages == [
        "unit rule stays out: it asks about library usage, and the sources were not scanned"
    ]


@pytest.mark.parametrize(
    ("python", "holds_there"), [("3.12", True), ("3.12.4", True), ("3.11", False), ("3.13.0", False)]
)
def test_the_python_version_is_the_targets(python: str, holds_there: bool) -> None:
    assert on("{python_version: '>=3.12,<3.13'}", python=python) is holds_there


@pytest.mark.parametrize(
    ("platform", "names"),
    [
        ("manylinux_2_28_x86_64", {"linux-x86_64"}),
        ("macosx_10_15_x86_64", {"macos-x86_64"}),
        ("manylinux_2_28_aarch64", {"linux-aarch64", "linux-arm64"}),
        ("macosx_11_0_arm64", {"macos-arm64", "macos-aarch64"}),
        ("win_amd64", {"windows-amd64", "windows-x86_64"}),
    ],
)
def test_a_platform_answers_to_each_spelling_of_its_architecture(platform: str, names: set[str]) -> None:
    assert platform_names(Platform.parse(platform)) == names


@pytest.mark.parametrize(
    ("platform", "holds_there"),
    [
        ("manylinux_2_28_x86_64", True),
        ("win_amd64", True),
        ("macosx_14_0_arm64", True),
        ("macosx_10_15_x86_64", False),
        ("manylinux_2_28_aarch64", False),
    ],
)
def test_platforms_are_the_targets_and_take_patterns(platform: str, holds_there: bool) -> None:
    assert on("{platforms: [linux-x86_64, windows-x86_64, 'macos-a*']}", platform=platform) is holds_there


def test_the_target_decides_python_and_platform_without_knowing_the_machine() -> None:
    assert on("{python_version: '>=3.12', platforms: [linux-x86_64]}", None)


@pytest.mark.parametrize(
    "environment",
    [
        "{cuda_version: null}",
        "{cpu_flags: {absent: [avx]}}",
        "{operating_systems: [{name: rhel}]}",
        "{system_packages: {absent: [git]}}",
        "{gpu: {compute_capability: '>=3'}}",
    ],
)
def test_an_unknown_machine_holds_no_machine_condition(
    environment: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="thoth_cli.knowledge.prescriptions"):
        assert not on(environment, None)
    assert caplog.messages == ["unit rule stays out: it asks about the machine, and the machine is not known"]


def test_the_machine_is_discovered_only_for_units_whose_other_conditions_hold() -> None:
    asked: list[str] = []

    def discover() -> RuntimeEnvironment:
        asked.append("discovered")
        return machine(flags=("sse4_2",))

    def request(kind: RecommendationType) -> BuilderContext:
        return BuilderContext(
            project=context().project,
            target=context().target,
            recommendation_type=kind,
            environment=discover,
        )

    wanted = conditions(
        "{recommendation_types: [performance], runtime_environment: {cpu_flags: {absent: [avx]}}}"
    )
    target_only = conditions("{runtime_environment: {python_version: '>=3'}}")
    assert not holds("rule", wanted, request(RecommendationType.LATEST))
    assert holds("rule", target_only, request(RecommendationType.LATEST))
    assert asked == []
    performance = request(RecommendationType.PERFORMANCE)
    assert holds("rule", wanted, performance)
    assert holds("rule", wanted, performance)
    assert asked == ["discovered"]


@pytest.mark.parametrize(
    ("system", "holds_there"),
    [
        (("rhel", "9.4"), True),
        (("rhel", "8.10"), False),
        (("ubuntu", "24.04"), True),
        (("ubuntu", "22.04"), False),
        (("fedora", "40"), False),
        (("rhel", "rolling"), False),
        (None, False),
    ],
)
def test_operating_systems_match_by_os_release_id_and_version(
    system: tuple[str, str] | None, holds_there: bool
) -> None:
    wanted = "{operating_systems: [{name: rhel, version: '>=9'}, {name: ubuntu, version: '>=24.04'}]}"
    assert on(wanted, machine(os=system)) is holds_there


def test_darwin_and_macos_name_one_system() -> None:
    assert on("{operating_systems: [{name: darwin, version: '>=14'}]}", machine(os=("macos", "14.5")))
    assert on("{operating_systems: [{name: macos}]}", machine(os=("darwin", "23.5")))


@pytest.mark.parametrize(
    ("wanted", "toolkit", "holds_there"),
    [
        ("'>=12,<13'", "12.4.131", True),
        ("'>=12,<13'", "11.8", False),
        ("'>=12,<13'", None, False),
        ("null", None, True),
        ("null", "12.4", False),
    ],
)
def test_the_cuda_version_is_the_toolkits_and_null_asks_for_none(
    wanted: str, toolkit: str | None, holds_there: bool
) -> None:
    assert on(f"{{cuda_version: {wanted}}}", machine(cuda=toolkit)) is holds_there


@pytest.mark.parametrize(
    ("wanted", "driver", "holds_there"),
    [
        ("{driver_cuda_version: '>=12.4'}", ("550.54.14", "12.4"), True),
        ("{driver_cuda_version: '>=12.4'}", ("535.104.05", "12.2"), False),
        ("{driver_cuda_version: '>=12.4'}", ("535.104.05", None), False),
        ("{driver_cuda_version: null}", ("535.104.05", None), True),
        ("{driver_cuda_version: null}", None, True),
        ("{driver_version: '<525.60.13'}", ("470.82.01", "11.4"), True),
        ("{driver_version: '<525.60.13'}", ("550.54.14", "12.4"), False),
        ("{driver_version: '<525.60.13'}", None, False),
        ("{driver_version: null}", None, True),
        ("{driver_version: null}", ("550.54.14", "12.4"), False),
    ],
)
def test_the_driver_and_the_cuda_it_supports(
    wanted: str, driver: tuple[str, str | None] | None, holds_there: bool
) -> None:
    assert on(wanted, machine(driver=driver)) is holds_there


@pytest.mark.parametrize(
    ("wanted", "cudnn", "holds_there"),
    [("'>=8.9'", "8.9.7", True), ("'>=8.9'", "8.6.0", False), ("null", None, True), ("null", "9.1.0", False)],
)
def test_the_cudnn_version(wanted: str, cudnn: str | None, holds_there: bool) -> None:
    assert on(f"{{cudnn_version: {wanted}}}", machine(cuda="12.4", cudnn=cudnn)) is holds_there


@pytest.mark.parametrize(
    ("flags", "holds_there"),
    [
        (("sse4_2", "avx2", "fma"), False),
        (("sse4_2", "fma"), True),
        (("sse4_2",), False),
        (None, False),
    ],
)
def test_cpu_flags_present_and_absent(flags: tuple[str, ...] | None, holds_there: bool) -> None:
    assert on("{cpu_flags: {present: [fma], absent: [avx2]}}", machine(flags=flags)) is holds_there


def test_a_cpu_whose_flags_were_not_read_lacks_none_of_them() -> None:
    # Some systems give py-cpuinfo no flags: that is not a CPU without AVX.
    assert on("{cpu_flags: {absent: [avx]}}", machine(flags=())) is False


def test_the_base_image_an_environment_was_described_from_is_matched() -> None:
    image = "quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.35"
    assert on("{base_images: ['quay.io/thoth-station/*']}", machine(image=image)) is True
    assert on("{base_images: ['quay.io/thoth-station/*']}", machine(image=None)) is False


@pytest.mark.parametrize(
    ("cpu", "holds_there"),
    [
        (("GenuineIntel", 6, 85), True),
        (("GenuineIntel", 6, 106), True),
        (("GenuineIntel", 6, 158), False),
        (("AuthenticAMD", 6, 85), False),
        (("GenuineIntel", 15, 85), False),
    ],
)
def test_the_cpu_vendor_family_and_model(cpu: tuple[str, int, int], holds_there: bool) -> None:
    assert (
        on("{cpu: {vendors: [GenuineIntel], families: [6], models: [85, 106]}}", machine(cpu=cpu))
        is holds_there
    )


@pytest.mark.parametrize(
    ("gpus", "holds_there"),
    [
        ((("Tesla V100-SXM2-16GB", "7.0"),), True),
        ((("NVIDIA A100-SXM4-80GB", "8.0"), ("Tesla V100-PCIE-32GB", "7.0")), True),
        ((("Tesla K80", "3.7"),), False),
        ((("NVIDIA A100-SXM4-80GB", "8.0"),), False),
        ((), False),
        (None, False),
    ],
)
def test_a_gpu_matches_by_model_text_and_compute_capability(
    gpus: tuple[tuple[str, str], ...] | None, holds_there: bool
) -> None:
    wanted = "{gpu: {models: ['tesla v100', 'Tesla K*'], compute_capability: '>=5.0'}}"
    assert on(wanted, machine(gpus=gpus)) is holds_there


def test_base_images_match_the_image_a_machine_was_described_from() -> None:
    wanted = "{base_images: ['quay.io/thoth-station/*', 'registry.access.redhat.com/ubi9/python-312']}"
    assert on(wanted, machine(image="quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.35.1"))
    assert on(wanted, machine(image="registry.access.redhat.com/ubi9/python-312"))
    assert not on(wanted, machine(image="docker.io/library/python:3.12"))
    assert not on(wanted, machine(image=None))


@pytest.mark.parametrize(
    ("installed", "holds_there"),
    [
        (("git", "postgresql"), True),
        (("git", "libpq-dev"), False),
        (("postgresql",), False),
        (None, False),
    ],
)
def test_system_packages_of_a_described_machine(installed: tuple[str, ...] | None, holds_there: bool) -> None:
    assert on(
        "{system_packages: {present: [git], absent: [libpq-dev]}}", machine(system_packages=installed)
    ) is (holds_there)


@pytest.fixture
def path_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of one folder holding an executable `git`."""
    folder = tmp_path / "bin"
    folder.mkdir()
    git = folder / "git"
    git.write_text("#!/bin/sh\n")
    git.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.mark.skipif(os.name == "nt", reason="executable bits")
def test_on_this_machine_an_executable_on_path_is_a_present_system_package(path_with: Path) -> None:
    wanted = "{system_packages: {present: [git], absent: [pg_config]}}"
    assert on(wanted, machine(host=True, system_packages=None))
    assert on(wanted, machine(host=True, system_packages=("bash",)))
    assert not on(wanted, machine(host=True, system_packages=("pg_config",)))
    assert not on(wanted, machine(host=False, system_packages=()))
    (path_with / "pg_config").write_text("#!/bin/sh\n")
    (path_with / "pg_config").chmod(0o755)
    assert not on(wanted, machine(host=True, system_packages=None))


@pytest.mark.parametrize(
    ("installed", "holds_there"),
    [
        ((("numpy", "2.0.1"), ("setuptools", "70.0.0")), True),
        ((("NumPy", "2.1.0"),), True),
        ((("numpy", "1.26.4"),), False),
        ((("numpy", "2.0.1"), ("setuptools", "57.5.0")), False),
        ((), False),
        (None, False),
    ],
)
def test_python_packages_installed_in_the_environment(
    installed: tuple[tuple[str, str], ...] | None, holds_there: bool
) -> None:
    wanted = "{python_packages: {present: ['numpy>=2'], absent: ['setuptools<58']}}"
    assert on(wanted, machine(python_packages=installed)) is holds_there


def test_a_python_package_named_without_a_version_is_any_version() -> None:
    assert on("{python_packages: {present: [numpy]}}", machine(python_packages=(("numpy", "1.0"),)))
    assert on("{python_packages: {absent: [numpy]}}", machine(python_packages=(("pandas", "2.2.2"),)))


def test_every_condition_given_must_hold() -> None:
    wanted = (
        "{cuda_version: '>=12', cpu_flags: {present: [avx2]}, operating_systems: [{name: rhel}],"
        " python_version: '>=3.12'}"
    )
    assert on(wanted, machine(cuda="12.4"))
    assert not on(wanted, machine(cuda="12.4"), python="3.11")
    assert not on(wanted, machine(cuda="12.4", os=("ubuntu", "24.04")))
    assert not on(wanted, machine(cuda="12.4", flags=("sse4_2",)))
