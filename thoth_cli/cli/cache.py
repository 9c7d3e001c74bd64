"""`thoth cache info|clean`: show and empty the on-disk cache of index data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from thoth_cli.cli.console import Consoles
from thoth_cli.index.cache import Cache, CacheInfo

F = TypeVar("F", bound=Callable[..., Any])

_SECONDS_PER_DAY = 86400.0


def _cache_dir_option(command: F) -> F:
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="The cache folder (default: THOTH_CACHE_DIR, else the user cache folder).",
    )(command)


def cache_info_as_dict(info: CacheInfo) -> dict[str, Any]:
    """A JSON-ready view of the cache (schema `thoth.cache-info/1`)."""
    return {
        "schema": "thoth.cache-info/1",
        "root": str(info.root),
        "kinds": {kind.kind: {"entries": kind.entries, "bytes": kind.bytes} for kind in info.kinds},
        "entries": info.total_entries,
        "bytes": info.total_bytes,
    }


def human_size(size: int) -> str:
    """Bytes as a short human figure (1024-based, as disk tools show them)."""
    value = float(size)
    unit = "B"
    for larger in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value /= 1024
        unit = larger
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


@click.group()
def cache() -> None:
    """Show or empty the cache of index pages, files and metadata."""


@cache.command()
@_cache_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def info(consoles: Consoles, cache_dir: Path | None, fmt: str) -> None:
    """Show where the cache is, how many entries of each kind it holds and their size."""
    details = Cache(cache_dir or Cache.default_root()).info()
    if fmt == "json":
        consoles.out.print_json(json.dumps(cache_info_as_dict(details)))
        return
    table = Table(title=f"cache: {details.root}", title_justify="left")
    table.add_column("kind")
    table.add_column("entries", justify="right")
    table.add_column("size", justify="right")
    for kind in details.kinds:
        table.add_row(kind.kind, str(kind.entries), human_size(kind.bytes))
    table.add_row("total", str(details.total_entries), human_size(details.total_bytes))
    consoles.out.print(table)


@cache.command()
@_cache_dir_option
@click.option(
    "--older-than",
    "older_than",
    type=click.FloatRange(min=0),
    default=None,
    metavar="DAYS",
    help="Remove only entries stored more than DAYS days ago (default: remove everything).",
)
@click.pass_obj
def clean(consoles: Consoles, cache_dir: Path | None, older_than: float | None) -> None:
    """Remove cached entries; thoth fetches again whatever it needs."""
    store = Cache(cache_dir or Cache.default_root())
    seconds = None if older_than is None else older_than * _SECONDS_PER_DAY
    removed = store.clean(older_than=seconds)
    consoles.out.print(f"removed {human_size(removed)} from {store.root}")
