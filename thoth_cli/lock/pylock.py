"""pylock.toml (PEP 751): writing a stack as one, and reading one back into a `LockFile`."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import tomli_w
from packaging.markers import Marker
from packaging.pylock import (
    Package,
    PackageSdist,
    PackageWheel,
    Pylock,
    PylockUnsupportedVersionError,
    PylockValidationError,
)
from packaging.utils import NormalizedName, canonicalize_name

from thoth_cli.errors import InputError, Location, ManifestError
from thoth_cli.index.model import DistributionFile, redact
from thoth_cli.lock.model import (
    CREATED_BY,
    LockedFile,
    LockedPackage,
    LockFile,
    LockFormat,
    LockTarget,
    file_sha256,
)
from thoth_cli.project.model import MAIN, Group, GroupKind, Project
from thoth_cli.stack import Edge, Justification, JustificationType, PinnedPackage, Stack

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LOCK_VERSION = "1.0"
DEFAULT_GROUP_NAME = "default"
"""The synthetic group PEP 751 `default-groups` names for what installs by default."""

TOOL = "thoth"

# The marker variables that say which machine and interpreter a lock was made for; the
# rest of a marker environment (kernel release, platform version) is too narrow to share.
_ENVIRONMENT_KEYS = ("sys_platform", "platform_machine")


def pylock_text(project: Project, stack: Stack, target: LockTarget, *, created_by: str = CREATED_BY) -> str:
    """The pylock.toml for `stack`, resolved from `project` for `target`; same inputs, same bytes."""
    return tomli_w.dumps(pylock_data(project, stack, target, created_by=created_by))


def pylock_data(
    project: Project, stack: Stack, target: LockTarget, *, created_by: str = CREATED_BY
) -> dict[str, Any]:
    """The pylock.toml as TOML-ready data (keys in PEP 751's order, packages sorted)."""
    # Only what was locked: an installer asked for a group left out would install nothing of
    # it and report success.
    locked = stack.groups or frozenset(project.groups)
    groups = set(locked) | {group for package in stack for group in package.groups}
    data: dict[str, Any] = {
        "lock-version": LOCK_VERSION,
        "environments": [environment_marker(target)],
    }
    if project.requires_python is not None and str(project.requires_python):
        data["requires-python"] = str(project.requires_python)
    # PEP 751 asks for explicit empty lists when the project has no extras or groups: the
    # lock is then known to cover every way the project can be installed.
    data["extras"] = sorted({canonicalize_name(g.name) for g in groups if g.kind is GroupKind.EXTRA})
    data["dependency-groups"] = sorted({g.name for g in groups if g.kind is GroupKind.GROUP})
    data["default-groups"] = [DEFAULT_GROUP_NAME]
    data["created-by"] = created_by
    data["packages"] = [_package(package, stack) for package in _sorted(stack)]
    data["tool"] = {TOOL: _stack_tool(project, stack, target)}
    return data


def environment_marker(target: LockTarget) -> str:
    """The one environment the lock was made for, as a PEP 508 marker.

    The lock claims `python_version == "X.Y"`, so that it installs on any patch release,
    unless the user asked for an exact X.Y.Z (`python_full_version`): pip refuses a lock
    whose environments the running interpreter does not match.
    """
    environment = target.marker_environment()
    clauses = [f'{key} == "{environment[key]}"' for key in _ENVIRONMENT_KEYS if key in environment]
    if target.python_version_exact or "python_version" not in environment:
        clauses.append(f'python_full_version == "{target.python_full_version}"')
    else:
        clauses.append(f'python_version == "{environment["python_version"]}"')
    if "implementation_name" in environment:
        clauses.append(f'implementation_name == "{environment["implementation_name"]}"')
    return _single_quoted(Marker(" and ".join(clauses)))


def group_marker(groups: frozenset[Group]) -> str | None:
    """PEP 751's marker for a package only some groups need; None when the default install needs it."""
    if not groups or MAIN in groups:
        return None
    named = sorted(f'"{g.name}" in dependency_groups' for g in groups if g.kind is not GroupKind.EXTRA)
    extras = sorted(f'"{canonicalize_name(g.name)}" in extras' for g in groups if g.kind is GroupKind.EXTRA)
    return _single_quoted(Marker(" or ".join(named + extras)))


def _single_quoted(marker: Marker) -> str:
    """The marker as PEP 751's examples write it, so that TOML need not escape its quotes."""
    return str(marker).replace('"', "'")


def manifest_sha256(path: Path) -> str:
    """The sha256 of the manifest's bytes, recorded so that `thoth check` can tell it changed."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        problem = f"cannot read the manifest ({exc.strerror or exc})"
        raise ManifestError(problem, location=Location(path)) from None


def required_by(stack: Stack, edge: Edge) -> str:
    """`requests 2.31.0: urllib3<3,>=1.21.1`, or `project: requests>=2.31` for a direct requirement."""
    if edge.parent is None:
        return f"project: {edge.requirement}"
    parent = stack.get(edge.parent)
    who = f"{edge.parent} {parent.version}" if parent is not None else edge.parent
    return f"{who}: {edge.requirement}"


def _sorted(stack: Stack) -> list[PinnedPackage]:
    return sorted(stack, key=lambda package: (package.name, package.version))


def _package(package: PinnedPackage, stack: Stack) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": package.name, "version": str(package.version)}
    marker = group_marker(package.groups)
    if marker is not None:
        entry["marker"] = marker
    dependencies = sorted({edge.child for edge in stack.dependencies_of(package.name)})
    if dependencies:
        entry["dependencies"] = [_dependency(stack, name) for name in dependencies]
    entry["index"] = package.index.display_url
    # PEP 751 has room for one sdist: the standard .tar.gz (PEP 625) when there are several.
    sdists = sorted(
        (file for file in package.files if not file.is_wheel),
        key=lambda file: (not file.filename.endswith(".tar.gz"), file.filename),
    )
    wheels = sorted((file for file in package.files if file.is_wheel), key=lambda file: file.filename)
    if sdists:
        entry["sdist"] = _file(package, sdists[0])
    if wheels:
        entry["wheels"] = [_file(package, wheel) for wheel in wheels]
    entry["tool"] = {TOOL: _package_tool(package, stack)}
    return entry


def _dependency(stack: Stack, name: NormalizedName) -> dict[str, str]:
    child = stack.get(name)
    if child is None:
        return {"name": name}
    return {"name": name, "version": str(child.version)}


def _file(package: PinnedPackage, file: DistributionFile) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": file.filename}
    if file.upload_time is not None:
        entry["upload-time"] = _utc(file.upload_time)
    entry["url"] = redact(file.url)
    if file.size is not None:
        entry["size"] = file.size
    entry["hashes"] = {"sha256": file_sha256(package, file)}
    return entry


def _utc(moment: datetime) -> datetime:
    """PEP 751 upload times are UTC; an index that gives no zone means UTC too (PEP 700)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _package_tool(package: PinnedPackage, stack: Stack) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "score": float(package.score),
        "direct": package.direct,
        "groups": [str(group) for group in sorted(package.groups or {MAIN}, key=_group_order)],
    }
    if package.extras:
        tool["extras"] = sorted(package.extras)
    tool["required-by"] = sorted(required_by(stack, edge) for edge in stack.dependents_of(package.name))
    if package.yanked_reason is not None:
        tool["yanked"] = package.yanked_reason
    if package.justifications:
        tool["justifications"] = [_justification(j, with_package=False) for j in package.justifications]
    return tool


