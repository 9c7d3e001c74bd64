"""Prescription files, machines, contexts, candidates and stacks for the prescription tests."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.pipeline.conftest import advise_in  # noqa: F401  # the fixture, for the runs through advise()
from tests.resolver.conftest import project_of
from thoth_cli.discovery.model import (
    Cpu,
    CudaToolkit,
    Gpu,
    Library,
    NvidiaDriver,
    OperatingSystem,
    PythonPackage,
    RuntimeEnvironment,
    SystemPackage,
)
from thoth_cli.index.model import DistributionFile, IndexSpec
from thoth_cli.knowledge.prescriptions.model import Prescription, PrescriptionError
from thoth_cli.knowledge.prescriptions.parse import parse_text
from thoth_cli.knowledge.prescriptions.units import compile_prescription
from thoth_cli.pipeline.context import BuilderContext, RecommendationType, RunContext
from thoth_cli.pipeline.units import Unit
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import Edge, PinnedPackage, Stack
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage

RULES = Path("rules.yaml")
LINK = "https://example.org/fact"
PYPI = IndexSpec("pypi", "https://pypi.org/simple/")


def units_text(body: str) -> str:
    """A prescription file holding the units `body` lists (YAML, indented as written)."""
    return "version: 1\nunits:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


def parse(body: str) -> tuple[Prescription, ...]:
    return parse_text(units_text(body), RULES).prescriptions


def one(body: str) -> Prescription:
    (prescription,) = parse(body)
    return prescription


def refusal(text: str) -> str:
    """The message a file's text is refused with (the whole text, not only its units)."""
    with pytest.raises(PrescriptionError) as caught:
        parse_text(text, RULES)
    return str(caught.value)


def unit_refusal(body: str) -> str:
    return refusal(units_text(body))


def compiled(body: str) -> type[Unit]:
    return compile_prescription(one(body))


def machine(
    *,
    host: bool = False,
    os: tuple[str, str] | None = ("rhel", "9.4"),
    flags: Sequence[str] | None = ("sse4_2", "avx", "avx2"),
    cpu: tuple[str, int, int] = ("GenuineIntel", 6, 85),
    gpus: Sequence[tuple[str, str]] | None = (),
    driver: tuple[str, str | None] | None = None,
    cuda: str | None = None,
    cudnn: str | None = None,
    system_packages: Sequence[str] | None = (),
    python_packages: Sequence[tuple[str, str]] | None = (),
    image: str | None = None,
) -> RuntimeEnvironment:
    """A machine with these facts; None for a fact discovery could not read."""
    vendor, family, model = cpu
    return RuntimeEnvironment(
        host=host,
        os=None if os is None else OperatingSystem(id=os[0], version=os[1]),
        cpu=None
        if flags is None
        else Cpu(vendor, "a CPU", family, model, 1, 8, 4, frozenset(flags), "/proc/cpuinfo"),
        gpus=None
        if gpus is None
        else tuple(Gpu("nvidia", model_name, compute_capability=cc) for model_name, cc in gpus),
        nvidia_driver=None if driver is None else NvidiaDriver(driver[0], driver[1]),
        cuda_toolkit=None if cuda is None else CudaToolkit(cuda, "nvcc"),
        cudnn=None if cudnn is None else Library("cudnn", cudnn, "/usr/include/cudnn_version.h"),
        system_packages=None
        if system_packages is None
        else tuple(SystemPackage("rpm", name, "1.0") for name in system_packages),
        python_packages=None
        if python_packages is None
        else tuple(
            PythonPackage(name, version, "/usr/lib/python3/site-packages")
            for name, version in python_packages
        ),
        base_image=image,
    )


def context(
    *,
    environment: RuntimeEnvironment | None = None,
    recommendation_type: RecommendationType = RecommendationType.LATEST,
    python: str = "3.12",
    platform: str = "manylinux_2_28_x86_64",
    usage: LibraryUsage | None = None,
    labels: dict[str, str] | None = None,
    requirements: Sequence[str] = ("tensorflow",),
) -> BuilderContext:
    return BuilderContext(
        project=project_of(list(requirements), Path("requirements.in")),
        target=Target.from_options(python, platform),
        recommendation_type=recommendation_type,
        environment=environment,
        usage=usage,
        labels=labels or {},
    )


def started(cls: type[Unit], configuration: dict[str, object] | None = None, **builder: object) -> Unit:
    """An instance of `cls`, started as the runner starts it."""
    unit = cls(configuration)
    unit.start(RunContext(context(**builder)))  # type: ignore[arg-type]
    return unit


def candidate(name: str, version: str, index: str = "pypi") -> Candidate:
    filename = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    return Candidate(
        name=canonicalize_name(name),
        display_name=name,
        version=Version(version),
        files=(DistributionFile(filename=filename, url=f"https://files.example/{filename}", index=index),),
        index=index,
    )


def stack(*pins: tuple[str, str], edges: Sequence[tuple[str | None, str]] = ()) -> Stack:
    """A stack of these pins; `edges` are (parent, child) names, None for the project."""
    return Stack(
        packages=tuple(
            PinnedPackage(
                name=canonicalize_name(name),
                display_name=name,
                version=Version(version),
                index=PYPI,
                files=(),
            )
            for name, version in pins
        ),
        edges=tuple(
            Edge(None if parent is None else canonicalize_name(parent), canonicalize_name(child), child)
            for parent, child in edges
        ),
    )


@pytest.fixture
def no_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty bundled folder: the run sees only the test's own prescriptions."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    monkeypatch.setattr("thoth_cli.knowledge.prescriptions.load.bundled_directory", lambda: folder)
    return folder


def write_units(folder: Path, name: str, body: str) -> Path:
    """A prescription file `name` in `folder` holding the units `body` lists."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(units_text(body), encoding="utf-8")
    return path
