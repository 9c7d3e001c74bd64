"""Reading pyproject.toml: PEP 621, PEP 735 and Poetry (1 and 2) projects into one Project."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from thoth_cli.errors import ExitCode, ManifestError
from thoth_cli.project.load import load_project, reader_for
from thoth_cli.project.model import MAIN, Group, GroupKind, ManifestKind, Project, Source
from thoth_cli.project.poetry import PYPI_URL
from thoth_cli.project.pyproject import PyprojectReader

DATA = Path(__file__).parent / "data" / "pyproject"


def read(name: str) -> Project:
    return PyprojectReader().read(DATA / name / "pyproject.toml")


def listing(project: Project) -> list[tuple[str, str]]:
    return [(str(r.group), str(r)) for r in project.requirements]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    return path


def refused(tmp_path: Path, body: str) -> str:
    path = write(tmp_path, body)
    with pytest.raises(ManifestError) as caught:
        PyprojectReader().read(path)
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    return str(caught.value).replace(str(path), "pyproject.toml")


def test_the_reader_claims_pyproject_toml() -> None:
    assert (PyprojectReader.kind, PyprojectReader.filenames) == (ManifestKind.PYPROJECT, ("pyproject.toml",))
    assert isinstance(reader_for(Path("x/pyproject.toml")), PyprojectReader)


def test_a_small_pep_621_library() -> None:
    project = read("pep621-library")
    assert (project.name, project.version, project.kind) == ("tinyhttp", "1.4.0", ManifestKind.PYPROJECT)
    assert project.requires_python == SpecifierSet(">=3.9")
    assert project.sources == ()
    assert listing(project) == [
        ("default", "certifi"),
        ("default", "h11<0.15,>=0.13"),
        ("default", "idna>=2.8"),
        ("default", 'exceptiongroup>=1.0; python_version < "3.11"'),
        ("extra:brotli", 'brotli; platform_python_implementation == "CPython"'),
        ("extra:brotli", 'brotlicffi; platform_python_implementation != "CPython"'),
        ("extra:socks", "socksio==1.*"),
    ]
    assert project.groups == (
        MAIN,
        Group(GroupKind.EXTRA, "brotli"),
        Group(GroupKind.EXTRA, "socks"),
    )
    assert [r.origin.line for r in project.requirements if r.origin] == [16, 17, 18, 19, 23, 23, 24]
    assert project.notes == ()


def test_a_large_application_with_extras_and_groups_that_include_each_other() -> None:
    project = read("pep621-application")
    assert (project.name, project.version) == ("Harbour-Master", None)
    assert project.requires_python == SpecifierSet(">=3.10,<3.14")
    by_group: dict[str, list[str]] = {}
    for group, requirement in listing(project):
        by_group.setdefault(group, []).append(requirement)
    assert by_group["default"] == [
        "Django<5.1,>=4.2",
        "djangorestframework~=3.15",
        "celery[redis]>=5.3",
        'psycopg[binary]>=3.1; sys_platform != "win32"',
        "pydantic!=2.6.0,>=2.5",
        'numpy>=1.26; python_version >= "3.12"',
        'numpy<2,>=1.24; python_version < "3.12"',
        'gunicorn; sys_platform == "linux"',
    ]
    # Extra names are normalised (PEP 685); the self-referencing `all` extra is expanded,
    # its marker carried onto what it brings in.
    assert by_group["extra:postgres"] == ["psycopg-pool>=3.2"]
    assert by_group["extra:all"] == [
        "psycopg-pool>=3.2",
        "boto3>=1.34",
        "django-storages[s3]>=1.14",
        'opentelemetry-sdk>=1.22; python_version >= "3.11"',
        'sentry-sdk[django]>=1.40; python_version >= "3.11"',
    ]
    assert by_group["group:docs"] == ["sphinx>=7", "furo"]
    assert by_group["group:dev"] == [
        "pytest>=8",
        "pytest-django>=4.8",
        "factory-boy",
        "ruff==0.6.9",
        "mypy>=1.11",
        "django-stubs[compatible-mypy]",
        "pre-commit>=3.5",
        "ipython",
    ]
    assert by_group["group:ci"] == [*by_group["group:dev"], "coverage[toml]>=7"]
    assert not any("harbour" in r.name for r in project.requirements)


def test_a_poetry_1_service() -> None:
    project = read("poetry1-service")
    assert (project.name, project.version) == ("ledger-service", "2.3.1")
    assert project.requires_python == SpecifierSet(">=3.9,<4.0")
    assert project.sources == (
        Source("pypi", PYPI_URL),
        Source("mirror", "https://mirror.example.com/simple/"),
        Source("internal", "https://pypi.internal.example.com/simple/", explicit=True),
    )
    shared = (DATA / "libs" / "shared-models").resolve().as_uri()
    assert listing(project) == [
        ("default", "fastapi<0.111.0,>=0.110.0"),
        ("default", "uvicorn[standard]<0.30,>=0.29"),
        ("default", "SQLAlchemy==2.0.*"),
        ("default", "alembic<2.0,>=1.13"),
        ("default", "pydantic-settings<3.0,>=2.2"),
        ("default", "ruamel.yaml<0.19,>=0.18"),
        ("default", 'orjson<4.0,>=3.9; sys_platform == "linux"'),
        ("default", 'numpy<1.25,>=1.24; python_version < "3.12"'),
        ("default", 'numpy<2.0,>=1.26; python_version >= "3.12"'),
        ("default", 'tomli<3.0.0,>=2.0.1; python_version < "3.11"'),
        ("default", 'uvloop<0.20,>=0.19; sys_platform != "win32"'),
        ("default", "money @ git+https://github.com/example/money.git@v1.3.0"),
        ("default", f"shared-models @ {shared}"),
        ("default", "internal-auth<5.0,>=4.1"),
        ("default", "rich<14.0,>=13.7"),
        ("extra:postgres", "asyncpg<0.30,>=0.29"),
        ("extra:mysql", "aiomysql==0.2.0"),
        ("group:dev", "pytest<9.0,>=8.1"),
        ("group:dev", "pytest-asyncio<0.24.0,>=0.23.5"),
        ("group:dev", "hypothesis"),
        ("group:dev", "httpx<0.28,>=0.27"),
        ("group:dev", "devtools @ git+ssh://git@github.com/example/devtools.git@main"),
        ("group:docs", "mkdocs-material<10.0,>=9.5"),
        ("group:docs", "mkdocstrings[python]<0.25,>=0.24"),
    ]
    flags = {r.name: (r.index, r.allow_prereleases, r.editable) for r in project.requirements}
    assert flags["internal-auth"] == ("internal", False, False)
    assert flags["rich"] == (None, True, False)
    assert flags["shared-models"] == (None, False, True)
    assert flags["devtools"] == (None, False, True)
    assert flags["money"] == (None, False, False)
    numpy = [r for r in project.requirements if r.name == "numpy"]
    assert all(r.origin and r.origin.line == 19 for r in numpy)


def test_a_poetry_2_library_where_project_declares_and_poetry_enriches() -> None:
    project = read("poetry2-library")
    assert (project.name, project.version) == ("quill-render", "0.9.0")
    # Poetry 2: `python` in [tool.poetry.dependencies] is the range used for locking.
    assert project.requires_python == SpecifierSet(">=3.9,<4.0")
    assert project.sources == (
        Source("pypi", PYPI_URL),
        Source("images", "https://images.example.org/simple/"),
    )
    assert listing(project) == [
        ("default", "markdown-it-py<4.0,>=3.0"),
        ("default", 'tomli<3.0.0,>=2.0.1; python_version < "3.11"'),
        ("default", "pillow>=10.2"),
        ("default", 'lxml<5.3,<6.0,>=5.1; python_version < "3.10"'),
        ("default", 'lxml<6.0,>=5.1; python_version >= "3.10"'),
        ("default", "cairosvg @ git+https://github.com/example/cairosvg.git@v2.7.1"),
        ("extra:pdf", "weasyprint<63,>=61"),
        ("group:dev", "pytest>=8.0"),
        ("group:dev", "syrupy>=4.6"),
        ("group:docs", "mkdocs>=1.5"),
        ("group:lint", "ruff>=0.4"),
    ]
    flags = {r.name: (r.index, r.allow_prereleases, r.editable) for r in project.requirements}
    assert flags["tomli"] == (None, True, False)
    assert flags["pillow"] == ("images", False, False)
    assert flags["cairosvg"] == (None, False, True)
    assert flags["syrupy"] == (None, True, False)
    assert project.notes == (
        "[tool.poetry.extras] is ignored because [project] declares the dependencies (Poetry 2)",
        "left-out appears only in [tool.poetry.dependencies]; Poetry 2 uses that table only to add details "
        "to the standard list, so it is not locked",
        "locking for Python <4.0,>=3.9 from [tool.poetry.dependencies] python; requires-python >=3.9 is what "
        "the package publishes",
    )


def test_a_poetry_2_project_with_dynamic_dependencies_reads_poetry_tables() -> None:
    project = read("poetry2-dynamic")
    assert listing(project) == [
        ("default", "pandas<3.0,>=2.2"),
        ("default", "matplotlib>=3.8"),
        ("default", "scikit-learn<1.5.0,>=1.4.1"),
        ("default", "torch<3.0,>=2.2"),
        ("default", "jupyterlab<5,>=3.6"),
    ]
    assert project.requirements[3].index == "pytorch-cpu"
    assert project.requires_python == SpecifierSet(">=3.11")
    assert project.notes == (
        "[project] lists dependencies as dynamic; read from [tool.poetry.dependencies] as Poetry does",
    )


def test_a_repository_with_only_dependency_groups() -> None:
    project = read("groups-only")
    assert (project.name, project.version, project.requires_python) == (None, None, None)
    assert listing(project) == [
        ("group:docs", "sphinx>=7.2"),
        ("group:docs", "myst-parser"),
        ("group:test", "pytest>=8"),
        ("group:test", "coverage[toml]"),
        ("group:typing", "mypy>=1.10"),
        ("group:typing", "pytest>=8"),
        ("group:typing", "coverage[toml]"),
    ]
    assert project.requirements_for() == ()


def test_an_odd_file_with_bom_crlf_legacy_spellings_and_quoted_keys() -> None:
    project = read("odd")
    assert project.requires_python == SpecifierSet(">=3.8.1,<4")
    assert [s.name for s in project.sources] == ["corp", "PyPI"]
    assert listing(project) == [
        ("default", "zope.interface==6.2"),
        ("default", "requests<3,>=2.31"),
        ("default", "attrs!=22.*,<24.0,>=21.4"),
        ("default", "six==1.*"),
        ("default", 'colorama; sys_platform == "win32"'),
        (
            "default",
            'legacy!=1.5; os_name == "nt" and ((python_version >= "2.7" and python_version < "2.8") or '
            '(python_version >= "3.6" and python_version < "4.0"))',
        ),
        ("group:dev", "black<25,>=24"),
        ("group:dev", "flake8<7"),
    ]
    assert [r.origin.line for r in project.requirements if r.origin] == [8, 9, 10, 11, 12, 13, 19, 16]
    assert project.notes == (
        "source 'corp' uses the deprecated priority 'default'; read as Poetry 1.x did",
        "[tool.poetry.dev-dependencies] is read as the group 'dev' (Poetry's legacy spelling)",
    )


def test_load_project_finds_and_reads_a_pyproject(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\ndependencies = ["attrs"]\n')
    project = load_project(directory=tmp_path)
    assert [r.name for r in project.requirements] == ["attrs"]


def test_dynamic_dependencies_without_poetry_are_noted(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndynamic = ["dependencies", "version"]\n')
    project = PyprojectReader().read(path)
    assert project.requirements == ()
    assert project.notes == (
        "[project] lists dependencies as dynamic (the build backend computes them); thoth reads only what "
        "the file states",
    )


def test_poetry_main_dependencies_join_standard_extras_when_dependencies_are_dynamic(tmp_path: Path) -> None:
    body = (
        '[project]\nname = "x"\ndynamic = ["dependencies"]\n'
        '[project.optional-dependencies]\nfast = ["orjson>=3"]\n'
        '[tool.poetry.dependencies]\nrequests = "^2.31"\norjson = { version = "<4", source = "pypi", '
        "optional = true }\n"
    )
    project = PyprojectReader().read(write(tmp_path, body))
    assert listing(project) == [("default", "requests<3.0,>=2.31"), ("extra:fast", "orjson<4,>=3")]
    assert project.requirements[1].index == "pypi"
    assert project.notes == (
        "[project] lists dependencies as dynamic; main ones read from [tool.poetry.dependencies]",
    )


def test_poetry_groups_enrich_pep_735_groups_and_include_groups(tmp_path: Path) -> None:
    body = (
        "[dependency-groups]\n"
        'test = ["pytest>=8"]\n'
        'dev = [{ include-group = "test" }, "ipython"]\n'
        "[tool.poetry.group.test.dependencies]\n"
        "pytest = { allow-prereleases = true }\n"
        "[tool.poetry.group.lint.dependencies]\n"
        'ruff = "*"\n'
        "[tool.poetry.group.all]\n"
        'include-groups = ["Dev", "lint"]\n'
    )
    project = PyprojectReader().read(write(tmp_path, body))
    assert [(str(r.group), str(r), r.allow_prereleases) for r in project.requirements] == [
        ("group:test", "pytest>=8", True),
        ("group:dev", "pytest>=8", True),
        ("group:dev", "ipython", False),
        ("group:lint", "ruff", False),
        ("group:all", "pytest>=8", True),
        ("group:all", "ipython", False),
        ("group:all", "ruff", False),
    ]


def test_self_references_expand_into_their_extras_and_a_bare_one_is_dropped(tmp_path: Path) -> None:
    body = '[project]\nname = "My.App"\n[dependency-groups]\n'
    body += 'dev = ["my-app", "my_app[cli]"]\ncli = ["My.App[cli]"]\n'
    body += '[project.optional-dependencies]\ncli = ["click"]\nloop = ["my-app[loop,cli]"]\n'
    project = PyprojectReader().read(write(tmp_path, body))
    assert listing(project) == [
        ("extra:cli", "click"),
        ("extra:loop", "click"),
        ("group:dev", "click"),
        ("group:cli", "click"),
    ]
    assert project.notes == (
        "group:dev: my-app names the project itself; its own dependencies are main ones",
    )


def test_markers_in_requirements_are_kept_as_markers(tmp_path: Path) -> None:
    body = '[project]\nname = "x"\ndependencies = ["pywin32>=306; sys_platform == \'win32\'"]\n'
    (requirement,) = PyprojectReader().read(write(tmp_path, body)).requirements
    assert requirement.marker == Marker("sys_platform == 'win32'")


PEP508_FIX = (
    "write it as PEP 508 describes, e.g. 'requests>=2.31,<3' or 'name @ https://host/name-1.0.tar.gz'"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[project]\nname = "x"\ndependencies = "requests"\n',
            "pyproject.toml:3 [project.dependencies]: must be an array of PEP 508 strings, not a "
            'string: "requests"'
            '\n  fix: write dependencies = ["requests"]',
        ),
        (
            '[project]\nname = "x"\ndependencies = ["requests", 2]\n',
            "pyproject.toml:3 [project.dependencies]: entry 2 must be a PEP 508 string, not an integer: 2\n"
            '  fix: quote it as a requirement, e.g. "requests>=2.31"',
        ),
        (
            '[project]\nname = "x"\ndependencies = [\n  "requests",\n  "flask >= 2 <3",\n]\n',
            "pyproject.toml:5 [project.dependencies]: invalid requirement (expected comma (within version "
            f"specifier), semicolon (after version specifier) or end): 'flask >= 2 <3'\n  fix: {PEP508_FIX}",
        ),
        (
            '[project]\nname = "x"\nrequires-python = 3.8\n',
            "pyproject.toml:3 [project.requires-python]: must be a string, not a float: 3.8\n"
            '  fix: quote it as a version specifier: requires-python = ">=3.8"',
        ),
        (
            '[project]\nname = "x"\nrequires-python = "^3.8"\n',
            "pyproject.toml:3 [project.requires-python]: not a valid version specifier: '^3.8'\n"
            '  fix: write a PEP 440 specifier such as ">=3.9" or ">=3.9,<4"',
        ),
        (
            '[project]\nname = "x"\nrequires-python = [">=3.8"]\n',
            'pyproject.toml:3 [project.requires-python]: must be a string, not an array: [">=3.8"]\n'
            '  fix: quote it as a version specifier: requires-python = ">=3.9"',
        ),
        (
            "[project]\nname = 5\n",
            "pyproject.toml:2 [project.name]: must be a string, not an integer: 5\n  fix: write name "
            '= "my-project"',
        ),
        (
            'project = "x"\n',
            'pyproject.toml:1 [project]: must be a table, not a string: "x"\n'
            '  fix: write [project] with name = "..." and dependencies = [...]',
        ),
        (
            '[project]\nname = "x"\ndynamic = "version"\n',
            'pyproject.toml:3 [project.dynamic]: must be an array of key names, not a string: "version"\n'
            '  fix: write dynamic = ["version"]',
        ),
        (
            '[project]\nname = "x"\ndynamic = ["dependencies"]\ndependencies = []\n',
            "pyproject.toml:4 [project.dependencies]: dependencies is listed in dynamic but also given: "
            "dependencies\n  fix: remove 'dependencies' from dynamic, or remove the dependencies key "
            "(PEP 621 "
            "allows only one)",
        ),
        (
            '[project]\nname = "x"\noptional-dependencies = ["pytest"]\n',
            "pyproject.toml:3 [project.optional-dependencies]: must be a table of arrays, not an array: "
            '["pytest"]\n  fix: write [project.optional-dependencies] pg = ["psycopg"]',
        ),
        (
            '[project]\nname = "x"\n[project.optional-dependencies]\ntest = "pytest"\n',
            "pyproject.toml:4 [project.optional-dependencies.test]: must be an array of PEP 508 "
            "strings, not a "
            'string: "pytest"\n  fix: write test = ["pytest"]',
        ),
        (
            '[project]\nname = "x"\n[project.optional-dependencies]\nTest = ["a"]\ntest_ = ["b"]\n',
            "pyproject.toml:5 [project.optional-dependencies.test_]: not a valid extra name: 'test_'\n"
            "  fix: use letters, digits and '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            '[project]\nname = "x"\n[project.optional-dependencies]\nDB = ["a"]\ndb = ["b"]\n',
            "pyproject.toml:5 [project.optional-dependencies.db]: extras 'DB' and 'db' are the same once "
            "normalised: 'db'\n  fix: merge the two extras into one",
        ),
        (
            '[project]\nname = "x"\n[project.optional-dependencies]\nall = ["x[nope]"]\n',
            "pyproject.toml:4 [project.optional-dependencies.all]: names an extra of this project that "
            "[project.optional-dependencies] does not define: 'x[nope]'\n  fix: define the extra 'nope' or "
            "remove it",
        ),
        (
            "[dependency-groups]\ndev = [1]\n",
            "pyproject.toml:2 [dependency-groups.dev]: entry 1 of the group is neither a requirement "
            "string nor "
            'an {include-group = "..."} table: 1\n  fix: write a PEP 508 string such as "pytest>=8", or '
            '{include-group = "test"}',
        ),
        (
            '[tool.poetry.group.all]\ninclude-groups = ["docs"]\n',
            "pyproject.toml:1 [tool.poetry.group.all]: includes a group that is not defined: 'docs'\n"
            "  fix: define the group, or include one of: all",
        ),
        (
            '[tool.poetry.group.a]\ninclude-groups = ["b"]\n[tool.poetry.group.b]\ninclude-groups = ["a"]\n',
            "pyproject.toml:1 [tool.poetry.group.a]: groups include each other in a cycle: a -> b -> a\n"
            "  fix: remove one of the include-groups entries in that cycle",
        ),
        (
            'tool = "poetry"\n',
            "pyproject.toml: declares no dependencies (no [project], [dependency-groups] or [tool.poetry] "
            "table)\n  fix: add a [project] table with dependencies = [...], or pass the manifest "
            "that lists them",
        ),
        (
            "[tool.black]\nline-length = 100\n",
            "pyproject.toml: declares no dependencies (no [project], [dependency-groups] or [tool.poetry] "
            "table)\n  fix: add a [project] table with dependencies = [...], or pass the manifest "
            "that lists them",
        ),
        (
            '[project]\nname = "x"\n[tool]\npoetry = 1\n',
            "pyproject.toml:4 [tool.poetry]: must be a table, not an integer: 1\n"
            "  fix: write [tool.poetry] as a table",
        ),
        (
            '[project]\nname = "lib"\ndependencies = ["other @ git+https://x/other.git"]\n'
            '[tool.poetry.dependencies]\nother = { path = "../other" }\n',
            "pyproject.toml:5 [tool.poetry.dependencies.other]: cannot add details to a requirement "
            "that names "
            "a different location: other @ git+https://x/other.git / other @ {other}\n"
            "  fix: give the git, path or url reference in one place only",
        ),
    ],
)
def test_bad_input_is_refused_with_exact_messages(tmp_path: Path, body: str, message: str) -> None:
    other = (tmp_path.parent / "other").resolve().as_uri()
    assert refused(tmp_path, body) == message.replace("{other}", other)
