"""Reading pip requirements files (requirements.in, requirements.txt) into a `Project`.

The file is read as pip reads it (comments, `\\` continuations, `${VAR}`, `-r`/`-c`
relative to the including file, `-i`/`--extra-index-url`, `--pre`, `--all-releases`,
`--only-final`, `--hash`, `-e`, direct URLs and paths). Where pip would go on silently
with something that changes what gets resolved, thoth stops with an error instead:

- an unset `${VAR}` (pip keeps the literal text), except in index URLs (below);
- a second, different `--index-url` (pip keeps the last one and drops earlier extra indexes);
- a file-wide option on a requirement's line, or text after a line's options (pip ignores both);
- `--no-index` (thoth has no `--find-links` to fall back on, so it would ask an index
  the file forbids);
- a remote `-r`/`-c` URL (thoth reads no files from the network);
- a requirement whose name cannot be told without building it;
- pre-releases allowed for every package but some (`--pre` with `--only-final NAME`),
  which a `Project` cannot express yet.

Index URLs keep their `${VAR}`s: the index list expands them when a run starts, so no
credential is stored in the `Project` (as for Pipfile sources). A line is split into its
requirement and options before `${VAR}` expansion, so a variable stands for (part of) one
value, never for several options.

Options that change how pip installs rather than what it resolves (`--find-links`,
`--no-binary`, `--only-binary`, `--prefer-binary`, `--require-hashes`, `--use-feature`,
`--config-settings`, `--global-option`) are accepted and leave a note naming the line.
`--trusted-host` turns off TLS verification of the indexes on that host.

Relative local paths (`./pkg`, `-e .`, `name @ ./x.whl`) are taken relative to the file
that names them, so a project reads the same from any working folder; pip takes them
relative to the working folder.
"""

from __future__ import annotations

import codecs
import configparser
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import ClassVar, Literal
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

from packaging.utils import InvalidName, canonicalize_name, parse_sdist_filename, parse_wheel_filename

from thoth_cli.errors import Location, ManifestError
from thoth_cli.index.model import PYPI_SIMPLE
from thoth_cli.project.model import ManifestKind, Project, ProjectRequirement, Source
from thoth_cli.project.pep508 import parse_requirement
from thoth_cli.project.reader import ManifestReader
from thoth_cli.project.requirements_lines import (
    ALL_RELEASES,
    CONFIG_SETTINGS,
    CONSTRAINT,
    EDITABLE,
    EXTRA_INDEX_URL,
    FIND_LINKS,
    GLOBAL_OPTION,
    HASH,
    INDEX_URL,
    NO_BINARY,
    NO_INDEX,
    NO_REQUIRE_HASHES,
    ONLY_BINARY,
    ONLY_FINAL,
    PRE,
    PREFER_BINARY,
    REQUIRE_HASHES,
    REQUIREMENT,
    TRUSTED_HOST,
    USE_FEATURE,
    LineOption,
    LogicalLine,
    OptionScope,
    expand_variables,
    expanded_if_set,
    logical_lines,
    parse_line,
    quote,
    redact_credentials,
)
from thoth_cli.project.toml import load_toml, read_text

