"""One Pipfile package entry (`name = "spec"` or a table) read into a `ProjectRequirement`."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import Group, ProjectRequirement
from thoth_cli.project.pep508 import from_requirement, join_markers
from thoth_cli.project.toml_values import TomlDocument, toml_type

VCS_KEYS: tuple[str, ...] = ("git", "hg", "svn", "bzr")
"""Version control systems Pipenv accepts as entry keys (and as `git+...` string values)."""

MARKER_KEYS: tuple[str, ...] = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)
"""PEP 508 environment markers Pipenv takes as shorthand keys: `sys_platform = "== 'win32'"`."""

IGNORED_KEYS: dict[str, str] = {
    "skip_resolver": "is a Pipenv install hint; thoth resolves the package all the same",
    "no_binary": "is not applied; thoth may still choose a wheel for it",
}
"""Keys Pipenv honours that do not change what thoth resolves; reading them leaves a note."""

PACKAGE_KEYS: tuple[str, ...] = (
    "version",
    "extras",
    "markers",
    "index",
    "editable",
    *VCS_KEYS,
    "ref",
    "subdirectory",
    "path",
    "file",
    "hashes",
    "allow_prereleases",
    *MARKER_KEYS,
    *IGNORED_KEYS,
)
"""Every key a package table may hold."""

_DIRECT_KEYS = (*VCS_KEYS, "path", "file")

# Pipenv (through distlib's COMPARE_OP) decides whether a version string already starts with an
# operator before it prefixes `==`; packaging has no public helper for this one test.
_OPERATOR = re.compile(r"^\s*(<=?|>=?|={2,3}|[~!]=)")

# `user@host:path`, the scp-like address git accepts and Pipenv turns into ssh://.
_SCP = re.compile(r"(?P<user>[^@/:\s]+)@(?P<host>[^@/:\s]+):(?P<path>\S+)")

_URL_SCHEMES = frozenset({"http", "https", "ftp", "file"})

_MARKER_EXAMPLES = {
    "os_name": "== 'nt'",
    "sys_platform": "== 'win32'",
    "platform_machine": "== 'x86_64'",
    "platform_python_implementation": "== 'CPython'",
    "platform_system": "== 'Linux'",
    "python_version": ">= '3.9'",
    "python_full_version": ">= '3.9.2'",
    "implementation_name": "== 'cpython'",
}

_SPECIFIER_FIX = 'write a PEP 440 version specifier such as "*", ">=1.0", "==1.2.*" or ">=1.0,<2"'
_MARKER_FIX = "write a PEP 508 marker such as \"sys_platform == 'win32'\" or \"python_version < '3.12'\""


@dataclass(frozen=True)
class PipfileContext(TomlDocument):
    """What reading one entry needs from the rest of the Pipfile: where it is, and its sources."""

    source_names: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        """The Pipfile's folder, absolute, against which local paths are resolved."""
        return Path(os.path.normpath(self.path.absolute().parent))


@dataclass(frozen=True)
class ReadEntry:
    """A requirement read from one entry, and remarks on what was read but not used."""

    requirement: ProjectRequirement
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Head:
    """What the entry's key says: its group, the package name as written, extras written in the key."""

    group: Group
    name: str
    extras: frozenset[str]
    origin: Location


def shown(value: object) -> str:
    """A value as the user wrote it, near enough to find it in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return repr(value)


def wrong_type(location: Location, key: str, expected: str, value: object, fix: str) -> ManifestError:
    """The error for a key whose value has the wrong TOML type."""
    return ManifestError(
        f"{key} must be {expected}, not {toml_type(value)}", location=location, text=shown(value), fix=fix
    )


def unknown_key(location: Location, key: str, known: tuple[str, ...], where: str) -> ManifestError:
    """The error for a key nobody reads, naming the closest known key: usually a typo."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        fix = f"did you mean {close[0]!r}? (a misspelt key would be ignored silently)"
    else:
        fix = "use one of: " + ", ".join(known)
    return ManifestError(f"unknown key in {where}", location=location, text=repr(key), fix=fix)


