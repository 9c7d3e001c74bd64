"""`LibraryUsage`: the fully qualified symbols a project's code uses, and how units ask about them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryUsage:
    """Symbols such as `tensorflow.keras.layers.LSTM`, gathered over a project's sources.

    `modules` are the top-level names imported (`tensorflow`); `symbols` the fully
    qualified names used, aliases resolved.
    """

    modules: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()

    def uses(self, pattern: str) -> bool:
        """Whether a symbol matches: `a.b.C` exactly (or anything under it), or `a.b.*` any
        symbol under `a.b`."""
        if pattern.endswith(".*"):
            prefix = pattern[:-1]
            return any(symbol.startswith(prefix) for symbol in self.symbols)
        return any(symbol == pattern or symbol.startswith(pattern + ".") for symbol in self.symbols)

    def uses_all(self, patterns: Iterable[str]) -> bool:
        return all(self.uses(pattern) for pattern in patterns)

    def uses_any(self, patterns: Iterable[str]) -> bool:
        return any(self.uses(pattern) for pattern in patterns)