_VCS = frozenset({"git", "hg", "svn", "bzr"})
_PLAIN_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"})
_INDEX_SCHEMES = frozenset({"http", "https", "file"})
_ARCHIVES = (
    ".whl",
    ".zip",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_HASH_HEX_DIGITS = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX = re.compile(r"[0-9a-fA-F]+")
_EXTRAS_SUFFIX = re.compile(r"^(.+)(\[[^\]]+\])$")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_EGG = re.compile(r"^egg=(.*)$")
# UTF-32 first: the UTF-16 little-endian mark is a prefix of the UTF-32 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PYPI_HOSTS = frozenset({"pypi.org", "pypi.python.org"})
_NAME_FIX = "write it as 'NAME @ URL', or add '#egg=NAME' to the URL"


class RequirementsReader(ManifestReader):
    """Reads a pip requirements file, with the files it includes, into one `Project`.

    Any `*.txt` or `*.in` path is read; `environ` stands in for the process environment
    when `${VAR}` references are expanded (default: `os.environ` at read time).
    """

    kind: ClassVar[ManifestKind] = ManifestKind.REQUIREMENTS
    filenames: ClassVar[tuple[str, ...]] = ("requirements.in", "requirements.txt")

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def read(self, path: Path) -> Project:
        reading = _Reading(path, os.environ if self._environ is None else self._environ)
        reading.read_file(path, constraint=False, chain=((_resolved(path), path),))
        return reading.project()


@dataclass(frozen=True)
class _Line:
    """What the per-line handlers need to know about the line at hand."""

    location: Location
    line: str
    """The logical line as written (before `${VAR}` expansion)."""
    shown: str
    """The user's text to quote in messages: the requirement, or the whole line."""
    constraint: bool
    chain: tuple[tuple[Path, Path], ...]
    """The include chain down to this file: (resolved path, path as shown)."""
    environ: Mapping[str, str]

    @property
    def folder(self) -> Path:
        return self.location.path.parent

    def expand(self, text: str) -> str:
        return expand_variables(text, self.environ, location=self.location, line=self.line)

    def error(self, problem: str, fix: str | None = None, *, text: str | None = None) -> ManifestError:
        return ManifestError(problem, location=self.location, text=quote(text or self.shown), fix=fix)


@dataclass
class _Reading:
    """The state of one `read`: what the files said so far, in order."""

    manifest: Path
    environ: Mapping[str, str]
    requirements: list[ProjectRequirement] = field(default_factory=list)
    constraints: list[ProjectRequirement] = field(default_factory=list)
    index: tuple[str, Location] | None = None
    extra_indexes: list[str] = field(default_factory=list)
    trusted_hosts: list[tuple[str, Location]] = field(default_factory=list)
    all_releases: dict[str, Location] = field(default_factory=dict)
    """pip's --all-releases set (`:all:` or names), with where each entry was made."""
    only_final: dict[str, Location] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seen: set[tuple[Path, bool]] = field(default_factory=set)

    def read_file(self, path: Path, *, constraint: bool, chain: tuple[tuple[Path, Path], ...]) -> None:
        self.seen.add((chain[-1][0], constraint))
        for line in logical_lines(_read_content(path)):
            self.read_line(path, line, constraint=constraint, chain=chain)

    def read_line(
        self, path: Path, line: LogicalLine, *, constraint: bool, chain: tuple[tuple[Path, Path], ...]
    ) -> None:
        location = Location(path, line=line.number)
        parsed = parse_line(line.text, location=location)
        editables = parsed.of(EDITABLE)
        shown = line.text if parsed.requirement is None else parsed.requirement
        here = _Line(location, line.text, shown, constraint, chain, self.environ)
        if len(editables) + (parsed.requirement is not None) > 1:
            raise here.error("a line holds one requirement", "put each requirement on a line of its own")
        if parsed.requirement is None and not editables:
            for option in parsed.options:
                self.apply_option(option, here)
            return
        for option in parsed.options:
            if option.spec.scope is OptionScope.FILE and option.spec != EDITABLE:
                raise here.error(
                    f"option {option.spelling} applies to the whole file, not to one requirement",
                    f"move {option.spelling} to a line of its own",
                )
        editable = bool(editables)
        hashes = tuple(dict.fromkeys(_hash(here.expand(o.value or ""), here) for o in parsed.of(HASH)))
        if editable and hashes:
            self.note(location, "--hash on an editable requirement is ignored (as pip does)")
            hashes = ()
        requirement_text = here.expand((editables[0].value if editable else parsed.requirement) or "")
        requirement = _interpret(requirement_text, here, editable=editable, hashes=hashes)
        for option in parsed.options:
            if option.spec in (CONFIG_SETTINGS, GLOBAL_OPTION):
                self.note(
                    location,
                    f"{option.spec.name} for {requirement.display_name} is ignored: "
                    "thoth does not build packages",
                )
        if constraint:
            _check_constraint(requirement, here)
            self.constraints.append(requirement)
        else:
            self.requirements.append(requirement)

    def apply_option(self, option: LineOption, here: _Line) -> None:
        spec, value = option.spec, option.value or ""
        if spec in (REQUIREMENT, CONSTRAINT):
            self.include(option, here)
        elif spec == INDEX_URL:
            url = _index_url(value, here)
            if self.index is None:
                self.index = (url, here.location)
            elif self.index[0] != url:
                raise here.error(
                    f"a second index URL (the first is set at {self.index[1]})",
                    "keep one --index-url and name the other indexes with --extra-index-url",
                )
        elif spec == EXTRA_INDEX_URL:
            self.extra_indexes.append(_index_url(value, here))
        elif spec == NO_INDEX:
            raise here.error(
                "--no-index is not supported: thoth resolves against a package index",
                "remove --no-index (and --find-links), and name the index with --index-url",
            )
        elif spec == PRE:
            # pip reads --pre as --all-releases :all: that keeps --only-final's packages.
            self.all_releases[":all:"] = here.location
        elif spec in (ALL_RELEASES, ONLY_FINAL):
            self.release_control(option, here)
        elif spec == TRUSTED_HOST:
            self.trusted_hosts.append((here.expand(value), here.location))
        elif spec == FIND_LINKS:
            self.note(
                here.location,
                f"--find-links {redact_credentials(value)} is ignored: "
                "thoth looks packages up on indexes only",
            )
        elif spec in (NO_BINARY, ONLY_BINARY):
            self.note(
                here.location,
                f"{spec.name} {value} is ignored: thoth does not restrict wheels or source distributions yet",
            )
        elif spec == PREFER_BINARY:
            self.note(here.location, "--prefer-binary is ignored: thoth ranks candidates by its own rules")
        elif spec in (REQUIRE_HASHES, NO_REQUIRE_HASHES):
            self.note(here.location, f"{spec.name} is ignored: hashes are checked when the lock is installed")
        elif spec == USE_FEATURE:
            self.note(here.location, f"--use-feature {value} is ignored: it changes how pip installs")
        else:
            # Options for one requirement on a line that has none: pip warns and ignores them.
            self.note(
                here.location, f"{spec.name} without a requirement on its line is ignored (as pip does)"
            )

    def release_control(self, option: LineOption, here: _Line) -> None:
        """pip's --all-releases / --only-final: `:all:`, `:none:` or package names, in order."""
        target, other = (
            (self.all_releases, self.only_final)
            if option.spec == ALL_RELEASES
            else (self.only_final, self.all_releases)
        )
        for item in here.expand(option.value or "").split(","):
            if item == ":all:":
                other.clear()
                target.clear()
                target[item] = here.location
            elif item == ":none:":
                target.clear()
            else:
                try:
                    name = canonicalize_name(item, validate=True)
                except InvalidName:
                    raise here.error(
                        f"{item!r} is not a package name",
                        f"write {option.spec.name} :all:, :none: or package names separated by commas",
                    ) from None
                other.pop(name, None)
                target[name] = here.location

    def include(self, option: LineOption, here: _Line) -> None:
        constraint = option.spec == CONSTRAINT
        written = f"{option.spelling} {option.value or ''}"
        value = here.expand(option.value or "")
        parts = _split_url(value, here)
        if parts.scheme == "file":
            target = Path(url2pathname(parts.path))
        elif parts.scheme and "://" in value:
            raise here.error(
                "remote requirements files are not read",
                "download the file and include it by its local path",
                text=written,
            )
        else:
            target = Path(value)
        shown = target if target.is_absolute() else Path(os.path.normpath(here.folder / target))
        kind = _kind(shown)
        if kind == "missing":
            raise here.error(
                f"included file {shown} not found",
                f"paths after -r and -c are relative to the including file's folder ({here.folder})",
                text=written,
            )
        if kind == "dir":
            raise here.error(f"included path {shown} is a folder, not a file", text=written)
        resolved = _resolved(shown)
        if any(resolved == link for link, _ in here.chain):
            cycle = " -> ".join(str(link) for _, link in (*here.chain, (resolved, shown)))
            raise here.error(
                f"include cycle: {cycle}", "remove one of the includes in the cycle", text=written
            )
        if here.constraint and not constraint:
            self.note(
                here.location,
                f"-r {shown} inside a constraints file adds requirements, not constraints (as pip does); "
                "use -c to include it as constraints",
            )
        if (resolved, constraint) in self.seen:
            return  # Read already through another include: reading it again adds nothing.
        self.read_file(shown, constraint=constraint, chain=(*here.chain, (resolved, shown)))

    def note(self, location: Location, text: str) -> None:
        self.notes.append(f"{location}: {text}")

    def project(self) -> Project:
        sources = self.sources()  # first: it notes trusted hosts that match no index
        everything = ":all:" in self.all_releases
        exceptions = [name for name in self.only_final if name != ":all:"]
        if everything and exceptions:
            location = self.only_final[exceptions[0]]
            raise ManifestError(
                f"pre-releases are allowed for every package but {', '.join(exceptions)}, "
                "and thoth cannot express the exception yet",
                location=location,
                fix="allow pre-releases of the packages that need them by name (--all-releases NAME,...) "
                "instead of for every package",
            )
        return Project(
            manifest=self.manifest,
            kind=ManifestKind.REQUIREMENTS,
            requirements=tuple(self.requirements),
            constraints=tuple(self.constraints),
            sources=sources,
            allow_prereleases=everything,
            prerelease_packages=frozenset(
                canonicalize_name(name) for name in self.all_releases if name != ":all:"
            ),
            notes=tuple(self.notes),
        )

    def sources(self) -> tuple[Source, ...]:
        urls: list[str] = []
        if self.index is not None:
            urls.append(self.index[0])
        elif self.extra_indexes:
            urls.append(PYPI_SIMPLE)
        for url in self.extra_indexes:
            if url.rstrip("/") not in {known.rstrip("/") for known in urls}:
                urls.append(url)
        used_hosts: set[int] = set()
        sources: list[Source] = []
        names: set[str] = set()
        for url in urls:
            known = expanded_if_set(url, self.environ) or url
            name = base = _source_name(known)
            counter = 1
            while name in names:
                counter += 1
                name = f"{base}-{counter}"
            names.add(name)
            trusted = [n for n, (host, _) in enumerate(self.trusted_hosts) if _host_matches(known, host)]
            used_hosts.update(trusted)
            sources.append(Source(name=name, url=url, verify_ssl=not trusted))
        for number, (host, location) in enumerate(self.trusted_hosts):
            if number not in used_hosts:
                self.note(location, f"--trusted-host {host} names no index of this project; ignored")
        return tuple(sources)


def _read_content(path: Path) -> str:
    """The file's text; UTF-16 and UTF-32 files with a byte-order mark are read too, as pip does."""
    try:
        return read_text(path)
    except ManifestError as error:
        try:
            raw = path.read_bytes()
        except OSError:
            raise error from None
        for bom, encoding in _BOMS:
            if raw.startswith(bom):
                try:
                    return raw.decode(encoding)
                except UnicodeDecodeError:
                    break
        raise


def _interpret(text: str, here: _Line, *, editable: bool, hashes: tuple[str, ...]) -> ProjectRequirement:
    """The requirement a line states: PEP 508, or pip's bare URL, path and `-e` forms."""
    if _is_url(text):
        url, marker = (text, None) if editable else _split_marker(text, "; ")
        path_url, extras = _strip_extras(url) if editable else (url, "")
        return _from_url(path_url, here, extras=extras, marker=marker, editable=editable, hashes=hashes)
    before_at = text.split("@", 1)[0]
    direct_reference = "@" in text and not _looks_like_path(before_at)
    if not direct_reference:
        path_text, marker = (text, None) if editable else _split_marker(text, ";")
        path_text, extras = _strip_extras(path_text)
        if editable or _looks_like_path(path_text) or _is_archive(path_text):
            return _from_path(path_text, here, extras=extras, marker=marker, editable=editable, hashes=hashes)
    requirement = _parse(text, here, editable=editable, hashes=hashes)
    if requirement.url is None:
        return requirement
    parts = _split_url(requirement.url, here)
    if not parts.scheme:
        # `name @ ./x.whl`: no scheme means a path, relative to this file.
        local = _resolved(here.folder / url2pathname(parts.path))
        return replace(requirement, url=_with_fragment(local.as_uri(), parts.fragment))
    if editable and parts.scheme != "file" and not _is_vcs(parts.scheme):
        raise _not_editable(here)
    return requirement


def _from_url(
    url: str, here: _Line, *, extras: str, marker: str | None, editable: bool, hashes: tuple[str, ...]
) -> ProjectRequirement:
    parts = _split_url(url, here)
    scheme = parts.scheme
    if scheme in _VCS:
        # pip's spelling of a bare `git://...` URL; PEP 610 wants `vcs+protocol`.
        url = f"{scheme}+{url}"
        parts = _split_url(url, here)
        scheme = parts.scheme
    if editable and scheme != "file" and not _is_vcs(scheme):
        raise _not_editable(here)
    egg, fragment = _egg(parts.fragment, here)
    name: str | None
    if scheme == "file":
        local = _local(url2pathname(parts.path), here)
        kind = _kind(local)
        if kind == "missing":
            raise here.error(f"no such file or folder: {local}", "check the path in the file: URL")
        if kind == "dir":
            name = egg or _project_name(local, here)
        elif editable:
            raise _not_editable(here)
        else:
            name = _archive_name(local.name, here) or egg
            if name is None:
                raise here.error(
                    "not a wheel or a source distribution, so its package name is unknown", _NAME_FIX
                )
        url = _with_fragment(_resolved(local).as_uri(), fragment)
    else:
        url = urlunsplit(parts._replace(fragment=fragment))
        name = None if _is_vcs(scheme) else _archive_name(unquote(PurePosixPath(parts.path).name), here)
        name = name or egg
        if name is None:
            what = "a VCS URL" if _is_vcs(scheme) else "this URL"
            raise here.error(f"cannot tell the package name of {what}", _NAME_FIX)
    return _direct(name, extras, url, marker, here, editable=editable, hashes=hashes)


def _from_path(
    text: str, here: _Line, *, extras: str, marker: str | None, editable: bool, hashes: tuple[str, ...]
) -> ProjectRequirement:
    local = _local(text, here)
    kind = _kind(local)
    if kind == "missing":
        raise here.error(
            f"no such file or folder: {local}",
            f"local paths are relative to the folder of {here.location.path}",
        )
    if kind == "dir":
        name = _project_name(local, here)
    elif editable:
        raise _not_editable(here)
    else:
        archive = _archive_name(local.name, here)
        if archive is None:
            raise here.error(
                "not a wheel or a source distribution, so its package name is unknown",
                f"write it as 'NAME @ {_resolved(local).as_uri()}'",
            )
        name = archive
    return _direct(name, extras, _resolved(local).as_uri(), marker, here, editable=editable, hashes=hashes)


def _direct(
    name: str,
    extras: str,
    url: str,
    marker: str | None,
    here: _Line,
    *,
    editable: bool,
    hashes: tuple[str, ...],
) -> ProjectRequirement:
    # packaging reads `name @ url` with the space before `;` that PEP 508 asks for.
    text = f"{name}{extras} @ {url}" + (f" ; {marker}" if marker else "")
    return _parse(text, here, editable=editable, hashes=hashes)


def _parse(text: str, here: _Line, *, editable: bool, hashes: tuple[str, ...]) -> ProjectRequirement:
    try:
        requirement = parse_requirement(text, location=here.location)
    except ManifestError as exc:
        # Quote what the user wrote (redacted), not the text thoth assembled from it.
        raise ManifestError(exc.problem, location=exc.location, text=quote(here.shown), fix=exc.fix) from None
    return replace(requirement, editable=editable, hashes=hashes)


def _project_name(folder: Path, here: _Line) -> str:
    """The name of the Python project in `folder`, read from static metadata only."""
    has_setup_py = _kind(folder / "setup.py") == "file"
    pyproject = folder / "pyproject.toml"
    name: object = None
    if _kind(pyproject) == "file":
        data, _ = load_toml(pyproject)
        project = data.get("project")
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        if isinstance(project, dict):
            name = project.get("name")
        if name is None and isinstance(poetry, dict):
            name = poetry.get("name")
    elif not has_setup_py:
        raise here.error(
            f"{folder} is not a Python project (it has no pyproject.toml or setup.py)",
            "name the project's folder, the one that holds its pyproject.toml",
        )
    if name is None:
        name = _setup_cfg_name(folder / "setup.cfg")
    if not isinstance(name, str):
        raise here.error(
            f"cannot tell the name of the project in {folder} without building it",
            f"write it as 'NAME @ {_resolved(folder).as_uri()}' (with -e in front to keep it editable)",
        )
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        raise here.error(f"the project in {folder} has an invalid name {name!r}") from None
    return name


def _setup_cfg_name(path: Path) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        return parser.get("metadata", "name", fallback=None)
    except (configparser.Error, UnicodeDecodeError, OSError):
        return None


def _archive_name(filename: str, here: _Line) -> str | None:
    """The project name a wheel or sdist file name states; None when it states none."""
    lowered = filename.lower()
    if lowered.endswith(".whl"):
        try:
            return parse_wheel_filename(filename)[0]
        except ValueError:
            raise here.error(
                f"{filename!r} is not a valid wheel file name",
                "wheel names read NAME-VERSION(-BUILD)-PYTHON-ABI-PLATFORM.whl",
            ) from None
    if lowered.endswith((".tar.gz", ".zip")):
        try:
            return parse_sdist_filename(filename)[0]
        except ValueError:
            return None
    return None


def _egg(fragment: str, here: _Line) -> tuple[str | None, str]:
    """The `egg=` name in a URL fragment, and the fragment without it."""
    egg: str | None = None
    kept: list[str] = []
    for part in fragment.split("&") if fragment else ():
        match = _EGG.match(part)
        if match is None:
            kept.append(part)
            continue
        egg = match.group(1)
        try:
            canonicalize_name(egg, validate=True)
        except InvalidName:
            raise here.error(
                f"#egg={egg} is not a project name",
                "write '#egg=NAME' with the project's name alone, or 'NAME[extras] @ URL'",
            ) from None
    return egg, "&".join(kept)


def _hash(value: str, here: _Line) -> str:
    algorithm, colon, digest = value.partition(":")
    if not colon:
        raise here.error(
            f"--hash={value} is not ALGORITHM:DIGEST",
            "write it like --hash=sha256:0123abcd... (64 hex digits)",
        )
    expected = _HASH_HEX_DIGITS.get(algorithm)
    if expected is None:
        raise here.error(
            f"hash algorithm {algorithm!r} is not allowed", "use sha256, sha384 or sha512, as pip requires"
        )
    if len(digest) != expected or not _HEX.fullmatch(digest):
        raise here.error(
            f"--hash={value} is not a {algorithm} digest ({expected} hex digits)",
            "copy the hash again from the index or from pip hash",
        )
    return f"{algorithm}:{digest.lower()}"


def _check_constraint(requirement: ProjectRequirement, here: _Line) -> None:
    # pip's resolver refuses the same three: a constraint limits versions, nothing else.
    if requirement.editable:
        raise here.error("a constraint cannot be editable", "move it to a requirements file, or drop -e")
    if requirement.url is not None:
        raise here.error(
            "a constraint cannot be a URL or a path",
            "constrain the version instead (e.g. 'name==1.0'), or move it to a requirements file",
        )
    if requirement.extras:
        raise here.error(
            "a constraint cannot have extras",
            "drop the [...] part: a constraint applies to the package whatever its extras",
        )


def _index_url(value: str, here: _Line) -> str:
    """The URL as written: `${VAR}`s stay for the index list to expand when the run starts,
    so no credential is kept in the Project; checked now when its variables are set."""
    known = expanded_if_set(value, here.environ)
    if known is not None and _split_url(known, here).scheme not in _INDEX_SCHEMES:
        raise here.error(
            f"{redact_credentials(value)!r} is not an index URL",
            "write the index's full URL, e.g. https://pypi.org/simple",
        )
    return value


def _source_name(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _PYPI_HOSTS:
        return "pypi"
    return host or "index"


def _host_matches(url: str, trusted: str) -> bool:
    """pip's --trusted-host: `host` trusts every port of it, `host:port` that port alone."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    trusted = trusted.lower()
    return trusted == host or (port is not None and trusted == f"{host}:{port}")


def _split_url(text: str, here: _Line) -> SplitResult:
    try:
        parts = urlsplit(text)
        _ = parts.port  # a bad port raises only when asked for
    except ValueError as exc:
        raise here.error(f"malformed URL ({exc})") from None
    return parts


def _is_url(text: str) -> bool:
    match = _SCHEME.match(text)
    scheme = match.group(1).lower() if match else ""
    return scheme in _PLAIN_URL_SCHEMES or scheme in _VCS or _is_vcs(scheme)


def _is_vcs(scheme: str) -> bool:
    return "+" in scheme and scheme.split("+", 1)[0] in _VCS


def _not_editable(here: _Line) -> ManifestError:
    return here.error(
        "an editable requirement must be a local project folder or a VCS URL",
        "write -e ./path/to/project or -e git+https://host/repo#egg=NAME, or drop -e",
    )


def _split_marker(text: str, separator: str) -> tuple[str, str | None]:
    head, found, marker = text.partition(separator)
    return head.strip(), (marker.strip() or None) if found else None


def _strip_extras(text: str) -> tuple[str, str]:
    match = _EXTRAS_SUFFIX.match(text)
    return (match.group(1), match.group(2)) if match else (text, "")


def _looks_like_path(text: str) -> bool:
    # pip's test: a separator anywhere, or a leading dot.
    return "/" in text or os.sep in text or bool(os.altsep and os.altsep in text) or text.startswith(".")


def _is_archive(text: str) -> bool:
    return text.lower().endswith(_ARCHIVES)


def _with_fragment(url: str, fragment: str) -> str:
    return f"{url}#{fragment}" if fragment else url


def _local(text: str, here: _Line) -> Path:
    """A local path as messages show it: relative to the working folder when the file's is."""
    return Path(os.path.normpath(here.folder / text))


def _kind(path: Path) -> Literal["file", "dir", "missing"]:
    """What is at `path`; a path the OS cannot even look up counts as missing."""
    try:
        if path.is_dir():
            return "dir"
        if path.exists():
            return "file"
    except (OSError, ValueError):
        pass
    return "missing"


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()
