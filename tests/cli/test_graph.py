"""`thoth graph` on real lock files: DOT on stdout or in a file, SVG through Graphviz, and its errors."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.lock.builders import PIPFILE, small_stack
from tests.test_graph import newer_stack, write_pylock
from thoth_cli.cli.console import Consoles, make_console
from thoth_cli.cli.graph import graph_command
from thoth_cli.cli.main import ThothGroup


def run(*arguments: str, env: dict[str, str | None] | None = None) -> tuple[Result, str]:
    """`thoth graph` as the group runs it, in the current folder; returns the result, then stdout
    and stderr joined by a NUL."""
    out, err = io.StringIO(), io.StringIO()
    consoles = Consoles(out=make_console(out, color=False), err=make_console(err, color=False))
    group = ThothGroup(commands={"graph": graph_command})
    result = CliRunner().invoke(group, ["graph", *arguments], obj=consoles, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result, out.getvalue() + "\x00" + err.getvalue()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a lock (pylock.toml) and an older one (old/pylock.toml), made the current folder
    since the command reads and writes relative to it, as in a user's shell."""
    folder = tmp_path / "project"
    write_pylock(folder / "old", small_stack())
    write_pylock(folder, newer_stack())
    monkeypatch.chdir(folder)
    return folder


def split(output: str) -> tuple[str, str]:
    out, err = output.split("\x00")
    return out, err


def test_without_a_lock_it_draws_the_one_next_to_the_manifest(project: Path) -> None:
    (project / "Pipfile").write_text(PIPFILE, encoding="utf-8")
    (project / "Pipfile.lock").write_text(
        '{"_meta": {"sources": []}, "default": {"six": {"version": "==1.16.0"}}, "develop": {}}',
        encoding="utf-8",
    )

    result, output = run()

    out, err = split(output)
    assert result.exit_code == 0
    assert err == ""
    assert '  label="Pipfile.lock";\n' in out
    assert '  "six" [label="six\\n1.16.0", fillcolor="#eeeeee"];\n' in out


def test_a_manifest_without_its_lock_is_exit_4_saying_how_to_write_it(project: Path) -> None:
    (project / "Pipfile").write_text(PIPFILE, encoding="utf-8")

    result, output = run()

    _, err = split(output)
    assert result.exit_code == 4
    assert err == (
        "error: Pipfile.lock: no lock file next to Pipfile\n"
        "  fix: write it with thoth advise, or name the lock to draw: thoth graph LOCK\n"
    )


def test_a_named_lock_prints_dot_with_its_name_as_the_title(project: Path) -> None:
    result, output = run("pylock.toml")

    out, err = split(output)
    assert result.exit_code == 0
    assert err == ""
    assert out.startswith('digraph thoth {\n  label="pylock.toml";\n')
    assert '  "requests" -> "idna" [label="idna<4,>=2.5"];\n' in out
    assert out.endswith("}\n")


def test_against_an_old_lock_marks_the_changes(project: Path) -> None:
    result, output = run("pylock.toml", "--against", "old/pylock.toml")

    out, _ = split(output)
    assert result.exit_code == 0
    assert 'label="pylock.toml against pylock.toml"' in out
    assert '"urllib3" [label="urllib3\\n2.0.7 -> 1.26.18\\nscore -0.50\\ndowngraded"' in out
    assert '"iniconfig" [label="iniconfig\\n2.0.0\\nscore +0.00\\nremoved"' in out


def test_output_to_a_dot_file_says_where_it_went(project: Path) -> None:
    result, output = run("pylock.toml", "--output", "stack.dot")

    out, err = split(output)
    assert result.exit_code == 0
    assert out == ""
    assert err == "wrote stack.dot (4 packages)\n"
    assert (project / "stack.dot").read_text(encoding="utf-8").startswith("digraph thoth {\n")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_output_to_an_svg_file_renders_it_with_graphviz(project: Path) -> None:
    result, output = run("pylock.toml", "-o", "stack.svg")

    _, err = split(output)
    assert result.exit_code == 0
    assert err == "wrote stack.svg (4 packages)\n"
    svg = (project / "stack.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "idna&lt;4,&gt;=2.5" in svg


def test_svg_without_graphviz_is_exit_3_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()

    result, output = run("pylock.toml", "-o", "stack.svg", env={"PATH": str(empty)})

    _, err = split(output)
    assert result.exit_code == 3
    assert err == (
        "error: cannot render SVG with dot: Graphviz's dot is not on PATH\n"
        "  fix: install Graphviz (https://graphviz.org/download/), or write DOT: --output graph.dot\n"
    )
    assert not (project / "stack.svg").exists()


def test_an_unreadable_lock_is_exit_4_naming_the_line(project: Path) -> None:
    (project / "broken.txt").write_text("requests>=2\n", encoding="utf-8")

    result, output = run("broken.txt")

    _, err = split(output)
    assert result.exit_code == 4
    assert err == (
        "error: broken.txt:1: not pinned to one version: requests>=2\n"
        "  fix: pin it as requests==<version>, or write the lock again with "
        "`thoth advise --lock-format requirements.txt`\n"
    )


def test_a_missing_old_lock_is_a_usage_error(project: Path) -> None:
    result, _ = run("pylock.toml", "--against", "nowhere.toml")

    assert result.exit_code == 2
    assert "'nowhere.toml' does not exist" in result.output
