"""Reading an explicit pipeline from YAML (`--pipeline FILE`): unit names and configurations by type.

```yaml
version: 1
sieves:
  - tensorflow-30990
steps:
  - prerelease
  - name: release-age
    configuration: {days: 14, mode: penalise}
strides: []
```
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

from thoth_cli.errors import ConfigError, Location
from thoth_cli.pipeline.model import Pipeline, UnitSpec
from thoth_cli.pipeline.registry import kind_of
from thoth_cli.pipeline.units import Unit, check_configuration

KINDS = ("boots", "pseudonyms", "sieves", "steps", "strides", "wraps")
_SINGULAR = {kind: kind.removesuffix("s") for kind in KINDS}


def read_pipeline(path: Path, available: Mapping[str, type[Unit]]) -> Pipeline:
    """The pipeline a YAML file describes; every unit known, under its own type, its configuration valid."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot be read ({exc.strerror or exc})", location=Location(path), fix="check the path"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"is not UTF-8 text (byte {exc.start})", location=Location(path), fix="save the file as UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"is not valid YAML ({getattr(exc, 'problem', None) or exc})",
            location=Location(path, line=mark.line + 1 if mark is not None else None),
            fix="fix the YAML syntax",
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "must be a mapping of unit types to lists of units",
            location=Location(path),
            fix=f"write keys among {', '.join(KINDS)}",
        )
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(
            f"version {version!r} is not one thoth reads",
            location=Location(path, key="version"),
            fix="write version: 1",
        )
    for key in data:
        if key != "version" and key not in KINDS:
            raise ConfigError(
                f"unknown key {key!r}",
                location=Location(path, key=str(key)),
                fix=f"unit types are {', '.join(KINDS)}",
            )
    specs: dict[str, list[UnitSpec]] = {}
    for kind in KINDS:
        entries = data.get(kind) or []
        if not isinstance(entries, list):
            raise ConfigError(
                f"must be a list of units, not {entries!r}",
                location=Location(path, key=kind),
                fix="write one unit name (or {name: ..., configuration: {...}}) per item",
            )
        specs[kind] = [_spec(path, kind, i, entry, available) for i, entry in enumerate(entries)]
    return Pipeline(**specs)


def _spec(
    path: Path, kind: str, position: int, entry: object, available: Mapping[str, type[Unit]]
) -> UnitSpec:
    key = f"{kind}[{position}]"
    configuration: object = None
    if isinstance(entry, str):
        name = entry
    elif isinstance(entry, dict):
        unknown = sorted(str(k) for k in entry if k not in ("name", "configuration"))
        if unknown:
            raise ConfigError(
                f"unknown key {unknown[0]!r}",
                location=Location(path, key=f"{key}.{unknown[0]}"),
                fix="a unit entry has `name` and, optionally, `configuration`",
            )
        name = entry.get("name")  # type: ignore[assignment]
        configuration = entry.get("configuration")
        if not isinstance(name, str):
            raise ConfigError(
                "has no unit name", location=Location(path, key=f"{key}.name"), fix="add name: UNIT"
            )
    else:
        raise ConfigError(
            f"must be a unit name or a mapping, not {entry!r}",
            location=Location(path, key=key),
            fix="write the unit's name, or {name: UNIT, configuration: {...}}",
        )
    cls = available.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, list(available), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"no unit is named {name!r}",
            location=Location(path, key=f"{key}.name" if isinstance(entry, dict) else key),
            fix=f"{hint}`thoth units` lists the units",
        )
    actual = kind_of(cls)
    if actual != _SINGULAR[kind]:
        raise ConfigError(
            f"unit {name!r} is a {actual}, listed under {kind}",
            location=Location(path, key=key),
            fix=f"move it under {actual}s",
        )
    if configuration is not None and not isinstance(configuration, dict):
        raise ConfigError(
            f"configuration must be a mapping, not {configuration!r}",
            location=Location(path, key=f"{key}.configuration"),
            fix="write configuration: {KEY: VALUE}",
        )
    config = {str(k): v for k, v in (configuration or {}).items()}
    try:
        check_configuration(cls, config)
        cls(config)  # a unit checks its values when made: refuse them here, with the file's key
    except ConfigError as exc:
        raise ConfigError(
            exc.problem, location=Location(path, key=f"{key}.configuration"), fix=exc.fix
        ) from None
    return cls, config
