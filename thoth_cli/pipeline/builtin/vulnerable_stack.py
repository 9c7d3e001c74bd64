"""The `vulnerable-stack` stride: lowers a stack's score for each known vulnerability among its pins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from thoth_cli.pipeline.builtin import advisory_text, checks
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.units import Configuration, Scored, Stride
from thoth_cli.stack import Stack

INCLUDED_FOR = frozenset(
    {RecommendationType.STABLE, RecommendationType.PERFORMANCE, RecommendationType.SECURITY}
)


class VulnerableStackStride(Stride):
    """Scores a stack `-min(1, penalization x n)` for its n known vulnerabilities (one per
    advisory per pin), with a WARNING for each naming the package, version and advisory.

    Steps judge each release alone; this stride weighs the stack as a whole, so that a stack
    carrying more vulnerabilities ranks below one carrying fewer.

    Configuration:
      penalization (float, 0.2): how much each vulnerability lowers the stack's score, from 0 to 1.
    """

    name = "vulnerable-stack"
    description = "Lowers a stack's score for each known vulnerability among its pins."
    link = "https://osv.dev/"
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"penalization": 0.2}

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._penalization = checks.number(self, "penalization", 0.0, 1.0)

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        if context.recommendation_type in INCLUDED_FOR:
            yield {}

    def highest_score(self) -> float:
        return 0.0

    def run(self, stack: Stack) -> Scored | None:
        warnings = advisory_text.stack_warnings(self, stack)
        if not warnings:
            return None
        return Scored(-min(1.0, self._penalization * len(warnings)), warnings)
