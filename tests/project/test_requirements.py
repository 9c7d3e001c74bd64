"""Tests for reading pip requirements files into a Project."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from thoth_cli.errors import ExitCode, Location, ManifestError
from thoth_cli.project.model import MAIN, ManifestKind, Project, Source
from thoth_cli.project.requirements import RequirementsReader

DATA = Path(__file__).parent / "data" / "requirements"
SHA_A = "a" * 64
SHA_B = "b" * 64
REFERENCE = "https://pip.pypa.io/en/stable/reference/requirements-file-format/"

Write = Callable[..., Path]


def read(path: Path, environ: Mapping[str, str] | None = None) -> Project:
    return RequirementsReader({} if environ is None else environ).read(path)


def error_of(path: Path, environ: Mapping[str, str] | None = None) -> str:
    with pytest.raises(ManifestError) as caught:
        read(path, environ)
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    return str(caught.value)


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Write files into a fresh working folder; messages then name them by relative path."""
    monkeypatch.chdir(tmp_path)

    def write(name: str, text: str | bytes = "") -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data folder as the working folder, so messages name its files by relative path."""
    monkeypatch.chdir(DATA)
    return Path()


@pytest.fixture
def projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the local projects (pyproject, setup.cfg, archives) in a fresh working folder."""
    shutil.copytree(DATA / "projects", tmp_path / "projects")
    monkeypatch.chdir(tmp_path)
    return Path("projects")


def by_name(project: Project) -> dict[str, str]:
    return {req.name: str(req) for req in project.requirements}


# --- the reader's contract --------------------------------------------------------------


def test_reader_claims_requirements_files() -> None:
    assert RequirementsReader.kind is ManifestKind.REQUIREMENTS
    assert RequirementsReader.filenames == ("requirements.in", "requirements.txt")


def test_any_txt_or_in_name_is_read(write: Write) -> None:
    project = read(write("deps/prod-requirements.txt", "flask\n"))
    assert project.manifest == Path("deps/prod-requirements.txt")
    assert project.kind is ManifestKind.REQUIREMENTS
    assert by_name(project) == {"flask": "flask"}


# --- real-world files --------------------------------------------------------------------


def test_small_requirements_in(data: Path) -> None:
    project = read(Path("small/requirements.in"))
    assert by_name(project) == {
        "django": "Django<5.0,>=4.2",
        "djangorestframework": "djangorestframework~=3.15",
        "psycopg": 'psycopg[binary]>=3.1; sys_platform != "win32"',
        "celery": "celery[redis]==5.4.*",
        "gunicorn": "gunicorn",
        "python-dateutil": "python-dateutil",
        "backports-zoneinfo": 'backports.zoneinfo; python_version < "3.9"',
    }
    lines = [req.origin.line for req in project.requirements if req.origin]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert all(
        req.origin == Location(Path("small/requirements.in"), req.origin.line)
        for req in project.requirements
        if req.origin
    )
    assert all(req.group == MAIN and not req.hashes and req.url is None for req in project.requirements)
    assert project.sources == ()
    assert project.constraints == ()
    assert project.allow_prereleases is False
    assert project.notes == ()


def test_pip_compile_output_with_hashes(data: Path) -> None:
    path = Path("pip-compile/requirements.txt")
    project = read(path)
    text = path.read_text(encoding="utf-8").splitlines()
    # Each requirement starts at the first column; its origin is that physical line.
    starts = [number for number, line in enumerate(text, start=1) if re.match(r"[a-z]", line)]
    assert len(project.requirements) == 29
    assert [req.origin.line for req in project.requirements if req.origin] == starts
    for req in project.requirements:
        assert req.origin is not None and req.origin.line is not None
        assert text[req.origin.line - 1].startswith(req.display_name)
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "=="
        assert req.hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in req.hashes)
    celery = next(req for req in project.requirements if req.name == "celery")
    assert celery.extras == frozenset({"redis"})
    assert celery.origin is not None and celery.origin.line is not None
    following = text[celery.origin.line : celery.origin.line + 5]
    assert celery.hashes == tuple("sha256:" + line.split("sha256:")[1].rstrip(" \\") for line in following)
    assert len(celery.hashes) == 5
    binary = next(req for req in project.requirements if req.name == "psycopg-binary")
    assert str(binary.marker) == 'implementation_name != "pypy"'
    assert project.sources == (
        Source("pypi", "https://pypi.org/simple/"),
        Source("pkgs.example.com", "https://pkgs.example.com/simple/"),
    )
    assert project.notes == ()


def test_uv_output_with_markers_and_an_editable(data: Path) -> None:
    project = read(Path("uv/requirements.txt"))
    shared = project.requirements[0]
    assert shared.name == "acme-shared"
    assert shared.editable is True
    assert shared.url == (DATA / "uv" / "libs" / "shared").resolve().as_uri()
    assert shared.origin == Location(Path("uv/requirements.txt"), 5)
    markers = {req.name: str(req.marker) for req in project.requirements if req.marker is not None}
    assert markers == {
        "colorama": 'sys_platform == "win32"',
        "exceptiongroup": 'python_full_version < "3.11"',
        "typing-extensions": 'python_full_version < "3.11"',
    }
    assert len(project.requirements) == 14
    assert all(len(req.hashes) == 2 for req in project.requirements[1:])
    assert project.sources == (Source("pypi", "https://pypi.org/simple"),)


