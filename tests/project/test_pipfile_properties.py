"""Property tests: any Pipfile, plausible, implausible or mangled, reads into a Project or a ThothError."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoth_cli.errors import ThothError
from thoth_cli.project.model import Project
from thoth_cli.project.pipfile import PipfileReader
from thoth_cli.project.pipfile_entries import MARKER_KEYS, PACKAGE_KEYS

DATA = Path(__file__).parent / "data" / "pipfile"
SAMPLES = sorted(DATA.glob("*/Pipfile"))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Module-scoped so Hypothesis can reuse it across examples; each example overwrites the file.
    yield tmp_path_factory.mktemp("pipfile-properties")


def read_bytes(folder: Path, content: bytes) -> Project | ThothError:
    path = folder / "Pipfile"
    path.write_bytes(content)
    try:
        return PipfileReader().read(path)
    except ThothError as exc:
        return exc


# --- strategies --------------------------------------------------------------------------------

names = st.one_of(
    st.sampled_from(
        ["requests", "Django", "zope.interface", "ruamel.yaml", "typing_extensions", "requests[socks]"]
    ),
    st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,12}", fullmatch=True),
    st.text(max_size=12),
)
versions = st.one_of(
    st.sampled_from(
        ["*", "", "==*", ">=1.0", "==1.2", "1.2", "~=2.0", "(>=1)", ">=1,<2", "1.0.*", "latest", "=>1"]
    ),
    st.text(max_size=12),
)
markers = st.one_of(
    st.sampled_from(
        ["sys_platform == 'win32'", "python_version < '3.12'", "os_name = nt", "", "extra == 'x'"]
    ),
    st.text(max_size=20),
)
urls = st.one_of(
    st.sampled_from(
        [
            "https://github.com/a/b.git",
            "git+https://github.com/a/b.git@v1#subdirectory=x",
            "git@github.com:a/b.git",
            "./libs/x",
            "../x",
            "/abs/x",
            "file:///abs/x.whl",
            "https://host/x-1.0.tar.gz",
            "http://[::1",
            "",
        ]
    ),
    st.text(max_size=20),
)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.dates(),
    st.just(datetime.time(12, 30)),
)
implausible = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2)
)

plausible_value: dict[str, st.SearchStrategy[Any]] = {
    "version": versions,
    "extras": st.lists(st.sampled_from(["socks", "security", "s3", "bad extra", ""]), max_size=3),
    "markers": markers,
    "index": st.sampled_from(["pypi", "internal", "nowhere"]),
    "editable": st.booleans(),
    "git": urls,
    "hg": urls,
    "ref": st.sampled_from(["main", "v1.0", ""]),
    "subdirectory": st.sampled_from(["pkg", "a/b"]),
    "path": urls,
    "file": urls,
    "hashes": st.lists(st.sampled_from(["sha256:" + "a" * 64, "md5:zz", "nope"]), max_size=2),
    "allow_prereleases": st.booleans(),
    **{key: st.sampled_from(["== 'win32'", "< '3.12'", "win32", ""]) for key in MARKER_KEYS},
}


def rarely(draw: st.DrawFn) -> bool:
    """True about one time in eight: most documents stay plausible so that reading goes deep."""
    # Not 0: Hypothesis favours the smallest draw, which would make "rarely" the common case.
    return draw(st.integers(min_value=0, max_value=7)) == 7


@st.composite
def package_tables(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(PACKAGE_KEYS), max_size=4, unique=True))
    table = {
        key: draw(implausible if rarely(draw) else plausible_value.get(key, implausible)) for key in keys
    }
    if rarely(draw):
        table[draw(st.sampled_from(["versoin", "extra", "marker", "sys_platfrom", "url"]))] = "*"
    return table


@st.composite
def entries(draw: st.DrawFn) -> object:
    if rarely(draw):
        return draw(implausible)
    return draw(st.one_of(versions, urls.map(lambda url: f"git+{url}"), package_tables()))


@st.composite
def sources(draw: st.DrawFn) -> dict[str, Any]:
    source: dict[str, Any] = {
        "url": draw(st.sampled_from(["https://pypi.org/simple", "http://x:3141/simple"]))
    }
    if draw(st.booleans()):
        source["name"] = draw(st.sampled_from(["pypi", "internal", "mirror"]))
    if draw(st.booleans()):
        source["verify_ssl"] = draw(st.one_of(st.booleans(), st.sampled_from(["true", "False"])))
    if rarely(draw):
        key = draw(st.sampled_from(["url", "name", "verify_ssl", "verfy_ssl"]))
        source[key] = draw(st.one_of(urls, implausible))
    return source


package_sections = st.dictionaries(names, entries(), max_size=5)
plausible_sections: dict[str, st.SearchStrategy[Any]] = {
    "source": st.lists(sources(), max_size=3),
    "packages": package_sections,
    "dev-packages": package_sections,
    "docs": package_sections,
    "requires": st.fixed_dictionaries(
        {},
        optional={
            "python_version": st.sampled_from(["3.11", "3", "*", ">=3.6", "3.11rc1", "3.11.*"]),
            "python_full_version": st.sampled_from(["3.11.4", "3.10.2", "3.11.*"]),
        },
    ),
    "pipenv": st.fixed_dictionaries(
        {}, optional={"allow_prereleases": st.booleans(), "sort_pipfile": scalars}
    ),
    "thoth": st.fixed_dictionaries(
        {}, optional={"allow_prereleases": st.dictionaries(names, st.booleans(), max_size=2)}
    ),
    "scripts": st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=2),
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible Pipfile, now and then with one section or key replaced by something implausible."""
    present = draw(st.lists(st.sampled_from(sorted(plausible_sections)), unique=True))
    document = {key: draw(plausible_sections[key]) for key in present}
    if rarely(draw):
        document[draw(st.sampled_from([*plausible_sections, "python_versoin"]))] = draw(implausible)
    if rarely(draw) and isinstance(document.get("requires"), dict):
        document["requires"][draw(st.sampled_from(["python_version", "python_versoin"]))] = draw(implausible)
    return document


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """A sample Pipfile with a few bytes deleted, replaced, inserted or a slice duplicated."""
    content = bytearray(draw(st.sampled_from(SAMPLES)).read_bytes())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=max(len(content) - 1, 0)))
        operation = draw(st.sampled_from(["delete", "replace", "insert", "duplicate"]))
        if operation == "delete":
            del content[at : at + draw(st.integers(min_value=1, max_value=8))]
        elif operation == "replace" and content:
            content[at] = draw(st.sampled_from(b"\"'[]{}=,.#\n\r\\ \x00\xff*<>@:"))
        elif operation == "insert":
            content[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            content[at:at] = content[at : at + draw(st.integers(min_value=1, max_value=40))]
    return bytes(content)


# --- properties --------------------------------------------------------------------------------


def test_the_samples_are_there() -> None:
    assert {path.parent.name for path in SAMPLES} >= {"simple", "large", "odd-keys", "crlf", "bom"}


@SETTINGS
@given(document=documents())
def test_generated_pipfiles_read_or_raise_a_thoth_error(workdir: Path, document: dict[str, Any]) -> None:
    result = read_bytes(workdir, tomli_w.dumps(document).encode())
    assert isinstance(result, (Project, ThothError))
    if isinstance(result, Project):
        # What was read keeps the file's shape: one requirement per entry of each category.
        expected = sum(
            len(value)
            for key, value in document.items()
            if key not in {"source", "requires", "pipenv", "thoth", "scripts"}
        )
        assert len(result.requirements) == expected


@SETTINGS
@given(content=mutations())
def test_mutated_samples_read_or_raise_a_thoth_error(workdir: Path, content: bytes) -> None:
    result = read_bytes(workdir, content)
    assert isinstance(result, (Project, ThothError))
    if isinstance(result, ThothError):
        assert str(result).startswith(str(workdir / "Pipfile"))
