"""Choosing which of a project's groups (extras, dependency groups, categories) a run locks."""

from __future__ import annotations

from collections.abc import Sequence

from packaging.utils import canonicalize_name

from thoth_cli.errors import UsageError
from thoth_cli.project.model import DEVELOP_GROUP, MAIN, Group, GroupKind, ManifestKind, Project

DEV_GROUP_NAMES = (DEVELOP_GROUP, "dev")


def default_groups(project: Project) -> frozenset[Group]:
    """What the manifest's own tool locks: Pipenv every category; otherwise the main group."""
    if project.kind is ManifestKind.PIPFILE:
        return frozenset(g for g in project.groups if g.kind is not GroupKind.EXTRA) | {MAIN}
    return frozenset({MAIN})


def select_groups(
    project: Project,
    *,
    dev: bool = False,
    groups: Sequence[str] = (),
    extras: Sequence[str] = (),
    all_groups: bool = False,
    all_extras: bool = False,
    no_default: bool = False,
) -> frozenset[Group]:
    """The groups to lock; an unknown name is a usage error listing the ones that exist."""
    defined = set(project.groups)
    chosen: set[Group] = set() if no_default else set(default_groups(project))
    dependency_groups = {g for g in defined if g.kind is GroupKind.GROUP}
    optional = {g for g in defined if g.kind is GroupKind.EXTRA}
    if all_groups:
        chosen |= dependency_groups
    if all_extras:
        chosen |= optional
    if dev:
        found = [g for g in dependency_groups if g.name in DEV_GROUP_NAMES]
        if not found:
            raise UsageError(f"--dev: {project.manifest} defines no dev group{_listing(dependency_groups)}")
        chosen |= set(found)
    for name in groups:
        chosen.add(_find(name, dependency_groups, "--group", project, "group"))
    for name in extras:
        chosen.add(_find(name, optional, "--extra", project, "extra"))
    if not chosen:
        raise UsageError("nothing to lock: --no-default-groups was given without --group or --extra")
    return frozenset(chosen)


def _find(name: str, candidates: set[Group], flag: str, project: Project, noun: str) -> Group:
    wanted = {name, canonicalize_name(name)}
    for group in candidates:
        if group.name in wanted or canonicalize_name(group.name) in wanted:
            return group
    raise UsageError(f"{flag} {name}: {project.manifest} defines no such {noun}{_listing(candidates)}")


def _listing(groups: set[Group]) -> str:
    if not groups:
        return ""
    return " (it has: " + ", ".join(sorted(g.name for g in groups)) + ")"
