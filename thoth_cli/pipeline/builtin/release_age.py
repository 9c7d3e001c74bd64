"""The `release-age` step: scores releases younger than a number of days, down for stable, up for testing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import ClassVar

from thoth_cli.pipeline.builtin import checks
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.units import Configuration, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import JustificationType

MODES = ("penalise", "welcome")


class ReleaseAgeStep(Step):
    """Judges a release by its age: from the run's `now` (the `--exclude-newer` cut-off when
    given) back to the newest upload time among the candidate's files.

    A young release has had little time for its bugs to be reported: `stable` penalises it,
    `testing` welcomes it. A release whose files have no upload time gets no opinion.

    Configuration:
      days (int, 7): a release younger than this many days is young.
      mode (str, "penalise"): "penalise" scores a young release `penalty` with a WARNING;
        "welcome" scores it `bonus` with an INFO.
      penalty (float, -1.0): the score of a young release when penalising, from -1 to 0; at -1
        an older release always outranks it, however many newer releases it lacks.
      bonus (float, 0.3): the score of a young release when welcoming, from 0 to 1.
    """

    name = "release-age"
    description = "Penalises releases younger than a number of days for stable; welcomes them for testing."
    link = "https://docs.renovatebot.com/configuration-options/#minimumreleaseage"
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "days": 7,
        "mode": "penalise",
        "penalty": -1.0,
        "bonus": 0.3,
    }

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._days = checks.whole(self, "days", 1)
        self._mode = checks.choice(self, "mode", MODES)
        self._penalty = checks.number(self, "penalty", -1.0, 0.0)
        self._bonus = checks.number(self, "bonus", 0.0, 1.0)

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        if context.recommendation_type is RecommendationType.STABLE:
            yield {"mode": "penalise"}
        elif context.recommendation_type is RecommendationType.TESTING:
            yield {"mode": "welcome"}

    def highest_score(self) -> float:
        return self._bonus if self._mode == "welcome" else 0.0

    def run(self, candidate: Candidate) -> Scored | None:
        uploads = [_utc(file.upload_time) for file in candidate.files if file.upload_time is not None]
        if not uploads:
            return None
        age = _utc(self.context.now) - max(uploads)
        if age >= timedelta(days=self._days):
            return None
        # A file uploaded after `now` is no older than one uploaded at `now`.
        released = _released(max(age.days, 0))
        young = f"released {released} (younger than {_days(self._days)})"
        if self._mode == "penalise":
            warning = self.justification(JustificationType.WARNING, young, candidate=candidate)
            return Scored(self._penalty, (warning,))
        welcome = f"{young}: fresh releases are welcome when testing"
        return Scored(
            self._bonus, (self.justification(JustificationType.INFO, welcome, candidate=candidate),)
        )


def _utc(moment: datetime) -> datetime:
    # Index times carry a zone; a naive time from elsewhere is read as UTC rather than refused.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _released(days: int) -> str:
    return "today" if days == 0 else f"{_days(days)} ago"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