def expect_str(ctx: PipfileContext, key: tuple[str, ...], value: object, fix: str) -> str:
    if not isinstance(value, str):
        raise wrong_type(ctx.at(*key), key[-1], "a string", value, fix)
    return value


def expect_bool(ctx: PipfileContext, key: tuple[str, ...], value: object) -> bool:
    if not isinstance(value, bool):
        raise wrong_type(
            ctx.at(*key),
            key[-1],
            "true or false",
            value,
            f"write {key[-1]} = true or {key[-1]} = false, without quotes",
        )
    return value


def expect_str_list(ctx: PipfileContext, key: tuple[str, ...], value: object, example: str) -> list[str]:
    fix = f"write {key[-1]} = {example}"
    if isinstance(value, str):
        fix = f"write {key[-1]} = [{json.dumps(value)}]"
    if not isinstance(value, list):
        raise wrong_type(ctx.at(*key), key[-1], "an array of strings", value, fix)
    for item in value:
        if not isinstance(item, str):
            raise wrong_type(ctx.at(*key), f"each of {key[-1]}", "a string", item, fix)
    return list(value)


def parse_name(ctx: PipfileContext, section: str, key: str) -> tuple[str, frozenset[str]]:
    """The package name and any extras written in the key itself (`"requests[socks]" = "*"`)."""
    fix = 'the key is the package\'s name, such as requests or "requests[socks]"; put versions in the value'
    try:
        parsed = Requirement(key)
    except InvalidRequirement:
        parsed = None
    if parsed is None or parsed.specifier or parsed.url or parsed.marker is not None or key != key.strip():
        raise ManifestError("invalid package name", location=ctx.at(section, key), text=repr(key), fix=fix)
    return parsed.name, frozenset(parsed.extras)


def parse_specifier(ctx: PipfileContext, key: tuple[str, ...], raw: str) -> SpecifierSet:
    """A version string read as Pipenv reads it: `*` is any version and a bare version is an exact pin."""
    # Pipenv strips the parentheses old `pip freeze` output put around specifiers.
    text = raw.strip().lstrip("(").rstrip(")").strip()
    if text in ("", "*", "==*"):
        return SpecifierSet()
    if not _OPERATOR.match(text):
        text = f"=={text}"
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        fix = _SPECIFIER_FIX
        stripped = raw.strip()
        if "://" in stripped or stripped.startswith(("./", "../", "/", "~")):
            fix = (
                'a location goes in a table: {path = "./lib"}, {file = "https://host/pkg-1.0.tar.gz"} '
                'or {git = "https://host/repo.git", ref = "v1.0"}'
            )
        raise ManifestError(
            "invalid version specifier", location=ctx.at(*key), text=repr(raw), fix=fix
        ) from None


def _marker(ctx: PipfileContext, key: tuple[str, ...], text: str, fix: str) -> Marker:
    try:
        return Marker(text)
    except InvalidMarker:
        raise ManifestError("invalid marker", location=ctx.at(*key), text=repr(text), fix=fix) from None


def _file_url(ctx: PipfileContext, key: tuple[str, ...], text: str) -> str:
    """A local path as an absolute file:// URL, resolved against the Pipfile's folder."""
    try:
        local = Path(text)
        full = local if local.is_absolute() else ctx.folder / local
        return Path(os.path.normpath(full)).as_uri()
    except ValueError:
        raise ManifestError(
            "invalid path",
            location=ctx.at(*key),
            text=repr(text),
            fix="write a path to a folder or file",
        ) from None


