"""`thoth audit`: the known vulnerabilities of a lock's pins, from local advisories or the OSV API."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from packaging.utils import NormalizedName
from packaging.version import Version
from rich.markup import escape
from rich.table import Table

from thoth_cli.cli.advisories import configured_advisories
from thoth_cli.cli.console import Consoles
from thoth_cli.cli.lock_here import lock_here
from thoth_cli.errors import ExitCode
from thoth_cli.index.cache import Cache
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import redact
from thoth_cli.knowledge.advisories import Advisory, AdvisorySource
from thoth_cli.knowledge.dedupe import CombinedAdvisories, id_rank
from thoth_cli.knowledge.local import LocalAdvisories
from thoth_cli.knowledge.osv_api import DEFAULT_OSV_URL, OsvApi
from thoth_cli.lock.model import LockFile
from thoth_cli.lock.read import read_lock

SCHEMA = "thoth.audit/1"


@dataclass(frozen=True)
class Finding:
    """One known vulnerability of one pinned release."""

    package: NormalizedName
    version: Version
    advisory: Advisory


@dataclass(frozen=True)
class Audit:
    """What an audit found: the lock, where the advisories came from, and the findings in order."""

    lock: LockFile
    source: Mapping[str, Any]
    """Where the advisories came from, as the JSON report shows it."""
    checked: tuple[tuple[NormalizedName, Version], ...]
    unchecked: tuple[NormalizedName, ...]
    """Packages the lock takes from a direct reference, without a version to look up."""
    findings: tuple[Finding, ...]


def audit_lock(lock: LockFile, source: AdvisorySource, *, source_info: Mapping[str, Any]) -> Audit:
    """Ask `source` about every pinned release of `lock` (an OsvApi in one batch)."""
    releases = tuple(dict.fromkeys((p.name, p.version) for p in lock.packages if p.version is not None))
    unchecked = tuple(dict.fromkeys(p.name for p in lock.packages if p.version is None))
    if isinstance(source, OsvApi):
        source.prefetch(releases)
    findings = tuple(
        Finding(name, version, advisory)
        for name, version in sorted(releases)
        for advisory in source.advisories_for(name, version)
    )
    return Audit(lock, source_info, releases, unchecked, findings)


def audit_as_dict(audit: Audit) -> dict[str, Any]:
    """A JSON-ready view of an audit (schema `thoth.audit/1`, documented in the README)."""
    return {
        "schema": SCHEMA,
        "lock": str(audit.lock.path),
        "format": audit.lock.format.value,
        "source": dict(audit.source),
        "checked": len(audit.checked),
        "unchecked": list(audit.unchecked),
        "vulnerable": len({(f.package, f.version) for f in audit.findings}),
        "vulnerabilities": [
            {
                "package": finding.package,
                "version": str(finding.version),
                "id": finding.advisory.id,
                "aliases": _aliases(finding.advisory),
                "summary": finding.advisory.summary,
                "fixed": [str(version) for version in finding.advisory.fixed],
                "link": finding.advisory.url,
            }
            for finding in audit.findings
        ],
    }


@click.command("audit")
@click.argument(
    "lock_path", metavar="[LOCK]", required=False, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--advisories",
    "advisory_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="A folder of OSV records (a clone of PyPA's advisory database, or OSV's PyPI export); "
    "repeatable. Without it, the OSV API is asked.",
)
@click.option("--osv-url", default=DEFAULT_OSV_URL, show_default=True, help="The OSV API to ask.")
@click.option("--offline", is_flag=True, help="Use only OSV API answers already in the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="THOTH_CACHE_DIR",
    default=None,
    help="Cache folder (default: the user cache folder).",
)
@click.pass_obj
def audit_command(
    consoles: Consoles,
    lock_path: Path | None,
    fmt: str,
    advisory_dirs: tuple[Path, ...],
    osv_url: str,
    offline: bool,
    cache_dir: Path | None,
) -> None:
    """List the known vulnerabilities of the pins in LOCK (default: the lock next to the manifest).

    Reads pylock.toml, Pipfile.lock and requirements.txt (== pins). Exits 1 when any pin
    has a known vulnerability, 0 when none has.
    """
    lock = read_lock(lock_path or lock_here("audit", purpose="to audit"))
    with contextlib.ExitStack() as stack:
        source: AdvisorySource
        # The command line, then the project's .thoth.yaml, as advise and check read them.
        folders = advisory_dirs or configured_advisories(lock.path)
        if folders:
            local = [LocalAdvisories(directory) for directory in folders]
            source = CombinedAdvisories(local)
            info: dict[str, Any] = {"kind": "local", "directories": [str(d) for d in folders]}
        else:
            cache = Cache(cache_dir or Cache.default_root())
            http = stack.enter_context(HttpClient(HttpSettings(offline=offline), cache))
            source = OsvApi(http, base_url=osv_url)
            info = {"kind": "osv-api", "url": redact(osv_url)}
        audit = audit_lock(lock, source, source_info=info)
        for note in _notes(source):
            consoles.debug(note)
    for name in audit.unchecked:
        consoles.warning(f"{name}: not checked, the lock takes it from a direct reference without a version")
    if fmt == "json":
        consoles.out.print_json(json.dumps(audit_as_dict(audit)))
    else:
        _show_table(consoles, audit)
    if audit.findings:
        click.get_current_context().exit(int(ExitCode.NO))


def _aliases(advisory: Advisory) -> list[str]:
    # One order for every advisory, merged or not: other databases' ids first, CVE ids last.
    return sorted(advisory.aliases, key=id_rank)


def _notes(source: AdvisorySource) -> tuple[str, ...]:
    sources = source.sources if isinstance(source, CombinedAdvisories) else (source,)
    return tuple(note for s in sources if isinstance(s, (LocalAdvisories, OsvApi)) for note in s.notes)


def _show_table(consoles: Consoles, audit: Audit) -> None:
    checked = len(audit.checked)
    packages = f"{checked} pinned {'release' if checked == 1 else 'releases'}"
    if not audit.findings:
        consoles.out.print(escape(f"{audit.lock.path}: no known vulnerabilities in {packages}"))
        return
    table = Table(title=escape(f"{audit.lock.path} ({audit.lock.format.value})"), title_justify="left")
    # Folded, never cut short: an id or a version with an ellipsis is of no use.
    for column in ("package", "version", "vulnerability", "aliases", "fixed in"):
        table.add_column(column, overflow="fold")
    for finding in audit.findings:
        advisory = finding.advisory
        table.add_row(
            escape(finding.package),
            escape(str(finding.version)),
            escape(advisory.id),
            escape("\n".join(_aliases(advisory))),
            escape(", ".join(str(v) for v in advisory.fixed) or "no fix yet"),
        )
    consoles.out.print(table)
    # Links go below the table, one per line, so that a narrow terminal cannot fold them.
    links = {finding.advisory.id: finding.advisory.url for finding in audit.findings}
    width = max(len(identifier) for identifier in links)
    for identifier, url in links.items():
        consoles.out.print(escape(f"{identifier:<{width}}  {url}"))
    count = len(audit.findings)
    vulnerable = len({(f.package, f.version) for f in audit.findings})
    noun = "vulnerability" if count == 1 else "vulnerabilities"
    consoles.out.print(escape(f"{count} known {noun} in {vulnerable} of {packages}"))
