"""pylock.toml: exact output, PEP 751 validity (packaging.pylock), reading back, and pip installing it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from packaging.markers import Environment
from packaging.pylock import Pylock
from packaging.tags import Tag
from packaging.version import Version

from tests.indexserver import IndexServerFactory
from tests.lock.builders import (
    DEVELOP,
    PYPI,
    StubTarget,
    dist,
    edge,
    pinned,
    pip_env,
    pyproject_project,
    served_files,
    served_stack,
    small_stack,
)
from thoth_cli.adviser import RecordedTarget
from thoth_cli.errors import ExitCode, InputError
from thoth_cli.index.model import DistributionFile, Hashes, IndexSpec
from thoth_cli.lock.model import LockedFile, MissingHashError
from thoth_cli.lock.pylock import environment_marker, group_marker, pylock_text, read_pylock
from thoth_cli.project.model import MAIN, Group, GroupKind
from thoth_cli.stack import Justification, JustificationType, Stack
from thoth_cli.target import Target


def running() -> RecordedTarget:
    """The running interpreter as a lock made without --python-version records it."""
    target = Target.current()
    return RecordedTarget(target, python_version_exact=target.python_version_exact)


if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

EXPECTED = """\
lock-version = "1.0"
environments = [
    "sys_platform == 'linux' and platform_machine == 'x86_64' and python_version == '3.12' and implementation_name == 'cpython'",
]
requires-python = ">=3.10"
extras = []
dependency-groups = [
    "develop",
]
default-groups = [
    "default",
]
created-by = "thoth_cli 0.1.0"

[[packages]]
name = "iniconfig"
version = "2.0.0"
marker = "'develop' in dependency_groups"
index = "https://pypi.org/simple/"

[[packages.wheels]]
name = "iniconfig-2.0.0-py3-none-any.whl"
url = "https://files.example.org/packages/iniconfig-2.0.0-py3-none-any.whl"

[packages.wheels.hashes]
sha256 = "6666666666666666666666666666666666666666666666666666666666666666"

[packages.tool.thoth]
score = 0.0
direct = false
groups = [
    "group:develop",
]
required-by = [
    "pytest 8.0.0: iniconfig",
]

[[packages]]
name = "pytest"
version = "8.0.0"
marker = "'develop' in dependency_groups"
dependencies = [
    { name = "iniconfig", version = "2.0.0" },
    { name = "urllib3", version = "2.0.7" },
]
index = "https://pypi.org/simple/"

[[packages.wheels]]
name = "pytest-8.0.0-py3-none-any.whl"
upload-time = 2023-05-22 15:12:44+00:00
url = "https://files.example.org/packages/pytest-8.0.0-py3-none-any.whl"

[packages.wheels.hashes]
sha256 = "5555555555555555555555555555555555555555555555555555555555555555"

[packages.tool.thoth]
score = 0.0
direct = true
groups = [
    "group:develop",
]
required-by = [
    "project: pytest; sys_platform == 'linux'",
]

[[packages]]
name = "requests"
version = "2.31.0"
dependencies = [
    { name = "urllib3", version = "2.0.7" },
]
index = "https://pypi.org/simple/"

[packages.sdist]
name = "requests-2.31.0.tar.gz"
upload-time = 2023-05-22 15:12:44+00:00
url = "https://files.example.org/packages/requests-2.31.0.tar.gz"

[packages.sdist.hashes]
sha256 = "2222222222222222222222222222222222222222222222222222222222222222"

[[packages.wheels]]
name = "requests-2.31.0-py3-none-any.whl"
upload-time = 2023-05-22 15:12:44+00:00
url = "https://files.example.org/packages/requests-2.31.0-py3-none-any.whl"
size = 62574

[packages.wheels.hashes]
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"

[packages.tool.thoth]
score = 0.5
direct = true
groups = [
    "default",
]
extras = [
    "socks",
]
required-by = [
    "project: Requests[socks]>=2.31",
]

[[packages.tool.thoth.justifications]]
type = "INFO"
message = "newest release that fits"
link = "https://thoth.example/latest"
unit = "latest"