def _vcs_url(
    ctx: PipfileContext,
    key: tuple[str, ...],
    vcs: str,
    raw: str,
    *,
    ref: str | None,
    subdirectory: str | None,
) -> str:
    """A PEP 508 VCS URL (`git+https://host/repo.git@ref#subdirectory=dir`) from a Pipenv VCS entry."""
    text = raw.strip()
    if text.startswith(f"{vcs}+"):
        text = text[len(vcs) + 1 :]
    base, _, fragment = text.partition("#")
    if subdirectory is None:
        subdirectory = dict(parse_qsl(fragment)).get("subdirectory")
    if not base:
        raise ManifestError(
            f"the {vcs} URL is empty",
            location=ctx.at(*key),
            text=repr(raw),
            fix=f'write {vcs} = "https://host/owner/repo.{vcs}"',
        )
    if "://" not in base:
        scp = _SCP.fullmatch(base)
        base = f"ssh://{scp['user']}@{scp['host']}/{scp['path']}" if scp else _file_url(ctx, key, base)
    scheme, _, rest = base.partition("://")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise ManifestError(
            f"invalid {vcs} URL",
            location=ctx.at(*key),
            text=repr(raw),
            fix=f'write {vcs} = "https://host/owner/repo.{vcs}" and the revision as ref = "v1.0"',
        )
    # Pipenv reads a revision written into the URL (`...repo.git@v1.0`); an explicit `ref` wins.
    slash = rest.find("/")
    if slash >= 0 and "@" in rest[slash:]:
        path, _, url_ref = rest[slash:].rpartition("@")
        base = f"{scheme}://{rest[:slash]}{path}"
        ref = ref if ref is not None else url_ref
    url = f"{vcs}+{base}"
    if ref:
        url += f"@{ref}"
    if subdirectory:
        url += f"#subdirectory={subdirectory}"
    return url


def _location_url(ctx: PipfileContext, key: tuple[str, ...], raw: str, subdirectory: str | None) -> str:
    """A `path` or `file` entry as a URL: remote URLs as written, local paths as absolute file:// URLs."""
    text = raw.strip()
    if not text:
        raise ManifestError(
            f"{key[-1]} is empty",
            location=ctx.at(*key),
            text=repr(raw),
            fix=f'write {key[-1]} = "./path/to/package" or a URL',
        )
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        scheme = ""
    url = text if scheme in _URL_SCHEMES and "://" in text else _file_url(ctx, key, text)
    if subdirectory:
        url += ("&" if "#" in url else "#") + f"subdirectory={subdirectory}"
    return url


def _check_hashes(ctx: PipfileContext, key: tuple[str, ...], hashes: list[str]) -> tuple[str, ...]:
    for value in hashes:
        algorithm, _, digest = value.partition(":")
        if algorithm not in hashlib.algorithms_guaranteed or not re.fullmatch(r"[0-9a-fA-F]+", digest):
            raise ManifestError(
                "invalid hash",
                location=ctx.at(*key),
                text=repr(value),
                fix="write each hash as 'sha256:<hex digest>'",
            )
    return tuple(hashes)


def _check_index(ctx: PipfileContext, key: tuple[str, ...], name: str) -> str | None:
    if name in ctx.source_names:
        return name
    if not ctx.source_names and name == "pypi":
        return None  # Pipenv's implicit default source is PyPI, which Project.sources=() already means
    if ctx.source_names:
        defined = ", ".join(repr(source) for source in ctx.source_names)
        fix = f'use one of the defined sources ({defined}) or add a [[source]] with name = "{name}"'
    else:
        fix = f'no [[source]] is defined, so only "pypi" can be named; add a [[source]] with name = "{name}"'
    raise ManifestError("index names no [[source]]", location=ctx.at(*key), text=repr(name), fix=fix)


def read_entry(ctx: PipfileContext, section: str, group: Group, key: str, value: object) -> ReadEntry:
    """Read the entry `key = value` of the package table `section` into a requirement of `group`."""
    name, extras = parse_name(ctx, section, key)
    where = (section, key)
    head = _Head(group, name, extras, ctx.at(section, key))
    if isinstance(value, str):
        return _from_string(ctx, where, head, value)
    if isinstance(value, dict):
        return _from_table(ctx, where, head, value)
    quoted = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fix = f'quote the version: {quoted} = "=={value}"'
    else:
        fix = f'write {quoted} = "*" for any version, or a table such as {quoted} = {{version = ">=1.0"}}'
    raise ManifestError(
        f"a package must be a version string or a table, not {toml_type(value)}",
        location=ctx.at(*where),
        text=shown(value),
        fix=fix,
    )


