"""The bundled knowledge against the real PyPI: TensorFlow on a CPU without AVX (opt in with `-m network`).

    .venv/bin/python -m pytest -m network tests/test_network_prescriptions.py -q

Every TensorFlow release with wheels for CPython 3.8 is built with AVX, which a CPU without
it cannot run ("Illegal instruction" on import): for Python 3.8 on Linux x86_64 with a CPU
that has SSE 4.2 and no AVX, `thoth advise` must pick none of them, and since nothing is
left, fail (exit 1) naming AVX as the reason, writing no lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thoth_cli.cli.main import cli

pytestmark = pytest.mark.network

NO_AVX = (
    "--python-version",
    "3.8",
    "--platform",
    "manylinux_2_17_x86_64",
    "--cpu-flags",
    "sse,sse2,sse4_1,sse4_2",
)

_THOTH_ENVIRONMENT = ("THOTH_INDEX_URL", "THOTH_EXTRA_INDEX_URL", "THOTH_OSV_URL", "THOTH_CACHE_DIR")
"""Variables that would point the run at another index, advisory service or cache."""


def advise(folder: Path, *arguments: str) -> Result:
    """`thoth advise` on PyPI for the requirements file in `folder`, with a cache of its own."""
    command = [
        "--color",
        "never",
        "advise",
        "--manifest",
        str(folder / "requirements.in"),
        "--cache-dir",
        str(folder / "cache"),
        # Advisories are another service: this test is about the bundled knowledge alone.
        "--no-advisories",
        *arguments,
    ]
    result = CliRunner().invoke(cli, command, env=dict.fromkeys(_THOTH_ENVIRONMENT))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def test_tensorflow_for_python_38_on_a_cpu_without_avx_fails_naming_avx(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("tensorflow\n", encoding="utf-8")

    result = advise(tmp_path, *NO_AVX)

    assert result.exit_code == 1, result.stderr
    assert "unit 'tensorflow-needs-avx[tensorflow]' removes every release of tensorflow" in result.stderr
    assert "AVX" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "requirements.txt").exists()


def test_tensorflow_for_python_38_on_a_cpu_with_avx_is_locked(tmp_path: Path) -> None:
    """The same target with AVX: the rule's condition does not hold and a TensorFlow is chosen."""
    (tmp_path / "requirements.in").write_text("tensorflow\n", encoding="utf-8")
    with_avx = (*NO_AVX[:-1], "sse,sse2,sse4_1,sse4_2,avx,avx2,fma")

    result = advise(tmp_path, *with_avx, "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert "tensorflow" in result.stdout.lower()
