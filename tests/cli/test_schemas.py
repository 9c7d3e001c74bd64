"""Every versioned JSON output validates against the JSON Schema thoth ships for it."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from thoth_cli.cli.main import cli

SCHEMAS = ("advise", "audit", "check", "diff", "runtime-environment", "scan")


def schema(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        files("thoth_cli.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def thoth(*arguments: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["--color", "never", *arguments])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_shipped_schema_is_a_valid_json_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(name))


def test_discover_json_validates(tmp_path: Path) -> None:
    data = thoth("discover", "--format", "json")
    jsonschema.validate(data, schema("runtime-environment"))
    assert data["schema"] == "thoth.runtime-environment/1"


def test_scan_json_validates(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\nimport requests as r\nr.get('x')\nfrom . import y\n")
    (tmp_path / "broken.py").write_text("def (\n")
    data = thoth("scan", str(tmp_path), "--format", "json")
    jsonschema.validate(data, schema("scan"))
    assert data["usage"] == {"modules": ["requests"], "symbols": ["requests", "requests.get"]}


ADVISORY = {
    "id": "PYSEC-2023-74",
    "aliases": ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
    "summary": "Unintended leak of Proxy-Authorization header in requests",
    "modified": "2023-06-05T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}],
        }
    ],
    "references": [
        {"type": "ADVISORY", "url": "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q"}
    ],
}


def test_audit_json_validates(tmp_path: Path) -> None:
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    (advisories / "PYSEC-2023-74.json").write_text(json.dumps(ADVISORY))
    lock = tmp_path / "requirements.txt"
    lock.write_text("requests==2.30.0\nidna==3.4\n")
    data = thoth("audit", str(lock), "--format", "json", "--advisories", str(advisories))
    jsonschema.validate(data, schema("audit"))
    assert [(v["package"], v["id"]) for v in data["vulnerabilities"]] == [("requests", "PYSEC-2023-74")]  # type: ignore[union-attr]
