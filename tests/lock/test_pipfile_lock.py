"""Pipfile.lock: exact output, Pipenv's own hash and reading (checked with a real pipenv), reading back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from tests.lock.builders import (
    DEVELOP,
    PIPFILE,
    PYPI,
    StubTarget,
    dist,
    pinned,
    pip_env,
    pipfile_project,
    pyproject_project,
    small_stack,
)
from thoth_cli.errors import ExitCode, InputError, ManifestError, UsageError
from thoth_cli.index.model import IndexSpec
from thoth_cli.lock.pipfile_lock import (
    pipfile_data,
    pipfile_hash,
    pipfile_lock_data,
    pipfile_lock_text,
    read_pipfile_lock,
)
from thoth_cli.project.model import MAIN, Group, GroupKind, Source
from thoth_cli.stack import Stack

EXPECTED = """\
{
    "_meta": {
        "hash": {
            "sha256": "4290cd017fcfa9c01870c0ba3a97f4b73bb57e060f8308fcfa2d14df862ff8e0"
        },
        "pipfile-spec": 6,
        "requires": {
            "python_version": "3.12"
        },
        "sources": [
            {
                "name": "pypi",
                "url": "https://pypi.org/simple",
                "verify_ssl": true
            }
        ]
    },
    "default": {
        "requests": {
            "extras": [
                "socks"
            ],
            "hashes": [
                "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                "sha256:2222222222222222222222222222222222222222222222222222222222222222"
            ],
            "index": "pypi",
            "version": "==2.31.0"
        },
        "urllib3": {
            "hashes": [
                "sha256:3333333333333333333333333333333333333333333333333333333333333333",
                "sha256:4444444444444444444444444444444444444444444444444444444444444444"
            ],
            "index": "pypi",
            "version": "==2.0.7"
        }
    },
    "develop": {
        "iniconfig": {
            "hashes": [
                "sha256:6666666666666666666666666666666666666666666666666666666666666666"
            ],
            "index": "pypi",
            "version": "==2.0.0"
        },
        "pytest": {
            "hashes": [
                "sha256:5555555555555555555555555555555555555555555555555555555555555555"
            ],
            "index": "pypi",
            "markers": "sys_platform == 'linux'",
            "version": "==8.0.0"
        },
        "urllib3": {
            "hashes": [
                "sha256:3333333333333333333333333333333333333333333333333333333333333333",
                "sha256:4444444444444444444444444444444444444444444444444444444444444444"
            ],
            "index": "pypi",
            "version": "==2.0.7"
        }
    }
}
"""

# Pipfiles whose hash Pipenv computes differently than a naive reading would: no source
# (Pipenv assumes PyPI), names in other spellings, custom categories, sections Pipenv
# leaves out of the hash ([scripts], [pipenv]), environment references, nested tables
# and non-ASCII text.
PIPFILES = {
    "plain": PIPFILE,
    "no-source": """\
[packages]
Requests = {version = ">=2.31", extras = ["socks"]}
my_pkg = "*"

[dev-packages]
PyTest = "*"

[docs]
Sphinx = "*"
sphinx_rtd_theme = {version = "*", markers = "python_version >= '3.9'"}

[requires]
python_version = "3.12"
python_full_version = "3.12.1"
""",
    "sources": """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "https://${TOKEN}@download.example.com/whl/cu121/"
verify_ssl = false
name = "download.example.com"

[packages]
torch = {version = "==2.1.0", index = "download.example.com"}
numpy = {version = "*", extras = ["b", "a"], editable = false}

[scripts]
serve = "python -m http.server"

[pipenv]
allow_prereleases = true
""",
    "empty": "[packages]\n",
    "unicode": """\
[[source]]
name = "pypi"
url = "https://pypi.org/simple"
verify_ssl = true

