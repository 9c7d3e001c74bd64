"""Real values for the built-in units' tests: distribution files, candidates, stacks and contexts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.index.model import DistributionFile, IndexSpec
from thoth_cli.knowledge.advisories import Advisory, AdvisorySource, NoAdvisories, StaticAdvisories
from thoth_cli.pipeline.context import BuilderContext, RecommendationType, RunContext
from thoth_cli.pipeline.units import Unit
from thoth_cli.project.model import ManifestKind, Project
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import PinnedPackage, Stack
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
TARGET = Target.from_options("3.12", "manylinux_2_28_x86_64")
PYPI = IndexSpec("pypi", "https://pypi.org/simple/")

U = TypeVar("U", bound=Unit)


class Make:
    """Builds the values a unit meets in a run, for one test."""

    def __init__(self, tmp_path: Path) -> None:
        self.project = Project(manifest=tmp_path / "Pipfile", kind=ManifestKind.PIPFILE, requirements=())

    @staticmethod
    def wheel(name: str, version: str, *, days_old: float | None = None) -> DistributionFile:
        filename = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        return _file(filename, days_old)

    @staticmethod
    def sdist(name: str, version: str, *, days_old: float | None = None) -> DistributionFile:
        return _file(f"{name.replace('-', '_')}-{version}.tar.gz", days_old)

    @staticmethod
    def candidate(
        name: str,
        version: str,
        *files: DistributionFile,
        yanked_reason: str | None = None,
        yanked: bool = False,
    ) -> Candidate:
        return Candidate(
            name=canonicalize_name(name),
            display_name=name,
            version=Version(version),
            files=files or (Make.wheel(name, version),),
            index="pypi",
            yanked=yanked or yanked_reason is not None,
            yanked_reason=yanked_reason,
        )

    @staticmethod
    def stack(*pins: tuple[str, str]) -> Stack:
        return Stack(
            packages=tuple(
                PinnedPackage(
                    name=canonicalize_name(name),
                    display_name=name,
                    version=Version(version),
                    index=PYPI,
                    files=(Make.wheel(name, version),),
                )
                for name, version in pins
            ),
            edges=(),
        )

    @staticmethod
    def advisories(*affected: tuple[Advisory, Sequence[str]]) -> StaticAdvisories:
        return StaticAdvisories.of(affected)

    def builder(
        self,
        recommendation_type: RecommendationType = RecommendationType.LATEST,
        *,
        usage: LibraryUsage | Callable[[], LibraryUsage | None] | None = None,
        advisories: AdvisorySource | None = None,
    ) -> BuilderContext:
        return BuilderContext(
            project=self.project,
            target=TARGET,
            recommendation_type=recommendation_type,
            usage=usage,
            advisories=advisories or NoAdvisories(),
            now=NOW,
        )

    def started(
        self,
        unit: U,
        recommendation_type: RecommendationType = RecommendationType.LATEST,
        *,
        advisories: AdvisorySource | None = None,
        versions: Mapping[str, Sequence[str]] | None = None,
    ) -> U:
        """`unit`, started as the runner starts it, with the index offering `versions` by name."""
        offered = {canonicalize_name(name): tuple(map(Version, vs)) for name, vs in (versions or {}).items()}

        def versions_of(name: NormalizedName) -> tuple[Version, ...]:
            return offered.get(name, ())

        def candidates_of(name: NormalizedName) -> Iterator[Candidate]:
            for version in sorted(offered.get(name, ()), reverse=True):
                yield self.candidate(name, str(version))

        context = self.builder(recommendation_type, advisories=advisories)
        unit.start(RunContext(context, versions_of, candidates_of))
        return unit


def _file(filename: str, days_old: float | None) -> DistributionFile:
    return DistributionFile(
        filename=filename,
        url=f"https://files.example/{filename}",
        index="pypi",
        upload_time=None if days_old is None else NOW - timedelta(days=days_old),
    )


@pytest.fixture
def make(tmp_path: Path) -> Make:
    return Make(tmp_path)
