"""Parsed TOML values in error messages, and the document readers locate them in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.toml import element_location, location_of


def toml_type(value: object) -> str:
    """The TOML type of a parsed value, with its article, for error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime, date, time)):
        return "a date or time"
    return type(value).__name__


def show_value(value: object) -> str:
    """A short, TOML-like rendering of a parsed value to quote in an error message."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


@dataclass(frozen=True)
class TomlDocument:
    """The TOML manifest being read, so errors can name the file, the key and its line."""

    path: Path
    text: str

    def at(self, *key: str | int) -> Location:
        """Where `key` is: its line when it can be found (see `key_line`)."""
        return location_of(self.path, self.text, key)

    def element(self, key: tuple[str | int, ...], value: str) -> Location:
        """Where the string `value` of the array at `key` is: its own line when it can be found."""
        return element_location(self.path, self.text, key, value)

    def wrong_type(self, key: tuple[str | int, ...], value: object, expected: str, fix: str) -> ManifestError:
        """The error for the value at `key` being of the wrong TOML type."""
        return ManifestError(
            f"must be {expected}, not {toml_type(value)}",
            location=self.at(*key),
            text=show_value(value),
            fix=fix,
        )

    def optional_string(
        self, table: Mapping[str, object], key: tuple[str, ...], name: str, example: str
    ) -> str | None:
        """`table[name]` (the table at `key`) when it is a string, None when absent; else wrong_type."""
        value = table.get(name)
        if value is None or isinstance(value, str):
            return value
        raise self.wrong_type((*key, name), value, "a string", f"write {name} = {example}")
