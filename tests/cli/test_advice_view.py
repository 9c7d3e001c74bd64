"""What `thoth advise` shows: the table with scores and reasons, the tree, JSON checked against its schema."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from tests.cli.conftest import Thoth
from tests.indexserver import IndexServer, IndexServerFactory, Universe
from thoth_cli.pipeline import registry

NOW = ("--exclude-newer", "2024-06-01T12:00:00Z")


@pytest.fixture(autouse=True)
def without_bundled_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "bundled_units", tuple)


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    universe = Universe.parse("app 1.0: lib>=1\nlib 1.0: base\nbase 1.0")
    universe.add("fresh", "1.0", upload_time="2024-01-01T00:00:00Z")
    universe.add("fresh", "1.1", upload_time="2024-05-30T00:00:00Z")
    return index_server(universe)


def requirements(folder: Path, *lines: str) -> Path:
    manifest = folder / "requirements.in"
    manifest.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return manifest


def schema() -> dict[str, object]:
    text = files("thoth_cli.schemas").joinpath("advise.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_the_table_shows_each_pins_score_and_its_main_reason(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "fresh==1.1")
    result = thoth.advise("--manifest", str(manifest), "-t", "stable", "--dry-run", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "package  version  change  score  why",
        "fresh    1.1              -1.00  released 2 days ago (younger than 7 days)",
    ]


def test_the_table_says_what_changed_against_the_existing_lock(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "fresh<1.1")
    assert thoth.advise("--manifest", str(manifest), *NOW, index=server).exit_code == 0
    manifest.write_text("fresh>=1.1\napp\n", encoding="utf-8")
    result = thoth.advise("--manifest", str(manifest), *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert rows == [
        ["app", "1.0", "added", "+0.00"],
        ["base", "1.0", "added", "+0.00"],
        ["fresh", "1.1", "upgraded", "from", "1.0", "+0.00"],
        ["lib", "1.0", "added", "+0.00"],
    ]


def test_the_tree_shows_why_each_package_is_there(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "app")
    result = thoth.advise("--manifest", str(manifest), "--dry-run", "--tree", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    tree = [line.rstrip() for line in result.stdout.splitlines()[-4:]]
    assert tree == [
        "project",
        "└── app 1.0  (app)",
        "    └── lib 1.0  (lib>=1)",
        "        └── base 1.0  (base)",
    ]


def test_json_is_the_lock_and_the_report_valid_against_the_shipped_schema(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "app", "fresh")
    result = thoth.advise("--manifest", str(manifest), "--format", "json", "-t", "stable", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema())
    assert data["schema"] == "thoth.advise/1"
    assert data["lock"] == str(tmp_path / "requirements.txt")
    assert (data["lock_format"], data["dry_run"], data["changes"]) == ("requirements.txt", False, [])
    report = data["report"]
    assert report["recommendation_type"] == "stable"
    (stack,) = report["stacks"]
    assert [(p["name"], p["version"]) for p in stack["packages"]] == [
        ("app", "1.0"),
        ("base", "1.0"),
        ("fresh", "1.0"),
        ("lib", "1.0"),
    ]
    # The table is not printed beside the JSON: stdout is the JSON alone.
    assert result.stdout.lstrip().startswith("{")


def test_json_of_a_dry_run_names_no_lock(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "app")
    result = thoth.advise("--manifest", str(manifest), "--format", "json", "--dry-run", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema())
    assert (data["lock"], data["dry_run"]) == (None, True)


def test_no_progress_is_drawn_when_stderr_is_not_a_terminal(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "app")
    result = thoth.advise("--manifest", str(manifest), "--dry-run", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    assert "resolving:" not in result.stderr
    assert "\x1b" not in result.stderr


def test_an_interrupted_advise_exits_130_and_leaves_the_old_lock_intact(
    tmp_path: Path, thoth: Thoth, server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = requirements(tmp_path, "app")
    assert thoth.advise("--manifest", str(manifest), *NOW, index=server).exit_code == 0
    lock = tmp_path / "requirements.txt"
    before = lock.read_bytes()
    manifest.write_text("app\nfresh\n", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("thoth_cli.adviser.search", interrupted)
    result = thoth.advise("--manifest", str(manifest), *NOW, index=server)
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == "error: interrupted"
    assert lock.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [
        "requirements.in",
        "requirements.txt",
    ]


def test_diff_shows_what_changed_against_the_existing_lock(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "fresh<1.1")
    assert thoth.advise("--manifest", str(manifest), *NOW, index=server).exit_code == 0
    manifest.write_text("fresh>=1.1\napp\n", encoding="utf-8")
    result = thoth.advise("--manifest", str(manifest), "--diff", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "fresh │ 1.0 │ 1.1 │ upgraded" in text or "fresh 1.0 1.1 upgraded" in text
    assert "3 added" in text and "1 upgraded" in text


def test_diff_without_an_existing_lock_says_so(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "app")
    result = thoth.advise("--manifest", str(manifest), "--diff", "--dry-run", *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    assert "--diff: there was no lock to compare with" in result.stderr


def test_graph_writes_the_stack_as_dot_with_changes_marked(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "fresh<1.1")
    assert thoth.advise("--manifest", str(manifest), *NOW, index=server).exit_code == 0
    manifest.write_text("fresh>=1.1\napp\n", encoding="utf-8")
    graph = tmp_path / "stack.dot"
    result = thoth.advise("--manifest", str(manifest), "--graph", str(graph), *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    dot = graph.read_text(encoding="utf-8")
    assert dot.startswith("digraph thoth {")
    assert '"app"' in dot and '"lib" -> "base"' in dot
    assert "1.0 -> 1.1" in dot
    assert f"wrote the dependency graph to {graph}" in result.stderr
