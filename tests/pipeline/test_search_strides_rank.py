"""Stacks come best first even when a stride's score changes the order the steps' scores gave.

Fails today: a child subproblem's estimate starts from its parent's score after the strides,
so a stack the strides penalise is taken before a better one found later.
"""

from __future__ import annotations

from packaging.utils import canonicalize_name

from tests.pipeline.conftest import NOW, AdviseIn
from thoth_cli.adviser import Recommendation
from thoth_cli.knowledge.advisories import Advisory, StaticAdvisories
from thoth_cli.pipeline.builtin import NewestFirstStep, VulnerableStackStride
from thoth_cli.pipeline.model import Pipeline

ADVISORIES = StaticAdvisories.of([(Advisory("PYSEC-2024-1", canonicalize_name("a")), ["2.0"])])


def test_stacks_penalised_by_a_stride_rank_below_better_ones(advise_in: AdviseIn) -> None:
    pipeline = Pipeline(steps=[(NewestFirstStep, None)], strides=[(VulnerableStackStride, None)])
    recommendation = Recommendation(count=2, pipeline=pipeline, advisories=ADVISORIES, now=NOW)
    advice = advise_in("a 1.0 2.0", ["a"], recommendation=recommendation)
    assert advice.search is not None
    found = [(str(f.stack.packages[0].version), round(f.stack.score, 6)) for f in advice.search.stacks]
    # a 1.0: -0.1 (one newer release); a 2.0: -0.2 (one vulnerability).
    assert found == [("1.0", -0.1), ("2.0", -0.2)]
