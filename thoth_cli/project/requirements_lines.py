"""Splitting a requirements file into logical lines, and a line into its requirement and options."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

from thoth_cli.errors import Location, ManifestError

# pip's rule: a comment starts at a `#` that opens the line or follows whitespace, so the
# `#sha256=...` and `#egg=...` fragments of URLs survive.
_COMMENT = re.compile(r"(^|\s+)#.*$")

# pip expands only `${NAME}` with POSIX names (upper case, digits, underscore), so a `$`
# elsewhere in a URL or a marker is never touched.
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")

# An option begins at a `-` that opens the line or follows whitespace; everything before
# it is the requirement, kept intact because markers must not go through shlex.
_OPTION_START = re.compile(r"(?:^|\s)(?=-)")

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^/@\s:]*)(?P<password>:[^/@\s]*)?@")

REFERENCE = "https://pip.pypa.io/en/stable/reference/requirements-file-format/"


def redact_credentials(text: str) -> str:
    """`text` with the password (or the lone token) of every URL in it replaced by ****."""

    def hide(match: re.Match[str]) -> str:
        if match.group("password") is not None:
            return f"{match.group('scheme')}{match.group('user')}:****@"
        return f"{match.group('scheme')}****@"

    return _USERINFO.sub(hide, text)


def quote(text: str) -> str:
    """The user's text as an error message quotes it: redacted, in quotes."""
    return repr(redact_credentials(text))


@dataclass(frozen=True)
class LogicalLine:
    """One line as pip sees it: continuations joined, comments and blanks gone.

    `number` is the first physical line (1-based) the logical line came from.
    """

    number: int
    text: str


def logical_lines(content: str) -> Iterator[LogicalLine]:
    """The logical lines of a requirements file, in order."""
    pending: list[str] = []
    first = 0
    for number, physical in enumerate(content.splitlines(), start=1):
        is_comment = _COMMENT.match(physical) is not None
        if physical.endswith("\\") and not is_comment:
            if not pending:
                first = number
            pending.append(physical.rstrip("\\"))
            continue
        # A comment line ends a continuation; the leading space keeps it a comment once
        # it is glued to the text before it.
        line = " " + physical if is_comment else physical
        if pending:
            yield from _cleaned(first, "".join([*pending, line]))
            pending = []
        else:
            yield from _cleaned(number, line)
    if pending:
        # A backslash on the last line continues into nothing, which pip accepts.
        yield from _cleaned(first, "".join(pending))


def _cleaned(number: int, text: str) -> Iterator[LogicalLine]:
    text = _COMMENT.sub("", text).strip()
    if text:
        yield LogicalLine(number, text)


