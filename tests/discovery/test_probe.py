"""Probes are cached, never raise, say why they answer None, and run programs only on the host, briefly."""

from __future__ import annotations

from tests.discovery.conftest import FakeRoot, FakeTools, host_context, image_context
from thoth_cli.discovery.probe import ProbeContext, ProbeNote, probe


def test_a_probe_answers_from_its_cache_the_second_time(root: FakeRoot) -> None:
    root.write("/etc/hostname", "first\n")
    reads: list[str] = []

    @probe("hostname")
    def hostname(ctx: ProbeContext) -> str | None:
        text = ctx.fs.read_text("/etc/hostname")
        reads.append(text or "")
        return None if text is None else text.strip()

    ctx = image_context(root)
    assert hostname(ctx) == "first"
    root.write("/etc/hostname", "second\n")
    assert hostname(ctx) == "first"
    assert reads == ["first\n"]


def test_the_cache_tells_roots_apart(root: FakeRoot) -> None:
    other = FakeRoot(root.path.parent / "other")
    root.write("/etc/hostname", "one\n")
    other.write("/etc/hostname", "two\n")

    @probe("hostname")
    def hostname(ctx: ProbeContext) -> str | None:
        return (ctx.fs.read_text("/etc/hostname") or "").strip()

    assert hostname(image_context(root)) == "one"
    assert hostname(image_context(other)) == "two"


def test_an_exception_becomes_none_and_a_note(root: FakeRoot) -> None:
    @probe("fragile")
    def fragile(ctx: ProbeContext) -> int | None:
        return int((ctx.fs.read_text("/etc/number") or "").strip())

    root.write("/etc/number", "forty-two\n")
    ctx = image_context(root)
    assert fragile(ctx) is None
    assert ctx.notes == [
        ProbeNote("fragile", "failed: ValueError: invalid literal for int() with base 10: 'forty-two'")
    ]


def test_notes_name_their_probe_and_come_back_with_a_cached_answer(root: FakeRoot) -> None:
    @probe("inner")
    def inner(ctx: ProbeContext) -> None:
        ctx.note("nothing inside")
        return None

    @probe("outer")
    def outer(ctx: ProbeContext) -> str | None:
        inner(ctx)
        ctx.note("nothing outside either")
        return None

    first = image_context(root)
    outer(first)
    expected = [ProbeNote("inner", "nothing inside"), ProbeNote("outer", "nothing outside either")]
    assert first.notes == expected
    again = image_context(root)
    outer(again)
    assert again.notes == expected
    assert str(expected[0]) == "inner: nothing inside"


def test_asking_one_context_twice_notes_once(root: FakeRoot) -> None:
    @probe("shy")
    def shy(ctx: ProbeContext) -> None:
        ctx.note("nothing here")
        return None

    ctx = image_context(root)
    shy(ctx)
    shy(ctx)
    assert ctx.notes == [ProbeNote("shy", "nothing here")]


def test_programs_of_an_image_never_run(root: FakeRoot, tools: FakeTools) -> None:
    tools.script("tool", "print('ran')\n")
    ctx = ProbeContext.create(root.fs, environ=tools.environ)
    assert not ctx.host
    assert ctx.which("tool") is None
    assert ctx.run([str(tools.folder / "tool")]) is None
    assert ctx.notes == [
        ProbeNote(
            "discover", f"not running {tools.folder / 'tool'}: programs of an image root are never executed"
        )
    ]


def test_run_captures_output_with_the_c_locale_and_no_shell(root: FakeRoot, tools: FakeTools) -> None:
    tools.script(
        "tool",
        "import os, sys\n"
        "print(os.environ['LC_ALL'], sys.argv[1])\n"
        "print('oops', file=sys.stderr)\n"
        "sys.exit(3)\n",
    )
    ctx = host_context(root, tools)
    executable = ctx.which("tool")
    assert executable == str(tools.folder / "tool")
    result = ctx.run([executable, "$HOME; echo hi"])
    assert result is not None
    assert (result.returncode, result.stdout, result.stderr) == (3, "C $HOME; echo hi\n", "oops\n")
    assert not result.ok
    assert result.output == "C $HOME; echo hi\noops\n"


def test_a_program_that_hangs_is_stopped_at_the_time_limit(root: FakeRoot, tools: FakeTools) -> None:
    tools.hanging("slow")
    ctx = host_context(root, tools, timeout=0.5)
    assert ctx.run([str(tools.folder / "slow")]) is None
    assert ctx.notes == [
        ProbeNote("discover", f"{tools.folder / 'slow'} did not finish within 0.5 s and was stopped")
    ]


def test_stopping_a_program_also_stops_what_it_started(root: FakeRoot, tools: FakeTools) -> None:
    # The child inherits the output pipe; were it left running, run() would wait for it.
    tools.script(
        "wrapper",
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "time.sleep(600)\n",
    )
    ctx = host_context(root, tools, timeout=0.5)
    assert ctx.run([str(tools.folder / "wrapper")]) is None


def test_a_missing_program_is_a_note(root: FakeRoot, tools: FakeTools) -> None:
    ctx = host_context(root, tools)
    assert ctx.which("nvidia-smi") is None
    assert ctx.run([str(tools.folder / "nvidia-smi")]) is None
    assert ctx.notes == [
        ProbeNote("discover", f"cannot run {tools.folder / 'nvidia-smi'}: No such file or directory")
    ]


def test_the_host_environment_never_describes_an_image(root: FakeRoot) -> None:
    assert ProbeContext.create(root.fs).environ == {}
    assert ProbeContext.create().environ.get("PATH") is not None
    assert ProbeContext.create().running_machine
