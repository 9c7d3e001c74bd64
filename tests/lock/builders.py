"""Small stacks, projects and targets for the lock tests, built by hand so every byte of a lock is known."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.indexserver import IndexServer
from thoth_cli.errors import Location
from thoth_cli.index.model import DistributionFile, Hashes, IndexSpec
from thoth_cli.project.model import DEVELOP_GROUP, MAIN, Group, GroupKind, ManifestKind, Project, Source
from thoth_cli.project.pep508 import parse_requirement
from thoth_cli.stack import Edge, Justification, JustificationType, PinnedPackage, Stack

PYPI = IndexSpec("pypi", "https://pypi.org/simple/")
DEVELOP = Group(GroupKind.GROUP, DEVELOP_GROUP)
UPLOADED = datetime(2023, 5, 22, 15, 12, 44, tzinfo=timezone.utc)


@dataclass(frozen=True)
class StubTarget:
    """A target with a short tag list, so that expected lock files stay readable."""

    python_full_version: str = "3.12.1"
    python_version_exact: bool = False
    platform: str = "manylinux_2_17_x86_64"
    tags: tuple[str, ...] = ("cp312-cp312-manylinux_2_17_x86_64", "py3-none-any")
    environment: dict[str, str] = field(
        default_factory=lambda: {
            "implementation_name": "cpython",
            "platform_machine": "x86_64",
            "python_full_version": "3.12.1",
            "python_version": "3.12",
            "sys_platform": "linux",
        }
    )

    def marker_environment(self) -> dict[str, str]:
        return dict(self.environment)

    def describe(self) -> str:
        return f"CPython {self.python_full_version} on {self.platform}"

    def as_dict(self) -> dict[str, object]:
        return {
            "python": self.python_full_version,
            "implementation": "cpython",
            "free_threaded": False,
            "platform": self.platform,
            "tags": list(self.tags),
        }


def dist(
    filename: str,
    digit: str,
    *,
    size: int | None = None,
    upload_time: datetime | None = UPLOADED,
    index: IndexSpec = PYPI,
    base: str = "https://files.example.org/packages/",
) -> DistributionFile:
    """A file whose sha256 is `digit` repeated 64 times."""
    return DistributionFile(
        filename=filename,
        url=base + filename,
        index=index.name,
        hashes=Hashes.of({"sha256": digit * 64}),
        size=size,
        upload_time=upload_time,
    )


def pinned(
    name: str,
    version: str,
    files: tuple[DistributionFile, ...],
    *,
    groups: frozenset[Group] = frozenset({MAIN}),
    direct: bool = False,
    extras: frozenset[str] = frozenset(),
    score: float = 0.0,
    justifications: tuple[Justification, ...] = (),
    index: IndexSpec = PYPI,
    display_name: str | None = None,
) -> PinnedPackage:
    return PinnedPackage(
        name=canonicalize_name(name),
        display_name=display_name or name,
        version=Version(version),
        index=index,
        files=files,
        extras=extras,
        groups=groups,
        direct=direct,
        score=score,
        justifications=justifications,
    )


def edge(parent: str | None, child: str, requirement: str) -> Edge:
    return Edge(canonicalize_name(parent) if parent else None, canonicalize_name(child), requirement)


PIPFILE = """\
[[source]]
name = "pypi"
url = "https://pypi.org/simple"
verify_ssl = true

[packages]
Requests = {version = ">=2.31", extras = ["socks"]}

[dev-packages]
pytest = {version = "*", markers = "sys_platform == 'linux'"}

