"""`thoth why` on a lock thoth advise wrote, and on hand-written locks of each format."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.conftest import Thoth
from tests.indexserver import IndexServerFactory
from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.cli.main import ThothGroup
from thoth_cli.cli.why import why_command

UNIVERSE = """\
requests 2.31.0: urllib3>=1.21.1,<3, idna>=2.5
urllib3 2.0.7
idna 3.6
"""

PYPROJECT = """\
[project]
name = "app"
version = "1.0"
dependencies = ["requests>=2.31"]
"""

# A diamond: flask reaches markupsafe through jinja2 and through werkzeug.
DIAMOND = """\
lock-version = "1.0"
created-by = "hand"

[[packages]]
name = "flask"
version = "3.0.0"
dependencies = [{name = "jinja2"}, {name = "werkzeug"}]
[[packages.wheels]]
name = "flask-3.0.0-py3-none-any.whl"
url = "https://example.org/flask-3.0.0-py3-none-any.whl"
hashes = {sha256 = "0000000000000000000000000000000000000000000000000000000000000000"}
[packages.tool.thoth]
direct = true
required-by = ["project: flask>=3"]
score = 0.5
justifications = [{type = "INFO", message = "flask 3.0.0 is the newest release", unit = "newest-first"}]

[[packages]]
name = "jinja2"
version = "3.1.3"
dependencies = [{name = "markupsafe"}]
[[packages.wheels]]
name = "jinja2-3.1.3-py3-none-any.whl"
url = "https://example.org/jinja2-3.1.3-py3-none-any.whl"
hashes = {sha256 = "0000000000000000000000000000000000000000000000000000000000000000"}
[packages.tool.thoth]
direct = false
required-by = ["flask 3.0.0: Jinja2>=3.1.2"]

[[packages]]
name = "markupsafe"
version = "2.1.5"
[[packages.wheels]]
name = "markupsafe-2.1.5-py3-none-any.whl"
url = "https://example.org/markupsafe-2.1.5-py3-none-any.whl"
hashes = {sha256 = "0000000000000000000000000000000000000000000000000000000000000000"}
[packages.tool.thoth]
direct = false
required-by = ["jinja2 3.1.3: MarkupSafe>=2.0", "werkzeug 3.0.1: MarkupSafe>=2.1.1"]
score = -0.1
justifications = [{type = "WARNING", message = "an older release than the newest", link = "https://example.org/m"}]

