"""Where a command's security advisories come from: its flags, then `.thoth.yaml`, then the OSV API."""

from __future__ import annotations

from pathlib import Path

from thoth_cli.errors import ConfigError, UsageError
from thoth_cli.knowledge.local import AdvisoryFolderError
from thoth_cli.knowledge.osv_api import DEFAULT_OSV_URL
from thoth_cli.knowledge.sources import AdvisoryOptions


def advisory_options(
    manifest_path: Path | None,
    directories: tuple[Path, ...],
    *,
    osv_url: str | None,
    osv_url_given: bool,
    disabled: bool,
) -> AdvisoryOptions:
    """Where the run's advisories come from: --no-advisories, else --advisories folders, else the
    `advisories` of .thoth.yaml, else the OSV API. The OSV API is asked beside folders only when
    --osv-url is on the command line (THOTH_OSV_URL only says where it is)."""
    if disabled:
        if directories or osv_url_given:
            raise UsageError(
                "--no-advisories checks no advisories, and --advisories and --osv-url say where to read them",
                fix="pass --no-advisories alone, or leave it out",
            )
        return AdvisoryOptions.disabled()
    for directory in directories:
        if not directory.is_dir():
            # Said before anything is resolved, as LocalAdvisories would say it.
            raise AdvisoryFolderError(directory, "advisory folder not found")
    url = osv_url or DEFAULT_OSV_URL
    folders = directories or configured_advisories(manifest_path)
    if folders:
        return AdvisoryOptions(directories=folders, osv_url=url if osv_url_given else None)
    return AdvisoryOptions(osv_url=url)


def configured_advisories(manifest_path: Path | None) -> tuple[Path, ...]:
    """The `advisories` folders of the .thoth.yaml governing the project, each checked to exist."""
    from thoth_cli.config import find_config, read_config

    path = find_config(manifest_path.parent if manifest_path is not None else Path())
    if path is None:
        return ()
    config = read_config(path)
    for folder in config.advisories:
        if not folder.path.is_dir():
            raise ConfigError(
                "advisory folder not found",
                location=folder.location,
                text=repr(folder.written),
                fix="clone https://github.com/pypa/advisory-database there, or correct the folder "
                f"(a relative one is taken from {path.parent})",
            )
    return tuple(folder.path for folder in config.advisories)
