"""Scanning source trees: which files are read, how modules are told apart, and files that cannot be read."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from thoth_cli.errors import ExitCode
from thoth_cli.usage.model import LibraryUsage
from thoth_cli.usage.scan import FileUsage, Modules, ScanPathError, SourceError, read_usage, scan
from thoth_cli.usage.stdlib import running_version

RUNNING = ".".join(map(str, running_version()))
SYNTAX_FIX = (
    f"correct it; thoth reads code as the Python it runs on (here {RUNNING}) does, "
    "so code for a newer Python needs thoth run on that Python"
)
ENCODING_FIX = "save it as UTF-8, or declare its encoding in a coding comment on its first or second line"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def by_path(files: tuple[FileUsage, ...]) -> dict[str, FileUsage]:
    return {file.path.as_posix(): file for file in files}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A src-layout project with tests, scripts, and the folders a scan must not enter."""
    return write(
        tmp_path,
        {
            "src/mlapp/__init__.py": "",
            "src/mlapp/train.py": """
                import os
                import numpy as np
                import tensorflow as tf
                from tensorflow.keras.callbacks import ModelCheckpoint
                from mlapp import data
                from . import util
                from .util import helpers

                def fit(x):
                    model = tf.keras.Sequential([tf.keras.layers.LSTM(8)])
                    model.fit(np.asarray(x), callbacks=[ModelCheckpoint(os.path.join("out", "m.h5"))])
            """,
            "src/mlapp/util.py": "import helpers\n",
            "src/mlapp/data.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    import pandas as pd
                def load() -> pd.DataFrame: ...
            """,
            "tests/test_train.py": """
                import pytest
                import mlapp.train
                from conftest import fake_data
            """,
            "tests/conftest.py": "import pytest\n",
            "scripts/export.py": "import helpers\nimport yaml\nhelpers.run(yaml.safe_dump)\n",
            "scripts/helpers.py": "import json\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
            # Not to be entered:
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/lib/python3.12/site-packages/requests/__init__.py": "import urllib3\n",
            "env/pyvenv.cfg": "home = /usr/bin\n",
            "env/lib/six.py": "import requests\n",
            "conda/conda-meta/history": "",
            "conda/lib/x.py": "import requests\n",
            "build/lib/mlapp/train.py": "import requests\n",
            "dist/notes.py": "import requests\n",
            "node_modules/gyp/gyp.py": "import requests\n",
            "src/mlapp/__pycache__/train.py": "import requests\n",
            ".tox/py312/x.py": "import requests\n",
            "vendor/site-packages/x.py": "import requests\n",
            # Read, but not as sources:
            "src/mlapp/stubs.pyi": "import requests\n",
            "README.md": "import requests\n",
        },
    )


def test_a_project_is_scanned_file_by_file_and_other_peoples_folders_are_skipped(project: Path) -> None:
    result = scan(project)
    assert [file.path.as_posix() for file in result.files] == [
        "scripts/export.py",
        "scripts/helpers.py",
        "setup.py",
        "src/mlapp/__init__.py",
        "src/mlapp/data.py",
        "src/mlapp/train.py",
        "src/mlapp/util.py",
        "tests/conftest.py",
        "tests/test_train.py",
    ]
    assert sorted(p.as_posix() for p in result.skipped) == [
        ".tox",
        ".venv",
        "build",
        "conda",
        "dist",
        "env",
        "node_modules",
        "src/mlapp/__pycache__",
        "vendor/site-packages",
    ]
    assert result.errors == ()
    assert result.root == project


def test_modules_are_told_apart_per_file(project: Path) -> None:
    files = by_path(scan(project).files)
    assert files["src/mlapp/train.py"].modules == Modules(
        stdlib=frozenset({"os"}),
        third_party=frozenset({"numpy", "tensorflow"}),
        first_party=frozenset({"mlapp"}),
    )
    # A script's folder is on sys.path when it runs: its neighbours are the project's own.
    assert files["scripts/export.py"].modules == Modules(
        third_party=frozenset({"yaml"}), first_party=frozenset({"helpers"})
    )
    # Inside a package, the same name is an absolute import of someone else's module.
    assert files["src/mlapp/util.py"].modules == Modules(third_party=frozenset({"helpers"}))
    assert files["tests/test_train.py"].modules == Modules(
        third_party=frozenset({"pytest"}), first_party=frozenset({"mlapp", "conftest"})
    )
    assert files["src/mlapp/data.py"].modules == Modules(
        stdlib=frozenset({"typing"}),
        third_party=frozenset({"pandas"}),
        type_checking_only=frozenset({"pandas"}),
    )
    assert files["setup.py"].modules == Modules(third_party=frozenset({"setuptools"}))


def test_the_usage_holds_third_party_symbols_only(project: Path) -> None:
    usage = scan(project).usage()
    assert usage == LibraryUsage(
        modules=frozenset({"numpy", "tensorflow", "yaml", "pytest", "pandas", "setuptools", "helpers"}),
        symbols=frozenset(
            {
                "numpy",
                "numpy.asarray",
                "tensorflow",
                "tensorflow.keras.Sequential",
                "tensorflow.keras.layers.LSTM",
                "tensorflow.keras.callbacks.ModelCheckpoint",
                "yaml",
                "yaml.safe_dump",
                "pytest",
                "pandas",
                "pandas.DataFrame",
                "setuptools.setup",
                "helpers",
            }
        ),
    )
    assert usage.uses_all(["tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM"])


def test_a_file_symbols_keep_every_kind_of_module(project: Path) -> None:
    files = by_path(scan(project).files)
    assert files["src/mlapp/train.py"].symbols == {
        "os",
        "os.path.join",
        "numpy",
        "numpy.asarray",
        "tensorflow",
        "tensorflow.keras.Sequential",
        "tensorflow.keras.layers.LSTM",
        "tensorflow.keras.callbacks.ModelCheckpoint",
        "mlapp.data",
    }
    assert files["src/mlapp/train.py"].third_party_symbols() == {
        "numpy",
        "numpy.asarray",
        "tensorflow",
        "tensorflow.keras.Sequential",
        "tensorflow.keras.layers.LSTM",
        "tensorflow.keras.callbacks.ModelCheckpoint",
    }


def test_a_package_named_build_in_src_is_the_projects_own(tmp_path: Path) -> None:
    write(tmp_path, {"src/build/__init__.py": "import pyproject_hooks\n", "build/lib/x.py": "import six\n"})
    result = scan(tmp_path)
    assert [file.path.as_posix() for file in result.files] == ["src/build/__init__.py"]
    assert result.usage().modules == {"pyproject_hooks"}
    assert [p.as_posix() for p in result.skipped] == ["build"]


def test_a_top_level_package_anywhere_in_the_tree_is_the_projects_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "services/api/api/__init__.py": "import shared.models\nimport fastapi\n",
            "libs/shared/shared/__init__.py": "",
            "libs/shared/shared/models.py": "import pydantic\n",
        },
    )
    files = by_path(scan(tmp_path).files)
    assert files["services/api/api/__init__.py"].modules == Modules(
        third_party=frozenset({"fastapi"}), first_party=frozenset({"shared"})
    )


def test_the_standard_library_is_the_target_pythons(tmp_path: Path) -> None:
    write(tmp_path, {"legacy.py": "import distutils.core\nimport tomllib\nimport imp\n"})
    older = scan(tmp_path, python_version=(3, 11))
    assert older.files[0].modules == Modules(stdlib=frozenset({"distutils", "tomllib", "imp"}))
    newer = scan(tmp_path, python_version=(3, 12))
    assert newer.files[0].modules == Modules(
        stdlib=frozenset({"tomllib"}), third_party=frozenset({"distutils", "imp"})
    )
    assert newer.standard_library.based_on == (3, 12)
    assert scan(tmp_path).standard_library.assumed


def test_a_syntax_error_is_reported_and_the_file_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"good.py": "import requests\n", "bad.py": "import numpy\nvalues = (1,\n"})
    result = scan(tmp_path)
    bad, good = result.files
    assert good == FileUsage(
        Path("good.py"), Modules(third_party=frozenset({"requests"})), frozenset({"requests"})
    )
    assert bad.path == Path("bad.py")
    assert bad.modules == Modules()
    assert bad.error is not None
    assert result.errors == (bad.error,)
    assert (
        str(bad.error)
        == f"{tmp_path / 'bad.py'}:2: '(' was never closed: 'values = (1,'\n  fix: {SYNTAX_FIX}"
    )
    assert bad.error.exit_code == ExitCode.INVALID_INPUT
    assert result.usage().modules == {"requests"}


def test_python_2_code_is_a_syntax_error(tmp_path: Path) -> None:
    write(tmp_path, {"old.py": "import urllib2\nprint 'hello'\n"})
    (old,) = scan(tmp_path).files
    assert old.error is not None
    assert old.error.message == (
        f"{tmp_path / 'old.py'}:2: Missing parentheses in call to 'print'. "
        "Did you mean print(...)?: \"print 'hello'\""
    )


def test_a_latin_1_file_with_a_coding_cookie_is_read(tmp_path: Path) -> None:
    source = '# -*- coding: latin-1 -*-\nimport yaml\nGREETING = "Grüß Gott, café"\nyaml.dump(GREETING)\n'
    write(tmp_path, {"legacy.py": source.encode("latin-1")})
    (legacy,) = scan(tmp_path).files
    assert legacy.error is None
    assert legacy.symbols == {"yaml", "yaml.dump"}


def test_a_utf_8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"bom.py": "\ufeffimport attrs\n# résumé\n".encode()})
    (bom,) = scan(tmp_path).files
    assert bom.modules == Modules(third_party=frozenset({"attrs"}))


def test_a_latin_1_file_without_a_coding_cookie_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"legacy.py": 'import yaml\nGREETING = "café"\n'.encode("latin-1")})
    error = scan(tmp_path).errors[0]
    assert isinstance(error, SourceError)
    assert (
        str(error)
        == f"{tmp_path / 'legacy.py'}:2: cannot be decoded as utf-8: b'\\xe9'\n  fix: {ENCODING_FIX}"
    )


def test_undecodable_bytes_where_a_cookie_would_be_are_reported_with_their_line(tmp_path: Path) -> None:
    write(tmp_path, {"first.py": b"# caf\xe9\nimport yaml\n"})
    error = scan(tmp_path).errors[0]
    assert (
        str(error)
        == f"{tmp_path / 'first.py'}:1: cannot be decoded as utf-8: b'\\xe9'\n  fix: {ENCODING_FIX}"
    )


def test_bytes_outside_the_declared_encoding_are_reported(tmp_path: Path) -> None:
    write(tmp_path, {"ascii.py": b"# coding: ascii\nimport yaml\nNAME = '\xc3\xa9'\n"})
    error = scan(tmp_path).errors[0]
    assert str(error) == (
        f"{tmp_path / 'ascii.py'}:3: cannot be decoded as ascii, the encoding its coding comment declares: "
        f"b'\\xc3'\n  fix: {ENCODING_FIX}"
    )


def test_an_unknown_encoding_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"odd.py": b"# -*- coding: klingon -*-\nimport yaml\n"})
    error = scan(tmp_path).errors[0]
    assert str(error) == (
        f"{tmp_path / 'odd.py'}: its coding comment names an encoding Python does not know: 'klingon'"
        f"\n  fix: {ENCODING_FIX}"
    )


def test_a_byte_order_mark_contradicting_the_cookie_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"mixed.py": b"\xef\xbb\xbf# coding: latin-1\nimport yaml\n"})
    error = scan(tmp_path).errors[0]
    assert str(error) == (
        f"{tmp_path / 'mixed.py'}: it starts with a UTF-8 byte-order mark but its coding comment declares "
        "another encoding\n  fix: remove the byte-order mark or the coding comment"
    )


def test_a_single_file_is_scanned_with_its_neighbours_as_the_projects_own(tmp_path: Path) -> None:
    write(
        tmp_path, {"tool/run.py": "import config\nimport click\n", "tool/config.py": "", "tool/.x/y.py": ""}
    )
    result = scan(tmp_path / "tool" / "run.py")
    assert result.root == tmp_path / "tool" / "run.py"
    assert result.files == (
        FileUsage(
            Path("run.py"),
            Modules(third_party=frozenset({"click"}), first_party=frozenset({"config"})),
            frozenset({"config", "click"}),
        ),
    )


def test_a_file_named_explicitly_is_read_whatever_its_name(tmp_path: Path) -> None:
    write(tmp_path, {"bin/manage": "#!/usr/bin/env python\nimport django\n"})
    (manage,) = scan(tmp_path / "bin" / "manage").files
    assert manage.modules == Modules(third_party=frozenset({"django"}))


def test_a_package_folder_scanned_alone_knows_its_own_name(tmp_path: Path) -> None:
    write(tmp_path, {"mlapp/__init__.py": "", "mlapp/cli.py": "import mlapp.train\nimport typer\n"})
    files = by_path(scan(tmp_path / "mlapp").files)
    assert files["cli.py"].modules == Modules(
        third_party=frozenset({"typer"}), first_party=frozenset({"mlapp"})
    )


def test_a_path_that_is_not_there_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(ScanPathError) as raised:
        scan(tmp_path / "missing")
    assert (
        str(raised.value)
        == f"{tmp_path / 'missing'}: no such file or folder\n  fix: pass a Python file or a folder of sources"
    )
    assert raised.value.exit_code == ExitCode.INVALID_INPUT


def test_a_symlinked_folder_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "import flask\n", "elsewhere/lib.py": "import django\n"})
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import flask\n")
    (project / "lib").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = scan(project)
    assert [file.path for file in result.files] == [Path("app.py")]
    assert result.skipped == (Path("lib"),)


def test_read_usage_reports_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as raised:
        read_usage(tmp_path)
    assert raised.value.location.path == tmp_path
    assert raised.value.problem == "cannot be read"
