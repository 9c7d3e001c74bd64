"""Learning an sdist's dependencies by running its PEP 517 metadata hook, only when asked.

This is the one place where code from an index runs: the sdist's build backend, in an
isolated build environment of its own, and only with `--allow-build`.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from packaging.metadata import parse_email
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import ExternalError
from thoth_cli.index.metadata import READ_FIELDS
from thoth_cli.index.model import CoreMetadata, MetadataSource


class BuildFailedError(ExternalError):
    """The build backend could not produce metadata for an sdist."""

    def __init__(self, filename: str, reason: str) -> None:
        self.filename = filename
        self.reason = reason
        super().__init__(
            f"building the metadata of {filename} failed: {reason}",
            fix="require a version of the package that publishes wheels, or install its build "
            "dependencies' system requirements",
        )


def build_metadata(sdist: bytes, filename: str, *, index_url: str | None = None) -> CoreMetadata:
    """Run the sdist's `prepare_metadata_for_build_wheel` hook in an isolated environment."""
    from build import BuildBackendException, BuildException, FailedProcessError, ProjectBuilder
    from build.env import DefaultIsolatedEnv

    with tempfile.TemporaryDirectory(prefix="thoth-build-") as tmp:
        root = Path(tmp)
        source = _unpack(sdist, filename, root / "src")
        try:
            with _index_for_pip(index_url), DefaultIsolatedEnv() as env:
                builder = ProjectBuilder.from_isolated_env(env, source)
                env.install(builder.build_system_requires)
                env.install(builder.get_requires_for_build("wheel"))
                dist_info = Path(builder.metadata_path(root / "out"))
        except FailedProcessError as exc:
            # build's own wrapper, for a failure to make the environment ("Failed to create venv").
            what = _last_line(str(exc)) or "its build environment could not be made"
            detail = _process_output(exc.exception)
            raise BuildFailedError(filename, f"{what} ({detail})" if detail else what) from None
        except subprocess.CalledProcessError as exc:
            # The installer that fills the build environment (pip or uv) failed; its last
            # line of output says why, e.g. "No matching distribution found for ...".
            detail = _process_output(exc) or f"the installer exited with code {exc.returncode}"
            raise BuildFailedError(
                filename, f"its build requirements could not be installed: {detail}"
            ) from None
        except (BuildException, BuildBackendException) as exc:
            raise BuildFailedError(filename, _last_line(str(exc)) or type(exc).__name__) from None
        try:
            raw = (dist_info / "METADATA").read_bytes()
        except OSError:
            raise BuildFailedError(filename, f"the backend wrote no METADATA in {dist_info.name}") from None
    fields, unparsed = parse_email(raw)
    unreadable = [field for key, field in READ_FIELDS.items() if key in unparsed]
    if unreadable:
        # Taking an unreadable Requires-Dist as "none" would lose dependencies without a word.
        raise BuildFailedError(filename, f"the backend wrote metadata whose {unreadable[0]} cannot be read")
    try:
        version = Version(fields.get("version", ""))
    except InvalidVersion:
        raise BuildFailedError(filename, "the backend wrote metadata without a valid version") from None
    return CoreMetadata(
        name=canonicalize_name(fields.get("name", "")),
        version=version,
        requires_dist=tuple(fields.get("requires_dist", [])),
        requires_python=fields.get("requires_python"),
        provides_extra=tuple(fields.get("provides_extra", [])),
        source=MetadataSource.BUILD,
    )


def _last_line(text: str) -> str | None:
    """The last non-blank line: a traceback or an installer's log ends with what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _process_output(exc: subprocess.CalledProcessError) -> str | None:
    output = exc.stderr or exc.output
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    return _last_line(output) if isinstance(output, str) else None


def _unpack(data: bytes, filename: str, dest: Path) -> Path:
    """Extract safely (no absolute paths, no links out of the tree) and return the project root."""
    dest.mkdir(parents=True)
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                target = (dest / member).resolve()
                if not target.is_relative_to(dest.resolve()):
                    raise BuildFailedError(filename, f"the archive member {member!r} escapes its folder")
            archive.extractall(dest)
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            _extract_tar(archive, dest, filename)
    entries = [p for p in dest.iterdir() if p.is_dir()]
    if len(entries) == 1 and not (dest / "pyproject.toml").exists() and not (dest / "setup.py").exists():
        return entries[0]
    return dest


def _extract_tar(archive: tarfile.TarFile, dest: Path, filename: str) -> None:
    if hasattr(tarfile, "data_filter"):
        try:
            archive.extractall(dest, filter="data")
        except tarfile.FilterError as exc:
            raise BuildFailedError(filename, f"unsafe archive member: {exc}") from None
        return
    # Pythons before 3.10.12 and 3.11.4 have no extraction filters. Without one, only plain
    # files and folders inside `dest` are let through: a link's target cannot be checked
    # safely against links extracted before it.
    root = dest.resolve()
    members = archive.getmembers()
    for member in members:
        if not (member.isfile() or member.isdir()):
            raise BuildFailedError(
                filename,
                f"unsafe archive member: {member.name!r} is a link or a special file, which this Python "
                "cannot unpack safely (Python 3.10.12 or 3.11.4 and later can)",
            )
        if not (dest / member.name).resolve().is_relative_to(root):
            raise BuildFailedError(filename, f"unsafe archive member: {member.name!r} escapes its folder")
        # As the "data" filter does: no set-user-ID or group/other write bits, and readable by us.
        member.mode = (member.mode & 0o755) | (0o700 if member.isdir() else 0o600)
    archive.extractall(dest, members)


@contextmanager
def _index_for_pip(index_url: str | None) -> Iterator[None]:
    """The isolated environment installs build requirements from the run's primary index."""
    if index_url is None:
        yield
        return
    previous = os.environ.get("PIP_INDEX_URL")
    os.environ["PIP_INDEX_URL"] = index_url
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PIP_INDEX_URL", None)
        else:
            os.environ["PIP_INDEX_URL"] = previous
