"""The knowledge thoth ships: it loads, and each category acts on the test index for the machines it is about.

Each category has a case on a machine (or target, or code) the rule is about, and one on a
machine it is not about; the machines are described, never probed. The pseudonyms stay out of
`latest` (which keeps the index's own packages), so their cases ask for `stable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.indexserver import IndexServerFactory, Universe
from tests.pipeline.conftest import NOW, pins
from tests.resolver.conftest import project_of
from thoth_cli.adviser import Advice, AdviseRequest, IndexOptions, Recommendation, advise
from thoth_cli.cli.main import cli
from thoth_cli.discovery.model import (
    Cpu,
    Gpu,
    NvidiaDriver,
    OperatingSystem,
    PythonPackage,
    RuntimeEnvironment,
    SystemPackage,
)
from thoth_cli.index.http import HttpSettings
from thoth_cli.index.model import DistributionFile
from thoth_cli.knowledge.prescriptions.load import bundled_directory, load_directory
from thoth_cli.knowledge.prescriptions.model import Prescription
from thoth_cli.knowledge.prescriptions.units import compile_prescription
from thoth_cli.lock.formats import LockFormat
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.units import Alternative, CannotRemovePackage, ManifestChange, Pseudonym
from thoth_cli.project.model import MAIN
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.stack import Justification, JustificationType, Stack
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage

LINUX = "manylinux_2_28_x86_64"
CATEGORIES = (
    "numpy2.yaml",
    "nvidia.yaml",
    "performance.yaml",
    "python.yaml",
    "pytorch.yaml",
    "setuptools.yaml",
    "system.yaml",
    "tensorflow.yaml",
    "webstack.yaml",
)

Advise = Callable[..., Advice]


@pytest.fixture
def advise_on(index_server: IndexServerFactory, tmp_path: Path) -> Iterator[Advise]:
    """`advise_on(universe, ["a"], machine=..., python=..., platform=..., kind=..., usage=...)`: a dry run
    of `thoth_cli.adviser.advise` against a test index serving `universe`, for that machine."""

    def run(
        universe: str | Universe,
        lines: Sequence[str],
        *,
        machine: RuntimeEnvironment | None = None,
        python: str = "3.12",
        platform: str = LINUX,
        kind: RecommendationType = RecommendationType.LATEST,
        usage: LibraryUsage | None = None,
    ) -> Advice:
        server = index_server(universe)
        request = AdviseRequest(
            project=project_of(list(lines), tmp_path / "requirements.in"),
            target=Target.from_options(python, platform),
            groups=frozenset({MAIN}),
            policy=ResolutionPolicy(),
            index=IndexOptions(
                index_url=server.url(),
                cache_dir=tmp_path / "cache",
                http=HttpSettings(retries=1, backoff=0.0),
            ),
            lock_format=LockFormat.REQUIREMENTS_TXT,
            output=tmp_path / "requirements.txt",
            dry_run=True,
            recommendation=Recommendation(type=kind, machine=machine, usage=usage, now=NOW),
        )
        return advise(request)

    yield run


def machine(
    *,
    flags: Sequence[str] = ("sse4_2", "avx", "avx2", "fma"),
    vendor: str = "GenuineIntel",
    driver: str | None = "535.54.03",
    driver_cuda: str | None = None,
    gpus: Sequence[tuple[str, str]] = (),
    os: tuple[str, str] = ("ubuntu", "22.04"),
    system_packages: Sequence[str] = (),
    python_packages: Sequence[tuple[str, str]] = (),
) -> RuntimeEnvironment:
    """A described machine (not this one); by default a recent Intel CPU with an NVIDIA driver whose
    CUDA version is not known, so that no CUDA-variant pseudonym joins unless asked for."""
    return RuntimeEnvironment(
        host=False,
        os=OperatingSystem(id=os[0], version=os[1]),
        cpu=Cpu(vendor, "a CPU", 6, 45, 7, 8, 4, frozenset(flags), "/proc/cpuinfo"),
        gpus=tuple(Gpu("nvidia", model, compute_capability=capability) for model, capability in gpus),
        nvidia_driver=None if driver is None else NvidiaDriver(driver, driver_cuda),
        system_packages=tuple(SystemPackage("dpkg", name, "1.0") for name in system_packages),
        python_packages=tuple(
            PythonPackage(name, version, "/usr/lib/python3/dist-packages")
            for name, version in python_packages
        ),
    )


def best(advice: Advice) -> Stack:
    assert advice.search is not None
    return advice.search.stacks[0].stack


def by_unit(stack: Stack, unit: str) -> list[Justification]:
    return [j for j in stack.justifications if j.unit == unit]


def advised(advice: Advice, unit: str) -> list[tuple[dict[str, str], tuple[ManifestChange, ...]]]:
    """The environment variables and manifest changes the wraps named `unit` gave the best stack."""
    assert advice.search is not None
    return [
        (dict(given.environment), given.manifest_changes)
        for given in advice.search.stacks[0].advice
        if any(j.unit == unit for j in given.justifications)
    ]


def bundled(name: str) -> Prescription:
    return next(p for p in load_directory(bundled_directory()) if p.name == name)


def removed(message: str, unit: str, package: str, requirement: str | None = None) -> str:
    """The error of a rule that removed every release of `package` the project's `requirement` allows."""
    return (
        f"unit '{unit}[{package}]' removes every release of {requirement or package} that the project "
        f"allows: {message}\n"
        f"  fix: change the requirement on {package}, choose another recommendation type, "
        f"or pass --block-unit {unit} to accept the risk"
    )