[[packages]]
name = "werkzeug"
version = "3.0.1"
dependencies = [{name = "markupsafe"}]
[[packages.wheels]]
name = "werkzeug-3.0.1-py3-none-any.whl"
url = "https://example.org/werkzeug-3.0.1-py3-none-any.whl"
hashes = {sha256 = "0000000000000000000000000000000000000000000000000000000000000000"}
[packages.tool.thoth]
direct = false
required-by = ["flask 3.0.0: Werkzeug>=3.0.0"]
"""

PIPFILE_LOCK = """\
{
    "_meta": {"hash": {"sha256": "00"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "idna": {"hashes": [], "version": "==3.6"},
        "requests": {"hashes": [], "version": "==2.31.0"}
    },
    "develop": {}
}
"""


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def why(*arguments: str) -> Run:
    """`thoth why` as the command group runs it (errors become exit codes), colour off, 100 columns."""
    out, err = io.StringIO(), io.StringIO()
    consoles = Consoles(out=make_console(out, color=False), err=make_console(err, color=False))
    consoles.out.width = consoles.err.width = 100
    group = ThothGroup(name="thoth", commands={"why": why_command})
    result = CliRunner().invoke(group, ["why", *arguments], obj=consoles)
    # An exception that escaped the command would reach the user as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return Run(result.exit_code, out.getvalue(), err.getvalue())


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_transitive_pin_of_an_advised_lock_shows_its_chain_with_the_requirements(
    folder: Path, index_server: IndexServerFactory, thoth: Thoth
) -> None:
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    assert thoth.advise(index=index_server(UNIVERSE)).exit_code == 0
    result = why("urllib3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "urllib3 2.0.7 in pylock.toml\n"
        "  groups: default\n"
        "  score: 0\n"
        "  required through:\n"
        "    requests 2.31.0 (requests>=2.31) -> urllib3 2.0.7 (urllib3>=1.21.1,<3)\n"
    )
    direct = why("Requests")
    assert direct.stdout == (
        "requests 2.31.0 in pylock.toml\n"
        "  groups: default\n"
        "  score: 0\n"
        "  a direct requirement of the project (requests>=2.31)\n"
    )


def test_every_chain_of_a_diamond_with_score_and_justifications(folder: Path) -> None:
    (folder / "pylock.toml").write_text(DIAMOND, encoding="utf-8")
    result = why("markupsafe", "--lock", "pylock.toml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "markupsafe 2.1.5 in pylock.toml\n"
        "  groups: default\n"
        "  score: -0.1\n"
        "  required through:\n"
        "    flask 3.0.0 (flask>=3) -> jinja2 3.1.3 (Jinja2>=3.1.2) -> markupsafe 2.1.5 (MarkupSafe>=2.0)\n"
        "    flask 3.0.0 (flask>=3) -> werkzeug 3.0.1 (Werkzeug>=3.0.0) -> markupsafe 2.1.5 "
        "(MarkupSafe>=2.1.1)\n"
        "  justifications:\n"
        "    WARNING: an older release than the newest (https://example.org/m)\n"
    )
    flask = why("flask", "--lock", "pylock.toml")
    assert flask.stdout.endswith(
        "  a direct requirement of the project (flask>=3)\n"
        "  justifications:\n"
        "    INFO: flask 3.0.0 is the newest release [newest-first]\n"
    )


def test_a_pylock_without_thoths_tables_takes_unrequired_packages_as_direct(folder: Path) -> None:
    thoth_keys = ("[packages.tool", "direct", "required-by", "score", "justifications")
    plain = "\n".join(line for line in DIAMOND.splitlines() if not line.startswith(thoth_keys))
    (folder / "pylock.toml").write_text(plain + "\n", encoding="utf-8")
    result = why("werkzeug", "--lock", "pylock.toml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "werkzeug 3.0.1 in pylock.toml\n"
        "  groups: default\n"
        "  required through:\n"
        "    flask 3.0.0 -> werkzeug 3.0.1\n"
    )


def test_a_requirements_lock_reads_the_via_lines(folder: Path) -> None:
    (folder / "requirements.txt").write_text(
        "idna==3.6\n    # via requests\nrequests==2.31.0\n    # via -r requirements.in\n", encoding="utf-8"
    )
    result = why("idna", "--lock", "requirements.txt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "idna 3.6 in requirements.txt\n"
        "  groups: default\n"
        "  required through:\n"
        "    requests 2.31.0 -> idna 3.6\n"
    )


def test_a_requirements_lock_without_via_lines_says_it_cannot_tell(folder: Path) -> None:
    (folder / "requirements.txt").write_text("idna==3.6\nrequests==2.31.0\n", encoding="utf-8")
    result = why("idna", "--lock", "requirements.txt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "idna 3.6 in requirements.txt\n"
        "  groups: default\n"
        "  requirements.txt records no `# via` comments: it cannot tell which package pulled idna in\n"
    )


def test_a_pipfile_lock_records_no_dependencies(folder: Path) -> None:
    (folder / "Pipfile.lock").write_text(PIPFILE_LOCK, encoding="utf-8")
    result = why("idna", "--lock", "Pipfile.lock")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "idna 3.6 in Pipfile.lock\n"
        "  groups: default\n"
        "  Pipfile.lock records no dependencies between packages: it cannot tell which package pulled "
        "idna in\n"
    )


def test_a_package_not_in_the_lock_exits_1_with_a_suggestion(folder: Path) -> None:
    (folder / "pylock.toml").write_text(DIAMOND, encoding="utf-8")
    result = why("werkzeog", "--lock", "pylock.toml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: 'werkzeog' is not in pylock.toml\n  fix: did you mean 'werkzeug'?\n"
    unknown = why("django", "--lock", "pylock.toml")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "error: 'django' is not in pylock.toml\n"
        "  fix: check the name, or lock the project again with thoth advise if it should be there\n"
    )


def test_no_lock_next_to_the_manifest_exits_4(folder: Path) -> None:
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    result = why("idna")
    assert result.exit_code == 4
    assert result.stderr == (
        "error: pylock.toml: no lock file next to pyproject.toml\n"
        "  fix: write it with thoth advise, or name the lock: thoth why PACKAGE --lock LOCK\n"
    )