[requires]
python_version = "3.12"
"""


def small_stack() -> Stack:
    """requests (default, with an extra) and pytest (develop), sharing urllib3; iniconfig only for pytest."""
    both = frozenset({MAIN, DEVELOP})
    return Stack(
        packages=(
            pinned(
                "urllib3",
                "2.0.7",
                (dist("urllib3-2.0.7-py3-none-any.whl", "3", size=124213), dist("urllib3-2.0.7.tar.gz", "4")),
                groups=both,
                score=0.25,
            ),
            pinned(
                "requests",
                "2.31.0",
                (
                    dist("requests-2.31.0-py3-none-any.whl", "1", size=62574),
                    dist("requests-2.31.0.tar.gz", "2"),
                ),
                direct=True,
                extras=frozenset({"socks"}),
                score=0.5,
                display_name="Requests",
                justifications=(
                    Justification(
                        JustificationType.INFO,
                        "newest release that fits",
                        link="https://thoth.example/latest",
                        unit="latest",
                    ),
                ),
            ),
            pinned(
                "pytest",
                "8.0.0",
                (dist("pytest-8.0.0-py3-none-any.whl", "5"),),
                groups=frozenset({DEVELOP}),
                direct=True,
            ),
            pinned(
                "iniconfig",
                "2.0.0",
                (dist("iniconfig-2.0.0-py3-none-any.whl", "6", upload_time=None),),
                groups=frozenset({DEVELOP}),
            ),
        ),
        edges=(
            edge(None, "requests", "Requests[socks]>=2.31"),
            edge(None, "pytest", "pytest; sys_platform == 'linux'"),
            edge("requests", "urllib3", "urllib3<3,>=1.21.1"),
            edge("pytest", "urllib3", "urllib3"),
            edge("pytest", "iniconfig", "iniconfig"),
        ),
        score=0.75,
        justifications=(
            Justification(JustificationType.WARNING, "CPU flags unknown", package="urllib3", version="2.0.7"),
        ),
    )


def pipfile_project(folder: Path, text: str = PIPFILE, sources: tuple[Source, ...] | None = None) -> Project:
    """A Project for `text` written as `folder/Pipfile`, with the requirements of PIPFILE."""
    manifest = folder / "Pipfile"
    manifest.write_text(text, encoding="utf-8")
    where = Location(manifest)
    return Project(
        manifest=manifest,
        kind=ManifestKind.PIPFILE,
        requirements=(
            parse_requirement("Requests[socks]>=2.31", location=where),
            parse_requirement("pytest; sys_platform == 'linux'", location=where, group=DEVELOP),
        ),
        sources=sources if sources is not None else (Source("pypi", "https://pypi.org/simple"),),
        python_version="3.12",
    )


def pyproject_project(folder: Path, *, requires_python: str | None = ">=3.10") -> Project:
    """A pyproject.toml project with a `dev` dependency group and a `socks` extra."""
    from packaging.specifiers import SpecifierSet

    manifest = folder / "pyproject.toml"
    manifest.write_text('[project]\nname = "app"\nversion = "1.0"\n', encoding="utf-8")
    where = Location(manifest)
    return Project(
        manifest=manifest,
        kind=ManifestKind.PYPROJECT,
        requirements=(
            parse_requirement("Requests[socks]>=2.31", location=where),
            parse_requirement("pytest", location=where, group=DEVELOP),
        ),
        requires_python=SpecifierSet(requires_python) if requires_python else None,
        name="app",
        version="1.0",
    )


def pip_env() -> dict[str, str]:
    """pip without the machine's configuration (its indexes, find-links), so it sees only the test index."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def pip_install(*arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m pip install --no-cache-dir ...` with this interpreter, never touching its environment."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-cache-dir", *arguments],
        env=pip_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def served_files(server: IndexServer, *names: str) -> dict[str, tuple[DistributionFile, ...]]:
    """The files the test index serves for each project, wheels first, with their real hashes and sizes."""
    files: dict[str, tuple[DistributionFile, ...]] = {}
    for name in names:
        found = [
            DistributionFile(
                filename=filename,
                url=server.file_url("pypi", filename),
                index="pypi",
                hashes=Hashes.of({"sha256": server.sha256("pypi", filename)}),
                size=len(server.file_bytes("pypi", filename)),
            )
            for filename in server.filenames("pypi", name)
        ]
        files[name] = tuple(sorted(found, key=lambda file: not file.is_wheel))
    return files


def served_stack(server: IndexServer) -> Stack:
    """`a 1.0` requiring `b 2.0`, as the test index `"a 1.0: b\\nb 2.0"` serves them."""
    index = IndexSpec("pypi", server.url("pypi"))
    files = served_files(server, "a", "b")
    return Stack(
        packages=(
            pinned("a", "1.0", files["a"], direct=True, index=index),
            pinned("b", "2.0", files["b"], index=index),
        ),
        edges=(edge(None, "a", "a"), edge("a", "b", "b")),
    )


def requirements_project(folder: Path, *, sources: tuple[Source, ...] = ()) -> Project:
    """A requirements.in project asking for Requests[socks] and pytest."""
    manifest = folder / "requirements.in"
    manifest.write_text("Requests[socks]>=2.31\npytest; sys_platform == 'linux'\n", encoding="utf-8")
    return Project(
        manifest=manifest,
        kind=ManifestKind.REQUIREMENTS,
        requirements=(
            parse_requirement("Requests[socks]>=2.31", location=Location(manifest, line=1)),
            parse_requirement("pytest; sys_platform == 'linux'", location=Location(manifest, line=2)),
        ),
        sources=sources,
    )