[tools]
"Zope.Interface" = {version = "*", markers = "platform_machine != 'zażółć'"}
""",
}


def test_exact_output_for_a_small_stack(tmp_path: Path) -> None:
    assert pipfile_lock_text(pipfile_project(tmp_path), small_stack(), StubTarget()) == EXPECTED


def test_same_inputs_give_identical_bytes_whatever_the_stack_order(tmp_path: Path) -> None:
    project = pipfile_project(tmp_path)
    stack = small_stack()
    shuffled = Stack(tuple(reversed(stack.packages)), tuple(reversed(stack.edges)))
    assert pipfile_lock_text(project, shuffled, StubTarget()) == pipfile_lock_text(
        project, stack, StubTarget()
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("plain", "4290cd017fcfa9c01870c0ba3a97f4b73bb57e060f8308fcfa2d14df862ff8e0"),
        ("no-source", "5dd059d52a90aec80cd23f84d031d085b4bd209449c171c5a11211cabdf2b458"),
        ("sources", "b837fcaae58f1a9e420514c41221beb199557d2b099269a5c57eef7a15fed1fe"),
        ("empty", "ebffa69a1fa192d1cef7cb42ad79231ca976565c5ce371a70160b3048d3cbc06"),
        ("unicode", "36440ff39626b6f1b7098fbf60fe26abf62bf551d2c53fb804eefe3963ffa885"),
    ],
)
def test_hash_of_known_pipfiles(tmp_path: Path, name: str, expected: str) -> None:
    # Values Pipenv 2026.10.3 computed for these files (test_hash_and_meta_match_pipenv checks the newest).
    path = tmp_path / "Pipfile"
    path.write_text(PIPFILES[name], encoding="utf-8")
    assert pipfile_hash(pipfile_data(path), path=path) == expected


def test_hash_ignores_the_spelling_of_names(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text('[packages]\nRequests = "*"\nmy_pkg = "*"\n', encoding="utf-8")
    second.write_text('[packages]\nrequests = "*"\n"My.Pkg" = "*"\n', encoding="utf-8")
    assert pipfile_hash(pipfile_data(first), path=first) == pipfile_hash(pipfile_data(second), path=second)


def test_categories_of_the_pipfile_get_sections_even_when_empty(tmp_path: Path) -> None:
    project = pipfile_project(tmp_path, PIPFILE + '\n[docs]\nsphinx = "*"\n')
    data = pipfile_lock_data(project, small_stack())
    assert list(data) == ["_meta", "default", "develop", "docs"]
    assert data["docs"] == {}


def test_tables_that_are_not_categories_get_no_section(tmp_path: Path) -> None:
    text = PIPFILE + '\n[scripts]\nserve = "python -m http.server"\n\n[pipenv]\nallow_prereleases = false\n'
    data = pipfile_lock_data(pipfile_project(tmp_path, text), small_stack())
    assert list(data) == ["_meta", "default", "develop"]


def test_custom_category_packages_go_to_their_section(tmp_path: Path) -> None:
    docs = Group(GroupKind.GROUP, "docs")
    stack = Stack(
        (pinned("Sphinx", "7.2.6", (dist("sphinx-7.2.6-py3-none-any.whl", "7"),), groups=frozenset({docs})),),
        (),
    )
    data = pipfile_lock_data(pipfile_project(tmp_path, PIPFILE + '\n[docs]\nSphinx = "*"\n'), stack)
    assert data["docs"] == {
        "sphinx": {"hashes": ["sha256:" + "7" * 64], "index": "pypi", "version": "==7.2.6"},
    }
    assert data["default"] == {}


def test_lock_keys_keep_dots_as_pipenv_does(tmp_path: Path) -> None:
    stack = Stack((pinned("zope.interface", "6.1", (dist("zope.interface-6.1.tar.gz", "8"),)),), ())
    assert list(pipfile_lock_data(pipfile_project(tmp_path), stack)["default"]) == ["zope.interface"]


def test_source_credentials_are_never_written_but_environment_references_are(tmp_path: Path) -> None:
    text = (
        '[[source]]\nname = "private"\nurl = "https://alice:s3cret@pkgs.example.com/simple"\n\n'
        '[[source]]\nname = "mirror"\nurl = "https://${USER}:${PASSWORD}@mirror.example.com/simple"\n\n'
        '[packages]\nrequests = "*"\n'
    )
    project = pipfile_project(tmp_path, text, sources=())
    lock_text = pipfile_lock_text(project, Stack((), ()), StubTarget())
    assert "s3cret" not in lock_text and "alice" not in lock_text
    sources = json.loads(lock_text)["_meta"]["sources"]
    assert sources == [
        {"name": "private", "url": "https://pkgs.example.com/simple", "verify_ssl": True},
        {
            "name": "mirror",
            "url": "https://${USER}:${PASSWORD}@mirror.example.com/simple",
            "verify_ssl": True,
        },
    ]


def test_an_index_the_pipfile_does_not_name_is_added_to_the_sources(tmp_path: Path) -> None:
    extra = IndexSpec("download.pytorch.org", "https://download.pytorch.org/whl/cu121/")
    stack = Stack(
        (
            pinned(
                "torch",
                "2.1.0",
                (dist("torch-2.1.0-cp312-cp312-linux_x86_64.whl", "9", index=extra),),
                index=extra,
            ),
            pinned("requests", "2.31.0", (dist("requests-2.31.0-py3-none-any.whl", "1"),)),
        ),
        (),
    )
    data = pipfile_lock_data(pipfile_project(tmp_path), stack)
    assert data["_meta"]["sources"] == [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
        {
            "name": "download.pytorch.org",
            "url": "https://download.pytorch.org/whl/cu121/",
            "verify_ssl": True,
        },
    ]
    assert data["default"]["torch"]["index"] == "download.pytorch.org"


def test_only_a_pipfile_gets_a_pipfile_lock(tmp_path: Path) -> None:
    project = pyproject_project(tmp_path)
    with pytest.raises(UsageError) as caught:
        pipfile_lock_text(project, small_stack(), StubTarget())
    assert str(caught.value) == (
        f"a Pipfile.lock records a Pipfile's hash, and {project.manifest} is not a Pipfile\n"
        "  fix: use --lock-format pylock.toml or --lock-format requirements.txt"
    )
    assert caught.value.exit_code is ExitCode.USAGE


def test_a_package_table_that_is_not_a_table_is_a_manifest_error(tmp_path: Path) -> None:
    project = pipfile_project(tmp_path, 'docs = "sphinx"\n\n[packages]\nrequests = "*"\n')
    with pytest.raises(ManifestError) as caught:
        pipfile_lock_text(project, small_stack(), StubTarget())
    assert str(caught.value) == (
        f"{project.manifest} [docs]: expected a table of packages: 'sphinx'\n"
        '  fix: write [docs] as a table, e.g. requests = "*"'
    )


def test_round_trip(tmp_path: Path) -> None:
    lock = read_pipfile_lock(
        tmp_path / "Pipfile.lock", pipfile_lock_text(pipfile_project(tmp_path), small_stack(), StubTarget())
    )
    assert lock.pipfile_hash == "4290cd017fcfa9c01870c0ba3a97f4b73bb57e060f8308fcfa2d14df862ff8e0"
    assert lock.index_urls == ("https://pypi.org/simple",)
    assert lock.pins() == {
        "iniconfig": Version("2.0.0"),
        "pytest": Version("8.0.0"),
        "requests": Version("2.31.0"),
        "urllib3": Version("2.0.7"),
    }
    summary = {p.name: (p.groups, p.extras, p.marker, p.hashes, p.index_url, p.direct) for p in lock.packages}
    assert summary == {
        "iniconfig": (
            frozenset({DEVELOP}),
            frozenset(),
            None,
            ("sha256:" + "6" * 64,),
            "https://pypi.org/simple",
            None,
        ),
        "pytest": (
            frozenset({DEVELOP}),
            frozenset(),
            "sys_platform == 'linux'",
            ("sha256:" + "5" * 64,),
            "https://pypi.org/simple",
            None,
        ),
        "requests": (
            frozenset({MAIN}),
            frozenset({"socks"}),
            None,
            ("sha256:" + "1" * 64, "sha256:" + "2" * 64),
            "https://pypi.org/simple",
            None,
        ),
        "urllib3": (
            frozenset({MAIN, DEVELOP}),
            frozenset(),
            None,
            ("sha256:" + "3" * 64, "sha256:" + "4" * 64),
            "https://pypi.org/simple",
            None,
        ),
    }


_FIX = "  fix: write the lock again with `thoth advise --lock-format Pipfile.lock` (or `pipenv lock`)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "_meta": {},\n  "default": {\n}',
            f"Pipfile.lock:4: invalid JSON: Expecting ',' delimiter\n{_FIX}",
        ),
        ("[]", f"Pipfile.lock: expected a JSON object: []\n{_FIX}"),
        (
            '{"_meta": {"sources": {}}}',
            f"Pipfile.lock [_meta.sources]: expected a list of sources: {{}}\n{_FIX}",
        ),
        (
            '{"_meta": {"sources": [{"name": "pypi"}]}}',
            f'Pipfile.lock [_meta.sources[0]]: expected an object with a url: {{"name": "pypi"}}\n{_FIX}',
        ),
        ('{"default": []}', f"Pipfile.lock [default]: expected an object of packages: []\n{_FIX}"),
        (
            '{"default": {"requests": {"version": "2.31.0"}}}',
            "Pipfile.lock [default.requests.version]: expected an exact pin such as '==2.31.0': '2.31.0'\n"
            + _FIX,
        ),
        (
            '{"default": {"requests": {"version": "==two"}}}',
            f"Pipfile.lock [default.requests.version]: not a valid version: '==two'\n{_FIX}",
        ),
        (
            '{"develop": {"pytest": {"version": "==8.0.0", "hashes": "sha256:ab"}}}',
            "Pipfile.lock [develop.pytest.hashes]: expected a list of 'sha256:<digest>' strings: "
            f"'sha256:ab'\n{_FIX}",
        ),
    ],
)
def test_malformed_lock_names_file_and_key(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_pipfile_lock(Path("Pipfile.lock"), text)
    assert str(caught.value) == message
    assert caught.value.exit_code is ExitCode.INVALID_INPUT


def test_reads_a_lock_pipenv_wrote_with_vcs_entries() -> None:
    text = json.dumps(
        {
            "_meta": {"hash": {"sha256": "ab"}, "pipfile-spec": 6, "requires": {}, "sources": []},
            "default": {
                "mylib": {"git": "https://github.com/me/mylib.git", "ref": "0123abc"},
                "six": {"hashes": ["sha256:CD"], "version": "==1.16.0", "markers": "python_version >= '2.7'"},
            },
            "develop": {},
        }
    )
    lock = read_pipfile_lock(Path("Pipfile.lock"), text)
    assert [(p.name, p.version, p.hashes, p.index_url) for p in lock.packages] == [
        ("mylib", None, (), None),
        ("six", Version("1.16.0"), ("sha256:CD",), None),
    ]
    assert lock.pins() == {"six": Version("1.16.0")}


# With a real Pipenv -------------------------------------------------------------------------

_PIPENV_HASH = """\
import json, os, sys
from pipenv.project import Project
out = {}
for path in sys.argv[1:]:
    os.environ["PIPENV_PIPFILE"] = path
    project = Project(chdir=False)
    if hasattr(project, "calculate_pipfile_hash"):
        digest, meta = project.calculate_pipfile_hash(), project.get_lockfile_meta()
    else:
        digest, meta = project.pipfile.calculate_hash(), project.lockfile.meta()
    out[path] = {"hash": digest, "meta": json.loads(json.dumps(meta))}
