"""`thoth advise`: resolve the project for a target and write its lock file."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from packaging.utils import canonicalize_name
from rich.markup import escape
from rich.table import Table

from thoth_cli.adviser import Advice, AdviseRequest, IndexOptions, advise, output_path
from thoth_cli.cli.console import Consoles
from thoth_cli.cli.options import parse_cutoff, parse_package_values
from thoth_cli.errors import UsageError
from thoth_cli.groups import select_groups
from thoth_cli.index.http import HttpSettings
from thoth_cli.lock.formats import LockFormat
from thoth_cli.project.load import load_project
from thoth_cli.project.model import Project, ProjectRequirement
from thoth_cli.resolver.policy import IndexStrategyName, PrereleaseMode, ResolutionPolicy
from thoth_cli.target import Target


@click.command()
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The manifest to read (default: found in the current folder).",
)
@click.option(
    "--lock-format",
    type=click.Choice([f.value for f in LockFormat]),
    default=None,
    help="Lock format (default: follows the manifest).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the lock here instead of next to the manifest.",
)
@click.option("--dry-run", is_flag=True, help="Resolve and report, write nothing.")
@click.option(
    "-t",
    "--recommendation-type",
    type=click.Choice(["latest"]),
    default="latest",
    show_default=True,
    help="What to optimise for.",
)
@click.option(
    "--python-version",
    default=None,
    help="Target Python: 3.12 (means 3.12.0), 3.12.4, 3.13t (default: this interpreter).",
)
@click.option(
    "--platform",
    default=None,
    help="Target platform tag: manylinux_2_28_x86_64, macosx_14_0_arm64, win_amd64, "
    "musllinux_1_2_aarch64 (default: this machine).",
)
@click.option("--dev", is_flag=True, help="Also lock the dev group (Pipfile dev-packages, 'dev').")
@click.option("--group", "groups", multiple=True, metavar="NAME", help="Also lock this group.")
@click.option("--extra", "extras", multiple=True, metavar="NAME", help="Also lock this extra.")
@click.option("--all-groups", is_flag=True, help="Lock every dependency group.")
@click.option("--all-extras", is_flag=True, help="Lock every extra.")
@click.option("--no-default-groups", is_flag=True, help="Leave out the main requirements.")
@click.option(
    "-c",
    "--constraint",
    "constraints",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A constraints file (pip format).",
)
@click.option(
    "--prerelease",
    type=click.Choice([m.value for m in PrereleaseMode]),
    default=None,
    help="When pre-releases may be chosen [default: if-necessary-or-explicit].",
)
@click.option("--pre", is_flag=True, help="Same as --prerelease allow.")
@click.option(
    "--exclude-newer",
    default=None,
    metavar="DATE|DURATION",
    help="Ignore files uploaded after this date (2024-05-01, 2024-05-01T12:00:00Z) "
    "or this long ago (7d, 2 weeks).",
)
@click.option(
    "--exclude-newer-package",
    multiple=True,
    metavar="NAME=DATE|DURATION",
    help="--exclude-newer for one package.",
)
@click.option("-U", "--upgrade", is_flag=True, help="Release every pin of the existing lock.")
@click.option(
    "-P",
    "--upgrade-package",
    multiple=True,
    metavar="NAME",
    help="Release this package's pin of the existing lock.",
)
@click.option(
    "--allow-build",
    is_flag=True,
    help="Run an sdist's build backend to learn its dependencies when they are dynamic.",
)
@click.option(
    "-i",
    "--index-url",
    default=None,
    envvar="THOTH_INDEX_URL",
    help="Replace the primary index (default: the manifest's, else PyPI).",
)
@click.option(
    "--extra-index-url",
    multiple=True,
    envvar="THOTH_EXTRA_INDEX_URL",
    help="Another index to consult after the others.",
)
@click.option(
    "--index-strategy",
    type=click.Choice([s.value for s in IndexStrategyName]),
    default=IndexStrategyName.FIRST_INDEX.value,
    show_default=True,
    help="first-index: a name comes from the first index that has it (defends against "
    "dependency confusion); unsafe-best-match: the best version across all indexes.",
)
@click.option("--offline", is_flag=True, help="Use only the cache.")
@click.option("--refresh", is_flag=True, help="Revalidate every cached index page.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="THOTH_CACHE_DIR",
    default=None,
    help="Cache folder (default: the user cache folder).",
)
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds an index page stays fresh when the server does not say.",
)
@click.pass_obj
def advise_command(
    consoles: Consoles,
    manifest_path: Path | None,
    lock_format: str | None,
    output: Path | None,
    dry_run: bool,
    recommendation_type: str,
    python_version: str | None,
    platform: str | None,
    dev: bool,
    groups: tuple[str, ...],
    extras: tuple[str, ...],
    all_groups: bool,
    all_extras: bool,
    no_default_groups: bool,
    constraints: tuple[Path, ...],
    prerelease: str | None,
    pre: bool,
    exclude_newer: str | None,
    exclude_newer_package: tuple[str, ...],
    upgrade: bool,
    upgrade_package: tuple[str, ...],
    allow_build: bool,
    index_url: str | None,
    extra_index_url: tuple[str, ...],
    index_strategy: str,
    offline: bool,
    refresh: bool,
    cache_dir: Path | None,
    cache_ttl: float,
) -> None:
    """Resolve the project for the target environment and write its lock file."""
    project = load_project(manifest_path)
    for note in project.notes:
        consoles.debug(note)
    project = _with_constraints(project, constraints)
    target = Target.from_options(python_version or manifest_python(project), platform)
    check_requires_python(project, target)
    chosen_format = LockFormat(lock_format) if lock_format else LockFormat.for_manifest(project)
    now = datetime.now(timezone.utc)
    policy = ResolutionPolicy(
        prerelease=_prerelease_mode(project, prerelease, pre),
        prerelease_packages=project.prerelease_packages
        | frozenset(r.name for r in project.requirements if r.allow_prereleases),
        exclude_newer=parse_cutoff(exclude_newer, now=now) if exclude_newer else None,
        exclude_newer_packages={
            name: parse_cutoff(value, now=now, option="--exclude-newer-package")
            for name, value in parse_package_values(exclude_newer_package, "--exclude-newer-package")
        },
        allow_build=allow_build,
        upgrade=upgrade,
        upgrade_packages=frozenset(canonicalize_name(n) for n in upgrade_package),
    )
    request = AdviseRequest(
        project=project,
        target=target,
        groups=select_groups(
            project,
            dev=dev,
            groups=groups,
            extras=extras,
            all_groups=all_groups,
            all_extras=all_extras,
            no_default=no_default_groups,
        ),
        policy=policy,
        index=IndexOptions(
            index_url=index_url,
            extra_index_urls=extra_index_url,
            strategy=IndexStrategyName(index_strategy),
            cache_dir=cache_dir,
            http=HttpSettings(offline=offline, refresh=refresh, ttl=cache_ttl),
        ),
        lock_format=chosen_format,
        output=output_path(project, chosen_format, output),
        dry_run=dry_run,
    )
    consoles.info(f"resolving {project.manifest} for {target.describe()}")
    advice = advise(
        request,
        on_build=lambda candidate: consoles.warning(
            f"building {candidate} from its sdist to learn its dependencies: this runs code "
            "from the index (--allow-build)"
        ),
    )
    show_advice(consoles, advice)


def manifest_python(project: Project) -> str | None:
    """The Python a manifest names (Pipfile `[requires]`), when it differs from this one.

    Pipenv would run that interpreter, so it is the sensible default target; with the same
    X.Y as the running interpreter, the running one's full version is more precise.
    """
    stated = project.python_version
    if not stated:
        return None
    if stated.count(".") == 1 and stated == "{}.{}".format(*sys.version_info[:2]):
        return None
    return stated


def check_requires_python(project: Project, target: Target) -> None:
    """A lock for a Python the project does not support would install, then break."""
    spec = project.requires_python
    if spec is None or spec.contains(target.python_full_version, prereleases=True):
        return
    raise UsageError(
        f"the target Python {target.python_full_version} is outside the project's requires-python "
        f"{spec} ({project.manifest})",
        fix="pass --python-version with a version the project supports",
    )


def _prerelease_mode(project: Project, flag: str | None, pre: bool) -> PrereleaseMode:
    if pre:
        return PrereleaseMode.ALLOW
    if flag:
        return PrereleaseMode(flag)
    if project.allow_prereleases:
        return PrereleaseMode.ALLOW
    return PrereleaseMode.IF_NECESSARY_OR_EXPLICIT


def _with_constraints(project: Project, files: tuple[Path, ...]) -> Project:
    if not files:
        return project
    from dataclasses import replace

    from thoth_cli.project.requirements import RequirementsReader

    extra: list[ProjectRequirement] = []
    for path in files:
        read = RequirementsReader().read(path)
        extra.extend(read.requirements)
        extra.extend(read.constraints)
    return replace(project, constraints=(*project.constraints, *extra))


def show_advice(consoles: Consoles, advice: Advice) -> None:
    """The chosen stack as a table (stdout), and where the lock went (stderr)."""
    stack = advice.resolution.stack
    previous = {p.name: p.version for p in advice.previous.packages} if advice.previous else {}
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("package")
    table.add_column("version")
    table.add_column("change")
    for package in stack.packages:
        old = previous.get(package.name)
        if advice.previous is None:
            change = ""
        elif old is None:
            change = "added"
        elif old == package.version:
            change = ""
        else:
            change = f"{'upgraded' if package.version > old else 'downgraded'} from {old}"
        table.add_row(escape(package.display_name), escape(str(package.version)), escape(change))
    if consoles.verbosity >= 0:
        consoles.out.print(table)
    for package in stack.packages:
        if package.yanked_reason:
            consoles.warning(
                f"{package.display_name} {package.version} is yanked ({package.yanked_reason}); "
                "it was used because it is pinned exactly"
            )
    for req in advice.resolution.skipped_by_marker:
        consoles.debug(f"left out {req} (its marker is false on the target)")
    if advice.written is not None:
        consoles.info(f"wrote {advice.written} ({len(stack)} packages, {advice.request.target.describe()})")
    else:
        consoles.info(f"dry run: {len(stack)} packages resolved, nothing written")
