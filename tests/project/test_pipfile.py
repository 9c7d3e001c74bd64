"""Tests for the Pipfile reader: real-world-shaped Pipfiles, every entry form, and every error's message."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from thoth_cli.errors import ExitCode, ManifestError
from thoth_cli.project.model import (
    DEVELOP_GROUP,
    MAIN,
    Group,
    GroupKind,
    ManifestKind,
    Project,
    ProjectRequirement,
    Source,
)
from thoth_cli.project.pipfile import PipfileReader

DATA = Path(__file__).parent / "data" / "pipfile"
DEVELOP = Group(GroupKind.GROUP, DEVELOP_GROUP)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pipfile"
    path.write_text(text, encoding="utf-8")
    return path


def read(tmp_path: Path, text: str) -> Project:
    return PipfileReader().read(write(tmp_path, text))


def only(project: Project) -> str:
    (requirement,) = project.requirements
    return str(requirement)


def error(tmp_path: Path, text: str) -> tuple[Path, ManifestError]:
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as excinfo:
        PipfileReader().read(path)
    assert excinfo.value.exit_code is ExitCode.INVALID_INPUT
    return path, excinfo.value


# --- the reader's contract ---------------------------------------------------------------------


def test_reader_claims_pipfiles() -> None:
    assert PipfileReader.kind is ManifestKind.PIPFILE
    assert PipfileReader.filenames == ("Pipfile",)


# --- sample Pipfiles ---------------------------------------------------------------------------


def test_simple_pipfile() -> None:
    path = DATA / "simple" / "Pipfile"
    project = PipfileReader().read(path)

    assert project.manifest == path
    assert project.kind is ManifestKind.PIPFILE
    assert [str(r) for r in project.requirements_for()] == ["flask", "requests<3,>=2.31", "gunicorn==21.2.0"]
    assert [str(r) for r in project.requirements_for(frozenset({DEVELOP}))] == ["pytest"]
    assert project.groups == (MAIN, DEVELOP)
    assert project.sources == (Source("pypi", "https://pypi.org/simple", verify_ssl=True),)
    assert project.python_version == "3.11"
    assert project.requires_python == SpecifierSet("==3.11.*")
    assert project.allow_prereleases is False
    assert project.notes == ()
    gunicorn = project.requirements[2]
    assert gunicorn.origin is not None
    assert (gunicorn.origin.line, gunicorn.origin.key) == (9, "packages.gunicorn")


def test_large_pipfile() -> None:
    folder = DATA / "large"
    project = PipfileReader().read(folder / "Pipfile")
    by_name: dict[str, ProjectRequirement] = {r.name: r for r in project.requirements}

    assert len(project.requirements_for()) == 49
    assert len(project.requirements) == 65
    assert project.groups == (
        MAIN,
        DEVELOP,
        Group(GroupKind.GROUP, "docs"),
        Group(GroupKind.GROUP, "tests-integration"),
    )
    assert project.sources == (
        Source("pypi", "https://pypi.org/simple", verify_ssl=True),
        Source("pytorch", "https://download.pytorch.org/whl/cu121", verify_ssl=True),
        Source("internal", "http://devpi.internal:3141/team/prod/+simple/", verify_ssl=False),
    )
    assert (project.python_version, project.requires_python) == ("3.11.7", SpecifierSet("==3.11.7"))
    assert project.allow_prereleases is False

    assert (by_name["torch"].index, by_name["torch"].specifier) == ("pytorch", SpecifierSet("==2.1.2"))
    assert by_name["internal-auth"].index == "internal"
    assert by_name["requests"].specifier == SpecifierSet("==2.31.0")
    assert by_name["celery"].extras == frozenset({"redis", "msgpack"})
    assert by_name["gunicorn"].marker == Marker("sys_platform != 'win32'")
    assert by_name["sentencepiece"].marker == Marker(
        "platform_machine == 'x86_64' and python_version < '3.12'"
    )
    assert by_name["ruamel-yaml"].display_name == "ruamel.yaml"

    shared = by_name["shared-models"]
    assert shared.url == (folder / "libs" / "shared-models").absolute().as_uri()
    assert shared.editable is True
    assert shared.specifier == SpecifierSet()
    assert by_name["report-engine"].url == (DATA / "report-engine").absolute().as_uri()
    assert by_name["report-engine"].editable is False
    assert by_name["flask-login"].url == "git+https://github.com/maxcountryman/flask-login.git@0.6.3"
    assert by_name["monorepo-tool"].url == (
        "git+ssh://git@github.com/example/monorepo.git@main#subdirectory=tools/cli"
    )
    assert by_name["monorepo-tool"].editable is True
    assert by_name["legacy-wheel"].url == "https://files.example.com/legacy_wheel-1.0-py3-none-any.whl"
    assert [str(r) for r in project.requirements_for(frozenset({Group(GroupKind.GROUP, "docs")}))] == [
        "sphinx>=7",
        "sphinx-rtd-theme",
        "myst-parser",
    ]


def test_quoted_dotted_and_sub_table_keys() -> None:
    path = DATA / "odd-keys" / "Pipfile"
    project = PipfileReader().read(path)
    by_name: dict[str, ProjectRequirement] = {r.name: r for r in project.requirements}

    assert [str(r) for r in project.requirements] == [
        "Requests",
        "zope.interface>=6",
        "Django[argon2]>=4.2",
        "numpy==1.26.2",
        "typing-extensions>=4.8",
        "uvicorn[standard]",
        "any-version",
        'celery[redis]>=5.3; python_version >= "3.8"',
        "Flask_SQLAlchemy==3.1.*",
        "pytest",
    ]
    assert (by_name["requests"].display_name, by_name["requests"].name) == ("Requests", "requests")
    assert by_name["flask-sqlalchemy"].display_name == "Flask_SQLAlchemy"
    assert by_name["pytest"].allow_prereleases is True
    origins = {name: (r.origin.line if r.origin else None) for name, r in by_name.items()}
    assert origins == {
        "requests": 2,
        "zope-interface": 3,
        "django": 4,  # a dotted key is found through its first child
        "numpy": 6,
        "typing-extensions": 7,
        "uvicorn": 8,
        "any-version": 9,
        "celery": 11,
        "flask-sqlalchemy": 16,
        "pytest": 20,
    }


def test_crlf_line_endings_read_like_lf(tmp_path: Path) -> None:
    crlf = DATA / "crlf" / "Pipfile"
    raw = crlf.read_bytes()
    assert b"\r\n" in raw
    lf = tmp_path / "Pipfile"
    lf.write_bytes(raw.replace(b"\r\n", b"\n"))

    from_crlf = PipfileReader().read(crlf)
    from_lf = PipfileReader().read(lf)

    assert [str(r) for r in from_crlf.requirements] == [
        "requests",
        'attrs>=23; python_version >= "3.8"',
        "pytest",
    ]
    assert [str(r) for r in from_crlf.requirements] == [str(r) for r in from_lf.requirements]
    assert [r.origin.line for r in from_crlf.requirements if r.origin] == [7, 8, 11]
    assert from_crlf.requires_python == SpecifierSet("==3.12.*")


def test_byte_order_mark() -> None:
    path = DATA / "bom" / "Pipfile"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    project = PipfileReader().read(path)
    assert [str(r) for r in project.requirements] == ["requests"]
    assert (project.python_version, project.requires_python) == ("3.10.13", SpecifierSet("==3.10.13"))


def test_thoth_section_allows_prereleases_per_package() -> None:
    project = PipfileReader().read(DATA / "thoth" / "Pipfile")
    assert [(r.name, r.allow_prereleases) for r in project.requirements] == [
        ("tensorflow", True),
        ("requests", False),
    ]
    assert project.groups == (MAIN,)  # [thoth] is not a package category
    assert project.prerelease_packages == frozenset({"tensorflow", "numpy"})
    assert project.allow_prereleases is False
    assert project.notes == ()


def test_thoth_section_switched_off_allows_no_prereleases(tmp_path: Path) -> None:
    text = '[packages]\nnumpy = "*"\n\n[thoth.allow_prereleases]\nnumpy = false\nscipy = false\n'
    project = read(tmp_path, text)
    assert [(r.name, r.allow_prereleases) for r in project.requirements] == [("numpy", False)]
    assert project.prerelease_packages == frozenset()


def test_empty_pipfile(tmp_path: Path) -> None:
    project = read(tmp_path, "")
    assert (project.requirements, project.sources, project.requires_python) == ((), (), None)


# --- string entries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", ""),
        ("", ""),
        ("==*", ""),
        (">=1.0", ">=1.0"),
        ("==1.2", "==1.2"),
        ("1.2", "==1.2"),  # Pipenv reads a bare version as an exact pin
        ("1.2.*", "==1.2.*"),
        ("~=1.4.2", "~=1.4.2"),
        (">=1.0,<2", "<2,>=1.0"),
        ("(>=1.0)", ">=1.0"),
        ("  >= 1.0  ", ">=1.0"),
        ("!=1.3", "!=1.3"),
        ("===1.0-weird", "===1.0-weird"),
        ("2.1.0+cu121", "==2.1.0+cu121"),
    ],
)
def test_version_strings(tmp_path: Path, value: str, expected: str) -> None:
    project = read(tmp_path, f"[packages]\nrequests = {value!r}\n".replace("'", '"'))
    assert str(project.requirements[0].specifier) == expected


def test_vcs_string_entry(tmp_path: Path) -> None:
    project = read(tmp_path, '[packages]\nrequests = "git+https://github.com/psf/requests.git@v2.31.0"\n')
    (requirement,) = project.requirements
    assert requirement.url == "git+https://github.com/psf/requests.git@v2.31.0"
    assert requirement.specifier == SpecifierSet()


def test_extras_in_the_key_merge_with_the_extras_key(tmp_path: Path) -> None:
    project = read(tmp_path, '[packages]\n"requests[socks]" = {version = "*", extras = ["security"]}\n')
    assert only(project) == "requests[security,socks]"


# --- table entries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "url"),
    [
        ('{git = "https://github.com/a/b.git"}', "git+https://github.com/a/b.git"),
        ('{git = "https://github.com/a/b.git", ref = "v1"}', "git+https://github.com/a/b.git@v1"),
        ('{git = "git+https://github.com/a/b.git@v1"}', "git+https://github.com/a/b.git@v1"),
        ('{git = "https://github.com/a/b.git@v1", ref = "v2"}', "git+https://github.com/a/b.git@v2"),
        (
            '{git = "https://github.com/a/b.git", ref = "v1", subdirectory = "pkg"}',
            "git+https://github.com/a/b.git@v1#subdirectory=pkg",
        ),
        (
            '{git = "https://github.com/a/b.git#egg=b&subdirectory=pkg"}',
            "git+https://github.com/a/b.git#subdirectory=pkg",
        ),
        ('{git = "git@github.com:a/b.git", ref = "main"}', "git+ssh://git@github.com/a/b.git@main"),
        ('{git = "ssh://git@github.com/a/b.git"}', "git+ssh://git@github.com/a/b.git"),
        ('{git = "https://user@host.example/b.git"}', "git+https://user@host.example/b.git"),
        ('{hg = "https://hg.example/repo", ref = "default"}', "hg+https://hg.example/repo@default"),
        ('{svn = "svn://svn.example/repo/trunk"}', "svn+svn://svn.example/repo/trunk"),
        ('{bzr = "https://bzr.example/repo"}', "bzr+https://bzr.example/repo"),
        ('{file = "https://host/b-1.0.tar.gz"}', "https://host/b-1.0.tar.gz"),
        ('{file = "file:///opt/wheels/b-1.0-py3-none-any.whl"}', "file:///opt/wheels/b-1.0-py3-none-any.whl"),
        ('{path = "https://host/b-1.0.tar.gz"}', "https://host/b-1.0.tar.gz"),
        ('{path = "/opt/src/b"}', "file:///opt/src/b"),
        ('{path = "/opt/src/b", subdirectory = "python"}', "file:///opt/src/b#subdirectory=python"),
    ],
)
def test_direct_references(tmp_path: Path, entry: str, url: str) -> None:
    project = read(tmp_path, f"[packages]\nb = {entry}\n")
    assert project.requirements[0].url == url


def test_local_paths_resolve_against_the_pipfile_folder(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        "[packages]\n"
        'here = {path = ".", editable = true}\n'
        'lib = {path = "./libs/lib"}\n'
        'sibling = {path = "../sibling"}\n'
        'wheel = {file = "dist/wheel-1.0-py3-none-any.whl"}\n'
        'spaced = {path = "my lib"}\n'
        'local-git = {git = "../repo", ref = "main"}\n',
    )
    urls: dict[str, tuple[str | None, bool]] = {r.name: (r.url, r.editable) for r in project.requirements}
    assert urls == {
        "here": (tmp_path.absolute().as_uri(), True),
        "lib": ((tmp_path / "libs" / "lib").absolute().as_uri(), False),
        "sibling": ((tmp_path.parent / "sibling").absolute().as_uri(), False),
        "wheel": ((tmp_path / "dist" / "wheel-1.0-py3-none-any.whl").absolute().as_uri(), False),
        "spaced": ((tmp_path / "my lib").absolute().as_uri(), False),
        "local-git": ("git+" + (tmp_path.parent / "repo").absolute().as_uri() + "@main", False),
    }
    assert "%20" in str(urls["spaced"][0])


def test_direct_reference_keeps_extras_and_markers(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        '[packages]\nb = {git = "https://h.example/b.git", extras = ["x"], '
        "markers = \"os_name == 'posix'\"}\n",
    )
    assert only(project) == 'b[x] @ git+https://h.example/b.git ; os_name == "posix"'


@pytest.mark.parametrize(
    ("key", "value", "marker"),
    [
        ("os_name", "== 'nt'", "os_name == 'nt'"),
        ("sys_platform", "== 'win32'", "sys_platform == 'win32'"),
        ("platform_machine", "!= 'aarch64'", "platform_machine != 'aarch64'"),
        ("platform_python_implementation", "== 'PyPy'", "platform_python_implementation == 'PyPy'"),
        ("platform_release", ">= '5.10'", "platform_release >= '5.10'"),
        ("platform_system", "== 'Linux'", "platform_system == 'Linux'"),
        ("platform_version", "== '#1 SMP'", "platform_version == '#1 SMP'"),
        ("python_version", "< '3.12'", "python_version < '3.12'"),
        ("python_full_version", ">= '3.9.2'", "python_full_version >= '3.9.2'"),
        ("implementation_name", "== 'cpython'", "implementation_name == 'cpython'"),
        ("implementation_version", ">= '3.9'", "implementation_version >= '3.9'"),
    ],
)
def test_marker_shorthand_keys(tmp_path: Path, key: str, value: str, marker: str) -> None:
    project = read(tmp_path, f'[packages]\nb = {{version = "*", {key} = "{value}"}}\n')
    assert project.requirements[0].marker == Marker(marker)


def test_markers_and_shorthand_keys_are_anded_in_written_order(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        "[packages]\n"
        "b = {version = \"*\", markers = \"python_version < '3.8' or os_name == 'nt'\", "
        "sys_platform = \"!= 'darwin'\"}\n",
    )
    assert str(project.requirements[0].marker) == (
        '(python_version < "3.8" or os_name == "nt") and sys_platform != "darwin"'
    )


def test_empty_markers_mean_no_marker(tmp_path: Path) -> None:
    assert read(tmp_path, '[packages]\nb = {version = "*", markers = ""}\n').requirements[0].marker is None


def test_hashes_and_per_package_prereleases(tmp_path: Path) -> None:
    digest = "a" * 64
    project = read(
        tmp_path,
        f'[packages]\nb = {{version = "==1.0", hashes = ["sha256:{digest}"], allow_prereleases = true}}\n',
    )
    (requirement,) = project.requirements
    assert requirement.hashes == (f"sha256:{digest}",)
    assert requirement.allow_prereleases is True


def test_index_pypi_without_sources_means_the_default_index(tmp_path: Path) -> None:
    project = read(tmp_path, '[packages]\nb = {version = "*", index = "pypi"}\n')
    assert (project.sources, project.requirements[0].index) == ((), None)


def test_what_pipenv_ignores_is_ignored_with_a_note(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        "[packages]\n"
        'a = {git = "https://h.example/a.git", version = ">=1"}\n'
        'b = {version = "*", editable = true}\n'
        'c = {version = "*", skip_resolver = true, no_binary = true}\n',
    )
    assert [str(r) for r in project.requirements] == ["a @ git+https://h.example/a.git", "b", "c"]
    assert project.requirements[1].editable is False
    assert project.notes == (
        "packages.a: version '>=1' is ignored, as Pipenv ignores it: a git entry is taken as it is",
        "packages.b: editable is ignored: only git, hg, svn, bzr, path and file entries are editable",
        "packages.c: skip_resolver is a Pipenv install hint; thoth resolves the package all the same",
        "packages.c: no_binary is not applied; thoth may still choose a wheel for it",
    )


# --- categories --------------------------------------------------------------------------------


def test_categories_and_reserved_tables(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        '[docs]\nsphinx = "*"\n'
        '[dev-packages]\npytest = "*"\n'
        '[packages]\nflask = "*"\n'
        '[scripts]\nserve = "flask run"\n'
        '[build-system]\nrequires = ["setuptools"]\n'
        "[pipenv]\nsort_pipfile = true\n"
        '[requires]\npython_version = "3.12"\n'
        '[Tests]\nhypothesis = "*"\n',
    )
    assert [(str(r.group), r.name) for r in project.requirements] == [
        ("default", "flask"),
        ("group:develop", "pytest"),
        ("group:docs", "sphinx"),
        ("group:Tests", "hypothesis"),
    ]


def test_the_same_package_may_sit_in_several_categories(tmp_path: Path) -> None:
    project = read(tmp_path, '[packages]\nrequests = "*"\n[dev-packages]\nrequests = ">=2"\n')
    assert [(r.group, str(r.specifier)) for r in project.requirements] == [(MAIN, ""), (DEVELOP, ">=2")]


def test_a_category_that_looks_like_a_typo_is_read_with_a_note(tmp_path: Path) -> None:
    project = read(tmp_path, '[dev_packages]\npytest = "*"\n')
    assert project.requirements[0].group == Group(GroupKind.GROUP, "dev_packages")
    assert project.notes == (
        "[dev_packages] is read as a custom category, as Pipenv does; did you mean [dev-packages]?",
    )


# --- sources -----------------------------------------------------------------------------------


def test_source_defaults_follow_pipenv(tmp_path: Path) -> None:
    project = read(
        tmp_path,
        '[[source]]\nurl = "https://Mirror.Example.org/simple"\n'
        '[[source]]\nurl = "http://plain.example/simple"\nname = "plain"\n'
        '[[source]]\nurl = "https://self-signed.example/simple"\nname = "lab"\nverify_ssl = "False"\n',
    )
    assert project.sources == (
        Source("mirror.example.org", "https://Mirror.Example.org/simple", verify_ssl=True),
        Source("plain", "http://plain.example/simple", verify_ssl=False),
        Source("lab", "https://self-signed.example/simple", verify_ssl=False),
    )


def test_sources_spelt_with_an_s_are_refused(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path,
        '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n'
        '[[sources]]\nurl = "https://late.example/simple"\nname = "late"\n\n'
        '[packages]\nrequests = "*"\n',
    )
    assert str(exc) == (
        f"{path}:5 [sources]: indexes are [[source]] tables; Pipenv cannot lock a Pipfile that names them "
        "[[sources]]\n  fix: rename each [[sources]] to [[source]]"
    )


# --- [requires] and [pipenv] -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requires", "python_version", "requires_python"),
    [
        ('python_version = "3.11"', "3.11", "==3.11.*"),
        ('python_version = "3.11.4"', "3.11.4", "==3.11.4.*"),
        ('python_full_version = "3.11.4"', "3.11.4", "==3.11.4"),
        ('python_version = "3.11"\npython_full_version = "3.11.4"', "3.11.4", "==3.11.4"),
        ('python_version = "*"', None, None),
    ],
)
def test_requires(
    tmp_path: Path, requires: str, python_version: str | None, requires_python: str | None
) -> None:
    project = read(tmp_path, f"[requires]\n{requires}\n")
    assert project.python_version == python_version
    assert project.requires_python == (SpecifierSet(requires_python) if requires_python else None)


def test_full_version_wins_over_a_different_python_version(tmp_path: Path) -> None:
    project = read(tmp_path, '[requires]\npython_version = "3.11"\npython_full_version = "3.10.4"\n')
    assert project.requires_python == SpecifierSet("==3.10.4")
    assert project.notes == (
        "[requires] python_full_version 3.10.4 is not a 3.11 release; "
        "python_full_version is used, as Pipenv does",
    )


@pytest.mark.parametrize("value", [True, False])
def test_pipenv_allow_prereleases(tmp_path: Path, value: bool) -> None:
    flag = "true" if value else "false"
    project = read(tmp_path, f"[pipenv]\nallow_prereleases = {flag}\ninstall_search_all_sources = true\n")
    assert project.allow_prereleases is value


# --- errors ------------------------------------------------------------------------------------


def test_malformed_toml(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nrequests = "*"\n\n[packages\nflask = "*"\n')
    # The parser's own wording between the two parts varies with the Python version.
    assert str(exc).startswith(f"{path}:4: invalid TOML: ")
    assert str(exc).endswith(": [packages\n  fix: correct the TOML syntax on that line")
    assert (exc.location.line, exc.text) == (4, "[packages")


def test_invalid_version_specifier(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nflask = "*"\nrequests = "latest"\n')
    assert str(exc) == (
        f"{path}:3 [packages.requests]: invalid version specifier: 'latest'\n"
        '  fix: write a PEP 440 version specifier such as "*", ">=1.0", "==1.2.*" or ">=1.0,<2"'
    )
    assert (exc.location.line, exc.location.key, exc.text) == (3, "packages.requests", "'latest'")


def test_invalid_version_in_a_table(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages.requests]\nextras = ["socks"]\nversion = ">= 2.x"\n')
    assert str(exc) == (
        f"{path}:3 [packages.requests.version]: invalid version specifier: '>= 2.x'\n"
        '  fix: write a PEP 440 version specifier such as "*", ">=1.0", "==1.2.*" or ">=1.0,<2"'
    )


def test_a_location_written_as_a_version(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nmylib = "./libs/mylib"\n')
    assert str(exc) == (
        f"{path}:2 [packages.mylib]: invalid version specifier: './libs/mylib'\n"
        '  fix: a location goes in a table: {path = "./lib"}, {file = "https://host/pkg-1.0.tar.gz"} '
        'or {git = "https://host/repo.git", ref = "v1.0"}'
    )


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nrequests = {version = ">=2", extra = ["socks"]}\n')
    assert str(exc) == (
        f"{path}:2 [packages.requests.extra]: unknown key in a package table: 'extra'\n"
        "  fix: did you mean 'extras'? (a misspelt key would be ignored silently)"
    )


def test_unknown_key_in_a_sub_table_points_at_its_line(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages.gunicorn]\nversion = "*"\nsys_platfrom = "!= \'win32\'"\n')
    assert str(exc) == (
        f"{path}:3 [packages.gunicorn.sys_platfrom]: unknown key in a package table: 'sys_platfrom'\n"
        "  fix: did you mean 'sys_platform'? (a misspelt key would be ignored silently)"
    )


def test_unknown_key_without_a_close_match_lists_the_keys(tmp_path: Path) -> None:
    path, exc = error(tmp_path, "[packages]\nrequests = {zzz = 1}\n")
    assert str(exc) == (
        f"{path}:2 [packages.requests.zzz]: unknown key in a package table: 'zzz'\n"
        "  fix: use one of: version, extras, markers, index, editable, git, hg, svn, bzr, ref, subdirectory, "
        "path, file, hashes, allow_prereleases, os_name, sys_platform, platform_machine, "
        "platform_python_implementation, platform_release, platform_system, platform_version, "
        "python_version, python_full_version, implementation_name, implementation_version, "
        "skip_resolver, no_binary"
    )


def test_extras_must_be_a_list(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nrequests = {version = "*", extras = "socks"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.requests.extras]: extras must be an array of strings, not a string: 'socks'\n"
        '  fix: write extras = ["socks"]'
    )


def test_extras_must_hold_strings(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nrequests = {version = "*", extras = ["socks", 1]}\n')
    assert str(exc) == (
        f"{path}:2 [packages.requests.extras]: each of extras must be a string, not an integer: 1\n"
        '  fix: write extras = ["socks", "security"]'
    )


def test_invalid_extra_name(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nrequests = {version = "*", extras = ["so cks"]}\n')
    assert str(exc) == (
        f"{path}:2 [packages.requests.extras]: invalid extra name: 'so cks'\n"
        '  fix: an extra is a name such as "socks"; write extras = ["socks", "security"]'
    )


def test_verify_ssl_must_be_a_boolean(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path, '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\nverify_ssl = "yes"\n'
    )
    assert str(exc) == (
        f"{path}:4 [source[0].verify_ssl]: verify_ssl must be true or false, not a string: 'yes'\n"
        "  fix: write verify_ssl = true or verify_ssl = false, without quotes"
    )


@pytest.mark.parametrize(
    ("value", "shown", "fix"),
    [
        ("2", "an integer: 2", 'quote the version: requests = "==2"'),
        ("2.1", "a float: 2.1", 'quote the version: requests = "==2.1"'),
        (
            "true",
            "a boolean: true",
            'write requests = "*" for any version, or a table such as requests = {version = ">=1.0"}',
        ),
        (
            '[">=1"]',
            "an array: ['>=1']",
            'write requests = "*" for any version, or a table such as requests = {version = ">=1.0"}',
        ),
    ],
)
def test_package_value_of_the_wrong_type(tmp_path: Path, value: str, shown: str, fix: str) -> None:
    path, exc = error(tmp_path, f"[packages]\nrequests = {value}\n")
    assert str(exc) == (
        f"{path}:2 [packages.requests]: a package must be a version string or a table, not {shown}\n"
        f"  fix: {fix}"
    )


def test_a_key_of_the_wrong_type(tmp_path: Path) -> None:
    path, exc = error(tmp_path, "[packages]\nrequests = {version = 2}\n")
    assert str(exc) == (
        f"{path}:2 [packages.requests.version]: version must be a string, not an integer: 2\n"
        '  fix: write version = ">=1.0" (or "*" for any version)'
    )


def test_editable_must_be_a_boolean(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nmylib = {path = ".", editable = "yes"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.mylib.editable]: editable must be true or false, not a string: 'yes'\n"
        "  fix: write editable = true or editable = false, without quotes"
    )


def test_index_naming_no_source(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path,
        '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n\n'
        '[[source]]\nname = "corp"\nurl = "https://corp.example/simple"\n\n'
        '[packages]\ntorch = {version = "*", index = "pytorch"}\n',
    )
    assert str(exc) == (
        f"{path}:10 [packages.torch.index]: index names no [[source]]: 'pytorch'\n"
        "  fix: use one of the defined sources ('pypi', 'corp') or add a [[source]] with name = \"pytorch\""
    )


def test_index_naming_no_source_when_none_is_defined(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\ntorch = {version = "*", index = "pytorch"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.torch.index]: index names no [[source]]: 'pytorch'\n"
        '  fix: no [[source]] is defined, so only "pypi" can be named; add a [[source]] with name = "pytorch"'
    )


def test_source_without_url(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path,
        '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n\n'
        '[[source]]\nname = "corp"\nverify_ssl = true\n',
    )
    assert str(exc) == (
        f"{path}:5 [source[1]]: the [[source]] has no url\n"
        '  fix: add url = "https://host/simple" to this [[source]]'
    )


def test_source_url_must_be_a_url(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[[source]]\nname = "corp"\nurl = "corp.example/simple"\n')
    assert str(exc) == (
        f"{path}:3 [source[0].url]: not an index URL: 'corp.example/simple'\n"
        '  fix: write the index\'s full URL, e.g. url = "https://pypi.org/simple"'
    )


def test_unknown_source_key(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path, '[[source]]\nname = "corp"\nurl = "https://corp.example/simple"\nverify = false\n'
    )
    assert str(exc) == (
        f"{path}:4 [source[0].verify]: unknown key in a [[source]] table: 'verify'\n"
        "  fix: did you mean 'verify_ssl'? (a misspelt key would be ignored silently)"
    )


def test_two_sources_with_one_name(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path,
        '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n'
        '[[source]]\nname = "pypi"\nurl = "https://mirror.example/simple"\n',
    )
    assert str(exc) == (
        f"{path}:5 [source[1].name]: two sources have the same name: 'pypi'\n"
        '  fix: give each [[source]] its own name, so index = "..." can tell them apart'
    )


def test_source_must_be_an_array_of_tables(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[source]\nname = "pypi"\nurl = "https://pypi.org/simple"\n')
    assert str(exc) == (
        f"{path}:1 [source]: source must be an array of tables, not a table: "
        "{'name': 'pypi', 'url': 'https://pypi.org/simple'}\n"
        "  fix: write each index as its own [[source]] table with name, url and verify_ssl"
    )


def test_invalid_marker(tmp_path: Path) -> None:
    path, exc = error(
        tmp_path, '[packages]\npywin32 = {version = "*", markers = "sys_platform = \'win32\'"}\n'
    )
    assert str(exc) == (
        f"{path}:2 [packages.pywin32.markers]: invalid marker: \"sys_platform = 'win32'\"\n"
        "  fix: write a PEP 508 marker such as \"sys_platform == 'win32'\" or \"python_version < '3.12'\""
    )


def test_marker_key_without_an_operator(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\npywin32 = {version = "*", sys_platform = "win32"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.pywin32.sys_platform]: invalid marker: 'sys_platform win32'\n"
        "  fix: a sys_platform key takes an operator and a quoted value, e.g. sys_platform = \"== 'win32'\""
    )


def test_two_locations_for_one_package(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nb = {git = "https://h.example/b.git", path = "."}\n')
    assert str(exc) == (
        f"{path}:2 [packages.b.path]: git and path both give the package's location: '.'\n"
        "  fix: keep either git or path"
    )


def test_ref_without_a_repository(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nb = {version = "*", ref = "main"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.b.ref]: ref applies only to git, hg, svn and bzr entries: 'main'\n"
        '  fix: add the repository, e.g. git = "https://host/owner/repo.git", or remove ref'
    )


def test_invalid_hash(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nb = {version = "==1", hashes = ["md6:abc"]}\n')
    assert str(exc) == (
        f"{path}:2 [packages.b.hashes]: invalid hash: 'md6:abc'\n"
        "  fix: write each hash as 'sha256:<hex digest>'"
    )


def test_invalid_git_url(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nb = {git = "https://h.example/my repo.git"}\n')
    assert str(exc) == (
        f"{path}:2 [packages.b.git]: invalid URL: 'git+https://h.example/my repo.git'\n"
        '  fix: write a URL without spaces, e.g. "https://host/owner/repo.git" (spaces go as %20)'
    )


def test_invalid_package_name(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\n"requests>=2" = "*"\n')
    assert str(exc) == (
        f"{path}:2 [packages.requests>=2]: invalid package name: 'requests>=2'\n"
        '  fix: the key is the package\'s name, such as requests or "requests[socks]"; '
        "put versions in the value"
    )


def test_package_listed_twice(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\nflask_login = "*"\nFlask-Login = ">=0.6"\n')
    assert str(exc) == (
        f"{path}:3 [packages.Flask-Login]: package listed twice in group default "
        "(also as 'flask_login' on line 2): 'Flask-Login'\n"
        "  fix: keep one entry for it"
    )


def test_a_package_written_as_dotted_keys_is_named_at_its_own_line(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[packages]\ndjango = "*"\n\nDjango.version = ">=4.2"\n')
    assert str(exc) == (
        f"{path}:4 [packages.Django]: package listed twice in group default "
        "(also as 'django' on line 2): 'Django'\n"
        "  fix: keep one entry for it"
    )


def test_a_later_source_is_named_by_its_index_and_line(tmp_path: Path) -> None:
    text = (
        '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n\n'
        '[[source]]\nname = "corp"\nurl = "https://corp.example/simple"\nverify_ssl = "no"\n'
    )
    path, exc = error(tmp_path, text)
    assert str(exc) == (
        f"{path}:8 [source[1].verify_ssl]: verify_ssl must be true or false, not a string: 'no'\n"
        "  fix: write verify_ssl = true or verify_ssl = false, without quotes"
    )


def test_category_must_be_a_table(tmp_path: Path) -> None:
    path, exc = error(tmp_path, 'docs = "sphinx"\n')
    assert str(exc) == (
        f"{path}:1 [docs]: docs must be a table of packages, not a string: 'sphinx'\n"
        "  fix: write it as a [docs] table of packages, or remove it"
    )


def test_python_version_range(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[requires]\npython_version = ">=3.6"\n')
    assert str(exc) == (
        f"{path}:2 [requires.python_version]: invalid Python version: '>=3.6'\n"
        '  fix: python_version takes one version, not a range: write python_version = "3.11"; to support 3.9 '
        "and later, write the lowest version you support"
    )


@pytest.mark.parametrize(
    ("key", "value", "example"),
    [
        ("python_version", "3", "3.11"),
        ("python_version", "3.11.4.1", "3.11"),
        ("python_full_version", "3.13.0rc1", "3.11.4"),
    ],
)
def test_python_version_is_x_y_or_x_y_z(tmp_path: Path, key: str, value: str, example: str) -> None:
    path, exc = error(tmp_path, f'[requires]\n{key} = "{value}"\n')
    assert str(exc) == (
        f"{path}:2 [requires.{key}]: a Python version here is X.Y or X.Y.Z: {value!r}\n"
        f'  fix: name the Python the project runs on, e.g. {key} = "{example}"'
    )


@pytest.mark.parametrize(
    ("key", "value", "example"),
    [("python_version", "2.7", "3.11"), ("python_full_version", "3.6.15", "3.11.4")],
)
def test_python_older_than_thoth_resolves_for(tmp_path: Path, key: str, value: str, example: str) -> None:
    path, exc = error(tmp_path, f'[requires]\n{key} = "{value}"\n')
    assert str(exc) == (
        f"{path}:2 [requires.{key}]: thoth resolves for Python 3.7 or newer: {value!r}\n"
        f'  fix: name the Python 3.7 or newer the project runs on, e.g. {key} = "{example}"'
    )


def test_python_version_as_a_number(tmp_path: Path) -> None:
    path, exc = error(tmp_path, "[requires]\npython_version = 3.11\n")
    assert str(exc) == (
        f"{path}:2 [requires.python_version]: python_version must be a string, not a float: 3.11\n"
        '  fix: quote it: python_version = "3.11"'
    )


def test_unknown_requires_key(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[requires]\npython_versoin = "3.11"\n')
    assert str(exc) == (
        f"{path}:2 [requires.python_versoin]: unknown key in [requires]: 'python_versoin'\n"
        "  fix: did you mean 'python_version'? (a misspelt key would be ignored silently)"
    )


def test_pipenv_allow_prereleases_typo(tmp_path: Path) -> None:
    path, exc = error(tmp_path, "[pipenv]\nallow_prerelease = true\n")
    assert str(exc) == (
        f"{path}:2 [pipenv.allow_prerelease]: unknown key in [pipenv]: 'allow_prerelease'\n"
        "  fix: did you mean 'allow_prereleases'? (a misspelt key would be ignored silently)"
    )


def test_pipenv_allow_prereleases_must_be_a_boolean(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[pipenv]\nallow_prereleases = "false"\n')
    assert str(exc) == (
        f"{path}:2 [pipenv.allow_prereleases]: allow_prereleases must be true or false, "
        "not a string: 'false'\n"
        "  fix: write allow_prereleases = true or allow_prereleases = false, without quotes"
    )


def test_thoth_prerelease_switch_must_be_a_boolean(tmp_path: Path) -> None:
    path, exc = error(tmp_path, '[thoth.allow_prereleases]\ntensorflow = "yes"\n')
    assert str(exc) == (
        f"{path}:2 [thoth.allow_prereleases.tensorflow]: tensorflow must be true or false, "
        "not a string: 'yes'\n"
        "  fix: write tensorflow = true or tensorflow = false, without quotes"
    )


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile"
    path.write_bytes(b'[packages]\nrequests = "\xff"\n')
    with pytest.raises(ManifestError) as excinfo:
        PipfileReader().read(path)
    assert str(excinfo.value) == f"{path}:2: not valid UTF-8 text\n  fix: save the file as UTF-8"
