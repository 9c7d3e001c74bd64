"""Scan a project's Python sources (never importing them) for the libraries and symbols they use."""

from __future__ import annotations

import ast
import io
import os
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from thoth_cli.errors import InputError, Location
from thoth_cli.usage.model import LibraryUsage
from thoth_cli.usage.stdlib import PythonVersion, StandardLibrary, running_version, standard_library
from thoth_cli.usage.symbols import SourceUsage, source_usage

SOURCE_SUFFIXES = frozenset({".py", ".pyw"})
"""What a folder's files must end with to be scanned (stubs, `.pyi`, never run)."""

SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "dist-packages", "__pypackages__"}
)
"""Folders of other people's code or of generated files; hidden ones (`.venv`, `.tox`, `.git`) too."""

BUILD_OUTPUT = frozenset({"build", "dist"})
"""Skipped unless they are a package of the project (`src/build/__init__.py` is someone's code)."""

ENVIRONMENT_MARKS = ("pyvenv.cfg", "conda-meta")
"""What makes any folder a virtual environment (venv, virtualenv, uv) or a conda environment."""

_ENCODING_FIX = "save it as UTF-8, or declare its encoding in a coding comment on its first or second line"


class SourceError(InputError):
    """A source file that cannot be decoded or parsed; a scan reports it and goes on."""


class ScanPathError(InputError):
    """The path to scan is not there."""


@dataclass(frozen=True)
class Modules:
    """The top-level modules one file imports, told apart; `type_checking_only` are those (of any
    kind) imported only inside `if TYPE_CHECKING:`, so never at run time."""

    stdlib: frozenset[str] = frozenset()
    third_party: frozenset[str] = frozenset()
    first_party: frozenset[str] = frozenset()
    type_checking_only: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        return self.stdlib | self.third_party | self.first_party


@dataclass(frozen=True)
class FileUsage:
    """One scanned file: `path` relative to the folder scanned; `error` when it was skipped."""

    path: Path
    modules: Modules = Modules()
    symbols: frozenset[str] = frozenset()
    """Every fully qualified name the file refers to through an import, of any kind of module."""
    error: SourceError | None = None

    def third_party_symbols(self) -> frozenset[str]:
        return frozenset(s for s in self.symbols if s.partition(".")[0] in self.modules.third_party)


@dataclass(frozen=True)
class ScanResult:
    """Every file a scan read, in path order, and the standard library it told modules apart by."""

    root: Path
    files: tuple[FileUsage, ...]
    standard_library: StandardLibrary
    skipped: tuple[Path, ...] = ()
    """Folders not entered (environments, build output, hidden folders), relative to `root`."""

    @property
    def errors(self) -> tuple[SourceError, ...]:
        return tuple(file.error for file in self.files if file.error is not None)

    def usage(self) -> LibraryUsage:
        """What the project uses of third-party libraries, over every file read."""
        modules: set[str] = set()
        symbols: set[str] = set()
        for file in self.files:
            modules |= file.modules.third_party
            symbols |= file.third_party_symbols()
        return LibraryUsage(modules=frozenset(modules), symbols=frozenset(symbols))


def scan(path: Path, *, python_version: PythonVersion | None = None) -> ScanResult:
    """Scan a Python file, or every Python file under a folder (see `SKIPPED_FOLDERS`).

    Modules are told apart in this order: the project's own (first-party: the top-level
    packages found under `path`, the modules and packages beside `path` and in its `src/`
    folder, and those beside each file's own top-level package or script), then the
    standard library of Python `python_version` (None: the running interpreter's), then
    everything else (third-party). Relative imports are the project's own and not reported.
    """
    if path.is_dir():
        folder = path
        sources, skipped, unreadable = _walk(path)
    elif path.exists():
        folder = path.parent
        sources, skipped, unreadable = [path], [], []
    else:
        raise ScanPathError(
            "no such file or folder", location=Location(path), fix="pass a Python file or a folder of sources"
        )
    stdlib = standard_library(python_version)
    project = _project_names(folder, sources)
    local: dict[Path, frozenset[str]] = {}
    files: list[FileUsage] = list(unreadable)
    for source in sources:
        relative = source.relative_to(folder)
        try:
            found = read_usage(source)
        except SourceError as error:
            files.append(FileUsage(relative, error=error))
            continue
        home = _import_root(source.parent)
        if home not in local:
            local[home] = _top_level_names(home)
        files.append(FileUsage(relative, _classify(found, project | local[home], stdlib), found.symbols))
    files.sort(key=lambda file: file.path.as_posix())
    return ScanResult(path, tuple(files), stdlib, tuple(p.relative_to(folder) for p in skipped))