[[packages]]
name = "urllib3"
version = "2.0.7"
index = "https://pypi.org/simple/"

[packages.sdist]
name = "urllib3-2.0.7.tar.gz"
upload-time = 2023-05-22 15:12:44+00:00
url = "https://files.example.org/packages/urllib3-2.0.7.tar.gz"

[packages.sdist.hashes]
sha256 = "4444444444444444444444444444444444444444444444444444444444444444"

[[packages.wheels]]
name = "urllib3-2.0.7-py3-none-any.whl"
upload-time = 2023-05-22 15:12:44+00:00
url = "https://files.example.org/packages/urllib3-2.0.7-py3-none-any.whl"
size = 124213

[packages.wheels.hashes]
sha256 = "3333333333333333333333333333333333333333333333333333333333333333"

[packages.tool.thoth]
score = 0.25
direct = false
groups = [
    "default",
    "group:develop",
]
required-by = [
    "pytest 8.0.0: urllib3",
    "requests 2.31.0: urllib3<3,>=1.21.1",
]

[tool.thoth]
manifest = "pyproject.toml"
manifest-sha256 = "5a9a881f3754634588c4a5dabe56745ede1d8eb1db2423015bbd021ca99aabdc"
score = 0.75
justifications = [
    { type = "WARNING", message = "CPU flags unknown", package = "urllib3", version = "2.0.7" },
]

