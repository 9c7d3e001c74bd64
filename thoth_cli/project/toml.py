"""Reading TOML manifests with errors that point at the line, and finding the line of a key or value."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thoth_cli.errors import Location, ManifestError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KeyPath = tuple[str | int, ...]
"""A key in a TOML document: table and key names, and an int for an element of an array of tables
(`("source", 1, "url")` is `url` in the second `[[source]]`)."""

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")


def read_text(path: Path) -> str:
    """The file's text, or a ManifestError that says why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError("file not found", location=Location(path)) from None
    except IsADirectoryError:
        raise ManifestError("is a folder, not a file", location=Location(path)) from None
    except OSError as exc:
        raise ManifestError(f"cannot read the file ({exc.strerror})", location=Location(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ManifestError(
            "not valid UTF-8 text", location=Location(path, line=line), fix="save the file as UTF-8"
        ) from None


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a syntax error names the line and column and quotes the line."""
    text = read_text(path)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        problem = _POSITION.sub("", message).strip().rstrip(".")
        line: int | None = None
        snippet: str | None = None
        if match:
            line = int(match.group(1))
            problem += f" (column {match.group(2)})"
            lines = text.splitlines()
            if 0 < line <= len(lines):
                snippet = lines[line - 1].strip() or None
        raise ManifestError(
            f"invalid TOML: {problem[0].lower() + problem[1:] if problem else 'syntax error'}",
            location=Location(path, line=line),
            text=snippet,
            fix="correct the TOML syntax on that line",
        ) from None


def key_label(key: Sequence[str | int]) -> str:
    """A key path as messages name it: `tool.poetry.dependencies`, `source[1].url`."""
    label = ""
    for part in key:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += f".{part}" if label else part
    return label


def _names(dotted: str) -> tuple[str, ...]:
    """The names in a dotted key as TOML reads them, quotes and escapes included."""
    names = []
    for match in re.finditer(_PART, dotted):
        part = match.group(0)
        if part.startswith('"'):
            # Let the TOML parser undo the escapes of a basic string.
            try:
                part = tomllib.loads(f"name = {part}")["name"]
            except tomllib.TOMLDecodeError:
                part = part[1:-1]  # a bad escape: the file does not parse anyway
        elif part.startswith("'"):
            part = part[1:-1]
        names.append(part)
    return tuple(names)


class _Values:
    """Follows the values of key lines across lines, so text inside them is never read as keys."""

    def __init__(self) -> None:
        self.depth = 0
        self.closing: str | None = None
        """The delimiter of the multi-line string the scan is in, if any."""

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.closing is not None

    def feed(self, text: str) -> None:
        position = 0
        while position < len(text):
            if self.closing is not None:
                position = self._close(text, position)
                continue
            char = text[position]
            if char == "#":
                return
            if text.startswith(('"""', "'''"), position):
                self.closing = text[position : position + 3]
                position += 3
            elif char in "\"'":
                position = _string_end(text, position)
            elif char in "[{":
                self.depth += 1
                position += 1
            elif char in "]}":
                self.depth = max(self.depth - 1, 0)
                position += 1
            else:
                position += 1

    def _close(self, text: str, position: int) -> int:
        assert self.closing is not None
        while position < len(text):
            if self.closing == '"""' and text[position] == "\\":
                position += 2
            elif text.startswith(self.closing, position):
                position += 3
                # Up to two quotes right before the delimiter belong to the string.
                while position < len(text) and text[position] == self.closing[0]:
                    position += 1
                self.closing = None
                return position
            else:
                position += 1
        return position


def _string_end(text: str, start: int) -> int:
    """The position after the one-line string that opens at `start` (the line's end if unclosed)."""
    quote = text[start]
    position = start + 1
    while position < len(text):
        if quote == '"' and text[position] == "\\":
            position += 2
        elif text[position] == quote:
            return position + 1
        else:
            position += 1
    return position


@functools.lru_cache(maxsize=16)
def _definitions(text: str) -> tuple[tuple[KeyPath, int], ...]:
    """Each table header and key line of `text`: the key path it writes, and its line (1-based)."""
    found: list[tuple[KeyPath, int]] = []
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    values = _Values()
    for number, line in enumerate(text.splitlines(), start=1):
        if values.open:
            values.feed(line)
            continue
        if header := _HEADER.match(line):
            names = _names(header.group(2))
            resolved: list[str | int] = []
            for position, name in enumerate(names):
                resolved.append(name)
                # A table below an array of tables belongs to its latest element.
                if position < len(names) - 1 and tuple(resolved) in arrays:
                    resolved.append(arrays[tuple(resolved)] - 1)
            table = tuple(resolved)
            if header.group(1) == "[[":
                index = arrays.get(table, 0)
                arrays[table] = index + 1
                table = (*table, index)
            found.append((table, number))
        elif key := _KEY.match(line):
            found.append(((*table, *_names(key.group(1))), number))
            values.feed(line[key.end() :])
    return tuple(found)


def _match(written: KeyPath, wanted: KeyPath) -> tuple[int, bool] | None:
    """How much of `wanted` a line that writes `written` locates: (parts matched, whether the line
    names them itself rather than a key or table inside them), or None when it locates none.

    An index `wanted` does not name matches any element: `("source", "url")` finds the first
    `url` of any `[[source]]`.
    """
    i = j = 0
    while i < len(written) and j < len(wanted):
        have, want = written[i], wanted[j]
        if have == want:
            i, j = i + 1, j + 1
        elif isinstance(have, int) and not isinstance(want, int):
            i += 1
        else:
            # `[tool.poetry]` also defines `tool`: it locates `tool` when `tool.x` is not written.
            return (j, False) if j else None
    if j < len(wanted):
        return j, True  # a table or key that holds `wanted`
    return j, all(isinstance(part, int) for part in written[i:])


def key_line(text: str, path: Sequence[str | int]) -> int | None:
    """Best-effort line number (1-based) where the key `path` is defined in TOML `text`.

    `path` may hold ints to pick an element of an array of tables. The key's own line wins; a
    table defined only by the keys or tables inside it (`Django.version = "..."` for
    `("packages", "Django")`, `[tool.poetry.group.dev.dependencies]` for the group `dev`) is
    found at the first of them; failing both, the deepest table or key that holds it, so a key
    inside an inline table reports the line of its enclosing key. Text inside multi-line strings
    and arrays is never taken for a key.
    """
    wanted = tuple(path)
    if not wanted:
        return None
    best: tuple[tuple[int, bool], int] | None = None
    for written, number in _definitions(text):
        score = _match(written, wanted)
        if score is not None and (best is None or score > best[0]):
            best = (score, number)
    return best[1] if best else None


def location_of(path: Path, text: str, key: Sequence[str | int]) -> Location:
    """A Location naming the key and, when it can be found, its line."""
    return Location(path, line=key_line(text, key), key=key_label(key))


def element_location(path: Path, text: str, key: Sequence[str | int], value: str) -> Location:
    """The location of string `value` inside the array at `key`: its own line when it can be found."""
    start = key_line(text, key)
    line = start
    if start is not None:
        quoted = (json.dumps(value, ensure_ascii=False), f"'{value}'")
        for number, content in enumerate(text.splitlines()[start - 1 :], start=start):
            if any(q in content for q in quoted):
                line = number
                break
    return Location(path, line=line, key=key_label(key))
