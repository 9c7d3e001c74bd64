"""Running the whole pipeline against the hermetic test index: a universe, requirements, a recommendation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.resolver.conftest import project_of
from thoth_cli.adviser import Advice, AdviseRequest, IndexOptions, Recommendation, advise
from thoth_cli.index.http import HttpSettings
from thoth_cli.lock.formats import LockFormat
from thoth_cli.pipeline import registry
from thoth_cli.project.model import MAIN, Project
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.stack import Stack
from thoth_cli.target import Target

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
"""The moment release ages are measured from, so that no test depends on the day it runs."""

TARGET = Target.from_options("3.12", "manylinux_2_28_x86_64")

AdviseIn = Callable[..., Advice]


@pytest.fixture(autouse=True)
def without_bundled_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the pipeline's mechanics: the bundled prescriptions stay out (they have
    their own tests under tests/knowledge)."""
    monkeypatch.setattr(registry, "bundled_units", tuple)


@pytest.fixture
def advise_in(index_server: IndexServerFactory, tmp_path: Path) -> Iterator[AdviseIn]:
    """`advise_in(universe, ["a>=1"], recommendation=Recommendation(...), policy=..., python=...)`.

    Runs `thoth_cli.adviser.advise` (a dry run unless `dry_run=False`) against a test index
    serving `universe`; the universe may be a started server, to run twice against one index.
    """

    def run(
        universe: Universe | str | IndexServer,
        lines: Sequence[str] | Project,
        *,
        recommendation: Recommendation | None = None,
        policy: ResolutionPolicy | None = None,
        python: str = "3.12",
        platform: str = "manylinux_2_28_x86_64",
        dry_run: bool = True,
    ) -> Advice:
        server = universe if isinstance(universe, IndexServer) else index_server(universe)
        manifest = tmp_path / "requirements.in"
        project = lines if isinstance(lines, Project) else project_of(lines, manifest)
        request = AdviseRequest(
            project=project,
            target=Target.from_options(python, platform),
            groups=frozenset({MAIN}),
            policy=policy or ResolutionPolicy(),
            index=IndexOptions(
                index_url=server.url(),
                cache_dir=tmp_path / "cache",
                http=HttpSettings(retries=1, backoff=0.0),
            ),
            lock_format=LockFormat.REQUIREMENTS_TXT,
            output=tmp_path / "requirements.txt",
            dry_run=dry_run,
            recommendation=recommendation or Recommendation(now=NOW),
        )
        return advise(request)

    yield run


def pins(stack: Stack) -> dict[str, str]:
    """name -> version of a stack."""
    return {package.name: str(package.version) for package in stack.packages}


def stacks_of(advice: Advice) -> list[dict[str, str]]:
    """The pins of every stack the search found, best first."""
    assert advice.search is not None
    return [pins(found.stack) for found in advice.search.stacks]