[tool.thoth.target]
python = "3.12.1"
implementation = "cpython"
free_threaded = false
platform = "manylinux_2_17_x86_64"
tags = [
    "cp312-cp312-manylinux_2_17_x86_64",
    "py3-none-any",
]
"""  # noqa: E501 - the environments line is as long as the marker it holds


def test_exact_output_for_a_small_stack(tmp_path: Path) -> None:
    assert pylock_text(pyproject_project(tmp_path), small_stack(), StubTarget()) == EXPECTED


def test_same_inputs_give_identical_bytes_whatever_the_stack_order(tmp_path: Path) -> None:
    project = pyproject_project(tmp_path)
    stack = small_stack()
    shuffled = Stack(
        tuple(reversed(stack.packages)), tuple(reversed(stack.edges)), stack.score, stack.justifications
    )
    first = pylock_text(project, stack, StubTarget())
    assert pylock_text(project, stack, StubTarget()) == first
    assert pylock_text(project, shuffled, StubTarget()) == first


def test_output_passes_packaging_pylock_validation_and_selects_the_right_files(tmp_path: Path) -> None:
    text = pylock_text(pyproject_project(tmp_path), small_stack(), StubTarget())
    lock = Pylock.from_dict(tomllib.loads(text))
    lock.validate()
    environment = cast("Environment", StubTarget().marker_environment())
    tags = [Tag("py3", "none", "any")]
    default = {
        package.name: getattr(chosen, "name", None)
        for package, chosen in lock.select(environment=environment, tags=tags)
    }
    assert default == {
        "requests": "requests-2.31.0-py3-none-any.whl",
        "urllib3": "urllib3-2.0.7-py3-none-any.whl",
    }
    with_develop = {
        package.name
        for package, _ in lock.select(environment=environment, tags=tags, dependency_groups=["develop"])
    }
    assert with_develop == {"iniconfig", "pytest", "requests", "urllib3"}


def test_a_lock_for_another_machine_is_refused_by_packaging(tmp_path: Path) -> None:
    from packaging.pylock import PylockSelectError

    lock = Pylock.from_dict(
        tomllib.loads(pylock_text(pyproject_project(tmp_path), small_stack(), StubTarget()))
    )
    windows = cast("Environment", {**StubTarget().marker_environment(), "sys_platform": "win32"})
    with pytest.raises(PylockSelectError, match="does not satisfy any of the environments"):
        list(lock.select(environment=windows, tags=[Tag("py3", "none", "any")]))


def test_environment_claims_a_full_version_the_user_asked_for() -> None:
    target = RecordedTarget(
        Target.from_options("3.11.4", "manylinux_2_28_aarch64"), python_version_exact=True
    )
    assert environment_marker(target) == (
        "sys_platform == 'linux' and platform_machine == 'aarch64' and "
        "python_full_version == '3.11.4' and implementation_name == 'cpython'"
    )


def test_environment_claims_only_x_y_of_a_full_version_nobody_asked_for() -> None:
    target = RecordedTarget(
        Target.from_options("3.11.4", "manylinux_2_28_aarch64"), python_version_exact=False
    )
    assert environment_marker(target) == (
        "sys_platform == 'linux' and platform_machine == 'aarch64' and "
        "python_version == '3.11' and implementation_name == 'cpython'"
    )


def test_environment_claims_only_x_y_when_the_micro_version_was_assumed() -> None:
    target = Target.from_options("3.12", "win_amd64")
    assert target.python_version_stated
    assert environment_marker(RecordedTarget(target, python_version_exact=target.python_version_exact)) == (
        "sys_platform == 'win32' and platform_machine == 'AMD64' and "
        "python_version == '3.12' and implementation_name == 'cpython'"
    )


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (frozenset(), None),
        (frozenset({MAIN}), None),
        (frozenset({MAIN, DEVELOP}), None),
        (frozenset({DEVELOP}), "'develop' in dependency_groups"),
        (
            frozenset({Group(GroupKind.EXTRA, "Socks_Proxy"), Group(GroupKind.GROUP, "test"), DEVELOP}),
            "'develop' in dependency_groups or 'test' in dependency_groups or 'socks-proxy' in extras",
        ),
    ],
)
def test_group_marker(groups: frozenset[Group], expected: str | None) -> None:
    assert group_marker(groups) == expected


def test_project_extras_and_groups_are_listed(tmp_path: Path) -> None:
    stack = Stack(
        packages=(
            pinned(
                "pysocks",
                "1.7.1",
                (dist("PySocks-1.7.1-py3-none-any.whl", "7"),),
                groups=frozenset({Group(GroupKind.EXTRA, "Socks")}),
            ),
        ),
        edges=(edge(None, "pysocks", "pysocks; extra == 'socks'"),),
    )
    data = tomllib.loads(pylock_text(pyproject_project(tmp_path), stack, StubTarget()))
    assert data["extras"] == ["socks"]
    assert data["dependency-groups"] == ["develop"]
    assert data["packages"][0]["marker"] == "'socks' in extras"
    Pylock.from_dict(data).validate()


def test_no_requires_python_when_the_project_has_none(tmp_path: Path) -> None:
    data = tomllib.loads(
        pylock_text(pyproject_project(tmp_path, requires_python=None), small_stack(), StubTarget())
    )
    assert "requires-python" not in data


def test_credentials_are_never_written(tmp_path: Path) -> None:
    private = IndexSpec("private", "https://alice:s3cret@pkgs.example.com/simple/")
    wheel = dist(
        "private_pkg-1.0-py3-none-any.whl",
        "8",
        index=private,
        base="https://alice:s3cret@pkgs.example.com/f/",
    )
    stack = Stack((pinned("private-pkg", "1.0", (wheel,), index=private),), ())
    text = pylock_text(pyproject_project(tmp_path), stack, StubTarget())
    assert "s3cret" not in text
    assert "alice" not in text
    package = tomllib.loads(text)["packages"][0]
    assert package["index"] == "https://pkgs.example.com/simple/"
    assert package["wheels"][0]["url"] == "https://pkgs.example.com/f/private_pkg-1.0-py3-none-any.whl"


def test_upload_times_are_recorded_in_utc(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    cest = timezone(timedelta(hours=2))
    wheel = dist("a-1.0-py3-none-any.whl", "9", upload_time=datetime(2024, 1, 1, 14, 0, tzinfo=cest))
    naive = dist("a-1.0.tar.gz", "a", upload_time=datetime(2024, 1, 1, 12, 30))
    stack = Stack((pinned("a", "1.0", (wheel, naive)),), ())
    package = tomllib.loads(pylock_text(pyproject_project(tmp_path), stack, StubTarget()))["packages"][0]
    assert package["wheels"][0]["upload-time"] == datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert package["sdist"]["upload-time"] == datetime(2024, 1, 1, 12, 30, tzinfo=timezone.utc)


def test_a_file_without_sha256_cannot_be_locked(tmp_path: Path) -> None:
    unhashed = DistributionFile(
        "a-1.0-py3-none-any.whl", "https://x.example/a.whl", "pypi", Hashes.of({"md5": "ab"})
    )
    stack = Stack((pinned("a", "1.0", (unhashed,)),), ())
    with pytest.raises(MissingHashError) as caught:
        pylock_text(pyproject_project(tmp_path), stack, StubTarget())
    assert str(caught.value) == (
        "a 1.0: the index https://pypi.org/simple/ gives no sha256 for a-1.0-py3-none-any.whl\n"
        "  fix: use an index that publishes sha256 hashes (PEP 503/691), or exclude this release"
    )
    assert caught.value.exit_code is ExitCode.ENVIRONMENT


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    text = pylock_text(pyproject_project(tmp_path), small_stack(), StubTarget())
    lock = read_pylock(path, text)
    assert lock.created_by == "thoth_cli 0.1.0"
    assert lock.requires_python == ">=3.10"
    assert lock.manifest_sha256 == "5a9a881f3754634588c4a5dabe56745ede1d8eb1db2423015bbd021ca99aabdc"
    assert lock.score == 0.75
    assert lock.justifications == small_stack().justifications
    assert lock.target == StubTarget().as_dict()
    assert lock.index_urls == ("https://pypi.org/simple/",)
    assert lock.pins() == {
        "iniconfig": Version("2.0.0"),
        "pytest": Version("8.0.0"),
        "requests": Version("2.31.0"),
        "urllib3": Version("2.0.7"),
    }
    requests = lock.get("requests")
    assert requests is not None
    assert requests.hashes == ("sha256:" + "1" * 64, "sha256:" + "2" * 64)
    assert requests.files == (
        LockedFile(
            "requests-2.31.0.tar.gz", "https://files.example.org/packages/requests-2.31.0.tar.gz", "2" * 64
        ),
        LockedFile(
            "requests-2.31.0-py3-none-any.whl",
            "https://files.example.org/packages/requests-2.31.0-py3-none-any.whl",
            "1" * 64,
            62574,
        ),
    )
    assert requests.groups == frozenset({MAIN})
    assert requests.extras == frozenset({"socks"})
    assert requests.direct is True
    assert requests.score == 0.5
    assert requests.justifications == small_stack().packages[1].justifications
    assert requests.required_by == ("project: Requests[socks]>=2.31",)
    assert requests.dependencies == ("urllib3",)
    assert requests.index_url == "https://pypi.org/simple/"
    urllib3 = lock.get("urllib3")
    assert urllib3 is not None
    assert urllib3.groups == frozenset({MAIN, DEVELOP})
    assert urllib3.direct is False
    pytest_package = lock.get("pytest")
    assert pytest_package is not None
    assert pytest_package.marker == '"develop" in dependency_groups'


def test_groups_come_from_the_marker_in_a_lock_without_thoth_tables() -> None:
    text = """\