# The folder ---------------------------------------------------------------------------------------


def test_the_bundled_folder_loads_with_a_file_per_category_and_at_least_40_units() -> None:
    prescriptions = load_directory(bundled_directory())

    assert len(prescriptions) >= 40
    assert sorted({p.source.name for p in prescriptions}) == list(CATEGORIES)
    assert sorted(path.name for path in bundled_directory().iterdir()) == list(CATEGORIES)


def test_thoth_prescriptions_validate_accepts_the_bundled_folder() -> None:
    folder = bundled_directory()
    count = len(load_directory(folder))

    result = CliRunner().invoke(cli, ["--color", "never", "prescriptions", "validate", str(folder)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{folder}: {count} units in {len(CATEGORIES)} files, valid\n"


def test_every_bundled_justification_links_its_source_over_https() -> None:
    unlinked = [
        p.name
        for p in load_directory(bundled_directory())
        for spec in (*((p.run.justification,) if p.run.justification else ()), *p.run.stack_info)
        if not spec.link.startswith("https://")
    ]

    assert unlinked == []


def test_crash_and_broken_install_removals_fail_and_advisory_ones_warn() -> None:
    """Errors (crashes, builds that fail) stop the run when nothing is left; warnings keep releases."""
    removals = [p for p in load_directory(bundled_directory()) if p.run.remove]
    assert removals

    mismatched = [
        (p.name, p.run.when_empty)
        for p in removals
        if p.run.justification is None
        or p.run.when_empty != ("fail" if p.run.justification.type is JustificationType.ERROR else "warn")
    ]
    assert mismatched == []


# TensorFlow ---------------------------------------------------------------------------------------

AVX_MESSAGE = (
    "tensorflow {version} is built with AVX instructions, which this CPU lacks: importing it stops the "
    'interpreter with "Illegal instruction". Only TensorFlow 1.5.0 and older run here (1.5.1 was built '
    "with AVX too), or a build from source without AVX."
)


def test_tensorflow_on_a_cpu_without_avx_keeps_the_releases_before_1_6(advise_on: Advise) -> None:
    advice = advise_on("tensorflow 1.5.0 2.4.1", ["tensorflow"], machine=machine(flags=("sse4_2",)))

    stack = best(advice)
    assert pins(stack) == {"tensorflow": "1.5.0"}
    assert [j.message for j in stack.justifications] == [
        "chosen over 2.4.1, removed by unit tensorflow-needs-avx[tensorflow]: "
        + AVX_MESSAGE.format(version="2.4.1")
    ]


def test_tensorflow_on_a_cpu_with_avx_keeps_the_newest(advise_on: Advise) -> None:
    advice = advise_on("tensorflow 1.5.0 2.4.1", ["tensorflow"], machine=machine())

    assert pins(best(advice)) == {"tensorflow": "2.4.1"}


def test_tensorflow_fails_naming_avx_when_every_release_needs_it(advise_on: Advise) -> None:
    with pytest.raises(CannotRemovePackage) as caught:
        advise_on("tensorflow 2.4.1 2.5.0", ["tensorflow"], machine=machine(flags=("sse4_2",)))

    assert str(caught.value) == removed(
        AVX_MESSAGE.format(version="2.5.0"), "tensorflow-needs-avx", "tensorflow"
    )


@pytest.mark.parametrize(
    ("flags", "chosen"),
    [(("sse4_2", "avx"), "2.3.1"), (("sse4_2", "avx", "avx2"), "2.4.0")],
    ids=["avx-only", "avx2"],
)
def test_tensorflow_2_4_0_needs_avx2(advise_on: Advise, flags: tuple[str, ...], chosen: str) -> None:
    advice = advise_on("tensorflow 2.3.1 2.4.0", ["tensorflow"], machine=machine(flags=flags))

    assert pins(best(advice)) == {"tensorflow": chosen}


@pytest.mark.parametrize(
    ("driver", "chosen"),
    [(None, "tensorflow-cpu"), ("535.54.03", "tensorflow")],
    ids=["no-driver", "driver"],
)
def test_tensorflow_cpu_takes_the_place_of_tensorflow_without_an_nvidia_driver(
    advise_on: Advise, driver: str | None, chosen: str
) -> None:
    advice = advise_on(
        "tensorflow 2.15.0\ntensorflow-cpu 2.15.0",
        ["tensorflow"],
        machine=machine(driver=driver),
        kind=RecommendationType.STABLE,
    )

    assert pins(best(advice)) == {chosen: "2.15.0"}


# PyTorch ------------------------------------------------------------------------------------------

MACOS_X86 = (
    "PyTorch publishes no macOS x86_64 wheels after 2.2 (2.2.2 is the last release that installs on an "
    "Intel Mac); torch 2.3 and later need Apple silicon."
)


@pytest.mark.parametrize(
    ("platform", "said"),
    [("macosx_11_0_x86_64", [MACOS_X86]), ("macosx_11_0_arm64", [])],
    ids=["intel-mac", "apple-silicon"],
)
def test_torch_on_an_intel_mac_is_told_where_its_wheels_end(
    advise_on: Advise, platform: str, said: list[str]
) -> None:
    advice = advise_on("torch 2.2.2", ["torch"], platform=platform)

    assert advice.search is not None
    assert [j.message for j in advice.search.stack_info if j.unit == "torch-macos-x86-ended"] == said


def torch_candidate(version: str) -> Candidate:
    filename = f"torch-{version}-py3-none-any.whl"
    return Candidate(
        name=canonicalize_name("torch"),
        display_name="torch",
        version=Version(version),
        files=(DistributionFile(filename=filename, url=f"https://files.example/{filename}", index="pypi"),),
        index="pypi",
    )


def offered(
    name: str,
    environment: RuntimeEnvironment,
    version: str,
    kind: RecommendationType = RecommendationType.STABLE,
) -> list[Alternative]:
    """What the bundled pseudonym `name` offers for torch `version` on `environment` (nothing when it
    stays out of the pipeline). Its alternatives live on PyTorch's index, out of the test index's
    reach, so the unit is asked directly."""
    cls = compile_prescription(bundled(name))
    assert issubclass(cls, Pseudonym)
    context = BuilderContext(
        project=project_of(["torch"], Path("requirements.in")),
        target=Target.from_options("3.12", LINUX),
        recommendation_type=kind,
        environment=environment,
    )
    return [
        alternative
        for configuration in cls.should_include(context)
        for alternative in cls(configuration).run(torch_candidate(version))
    ]


def test_torch_comes_from_the_cpu_index_on_a_machine_without_nvidia_driver() -> None:
    assert offered("torch-cpu-index-without-gpu", machine(driver=None), "2.6.0") == [
        Alternative("torch", None, "https://download.pytorch.org/whl/cpu")
    ]
    assert offered("torch-cpu-index-without-gpu", machine(), "2.6.0") == []
    # latest is the index's own answer: PyPI's torch.
    assert (
        offered("torch-cpu-index-without-gpu", machine(driver=None), "2.6.0", RecommendationType.LATEST) == []
    )


def test_torch_from_pypi_is_replaced_by_the_cuda_12_6_build_for_a_cuda_12_driver() -> None:
    cuda_12 = machine(driver="550.54.14", driver_cuda="12.4")
    cuda_13 = machine(driver="580.65.06", driver_cuda="13.0")

    assert offered("torch-cu126-for-cuda-12-drivers", cuda_12, "2.11.0") == [
        Alternative("torch", None, "https://download.pytorch.org/whl/cu126")
    ]
    assert offered("torch-cu126-for-cuda-12-drivers", cuda_12, "2.10.0") == []
    assert offered("torch-cu126-for-cuda-12-drivers", cuda_13, "2.11.0") == []


def test_a_pascal_gpu_gets_the_cuda_12_6_build_of_torch_2_8() -> None:
    pascal = machine(driver="570.86.10", driver_cuda="12.8", gpus=[("Tesla P100-PCIE-16GB", "6.0")])
    ampere = machine(driver="570.86.10", driver_cuda="12.8", gpus=[("NVIDIA A100-SXM4-40GB", "8.0")])

    assert offered("torch-cu126-for-maxwell-and-pascal", pascal, "2.8.0") == [
        Alternative("torch", None, "https://download.pytorch.org/whl/cu126")
    ]
    assert offered("torch-cu126-for-maxwell-and-pascal", ampere, "2.8.0") == []


# NVIDIA -------------------------------------------------------------------------------------------


def test_cupy_for_cuda_12_fails_with_a_driver_older_than_525(advise_on: Advise) -> None:
    with pytest.raises(CannotRemovePackage) as caught:
        advise_on("cupy-cuda12x 13.3.0", ["cupy-cuda12x"], machine=machine(driver="470.82.01"))

    assert str(caught.value) == removed(
        "cupy-cuda12x 13.3.0 runs only on the GPU, through CUDA 12, which needs NVIDIA driver 525.60.13 or "
        "later: with this older driver every array operation fails (cudaErrorInsufficientDriver). Use "
        "cupy-cuda11x, or update the driver.",
        "cupy-cuda12x-needs-driver-525",
        "cupy-cuda12x",
    )


def test_cupy_for_cuda_12_installs_with_a_cuda_12_driver(advise_on: Advise) -> None:
    advice = advise_on("cupy-cuda12x 13.3.0", ["cupy-cuda12x"], machine=machine(driver="535.54.03"))

    assert pins(best(advice)) == {"cupy-cuda12x": "13.3.0"}


@pytest.mark.parametrize(
    ("driver", "chosen"),
    [("470.82.01", "2.0.1"), ("535.54.03", "2.1.0")],
    ids=["cuda-11-driver", "cuda-12-driver"],
)
def test_the_pypi_torch_with_cuda_12_is_passed_over_for_an_older_driver(
    advise_on: Advise, driver: str, chosen: str
) -> None:
    """PyPI's torch 2.1 brings the CUDA 12 runtime; 2.0 the CUDA 11.7 one."""
    advice = advise_on("torch 2.0.1 2.1.0", ["torch"], machine=machine(driver=driver))

    assert pins(best(advice)) == {"torch": chosen}


# NumPy 2 ------------------------------------------------------------------------------------------

PANDAS_NUMPY = "pandas 2.2.1: numpy>=1.26\npandas 2.2.2: numpy>=1.26\nnumpy 1.26.4 2.0.0"


def test_pandas_before_2_2_2_keeps_numpy_1(advise_on: Advise) -> None:
    advice = advise_on(PANDAS_NUMPY, ["pandas<2.2.2", "numpy"])

    stack = best(advice)
    assert pins(stack) == {"pandas": "2.2.1", "numpy": "1.26.4"}
    assert [j.message for j in by_unit(stack, "numpy-2-pandas")] == [
        "pandas 2.2.1 is compiled against NumPy 1 and fails to import with NumPy 2; pandas 2.2.2 is the "
        "first release built for NumPy 2."
    ]


def test_pandas_2_2_2_goes_with_numpy_2(advise_on: Advise) -> None:
    advice = advise_on(PANDAS_NUMPY, ["pandas", "numpy"])

    stack = best(advice)
    assert pins(stack) == {"pandas": "2.2.2", "numpy": "2.0.0"}
    assert by_unit(stack, "numpy-2-pandas") == []


def test_tensorflow_before_2_18_fails_where_numpy_2_is_installed(advise_on: Advise) -> None:
    numpy_2 = machine(python_packages=[("numpy", "2.0.2")])

    with pytest.raises(CannotRemovePackage) as caught:
        advise_on("tensorflow 2.17.1 2.18.0", ["tensorflow<2.18"], machine=numpy_2)

    assert str(caught.value) == removed(
        "NumPy 2 is installed here, and tensorflow 2.17.1 is built on the NumPy 1 C API: it fails on import. "
        "TensorFlow 2.18.0 and later are compiled with NumPy 2.",
        "numpy-2-installed-tensorflow",
        "tensorflow",
        "tensorflow<2.18",
    )


def test_tensorflow_before_2_18_installs_where_numpy_1_is(advise_on: Advise) -> None:
    numpy_1 = machine(python_packages=[("numpy", "1.26.4")])

    advice = advise_on("tensorflow 2.17.1 2.18.0", ["tensorflow<2.18"], machine=numpy_1)

    assert pins(best(advice)) == {"tensorflow": "2.17.1"}


# setuptools ---------------------------------------------------------------------------------------


def test_an_sdist_that_needs_2to3_is_refused(advise_on: Advise) -> None:
    with pytest.raises(CannotRemovePackage) as caught:
        advise_on("flask-openid 1.2.5 1.3.0", ["flask-openid<1.3"])

    assert str(caught.value) == removed(
        "flask-openid 1.2.5 is published only as a source distribution whose setup asks for 2to3, which "
        'setuptools 58 removed: it no longer builds ("use_2to3 is invalid"). Flask-OpenID 1.3.0 and later '
        "ship a wheel.",
        "setuptools-58-flask-openid",
        "flask-openid",
        "flask-openid<1.3",
    )


OLDER_SETUPTOOLS = ManifestChange(
    "add", "setuptools", "setuptools<82", "pkg_resources is part of setuptools up to 81 only."
)


@pytest.mark.parametrize(
    ("symbols", "changes"),
    [({"pkg_resources.require"}, [({}, (OLDER_SETUPTOOLS,))]), ({"importlib.metadata.version"}, [])],
    ids=["pkg_resources", "importlib"],
)
def test_code_importing_pkg_resources_is_advised_setuptools_before_82(
    advise_on: Advise, symbols: set[str], changes: list[object]
) -> None:
    usage = LibraryUsage(frozenset(s.split(".")[0] for s in symbols), frozenset(symbols))

    advice = advise_on("a 1.0", ["a"], usage=usage)

    assert advised(advice, "setuptools-82-removed-pkg-resources") == changes


# Python versions ----------------------------------------------------------------------------------


def test_numpy_before_1_26_is_refused_on_python_3_12(advise_on: Advise) -> None:
    with pytest.raises(CannotRemovePackage) as caught:
        advise_on("numpy 1.25.2 1.26.4", ["numpy<1.26"], python="3.12")

    assert str(caught.value) == removed(
        "numpy 1.25.2 has no wheels for Python 3.12 or later, and its source distribution builds with "
        "distutils, which Python 3.12 removed (\"No module named 'distutils'\"). NumPy 1.26.0 is the first "
        "release for Python 3.12.",
        "numpy-first-for-python-3-12",
        "numpy",
        "numpy<1.26",
    )


def test_numpy_before_1_26_installs_on_python_3_11(advise_on: Advise) -> None:
    advice = advise_on("numpy 1.25.2 1.26.4", ["numpy<1.26"], python="3.11")

    assert pins(best(advice)) == {"numpy": "1.25.2"}


LEGACY_CGI = ManifestChange(
    "add",
    "legacy-cgi",
    "legacy-cgi>=2.6",
    "The project's code imports cgi or cgitb, which Python 3.13 removed (PEP 594): add legacy-cgi, a "
    "fork of the two modules under their old names, or move to email.message and urllib.parse.",
)


@pytest.mark.parametrize(("python", "changes"), [("3.13", [({}, (LEGACY_CGI,))]), ("3.12", [])])
def test_code_using_cgi_on_python_3_13_is_advised_legacy_cgi(
    advise_on: Advise, python: str, changes: list[object]
) -> None:
    usage = LibraryUsage(frozenset({"cgi"}), frozenset({"cgi.FieldStorage"}))

    advice = advise_on("a 1.0", ["a"], python=python, usage=usage)

    assert advised(advice, "cgi-removed-in-python-3-13") == changes


# System dependencies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system_packages", "chosen"),
    [((), "psycopg2-binary"), (("libpq-dev",), "psycopg2")],
    ids=["no-pg-config", "libpq-dev"],
)
def test_psycopg2_binary_stands_in_where_pg_config_is_missing(
    advise_on: Advise, system_packages: tuple[str, ...], chosen: str
) -> None:
    advice = advise_on(
        "psycopg2 2.9.9\npsycopg2-binary 2.9.9",
        ["psycopg2"],
        machine=machine(system_packages=system_packages),
        kind=RecommendationType.STABLE,
    )

    assert pins(best(advice)) == {chosen: "2.9.9"}


@pytest.mark.parametrize(
    ("system_packages", "warned"), [((), True), (("git",), False)], ids=["no-git", "git"]
)
def test_gitpython_without_git_is_warned_about(
    advise_on: Advise, system_packages: tuple[str, ...], warned: bool
) -> None:
    advice = advise_on("gitpython 3.1.43", ["gitpython"], machine=machine(system_packages=system_packages))

    expected = (
        "gitpython 3.1.43 runs the git executable for its work, and this machine has none: importing it "
        'fails ("Bad git executable") unless git is installed and on PATH (or GIT_PYTHON_GIT_EXECUTABLE '
        "names it)."
    )
    assert [j.message for j in by_unit(best(advice), "gitpython-needs-git")] == ([expected] if warned else [])


# The web stack ------------------------------------------------------------------------------------


def test_jinja2_2_keeps_markupsafe_before_2_1(advise_on: Advise) -> None:
    advice = advise_on("jinja2 2.11.3: markupsafe>=0.23\nmarkupsafe 2.0.1 2.1.0", ["jinja2<3"])

    stack = best(advice)
    assert pins(stack) == {"jinja2": "2.11.3", "markupsafe": "2.0.1"}
    assert [j.type for j in by_unit(stack, "markupsafe-2-1-breaks-jinja2-2")] == [JustificationType.ERROR]


@pytest.mark.parametrize(
    ("os", "python", "chosen"),
    [
        (("centos", "7"), "3.9", "1.26.18"),
        (("amzn", "2"), "3.8", "1.26.18"),
        (("ubuntu", "22.04"), "3.9", "2.2.1"),
        (("centos", "7"), "3.11", "2.2.1"),
    ],
    ids=["centos-7", "amazon-linux-2", "ubuntu", "python-3.11"],
)
def test_urllib3_2_is_left_out_where_python_has_openssl_1_0_2(
    advise_on: Advise, os: tuple[str, str], python: str, chosen: str
) -> None:
    advice = advise_on("urllib3 1.26.18 2.2.1", ["urllib3"], machine=machine(os=os), python=python)

    assert pins(best(advice)) == {"urllib3": chosen}


# Performance --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "environment"),
    [(RecommendationType.PERFORMANCE, [{"TF_ENABLE_ONEDNN_OPTS": "1"}]), (RecommendationType.LATEST, [])],
    ids=["performance", "latest"],
)
def test_tensorflow_2_8_is_advised_to_turn_onednn_on_for_performance(
    advise_on: Advise, kind: RecommendationType, environment: list[dict[str, str]]
) -> None:
    amd = machine(vendor="AuthenticAMD", flags=("sse4_2", "avx", "avx2"))

    advice = advise_on("tensorflow 2.8.0", ["tensorflow"], machine=amd, kind=kind)

    assert [given for given, _ in advised(advice, "tensorflow-onednn-opt-in")] == environment


@pytest.mark.parametrize(
    ("vendor", "chosen"),
    [("GenuineIntel", "intel-tensorflow"), ("AuthenticAMD", "tensorflow")],
    ids=["intel", "amd"],
)
def test_intel_cpus_get_intel_tensorflow_for_performance(advise_on: Advise, vendor: str, chosen: str) -> None:
    advice = advise_on(
        "tensorflow 2.8.0\nintel-tensorflow 2.8.0",
        ["tensorflow"],
        machine=machine(vendor=vendor),
        kind=RecommendationType.PERFORMANCE,
    )

    assert pins(best(advice)) == {chosen: "2.8.0"}
