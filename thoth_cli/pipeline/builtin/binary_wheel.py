"""The `binary-wheel` step: penalises a release that only an sdist brings to the target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from thoth_cli.pipeline.builtin import checks
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.units import Configuration, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import JustificationType

INCLUDED_FOR = frozenset({RecommendationType.STABLE, RecommendationType.PERFORMANCE})
"""Building from source needs compilers and headers on the machine and may build differently
from the wheels everyone else tested; `latest` and `testing` accept that risk."""


class BinaryWheelStep(Step):
    """Penalises a release whose best file for the target is an sdist: installing it would build
    it from source, which needs a compiler and headers and may fail or differ from the wheels
    others run.

    Configuration:
      penalty (float, -0.5): the score of such a release, from -1 to 0.
    """

    name = "binary-wheel"
    description = "Penalises releases that have no wheel for the target and would be built from source."
    link = "https://packaging.python.org/en/latest/discussions/package-formats/"
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"penalty": -0.5}

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._penalty = checks.number(self, "penalty", -1.0, 0.0)

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        if context.recommendation_type in INCLUDED_FOR:
            yield {}

    def highest_score(self) -> float:
        return 0.0

    def run(self, candidate: Candidate) -> Scored | None:
        if not candidate.files or candidate.files[0].is_wheel:
            return None
        sdist = candidate.files[0].filename
        message = (
            f"no wheel fits {self.context.target.describe()}: "
            f"it would be built from source ({sdist}) on install"
        )
        return Scored(
            self._penalty, (self.justification(JustificationType.WARNING, message, candidate=candidate),)
        )
