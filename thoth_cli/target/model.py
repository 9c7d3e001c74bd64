"""The target a resolution is made for: its platform, its interpreter, and the error for bad descriptions."""

from __future__ import annotations

import platform as _host
import re
import sys
import sysconfig
from dataclasses import dataclass
from typing import Literal

from packaging.markers import Marker
from packaging.tags import Tag

from thoth_cli.errors import ExitCode, ThothError

PYTHON_VERSION_FLAG = "--python-version"
PLATFORM_FLAG = "--platform"

OLDEST_PYTHON = (3, 7)
"""The oldest Python thoth resolves for: older ones need ABI flags (`cp36m`, `cp27mu`) we do not model."""

FREE_THREADED_SINCE = (3, 13)
"""The first CPython with a free-threaded build (PEP 703)."""

_PYTHON_VERSION = re.compile(
    r"(?P<implementation>cpython|pypy)?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<micro>\d+))?(?P<threaded>t)?"
)

PYTHON_VERSION_FORMS = (
    "use X.Y (the minimum patch version X.Y.0 is assumed), X.Y.Z, "
    "X.Yt for free-threaded CPython (3.13t or newer), or pypyX.Y for PyPy"
)


class TargetError(ThothError):
    """A target description (a Python version or a platform) thoth cannot use (exit 2).

    Keeps what it was given: the `problem`, the offending `text` and, when the text came
    from the command line, the `flag` it was passed to.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, problem: str, *, text: str, flag: str | None = None, fix: str | None = None) -> None:
        self.problem = problem
        self.text = text
        self.flag = flag
        prefix = f"{flag}: " if flag else ""
        super().__init__(f"{prefix}{problem}: {text!r}", fix=fix)

    def for_flag(self, flag: str) -> TargetError:
        """The same error, naming the command-line flag the text was passed to."""
        return TargetError(self.problem, text=self.text, flag=flag, fix=self.fix)


@dataclass(frozen=True)
class Platform:
    """The machine a target runs on, as wheel platform tags see it.

    `arch` is spelt as the platform's wheel tags spell it: Linux `x86_64`, `aarch64`,
    `i686`...; macOS `arm64` or `x86_64`; Windows `amd64`, `x86` (tag `win32`) or `arm64`.
    On Linux, `libc` names the C library wheels may link against (`None`: only
    `linux_<arch>` wheels fit) and `libc_version` its version; `macos_version` is the
    oldest macOS the target must run on.
    """

    os: Literal["linux", "macos", "windows"]
    arch: str
    libc: Literal["glibc", "musl"] | None = None
    libc_version: tuple[int, int] | None = None
    macos_version: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        # A programming error, not user input: Platform.parse only builds consistent values.
        if (self.os == "macos") != (self.macos_version is not None):
            raise ValueError(f"macos_version goes with macOS and only macOS: {self!r}")
        if (self.libc is None) != (self.libc_version is None) or (self.libc and self.os != "linux"):
            raise ValueError(f"libc and libc_version go together, on Linux only: {self!r}")

    @classmethod
    def parse(cls, text: str) -> Platform:
        """A platform from a wheel platform tag or a sysconfig platform (`linux-x86_64`)."""
        from thoth_cli.target.platforms import parse_platform

        return parse_platform(text)

    @classmethod
    def current(cls) -> Platform:
        """The running host, as packaging's own probes see it."""
        from thoth_cli.target.platforms import host_platform

        return host_platform()

    def tags(self) -> tuple[str, ...]:
        """The platform tags wheels for this machine may carry, best first."""
        from thoth_cli.target.platforms import platform_ladder

        return platform_ladder(self)

    def __str__(self) -> str:
        if self.os == "windows":
            return "win32" if self.arch == "x86" else f"win_{self.arch}"
        if self.os == "macos":
            assert self.macos_version is not None
            major, minor = self.macos_version
            return f"macosx_{major}_{minor}_{self.arch}"
        if self.libc_version is not None:
            family = "manylinux" if self.libc == "glibc" else "musllinux"
            major, minor = self.libc_version
            return f"{family}_{major}_{minor}_{self.arch}"
        return f"linux_{self.arch}"


