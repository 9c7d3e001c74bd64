"""A root read as files runs nothing, even when that root is this machine's `/`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from thoth_cli.discovery.discover import discover
from thoth_cli.discovery.probe import clear_cache
from thoth_cli.discovery.rootfs import RootFS


def test_root_slash_as_files_runs_no_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("nvidia-smi", "nvcc", "rocm-smi", "rpm"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\necho {name} >> {marker}\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    clear_cache()
    environment = discover(RootFS(Path("/")), host=False, timeout=2.0)
    assert not marker.exists()
    assert environment.host is False
    clear_cache()
    discover(timeout=2.0)
    assert marker.exists()
