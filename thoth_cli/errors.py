"""The project's exit codes and its one error hierarchy, whose members keep their inputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import ClassVar


class ExitCode(IntEnum):
    """Exit codes every command shares; CI tells "outdated" (1) from "broken" (3, 4, 5)."""

    OK = 0
    NO = 1
    """The answer is no: no acceptable stack, a stale lock, stacks that differ."""
    USAGE = 2
    ENVIRONMENT = 3
    """The index, the network or the environment failed us."""
    INVALID_INPUT = 4
    """A manifest, lock, configuration or prescription cannot be read."""
    INTERNAL = 5
    """A bug in thoth or in a pipeline unit; the message names it."""
    INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where in a user's file a problem sits: the file, and the line or the key when known."""

    path: Path
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
        if self.key is not None:
            text += f" [{self.key}]"
        return text


class ThothError(Exception):
    """Root of every error thoth reports to a user; `exit_code` says how the run ends."""

    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message}\n  fix: {self.fix}"
        return self.message


class InputError(ThothError):
    """A file the user gave us cannot be read as it stands (exit 4)."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(
        self,
        problem: str,
        *,
        location: Location,
        text: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.location = location
        self.text = text
        message = f"{location}: {problem}"
        if text is not None:
            message += f": {text}"
        super().__init__(message, fix=fix)


class ManifestError(InputError):
    """A manifest (Pipfile, pyproject.toml, requirements file) is malformed or unsupported."""


class ManifestNotFoundError(ThothError):
    """No manifest where one was expected."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, directory: Path, *, fix: str | None = None) -> None:
        self.directory = directory
        super().__init__(
            f"no manifest found in {directory} (looked for Pipfile, pyproject.toml, "
            "requirements.in, requirements.txt)",
            fix=fix or "run thoth in your project's folder or pass --manifest PATH",
        )


class ConfigError(InputError):
    """A configuration file (`.thoth.yaml`) or a flag's value is invalid."""


class ExternalError(ThothError):
    """The index, the network, the cache or the machine failed us (exit 3)."""

    exit_code = ExitCode.ENVIRONMENT


class NoAnswer(ThothError):
    """The question has a definite answer, and it is no (exit 1)."""

    exit_code = ExitCode.NO


class UnitError(ThothError):
    """A pipeline unit misbehaved; the message names the unit (exit 5)."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, unit: str, message: str, *, package: str | None = None) -> None:
        self.unit = unit
        self.package = package
        where = f"unit {unit!r}" + (f" on package {package!r}" if package else "")
        super().__init__(f"{where}: {message}")


class UsageError(ThothError):
    """The command line asks for something that cannot be (exit 2)."""

    exit_code = ExitCode.USAGE