def _group_order(group: Group) -> tuple[bool, str, str]:
    return (group != MAIN, group.kind.value, group.name)


def _stack_tool(project: Project, stack: Stack, target: LockTarget) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "manifest": project.manifest.name,
        "manifest-sha256": manifest_sha256(project.manifest),
        "score": float(stack.score),
    }
    kind = getattr(target, "recommendation_type", "latest")
    if kind != "latest":
        # Written only when it is not the default, so latest locks stay as they were.
        tool["recommendation-type"] = kind
    if stack.skipped_dependencies:
        tool["skipped-dependencies"] = sorted(stack.skipped_dependencies)
    if stack.justifications:
        tool["justifications"] = [_justification(j, with_package=True) for j in stack.justifications]
    tool["target"] = _without_none(target.as_dict())
    return tool


def _justification(justification: Justification, *, with_package: bool) -> dict[str, str]:
    table = {"type": justification.type.value, "message": justification.message}
    optional = {"link": justification.link, "unit": justification.unit}
    if with_package:
        optional.update(package=justification.package, version=justification.version)
    table.update({key: value for key, value in optional.items() if value is not None})
    return table


def _without_none(value: Any) -> Any:
    """TOML has no null: absent values are left out."""
    if isinstance(value, Mapping):
        return {str(k): _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(v) for v in value if v is not None]
    return value


