"""Tests that real pip installs from the test index: its pages, hashes and wheels are the real thing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.indexserver import IndexServerFactory, Universe


def test_pip_installs_a_wheel_from_the_index(index_server: IndexServerFactory, tmp_path: Path) -> None:
    universe = Universe()
    universe.add("Demo.Package", "1.0")
    universe.add("Demo.Package", "2.0", requires_dist=["urllib3>=2"], requires_python=">=3.8")
    server = index_server({"pypi": universe})
    target = tmp_path / "site"
    environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--isolated",
            "--no-cache-dir",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            "--index-url",
            server.url(),
            "demo-package",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (target / "demo_package" / "__init__.py").read_text() == (
        '"""Demo.Package 2.0: a test package."""\n\n__version__ = "2.0"\n'
    )
    assert (target / "demo_package-2.0.dist-info" / "RECORD").exists()
    fetched = [record.path for record in server.requests]
    assert "/pypi/simple/demo-package/" in fetched
    assert "/pypi/files/demo_package-2.0-py3-none-any.whl.metadata" in fetched
