"""Python probes: the interpreter packages are installed for, and the distributions installed for it.

On this machine the interpreter is the running one (`sys`, `sysconfig`), or the one the
context names, which is asked about itself. In any other root nothing runs: interpreters
are found by file name (`/usr/local/bin/python3 -> python3.12`), the micro version is read
from Python's `patchlevel.h` when the headers are installed, and installed distributions
from `*.dist-info/METADATA` in the interpreter's site folders.
"""

from __future__ import annotations

import json
import re
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import PurePosixPath

from packaging.metadata import parse_email
from packaging.utils import canonicalize_name

from thoth_cli.discovery.model import PythonInterpreter, PythonPackage
from thoth_cli.discovery.probe import ProbeContext, probe

IMAGE_PATH = "/opt/conda/bin:/usr/local/bin:/usr/bin:/bin"
"""Where interpreters are looked for in a root whose environment names no PATH."""

_INTERPRETER = re.compile(r"(?P<implementation>python|pypy)3\.(?P<minor>\d+)(?P<threaded>t?)")
_PATCHLEVEL = re.compile(r'#define\s+PY_VERSION\s+"(\d+)\.(\d+)\.(\d+)')
_SITE_FOLDERS = ("site-packages", "dist-packages")
_METADATA_LIMIT = 512 * 1024

# Asked of an interpreter on the host; it must run on every Python thoth describes (3.7+).
_SELF_DESCRIPTION = """\
import json, sys, sysconfig
print(json.dumps({
    "implementation": sys.implementation.name,
    "version": list(sys.version_info[:3]),
    "implementation_version": list(sys.implementation.version[:3]),
    "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "executable": sys.executable,
    "site": [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))],
}))
"""


@dataclass(frozen=True)
class InterpreterLayout:
    """An interpreter and the folders its installed distributions live in, first shadowing later."""

    interpreter: PythonInterpreter
    site_folders: tuple[str, ...]


@probe("python")
def interpreter_layout(ctx: ProbeContext) -> InterpreterLayout | None:
    """The interpreter to describe and its site folders."""
    if ctx.python is not None:
        if ctx.host:
            return _ask(ctx, str(ctx.python))
        return _from_files(ctx, str(ctx.python))
    if ctx.running_machine:
        return _running(ctx)
    return _find(ctx)


def python_interpreter(ctx: ProbeContext) -> PythonInterpreter | None:
    """The interpreter packages are installed for."""
    layout = interpreter_layout(ctx)
    return None if layout is None else layout.interpreter


@probe("python-packages")
def python_packages(ctx: ProbeContext) -> tuple[PythonPackage, ...] | None:
    """Distributions installed for the interpreter, by normalised name; the first on its path wins."""
    layout = interpreter_layout(ctx)
    if layout is None:
        return None
    found: dict[str, PythonPackage] = {}
    for folder in layout.site_folders:
        for entry in ctx.fs.listdir(folder):
            package = _distribution(ctx, folder, entry)
            if package is not None:
                found.setdefault(package.name, package)
    return tuple(sorted(found.values()))


def _running(ctx: ProbeContext) -> InterpreterLayout | None:
    name = sys.implementation.name
    if name not in ("cpython", "pypy"):
        ctx.note(f"thoth describes CPython and PyPy, not {name}")
        return None
    implementation_version = sys.implementation.version
    interpreter = PythonInterpreter(
        implementation="pypy" if name == "pypy" else "cpython",
        version=(sys.version_info.major, sys.version_info.minor, sys.version_info.micro),
        free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        implementation_version=(
            (implementation_version.major, implementation_version.minor, implementation_version.micro)
            if name == "pypy"
            else None
        ),
        executable=sys.executable,
    )
    return InterpreterLayout(interpreter, _site_paths(sys.path))


def _site_paths(paths: list[str]) -> tuple[str, ...]:
    return tuple(path for path in paths if path.rstrip("/").endswith(_SITE_FOLDERS))


def _ask(ctx: ProbeContext, executable: str) -> InterpreterLayout | None:
    result = ctx.run([executable, "-E", "-c", _SELF_DESCRIPTION])
    if result is None:
        return None
    try:
        answer = json.loads(result.stdout)
        name = answer["implementation"]
        major, minor, micro = (int(part) for part in answer["version"])
        own = tuple(int(part) for part in answer["implementation_version"])
        site = [str(path) for path in answer["site"]]
    except (ValueError, KeyError, TypeError):
        ctx.note(f"{executable} did not describe itself (exit {result.returncode}): {result.output[:200]!r}")
        return None
    if name not in ("cpython", "pypy"):
        ctx.note(f"thoth describes CPython and PyPy, not {name}")
        return None
    interpreter = PythonInterpreter(
        implementation="pypy" if name == "pypy" else "cpython",
        version=(major, minor, micro),
        free_threaded=bool(answer.get("free_threaded")),
        implementation_version=(own[0], own[1], own[2]) if name == "pypy" and len(own) == 3 else None,
        executable=str(answer.get("executable") or executable),
    )
    return InterpreterLayout(interpreter, _site_paths(site))


