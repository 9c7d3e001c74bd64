"""The `newest-first` step: ranks each release by how many final releases are newer than it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from packaging.version import Version

from thoth_cli.pipeline.builtin import checks
from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.units import Configuration, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import JustificationType


class NewestFirstStep(Step):
    """Scores a release `-(1 - (1 - weight) ** rank)`, where rank counts the final releases newer
    than it that install on the target and that the project's own requirements admit.

    Pre-releases and local builds (`2.0+cu121` beside `2.0`) do not count against a release:
    nobody is behind for not taking a release candidate or another build of the same release.
    This is what makes a stack of newer releases score better than an older one, so every
    recommendation type includes it.

    Configuration:
      weight (float, 0.1): what each newer final release costs, from 0 to 1.
    """

    name = "newest-first"
    description = "Scores each release lower the more final releases are newer than it."
    link = "https://pip.pypa.io/en/stable/topics/dependency-resolution/"
    reorders: ClassVar[bool] = False
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {"weight": 0.1}

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._weight = checks.number(self, "weight", 0.0, 1.0)
        self._seen: dict[str, _Seen] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        yield {}

    def run(self, candidate: Candidate) -> Scored | None:
        newer = self._newer_finals(candidate)
        if not newer:
            return Scored(0.0)
        count = len(newer)
        releases = "1 newer release exists" if count == 1 else f"{count} newer releases exist"
        message = f"{releases} (the newest is {max(newer)})"
        # Each newer release costs `weight` of what is left: the score falls with every one and
        # never reaches -1, so stacks further behind always rank lower.
        return Scored(
            -(1.0 - (1.0 - self._weight) ** count),
            (self.justification(JustificationType.INFO, message, candidate=candidate),),
        )

    def _newer_finals(self, candidate: Candidate) -> set[Version]:
        """The final releases newer than the candidate that install on the target and that the
        project's own requirements admit, each counted once whatever its local builds."""
        mine = Version(candidate.version.public)
        seen = self._seen.get(candidate.name)
        if seen is None:
            seen = self._seen[candidate.name] = _Seen(self.context.candidates_of(candidate.name))
        return {public for public in seen.down_to(mine) if public > mine}


class _Seen:
    """A package's installable final releases, newest first, read as far as asked and kept: a
    package with thousands of releases is read once, not once per release scored."""

    def __init__(self, candidates: Iterator[Candidate]) -> None:
        self._candidates = candidates
        self._finals: list[Version] = []
        self._lowest: Version | None = None
        self._done = False

    def down_to(self, version: Version) -> list[Version]:
        """The final public versions read so far, reading on until one at or below `version`."""
        while not self._done and (self._lowest is None or self._lowest > version):
            other = next(self._candidates, None)
            if other is None:
                self._done = True
                break
            public = Version(other.version.public)
            self._lowest = public
            if not other.version.is_prerelease and (not self._finals or self._finals[-1] != public):
                self._finals.append(public)
        return self._finals
