"""The wheel tags a target accepts, best first, and the rank of each for scoring wheels."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from packaging.tags import Tag, compatible_tags, cpython_tags, generic_tags

if TYPE_CHECKING:
    from thoth_cli.target.model import Target

PYPY_ABI = "pp73"
"""The ABI of every PyPy 3 release since 7.3.0 (its extension suffix reads `.pypy310-pp73-...`)."""


class TagPriority(Mapping[Tag, int]):
    """Tag -> rank in a best-first tag list (0 is best); a tag missing from it does not fit.

    Scoring a wheel looks up each of its tags here, so this is a dict built once per target.
    A tag listed twice keeps its first, better rank.
    """

    __slots__ = ("_ranks",)

    def __init__(self, tags: Iterable[Tag]) -> None:
        ranks: dict[Tag, int] = {}
        for rank, tag in enumerate(tags):
            ranks.setdefault(tag, rank)
        self._ranks = ranks

    def __getitem__(self, tag: Tag) -> int:
        return self._ranks[tag]

    def __iter__(self) -> Iterator[Tag]:
        return iter(self._ranks)

    def __len__(self) -> int:
        return len(self._ranks)

    def best(self, wheel_tags: Iterable[Tag]) -> int | None:
        """The rank of the best of a wheel's tags, or None when none of them fits."""
        return min((self._ranks[tag] for tag in wheel_tags if tag in self._ranks), default=None)


def cpython_abi(python: tuple[int, int], free_threaded: bool) -> str:
    """The ABI tag of a release build of CPython X.Y (`cp312`, `cp313t`, `cp37m`)."""
    nodot = f"{python[0]}{python[1]}"
    if free_threaded:
        return f"cp{nodot}t"
    # Until 3.8 the default (pymalloc) build marked its ABI with "m".
    if python < (3, 8):
        return f"cp{nodot}m"
    return f"cp{nodot}"


@functools.cache
def supported_tags(target: Target) -> tuple[Tag, ...]:
    """Every wheel tag the target accepts, best first, ordered as `packaging.tags.sys_tags()` is."""
    python = target.python_version[:2]
    nodot = f"{python[0]}{python[1]}"
    platforms = list(target.platform.tags())
    if target.implementation == "pypy":
        # sys_tags() on PyPy: generic tags for pp<ver> with the pypy<ver>_pp73 ABI, then the
        # pure tags with pp3-none-any as the interpreter's own.
        tags = [
            *generic_tags(f"pp{nodot}", [f"pypy{nodot}_{PYPY_ABI}"], platforms),
            *compatible_tags(python, "pp3", platforms),
        ]
    else:
        # cpython_tags adds abi3 (or, free-threaded, abi3t where packaging knows it) and none.
        abi = cpython_abi(python, target.free_threaded)
        tags = [*cpython_tags(python, [abi], platforms), *compatible_tags(python, f"cp{nodot}", platforms)]
    return tuple(tags)


@functools.cache
def tag_priority(target: Target) -> TagPriority:
    """The target's tags as ranks, built once per target."""
    return TagPriority(supported_tags(target))