def test_nested_includes_across_folders(data: Path) -> None:
    project = read(Path("nested/requirements.txt"))
    assert [(str(req), str(req.origin)) for req in project.requirements] == [
        ("Django<5,>=4.2", "nested/common/base.txt:2"),
        ("requests>=2.31", "nested/common/base.txt:3"),
        ("gunicorn>=21", "nested/envs/prod.txt:2"),
        ("pytest>=8", "nested/envs/dev.txt:3"),
        ("pytest-xdist>=3.5", "nested/requirements.txt:5"),
    ]
    assert [(str(req), str(req.origin), req.hashes) for req in project.constraints] == [
        (
            "pytest==8.2.0",
            "nested/constraints/dev-pins.txt:1",
            ("sha256:" + "4e00efcc8a29f59eb64bcc2e2ab2c41d680eabe27426e725dd24b76fdaf52209",),
        ),
        ("django<4.3", "nested/constraints/upper.txt:1", ()),
        ('urllib3<2; python_version < "3.10"', "nested/constraints/upper.txt:2", ()),
    ]
    assert project.sources == (
        Source("pypi", "https://pypi.org/simple/"),
        Source("pkgs.example.com", "https://pkgs.example.com/simple/"),
    )
    assert project.notes == ()


def test_requirements_included_from_a_constraints_file_stay_requirements(write: Write) -> None:
    write("base.txt", "flask\n")
    write("constraints.txt", "-r base.txt\nwerkzeug<3\n")
    project = read(write("requirements.txt", "-c constraints.txt\n"))
    assert by_name(project) == {"flask": "flask"}
    assert [str(c) for c in project.constraints] == ["werkzeug<3"]
    assert project.notes == (
        "constraints.txt:1: -r base.txt inside a constraints file adds requirements, not constraints "
        "(as pip does); use -c to include it as constraints",
    )


def test_include_spellings(write: Write) -> None:
    write("a.txt", "alpha\n")
    write("b.txt", "beta\n")
    write("c.txt", "gamma\n")
    write("d.txt", "delta\n")
    project = read(
        write("requirements.txt", "-ra.txt\n--requirement b.txt\n--requirem=c.txt\n-r file:d.txt\n")
    )
    assert list(by_name(project)) == ["alpha", "beta", "gamma", "delta"]


def test_an_absolute_file_url_include(write: Write, tmp_path: Path) -> None:
    write("shared/pins.txt", "six==1.16.0\n")
    url = (tmp_path / "shared" / "pins.txt").as_uri()
    project = read(write("requirements.txt", f"-c {url}\nsix\n"))
    assert [str(c) for c in project.constraints] == ["six==1.16.0"]


# --- odd files ---------------------------------------------------------------------------


def test_empty_file(write: Write) -> None:
    project = read(write("requirements.txt", ""))
    assert project.requirements == ()
    assert project.sources == ()
    assert project.notes == ()


def test_only_comments_and_blank_lines(write: Write) -> None:
    project = read(write("requirements.txt", "# nothing yet\n\n   \n\t# indented comment\n"))
    assert project.requirements == ()


def test_crlf_line_endings(write: Write) -> None:
    path = write(
        "requirements.txt",
        b"# pins\r\nrequests==2.32.3 \\\r\n    --hash=sha256:" + SHA_A.encode() + b"\r\nidna\r\n",
    )
    project = read(path)
    assert [(str(r), r.origin.line if r.origin else None, r.hashes) for r in project.requirements] == [
        ("requests==2.32.3", 2, (f"sha256:{SHA_A}",)),
        ("idna", 4, ()),
    ]


def test_utf8_byte_order_mark(write: Write) -> None:
    project = read(write("requirements.txt", b"\xef\xbb\xbfrequests\nidna\n"))
    assert list(by_name(project)) == ["requests", "idna"]


def test_utf16_file_with_byte_order_mark(write: Write) -> None:
    # What `pip freeze > requirements.txt` writes in Windows PowerShell 5.
    project = read(write("requirements.txt", "requests==2.32.3\r\nidna==3.7\r\n".encode("utf-16")))
    assert by_name(project) == {"requests": "requests==2.32.3", "idna": "idna==3.7"}


def test_tabs_as_whitespace(write: Write) -> None:
    text = f"requests\t>=2\t# pinned below\n\tidna==3.7\t--hash=sha256:{SHA_A}\n-r\tother.txt\n"
    write("other.txt", "six\n")
    project = read(write("requirements.txt", text))
    assert by_name(project) == {"requests": "requests>=2", "idna": "idna==3.7", "six": "six"}
    assert project.requirements[1].hashes == (f"sha256:{SHA_A}",)


def test_trailing_backslash_at_end_of_file(write: Write) -> None:
    project = read(write("requirements.txt", f"idna\nrequests==2.32.3 \\\n    --hash=sha256:{SHA_A} \\"))
    assert [(str(r), r.hashes) for r in project.requirements] == [
        ("idna", ()),
        ("requests==2.32.3", (f"sha256:{SHA_A}",)),
    ]


def test_a_comment_line_ends_a_continuation(write: Write) -> None:
    project = read(write("requirements.txt", "requests \\\n# note\nidna\n"))
    assert [(str(r), r.origin.line if r.origin else None) for r in project.requirements] == [
        ("requests", 1),
        ("idna", 3),
    ]