lock-version = "1.0"
created-by = "another-tool"
extras = ["socks"]
dependency-groups = ["dev", "docs"]

[[packages]]
name = "pysocks"
version = "1.7.1"
marker = "'socks' in extras"
wheels = [{ url = "https://x.example/PySocks-1.7.1-py3-none-any.whl", hashes = { sha256 = "ab" } }]

[[packages]]
name = "sphinx"
version = "7.0.0"
marker = "'docs' in dependency_groups or 'dev' in dependency_groups"
sdist = { url = "https://x.example/sphinx-7.0.0.tar.gz", hashes = { sha256 = "cd" } }

[[packages]]
name = "attrs"
version = "23.1.0"
sdist = { url = "https://x.example/attrs-23.1.0.tar.gz", hashes = { sha256 = "ef" } }
"""
    lock = read_pylock(Path("pylock.toml"), text)
    assert [(p.name, p.groups, p.direct, p.score) for p in lock.packages] == [
        ("pysocks", frozenset({Group(GroupKind.EXTRA, "socks")}), None, None),
        ("sphinx", frozenset({Group(GroupKind.GROUP, "dev"), Group(GroupKind.GROUP, "docs")}), None, None),
        ("attrs", frozenset({MAIN}), None, None),
    ]
    assert lock.manifest_sha256 is None
    assert lock.get("sphinx") is not None and lock.get("sphinx").hashes == ("sha256:cd",)  # type: ignore[union-attr]


_HEAD = 'lock-version = "1.0"\ncreated-by = "x"\n'
_PACKAGE_A = (
    '\n[[packages]]\nname = "a"\nversion = "1"\n'
    '[packages.sdist]\nurl = "https://x/a-1.tar.gz"\nhashes = {sha256 = "ab"}\n'
)
_FIX = "  fix: write the lock again with `thoth advise`, or correct the key as PEP 751 describes"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'lock-version = "1.0"\ncreated-by = \n',
            "pylock.toml:2: invalid TOML: invalid value: created-by =\n"
            "  fix: correct the TOML syntax on that line, or write the lock again",
        ),
        (
            'lock-version = "1.0"\npackages = []\n',
            f"pylock.toml [created-by]: not a valid pylock.toml (missing required value)\n{_FIX}",
        ),
        (
            'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n',
            "pylock.toml:1 [lock-version]: unsupported lock-version (pylock version 2.0 is not supported)\n"
            "  fix: use a thoth that reads this lock-version, or write the lock again with `thoth advise`",
        ),
        (
            _HEAD + _PACKAGE_A + '\n[[packages]]\nname = "B_C"\nversion = "1"\n',
            "pylock.toml:11 [packages[1].name]: not a valid pylock.toml (name 'B_C' is not normalized)\n"
            + _FIX,
        ),
        (
            _HEAD + _PACKAGE_A + '[packages.tool.thoth]\nscore = "high"\n',
            f"pylock.toml:4 [packages[0].tool.thoth.score]: expected a number: 'high'\n{_FIX}",
        ),
        (
            _HEAD + _PACKAGE_A + '[packages.tool.thoth]\ndirect = "yes"\n',
            "pylock.toml:4 [packages[0].tool.thoth.direct]: expected a boolean (true or false): 'yes'\n"
            + _FIX,
        ),
        (
            _HEAD + _PACKAGE_A + '[packages.tool.thoth]\ngroups = ["weird:x"]\n',
            "pylock.toml:4 [packages[0].tool.thoth.groups]: expected a group such as 'default', "
            f"'group:dev' or 'extra:socks': 'weird:x'\n{_FIX}",
        ),
        (
            _HEAD + _PACKAGE_A + '[[packages.tool.thoth.justifications]]\ntype = "NOTE"\nmessage = "m"\n',
            "pylock.toml:4 [packages[0].tool.thoth.justifications[0].type]: expected INFO, WARNING or ERROR: "
            f"'NOTE'\n{_FIX}",
        ),
    ],
)
def test_malformed_lock_names_file_key_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_pylock(Path("pylock.toml"), text)
    assert str(caught.value) == message
    assert caught.value.exit_code is ExitCode.INVALID_INPUT


def _pip_install(python: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`pip install --no-cache-dir ...` with `python`'s pip, seeing only the test index."""
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--no-cache-dir", *arguments],
        env=pip_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def test_pip_installs_from_the_written_pylock(
    tmp_path: Path, index_server: IndexServerFactory, pylock_pip: Path
) -> None:
    server = index_server("a 1.0: b\nb 2.0")
    project = pyproject_project(tmp_path, requires_python=None)
    lock = tmp_path / "pylock.toml"
    lock.write_text(pylock_text(project, served_stack(server), running()), encoding="utf-8")
    installed = tmp_path / "site"
    result = _pip_install(pylock_pip, "--target", str(installed), "-r", str(lock))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in installed.glob("*.dist-info")) == [
        "a-1.0.dist-info",
        "b-2.0.dist-info",
    ]
    downloads = sorted(record.path for record in server.requests if "/files/" in record.path)
    assert downloads == ["/pypi/files/a-1.0-py3-none-any.whl", "/pypi/files/b-2.0-py3-none-any.whl"]


