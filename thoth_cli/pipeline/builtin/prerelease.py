"""The `prerelease` step: pre-releases only where the project allows them or nothing else installs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.units import Configuration, NotAcceptable, Scored, Step
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.resolver.policy import PrereleaseMode
from thoth_cli.stack import JustificationType

_EXPLICIT = (PrereleaseMode.EXPLICIT, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT)
_IF_NECESSARY = (PrereleaseMode.IF_NECESSARY, PrereleaseMode.IF_NECESSARY_OR_EXPLICIT)


class PrereleaseStep(Step):
    """Cuts pre-releases, following the run's `--prerelease` mode (uv's names and meanings).

    A pre-release is accepted when the mode is `allow`; when the project allows pre-releases
    of the package (Pipfile `allow_prereleases`, Poetry `allow-prereleases`); in the
    `explicit` modes, when one of the project's own requirements on the package names a
    pre-release (`foo>=2.0b1`); and in the `if-necessary` modes, when the package has only
    pre-releases, or none of its final releases that the project admits installs on the
    target (TensorFlow on a Python newer than its last final release).

    Configuration: none; the mode is the run's.
    """

    name = "prerelease"
    description = "Cuts pre-releases unless the project allows them or the package has nothing else."
    link = (
        "https://packaging.python.org/en/latest/specifications/version-specifiers/#handling-of-pre-releases"
    )
    reorders: ClassVar[bool] = False
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {}

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._allowed: dict[NormalizedName, str | None] = {}

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        yield {}

    def run(self, candidate: Candidate) -> Scored | None:
        if not candidate.version.is_prerelease:
            return None
        because = self._allowed_because(candidate.name)
        if because is None:
            mode = self.context.builder.policy.prerelease
            if mode in _EXPLICIT:
                fix = (
                    f"require a pre-release explicitly (e.g. {candidate.display_name}>={candidate.version}) "
                    "or pass --prerelease allow"
                )
            else:
                fix = (
                    "pass --prerelease allow, or --prerelease if-necessary-or-explicit to accept the "
                    "pre-releases your requirements name"
                )
            raise NotAcceptable(
                f"{candidate.version} is a pre-release (--prerelease {mode.value})", link=self.link, fix=fix
            )
        message = f"a pre-release, accepted because {because}"
        return Scored(0.0, (self.justification(JustificationType.INFO, message, candidate=candidate),))

    def _allowed_because(self, name: NormalizedName) -> str | None:
        if name not in self._allowed:
            self._allowed[name] = self._decide(name)
        return self._allowed[name]

    def _decide(self, name: NormalizedName) -> str | None:
        builder = self.context.builder
        mode = builder.policy.prerelease
        if mode is PrereleaseMode.ALLOW:
            return "--prerelease allow"
        own = [req for req in builder.project.requirements if req.name == name]
        if name in builder.policy.prerelease_packages or any(req.allow_prereleases for req in own):
            return "the project allows pre-releases of it"
        if mode is PrereleaseMode.DISALLOW:
            return None
        if mode in _EXPLICIT:
            for req in own:
                if any(_names_prerelease(spec.version) for spec in req.specifier):
                    return f"the project's requirement {req.display_name}{req.specifier} names one"
        if mode in _IF_NECESSARY:
            versions = self.context.versions_of(name)
            if versions and all(v.is_prerelease for v in versions):
                return "the package has only pre-releases"
            # Final releases the project's requirements admit, none of which installs here:
            # (when none is admitted at all, the requirement excludes them - not a necessity).
            admitted = [
                v
                for v in versions
                if not v.is_prerelease and all(req.specifier.contains(v, prereleases=True) for req in own)
            ]
            if admitted and not any(not c.version.is_prerelease for c in self.context.candidates_of(name)):
                return "none of its final releases that the project allows installs on the target"
        return None


def _names_prerelease(text: str) -> bool:
    try:
        return Version(text.removesuffix(".*")).is_prerelease
    except InvalidVersion:
        return False
