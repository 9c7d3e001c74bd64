"""Fixtures faking a machine for discovery: a root folder with its files, and programs on a PATH."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from thoth_cli.discovery.probe import ProbeContext, clear_cache
from thoth_cli.discovery.rootfs import RootFS

DATA = Path(__file__).parent / "data"


class FakeRoot:
    """A root file system under a temporary folder; paths given are absolute inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    @property
    def fs(self) -> RootFS:
        return RootFS(self.path)

    def _host(self, path: str) -> Path:
        host = self.path / path.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        return host

    def write(self, path: str, content: str | bytes) -> FakeRoot:
        host = self._host(path)
        if isinstance(content, bytes):
            host.write_bytes(content)
        else:
            host.write_text(content)
        return self

    def copy(self, path: str, data: str) -> FakeRoot:
        """Put the test data file `data` (relative to tests/discovery/data) at `path`."""
        return self.write(path, (DATA / data).read_bytes())

    def link(self, path: str, target: str) -> FakeRoot:
        self._host(path).symlink_to(target)
        return self

    def folder(self, path: str) -> FakeRoot:
        self._host(path).mkdir(parents=True, exist_ok=True)
        return self


class FakeTools:
    """Executables in a folder of their own, to be the whole PATH of a probe context."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def environ(self) -> dict[str, str]:
        return {"PATH": str(self.folder)}

    def script(self, name: str, body: str) -> Path:
        """A Python program `name` whose code is `body` (run by the interpreter running the tests)."""
        path = self.folder / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def printing(self, name: str, data: str, exit_code: int = 0) -> Path:
        """A program that prints the test data file `data` and exits with `exit_code`."""
        source = DATA / data
        return self.script(
            name,
            f"import sys\nsys.stdout.write(open({str(source)!r}).read())\nsys.exit({exit_code})\n",
        )

    def nvidia_smi(self, case: str) -> Path:
        """An nvidia-smi answering as the machine recorded in data/nvidia-smi/<case> did.

        The query with compute_cap prints query.txt, the query without it query-nocap.txt,
        any other call plain.txt; `<name>.exit` holds an exit status other than 0.
        """
        folder = DATA / "nvidia-smi" / case
        return self.script(
            "nvidia-smi",
            "import pathlib, sys\n"
            f"folder = pathlib.Path({str(folder)!r})\n"
            "query = [arg for arg in sys.argv[1:] if arg.startswith('--query-gpu=')]\n"
            "name = 'plain'\n"
            "if query:\n"
            "    name = 'query' if 'compute_cap' in query[0] else 'query-nocap'\n"
            "sys.stdout.buffer.write((folder / f'{name}.txt').read_bytes())\n"
            "status = folder / f'{name}.exit'\n"
            "sys.exit(int(status.read_text()) if status.exists() else 0)\n",
        )

    def hanging(self, name: str) -> Path:
        """A program that never answers (it sleeps far longer than any test waits)."""
        return self.script(name, "import time\nprint('starting', flush=True)\ntime.sleep(600)\n")


@pytest.fixture(autouse=True)
def _fresh_probes() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def root(tmp_path: Path) -> FakeRoot:
    return FakeRoot(tmp_path / "root")


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path / "bin")


def image_context(root: FakeRoot, *, environ: dict[str, str] | None = None) -> ProbeContext:
    """A context for the fake root as an image: nothing runs."""
    return ProbeContext.create(root.fs, environ=environ or {})


def host_context(root: FakeRoot, tools: FakeTools, *, timeout: float = 5.0) -> ProbeContext:
    """A context for the fake root as a machine whose programs are the fake tools."""
    return ProbeContext.create(root.fs, environ=tools.environ, host=True, timeout=timeout)
