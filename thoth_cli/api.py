"""The Python API for notebooks and scripts: `Adviser(...).compute_using_pipeline(pipeline=...)`.

```python
from thoth_cli.api import Adviser, Pipeline, RecommendationType
from thoth_cli.pipeline.builtin import NewestFirstStep, VulnerableStackStride

adviser = Adviser(count=3, limit=50, recommendation_type=RecommendationType.STABLE, manifest="Pipfile")
report = adviser.compute_using_pipeline(
    pipeline=Pipeline(steps=[(NewestFirstStep, {"weight": 0.2})], strides=[(VulnerableStackStride, None)])
)
for found in report.stacks:
    print(found.stack.score, [(p.name, str(p.version)) for p in found.stack])
```

Nothing is written: the report holds every stack; `report.to_json()` is `--report`'s JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from thoth_cli.adviser import AdviseRequest, IndexOptions, Recommendation, advise
from thoth_cli.discovery.model import RuntimeEnvironment
from thoth_cli.groups import select_groups
from thoth_cli.index.client import IndexStrategy
from thoth_cli.index.http import HttpSettings
from thoth_cli.knowledge.advisories import AdvisorySource
from thoth_cli.knowledge.sources import AdvisoryOptions
from thoth_cli.lock.formats import LockFormat, lock_path_for
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.report import Report
from thoth_cli.pipeline.search import DEFAULT_LIMIT
from thoth_cli.project.load import load_project
from thoth_cli.resolver.policy import ResolutionPolicy
from thoth_cli.target import Target
from thoth_cli.usage.model import LibraryUsage

__all__ = ["Adviser", "Pipeline", "RecommendationType", "Report"]


@dataclass(frozen=True)
class Adviser:
    """What to advise on, and how; each `compute*` call resolves afresh (the index cache is shared).

    `manifest` defaults to the one found in the current folder; `target` to this
    interpreter on this machine; `groups` to the manifest's default groups.
    """

    count: int = 1
    limit: int = DEFAULT_LIMIT
    recommendation_type: RecommendationType = RecommendationType.LATEST
    manifest: Path | str | None = None
    target: Target | None = None
    groups: Sequence[str] = ()
    index_url: str | None = None
    extra_index_urls: Sequence[str] = ()
    cache_dir: Path | None = None
    offline: bool = False
    policy: ResolutionPolicy = field(default_factory=ResolutionPolicy)
    advisories: AdvisorySource | AdvisoryOptions = field(default_factory=AdvisoryOptions)
    """Where advisories come from: the OSV API by default, as on the command line;
    `AdvisoryOptions().disabled()` for none, or any AdvisorySource."""
    usage: LibraryUsage | None = None
    environment: RuntimeEnvironment | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def compute(self, *, blocked: Iterable[str] = ()) -> Report:
        """The stacks the units chosen for the recommendation type find."""
        return self._run(None, blocked)

    def compute_using_pipeline(
        self, pipeline: Pipeline | None = None, *, blocked: Iterable[str] = ()
    ) -> Report:
        """The stacks `pipeline` finds (None: the units chosen for the recommendation type)."""
        return self._run(pipeline, blocked)

    def _run(self, pipeline: Pipeline | None, blocked: Iterable[str]) -> Report:
        project = load_project(Path(self.manifest) if self.manifest is not None else None)
        target = self.target or Target.from_options(_stated_python(project.python_version), None)
        lock_format = LockFormat.for_manifest(project)
        request = AdviseRequest(
            project=project,
            target=target,
            groups=select_groups(project, groups=tuple(self.groups)),
            policy=self.policy,
            index=IndexOptions(
                index_url=self.index_url,
                extra_index_urls=tuple(self.extra_index_urls),
                strategy=IndexStrategy.FIRST_INDEX,
                cache_dir=self.cache_dir,
                http=HttpSettings(offline=self.offline),
            ),
            lock_format=lock_format,
            output=lock_path_for(project.manifest, lock_format),
            dry_run=True,
            recommendation=Recommendation(
                type=self.recommendation_type,
                count=self.count,
                limit=self.limit,
                pipeline=pipeline,
                blocked=frozenset(blocked),
                machine=self.environment,
                usage=self.usage,
                advisories=self.advisories,
                labels=self.labels,
            ),
        )
        advice = advise(request)
        assert advice.search is not None and advice.units is not None
        return Report(self.recommendation_type, target.as_dict(), advice.search, advice.units)


def _stated_python(stated: str | None) -> str | None:
    """The manifest's Python when it differs from this one's X.Y (the running one is more precise)."""
    import sys

    if stated and stated.count(".") == 1 and stated == "{}.{}".format(*sys.version_info[:2]):
        return None
    return stated