def _from_string(ctx: PipfileContext, where: tuple[str, str], head: _Head, value: str) -> ReadEntry:
    vcs = next((vcs for vcs in VCS_KEYS if value.strip().startswith(f"{vcs}+")), None)
    if vcs is not None:
        url = _vcs_url(ctx, where, vcs, value, ref=None, subdirectory=None)
        return ReadEntry(_build(ctx, where, head, url=url, url_key=where))
    return ReadEntry(_build(ctx, where, head, specifier=parse_specifier(ctx, where, value)))


def _from_table(
    ctx: PipfileContext, where: tuple[str, str], head: _Head, table: dict[str, object]
) -> ReadEntry:
    for key in table:
        if key not in PACKAGE_KEYS:
            raise unknown_key(ctx.at(*where, key), key, PACKAGE_KEYS, "a package table")
    notes: list[str] = []
    label = ".".join(where)

    strings: dict[str, str] = {}
    for key in ("version", "markers", "index", *_DIRECT_KEYS, "ref", "subdirectory", *MARKER_KEYS):
        if key in table:
            strings[key] = expect_str(ctx, (*where, key), table[key], _string_fix(key))
    flags: dict[str, bool] = {}
    for key in ("editable", "allow_prereleases", *IGNORED_KEYS):
        if key in table:
            flags[key] = expect_bool(ctx, (*where, key), table[key])
    extras = set(head.extras)
    if "extras" in table:
        for extra in expect_str_list(ctx, (*where, "extras"), table["extras"], '["socks", "security"]'):
            try:
                canonicalize_name(extra, validate=True)
            except InvalidName:
                raise ManifestError(
                    "invalid extra name",
                    location=ctx.at(*where, "extras"),
                    text=repr(extra),
                    fix='an extra is a name such as "socks"; write extras = ["socks", "security"]',
                ) from None
            extras.add(extra)
    hashes: tuple[str, ...] = ()
    if "hashes" in table:
        hashes_key = (*where, "hashes")
        hashes = _check_hashes(
            ctx, hashes_key, expect_str_list(ctx, hashes_key, table["hashes"], '["sha256:..."]')
        )

    direct = [key for key in _DIRECT_KEYS if key in strings]
    if len(direct) > 1:
        raise ManifestError(
            f"{direct[0]} and {direct[1]} both give the package's location",
            location=ctx.at(*where, direct[1]),
            text=repr(strings[direct[1]]),
            fix=f"keep either {direct[0]} or {direct[1]}",
        )
    vcs = direct[0] if direct and direct[0] in VCS_KEYS else None
    if "ref" in strings and vcs is None:
        raise ManifestError(
            "ref applies only to git, hg, svn and bzr entries",
            location=ctx.at(*where, "ref"),
            text=repr(strings["ref"]),
            fix='add the repository, e.g. git = "https://host/owner/repo.git", or remove ref',
        )
    if strings.get("ref") == "":
        raise ManifestError(
            "ref is empty",
            location=ctx.at(*where, "ref"),
            text="''",
            fix='name a branch, tag or commit, e.g. ref = "v1.0", or remove ref',
        )

    url: str | None = None
    url_key: tuple[str, ...] = where
    if direct:
        url_key = (*where, direct[0])
        subdirectory = strings.get("subdirectory") or None
        if vcs is not None:
            url = _vcs_url(ctx, url_key, vcs, strings[vcs], ref=strings.get("ref"), subdirectory=subdirectory)
        else:
            url = _location_url(ctx, url_key, strings[direct[0]], subdirectory)
    elif "subdirectory" in strings:
        raise ManifestError(
            "subdirectory applies only to git, hg, svn, bzr, path and file entries",
            location=ctx.at(*where, "subdirectory"),
            text=repr(strings["subdirectory"]),
            fix="add the package's location, or remove subdirectory",
        )

    specifier = SpecifierSet()
    if "version" in strings:
        specifier = parse_specifier(ctx, (*where, "version"), strings["version"])
        if url is not None and specifier:
            notes.append(
                f"{label}: version {strings['version']!r} is ignored, as Pipenv ignores it: "
                f"a {direct[0]} entry is taken as it is"
            )
            specifier = SpecifierSet()

    marker = _table_marker(ctx, where, table, strings)

    index = _check_index(ctx, (*where, "index"), strings["index"]) if "index" in strings else None
    editable = flags.get("editable", False)
    if editable and url is None:
        notes.append(
            f"{label}: editable is ignored: only git, hg, svn, bzr, path and file entries are editable"
        )
        editable = False
    notes.extend(f"{label}: {key} {IGNORED_KEYS[key]}" for key in IGNORED_KEYS if flags.get(key))

    requirement = _build(
        ctx,
        where,
        _Head(head.group, head.name, frozenset(extras), head.origin),
        url_key=url_key,
        specifier=specifier,
        marker=marker,
        url=url,
        index=index,
        editable=editable,
        allow_prereleases=flags.get("allow_prereleases", False),
        hashes=hashes,
    )
    return ReadEntry(requirement, tuple(notes))


