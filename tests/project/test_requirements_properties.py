"""Property tests: any requirements file reads into a Project or fails with a ThothError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from thoth_cli.errors import ThothError
from thoth_cli.project.model import Project
from thoth_cli.project.requirements import RequirementsReader

DATA = Path(__file__).parent / "data" / "requirements"
ENVIRON = {"SET": "1.0", "TOKEN": "s3cret"}
SHA = "0123456789abcdef" * 4

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}([-_.][A-Za-z0-9]{1,4})?", fullmatch=True)
versions = st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)
specifiers = st.one_of(
    st.just(""),
    st.builds(lambda op, v: f"{op}{v}", st.sampled_from(["==", ">=", "<", "~=", "!=", "<="]), versions),
)
markers = st.sampled_from(
    ["", ' ; python_version >= "3.9"', "; sys_platform == 'linux'", ' ; os_name != "nt" and extra == "x"']
)
extras = st.sampled_from(["", "[socks]", "[a,b]"])
named_requirements = st.builds(lambda n, e, s, m: (n, f"{n}{e}{s}{m}"), names, extras, specifiers, markers)
valid_requirements = named_requirements.map(lambda pair: pair[1])

option_lines = st.sampled_from(
    [
        "-r other.txt",
        "-r missing.txt",
        "-r requirements.txt",
        "-c pins.txt",
        "--constraint=pins.txt",
        "-r pkg",
        "-r https://example.com/r.txt",
        "-i https://pkgs.example.com/simple",
        "-i https://other.example.com/simple",
        "--extra-index-url https://${TOKEN}@pkgs.example.com/simple",
        "--index-url ${UNSET}",
        "--pre",
        "--all-releases :all:",
        "--only-final x",
        "--no-index",
        "--find-links ./wheels",
        "--trusted-host pkgs.example.com",
        "--no-binary :all:",
        "--prefer-binary",
        "--require-hashes",
        "--use-feature fast-deps",
        f"--hash=sha256:{SHA}",
        "-e ./pkg",
        "-e ./pkg[dev]",
        "-e .",
        "-e git+https://github.com/a/b.git#egg=bee",
        "-e git+https://github.com/a/b.git",
        '-e "thing @ git+https://github.com/a/t.git"',
        "-e",
        "--",
        "-x",
        "--p",
        "-r 'unclosed",
    ]
)
requirement_lines = st.one_of(
    valid_requirements,
    st.builds(lambda r: f"{r} --hash=sha256:{SHA}", valid_requirements),
    st.builds(lambda r: f"{r} \\", valid_requirements),
    st.sampled_from(
        [
            "pkg==${SET}",
            "pkg==${UNSET}",
            "./pkg",
            "./pkg[dev]",
            "./missing",
            "name @ ./vendor/x.whl",
            "name @ https://example.com/x-1.0.tar.gz",
            "https://example.com/tool_kit-1.0-py3-none-any.whl",
            "https://example.com/bad.whl",
            "https://example.com/thing-2.0.tar.gz ; python_version < '3'",
            "https://[::1/x.tar.gz",
            "git+https://github.com/a/b.git@v1#egg=bee",
            "git+https://github.com/a/b.git#egg=no good",
            "file:./pkg",
            "requests = 2",
            "flask --pre",
            "flask --hash=md5:abc",
            "a b c",
            "-",
            "\\",
        ]
    ),
)
noise = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=0, max_size=30
)
lines = st.one_of(
    requirement_lines,
    option_lines,
    st.sampled_from(["", "   ", "# comment", "  # via -r requirements.in", "\t#\ttab comment", "\\"]),
    noise,
)
endings = st.sampled_from(["\n", "\r\n", "\r"])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("requirements-properties")
    (root / "pkg").mkdir()
    (root / "pkg" / "pyproject.toml").write_text('[project]\nname = "local-pkg"\n', encoding="utf-8")
    yield root


def outcome(path: Path) -> Project | ThothError:
    try:
        return RequirementsReader(ENVIRON).read(path)
    except ThothError as error:
        return error


def check(outcome: Project | ThothError) -> None:
    if isinstance(outcome, ThothError):
        assert str(outcome)
        assert "s3cret" not in str(outcome)
        return
    for requirement in (*outcome.requirements, *outcome.constraints):
        assert requirement.origin is not None and requirement.origin.line is not None
    assert all("s3cret" not in note for note in outcome.notes)


@SETTINGS
@given(
    main=st.lists(lines, max_size=12),
    other=st.lists(lines, max_size=5),
    pins=st.lists(lines, max_size=5),
    ending=endings,
)
def test_random_files_read_or_fail_cleanly(
    workdir: Path, main: list[str], other: list[str], pins: list[str], ending: str
) -> None:
    (workdir / "other.txt").write_text(ending.join(other), encoding="utf-8", newline="")
    (workdir / "pins.txt").write_text(ending.join(pins), encoding="utf-8", newline="")
    path = workdir / "requirements.txt"
    path.write_text(ending.join(main), encoding="utf-8", newline="")
    check(outcome(path))


MUTATION_SOURCES = [
    DATA / "small" / "requirements.in",
    DATA / "pip-compile" / "requirements.txt",
    DATA / "uv" / "requirements.txt",
    DATA / "nested" / "requirements.txt",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(MUTATION_SOURCES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if kind == "insert":
            text = (
                text[:position]
                + draw(st.one_of(noise, st.sampled_from(["\\", "#", "\n", " -", "${X}", "@"])))
                + text[position:]
            )
        elif kind == "delete":
            text = text[:position] + text[position + draw(st.integers(min_value=1, max_value=40)) :]
        elif kind == "replace" and position < len(text):
            text = text[:position] + draw(st.characters(exclude_categories=["Cs"])) + text[position + 1 :]
        else:
            text = text[:position] + text[position : position + 60] + text[position:]
    return text


@SETTINGS
@given(text=mutated())
def test_mutated_real_files_read_or_fail_cleanly(workdir: Path, text: str) -> None:
    path = workdir / "mutated.txt"
    path.write_text(text, encoding="utf-8", newline="")
    check(outcome(path))


@SETTINGS
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]),
    body=st.binary(max_size=60),
)
def test_random_bytes_read_or_fail_cleanly(workdir: Path, prefix: bytes, body: bytes) -> None:
    path = workdir / "bytes.txt"
    path.write_bytes(prefix + body)
    check(outcome(path))


@SETTINGS
@given(
    entries=st.lists(
        st.tuples(named_requirements, st.sampled_from(["", "  # why", " \\\n    --hash=sha256:" + SHA])),
        min_size=1,
        max_size=10,
    ),
    blank_lines=st.lists(st.sampled_from(["", "# comment", "    # via x"]), max_size=10),
    ending=endings,
)
def test_valid_files_keep_every_requirement_at_its_line(
    workdir: Path, entries: list[tuple[tuple[str, str], str]], blank_lines: list[str], ending: str
) -> None:
    physical: list[str] = []
    expected: list[tuple[str, int]] = []
    for index, ((name, requirement), tail) in enumerate(entries):
        if index < len(blank_lines):
            physical.append(blank_lines[index])
        expected.append((canonicalize_name(name), len(physical) + 1))
        physical.extend((requirement + tail).split("\n"))
    path = workdir / "valid.txt"
    path.write_text(ending.join(physical) + ending, encoding="utf-8", newline="")
    project = RequirementsReader(ENVIRON).read(path)
    assert [(req.name, req.origin.line if req.origin else None) for req in project.requirements] == expected
    for (_, tail), read in zip(entries, project.requirements, strict=True):
        assert read.hashes == ((f"sha256:{SHA}",) if "--hash" in tail else ())
