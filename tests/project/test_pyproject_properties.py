"""Property tests: any pyproject.toml, plausible or mangled, reads into a Project or a ThothError;
and Poetry constraints combine (`,` and `||`) exactly as their parts do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import Version

from thoth_cli.errors import Location, ManifestError, ThothError
from thoth_cli.project.model import Project
from thoth_cli.project.poetry_constraints import poetry_specifier
from thoth_cli.project.pyproject import PyprojectReader

DATA = Path(__file__).parent / "data" / "pyproject"
SAMPLES = sorted(DATA.glob("*/pyproject.toml"))
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HERE = Location(Path("pyproject.toml"), line=1, key="tool.poetry.dependencies.x")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Module-scoped so Hypothesis can reuse it across examples; each example overwrites the file.
    yield tmp_path_factory.mktemp("pyproject-properties")


def read_bytes(folder: Path, content: bytes) -> Project | ThothError:
    path = folder / "pyproject.toml"
    path.write_bytes(content)
    try:
        return PyprojectReader().read(path)
    except ThothError as exc:
        return exc


def check(result: Project | ThothError) -> None:
    """What every successful read promises; a ThothError is an acceptable answer."""
    if isinstance(result, ThothError):
        assert str(result)
        return
    names = {source.name for source in result.sources}
    for requirement in result.requirements:
        assert requirement.name == canonicalize_name(requirement.display_name)
        assert requirement.index is None or requirement.index in names
        assert requirement.url is None or not requirement.specifier
        str(requirement)  # renders without error


# --- strategies --------------------------------------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.one_of(st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, allow_infinity=False), text)
names = st.one_of(
    st.sampled_from(
        ["requests", "Django", "ruamel.yaml", "dev", "Test", "test", "all", "x", "pypi", "python"]
    ),
    st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,8}", fullmatch=True),
    text,
)
constraints = st.one_of(
    st.sampled_from(
        [
            "^1.2",
            "~1.2.3",
            "~=1.2",
            "*",
            "1.2.*",
            ">=1,<2",
            "^1.2 || ^3.0",
            ">2.7,<2.8 || >=3.4",
            ">>1",
            "",
            "dev",
        ]
    ),
    text,
)
requirements = st.one_of(
    st.sampled_from(
        ["requests", "requests>=2", "x[y]; python_version < '3'", "bad >>", "x[all]", "name @ file:///x"]
    ),
    text,
)
poetry_tables = st.dictionaries(
    st.sampled_from(
        [
            "version",
            "python",
            "platform",
            "markers",
            "extras",
            "optional",
            "develop",
            "allow-prereleases",
            "git",
            "branch",
            "tag",
            "rev",
            "path",
            "url",
            "subdirectory",
            "source",
            "junk",
        ]
    ),
    st.one_of(scalars, constraints, st.lists(text, max_size=2)),
    max_size=4,
)
poetry_values = st.one_of(
    constraints, poetry_tables, st.lists(st.one_of(constraints, poetry_tables), max_size=3), scalars
)
poetry_dependencies = st.one_of(st.dictionaries(names, poetry_values, max_size=4), scalars)
documents = st.fixed_dictionaries(
    {},
    optional={
        "project": st.one_of(
            scalars,
            st.fixed_dictionaries(
                {},
                optional={
                    "name": st.one_of(names, scalars),
                    "version": st.one_of(text, scalars),
                    "requires-python": st.one_of(constraints, scalars),
                    "dependencies": st.one_of(
                        st.lists(st.one_of(requirements, scalars), max_size=4), scalars
                    ),
                    "optional-dependencies": st.one_of(
                        st.dictionaries(
                            names, st.one_of(st.lists(requirements, max_size=3), scalars), max_size=3
                        ),
                        scalars,
                    ),
                    "dynamic": st.one_of(
                        st.lists(
                            st.sampled_from(["dependencies", "optional-dependencies", "version"]), max_size=2
                        ),
                        scalars,
                    ),
                },
            ),
        ),
        "dependency-groups": st.one_of(
            st.dictionaries(
                names,
                st.one_of(
                    st.lists(
                        st.one_of(
                            requirements, st.fixed_dictionaries({"include-group": names}), poetry_tables
                        ),
                        max_size=3,
                    ),
                    scalars,
                ),
                max_size=4,
            ),
            scalars,
        ),
        "tool": st.fixed_dictionaries(
            {},
            optional={
                "poetry": st.one_of(
                    scalars,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "name": st.one_of(names, scalars),
                            "dependencies": poetry_dependencies,
                            "dev-dependencies": poetry_dependencies,
                            "group": st.dictionaries(
                                names,
                                st.fixed_dictionaries(
                                    {},
                                    optional={
                                        "dependencies": poetry_dependencies,
                                        "include-groups": st.one_of(st.lists(names, max_size=2), scalars),
                                        "optional": scalars,
                                    },
                                ),
                                max_size=3,
                            ),
                            "extras": st.one_of(
                                st.dictionaries(names, st.lists(names, max_size=2), max_size=2), scalars
                            ),
                            "source": st.one_of(
                                st.lists(
                                    st.fixed_dictionaries(
                                        {},
                                        optional={
                                            "name": names,
                                            "url": st.one_of(text, scalars),
                                            "priority": st.one_of(
                                                st.sampled_from(
                                                    ["primary", "supplemental", "explicit", "default"]
                                                ),
                                                scalars,
                                            ),
                                        },
                                    ),
                                    max_size=3,
                                ),
                                scalars,
                            ),
                        },
                    ),
                ),
            },
        ),
    },
)


@SETTINGS
@given(document=documents)
def test_generated_documents_read_or_fail_cleanly(workdir: Path, document: dict[str, Any]) -> None:
    check(read_bytes(workdir, tomli_w.dumps(document).encode("utf-8")))


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    content = bytearray(draw(st.sampled_from(SAMPLES)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate-line"]))
        if action == "delete":
            del content[position : position + draw(st.integers(1, 12))]
        elif action == "insert":
            content[position:position] = draw(st.binary(min_size=1, max_size=6))
        elif action == "replace" and position < len(content):
            content[position] = draw(st.integers(0, 255))
        else:
            start = content.rfind(b"\n", 0, position) + 1
            end = content.find(b"\n", position)
            end = len(content) if end < 0 else end + 1
            content[end:end] = content[start:end]
    return bytes(content)


@SETTINGS
@given(content=mutated_samples())
def test_mutated_sample_files_read_or_fail_cleanly(workdir: Path, content: bytes) -> None:
    check(read_bytes(workdir, content))


def test_every_sample_reads(workdir: Path) -> None:
    for sample in SAMPLES:
        result = read_bytes(workdir, sample.read_bytes())
        assert isinstance(result, Project), f"{sample}: {result}"


# --- constraint algebra ----------------------------------------------------------------------

releases = st.lists(st.integers(0, 3), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts)))
atoms = st.one_of(
    st.builds(
        lambda op, v: op + v,
        st.sampled_from(["", "==", "!=", ">", ">=", "<", "<=", "^", "~", "~="]),
        releases,
    ),
    st.builds(lambda op, v: f"{op}{v}.*", st.sampled_from(["", "==", "!="]), releases),
)
alternatives = st.lists(atoms, min_size=1, max_size=3)
unions = st.lists(alternatives, min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(union=unions, probes=st.lists(releases, min_size=1, max_size=12))
def test_lists_and_unions_allow_exactly_what_their_parts_allow(
    union: list[list[str]], probes: list[str]
) -> None:
    written = " || ".join(",".join(alternative) for alternative in union)
    try:
        combined = poetry_specifier(written, location=HERE)
    except ManifestError:
        return  # an empty or unrepresentable union is refused; other tests pin those messages down
    parts = [[poetry_specifier(atom, location=HERE) for atom in alternative] for alternative in union]
    for probe in probes:
        version = Version(probe)
        expected = any(all(part.contains(version) for part in alternative) for alternative in parts)
        assert combined.contains(version) == expected, (written, str(combined), probe)


@SETTINGS
@given(written=text)
def test_any_text_as_a_constraint_translates_or_is_refused(written: str) -> None:
    try:
        result = poetry_specifier(written, location=HERE)
    except ManifestError as exc:
        assert exc.location == HERE
        return
    assert str(result) == str(type(result)(str(result)))