# Reading ---------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_PACKAGE_CONTEXT = re.compile(r"^packages\[(\d+)\]")
_PACKAGES_HEADER = re.compile(r"^\s*\[\[\s*packages\s*\]\]\s*(?:#.*)?$")
_FIX = "write the lock again with `thoth advise`, or correct the key as PEP 751 describes"


def read_pylock(path: Path, text: str) -> LockFile:
    """Read a pylock.toml's text; anything PEP 751 does not allow is an InputError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        line = int(match.group(1)) if match else None
        lines = text.splitlines()
        snippet = lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else None
        raise InputError(
            f"invalid TOML: {_lower_first(_TOML_POSITION.sub('', str(exc)).strip().rstrip('.'))}",
            location=Location(path, line=line),
            text=snippet or None,
            fix="correct the TOML syntax on that line, or write the lock again",
        ) from None
    try:
        lock = Pylock.from_dict(data)
    except PylockUnsupportedVersionError as exc:
        raise InputError(
            f"unsupported lock-version ({exc.message})",
            location=Location(path, line=_line_of(text, "lock-version"), key="lock-version"),
            fix="use a thoth that reads this lock-version, or write the lock again with `thoth advise`",
        ) from None
    except PylockValidationError as exc:
        raise InputError(
            f"not a valid pylock.toml ({_lower_first(exc.message)})",
            location=Location(path, line=_line_of(text, exc.context), key=exc.context),
            fix=_FIX,
        ) from None
    reader = _ToolReader(path, text)
    lock_tool = reader.table(lock.tool, "tool")
    packages = tuple(
        _locked(reader, index, package, lock.dependency_groups or (), lock.extras or ())
        for index, package in enumerate(lock.packages)
    )
    index_urls = tuple(dict.fromkeys(p.index_url for p in packages if p.index_url is not None))
    target = lock_tool.get("target")
    return LockFile(
        path=path,
        format=LockFormat.PYLOCK,
        packages=packages,
        index_urls=index_urls,
        requires_python=str(lock.requires_python) if lock.requires_python is not None else None,
        created_by=lock.created_by,
        manifest_sha256=reader.optional(lock_tool, "manifest-sha256", str, "tool.thoth"),
        target=target if isinstance(target, Mapping) else None,
        score=reader.number(lock_tool, "score", "tool.thoth"),
        justifications=reader.justifications(lock_tool, "tool.thoth"),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _locked(
    reader: _ToolReader,
    index: int,
    package: Package,
    dependency_groups: Sequence[str],
    extras: Sequence[str],
) -> LockedPackage:
    where = f"packages[{index}].tool.thoth"
    tool = reader.table(package.tool, f"packages[{index}].tool")
    files: list[LockedFile] = []
    if package.sdist is not None:
        files.append(_locked_file(package.sdist))
    files.extend(_locked_file(wheel) for wheel in package.wheels or ())
    hashes = tuple(sorted({f"sha256:{file.sha256}" for file in files if file.sha256}))
    groups_text = reader.optional(tool, "groups", list, where)
    if groups_text is not None:
        groups = frozenset(reader.group(text, f"{where}.groups") for text in groups_text)
    else:
        groups = _groups_from_marker(package.marker, dependency_groups, extras)
    extras_list = reader.optional(tool, "extras", list, where) or []
    return LockedPackage(
        name=package.name,
        version=package.version,
        index_url=package.index,
        hashes=hashes,
        files=tuple(files),
        groups=groups,
        extras=frozenset(str(extra) for extra in extras_list),
        marker=str(package.marker) if package.marker is not None else None,
        direct=reader.optional(tool, "direct", bool, where),
        score=reader.number(tool, "score", where),
        justifications=reader.justifications(tool, where),
        required_by=tuple(str(text) for text in reader.optional(tool, "required-by", list, where) or ()),
        dependencies=tuple(
            canonicalize_name(str(dependency.get("name", "")))
            for dependency in package.dependencies or ()
            if dependency.get("name")
        ),
    )


def _locked_file(file: PackageSdist | PackageWheel) -> LockedFile:
    return LockedFile(filename=file.filename, url=file.url, sha256=file.hashes.get("sha256"), size=file.size)


def _groups_from_marker(
    marker: Marker | None, dependency_groups: Sequence[str], extras: Sequence[str]
) -> frozenset[Group]:
    """Which groups a package belongs to, when only its PEP 751 marker says so."""
    if marker is None:
        return frozenset({MAIN})
    found: set[Group] = set()
    if _holds(marker, groups=frozenset({DEFAULT_GROUP_NAME}), extras=frozenset()):
        found.add(MAIN)
    found.update(
        Group(GroupKind.GROUP, name)
        for name in dependency_groups
        if _holds(marker, groups=frozenset({name}), extras=frozenset())
    )
    found.update(
        Group(GroupKind.EXTRA, name)
        for name in extras
        if _holds(marker, groups=frozenset(), extras=frozenset({name}))
    )
    return frozenset(found)


def _holds(marker: Marker, *, groups: frozenset[str], extras: frozenset[str]) -> bool:
    environment: dict[str, Any] = {"dependency_groups": groups, "extras": extras}
    return marker.evaluate(environment, context="lock_file")


def _line_of(text: str, context: str | None) -> int | None:
    """The line a validation error's context points at: the package's `[[packages]]` header, or a key."""
    if not context:
        return None
    match = _PACKAGE_CONTEXT.match(context)
    if match:
        wanted = int(match.group(1))
        seen = -1
        for number, line in enumerate(text.splitlines(), start=1):
            if _PACKAGES_HEADER.match(line):
                seen += 1
                if seen == wanted:
                    return number
        return None
    from thoth_cli.project.toml import key_line

    return key_line(text, (context.split(".")[0].split("[")[0],))


class _ToolReader:
    """Reads thoth's own `[tool.thoth]` tables, where a wrong type is an InputError naming the key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, key: str, problem: str, value: object) -> InputError:
        return InputError(
            problem,
            location=Location(self.path, line=_line_of(self.text, key), key=key),
            text=repr(value),
            fix=_FIX,
        )

    def table(self, tool: Mapping[str, Any] | None, where: str) -> Mapping[str, Any]:
        if tool is None:
            return {}
        value = tool.get(TOOL)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f"{where}.{TOOL}", "expected a table", value)
        return value

    def optional(self, table: Mapping[str, Any], key: str, kind: type[Any], where: str) -> Any:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.error(f"{where}.{key}", f"expected a {_KIND_NAMES.get(kind, kind.__name__)}", value)
        return value

    def number(self, table: Mapping[str, Any], key: str, where: str) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"{where}.{key}", "expected a number", value)
        return float(value)

    def group(self, text: object, key: str) -> Group:
        if not isinstance(text, str) or not text:
            raise self.error(key, "expected a group such as 'default', 'group:dev' or 'extra:socks'", text)
        kind, _, name = text.partition(":")
        if not name:
            return MAIN if kind == MAIN.name else Group(GroupKind.GROUP, kind)
        try:
            return Group(GroupKind(kind), name)
        except ValueError:
            raise self.error(
                key, "expected a group such as 'default', 'group:dev' or 'extra:socks'", text
            ) from None

    def justifications(self, table: Mapping[str, Any], where: str) -> tuple[Justification, ...]:
        items = self.optional(table, "justifications", list, where) or []
        found: list[Justification] = []
        for position, item in enumerate(items):
            key = f"{where}.justifications[{position}]"
            if not isinstance(item, Mapping):
                raise self.error(key, "expected a table with type and message", item)
            try:
                kind = JustificationType(item.get("type"))
            except ValueError:
                raise self.error(f"{key}.type", "expected INFO, WARNING or ERROR", item.get("type")) from None
            message = item.get("message")
            if not isinstance(message, str):
                raise self.error(f"{key}.message", "expected a string", message)
            link, package, version, unit = (
                self.optional(item, name, str, key) for name in ("link", "package", "version", "unit")
            )
            found.append(Justification(kind, message, link=link, package=package, version=version, unit=unit))
        return tuple(found)


_KIND_NAMES = {str: "string", bool: "boolean (true or false)", list: "list"}
