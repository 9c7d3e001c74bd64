"""Finding and reading prescription files: the bundled folder, user folders, each file read once.

A folder's files are its `*.yaml` and `*.yml`, sorted by name; unit names are unique within
one source (the bundled folder, or one user folder), and a duplicate names both files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from thoth_cli.errors import Location
from thoth_cli.knowledge.prescriptions.model import Prescription, PrescriptionError
from thoth_cli.knowledge.prescriptions.parse import Parsed, parse_text

SUFFIXES = (".yaml", ".yml")

_read: dict[tuple[Path, int, int], Parsed] = {}
"""Files already read, by path, modification time and size: a run lists units more than once."""


def bundled_directory() -> Path:
    """The folder of the prescriptions thoth ships."""
    return Path(__file__).resolve().parent.parent / "data"


def bundled_prescriptions() -> tuple[Prescription, ...]:
    """The prescriptions thoth ships, read once per process (none when the folder is absent)."""
    return _bundled(bundled_directory())


@lru_cache(maxsize=2)
def _bundled(directory: Path) -> tuple[Prescription, ...]:
    # Keyed by the folder so that a test may point `bundled_directory` at a folder of its own.
    if not directory.is_dir():
        return ()
    return load_directory(directory)


def prescription_files(directory: Path) -> tuple[Path, ...]:
    """The prescription files of a folder, sorted by name."""
    return tuple(sorted(path for path in directory.iterdir() if path.suffix in SUFFIXES and path.is_file()))


def load_file(path: Path) -> tuple[Prescription, ...]:
    """The units of one file, checked; a file unchanged since it was last read is not read again."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise PrescriptionError(
            "no such file", location=Location(path), fix="pass a prescription file or folder"
        ) from None
    except OSError as exc:
        raise PrescriptionError("cannot be read", location=Location(path), text=str(exc)) from None
    key = (path, status.st_mtime_ns, status.st_size)
    known = _read.get(key)
    if known is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PrescriptionError("cannot be read", location=Location(path), text=str(exc)) from None
        known = parse_text(text, path)
        _read[key] = known
    return known.prescriptions


def load_directory(directory: Path) -> tuple[Prescription, ...]:
    """Every unit of a folder's files (or of one file), in file order; names unique across them."""
    if directory.is_file():
        return load_file(directory)
    if not directory.is_dir():
        raise PrescriptionError(
            "no such folder" if not directory.exists() else "not a folder",
            location=Location(directory),
            fix="pass a folder of prescription files (*.yaml)",
        )
    return unique(unit for path in prescription_files(directory) for unit in load_file(path))


def load_directories(directories: Sequence[Path]) -> tuple[tuple[Path, tuple[Prescription, ...]], ...]:
    """Each user folder (or file) with its units, in the order given."""
    return tuple((directory, load_directory(directory)) for directory in directories)


def unique(prescriptions: Iterable[Prescription]) -> tuple[Prescription, ...]:
    """The units of one source, refusing a name given twice (naming both places)."""
    seen: dict[str, Prescription] = {}
    for prescription in prescriptions:
        first = seen.get(prescription.name)
        if first is not None:
            raise PrescriptionError(
                f"the name is taken by units[{first.position}] of {first.source}",
                location=Location(
                    prescription.source, prescription.line, f"units[{prescription.position}].name"
                ),
                unit=prescription.name,
                fix="give each unit of a folder its own name",
            )
        seen[prescription.name] = prescription
    return tuple(seen.values())


def effective_prescriptions(directories: Sequence[Path] = ()) -> tuple[Prescription, ...]:
    """The bundled prescriptions, then each user folder's, a later unit replacing an earlier one of
    its name (in the earlier one's place)."""
    chosen: dict[str, Prescription] = {p.name: p for p in bundled_prescriptions()}
    for _, prescriptions in load_directories(directories):
        chosen.update((p.name, p) for p in prescriptions)
    return tuple(chosen.values())


def is_bundled(prescription: Prescription) -> bool:
    return prescription.source.parent == bundled_directory()
