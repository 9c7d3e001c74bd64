"""Poetry's `[tool.poetry]` tables read into requirements, and Poetry 2 enrichment of the standard lists."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from thoth_cli.errors import Location, ManifestError
from thoth_cli.project.model import MAIN, Group, GroupKind, ProjectRequirement, Source
from thoth_cli.project.poetry import (
    PYPI_URL,
    PoetryDependency,
    PoetryTables,
    enrich,
    read_poetry,
)
from thoth_cli.project.toml import load_toml

HERE = Location(Path("pyproject.toml"), line=7, key="tool.poetry.dependencies.demo")
FIX = "write a Poetry constraint such as '^1.2', '~1.2.3', '>=1.2,<2.0', '1.2.*', '==1.2.3' or '*'"

# --- tables ---------------------------------------------------------------------------------


def poetry_tables(tmp_path: Path, body: str, **options: bool) -> PoetryTables:
    path = tmp_path / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    data, text = load_toml(path)
    return read_poetry(data["tool"]["poetry"], path=path, text=text, **options)


def only(tables: PoetryTables) -> ProjectRequirement:
    (dependency,) = tables.dependencies
    return dependency.requirement


def test_a_string_entry_is_a_constraint_with_its_origin(tmp_path: Path) -> None:
    tables = poetry_tables(tmp_path, '[tool.poetry.dependencies]\npython = "^3.9"\nRequests = "^2.31"\n')
    requirement = only(tables)
    assert (requirement.name, requirement.display_name) == ("requests", "Requests")
    assert requirement.specifier == SpecifierSet(">=2.31,<3.0")
    assert requirement.group == MAIN
    assert requirement.origin == Location(tmp_path / "pyproject.toml", 3, "tool.poetry.dependencies.Requests")
    assert tables.python == SpecifierSet(">=3.9,<4.0")


def test_python_platform_and_markers_are_all_required(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        'uvloop = { version = "^0.19", python = ">=3.10", platform = "linux || darwin", '
        "markers = \"implementation_name == 'cpython'\" }\n"
    )
    requirement = only(poetry_tables(tmp_path, body))
    assert requirement.marker == Marker(
        "(implementation_name == 'cpython') and (python_version >= '3.10') and "
        "(sys_platform == 'linux' or sys_platform == 'darwin')"
    )


def test_a_list_of_tables_gives_one_requirement_per_entry(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        "foo = [\n"
        '    { version = "<=1.9", python = ">=3.6,<3.8" },\n'
        '    { version = "^2.0", python = ">=3.8", platform = "!=win32" },\n'
        '    "3.0.1",\n'
        "]\n"
    )
    found = [
        (str(d.requirement.specifier), str(d.requirement.marker))
        for d in poetry_tables(tmp_path, body).dependencies
    ]
    assert found == [
        ("<=1.9", 'python_version >= "3.6" and python_version < "3.8"'),
        ("<3.0,>=2.0", 'python_version >= "3.8" and sys_platform != "win32"'),
        ("==3.0.1", "None"),
    ]


@pytest.mark.parametrize(
    ("entry", "url", "editable"),
    [
        ('{ git = "https://github.com/org/repo.git" }', "git+https://github.com/org/repo.git", False),
        (
            '{ git = "https://github.com/org/repo.git", tag = "v1.2" }',
            "git+https://github.com/org/repo.git@v1.2",
            False,
        ),
        (
            '{ git = "https://github.com/org/repo.git", rev = "38eb5d3b" }',
            "git+https://github.com/org/repo.git@38eb5d3b",
            False,
        ),
        (
            '{ git = "git@github.com:org/repo.git", branch = "next", develop = true }',
            "git+ssh://git@github.com/org/repo.git@next",
            True,
        ),
        (
            '{ git = "https://github.com/org/mono.git", subdirectory = "pkgs/demo" }',
            "git+https://github.com/org/mono.git#subdirectory=pkgs/demo",
            False,
        ),
        ('{ git = "git+ssh://host/repo.git" }', "git+ssh://host/repo.git", False),
        ('{ url = "https://example.com/demo-1.0.tar.gz" }', "https://example.com/demo-1.0.tar.gz", False),
        (
            '{ url = "https://example.com/demo.zip", subdirectory = "src" }',
            "https://example.com/demo.zip#subdirectory=src",
            False,
        ),
        ('{ url = "https://example.com/demo.zip", develop = true }', "https://example.com/demo.zip", False),
    ],
)
def test_direct_references_become_pep_508_urls(tmp_path: Path, entry: str, url: str, editable: bool) -> None:
    requirement = only(poetry_tables(tmp_path, f"[tool.poetry.dependencies]\ndemo = {entry}\n"))
    assert (requirement.url, requirement.editable, requirement.specifier) == (url, editable, SpecifierSet())


def test_paths_are_read_from_the_manifest_folder(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        'lib = { path = "../libs/lib", develop = true }\n'
        'wheel = { path = "dist/wheel-1.0-py3-none-any.whl" }\n'
        'mono = { path = "/opt/mono", subdirectory = "pkg" }\n'
        'archive = { file = "vendor/archive-2.0.tar.gz" }\n'
    )
    found = {
        d.requirement.name: (d.requirement.url, d.requirement.editable)
        for d in poetry_tables(tmp_path, body).dependencies
    }
    assert found == {
        "lib": ((tmp_path.parent / "libs" / "lib").resolve().as_uri(), True),
        "wheel": ((tmp_path / "dist" / "wheel-1.0-py3-none-any.whl").as_uri(), False),
        "mono": (Path("/opt/mono/pkg").resolve().as_uri(), False),
        "archive": ((tmp_path / "vendor" / "archive-2.0.tar.gz").as_uri(), False),
    }


def test_extras_prereleases_and_optional_flags_are_kept(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        'uvicorn = { version = "~0.29", extras = ["standard"], allow-prereleases = true, optional = true }\n'
    )
    (dependency,) = poetry_tables(tmp_path, body).dependencies
    assert dependency.optional
    assert dependency.requirement.extras == frozenset({"standard"})
    assert dependency.requirement.allow_prereleases


def test_sources_are_ordered_by_priority_with_pypi_kept_as_primary(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        'private = { version = "^1", source = "Internal" }\n'
        "[[tool.poetry.source]]\n"
        'name = "internal"\nurl = "https://internal.example/simple/"\npriority = "explicit"\n'
        "[[tool.poetry.source]]\n"
        'name = "mirror"\nurl = "https://mirror.example/simple/"\npriority = "supplemental"\n'
    )
    tables = poetry_tables(tmp_path, body)
    assert tables.sources == (
        Source("pypi", PYPI_URL),
        Source("mirror", "https://mirror.example/simple/"),
        Source("internal", "https://internal.example/simple/", explicit=True),
    )
    assert only(tables).index == "internal"


def test_a_primary_source_replaces_pypi(tmp_path: Path) -> None:
    body = '[[tool.poetry.source]]\nname = "corp"\nurl = "https://corp.example/simple/"\n'
    tables = poetry_tables(tmp_path, body)
    assert tables.sources == (Source("corp", "https://corp.example/simple/"),)
    assert tables.notes == ("PyPI is not used: the project names its own primary source, as Poetry does",)


def test_legacy_source_flags_and_a_named_pypi_source(tmp_path: Path) -> None:
    body = (
        "[[tool.poetry.source]]\n"
        'name = "old"\nurl = "https://old.example/simple/"\nsecondary = true\n'
        "[[tool.poetry.source]]\n"
        'name = "PyPI"\npriority = "supplemental"\n'
        "[[tool.poetry.source]]\n"
        'name = "corp"\nurl = "https://corp.example/simple/"\ndefault = true\n'
    )
    tables = poetry_tables(tmp_path, body)
    assert [s.name for s in tables.sources] == ["corp", "old", "PyPI"]
    assert tables.sources[2].url == PYPI_URL
    assert tables.notes == (
        "source 'old' uses the deprecated priority 'secondary'; read as Poetry 1.x did",
        "source 'corp' uses the deprecated priority 'default'; read as Poetry 1.x did",
    )


def test_extras_copy_their_optional_dependencies(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dependencies]\n"
        'psycopg2 = { version = "^2.9", optional = true }\n'
        'mysqlclient = { version = "^1.3", optional = true }\n'
        'orphan = { version = "*", optional = true }\n'
        'mandatory = "^1.0"\n'
        "[tool.poetry.extras]\n"
        'PgSQL = ["psycopg2"]\n'
        'databases = ["mysqlclient", "psycopg2", "mandatory"]\n'
    )
    tables = poetry_tables(tmp_path, body)
    assert [(str(r.group), r.name) for r in tables.extras] == [
        ("extra:pgsql", "psycopg2"),
        ("extra:databases", "mysqlclient"),
        ("extra:databases", "psycopg2"),
    ]
    assert [r.name for r in tables.main_requirements] == ["mandatory"]
    assert tables.notes == (
        "orphan is optional but no extra in [tool.poetry.extras] names it, so it is never installed",
    )
    assert poetry_tables(tmp_path, body, with_extras=False).extras == ()


def test_groups_legacy_dev_dependencies_and_python_in_a_group(tmp_path: Path) -> None:
    body = (
        "[tool.poetry.dev-dependencies]\n"
        'flake8 = "<7"\n'
        "[tool.poetry.group.Dev.dependencies]\n"
        'black = "^24"\n'
        'python = "^3.9"\n'
        "[tool.poetry.group.docs]\n"
        "optional = true\n"
        'include-groups = ["dev"]\n'
        "[tool.poetry.group.docs.dependencies]\n"
        'mkdocs = "*"\n'
    )
    tables = poetry_tables(tmp_path, body)
    assert [
        (g.name, g.display_name, [d.requirement.name for d in g.dependencies], g.include_groups)
        for g in tables.groups
    ] == [
        ("dev", "Dev", ["black", "flake8"], ()),
        ("docs", "docs", ["mkdocs"], ("dev",)),
    ]
    assert tables.groups[0].dependencies[1].requirement.group == Group(GroupKind.GROUP, "dev")
    assert tables.notes == (
        "[tool.poetry.dev-dependencies] is read as the group 'dev' (Poetry's legacy spelling)",
        "python = '^3.9' in group 'Dev' is ignored, as Poetry ignores it there",
    )


def bad(tmp_path: Path, body: str) -> str:
    with pytest.raises(ManifestError) as caught:
        poetry_tables(tmp_path, body)
    return str(caught.value).replace(str(tmp_path / "pyproject.toml"), "pyproject.toml")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[tool.poetry.dependencies]\nrequests = ">>1.0"\n',
            "pyproject.toml:2 [tool.poetry.dependencies.requests]: unknown version constraint: '>>1.0'\n"
            f"  fix: {FIX}",
        ),
        (
            '[tool.poetry.dependencies]\nrequests = { version = "^a.b" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.requests.version]: unknown version constraint: "
            f"'^a.b'\n  fix: {FIX}",
        ),
        (
            '[tool.poetry.dependencies]\npython = ">>3"\n',
            "pyproject.toml:2 [tool.poetry.dependencies.python]: unknown version constraint: '>>3'\n "
            f" fix: {FIX}",
        ),
        (
            "[tool.poetry.dependencies]\npython = 3.9\n",
            "pyproject.toml:2 [tool.poetry.dependencies.python]: must be a string, not a float: 3.9\n"
            '  fix: write python = "^3.9"',
        ),
        (
            "[tool.poetry.dependencies]\nrequests = 2\n",
            "pyproject.toml:2 [tool.poetry.dependencies.requests]: must be a version constraint string, a "
            'table or an array of tables, not an integer: 2\n  fix: write requests = "^1.2" or '
            'requests = { version = "^1.2", python = "^3.9" }',
        ),
        (
            "[tool.poetry.dependencies]\nrequests = []\n",
            "pyproject.toml:2 [tool.poetry.dependencies.requests]: an empty list of constraints: []\n"
            '  fix: write name = "*" or remove it',
        ),
        (
            '[tool.poetry.dependencies]\n"bad name!" = "*"\n',
            "pyproject.toml:2 [tool.poetry.dependencies.bad name!]: not a valid package name: 'bad name!'\n"
            "  fix: use the name the package has on its index (letters, digits, '-', '_', '.')",
        ),
        (
            '[tool.poetry.dependencies]\nrequests = { version = "*", colour = "blue" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.requests.colour]: unknown key in a Poetry "
            "dependency: "
            "'colour'\n  fix: use only: allow-prereleases, branch, develop, extras, file, git, markers, "
            "optional, path, platform, python, rev, source, subdirectory, tag, url, version",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { git = "https://x/y.git", path = "../y" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo]: gives both 'git' and 'path': git, path\n"
            "  fix: keep only one of git, path, file or url",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { git = "https://x/y.git", tag = "v1", rev = "abc" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo]: gives both 'tag' and 'rev': tag, rev\n"
            "  fix: keep only one of branch, tag or rev",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", branch = "main" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.branch]: 'branch' only applies to git "
            "dependencies: "
            '"main"\n  fix: add git = "https://..." or remove branch',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { git = "https://x/y.git", version = "^1" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.version]: a git dependency cannot also give a "
            'version: "^1"\n  fix: remove version: the git reference decides which version is used',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", subdirectory = "src" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.subdirectory]: 'subdirectory' only "
            "applies to git, "
            'path and url dependencies: "src"\n  fix: remove subdirectory',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { path = "" }\n',
            'pyproject.toml:2 [tool.poetry.dependencies.foo.path]: path is empty: ""\n  fix: give the path',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", markers = "python_version >> 3" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.markers]: invalid environment marker (Expected a "
            "marker variable or quoted string): 'python_version >> 3'\n  fix: write a PEP 508 marker such as "
            "\"python_version < '3.11'\"",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", platform = "linux; rm" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.platform]: not a platform name: 'linux; rm'\n"
            "  fix: write a sys.platform value such as 'linux', 'darwin' or 'win32' (or 'linux || darwin', "
            "'!=win32')",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", optional = "yes" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.optional]: must be true or false, not a string: "
            '"yes"\n  fix: write optional = true',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", extras = "socks" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.extras]: must be an array of strings, "
            "not a string: "
            '"socks"\n  fix: write extras = ["name"]',
        ),
        (
            "[tool.poetry.dependencies]\nfoo = { version = 1 }\n",
            "pyproject.toml:2 [tool.poetry.dependencies.foo.version]: must be a string, not an integer: 1\n"
            '  fix: write version = "^1.2"',
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", source = "nowhere" }\n',
            "pyproject.toml:2 [tool.poetry.dependencies.foo.source]: names a source that "
            "[[tool.poetry.source]] "
            "does not declare: 'nowhere'\n  fix: declare it with [[tool.poetry.source]] name = 'nowhere', or "
            "use one of: none declared",
        ),
        (
            '[tool.poetry.dependencies]\nfoo = { version = "^1", optional = true }\n[tool.poetry.extras]\n'
            'db = ["fooo"]\n',
            "pyproject.toml:4 [tool.poetry.extras.db]: names a package that "
            "[tool.poetry.dependencies] does not "
            "declare: 'fooo'\n  fix: add it to [tool.poetry.dependencies] with optional = true, or remove it "
            "from db",
        ),
        (
            '[tool.poetry.extras]\ndb = "foo"\n',
            "pyproject.toml:2 [tool.poetry.extras.db]: must be an array of package names, not a string: "
            '"foo"\n  fix: write db = ["name"]',
        ),
        (
            '[[tool.poetry.source]]\nurl = "https://x.example/simple/"\n',
            'pyproject.toml:1 [tool.poetry.source]: a source needs a name: {"url": '
            '"https://x.example/simple/"}\n'
            '  fix: add name = "my-index"',
        ),
        (
            '[[tool.poetry.source]]\nname = "corp"\n',
            'pyproject.toml:1 [tool.poetry.source]: a source needs a url: {"name": "corp"}\n'
            '  fix: add url = "https://my-index.example/simple/"',
        ),
        (
            '[[tool.poetry.source]]\nname = "corp"\nurl = "https://x/"\npriority = "highest"\n',
            "pyproject.toml:1 [tool.poetry.source]: unknown source priority: 'highest'\n"
            "  fix: use one of: primary, supplemental, explicit",
        ),
        (
            '[[tool.poetry.source]]\nname = "corp"\nurl = "https://x/"\n[[tool.poetry.source]]\nname '
            '= "Corp"\n'
            'url = "https://y/"\n',
            "pyproject.toml:4 [tool.poetry.source]: two sources have the same name: 'Corp'\n"
            "  fix: rename one of them",
        ),
        (
            '[tool.poetry]\nsource = "corp"\n',
            'pyproject.toml:2 [tool.poetry.source]: must be an array of tables, not a string: "corp"\n'
            '  fix: write [[tool.poetry.source]] name = "..." url = "..."',
        ),
        (
            '[tool.poetry]\ndependencies = ["requests"]\n',
            'pyproject.toml:2 [tool.poetry.dependencies]: must be a table, not an array: ["requests"]\n'
            '  fix: write [tool.poetry.dependencies] with lines such as requests = "^2.31"',
        ),
        (
            '[tool.poetry.group.dev]\ninclude-groups = "test"\n',
            "pyproject.toml:2 [tool.poetry.group.dev.include-groups]: must be an array of group names, not a "
            'string: "test"\n  fix: write include-groups = ["test"]',
        ),
        (
            '[tool.poetry]\nname = ["x"]\n',
            'pyproject.toml:2 [tool.poetry.name]: must be a string, not an array: ["x"]\n'
            '  fix: write name = "my-project"',
        ),
    ],
)
def test_bad_poetry_tables_are_refused_with_exact_messages(tmp_path: Path, body: str, message: str) -> None:
    assert bad(tmp_path, body) == message


def test_a_poetry_table_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    body = 'tool.poetry = "yes"\n'
    with pytest.raises(ManifestError) as caught:
        read_poetry("yes", path=path, text=body)
    assert str(caught.value) == (
        f'{path}:1 [tool.poetry]: must be a table, not a string: "yes"\n  fix: write [tool.poetry] as a table'
    )


# --- enrichment (Poetry 2) -------------------------------------------------------------------


def requirement(name: str, spec: str = "", **fields: object) -> ProjectRequirement:
    made = ProjectRequirement(name=canonicalize_name(name), display_name=name, specifier=SpecifierSet(spec))
    return replace(made, **fields)


def test_enrichment_adds_poetry_details_to_the_standard_requirement() -> None:
    standard = [
        requirement("pillow", ">=10.2", extras=frozenset({"fpx"})),
        requirement("lxml", ">=5.1", marker=Marker("os_name == 'posix'")),
        requirement("plain"),
    ]
    details = [
        PoetryDependency(
            requirement("pillow", "<12", index="images", allow_prereleases=True, extras=frozenset({"x"}))
        ),
        PoetryDependency(requirement("lxml", "<5.3", marker=Marker("python_version < '3.10'"))),
        PoetryDependency(requirement("lxml", "", marker=Marker("python_version >= '3.10'"))),
        PoetryDependency(requirement("stray", ">=1")),
    ]
    enriched, notes = enrich(standard, details, table="tool.poetry.dependencies")
    assert [str(r) for r in enriched] == [
        "pillow[fpx]<12,>=10.2",
        'lxml<5.3,>=5.1; os_name == "posix" and python_version < "3.10"',
        'lxml>=5.1; os_name == "posix" and python_version >= "3.10"',
        "plain",
    ]
    assert (enriched[0].index, enriched[0].allow_prereleases) == ("images", True)
    assert notes == (
        "stray appears only in [tool.poetry.dependencies]; Poetry 2 uses that table only to add details to "
        "the standard list, so it is not locked",
    )


def test_enrichment_of_a_direct_reference_only_takes_develop() -> None:
    url = "git+https://github.com/example/lib.git@v1"
    standard = [requirement("lib", url=url)]
    enriched, _ = enrich(standard, [PoetryDependency(requirement("lib"), develop=True)], table="t")
    assert (enriched[0].url, enriched[0].editable) == (url, True)
    with pytest.raises(ManifestError) as caught:
        enrich(
            standard,
            [PoetryDependency(requirement("lib", url="https://elsewhere/lib.zip", origin=HERE))],
            table="t",
        )
    assert str(caught.value) == (
        "pyproject.toml:7 [tool.poetry.dependencies.demo]: cannot add details to a requirement that names a "
        f"different location: lib @ {url} / lib @ https://elsewhere/lib.zip\n"
        "  fix: give the git, path or url reference in one place only"
    )