def expand_variables(text: str, environ: Mapping[str, str], *, location: Location, line: str) -> str:
    """`text` (a part of `line`) with every `${NAME}` replaced by the variable's value.

    pip leaves an unset (or empty) variable in place, which then fails much later as an
    odd URL or requirement; naming the variable here is kinder. The message quotes the
    unexpanded `line`, so no other variable's secret value shows.
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = environ.get(name)
        if not found:
            raise ManifestError(
                f"environment variable {name} is not set",
                location=location,
                text=quote(line),
                fix=f"set {name} before running thoth, or write its value into the file",
            )
        return found

    return _VARIABLE.sub(value, text)


def expanded_if_set(text: str, environ: Mapping[str, str]) -> str | None:
    """`text` with its `${NAME}`s expanded, or None when one of them is unset or empty."""
    if any(not environ.get(name) for name in _VARIABLE.findall(text)):
        return None
    return _VARIABLE.sub(lambda match: environ[match.group(1)], text)


class OptionScope(str, Enum):
    """Whether an option sets something for the whole run or for the requirement on its line."""

    FILE = "file"
    REQUIREMENT = "requirement"


@dataclass(frozen=True)
class OptionSpec:
    """One option pip accepts in a requirements file; `names[0]` is how messages spell it."""

    names: tuple[str, ...]
    takes_value: bool
    scope: OptionScope = OptionScope.FILE

    @property
    def name(self) -> str:
        return self.names[0]


INDEX_URL = OptionSpec(("--index-url", "-i", "--pypi-url"), takes_value=True)
EXTRA_INDEX_URL = OptionSpec(("--extra-index-url",), takes_value=True)
NO_INDEX = OptionSpec(("--no-index",), takes_value=False)
CONSTRAINT = OptionSpec(("--constraint", "-c"), takes_value=True)
REQUIREMENT = OptionSpec(("--requirement", "-r"), takes_value=True)
EDITABLE = OptionSpec(("--editable", "-e"), takes_value=True)
FIND_LINKS = OptionSpec(("--find-links", "-f"), takes_value=True)
NO_BINARY = OptionSpec(("--no-binary",), takes_value=True)
ONLY_BINARY = OptionSpec(("--only-binary",), takes_value=True)
PREFER_BINARY = OptionSpec(("--prefer-binary",), takes_value=False)
REQUIRE_HASHES = OptionSpec(("--require-hashes",), takes_value=False)
NO_REQUIRE_HASHES = OptionSpec(("--no-require-hashes",), takes_value=False)
PRE = OptionSpec(("--pre",), takes_value=False)
ALL_RELEASES = OptionSpec(("--all-releases",), takes_value=True)
ONLY_FINAL = OptionSpec(("--only-final",), takes_value=True)
TRUSTED_HOST = OptionSpec(("--trusted-host",), takes_value=True)
USE_FEATURE = OptionSpec(("--use-feature",), takes_value=True)
HASH = OptionSpec(("--hash",), takes_value=True, scope=OptionScope.REQUIREMENT)
CONFIG_SETTINGS = OptionSpec(("--config-settings", "-C"), takes_value=True, scope=OptionScope.REQUIREMENT)
GLOBAL_OPTION = OptionSpec(("--global-option",), takes_value=True, scope=OptionScope.REQUIREMENT)
"""Gone from recent pip, still common in older files; accepted so they stay readable."""

OPTIONS: tuple[OptionSpec, ...] = (
    INDEX_URL,
    EXTRA_INDEX_URL,
    NO_INDEX,
    CONSTRAINT,
    REQUIREMENT,
    EDITABLE,
    FIND_LINKS,
    NO_BINARY,
    ONLY_BINARY,
    PREFER_BINARY,
    REQUIRE_HASHES,
    NO_REQUIRE_HASHES,
    PRE,
    ALL_RELEASES,
    ONLY_FINAL,
    TRUSTED_HOST,
    USE_FEATURE,
    HASH,
    CONFIG_SETTINGS,
    GLOBAL_OPTION,
)


@dataclass(frozen=True)
class LineOption:
    """An option as written on a line: which one, how it was spelt, and its value."""

    spec: OptionSpec
    spelling: str
    value: str | None = None


@dataclass(frozen=True)
class ParsedLine:
    """A logical line cut into the requirement it states (if any) and its options, in order."""

    requirement: str | None
    options: tuple[LineOption, ...] = ()

    def of(self, spec: OptionSpec) -> tuple[LineOption, ...]:
        return tuple(option for option in self.options if option.spec == spec)


def parse_line(text: str, *, location: Location) -> ParsedLine:
    """Split a logical line into requirement and options.

    The line is split before `${VAR}` expansion, so a variable stands for (part of) one
    value and the messages here never show a variable's (maybe secret) value.
    """
    shown = quote(text)
    match = _OPTION_START.search(text)
    if match is None:
        return ParsedLine(text.strip())
    requirement = text[: match.start()].strip() or None
    try:
        tokens = shlex.split(text[match.start() :])
    except ValueError:
        raise ManifestError(
            "cannot split the options (a quote is not closed)",
            location=location,
            text=shown,
            fix="close the quote, or remove it",
        ) from None
    return ParsedLine(requirement, tuple(_options(tokens, location=location, shown=shown)))


def _options(tokens: list[str], *, location: Location, shown: str) -> Iterator[LineOption]:
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        if token.startswith("--") and len(token) > 2:
            spelling, equals, attached = token.partition("=")
            spec = _lookup_long(spelling, location=location, shown=shown)
            value: str | None = attached if equals else None
            if not spec.takes_value and equals:
                raise ManifestError(
                    f"option {spec.name} takes no value",
                    location=location,
                    text=shown,
                    fix=f"write {spec.name} alone",
                )
        elif token.startswith("-") and len(token) > 1 and not token.startswith("--"):
            spelling = token[:2]
            spec = _lookup_short(spelling, location=location, shown=shown)
            # optparse reads `-rbase.txt` as `-r base.txt`.
            value = token[2:] or None
        else:
            raise ManifestError(
                f"unexpected text {quote(token)} after the options",
                location=location,
                text=shown,
                fix="put each requirement on a line of its own, before its options, "
                "and quote an option's value that holds spaces",
            )
        if spec.takes_value and value is None:
            if position >= len(tokens):
                raise ManifestError(
                    f"option {spelling} needs a value",
                    location=location,
                    text=shown,
                    fix=f"write the value after {spelling}, e.g. {spelling} VALUE",
                )
            value = tokens[position]
            position += 1
        yield LineOption(spec, spelling, value)


def _unknown(spelling: str, *, location: Location, shown: str) -> ManifestError:
    return ManifestError(
        f"unknown option {spelling}",
        location=location,
        text=shown,
        fix=f"remove it or correct its spelling; the options a requirements file may hold: {REFERENCE}",
    )


def _lookup_short(spelling: str, *, location: Location, shown: str) -> OptionSpec:
    for spec in OPTIONS:
        if spelling in spec.names:
            return spec
    raise _unknown(spelling, location=location, shown=shown)


def _lookup_long(spelling: str, *, location: Location, shown: str) -> OptionSpec:
    """The option a long name means; like pip (optparse), an unambiguous prefix is enough."""
    matches: dict[str, OptionSpec] = {}
    for spec in OPTIONS:
        for name in spec.names:
            if name == spelling:
                return spec
            if name.startswith("--") and name.startswith(spelling):
                matches[name] = spec
    if len(set(matches.values())) == 1:
        return next(iter(matches.values()))
    if matches:
        raise ManifestError(
            f"ambiguous option {spelling} (could be {', '.join(sorted(matches))})",
            location=location,
            text=shown,
            fix="write the option's full name",
        )
    raise _unknown(spelling, location=location, shown=shown)
