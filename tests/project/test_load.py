"""Finding the manifest in a folder, and reading it with the reader its name calls for."""

from __future__ import annotations

from pathlib import Path

import pytest

from thoth_cli.errors import ExitCode, ManifestError, ManifestNotFoundError
from thoth_cli.project.load import find_manifest, load_project, reader_for
from thoth_cli.project.model import Group, GroupKind, ManifestKind
from thoth_cli.project.pipfile import PipfileReader
from thoth_cli.project.pyproject import PyprojectReader
from thoth_cli.project.requirements import RequirementsReader

MANIFESTS = {
    "Pipfile": '[packages]\nrequests = "*"\n',
    "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests"]\n',
    "requirements.in": "requests\n",
    "requirements.txt": "requests==2.31.0\n",
}
TOOLS_ONLY = "[tool.ruff]\nline-length = 100\n"
POETRY_1_DEV_ONLY = '[tool.poetry]\nname = "app"\n\n[tool.poetry.dev-dependencies]\npytest = "^8"\n'


def folder(tmp_path: Path, *names: str, **bodies: str) -> Path:
    """Write the named manifests (with `MANIFESTS`' bodies unless given) into tmp_path."""
    for name in names:
        (tmp_path / name).write_text(MANIFESTS[name], encoding="utf-8")
    for name, body in bodies.items():
        (tmp_path / name.replace("_", ".")).write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (("Pipfile", "pyproject.toml", "requirements.in", "requirements.txt"), "Pipfile"),
        (("pyproject.toml", "requirements.in", "requirements.txt"), "pyproject.toml"),
        (("requirements.in", "requirements.txt"), "requirements.in"),
        (("requirements.txt",), "requirements.txt"),
        (("Pipfile", "requirements.txt"), "Pipfile"),
        (("pyproject.toml", "requirements.txt"), "pyproject.toml"),
    ],
)
def test_manifests_are_taken_in_order_of_precedence(
    tmp_path: Path, present: tuple[str, ...], chosen: str
) -> None:
    assert find_manifest(folder(tmp_path, *present)).path == tmp_path / chosen


def test_the_note_names_the_other_manifests_present(tmp_path: Path) -> None:
    choice = find_manifest(folder(tmp_path, *MANIFESTS))
    assert choice.note == (
        "using Pipfile; also present: pyproject.toml, requirements.in, requirements.txt "
        "(pass --manifest to choose another)"
    )
    project = load_project(directory=tmp_path)
    assert project.notes[0] == choice.note


def test_a_lone_manifest_needs_no_note(tmp_path: Path) -> None:
    choice = find_manifest(folder(tmp_path, "requirements.in"))
    assert (choice.path, choice.note) == (tmp_path / "requirements.in", None)
    assert load_project(directory=tmp_path).notes == ()


def test_a_pyproject_that_only_configures_tools_is_passed_over(tmp_path: Path) -> None:
    folder(tmp_path, "requirements.txt", pyproject_toml=TOOLS_ONLY)
    choice = find_manifest(tmp_path)
    assert choice.path == tmp_path / "requirements.txt"
    assert (
        choice.note
        == "using requirements.txt; also present: pyproject.toml (pass --manifest to choose another)"
    )


@pytest.mark.parametrize(
    "body",
    [
        '[project]\nname = "app"\n',
        '[dependency-groups]\ntest = ["pytest"]\n',
        '[tool.poetry.dependencies]\npython = "^3.9"\n',
        '[tool.poetry.group.test.dependencies]\npytest = "^8"\n',
        # Poetry 1 projects that declare nothing but development dependencies.
        POETRY_1_DEV_ONLY,
    ],
)
def test_a_pyproject_that_declares_dependencies_is_the_manifest(tmp_path: Path, body: str) -> None:
    folder(tmp_path, "requirements.txt", pyproject_toml=body)
    assert find_manifest(tmp_path).path == tmp_path / "pyproject.toml"


def test_a_legacy_poetry_project_with_only_dev_dependencies_is_read(tmp_path: Path) -> None:
    folder(
        tmp_path,
        pyproject_toml='[tool.poetry]\nname = "app"\n\n[tool.poetry.dev-dependencies]\npytest = "^8"\n',
    )
    project = load_project(directory=tmp_path)
    assert project.kind is ManifestKind.PYPROJECT
    assert [(str(r), r.group) for r in project.requirements] == [
        ("pytest<9,>=8", Group(GroupKind.GROUP, "dev"))
    ]


def test_a_pyproject_that_cannot_be_parsed_is_chosen_so_its_error_is_shown(tmp_path: Path) -> None:
    folder(tmp_path, "requirements.txt", pyproject_toml="[project\n")
    assert find_manifest(tmp_path).path == tmp_path / "pyproject.toml"
    with pytest.raises(ManifestError) as caught:
        load_project(directory=tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'pyproject.toml'}:1: invalid TOML: ")


def test_a_folder_named_like_a_manifest_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").mkdir()
    folder(tmp_path, "requirements.txt")
    assert find_manifest(tmp_path).path == tmp_path / "requirements.txt"


@pytest.mark.parametrize("present", [(), ("pyproject.toml",)])
def test_no_manifest_is_an_input_error_naming_the_folder(tmp_path: Path, present: tuple[str, ...]) -> None:
    if present:
        folder(tmp_path, pyproject_toml=TOOLS_ONLY)
    with pytest.raises(ManifestNotFoundError) as caught:
        load_project(directory=tmp_path)
    assert str(caught.value) == (
        f"no manifest found in {tmp_path.resolve()} (looked for Pipfile, pyproject.toml, requirements.in, "
        "requirements.txt)\n  fix: run thoth in your project's folder or pass --manifest PATH"
    )
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    assert caught.value.directory == tmp_path.resolve()


def test_a_manifest_found_in_the_working_folder_is_named_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder(tmp_path, "Pipfile")
    monkeypatch.chdir(tmp_path)
    assert load_project().manifest == Path("Pipfile")


def test_a_given_manifest_is_read_whatever_else_is_present(tmp_path: Path) -> None:
    folder(tmp_path, *MANIFESTS)
    project = load_project(tmp_path / "requirements.txt")
    assert (project.kind, project.notes) == (ManifestKind.REQUIREMENTS, ())
    assert [str(r) for r in project.requirements] == ["requests==2.31.0"]


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("Pipfile", PipfileReader),
        ("dev.Pipfile", PipfileReader),
        ("pyproject.toml", PyprojectReader),
        ("requirements.txt", RequirementsReader),
        ("requirements-dev.in", RequirementsReader),
        ("constraints.txt", RequirementsReader),
    ],
)
def test_the_reader_is_chosen_by_file_name(name: str, reader: type) -> None:
    assert type(reader_for(Path("project") / name)) is reader


@pytest.mark.parametrize("name", ["setup.py", "environment.yml", "Pipfile.lock", "poetry.lock"])
def test_a_given_manifest_of_unknown_type_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_project(path)
    assert str(caught.value) == (
        f"{path}: unknown manifest type\n"
        "  fix: name a Pipfile, a pyproject.toml, or a requirements file ending in .txt or .in"
    )
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
