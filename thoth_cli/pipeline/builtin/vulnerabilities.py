"""The `vulnerabilities` step: penalises a release with known advisories, or rejects it for security."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from thoth_cli.pipeline.builtin import advisory_text, checks
from thoth_cli.pipeline.context import BuilderContext, RecommendationType
from thoth_cli.pipeline.units import Configuration, NotAcceptable, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import JustificationType

ACTIONS = ("penalise", "remove")

PENALISED_FOR = frozenset({RecommendationType.STABLE, RecommendationType.PERFORMANCE})
"""`security` removes instead; `latest` and `testing` only list advisories (the
`vulnerability-report` wrap), without changing choices."""


class VulnerabilitiesStep(Step):
    """Judges a release by the known advisories the run's advisory source lists for it.

    Configuration:
      action (str, "penalise"): "penalise" scores the release `penalty` per advisory (clamped
        to -1) with a WARNING per advisory naming its ids, summary, fixed versions and page;
        "remove" rejects the release, naming the advisories and their fixed versions.
      penalty (float, -0.5): the score per advisory when penalising, from -1 to 0.
      when_empty (str, "warn"): when removing would leave a package with no release, "warn"
        keeps them (the run keeps them and warns), "fail" stops the run.
    """

    name = "vulnerabilities"
    description = "Penalises releases with known vulnerabilities, or removes them for the security type."
    link = "https://osv.dev/"
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "action": "penalise",
        "penalty": -0.5,
        "when_empty": "warn",
    }

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._action = checks.choice(self, "action", ACTIONS)
        self._penalty = checks.number(self, "penalty", -1.0, 0.0)

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        if context.recommendation_type in PENALISED_FOR:
            yield {"action": "penalise"}
        elif context.recommendation_type is RecommendationType.SECURITY:
            yield {"action": "remove"}

    def highest_score(self) -> float:
        return 0.0

    def run(self, candidate: Candidate) -> Scored | None:
        advisories = self.context.advisories.advisories_for(candidate.name, candidate.version)
        if not advisories:
            return None
        if self._action == "remove":
            known = "; ".join(
                f"{advisory_text.names(advisory)}, {advisory_text.fixed_in(advisory)}"
                for advisory in advisories
            )
            raise NotAcceptable(f"known vulnerable: {known}", link=advisories[0].url)
        warnings = tuple(
            self.justification(
                JustificationType.WARNING,
                advisory_text.vulnerability(advisory),
                candidate=candidate,
                link=advisory.url,
            )
            for advisory in advisories
        )
        return Scored(max(-1.0, self._penalty * len(advisories)), warnings)
