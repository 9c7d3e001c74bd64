"""Errors of resolution: each says what failed, for which package, and what the user can do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thoth_cli.errors import ExternalError, NoAnswer

if TYPE_CHECKING:
    from thoth_cli.resolver.candidate import Candidate


class ResolutionImpossibleError(NoAnswer):
    """No set of versions satisfies the requirements on the target; the message says why."""

    def __init__(self, explanation: str, *, fix: str | None = None) -> None:
        self.explanation = explanation
        super().__init__(explanation, fix=fix)


class MetadataBuildRequiredError(NoAnswer):
    """The chosen version's dependencies can only be known by building its sdist."""

    def __init__(self, name: str, version: str, filename: str) -> None:
        self.name = name
        self.version = version
        self.filename = filename
        super().__init__(
            f"{name} {version} is published only as an sdist ({filename}) whose dependencies are "
            "dynamic: they can only be known by building it, and thoth does not silently fall back "
            "to an older version",
            fix=f"pass --allow-build to run its build backend's metadata hook in an isolated "
            f"environment, or require an older {name} that has wheels",
        )


class InvalidDependencyError(ExternalError):
    """A release declares a dependency that is not valid PEP 508."""

    def __init__(self, name: str, version: str, text: str) -> None:
        self.name = name
        self.version = version
        self.text = text
        super().__init__(
            f"{name} {version} declares an invalid dependency in its metadata: {text!r}",
            fix=f"exclude {name} {version} (e.g. '{name}!={version}') or ask its maintainers to fix it",
        )

    @classmethod
    def of(cls, candidate: Candidate, text: str) -> InvalidDependencyError:
        return cls(candidate.display_name, str(candidate.version), text)