def test_a_hash_sign_inside_a_url_is_not_a_comment(write: Write) -> None:
    url = f"https://files.example.com/requests-2.32.3-py3-none-any.whl#sha256={SHA_A}"
    project = read(write("requirements.txt", f"{url}  # the wheel\n"))
    assert project.requirements[0].url == url


def test_duplicate_hashes_are_kept_once_and_case_folded(write: Write) -> None:
    text = f"idna==3.7 --hash=sha256:{SHA_A.upper()} --hash=sha256:{SHA_A} --hash=sha512:{'c' * 128}\n"
    project = read(write("requirements.txt", text))
    assert project.requirements[0].hashes == (f"sha256:{SHA_A}", f"sha512:{'c' * 128}")


# --- environment variables ---------------------------------------------------------------


def test_variables_are_expanded(write: Write) -> None:
    write("envs/prod/base.txt", "django\n")
    text = "-r envs/${ENV}/base.txt\nacme-lib==${ACME_VERSION}\nidna ${NOT_AN_OPTION}\n"
    project = read(
        write("requirements.txt", text), {"ENV": "prod", "ACME_VERSION": "1.4", "NOT_AN_OPTION": ">=3"}
    )
    assert by_name(project) == {"django": "django", "acme-lib": "acme-lib==1.4", "idna": "idna>=3"}


def test_index_urls_keep_their_variables_for_the_run_to_expand(write: Write) -> None:
    # No credential is kept in the Project; the index list expands the URL when a run starts.
    text = (
        "-i https://${INDEX_USER}:${INDEX_TOKEN}@pkgs.example.com/simple\n"
        "--extra-index-url ${MIRROR_URL}\n"
        "--extra-index-url ${UNSET_URL}\n"
        "--trusted-host ${MIRROR_HOST}\n"
    )
    environ = {
        "INDEX_USER": "ci",
        "INDEX_TOKEN": "s3cret",
        "MIRROR_URL": "http://mirror.example.com/simple",
        "MIRROR_HOST": "mirror.example.com",
    }
    project = read(write("requirements.txt", text), environ)
    assert project.sources == (
        Source("pkgs.example.com", "https://${INDEX_USER}:${INDEX_TOKEN}@pkgs.example.com/simple"),
        Source("mirror.example.com", "${MIRROR_URL}", verify_ssl=False),
        Source("index", "${UNSET_URL}"),
    )


def test_an_index_url_is_checked_once_its_variables_are_set(write: Write) -> None:
    path = write("requirements.txt", "-i ${INDEX_URL}\n")
    assert error_of(path, {"INDEX_URL": "pkgs.example.com/simple"}) == (
        "requirements.txt:1: '${INDEX_URL}' is not an index URL: '-i ${INDEX_URL}'\n"
        "  fix: write the index's full URL, e.g. https://pypi.org/simple"
    )


