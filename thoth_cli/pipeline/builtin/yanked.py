"""The `yanked` step: says so when a yanked release is used because the project pins it exactly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.units import Configuration, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import JustificationType


class YankedStep(Step):
    """Warns about a yanked release, with the reason its authors gave.

    The finder offers a yanked release only to a requirement that pins it exactly (`==` or
    `===`), as PEP 592 asks; this step makes sure the user hears about it. It never changes
    the score: the pin leaves no other choice. No configuration.
    """

    name = "yanked"
    description = "Warns when a yanked release is used because a requirement pins it exactly."
    link = "https://peps.python.org/pep-0592/"
    reorders: ClassVar[bool] = False
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        # A yanked release is news whatever the user optimises for.
        yield {}

    def run(self, candidate: Candidate) -> Scored | None:
        if not candidate.yanked:
            return None
        reason = candidate.yanked_reason.strip() if candidate.yanked_reason else ""
        why = f"yanked by its authors: {reason}" if reason else "yanked by its authors (no reason given)"
        message = f"{why}; used only because it is pinned exactly"
        return Scored(0.0, (self.justification(JustificationType.WARNING, message, candidate=candidate),))