@dataclass(frozen=True, kw_only=True)
class Target:
    """The environment a resolution is made for: an interpreter on a platform.

    `python_version_stated` is True when the user gave only X.Y and thoth assumed X.Y.0;
    `python_version_exact` when the user named an exact X.Y.Z (the running interpreter's
    version is not a request, so a lock made for it claims only its X.Y).
    `implementation_version` is the interpreter's own version when it is not the Python
    version (PyPy 7.3.x); None lets the marker environment derive it. `platform_release`
    and `platform_version` are known only for the running host and are empty otherwise,
    as a described machine has no kernel to ask.
    """

    python_version: tuple[int, int, int]
    platform: Platform
    implementation: Literal["cpython", "pypy"] = "cpython"
    free_threaded: bool = False
    python_version_stated: bool = False
    python_version_exact: bool = False
    implementation_version: tuple[int, int, int] | None = None
    platform_release: str = ""
    platform_version: str = ""

    @classmethod
    def current(cls) -> Target:
        """The running interpreter on the running host."""
        return cls._host_python(Platform.current(), host=True)

    @classmethod
    def from_options(cls, python_version: str | None, platform: str | None) -> Target:
        """A target from the command line's `--python-version` and `--platform` (None: the host's)."""
        if platform is None:
            chosen_platform = Platform.current()
        else:
            try:
                chosen_platform = Platform.parse(platform)
            except TargetError as exc:
                raise exc.for_flag(PLATFORM_FLAG) from None
        if python_version is None:
            return cls._host_python(chosen_platform, host=platform is None)
        target = _parse_python(python_version, chosen_platform)
        if platform is None:
            return _with_host_release(target)
        return target

    @classmethod
    def _host_python(cls, platform: Platform, *, host: bool) -> Target:
        implementation = sys.implementation.name
        if implementation not in ("cpython", "pypy"):
            raise TargetError(
                "thoth resolves for CPython and PyPy, not this interpreter",
                text=implementation,
                fix=f"pass {PYTHON_VERSION_FLAG} to name the Python to resolve for",
            )
        version = sys.implementation.version
        target = cls(
            python_version=(sys.version_info.major, sys.version_info.minor, sys.version_info.micro),
            platform=platform,
            implementation="pypy" if implementation == "pypy" else "cpython",
            free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            implementation_version=(
                (version.major, version.minor, version.micro) if implementation == "pypy" else None
            ),
        )
        return _with_host_release(target) if host else target

    @property
    def python_full_version(self) -> str:
        return ".".join(map(str, self.python_version))

    @property
    def python_version_str(self) -> str:
        return f"{self.python_version[0]}.{self.python_version[1]}"

    def tags(self) -> tuple[Tag, ...]:
        """Every wheel tag this target accepts, best first."""
        from thoth_cli.target.tags import supported_tags

        return supported_tags(self)

    def tag_rank(self, tag: Tag) -> int | None:
        """The tag's place in `tags()` (0 is best), or None when the target cannot use it."""
        from thoth_cli.target.tags import tag_priority

        return tag_priority(self).get(tag)

    def best_rank(self, wheel_tags: frozenset[Tag]) -> int | None:
        """The rank of a wheel's best tag here, or None when the wheel does not fit."""
        from thoth_cli.target.tags import tag_priority

        return tag_priority(self).best(wheel_tags)

    def marker_environment(self) -> dict[str, str]:
        """The PEP 508 marker environment of this target (without `extra`)."""
        from thoth_cli.target.markers import marker_environment

        return marker_environment(self)

    def evaluate(self, marker: Marker | None, extras: frozenset[str] = frozenset()) -> bool:
        """Whether the marker holds here; with extras, whether it holds for no extra or any of them."""
        from thoth_cli.target.markers import evaluate

        return evaluate(self, marker, extras)

    def describe(self) -> str:
        """One line for people, e.g. `CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64`."""
        name = "PyPy" if self.implementation == "pypy" else "CPython"
        text = f"{name} {self.python_full_version}"
        if self.free_threaded:
            text += " free-threaded"
        if self.python_version_stated:
            prefix = "pypy" if self.implementation == "pypy" else ""
            suffix = "t" if self.free_threaded else ""
            text += f" (from {prefix}{self.python_version_str}{suffix})"
        return f"{text} on {self.platform}"

    def as_dict(self) -> dict[str, object]:
        """The target as a lock file records it."""
        return {
            "python": self.python_full_version,
            "implementation": self.implementation,
            "free_threaded": self.free_threaded,
            "platform": str(self.platform),
            "tags": [str(tag) for tag in self.tags()],
        }


def _with_host_release(target: Target) -> Target:
    return Target(
        python_version=target.python_version,
        platform=target.platform,
        implementation=target.implementation,
        free_threaded=target.free_threaded,
        python_version_stated=target.python_version_stated,
        python_version_exact=target.python_version_exact,
        implementation_version=target.implementation_version,
        platform_release=_host.release(),
        platform_version=_host.version(),
    )


def _parse_python(text: str, platform: Platform) -> Target:
    match = _PYTHON_VERSION.fullmatch(text.strip().lower())
    if match is None:
        raise TargetError(
            "not a Python version", text=text, flag=PYTHON_VERSION_FLAG, fix=PYTHON_VERSION_FORMS
        )
    major, minor = int(match["major"]), int(match["minor"])
    micro = match["micro"]
    pypy = match["implementation"] == "pypy"
    threaded = match["threaded"] is not None
    if major != 3 or (major, minor) < OLDEST_PYTHON:
        raise TargetError(
            "thoth resolves for Python 3.7 or newer",
            text=text,
            flag=PYTHON_VERSION_FLAG,
            fix="name a newer Python, e.g. 3.12",
        )
    if threaded and pypy:
        raise TargetError(
            "PyPy has no free-threaded build",
            text=text,
            flag=PYTHON_VERSION_FLAG,
            fix="drop the trailing t, e.g. pypy3.10",
        )
    if threaded and (major, minor) < FREE_THREADED_SINCE:
        raise TargetError(
            "free-threaded CPython starts at 3.13",
            text=text,
            flag=PYTHON_VERSION_FLAG,
            fix="use 3.13t or newer, or drop the trailing t",
        )
    return Target(
        python_version=(major, minor, int(micro) if micro is not None else 0),
        platform=platform,
        implementation="pypy" if pypy else "cpython",
        free_threaded=threaded,
        python_version_stated=micro is None,
        python_version_exact=micro is not None,
    )
