"""Tests for `thoth cache info|clean`."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thoth_cli.cli.cache import cache, human_size
from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.index.cache import Cache


class Captured:
    """Consoles writing to buffers, as the CLI's root command would set them up."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.consoles = Consoles(out=make_console(self.out, False), err=make_console(self.err, False))


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[Result, Captured]:
    captured = Captured()
    result = CliRunner().invoke(cache, args, obj=captured.consoles, env=env, catch_exceptions=False)
    return result, captured


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    store = Cache(root)
    store.put_blob(b"a" * 2000)
    store.put_blob(b"b" * 100)
    store.put_json("metadata", "k", {"x": 1})
    return root


def test_info_as_json(filled: Path) -> None:
    result, captured = run(["info", "--cache-dir", str(filled), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(captured.out.getvalue())
    json_bytes = Cache(filled).info().kinds[3].bytes
    assert report == {
        "schema": "thoth.cache-info/1",
        "root": str(filled),
        "kinds": {
            "pages": {"entries": 0, "bytes": 0},
            "files": {"entries": 0, "bytes": 0},
            "blobs": {"entries": 2, "bytes": 2100},
            "json": {"entries": 1, "bytes": json_bytes},
        },
        "entries": 3,
        "bytes": 2100 + json_bytes,
    }


def test_info_as_a_table(filled: Path) -> None:
    result, captured = run(["info", "--cache-dir", str(filled)])
    assert result.exit_code == 0
    rows = [line.split() for line in captured.out.getvalue().splitlines()]
    assert ["│", "blobs", "│", "2", "│", "2.1", "KiB", "│"] in rows
    assert ["│", "pages", "│", "0", "│", "0", "B", "│"] in rows
    assert "cache:" in captured.out.getvalue()


def test_info_defaults_to_thoth_cache_dir(filled: Path) -> None:
    result, captured = run(["info", "--format", "json"], env={"THOTH_CACHE_DIR": str(filled)})
    assert result.exit_code == 0
    assert json.loads(captured.out.getvalue())["root"] == str(filled)


def test_clean_removes_everything(filled: Path) -> None:
    size = Cache(filled).info().total_bytes
    result, captured = run(["clean", "--cache-dir", str(filled)])
    assert result.exit_code == 0
    assert captured.out.getvalue() == f"removed {human_size(size)} from {filled}\n"
    assert Cache(filled).info().total_entries == 0


def test_clean_older_than_days_keeps_recent_entries(filled: Path) -> None:
    store = Cache(filled)
    old = store.put_blob(b"old" * 100)
    path = filled / "blobs" / "sha256" / old[:2] / old
    eight_days_ago = time.time() - 8 * 86400
    os.utime(path, (eight_days_ago, eight_days_ago))
    result, captured = run(["clean", "--cache-dir", str(filled), "--older-than", "7"])
    assert result.exit_code == 0
    assert captured.out.getvalue() == f"removed 300 B from {filled}\n"
    assert store.info().total_entries == 3


def test_clean_refuses_a_negative_age(filled: Path) -> None:
    result, _ = run(["clean", "--cache-dir", str(filled), "--older-than", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--older-than': -1.0 is not in the range x>=0." in result.output


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text