print(json.dumps(out))
"""


def _run_pipenv(python: Path, pipfile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # Pipenv reads pip's configuration for default sources; the machine's must not leak in.
    env = {key: value for key, value in pip_env().items() if not key.startswith("PIPENV_")}
    env["PIPENV_PIPFILE"] = str(pipfile)
    env["PIPENV_YES"] = "1"
    return subprocess.run(
        [str(python), *arguments], env=env, cwd=pipfile.parent, capture_output=True, text=True, check=False
    )


def test_hash_and_meta_match_pipenv(tmp_path: Path, pipenv: Path) -> None:
    paths = []
    for name, text in PIPFILES.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Pipfile").write_text(text, encoding="utf-8")
        paths.append(folder / "Pipfile")
    script = tmp_path / "pipenv_hash.py"
    script.write_text(_PIPENV_HASH, encoding="utf-8")
    result = _run_pipenv(pipenv, paths[0], str(script), *map(str, paths))
    assert result.returncode == 0, result.stderr
    theirs = json.loads(result.stdout)
    for path in paths:
        ours = pipfile_lock_data(
            pipfile_project(path.parent, path.read_text(encoding="utf-8")), Stack((), ())
        )
        assert ours["_meta"]["hash"]["sha256"] == theirs[str(path)]["hash"], path.parent.name
        assert ours["_meta"] == theirs[str(path)]["meta"], path.parent.name


def test_pipenv_verifies_and_reads_the_written_lock(tmp_path: Path, pipenv: Path) -> None:
    project = pipfile_project(tmp_path)
    (tmp_path / "Pipfile.lock").write_text(
        pipfile_lock_text(project, small_stack(), StubTarget()), encoding="utf-8"
    )
    verified = _run_pipenv(pipenv, project.manifest, "-m", "pipenv", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "up-to-date" in verified.stdout + verified.stderr
    listed = _run_pipenv(pipenv, project.manifest, "-m", "pipenv", "requirements", "--dev", "--hash")
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.splitlines()) == sorted(
        [
            "-i https://pypi.org/simple",
            f"iniconfig==2.0.0 --hash=sha256:{'6' * 64}",
            f"pytest==8.0.0; sys_platform == 'linux' --hash=sha256:{'5' * 64}",
            f"urllib3==2.0.7 --hash=sha256:{'3' * 64} --hash=sha256:{'4' * 64}",
            f"requests[socks]==2.31.0 --hash=sha256:{'1' * 64} --hash=sha256:{'2' * 64}",
        ]
    )


def test_pipenv_sees_a_changed_pipfile_as_out_of_date(tmp_path: Path, pipenv: Path) -> None:
    project = pipfile_project(tmp_path)
    (tmp_path / "Pipfile.lock").write_text(
        pipfile_lock_text(project, small_stack(), StubTarget()), encoding="utf-8"
    )
    project.manifest.write_text(PIPFILE + '\n[docs]\nsphinx = "*"\n', encoding="utf-8")
    verified = _run_pipenv(pipenv, project.manifest, "-m", "pipenv", "verify")
    assert verified.returncode == 1
    assert "out-of-date" in verified.stdout + verified.stderr


def test_a_source_the_pipfile_names_is_not_repeated(tmp_path: Path) -> None:
    stack = Stack(
        (pinned("requests", "2.31.0", (dist("requests-2.31.0-py3-none-any.whl", "1"),), index=PYPI),), ()
    )
    project = pipfile_project(tmp_path, '[packages]\nrequests = "*"\n', sources=(Source("pypi", PYPI.url),))
    data = pipfile_lock_data(project, stack)
    assert data["_meta"]["sources"] == [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
    ]
