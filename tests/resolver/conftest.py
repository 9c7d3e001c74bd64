"""Resolving against the hermetic test index: a universe, some requirements, a target."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.indexserver import IndexServerFactory, Universe
from thoth_cli.errors import Location
from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient, IndexStrategy
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import IndexSpec
from thoth_cli.project.model import MAIN, Group, ManifestKind, Project, ProjectRequirement
from thoth_cli.project.pep508 import parse_requirement
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.resolver.resolve import Resolution, ResolveRequest, resolve
from thoth_cli.target import Target

Resolve = Callable[..., Resolution]


def requirements(lines: Sequence[str], path: Path, group: Group = MAIN) -> tuple[ProjectRequirement, ...]:
    return tuple(
        parse_requirement(line, location=Location(path, line=number), group=group)
        for number, line in enumerate(lines, start=1)
    )


def project_of(
    lines: Sequence[str],
    path: Path,
    *,
    groups: Mapping[Group, Sequence[str]] | None = None,
    constraints: Sequence[str] = (),
) -> Project:
    reqs = requirements(lines, path)
    for group, group_lines in (groups or {}).items():
        reqs += requirements(group_lines, path, group)
    return Project(
        manifest=path,
        kind=ManifestKind.REQUIREMENTS,
        requirements=reqs,
        constraints=requirements(constraints, path),
    )


@pytest.fixture
def resolve_in(index_server: IndexServerFactory, tmp_path: Path) -> Iterator[Resolve]:
    """`resolve_in(universe, ["a>=1"], python="3.12", platform=..., policy=..., groups=...)`."""

    def run(
        universe: Universe | str | Mapping[str, Universe],
        lines: Sequence[str] | Project,
        *,
        python: str = "3.12",
        platform: str = "manylinux_2_28_x86_64",
        policy: ResolutionPolicy | None = None,
        groups: frozenset[Group] = frozenset({MAIN}),
        strategy: IndexStrategy = IndexStrategy.FIRST_INDEX,
        **server_options: Any,
    ) -> Resolution:
        server = index_server(universe, **server_options)
        names = list(universe) if isinstance(universe, Mapping) else ["pypi"]
        indexes = tuple(IndexSpec(name, server.url(name)) for name in names)
        project = lines if isinstance(lines, Project) else project_of(lines, tmp_path / "requirements.in")
        request = ResolveRequest(
            project=project,
            target=Target.from_options(python, platform),
            indexes=indexes,
            groups=groups,
            policy=policy or ResolutionPolicy(),
        )
        settings = HttpSettings(retries=1, backoff=0.0)
        with (
            HttpClient(settings, Cache(tmp_path / "cache")) as http,
            IndexClient(indexes, http, strategy=strategy) as client,
        ):
            return resolve(request, client)

    yield run


def pins(resolution: Resolution) -> dict[str, str]:
    return {p.name: str(p.version) for p in resolution.stack.packages}
