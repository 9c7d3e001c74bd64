"""The interpreter of a root (found by name, never run in an image) and the distributions installed for it."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from tests.discovery.conftest import FakeRoot, FakeTools, host_context, image_context
from thoth_cli.discovery.model import PythonInterpreter, PythonPackage
from thoth_cli.discovery.probe import ProbeContext, ProbeNote
from thoth_cli.discovery.python_env import interpreter_layout, python_interpreter, python_packages


def metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: x\n\nA long description.\n"


def official_image(root: FakeRoot) -> FakeRoot:
    """The layout of the python:3.12 images: /usr/local/bin/python3 -> python3.12, headers installed."""
    root.write("/usr/local/bin/python3.12", b"\x7fELF").link("/usr/local/bin/python3", "python3.12")
    root.write("/usr/local/include/python3.12/patchlevel.h", '#define PY_VERSION              "3.12.4"\n')
    site = "/usr/local/lib/python3.12/site-packages"
    root.write(f"{site}/requests-2.32.3.dist-info/METADATA", metadata("requests", "2.32.3"))
    root.write(f"{site}/Typing_Extensions-4.12.2.dist-info/METADATA", metadata("Typing_Extensions", "4.12.2"))
    root.write(f"{site}/requests/__init__.py", "")
    return root


def test_an_official_python_image(root: FakeRoot) -> None:
    ctx = image_context(official_image(root))
    assert python_interpreter(ctx) == PythonInterpreter(
        implementation="cpython", version=(3, 12, 4), executable="/usr/local/bin/python3"
    )
    site = "/usr/local/lib/python3.12/site-packages"
    assert python_packages(ctx) == (
        PythonPackage("requests", "2.32.3", site),
        PythonPackage("typing-extensions", "4.12.2", site),
    )
    assert ctx.notes == []


def test_debians_python_without_headers_is_known_by_x_y_only(root: FakeRoot) -> None:
    root.write("/usr/bin/python3.11", b"\x7fELF").link("/usr/bin/python3", "python3.11")
    root.write("/usr/lib/python3/dist-packages/six-1.16.0.egg-info", metadata("six", "1.16.0"))
    root.write("/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO", metadata("PyYAML", "6.0"))
    root.write(
        "/usr/local/lib/python3.11/dist-packages/six-1.17.0.dist-info/METADATA", metadata("six", "1.17.0")
    )
    ctx = image_context(root)
    assert python_interpreter(ctx) == PythonInterpreter(
        implementation="cpython", version=(3, 11, 0), version_exact=False, executable="/usr/bin/python3"
    )
    # pip's /usr/local copy shadows apt's, as it does on sys.path.
    assert python_packages(ctx) == (
        PythonPackage("pyyaml", "6.0", "/usr/lib/python3/dist-packages"),
        PythonPackage("six", "1.17.0", "/usr/local/lib/python3.11/dist-packages"),
    )
    assert ctx.notes == [
        ProbeNote("python", "no /usr/include/python3.11/patchlevel.h: assuming Python 3.11.0")
    ]


def test_conda_comes_first_on_an_images_default_path(root: FakeRoot) -> None:
    official_image(root)
    root.write("/opt/conda/bin/python3.11", b"\x7fELF").link("/opt/conda/bin/python", "python3.11")
    root.write("/opt/conda/include/python3.11/patchlevel.h", '#define PY_VERSION "3.11.9"\n')
    root.write(
        "/opt/conda/lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA", metadata("numpy", "1.26.4")
    )
    ctx = image_context(root)
    assert python_interpreter(ctx) == PythonInterpreter(
        "cpython", (3, 11, 9), executable="/opt/conda/bin/python"
    )
    assert python_packages(ctx) == (
        PythonPackage("numpy", "1.26.4", "/opt/conda/lib/python3.11/site-packages"),
    )


def test_the_images_own_path_decides(root: FakeRoot) -> None:
    official_image(root)
    root.write("/opt/venv/bin/python3", b"\x7fELF")
    root.folder("/opt/venv/lib/python3.12/site-packages")
    ctx = image_context(root, environ={"PATH": "/opt/venv/bin:/usr/local/bin:/usr/bin"})
    layout = interpreter_layout(ctx)
    assert layout is not None
    assert layout.interpreter.executable == "/opt/venv/bin/python3"
    assert layout.interpreter.version[:2] == (3, 12)
    assert layout.site_folders == ("/opt/venv/lib/python3.12/site-packages",)


def test_a_free_threaded_interpreter(root: FakeRoot) -> None:
    root.write("/usr/local/bin/python3.13t", b"\x7fELF")
    root.write("/usr/local/include/python3.13t/patchlevel.h", '#define PY_VERSION "3.13.1"\n')
    found = python_interpreter(image_context(root))
    assert found == PythonInterpreter(
        "cpython", (3, 13, 1), free_threaded=True, executable="/usr/local/bin/python3.13t"
    )


def test_a_named_pypy_in_an_image(root: FakeRoot) -> None:
    root.write("/opt/pypy/bin/pypy3.10", b"\x7fELF").link("/opt/pypy/bin/pypy3", "pypy3.10")
    root.write(
        "/opt/pypy/lib/pypy3.10/site-packages/cffi-1.17.0.dist-info/METADATA", metadata("cffi", "1.17.0")
    )
    ctx = ProbeContext.create(root.fs, environ={}, python=Path("/opt/pypy/bin/pypy3"))
    assert python_interpreter(ctx) == PythonInterpreter(
        "pypy", (3, 10, 0), version_exact=False, executable="/opt/pypy/bin/pypy3"
    )
    assert python_packages(ctx) == (PythonPackage("cffi", "1.17.0", "/opt/pypy/lib/pypy3.10/site-packages"),)


def test_an_image_without_python(root: FakeRoot) -> None:
    root.write("/bin/sh", b"\x7fELF")
    ctx = image_context(root)
    assert python_interpreter(ctx) is None
    assert python_packages(ctx) is None
    assert ctx.notes == [
        ProbeNote("python", "no Python interpreter in /opt/conda/bin, /usr/local/bin, /usr/bin, /bin")
    ]


def test_metadata_without_a_version_is_noted(root: FakeRoot) -> None:
    official_image(root)
    broken = "/usr/local/lib/python3.12/site-packages/broken-0.dist-info/METADATA"
    root.write(broken, "Metadata-Version: 2.1\nName: broken\n")
    ctx = image_context(root)
    packages = python_packages(ctx)
    assert packages is not None and [package.name for package in packages] == [
        "requests",
        "typing-extensions",
    ]
    assert ctx.notes == [ProbeNote("python-packages", f"{broken} names no distribution and version")]


def test_a_host_interpreter_is_asked_about_itself(root: FakeRoot, tools: FakeTools) -> None:
    ctx = ProbeContext.create(python=Path(sys.executable))
    found = python_interpreter(ctx)
    assert found is not None
    assert found.version == tuple(sys.version_info[:3])
    packages = {package.name: package.version for package in python_packages(ctx) or ()}
    assert packages["packaging"] == importlib.metadata.version("packaging")


def test_an_interpreter_that_does_not_answer(root: FakeRoot, tools: FakeTools) -> None:
    fake = tools.script("python3", "print('Python 2.7.18')\n")
    ctx = ProbeContext.create(root.fs, environ=tools.environ, host=True, python=fake)
    assert python_interpreter(ctx) is None
    assert ctx.notes == [ProbeNote("python", f"{fake} did not describe itself (exit 0): 'Python 2.7.18\\n'")]


def test_this_machines_interpreter_and_packages() -> None:
    ctx = ProbeContext.create()
    found = python_interpreter(ctx)
    assert found is not None
    assert found.version == tuple(sys.version_info[:3]) and found.version_exact
    assert found.executable == sys.executable
    packages = {package.name: package.version for package in python_packages(ctx) or ()}
    assert packages["pytest"] == importlib.metadata.version("pytest")
    assert packages["py-cpuinfo"] == importlib.metadata.version("py-cpuinfo")


def test_a_host_context_on_a_fake_root_reads_the_root(root: FakeRoot, tools: FakeTools) -> None:
    found = python_interpreter(host_context(official_image(root), tools))
    assert found is not None and found.version == (3, 12, 4)
