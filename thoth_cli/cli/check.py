"""`thoth check`: whether a lock is current, fits the target, and has no yanked or known-vulnerable pin."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from thoth_cli.check import (
    CheckName,
    CheckReport,
    Outcome,
    Status,
    check_current,
    check_environment,
    check_vulnerabilities,
    check_yanked,
    fetch_releases,
    lock_indexes,
    manifest_for_lock,
    report_as_dict,
    skipped,
)
from thoth_cli.cli.console import Consoles
from thoth_cli.cli.lock_here import lock_here
from thoth_cli.errors import ExitCode, ManifestError
from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import redact
from thoth_cli.knowledge.advisories import AdvisorySource
from thoth_cli.knowledge.dedupe import CombinedAdvisories
from thoth_cli.knowledge.local import LocalAdvisories
from thoth_cli.knowledge.osv_api import DEFAULT_OSV_URL, OsvApi
from thoth_cli.knowledge.sources import GuardedAdvisories
from thoth_cli.lock.read import read_lock
from thoth_cli.project.load import reader_for
from thoth_cli.project.model import Project
from thoth_cli.target import Target

_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.UNKNOWN: "yellow", Status.SKIPPED: "dim"}
_REQUIRED = "thoth check --require-advisories"


@click.command("check")
@click.argument(
    "lock_path", metavar="[LOCK]", required=False, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The manifest the lock answers (default: the one beside the lock).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--python-version",
    default=None,
    metavar="X.Y[.Z]",
    help="Check for this Python (default: the running one).",
)
@click.option(
    "--platform",
    default=None,
    metavar="TAG",
    help="Check for this platform, e.g. manylinux_2_28_x86_64 (default: this machine).",
)
@click.option(
    "-i",
    "--index-url",
    default=None,
    envvar="THOTH_INDEX_URL",
    help="Ask this index in place of the lock's first one about yanked pins.",
)
@click.option("--no-index", is_flag=True, help="Do not ask the index: yanked pins are not checked.")
@click.option("--offline", is_flag=True, help="Use only index pages and OSV answers already in the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="THOTH_CACHE_DIR",
    default=None,
    help="Cache folder (default: the user cache folder).",
)
@click.option(
    "--advisories",
    "advisory_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Read security advisories from this folder of OSV records instead of asking the OSV API; "
    "repeatable [default: the advisories of .thoth.yaml, else the OSV API].",
)
@click.option(
    "--osv-url",
    default=None,
    envvar="THOTH_OSV_URL",
    metavar="URL",
    help=f"The OSV API to ask [default: {DEFAULT_OSV_URL}]; given with --advisories, both are read.",
)
@click.option("--no-advisories", is_flag=True, help="Check no security advisories.")
@click.option(
    "--require-advisories",
    is_flag=True,
    help="Fail (exit 3) when the advisories cannot be had, instead of warning and going on.",
)
@click.pass_obj
def check_command(
    consoles: Consoles,
    lock_path: Path | None,
    manifest_path: Path | None,
    fmt: str,
    python_version: str | None,
    platform: str | None,
    index_url: str | None,
    no_index: bool,
    offline: bool,
    cache_dir: Path | None,
    advisory_dirs: tuple[Path, ...],
    osv_url: str | None,
    no_advisories: bool,
    require_advisories: bool,
) -> None:
    """Check that LOCK still holds (default: the lock next to the manifest).

    Asks four questions: is the lock current with its manifest (the manifest hash a
    pylock.toml or Pipfile.lock records, else the manifest's requirements against the pins);
    does it install on the target (requires-python, markers, a file whose tags fit); is any
    pin gone from its index or yanked; is any pin known to be vulnerable. Exits 0 when the
    lock holds, 1 listing every reason when it does not. Advisories that cannot be had leave
    the last question unanswered with a warning, unless --require-advisories.
    """
    from thoth_cli.cli.advisories import advisory_options

    osv_url_given = click.get_current_context().get_parameter_source("osv_url") is (
        click.core.ParameterSource.COMMANDLINE
    )
    advisories = advisory_options(
        manifest_path, advisory_dirs, osv_url=osv_url, osv_url_given=osv_url_given, disabled=no_advisories
    )
    target = Target.from_options(python_version, platform)
    lock = read_lock(lock_path or lock_here("check"))
    manifest = manifest_path or manifest_for_lock(lock)
    project = _project(consoles, manifest)
    warnings: list[str] = []
    outcomes: list[Outcome] = [check_current(lock, manifest, project, target)]
    with contextlib.ExitStack() as stack:
        cache = Cache(cache_dir or Cache.default_root())
        http = stack.enter_context(HttpClient(HttpSettings(offline=offline), cache))
        releases = None
        if no_index:
            yanked = skipped(CheckName.YANKED, "not checked (--no-index)")
        else:
            specs, names = lock_indexes(
                lock, index_url=index_url, sources=project.sources if project is not None else ()
            )
            client = stack.enter_context(IndexClient(specs, http))
            releases, gone = fetch_releases(lock, client, names)
            yanked = check_yanked(lock, releases, gone)
        outcomes.append(check_environment(lock, target, releases))
        outcomes.append(yanked)
        if not advisories.enabled:
            outcomes.append(skipped(CheckName.VULNERABILITIES, "not checked (--no-advisories)"))
        else:
            source, info, guard = _advisories(
                http, advisories.directories, advisories.osv_url, require_advisories
            )
            outcome, said = check_vulnerabilities(lock, source, source_info=info, required=require_advisories)
            outcomes.append(outcome)
            warnings.extend(said)
            if guard is not None:
                guard.check()
                warnings.extend(guard.warnings)
    report = CheckReport(lock, manifest, target, tuple(outcomes), tuple(warnings))
    for warning in report.warnings:
        consoles.warning(warning)
    if fmt == "json":
        consoles.out.print_json(json.dumps(report_as_dict(report)))
    else:
        show_report(consoles, report)
    if not report.ok:
        click.get_current_context().exit(int(ExitCode.NO))


def _project(consoles: Consoles, manifest: Path | None) -> Project | None:
    """The manifest read, or None with a warning: an unreadable manifest leaves currency unknown,
    the other questions still answered."""
    if manifest is None:
        return None
    try:
        return reader_for(manifest).read(manifest)
    except ManifestError as exc:
        consoles.warning(f"cannot read the manifest: {exc.message}")
        return None


def _advisories(
    http: HttpClient, directories: tuple[Path, ...], osv_url: str | None, required: bool
) -> tuple[AdvisorySource, dict[str, Any], GuardedAdvisories | None]:
    """The advisory source, where it reads from (as the JSON report says), and the guard over the
    OSV API when it is read beside folders (alone, it is asked in one batch and its failure is
    caught whole)."""
    local = [LocalAdvisories(directory) for directory in directories]
    info: dict[str, Any] = {}
    if local:
        info = {"kind": "local", "directories": [str(d) for d in directories]}
    if osv_url is None:
        return CombinedAdvisories(local), info, None
    osv = OsvApi(http, base_url=osv_url)
    if not local:
        return osv, {"kind": "osv-api", "url": redact(osv_url)}, None
    guard = GuardedAdvisories(osv, required=_REQUIRED if required else None)
    info = {**info, "kind": "local+osv-api", "url": redact(osv_url)}
    return CombinedAdvisories([*local, guard]), info, guard


def show_report(consoles: Consoles, report: CheckReport) -> None:
    """The answers as a table, then each problem with its fix, then one line of verdict."""
    lock = report.lock
    table = Table(
        title=escape(f"{lock.path} ({lock.format.value}) for {report.target.describe()}"),
        title_justify="left",
    )
    for column in ("check", "result", "found"):
        table.add_column(column, overflow="fold")
    for outcome in report.outcomes:
        style = _STYLE[outcome.status]
        table.add_row(outcome.check.value, f"[{style}]{outcome.status.value}[/]", escape(outcome.summary))
    consoles.out.print(table)
    for problem in report.problems:
        consoles.out.print(f"[red]-[/] {escape(problem.message)}")
        if problem.fix:
            consoles.out.print(escape(f"  fix: {problem.fix}"))
    count = len(report.problems)
    if count:
        consoles.out.print(escape(f"{lock.path}: {count} {'problem' if count == 1 else 'problems'}"))
    else:
        consoles.out.print(escape(f"{lock.path}: holds"))
