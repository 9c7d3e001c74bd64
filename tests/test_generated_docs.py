"""The committed completions/ and man/ are what scripts/generate_docs.py makes, and they work: the
shells complete commands and options, and man renders every page."""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from thoth_cli.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_docs", ROOT / "scripts" / "generate_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up by name while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate_docs = load_generator()


def command_names() -> list[str]:
    ctx = click.Context(cli, info_name="thoth")
    return cli.list_commands(ctx)


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose PATH finds a `thoth` that runs this checkout, as an installed one would."""
    folder = tmp_path_factory.mktemp("bin")
    shim = folder / "thoth"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m thoth_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith("_THOTH")}
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_shell(command: list[str], env: dict[str, str]) -> list[str]:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return sorted(line for line in result.stdout.splitlines() if line)


def test_the_committed_files_are_what_the_generator_makes_now() -> None:
    # A fresh interpreter: other tests attach the same click commands to groups of their own,
    # which an in-process run would see.
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert result.returncode == 0, (
        f"out of date: {result.stdout}{result.stderr}; run .venv/bin/python scripts/generate_docs.py"
    )


def test_check_fails_naming_a_changed_or_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate_docs.main(["--root", str(tmp_path)]) == 0
    (tmp_path / "man" / "thoth-audit.1").write_text("changed by hand\n", encoding="utf-8")
    (tmp_path / "completions" / "thoth.fish").unlink()
    (tmp_path / "man" / "thoth-gone.1").write_text(".TH GONE 1\n", encoding="utf-8")
    capsys.readouterr()

    assert generate_docs.main(["--check", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "out of date: completions/thoth.fish\n"
        "out of date: man/thoth-audit.1\n"
        "out of date: man/thoth-gone.1\n"
        "run: .venv/bin/python scripts/generate_docs.py\n"
    )
    assert generate_docs.main(["--root", str(tmp_path)]) == 0
    assert generate_docs.main(["--check", "--root", str(tmp_path)]) == 0
    assert not (tmp_path / "man" / "thoth-gone.1").exists()


def test_every_command_and_subcommand_has_a_man_page() -> None:
    expected = {"thoth.1"}
    ctx = click.Context(cli, info_name="thoth")
    for name in command_names():
        expected.add(f"thoth-{name}.1")
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            expected.update(f"thoth-{name}-{sub}.1" for sub in command.list_commands(ctx))

    assert {path.name for path in (ROOT / "man").glob("*.1")} == expected


def test_a_page_names_its_synopsis_options_exit_codes_and_relatives() -> None:
    page = (ROOT / "man" / "thoth-cache.1").read_text(encoding="utf-8")

    assert page.startswith('.TH "THOTH\\-CACHE" "1" "" "thoth_cli ')
    assert ".SH SYNOPSIS\n.B thoth cache\n[OPTIONS] COMMAND [ARGS]...\n" in page
    assert ".TP\n.B clean\n" in page
    assert ".TP\n\\fB\\-h, \\-\\-help\\fR\nShow this message and exit.\n" in page
    assert ".TP\n.B 4\nA manifest, lock, configuration or prescription cannot be read;" in page
    assert page.endswith(
        ".SH SEE ALSO\n\\fBthoth\\fR(1),\n"
        "\\fBthoth\\-cache\\-clean\\fR(1),\n\\fBthoth\\-cache\\-info\\fR(1)\n"
    )


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
@pytest.mark.parametrize("page", sorted(path.name for path in (ROOT / "man").glob("*.1")))
def test_man_renders_each_page_without_warnings(page: str) -> None:
    result = subprocess.run(
        ["man", "--warnings", "-P", "cat", "-l", str(ROOT / "man" / page)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "SYNOPSIS" in result.stdout
    assert "EXIT STATUS" in result.stdout


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_thoth_lists_every_command() -> None:
    result = subprocess.run(
        ["man", "-P", "cat", "-l", str(ROOT / "man" / "thoth.1")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MANWIDTH": "200", "LC_ALL": "C.UTF-8"},
    )

    assert "thoth [OPTIONS] COMMAND [ARGS]..." in result.stdout
    for name in command_names():
        assert f"See thoth-{name}(1)." in result.stdout


BASH = """
source completions/thoth.bash
complete -p thoth >&2
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=();
  _thoth_completion thoth; printf '%s\\n' "${{COMPREPLY[@]}}"; }}
complete_words {words}
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_and_options(shell_env: dict[str, str]) -> None:
    def complete(*words: str) -> list[str]:
        script = BASH.format(words=" ".join(shlex.quote(word) for word in words))
        return run_shell(["bash", "--norc", "--noprofile", "-c", script], shell_env)

    assert complete("thoth", "") == command_names()
    assert complete("thoth", "au") == ["audit"]
    assert complete("thoth", "audit", "--f") == ["--format"]
    assert complete("thoth", "cache", "") == ["clean", "info"]


ZSH = """
autoload -Uz compinit && compinit -u -D
source completions/thoth.zsh
[[ $_comps[thoth] == _thoth_completion ]] || {{ print -u2 "not registered: $_comps[thoth]"; exit 1; }}
# The completion system's own output functions only work inside a completion widget; these stand in
# for them and print what would be offered.
_describe() {{ print -rl -- ${{${{(P)3}}%%:*}}; }}
compadd() {{ print -rl -- ${{(P)${{@[-1]}}}}; }}
words=({words})
CURRENT=${{#words}}
_thoth_completion
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_commands_and_options(shell_env: dict[str, str]) -> None:
    def complete(*words: str) -> list[str]:
        script = ZSH.format(words=" ".join(shlex.quote(word) for word in words))
        return run_shell(["zsh", "-f", "-c", script], shell_env)

    assert complete("thoth", "") == command_names()
    assert complete("thoth", "au") == ["audit"]
    assert complete("thoth", "audit", "--f") == ["--format"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_and_options(shell_env: dict[str, str]) -> None:
    def complete(line: str) -> list[str]:
        script = f"source completions/thoth.fish; complete --do-complete {shlex.quote(line)}"
        # fish prints a completion and its description separated by a tab.
        return [entry.split("\t")[0] for entry in run_shell(["fish", "--no-config", "-c", script], shell_env)]

    assert complete("thoth ") == command_names()
    assert complete("thoth au") == ["audit"]
    assert complete("thoth audit --f") == ["--format"]
