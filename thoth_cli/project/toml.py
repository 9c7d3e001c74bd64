"""Reading TOML manifests with errors that point at the line, and finding a key's line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from thoth_cli.errors import Location, ManifestError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=""")


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


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        return key[1:-1]
    return key


def _split_dotted(key: str) -> list[str]:
    return [_unquote(part) for part in re.findall(r"""("[^"]*"|'[^']*'|[^.]+)""", key)]


def key_line(text: str, path: tuple[str, ...]) -> int | None:
    """Best-effort line number (1-based) where the key `path` is defined in TOML `text`.

    Finds the deepest prefix of `path` that appears as a table header or a key, so a key
    inside an inline table reports the line of its enclosing key.
    """
    if not path:
        return None
    target = list(path)
    best: tuple[int, int] | None = None  # (depth matched, line)
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
        header = _HEADER.match(stripped)
        if header:
            table = _split_dotted(header.group(1))
            candidate = table
        else:
            key = _KEY.match(stripped)
            if not key:
                continue
            candidate = table + _split_dotted(key.group(1))
        depth = len(candidate)
        if depth and candidate == target[:depth] and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None


def location_of(path: Path, text: str, key: tuple[str, ...]) -> Location:
    """A Location naming the dotted key and, when it can be found, its line."""
    return Location(path, line=key_line(text, key), key=".".join(key))