def test_pip_refuses_a_file_whose_hash_differs(
    tmp_path: Path, index_server: IndexServerFactory, pylock_pip: Path
) -> None:
    server = index_server("a 1.0\n")
    index = IndexSpec("pypi", server.url("pypi"))
    wrong = tuple(
        replace(file, hashes=Hashes.of({"sha256": "0" * 64})) for file in served_files(server, "a")["a"]
    )
    stack = Stack((pinned("a", "1.0", wrong, direct=True, index=index),), ())
    lock = tmp_path / "pylock.toml"
    lock.write_text(pylock_text(pyproject_project(tmp_path), stack, running()), encoding="utf-8")
    result = _pip_install(pylock_pip, "--target", str(tmp_path / "site"), "-r", str(lock))
    assert result.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in result.stderr
    assert not list((tmp_path / "site").glob("a-*"))


@pytest.mark.parametrize(("exact", "installs"), [(False, True), (True, False)])
def test_pip_installs_a_lock_for_another_patch_release_only_when_it_claims_x_y(
    tmp_path: Path, index_server: IndexServerFactory, pylock_pip: Path, exact: bool, installs: bool
) -> None:
    server = index_server("a 1.0: b\nb 2.0")
    major, minor, micro = sys.version_info[:3]
    other = RecordedTarget(
        Target.from_options(f"{major}.{minor}.{micro + 1}", None), python_version_exact=exact
    )
    lock = tmp_path / "pylock.toml"
    stack = served_stack(server)
    lock.write_text(
        pylock_text(pyproject_project(tmp_path, requires_python=None), stack, other), encoding="utf-8"
    )
    result = _pip_install(pylock_pip, "--target", str(tmp_path / "site"), "-r", str(lock))
    assert (result.returncode == 0) is installs, result.stderr
    assert ("does not satisfy any of the environments" in result.stderr) is not installs, result.stderr
    installed = sorted(path.name for path in (tmp_path / "site").glob("*.dist-info"))
    assert installed == (["a-1.0.dist-info", "b-2.0.dist-info"] if installs else [])