def _string_fix(key: str) -> str:
    if key in MARKER_KEYS:
        return f'write {key} = "{_MARKER_EXAMPLES.get(key, "== value")}"'
    examples = {
        "version": 'write version = ">=1.0" (or "*" for any version)',
        "markers": "write markers = \"sys_platform == 'linux'\"",
        "index": 'write index = "<name of a [[source]]>"',
        "ref": 'write ref = "v1.0" (a branch, tag or commit)',
        "subdirectory": 'write subdirectory = "path/in/repo"',
        "path": 'write path = "./path/to/package"',
        "file": 'write file = "https://host/pkg-1.0.tar.gz"',
    }
    return examples.get(key, f'write {key} = "https://host/owner/repo.{key}"')


def _table_marker(
    ctx: PipfileContext, where: tuple[str, str], table: dict[str, object], strings: dict[str, str]
) -> Marker | None:
    """`markers` and the shorthand marker keys, each checked on its own, ANDed in the order written."""
    parts: list[str] = []
    for key in table:
        if key == "markers":
            text = strings[key].strip()
            if text:
                _marker(ctx, (*where, key), text, _MARKER_FIX)
                parts.append(text)
        elif key in MARKER_KEYS:
            text = f"{key} {strings[key].strip()}"
            example = _MARKER_EXAMPLES.get(key, "== 'value'")
            _marker(
                ctx,
                (*where, key),
                text,
                f'a {key} key takes an operator and a quoted value, e.g. {key} = "{example}"',
            )
            parts.append(text)
    return join_markers(*(Marker(part) for part in parts))


def _build(
    ctx: PipfileContext,
    where: tuple[str, str],
    head: _Head,
    *,
    url_key: tuple[str, ...] = (),
    specifier: SpecifierSet | None = None,
    marker: Marker | None = None,
    url: str | None = None,
    index: str | None = None,
    editable: bool = False,
    allow_prereleases: bool = False,
    hashes: tuple[str, ...] = (),
) -> ProjectRequirement:
    """Assemble the PEP 508 form and let packaging parse it, so every reader yields the same shape."""
    text = head.name
    if head.extras:
        text += "[" + ",".join(sorted(head.extras)) + "]"
    text += f" @ {url}" if url is not None else str(specifier or "")
    if marker is not None:
        text += f" ; {marker}"
    try:
        parsed = Requirement(text)
    except InvalidRequirement:
        if url is None:  # pragma: no cover - every part was checked on its own above
            raise ManifestError("invalid requirement", location=ctx.at(*where), text=repr(text)) from None
        raise ManifestError(
            "invalid URL",
            location=ctx.at(*url_key),
            text=repr(url),
            fix='write a URL without spaces, e.g. "https://host/owner/repo.git" (spaces go as %20)',
        ) from None
    return replace(
        from_requirement(parsed, location=head.origin, group=head.group),
        index=index,
        allow_prereleases=allow_prereleases,
        editable=editable,
        hashes=hashes,
    )