def test_variables_come_from_the_process_environment_by_default(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THOTH_TEST_PIN", "2.0")
    project = RequirementsReader().read(write("requirements.txt", "flask==${THOTH_TEST_PIN}\n"))
    assert by_name(project) == {"flask": "flask==2.0"}


def test_only_upper_case_braced_names_are_variables(write: Write) -> None:
    text = "# ${NOT_EXPANDED} in a comment\nfoo @ https://example.com/$foo/${lower}/foo-1.0.tar.gz\n"
    project = read(write("requirements.txt", text))
    assert project.requirements[0].url == "https://example.com/$foo/${lower}/foo-1.0.tar.gz"


def test_an_unset_variable_names_itself_and_the_line(write: Write) -> None:
    path = write(
        "requirements.txt", "flask\nacme @ https://user:${INDEX_TOKEN}@pkgs.example.com/acme-1.0.tar.gz\n"
    )
    assert error_of(path) == (
        "requirements.txt:2: environment variable INDEX_TOKEN is not set: "
        "'acme @ https://user:****@pkgs.example.com/acme-1.0.tar.gz'\n"
        "  fix: set INDEX_TOKEN before running thoth, or write its value into the file"
    )


def test_an_empty_variable_counts_as_unset(write: Write) -> None:
    path = write("requirements.txt", "flask==${PIN}\n")
    assert error_of(path, {"PIN": ""}).startswith("requirements.txt:1: environment variable PIN is not set: ")


def test_an_expanded_secret_never_reaches_a_message(write: Write) -> None:
    path = write(
        "requirements.txt", "acme @ https://${TOKEN}@pkgs.example.com/acme.tar.gz ; python_version >\n"
    )
    message = error_of(path, {"TOKEN": "s3cret"})
    assert "s3cret" not in message
    assert message.startswith(
        "requirements.txt:1: invalid requirement (expected a marker variable or quoted string): "
        "'acme @ https://****@pkgs.example.com/acme.tar.gz ; python_version >'"
    )


# --- options -----------------------------------------------------------------------------


def test_index_url_replaces_the_default_and_extra_indexes_follow(write: Write) -> None:
    text = (
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url https://download.pytorch.org/whl/cpu\n"
        "--extra-index-url=https://download.pytorch.org/whl/cu121\n"
        "--extra-index-url https://pypi.org/simple/\n"
        "torch\n"
    )
    project = read(write("requirements.txt", text))
    assert project.sources == (
        Source("pypi", "https://pypi.org/simple"),
        Source("download.pytorch.org", "https://download.pytorch.org/whl/cpu"),
        Source("download.pytorch.org-2", "https://download.pytorch.org/whl/cu121"),
    )


def test_a_private_index_replaces_pypi(write: Write) -> None:
    project = read(write("requirements.txt", "-i https://nexus.corp.example/repository/pypi/simple\nflask\n"))
    assert project.sources == (
        Source("nexus.corp.example", "https://nexus.corp.example/repository/pypi/simple"),
    )


def test_the_same_index_twice_is_fine(write: Write) -> None:
    write("base.txt", "-i https://pkgs.example.com/simple\nflask\n")
    project = read(write("requirements.txt", "-i https://pkgs.example.com/simple\n-r base.txt\n"))
    assert project.sources == (Source("pkgs.example.com", "https://pkgs.example.com/simple"),)


def test_trusted_host_turns_off_tls_verification_of_its_indexes(write: Write) -> None:
    text = (
        "-i https://pkgs.example.com:8443/simple\n"
        "--extra-index-url http://mirror.example.com/simple\n"
        "--trusted-host pkgs.example.com:8443\n"
        "--trusted-host MIRROR.example.com\n"
        "--trusted-host elsewhere.example.com\n"
    )
    project = read(write("requirements.txt", text))
    assert project.sources == (
        Source("pkgs.example.com", "https://pkgs.example.com:8443/simple", verify_ssl=False),
        Source("mirror.example.com", "http://mirror.example.com/simple", verify_ssl=False),
    )
    assert project.notes == (
        "requirements.txt:5: --trusted-host elsewhere.example.com names no index of this project; ignored",
    )


def test_trusted_host_with_another_port_does_not_match(write: Write) -> None:
    text = "-i https://pkgs.example.com:8443/simple\n--trusted-host pkgs.example.com:9000\n"
    project = read(write("requirements.txt", text))
    assert project.sources[0].verify_ssl is True


@pytest.mark.parametrize(
    ("lines", "allowed"),
    [
        ("--pre\n", True),
        ("--all-releases :all:\n", True),
        ("--pre\n--only-final :all:\n", False),
        ("--pre\n--all-releases :none:\n", False),
        ("--all-releases :all:\n--only-final :none:\n", True),
        ("", False),
    ],
)
def test_pre_releases(write: Write, lines: str, allowed: bool) -> None:
    project = read(write("requirements.txt", lines + "flask\n"))
    assert project.allow_prereleases is allowed
    assert project.prerelease_packages == frozenset()
    assert project.requirements[0].allow_prereleases is False


@pytest.mark.parametrize(
    ("lines", "packages"),
    [
        ("--all-releases Django,celery_beat\n", {"django", "celery-beat"}),
        ("--all-releases django,celery\n--only-final celery\n", {"django"}),
        ("--all-releases django\n--all-releases :none:,celery\n", {"celery"}),
        ("--only-final django\n--all-releases django\n", {"django"}),
    ],
)
def test_pre_releases_of_named_packages(write: Write, lines: str, packages: set[str]) -> None:
    project = read(write("requirements.txt", lines + "flask\n"))
    assert project.allow_prereleases is False
    assert project.prerelease_packages == packages


def test_options_thoth_does_not_act_on_leave_notes(write: Write) -> None:
    text = (
        "--find-links https://user:pw@wheels.example.com/\n"
        "--no-binary :all:\n"
        "--only-binary numpy,scipy\n"
        "--prefer-binary\n"
        "--require-hashes\n"
        "--use-feature truststore\n"
        "--hash=sha256:" + SHA_A + "\n"
        "lxml --config-settings=--build-option=--with-xslt --global-option=build_ext\n"
    )
    project = read(write("requirements.txt", text))
    assert by_name(project) == {"lxml": "lxml"}
    assert project.notes == (
        "requirements.txt:1: --find-links https://user:****@wheels.example.com/ is ignored: "
        "thoth looks packages up on indexes only",
        "requirements.txt:2: --no-binary :all: is ignored: "
        "thoth does not restrict wheels or source distributions yet",
        "requirements.txt:3: --only-binary numpy,scipy is ignored: "
        "thoth does not restrict wheels or source distributions yet",
        "requirements.txt:4: --prefer-binary is ignored: thoth ranks candidates by its own rules",
        "requirements.txt:5: --require-hashes is ignored: hashes are checked when the lock is installed",
        "requirements.txt:6: --use-feature truststore is ignored: it changes how pip installs",
        "requirements.txt:7: --hash without a requirement on its line is ignored (as pip does)",
        "requirements.txt:8: --config-settings for lxml is ignored: thoth does not build packages",
        "requirements.txt:8: --global-option for lxml is ignored: thoth does not build packages",
    )


def test_long_options_may_be_abbreviated_as_pip_allows(write: Write) -> None:
    project = read(
        write("requirements.txt", "--extra-index=https://pkgs.example.com/simple\n--prefer\nflask\n")
    )
    assert project.sources[1] == Source("pkgs.example.com", "https://pkgs.example.com/simple")
    assert project.notes == (
        "requirements.txt:2: --prefer-binary is ignored: thoth ranks candidates by its own rules",
    )


def test_several_options_on_one_line_all_apply(write: Write) -> None:
    write("base.txt", "flask\n")
    project = read(write("requirements.txt", "-r base.txt --pre -i https://pkgs.example.com/simple\n"))
    assert by_name(project) == {"flask": "flask"}
    assert project.allow_prereleases is True
    assert project.sources == (Source("pkgs.example.com", "https://pkgs.example.com/simple"),)


def test_quoted_option_values(write: Write) -> None:
    write("my reqs.txt", "flask\n")
    project = read(write("requirements.txt", '-r "my reqs.txt"\n'))
    assert by_name(project) == {"flask": "flask"}


# --- direct references -------------------------------------------------------------------


def test_pep508_direct_references(write: Write) -> None:
    text = (
        "acme @ https://files.example.com/acme-1.0.tar.gz#sha256=" + SHA_A + "\n"
        "tool[cli] @ git+https://github.com/acme/tool.git@v2.1 ; python_version >= '3.10'\n"
        "vendored @ ./vendor/vendored-1.0-py3-none-any.whl\n"
    )
    project = read(write("requirements.txt", text))
    acme, tool, vendored = project.requirements
    assert acme.url == f"https://files.example.com/acme-1.0.tar.gz#sha256={SHA_A}"
    assert acme.specifier == SpecifierSet()
    assert (tool.url, tool.extras, str(tool.marker)) == (
        "git+https://github.com/acme/tool.git@v2.1",
        frozenset({"cli"}),
        'python_version >= "3.10"',
    )
    # A relative path is taken relative to the file, whatever the working folder.
    assert vendored.url == (Path.cwd() / "vendor" / "vendored-1.0-py3-none-any.whl").resolve().as_uri()


def test_bare_vcs_urls_named_by_egg(write: Write) -> None:
    text = (
        "git+https://github.com/acme/tool.git@v2.1#egg=acme-tool&subdirectory=python\n"
        'git+ssh://git@github.com/acme/private.git#egg=private ; sys_platform == "linux"\n'
        "git://github.com/acme/old.git#egg=old\n"
    )
    project = read(write("requirements.txt", text))
    assert [(r.display_name, r.url, str(r.marker) if r.marker else None) for r in project.requirements] == [
        ("acme-tool", "git+https://github.com/acme/tool.git@v2.1#subdirectory=python", None),
        ("private", "git+ssh://git@github.com/acme/private.git", 'sys_platform == "linux"'),
        ("old", "git+git://github.com/acme/old.git", None),
    ]
    assert not any(r.editable for r in project.requirements)


def test_bare_archive_urls_named_by_file_name(write: Write) -> None:
    text = (
        "https://files.example.com/packages/Tool_Kit-1.2.0-py3-none-any.whl\n"
        "https://files.example.com/packages/legacy_lib-0.9.tar.gz#sha256=" + SHA_B + "\n"
        "https://github.com/acme/widget/archive/refs/heads/main.zip#egg=widget\n"
    )
    project = read(write("requirements.txt", text))
    assert [(r.name, r.url) for r in project.requirements] == [
        ("tool-kit", "https://files.example.com/packages/Tool_Kit-1.2.0-py3-none-any.whl"),
        ("legacy-lib", f"https://files.example.com/packages/legacy_lib-0.9.tar.gz#sha256={SHA_B}"),
        ("widget", "https://github.com/acme/widget/archive/refs/heads/main.zip"),
    ]


def test_local_paths(projects: Path) -> None:
    path = projects / "requirements.txt"
    path.write_text(
        "./poetry\n"
        "setupcfg[tests]\n"  # a bare name is a package name, not the folder next to it
        "./setupcfg[tests] ; python_version >= '3.10'\n"
        "wheels/tool_kit-1.2.0-py3-none-any.whl\n"
        "./wheels/legacy-lib-0.9.tar.gz\n"
        f"file:{(DATA / 'uv' / 'libs' / 'shared').as_posix()}\n",
        encoding="utf-8",
    )
    project = read(path)
    root = projects.resolve()
    assert [(r.name, r.url, sorted(r.extras), r.editable) for r in project.requirements] == [
        ("poetry-app", (root / "poetry").as_uri(), [], False),
        ("setupcfg", None, ["tests"], False),
        ("cfg-lib", (root / "setupcfg").as_uri(), ["tests"], False),
        ("tool-kit", (root / "wheels" / "tool_kit-1.2.0-py3-none-any.whl").as_uri(), [], False),
        ("legacy-lib", (root / "wheels" / "legacy-lib-0.9.tar.gz").as_uri(), [], False),
        ("acme-shared", (DATA / "uv" / "libs" / "shared").resolve().as_uri(), [], False),
    ]
    assert str(project.requirements[2].marker) == 'python_version >= "3.10"'


def test_editables(projects: Path) -> None:
    path = projects / "requirements.txt"
    shared = (DATA / "uv" / "libs" / "shared").resolve()
    path.write_text(
        "-e ./poetry\n"
        "--editable=setupcfg[tests]\n"
        f"-e {shared.as_uri()}\n"
        "-e git+https://github.com/acme/tool.git@main#egg=acme-tool\n"
        "-e \"acme-lib[fast] @ git+https://github.com/acme/lib.git ; python_version >= '3.10'\"\n"
        "-e hg+https://hg.example.com/repo#egg=hgpkg --config-settings editable_mode=compat\n",
        encoding="utf-8",
    )
    project = read(path)
    root = projects.resolve()
    assert [(r.name, r.url, sorted(r.extras)) for r in project.requirements] == [
        ("poetry-app", (root / "poetry").as_uri(), []),
        ("cfg-lib", (root / "setupcfg").as_uri(), ["tests"]),
        ("acme-shared", shared.as_uri(), []),
        ("acme-tool", "git+https://github.com/acme/tool.git@main", []),
        ("acme-lib", "git+https://github.com/acme/lib.git", ["fast"]),
        ("hgpkg", "hg+https://hg.example.com/repo", []),
    ]
    assert all(r.editable for r in project.requirements)
    assert str(project.requirements[4].marker) == 'python_version >= "3.10"'
    assert project.notes == (
        "projects/requirements.txt:6: --config-settings for hgpkg is ignored: thoth does not build packages",
    )


def test_hash_on_an_editable_is_ignored_with_a_note(write: Write) -> None:
    text = f"-e git+https://github.com/acme/tool.git#egg=tool --hash=sha256:{SHA_A}\n"
    project = read(write("requirements.txt", text))
    assert project.requirements[0].hashes == ()
    assert project.notes == (
        "requirements.txt:1: --hash on an editable requirement is ignored (as pip does)",
    )


def test_the_same_name_twice_is_kept_twice(write: Write) -> None:
    project = read(write("requirements.txt", "flask>=2\nflask<4\n"))
    assert [str(r) for r in project.requirements] == ["flask>=2", "flask<4"]


# --- errors ------------------------------------------------------------------------------


def test_missing_manifest(write: Write) -> None:
    assert error_of(Path("requirements.txt")) == "requirements.txt: file not found"


def test_not_utf8(write: Write) -> None:
    path = write("requirements.txt", b"flask\nna\xefve\n")
    assert error_of(path) == "requirements.txt:2: not valid UTF-8 text\n  fix: save the file as UTF-8"


def test_invalid_requirement_names_the_first_physical_line(write: Write) -> None:
    path = write("requirements.txt", f"flask\n\nrequests = 2.0 \\\n    --hash=sha256:{SHA_A}\n")
    assert error_of(path) == (
        "requirements.txt:3: invalid requirement (expected semicolon (after name with no version "
        "specifier) or end): 'requests = 2.0'\n"
        "  fix: write it as PEP 508 describes, e.g. 'requests>=2.31,<3' or "
        "'name @ https://host/name-1.0.tar.gz'"
    )


def test_invalid_requirement_in_an_included_file(write: Write) -> None:
    write("envs/dev.txt", "pytest\npytest-cov>=\n")
    path = write("requirements.txt", "-r envs/dev.txt\n")
    assert error_of(path).startswith("envs/dev.txt:2: invalid requirement (")


ERRORS = [
    (
        "flask --frobnicate\n",
        "requirements.txt:1: unknown option --frobnicate: 'flask --frobnicate'\n"
        f"  fix: remove it or correct its spelling; the options a requirements file may hold: {REFERENCE}",
    ),
    (
        "-x foo\n",
        "requirements.txt:1: unknown option -x: '-x foo'\n"
        f"  fix: remove it or correct its spelling; the options a requirements file may hold: {REFERENCE}",
    ),
    (
        "--no foo\n",
        "requirements.txt:1: ambiguous option --no (could be --no-binary, --no-index, --no-require-hashes): "
        "'--no foo'\n  fix: write the option's full name",
    ),
    (
        "\n-r\n",
        "requirements.txt:2: option -r needs a value: '-r'\n  fix: write the value after -r, e.g. -r VALUE",
    ),
    (
        "--pre=yes\n",
        "requirements.txt:1: option --pre takes no value: '--pre=yes'\n  fix: write --pre alone",
    ),
    (
        "-r 'my reqs.txt\n",
        'requirements.txt:1: cannot split the options (a quote is not closed): "-r \'my reqs.txt"\n'
        "  fix: close the quote, or remove it",
    ),
    (
        f"requests==2.32.3 --hash=sha256:{SHA_A} idna==3.7\n",
        "requirements.txt:1: unexpected text 'idna==3.7' after the options: "
        f"'requests==2.32.3 --hash=sha256:{SHA_A} idna==3.7'\n"
        "  fix: put each requirement on a line of its own, before its options, "
        "and quote an option's value that holds spaces",
    ),
    (
        "-e acme @ git+https://github.com/acme/acme.git\n",
        "requirements.txt:1: unexpected text '@' after the options: "
        "'-e acme @ git+https://github.com/acme/acme.git'\n"
        "  fix: put each requirement on a line of its own, before its options, "
        "and quote an option's value that holds spaces",
    ),
    (
        "flask --pre\n",
        "requirements.txt:1: option --pre applies to the whole file, not to one requirement: 'flask'\n"
        "  fix: move --pre to a line of its own",
    ),
    (
        "-e ./lib -r other.txt\n",
        "requirements.txt:1: option -r applies to the whole file, not to one requirement: "
        "'-e ./lib -r other.txt'\n"
        "  fix: move -r to a line of its own",
    ),
    (
        "flask -e ./lib\n",
        "requirements.txt:1: a line holds one requirement: 'flask'\n"
        "  fix: put each requirement on a line of its own",
    ),
    (
        "-i https://a.example.com/simple\n\n-i https://b.example.com/simple\n",
        "requirements.txt:3: a second index URL (the first is set at requirements.txt:1): "
        "'-i https://b.example.com/simple'\n"
        "  fix: keep one --index-url and name the other indexes with --extra-index-url",
    ),
    (
        "--extra-index-url pkgs.example.com/simple\n",
        "requirements.txt:1: 'pkgs.example.com/simple' is not an index URL: "
        "'--extra-index-url pkgs.example.com/simple'\n"
        "  fix: write the index's full URL, e.g. https://pypi.org/simple",
    ),
    (
        "--no-index\n--find-links ./wheels\n",
        "requirements.txt:1: --no-index is not supported: thoth resolves against a package index: "
        "'--no-index'\n"
        "  fix: remove --no-index (and --find-links), and name the index with --index-url",
    ),
    (
        "--all-releases django,'celery 5'\n",
        "requirements.txt:1: 'celery 5' is not a package name: \"--all-releases django,'celery 5'\"\n"
        "  fix: write --all-releases :all:, :none: or package names separated by commas",
    ),
    (
        "--pre\n--only-final=django,Celery\n",
        "requirements.txt:2: pre-releases are allowed for every package but django, celery, "
        "and thoth cannot express the exception yet\n"
        "  fix: allow pre-releases of the packages that need them by name (--all-releases NAME,...) "
        "instead of for every package",
    ),
    (
        "idna --hash=sha256\n",
        "requirements.txt:1: --hash=sha256 is not ALGORITHM:DIGEST: 'idna'\n"
        "  fix: write it like --hash=sha256:0123abcd... (64 hex digits)",
    ),
    (
        f"idna --hash=md5:{SHA_A[:32]}\n",
        "requirements.txt:1: hash algorithm 'md5' is not allowed: 'idna'\n"
        "  fix: use sha256, sha384 or sha512, as pip requires",
    ),
    (
        "idna --hash=sha256:abc123\n",
        "requirements.txt:1: --hash=sha256:abc123 is not a sha256 digest (64 hex digits): 'idna'\n"
        "  fix: copy the hash again from the index or from pip hash",
    ),
    (
        "-r https://user:pw@example.com/requirements.txt\n",
        "requirements.txt:1: remote requirements files are not read: "
        "'-r https://user:****@example.com/requirements.txt'\n"
        "  fix: download the file and include it by its local path",
    ),
    (
        "git+https://github.com/acme/tool.git@v2\n",
        "requirements.txt:1: cannot tell the package name of a VCS URL: 'git+https://github.com/acme/tool.git@v2'\n"
        "  fix: write it as 'NAME @ URL', or add '#egg=NAME' to the URL",
    ),
    (
        "https://example.com/download?id=42\n",
        "requirements.txt:1: cannot tell the package name of this URL: 'https://example.com/download?id=42'\n"
        "  fix: write it as 'NAME @ URL', or add '#egg=NAME' to the URL",
    ),
    (
        "git+https://github.com/acme/tool.git#egg=tool>=2\n",
        "requirements.txt:1: #egg=tool>=2 is not a project name: 'git+https://github.com/acme/tool.git#egg=tool>=2'\n"
        "  fix: write '#egg=NAME' with the project's name alone, or 'NAME[extras] @ URL'",
    ),
    (
        "https://files.example.com/not-a-wheel.whl\n",
        "requirements.txt:1: 'not-a-wheel.whl' is not a valid wheel file name: "
        "'https://files.example.com/not-a-wheel.whl'\n"
        "  fix: wheel names read NAME-VERSION(-BUILD)-PYTHON-ABI-PLATFORM.whl",
    ),
    (
        "https://[::1/simple/pkg-1.0.tar.gz\n",
        "requirements.txt:1: malformed URL (Invalid IPv6 URL): 'https://[::1/simple/pkg-1.0.tar.gz'",
    ),
    (
        "-e https://files.example.com/acme-1.0.tar.gz\n",
        "requirements.txt:1: an editable requirement must be a local project folder or a VCS URL: "
        "'-e https://files.example.com/acme-1.0.tar.gz'\n"
        "  fix: write -e ./path/to/project or -e git+https://host/repo#egg=NAME, or drop -e",
    ),
    (
        '-e "acme @ https://files.example.com/acme-1.0.tar.gz"\n',
        "requirements.txt:1: an editable requirement must be a local project folder or a VCS URL: "
        "'-e \"acme @ https://files.example.com/acme-1.0.tar.gz\"'\n"
        "  fix: write -e ./path/to/project or -e git+https://host/repo#egg=NAME, or drop -e",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[str(n) for n in range(len(ERRORS))])
def test_bad_lines(write: Write, text: str, message: str) -> None:
    assert error_of(write("requirements.txt", text)) == message


def test_missing_include_names_the_including_file_line_and_path(tmp_path: Path) -> None:
    write_to = tmp_path / "envs"
    write_to.mkdir()
    (write_to / "dev.txt").write_text("pytest\n\n-c ../pins/missing.txt\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("-r envs/dev.txt\n", encoding="utf-8")
    assert error_of(tmp_path / "requirements.txt") == (
        f"{tmp_path}/envs/dev.txt:3: included file {tmp_path}/pins/missing.txt not found: "
        "'-c ../pins/missing.txt'\n"
        f"  fix: paths after -r and -c are relative to the including file's folder ({tmp_path}/envs)"
    )


def test_missing_include_with_relative_paths(write: Write) -> None:
    write("envs/dev.txt", "pytest\n-r missing.txt\n")
    path = write("requirements.txt", "-r envs/dev.txt\n")
    assert error_of(path) == (
        "envs/dev.txt:2: included file envs/missing.txt not found: '-r missing.txt'\n"
        "  fix: paths after -r and -c are relative to the including file's folder (envs)"
    )


def test_an_included_folder(write: Write) -> None:
    write("envs/dev.txt", "pytest\n")
    path = write("requirements.txt", "-r envs\n")
    assert error_of(path) == "requirements.txt:1: included path envs is a folder, not a file: '-r envs'"


def test_include_cycle_names_the_chain(data: Path) -> None:
    assert error_of(Path("cycle/a.txt")) == (
        "cycle/sub/b.txt:4: include cycle: cycle/a.txt -> cycle/sub/b.txt -> cycle/a.txt: '-r ../a.txt'\n"
        "  fix: remove one of the includes in the cycle"
    )


def test_a_file_that_includes_itself(write: Write) -> None:
    path = write("requirements.txt", "flask\n-r ./requirements.txt\n")
    assert error_of(path) == (
        "requirements.txt:2: include cycle: requirements.txt -> requirements.txt: '-r ./requirements.txt'\n"
        "  fix: remove one of the includes in the cycle"
    )


@pytest.mark.parametrize(
    ("line", "problem", "fix"),
    [
        (
            "django[argon2]<5",
            "a constraint cannot have extras",
            "drop the [...] part: a constraint applies to the package whatever its extras",
        ),
        (
            "django @ https://files.example.com/Django-4.2.tar.gz",
            "a constraint cannot be a URL or a path",
            "constrain the version instead (e.g. 'name==1.0'), or move it to a requirements file",
        ),
        (
            "-e git+https://github.com/django/django.git#egg=django",
            "a constraint cannot be editable",
            "move it to a requirements file, or drop -e",
        ),
    ],
)
def test_bad_constraints(write: Write, line: str, problem: str, fix: str) -> None:
    write("constraints.txt", f"# pins\n{line}\n")
    path = write("requirements.txt", "django\n-c constraints.txt\n")
    assert error_of(path) == f"constraints.txt:2: {problem}: {line!r}\n  fix: {fix}"


def test_missing_local_path(write: Write, tmp_path: Path) -> None:
    path = write("requirements.txt", "./libs/missing\n")
    assert error_of(path) == (
        "requirements.txt:1: no such file or folder: libs/missing: './libs/missing'\n"
        "  fix: local paths are relative to the folder of requirements.txt"
    )


def test_folder_that_is_no_python_project(projects: Path) -> None:
    path = projects / "requirements.txt"
    path.write_text("-e ./empty-dir\n", encoding="utf-8")
    message = error_of(path)
    assert message == (
        "projects/requirements.txt:1: projects/empty-dir is not a Python project "
        "(it has no pyproject.toml or setup.py): "
        "'-e ./empty-dir'\n"
        "  fix: name the project's folder, the one that holds its pyproject.toml"
    )


def test_project_whose_name_needs_a_build(projects: Path) -> None:
    path = projects / "requirements.txt"
    path.write_text("# setup.py only\n./setuppy\n", encoding="utf-8")
    message = error_of(path)
    folder = (projects / "setuppy").resolve()
    assert message == (
        "projects/requirements.txt:2: cannot tell the name of the project in projects/setuppy "
        "without building it: './setuppy'\n"
        f"  fix: write it as 'NAME @ {folder.as_uri()}' (with -e in front to keep it editable)"
    )


def test_archive_whose_name_is_unknown(projects: Path) -> None:
    path = projects / "requirements.txt"
    path.write_text("./wheels/notes.tar.bz2\n", encoding="utf-8")
    message = error_of(path)
    archive = (projects / "wheels" / "notes.tar.bz2").resolve()
    assert message == (
        "projects/requirements.txt:1: not a wheel or a source distribution, so its package name is unknown: "
        "'./wheels/notes.tar.bz2'\n"
        f"  fix: write it as 'NAME @ {archive.as_uri()}'"
    )


def test_editable_file_instead_of_folder(projects: Path) -> None:
    path = projects / "requirements.txt"
    path.write_text("-e ./wheels/legacy-lib-0.9.tar.gz\n", encoding="utf-8")
    message = error_of(path)
    assert message.startswith(
        "projects/requirements.txt:1: an editable requirement must be a local project folder or a VCS URL: "
    )


def test_broken_pyproject_of_a_local_project_names_that_file(write: Write) -> None:
    write("lib/pyproject.toml", "[project\nname = 'x'\n")
    path = write("requirements.txt", "-e ./lib\n")
    assert error_of(path) == (
        "lib/pyproject.toml:1: invalid TOML: expected ']' at the end of a table declaration (column 9): "
        "[project\n  fix: correct the TOML syntax on that line"
    )


def test_literal_credentials_are_redacted_in_messages(write: Write) -> None:
    path = write(
        "requirements.txt", "acme @ https://deploy:hunter2@pkgs.example.com/acme.tar.gz ; os_name ==\n"
    )
    message = error_of(path)
    assert "hunter2" not in message
    assert "'acme @ https://deploy:****@pkgs.example.com/acme.tar.gz ; os_name =='" in message