def test_justification_tables_keep_optional_fields(tmp_path: Path) -> None:
    justification = Justification(JustificationType.ERROR, "broken on this CPU", link="https://x.example/why")
    stack = Stack(
        (pinned("a", "1.0", (dist("a-1.0-py3-none-any.whl", "b"),), justifications=(justification,)),), ()
    )
    lock = read_pylock(
        tmp_path / "pylock.toml", pylock_text(pyproject_project(tmp_path), stack, StubTarget())
    )
    assert lock.packages[0].justifications == (justification,)


def test_stack_justifications_and_skipped_dependencies_are_recorded(tmp_path: Path) -> None:
    stack = replace(small_stack(), skipped_dependencies=("pytest",))  # type: ignore[arg-type]
    data = tomllib.loads(pylock_text(pyproject_project(tmp_path), stack, StubTarget()))
    assert data["tool"]["thoth"]["skipped-dependencies"] == ["pytest"]


def test_two_releases_of_one_name_are_two_sorted_entries(tmp_path: Path) -> None:
    # Two releases of one name would be two entries; each keeps its own version.
    stack = Stack(
        (
            pinned("a", "2.0", (dist("a-2.0-py3-none-any.whl", "c"),)),
            pinned("a", "1.0", (dist("a-1.0-py3-none-any.whl", "d"),), groups=frozenset({DEVELOP})),
        ),
        (),
    )
    data = tomllib.loads(pylock_text(pyproject_project(tmp_path), stack, StubTarget()))
    assert [(p["name"], p["version"]) for p in data["packages"]] == [("a", "1.0"), ("a", "2.0")]
    assert PYPI.url == data["packages"][0]["index"]


def test_the_tar_gz_is_the_sdist_when_there_are_several(tmp_path: Path) -> None:
    files = (dist("a-1.0.zip", "c"), dist("a-1.0.tar.gz", "d"))
    data = tomllib.loads(
        pylock_text(pyproject_project(tmp_path), Stack((pinned("a", "1.0", files),), ()), StubTarget())
    )
    assert data["packages"][0]["sdist"]["name"] == "a-1.0.tar.gz"
