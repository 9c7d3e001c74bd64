"""Errors of resolution: each says what failed, for which package, and what the user can do."""

from __future__ import annotations

from thoth_cli.errors import NoAnswer


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
            f"{name} {version} has no wheel and its sdist ({filename}) declares its dependencies "
            "dynamic: they can only be known by building it, and thoth does not silently fall back "
            "to an older version",
            fix=f"pass --allow-build to run its build backend's metadata hook in an isolated "
            f"environment, or require an older {name} that has wheels",
        )


class DirectDependencyError(NoAnswer):
    """A release depends on a direct reference (a URL), which an index lock cannot follow."""

    def __init__(self, name: str, version: str, text: str) -> None:
        self.name = name
        self.version = version
        self.text = text
        super().__init__(
            f"{name} {version} depends on a direct reference, {text!r}: thoth locks packages from "
            "indexes and will not replace it silently with a release of the same name",
            fix=f"require another version of {name}, or publish that dependency to an index",
        )