def _find(ctx: ProbeContext) -> InterpreterLayout | None:
    # A host's PATH names host folders; only an image's own environment names its folders.
    path = (None if ctx.host else ctx.environ.get("PATH")) or IMAGE_PATH
    folders = [folder for folder in path.split(":") if folder.startswith("/")]
    for folder in folders:
        for name in ("python3", "python", "pypy3"):
            if ctx.fs.is_file(f"{folder}/{name}"):
                return _from_files(ctx, f"{folder}/{name}")
        versioned = _versioned(ctx, folder)
        if versioned:
            return _from_files(ctx, f"{folder}/{versioned[-1]}")
    ctx.note(f"no Python interpreter in {', '.join(folders)}")
    return None


def _versioned(ctx: ProbeContext, folder: str) -> list[str]:
    """Versioned interpreter names in a folder, oldest first."""
    versions = {
        name: int(match["minor"])
        for name in ctx.fs.listdir(folder)
        if (match := _INTERPRETER.fullmatch(name))
    }
    return sorted(versions, key=versions.__getitem__)


def _from_files(ctx: ProbeContext, executable: str) -> InterpreterLayout | None:
    """An interpreter described from its file name and its prefix's folders, never run."""
    real = ctx.fs.resolve(executable)
    if real is None or not real.is_file():
        ctx.note(f"{executable} is not a file in the root")
        return None
    folder = str(PurePosixPath(executable).parent)
    match = _INTERPRETER.fullmatch(real.name) or _INTERPRETER.fullmatch(PurePosixPath(executable).name)
    if match is None:
        versioned = _versioned(ctx, folder)
        match = _INTERPRETER.fullmatch(versioned[-1]) if versioned else None
    prefix = str(PurePosixPath(folder).parent)
    if match is None:
        match = _from_lib_folders(ctx, prefix)
    if match is None:
        ctx.note(f"{executable} names no Python version and {prefix}/lib has no python3.X folder")
        return None
    pypy = match["implementation"] == "pypy"
    minor, threaded = int(match["minor"]), match["threaded"] == "t"
    folder_name = f"{'pypy' if pypy else 'python'}3.{minor}{'t' if threaded else ''}"
    micro = _micro(ctx, prefix, folder_name, minor)
    if micro is None:
        ctx.note(f"no {prefix}/include/{folder_name}/patchlevel.h: assuming Python 3.{minor}.0")
    interpreter = PythonInterpreter(
        implementation="pypy" if pypy else "cpython",
        version=(3, minor, micro or 0),
        version_exact=micro is not None,
        free_threaded=threaded,
        executable=executable,
    )
    return InterpreterLayout(interpreter, _site_folders(ctx, prefix, folder_name))


def _from_lib_folders(ctx: ProbeContext, prefix: str) -> re.Match[str] | None:
    matches = [match for name in ctx.fs.listdir(f"{prefix}/lib") if (match := _INTERPRETER.fullmatch(name))]
    return max(matches, key=lambda match: int(match["minor"]), default=None)


def _micro(ctx: ProbeContext, prefix: str, folder_name: str, minor: int) -> int | None:
    text = ctx.fs.read_text(f"{prefix}/include/{folder_name}/patchlevel.h", limit=64 * 1024)
    match = _PATCHLEVEL.search(text or "")
    if match is None or (int(match[1]), int(match[2])) != (3, minor):
        return None
    return int(match[3])


def _site_folders(ctx: ProbeContext, prefix: str, folder_name: str) -> tuple[str, ...]:
    candidates = [
        f"{prefix}/{lib}/{folder_name}/{site}" for lib in ("lib", "lib64") for site in _SITE_FOLDERS
    ]
    if prefix == "/usr":
        # Debian: pip installs for the system Python under /usr/local, apt under python3/.
        candidates = [
            f"/usr/local/lib/{folder_name}/dist-packages",
            *candidates,
            "/usr/lib/python3/dist-packages",
        ]
    return tuple(folder for folder in candidates if ctx.fs.is_dir(folder))


def _distribution(ctx: ProbeContext, folder: str, entry: str) -> PythonPackage | None:
    if entry.endswith(".dist-info"):
        path = f"{folder}/{entry}/METADATA"
    elif entry.endswith(".egg-info"):
        path = f"{folder}/{entry}/PKG-INFO" if ctx.fs.is_dir(f"{folder}/{entry}") else f"{folder}/{entry}"
    else:
        return None
    text = ctx.fs.read_text(path, limit=_METADATA_LIMIT)
    if text is None:
        ctx.note(f"{folder}/{entry} has no metadata file")
        return None
    # Only the headers matter; the description after them can be long.
    headers = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    raw, _ = parse_email(headers + "\n")
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        ctx.note(f"{path} names no distribution and version")
        return None
    return PythonPackage(canonicalize_name(name), version, folder)