def read_usage(path: Path) -> SourceUsage:
    """The usage of one source file, decoded as PEP 263 says; `SourceError` when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError("cannot be read", location=Location(path), text=exc.strerror) from None
    text = decode(path, data)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        version = ".".join(map(str, running_version()))
        raise SourceError(
            exc.msg,
            location=Location(path, exc.lineno),
            text=repr(exc.text.strip()) if exc.text else None,
            fix=f"correct it; thoth reads code as the Python it runs on (here {version}) does, "
            "so code for a newer Python needs thoth run on that Python",
        ) from None
    except ValueError as exc:  # null bytes, on the Pythons that do not call them a syntax error
        raise SourceError(str(exc), location=Location(path)) from None
    try:
        return source_usage(tree)
    except RecursionError:
        raise SourceError("is nested too deeply to be read", location=Location(path)) from None


def decode(path: Path, data: bytes) -> str:
    """A source file's text: in the encoding its BOM or coding comment declares, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = exc.msg or ""
        if message.startswith("unknown encoding"):
            raise SourceError(
                "its coding comment names an encoding Python does not know",
                location=Location(path),
                text=repr(message.partition(": ")[2]),
                fix=_ENCODING_FIX,
            ) from None
        if message.startswith("encoding problem"):
            raise SourceError(
                "it starts with a UTF-8 byte-order mark but its coding comment declares another encoding",
                location=Location(path),
                fix="remove the byte-order mark or the coding comment",
            ) from None
        # Undecodable bytes on the first two lines, where a coding comment would be: found below.
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        declared = "" if encoding == "utf-8" else ", the encoding its coding comment declares"
        raise SourceError(
            f"cannot be decoded as {encoding}{declared}",
            location=Location(path, line),
            text=repr(data[exc.start : exc.end]),
            fix=_ENCODING_FIX,
        ) from None


def _classify(found: SourceUsage, first_party: frozenset[str], stdlib: StandardLibrary) -> Modules:
    # The project's own modules win over the standard library's, as a script's folder comes
    # first on sys.path.
    own = found.modules & first_party
    standard = frozenset(m for m in found.modules - own if m in stdlib)
    return Modules(
        stdlib=standard,
        third_party=found.modules - own - standard,
        first_party=own,
        type_checking_only=found.type_checking_only,
    )


def _walk(root: Path) -> tuple[list[Path], list[Path], list[FileUsage]]:
    """The source files under `root` in path order, the folders skipped, and the folders that
    could not be listed."""
    sources: list[Path] = []
    skipped: list[Path] = []
    unreadable: list[FileUsage] = []

    def failed(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        error = SourceError("cannot be listed", location=Location(where), text=exc.strerror)
        unreadable.append(FileUsage(where.relative_to(root), error=error))

    for top, folders, names in os.walk(root, onerror=failed):
        here = Path(top)
        kept = []
        for name in sorted(folders):
            if _skipped(here / name):
                skipped.append(here / name)
            else:
                kept.append(name)
        folders[:] = kept
        sources.extend(
            here / name
            for name in sorted(names)
            if Path(name).suffix in SOURCE_SUFFIXES and (here / name).is_file()
        )
    return sources, skipped, unreadable


def _skipped(folder: Path) -> bool:
    name = folder.name
    if name.startswith(".") or name in SKIPPED_FOLDERS or folder.is_symlink():
        return True
    if name in BUILD_OUTPUT and not _is_package(folder):
        return True
    return any((folder / mark).exists() for mark in ENVIRONMENT_MARKS)


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def _import_root(folder: Path) -> Path:
    """The folder a module in `folder` is imported from: the first one up that is not a package."""
    while _is_package(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def _project_names(folder: Path, sources: Iterable[Path]) -> frozenset[str]:
    """The project's own top-level modules and packages."""
    names = set(_top_level_names(_import_root(folder)))
    src = folder / "src"
    if src.is_dir():
        names |= _top_level_names(src)
        # src holds nothing but the project's packages, namespace packages (no __init__.py) too.
        names |= {entry.name for entry in src.iterdir() if entry.is_dir() and entry.name.isidentifier()}
    for source in sources:
        if source.name == "__init__.py" and not _is_package(source.parent.parent):
            names.add(source.parent.name)
    return frozenset(names)


def _top_level_names(folder: Path) -> frozenset[str]:
    """The modules and packages importable from `folder` when it is on sys.path."""
    names: set[str] = set()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return frozenset()
    for entry in entries:
        if entry.is_dir():
            if _is_package(entry) and entry.name.isidentifier():
                names.add(entry.name)
        elif entry.suffix in (*SOURCE_SUFFIXES, ".so", ".pyd"):
            module = entry.name.partition(".")[0]
            if module.isidentifier():
                names.add(module)
    return frozenset(names)
