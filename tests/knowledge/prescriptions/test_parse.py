"""Reading prescription files: every field of the format, and every refusal word for word."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from tests.knowledge.prescriptions.conftest import LINK, RULES, one, parse, refusal, unit_refusal
from thoth_cli.errors import ExitCode
from thoth_cli.knowledge.prescriptions.model import (
    ABSENT,
    CpuCondition,
    GpuCondition,
    JustificationSpec,
    LibraryUsageCondition,
    OperatingSystemCondition,
    PackageMatch,
    Pin,
    PrescriptionError,
    Presence,
)
from thoth_cli.knowledge.prescriptions.parse import parse_text
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.units import Alternative, ManifestChange
from thoth_cli.stack import JustificationType

EXAMPLE = """\
- name: tensorflow-needs-avx               # required, [a-z0-9]+(-[a-z0-9]+)*
  type: sieve
  description: TensorFlow 1.6 and later are built with AVX and crash on CPUs without it.
  should_include:
    recommendation_types: [latest, stable, testing, security, performance]
    runtime_environment:
      operating_systems: [{name: rhel, version: ">=8"}]
      python_version: ">=3.12"
      cuda_version: ">=12,<13"
      driver_cuda_version: ">=12.4"
      cudnn_version: ">=8.9"
      driver_version: "<525.60.13"
      cpu_flags: {present: [avx2], absent: [avx]}
      cpu: {vendors: [GenuineIntel], families: [6], models: [85, 106]}
      gpu: {models: ["Tesla V100"], compute_capability: "<6.0"}
      platforms: [linux-x86_64, macos-arm64, windows-x86_64, linux-aarch64]
      base_images: ["quay.io/thoth-station/*"]
      system_packages: {present: [git], absent: [libpq-dev]}
      python_packages: {present: ["numpy>=2"], absent: ["setuptools<58"]}
    library_usage: {all: [tensorflow.keras.layers.LSTM, "tensorflow.keras.callbacks.*"]}
    labels: {team: ml}
  match:
    package: {name: tensorflow, version: ">=1.6", index: "https://pypi.org/simple"}
  run:
    remove: true
    when_empty: fail
    justification:
      type: ERROR
      message: >-
        TensorFlow {version} uses AVX instructions; this CPU has none ("Illegal instruction" on import).
      link: https://github.com/tensorflow/tensorflow/releases/tag/v1.6.0
"""


def test_the_formats_example_reads_into_every_condition_match_and_action() -> None:
    prescription = one(EXAMPLE)
    assert (prescription.name, prescription.type) == ("tensorflow-needs-avx", "sieve")
    assert prescription.description == (
        "TensorFlow 1.6 and later are built with AVX and crash on CPUs without it."
    )
    conditions = prescription.conditions
    assert conditions.recommendation_types == frozenset(RecommendationType)
    environment = conditions.environment
    assert environment.operating_systems == (OperatingSystemCondition("rhel", SpecifierSet(">=8")),)
    assert environment.python_version == SpecifierSet(">=3.12")
    assert environment.cuda_version == SpecifierSet(">=12,<13")
    assert environment.driver_cuda_version == SpecifierSet(">=12.4")
    assert environment.cudnn_version == SpecifierSet(">=8.9")
    assert environment.driver_version == SpecifierSet("<525.60.13")
    assert environment.cpu_flags == Presence(("avx2",), ("avx",))
    assert environment.cpu == CpuCondition(("GenuineIntel",), (6,), (85, 106))
    assert environment.gpu == GpuCondition(("Tesla V100",), SpecifierSet("<6.0"))
    assert environment.platforms == ("linux-x86_64", "macos-arm64", "windows-x86_64", "linux-aarch64")
    assert environment.base_images == ("quay.io/thoth-station/*",)
    assert environment.system_packages == Presence(("git",), ("libpq-dev",))
    assert environment.python_packages == Presence(("numpy>=2",), ("setuptools<58",))
    assert conditions.library_usage == LibraryUsageCondition(
        ("tensorflow.keras.layers.LSTM", "tensorflow.keras.callbacks.*"), require_all=True
    )
    assert conditions.labels == (("team", "ml"),)
    assert prescription.match.packages == (
        PackageMatch("tensorflow", SpecifierSet(">=1.6"), "https://pypi.org/simple"),
    )
    run = prescription.run
    assert (run.remove, run.skip_package, run.when_empty) == (True, False, "fail")
    assert run.justification == JustificationSpec(
        JustificationType.ERROR,
        'TensorFlow {version} uses AVX instructions; this CPU has none ("Illegal instruction" on import).',
        "https://github.com/tensorflow/tensorflow/releases/tag/v1.6.0",
    )
    assert prescription.link == "https://github.com/tensorflow/tensorflow/releases/tag/v1.6.0"
    assert (prescription.source, prescription.position, prescription.line) == (RULES, 0, 3)


def test_a_unit_keeps_its_yaml_as_written_with_its_comments() -> None:
    (first, second) = parse(
        EXAMPLE
        + """\
- {name: flow, type: wrap, description: d, run: {justification: {message: m, link: "https://x.org"}}}
"""
    )
    assert first.text == EXAMPLE
    assert second.text == (
        "- name: flow\n  type: wrap\n  description: d\n  run:\n    justification:\n"
        "      message: m\n      link: https://x.org\n"
    )


def test_null_version_conditions_ask_for_the_fact_to_be_absent() -> None:
    environment = one(
        f"""\
        - name: no-cuda
          type: step
          description: d
          should_include:
            runtime_environment:
              {{cuda_version: null, driver_version: ~, driver_cuda_version: null, cudnn_version: null}}
          match: {{package: {{name: torch}}}}
          run: {{score: 0.1, justification: {{message: m, link: "{LINK}"}}}}
        """
    ).conditions.environment
    assert environment.cuda_version is ABSENT
    assert environment.driver_version is ABSENT
    assert environment.driver_cuda_version is ABSENT
    assert environment.cudnn_version is ABSENT
    assert environment.python_version is None


def test_recommendation_types_may_name_the_ones_left_out() -> None:
    conditions = one(
        f"""\
        - name: not-latest
          type: wrap
          description: d
          should_include:
            recommendation_types: {{not: [latest, testing]}}
            library_usage: {{any: [a.b, c.*]}}
          run: {{justification: {{message: m, link: "{LINK}"}}}}
        """
    ).conditions
    assert conditions.recommendation_types == {
        RecommendationType.STABLE,
        RecommendationType.SECURITY,
        RecommendationType.PERFORMANCE,
    }
    assert conditions.library_usage == LibraryUsageCondition(("a.b", "c.*"), require_all=False)


def test_a_sieve_may_match_several_packages_and_skip_them() -> None:
    prescription = one(
        f"""\
        - name: system-provides
          type: sieve
          description: d
          match: [{{package: {{name: tensorflow}}}}, {{package: {{name: tensorflow-gpu, index: pypi}}}}]
          run:
            skip_package: true
            justification: {{message: "{{package}} is the system's", link: "{LINK}"}}
        """
    )
    assert prescription.match.packages == (
        PackageMatch("tensorflow"),
        PackageMatch("tensorflow-gpu", None, "pypi"),
    )
    assert (prescription.run.skip_package, prescription.run.remove) == (True, False)
    assert prescription.run.justification is not None
    assert prescription.run.justification.type is JustificationType.WARNING


def test_a_step_scores_and_rejects_with_its_when_empty() -> None:
    run = one(
        f"""\
        - name: old-flask
          type: step
          description: d
          match: {{package: {{name: flask, version: "<2"}}}}
          run:
            score: -0.5
            not_acceptable: true
            when_empty: warn
            justification: {{message: m, link: "{LINK}"}}
        """
    ).run
    assert (run.score, run.not_acceptable, run.when_empty) == (-0.5, True, "warn")


def test_a_good_score_reads_as_information_unless_typed() -> None:
    run = one(
        f"""\
        - name: fast-build
          type: step
          description: d
          match: {{package: {{name: intel-tensorflow}}}}
          run: {{score: 0.3, justification: {{message: m, link: "{LINK}"}}}}
        """
    ).run
    assert run.justification == JustificationSpec(JustificationType.INFO, "m", LINK)


def test_stack_rules_are_steps_on_pins_together_or_introduced_by_another() -> None:
    together, introduced = parse(
        f"""\
        - name: jinja2-markupsafe
          type: step
          description: d
          match: {{together: [{{name: jinja2, version: "<3"}}, {{name: markupsafe, version: ">=2.1"}}]}}
          run: {{justification: {{message: m, link: "{LINK}"}}}}
        - name: keras-from-tensorflow
          type: step
          description: d
          match:
            package: {{name: keras, version: ">=2.7"}}
            introduced_by: {{name: tensorflow, version: ">=2.6,<2.7"}}
          run: {{not_acceptable: true, justification: {{message: m, link: "{LINK}"}}}}
        """
    )
    assert together.match.together == (
        Pin("jinja2", SpecifierSet("<3")),
        Pin("markupsafe", SpecifierSet(">=2.1")),
    )
    assert together.is_stack_rule
    assert introduced.match.packages == (PackageMatch("keras", SpecifierSet(">=2.7")),)
    assert introduced.match.introduced_by == Pin("tensorflow", SpecifierSet(">=2.6,<2.7"))
    assert introduced.is_stack_rule


def test_a_pseudonym_offers_another_package_version_or_index() -> None:
    first, second = parse(
        f"""\
        - name: tensorflow-cpu-instead
          type: pseudonym
          description: d
          match: {{package: {{name: tensorflow}}}}
          run:
            alternative: {{name: tensorflow-cpu, version: null, index: null}}
            justification: {{message: m, link: "{LINK}"}}
        - name: torch-cpu-build
          type: pseudonym
          description: d
          match: {{package: {{name: torch}}}}
          run:
            alternative: {{name: torch, index: "https://download.pytorch.org/whl/cpu"}}
            justification: {{message: m, link: "{LINK}"}}
        """
    )
    assert first.run.alternative == Alternative("tensorflow-cpu")
    assert second.run.alternative == Alternative("torch", None, "https://download.pytorch.org/whl/cpu")


def test_strides_and_wraps_match_the_pins_a_stack_contains() -> None:
    stride, wrap = parse(
        f"""\
        - name: numpy2-abi
          type: stride
          description: d
          match:
            stack: {{contains: [{{name: numpy, version: ">=2"}}, {{name: pandas, version: "<2.2.2"}}]}}
          run: {{not_acceptable: true, justification: {{message: "{{package}} {{version}}", link: "{LINK}"}}}}
        - name: onednn
          type: wrap
          description: d
          match: {{stack: {{contains: [{{name: tensorflow}}]}}}}
          run:
            justification: {{message: m, link: "{LINK}"}}
            advised_environment: {{TF_ENABLE_ONEDNN_OPTS: "1"}}
            advised_manifest_changes:
              - {{action: add, package: legacy-cgi, requirement: "legacy-cgi>=2.6", reason: cgi left 3.13}}
              - {{action: remove, package: enum34, reason: in the standard library}}
            add_package: "tensorflow-metal>=1.1"
        """
    )
    assert stride.match.stack == (Pin("numpy", SpecifierSet(">=2")), Pin("pandas", SpecifierSet("<2.2.2")))
    assert stride.run.not_acceptable
    assert wrap.match.stack == (Pin("tensorflow"),)
    assert wrap.run.advised_environment == (("TF_ENABLE_ONEDNN_OPTS", "1"),)
    assert wrap.run.advised_manifest_changes == (
        ManifestChange("add", "legacy-cgi", "legacy-cgi>=2.6", "cgi left 3.13"),
        ManifestChange("remove", "enum34", None, "in the standard library"),
        ManifestChange("add", "tensorflow-metal", "tensorflow-metal>=1.1", "m"),
    )
    assert wrap.run.justification is not None
    assert wrap.run.justification.type is JustificationType.INFO


def test_a_boot_adds_stack_information_or_stops_the_run() -> None:
    info, stop = parse(
        f"""\
        - name: gpu-note
          type: boot
          description: d
          match: {{package: {{name: torch}}}}
          run:
            stack_info:
              - {{message: "{{package}} builds for CUDA", link: "{LINK}"}}
              - {{type: WARNING, message: n, link: "{LINK}"}}
        - name: no-python38
          type: boot
          description: d
          run: {{not_acceptable: true, justification: {{type: ERROR, message: m, link: "{LINK}"}}}}
        """
    )
    assert info.match.packages == (PackageMatch("torch"),)
    assert info.run.stack_info == (
        JustificationSpec(JustificationType.INFO, "{package} builds for CUDA", LINK),
        JustificationSpec(JustificationType.WARNING, "n", LINK),
    )
    assert info.link == LINK
    assert stop.run.not_acceptable and not stop.match.packages


def test_an_empty_list_of_units_is_a_valid_file() -> None:
    assert parse_text("version: 1\nunits: []\n", RULES).prescriptions == ()


# Refusals --------------------------------------------------------------------------------------------

JUSTIFIED = f'justification: {{message: m, link: "{LINK}"}}'


def unit(
    *,
    kind: str = "sieve",
    extra: str = "",
    match: str = "match: {package: {name: tensorflow}}",
    run: str = f"run: {{remove: true, {JUSTIFIED}}}",
    name: str = "tf-rule",
) -> str:
    lines = [f"- name: {name}", f"  type: {kind}", "  description: d"]
    lines += [f"  {line}" for line in (extra, match, run) if line]
    return "\n".join(lines) + "\n"


def environment(conditions: str) -> str:
    return unit(extra=f"should_include: {{runtime_environment: {conditions}}}")


FIX_SPECIFIER = "  fix: write a PEP 440 specifier such as '>=2.4,<2.5' (a bare version is '==X.Y')"
FIX_BOUNDS = "  fix: correct the bounds: as written the rule can never apply"
FIX_CONDITIONS = "  fix: correct the conditions, or remove the one that cannot hold"
FIX_PACKAGES = (
    "  fix: leave some version of the package possible: one installed version must meet every present: entry "
    "and no absent: one"
)
ENV = "units[0].should_include.runtime_environment"

REFUSED_UNITS = {
    "unknown key": (
        unit(extra="should_inclde: {}"),
        "rules.yaml:6 [units[0].should_inclde]: unit 'tf-rule': unknown key in a unit: 'should_inclde'\n"
        "  fix: did you mean 'should_include'?",
    ),
    "missing name": (
        "- type: sieve\n  description: d\n",
        "rules.yaml:3 [units[0].name]: missing\n  fix: give the unit a kebab-case name, e.g. "
        "tensorflow-needs-avx",
    ),
    "name not kebab-case": (
        unit(name="Tf_Rule"),
        "rules.yaml:3 [units[0].name]: not a unit name: 'Tf_Rule'\n"
        "  fix: use lower-case letters and digits in words joined by '-', e.g. tensorflow-needs-avx",
    ),
    "missing type": (
        "- name: a\n  description: d\n",
        "rules.yaml:3 [units[0].type]: unit 'a': missing\n"
        "  fix: say which type of unit it is: boot, pseudonym, sieve, step, stride, wrap",
    ),
    "unknown type": (
        unit(kind="seive"),
        "rules.yaml:4 [units[0].type]: unit 'tf-rule': unknown unit type: 'seive'\n  fix: did you mean "
        "'sieve'?",
    ),
    "missing description": (
        f"- name: a\n  type: wrap\n  run: {{{JUSTIFIED}}}\n",
        "rules.yaml:3 [units[0].description]: unit 'a': missing\n"
        "  fix: say in one sentence what the unit does and why",
    ),
    "bad specifier": (
        unit(match="match: {package: {name: tensorflow, version: '=>1.6'}}"),
        "rules.yaml:6 [units[0].match.package.version]: unit 'tf-rule': not a version specifier: '=>1.6'\n"
        + FIX_SPECIFIER,
    ),
    "a bare version": (
        unit(match="match: {package: {name: tensorflow, version: 2.4}}"),
        "rules.yaml:6 [units[0].match.package.version]: unit 'tf-rule': not a version specifier: '2.4'\n"
        + FIX_SPECIFIER,
    ),
    "an empty range": (
        unit(match="match: {package: {name: tensorflow, version: '>2.4.0,<2.4.0'}}"),
        "rules.yaml:6 [units[0].match.package.version]: unit 'tf-rule': no version satisfies this specifier: "
        "'>2.4.0,<2.4.0'\n" + FIX_BOUNDS,
    ),
    "crossed bounds": (
        unit(
            match="match: {together: [{name: a, version: '<1.0,>1.4'}, {name: b}]}",
            kind="step",
            run=f"run: {{{JUSTIFIED}}}",
        ),
        "rules.yaml:6 [units[0].match.together[0].version]: unit 'tf-rule': no version satisfies this "
        "specifier: "
        "'<1.0,>1.4'\n" + FIX_BOUNDS,
    ),
    "a release candidate below its own release": (
        unit(match="match: {package: {name: tensorflow, version: '>=2.4.0rc0,<2.4.0'}}"),
        "rules.yaml:6 [units[0].match.package.version]: unit 'tf-rule': no version satisfies this specifier: "
        "'>=2.4.0rc0,<2.4.0'\n" + FIX_BOUNDS,
    ),
    "an impossible Python": (
        environment("{python_version: '>=3.13,<3.12'}"),
        f"rules.yaml:6 [{ENV}.python_version]: unit 'tf-rule': no Python version satisfies this specifier: "
        "'>=3.13,<3.12'\n" + FIX_BOUNDS,
    ),
    "an impossible CUDA": (
        environment("{cuda_version: '>=12.4,<12.1'}"),
        f"rules.yaml:6 [{ENV}.cuda_version]: unit 'tf-rule': no CUDA version satisfies this specifier: "
        "'>=12.4,<12.1'\n" + FIX_BOUNDS,
    ),
    "a name not normalised": (
        unit(match="match: {package: {name: TensorFlow}}"),
        "rules.yaml:6 [units[0].match.package.name]: unit 'tf-rule': not a normalised package name: "
        "'TensorFlow'\n  fix: write 'tensorflow'",
    ),
    "an underscore in a name": (
        unit(match="match: {package: {name: tensorflow_gpu}}"),
        "rules.yaml:6 [units[0].match.package.name]: unit 'tf-rule': not a normalised package name: "
        "'tensorflow_gpu'\n  fix: write 'tensorflow-gpu'",
    ),
    "a name given twice in a file": (
        unit() + unit(),
        "rules.yaml:8 [units[1].name]: unit 'tf-rule': the name is taken by units[0]: 'tf-rule'\n"
        "  fix: give each unit its own name",
    ),
    "a justification without its link": (
        unit(run="run: {remove: true, justification: {message: m}}"),
        "rules.yaml:7 [units[0].run.justification.link]: unit 'tf-rule': missing\n"
        "  fix: give the address of the fact's source",
    ),
    "a justification without its message": (
        unit(run=f"run: {{remove: true, justification: {{link: '{LINK}'}}}}"),
        "rules.yaml:7 [units[0].run.justification.message]: unit 'tf-rule': missing\n"
        "  fix: say what the fact is and what it means here",
    ),
    "a link that is not one": (
        unit(run="run: {remove: true, justification: {message: m, link: see the docs}}"),
        "rules.yaml:7 [units[0].run.justification.link]: unit 'tf-rule': expected a link (https://...): "
        "'see the docs'\n  fix: give the address of the fact's source",
    ),
    "no justification": (
        unit(run="run: {remove: true}"),
        "rules.yaml:7 [units[0].run.justification]: unit 'tf-rule': missing\n"
        "  fix: give its type, message and link (the fact's source)",
    ),
    "an unknown justification type": (
        unit(run=f"run: {{remove: true, justification: {{type: FATAL, message: m, link: '{LINK}'}}}}"),
        "rules.yaml:7 [units[0].run.justification.type]: unit 'tf-rule': unknown justification type: "
        "'FATAL'\n"
        "  fix: use INFO, WARNING or ERROR",
    ),
    "an unknown placeholder": (
        unit(run=f"run: {{remove: true, justification: {{message: '{{name}} crashes', link: '{LINK}'}}}}"),
        "rules.yaml:7 [units[0].run.justification.message]: unit 'tf-rule': unknown placeholder {name} "
        "in the "
        "message: '{name} crashes'\n  fix: this unit's messages may use {package} and {version}",
    ),
    "a field of another type": (
        unit(run=f"run: {{score: -0.5, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.score]: unit 'tf-rule': unknown key in a sieve's run: 'score'\n"
        "  fix: the keys of a sieve's run are remove, skip_package, when_empty, justification",
    ),
    "a match of another type": (
        unit(match="match: {stack: {contains: [{name: a}]}}"),
        "rules.yaml:6 [units[0].match.stack]: unit 'tf-rule': unknown key in a sieve's match: 'stack'\n"
        "  fix: the keys of a sieve's match are package",
    ),
    "a score above 1": (
        unit(kind="step", run=f"run: {{score: 1.5, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.score]: unit 'tf-rule': a score is from -1 to 1: '1.5'\n"
        "  fix: give a score from -1 (worst) to 1 (best)",
    ),
    "a score below -1": (
        unit(
            kind="stride",
            match="match: {stack: {contains: [{name: a}]}}",
            run=f"run: {{score: -2, {JUSTIFIED}}}",
        ),
        "rules.yaml:7 [units[0].run.score]: unit 'tf-rule': a score is from -1 to 1: '-2'\n"
        "  fix: give a score from -1 (worst) to 1 (best)",
    ),
    "a CPU flag present and absent": (
        environment("{cpu_flags: {present: [avx], absent: [avx]}}"),
        f"rules.yaml:6 [{ENV}.cpu_flags.absent]: unit 'tf-rule': no CPU has a flag and lacks it: 'avx'\n"
        "  fix: list the flag as present or as absent, not both",
    ),
    "a CPU flag in capitals": (
        environment("{cpu_flags: {absent: [AVX]}}"),
        f"rules.yaml:6 [{ENV}.cpu_flags.absent[0]]: unit 'tf-rule': not a CPU flag as /proc/cpuinfo "
        "names it: "
        "'AVX'\n  fix: write it in lower case, e.g. 'avx'",
    ),
    "a system package present and absent": (
        environment("{system_packages: {present: [git], absent: [git]}}"),
        f"rules.yaml:6 [{ENV}.system_packages.absent]: unit 'tf-rule': no machine has a package and "
        "lacks it: "
        "'git'\n  fix: list the package as present or as absent, not both",
    ),
    "a Python package present and absent": (
        environment("{python_packages: {present: ['numpy>=2'], absent: [numpy]}}"),
        f"rules.yaml:6 [{ENV}.python_packages.absent]: unit 'tf-rule': no installed version of the package "
        "meets these conditions together: 'numpy'\n" + FIX_PACKAGES,
    ),
    "Python packages present in two ways at once": (
        environment("{python_packages: {present: ['numpy>=2', 'numpy<2']}}"),
        f"rules.yaml:6 [{ENV}.python_packages.present]: unit 'tf-rule': no installed version of the package "
        "meets these conditions together: 'numpy'\n" + FIX_PACKAGES,
    ),
    "cuDNN without CUDA": (
        environment("{cuda_version: null, cudnn_version: '>=8'}"),
        f"rules.yaml:6 [{ENV}.cudnn_version]: unit 'tf-rule': no machine meets these conditions together: "
        "cuDNN runs on a CUDA toolkit, and cuda_version: null says there is none\n" + FIX_CONDITIONS,
    ),
    "a driver's CUDA without a driver": (
        environment("{driver_version: null, driver_cuda_version: '>=12'}"),
        f"rules.yaml:6 [{ENV}.driver_cuda_version]: unit 'tf-rule': no machine meets these conditions "
        "together: "
        "the CUDA version a driver supports needs a driver, and driver_version: null says there is none\n"
        + FIX_CONDITIONS,
    ),
    "a macOS platform on a Linux distribution": (
        environment("{platforms: ['macos-*'], operating_systems: [{name: rhel}]}"),
        f"rules.yaml:6 [{ENV}.operating_systems]: unit 'tf-rule': no machine meets these conditions "
        "together: "
        "no platform among macos-* runs rhel\n" + FIX_CONDITIONS,
    ),
    "no recommendation type": (
        unit(extra="should_include: {recommendation_types: []}"),
        "rules.yaml:6 [units[0].should_include.recommendation_types]: unit 'tf-rule': names no "
        "recommendation "
        "type, so the unit never runs: []\n  fix: list the types it is for (latest, stable, testing, "
        "security, "
        "performance), or leave the key out for all of them",
    ),
    "every recommendation type left out": (
        unit(
            extra="should_include: "
            "{recommendation_types: {not: [latest, stable, testing, security, performance]}}"
        ),
        "rules.yaml:6 [units[0].should_include.recommendation_types.not]: unit 'tf-rule': excludes every "
        "recommendation type, so the unit never runs: ['latest', 'performance', 'security', 'stable', "
        "'testing']\n"
        "  fix: leave some type out of the list, or remove the unit",
    ),
    "an unknown recommendation type": (
        unit(extra="should_include: {recommendation_types: [fastest]}"),
        "rules.yaml:6 [units[0].should_include.recommendation_types[0]]: unit 'tf-rule': unknown "
        "recommendation "
        "type: 'fastest'\n  fix: use one of latest, stable, testing, security, performance",
    ),
    "a platform without its architecture": (
        environment("{platforms: [linux]}"),
        f"rules.yaml:6 [{ENV}.platforms[0]]: unit 'tf-rule': not a platform: 'linux'\n"
        "  fix: write system-architecture: linux-x86_64, linux-aarch64, macos-arm64, windows-x86_64 "
        "(patterns such as macos-* allowed)",
    ),
    "library usage both ways": (
        unit(extra="should_include: {library_usage: {all: [a], any: [b]}}"),
        "rules.yaml:6 [units[0].should_include.library_usage]: unit 'tf-rule': expected one of all: or any:\n"
        "  fix: all: the code uses every symbol listed; any: at least one of them",
    ),
    "a when_empty of its own": (
        unit(run=f"run: {{remove: true, when_empty: maybe, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.when_empty]: unit 'tf-rule': expected fail or warn: 'maybe'\n"
        "  fix: fail stops the run (crashes, broken installs); warn keeps the releases and warns",
    ),
    "a when_empty without removals": (
        unit(run=f"run: {{skip_package: true, when_empty: warn, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.when_empty]: unit 'tf-rule': when_empty applies to removals only\n"
        "  fix: leave it out, or give remove: true (a sieve) or not_acceptable: true (a step)",
    ),
    "a sieve removing and skipping": (
        unit(run=f"run: {{skip_package: true, remove: true, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run]: unit 'tf-rule': a sieve either removes the matching releases or "
        "skips the "
        "package\n  fix: say remove: true or skip_package: true (one of them)",
    ),
    "remove: false": (
        unit(run=f"run: {{remove: false, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.remove]: unit 'tf-rule': remove may only be true: false\n"
        "  fix: leave remove out instead",
    ),
    "a step doing nothing": (
        unit(kind="step", run=f"run: {{{JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run]: unit 'tf-rule': a step scores or rejects\n"
        "  fix: give score: (from -1 to 1) or not_acceptable: true",
    ),
    "a scored stack rule": (
        unit(
            kind="step",
            match="match: {together: [{name: a}, {name: b}]}",
            run=f"run: {{score: -0.5, {JUSTIFIED}}}",
        ),
        "rules.yaml:7 [units[0].run.score]: unit 'tf-rule': a stack rule forbids its pins together; it "
        "gives no "
        "score\n  fix: leave score out (not_acceptable: true may stay)",
    ),
    "one package together": (
        unit(kind="step", match="match: {together: [{name: a}]}", run=f"run: {{{JUSTIFIED}}}"),
        "rules.yaml:6 [units[0].match.together]: unit 'tf-rule': expected two or more different packages\n"
        "  fix: list each package once",
    ),
    "a package introduced by itself": (
        unit(
            kind="step",
            match="match: {package: {name: a}, introduced_by: {name: a}}",
            run=f"run: {{{JUSTIFIED}}}",
        ),
        "rules.yaml:6 [units[0].match.introduced_by]: unit 'tf-rule': a package is not introduced by "
        "itself: 'a'",
    ),
    "a pseudonym offering the candidate itself": (
        unit(kind="pseudonym", run=f"run: {{alternative: {{name: tensorflow}}, {JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.alternative]: unit 'tf-rule': offers the candidate itself: 'tensorflow'\n"
        "  fix: name another package, or give another version or index",
    ),
    "a pseudonym offering nothing": (
        unit(kind="pseudonym", run=f"run: {{{JUSTIFIED}}}"),
        "rules.yaml:7 [units[0].run.alternative]: unit 'tf-rule': missing\n  fix: name the package "
        "offered instead",
    ),
    "an alternative version that is not one": (
        unit(
            kind="pseudonym",
            run=f"run: {{alternative: {{name: tensorflow-cpu, version: 'x y'}}, {JUSTIFIED}}}",
        ),
        "rules.yaml:7 [units[0].run.alternative.version]: unit 'tf-rule': not a version: 'x y'\n"
        "  fix: give an exact version, or null for the candidate's own",
    ),
    "a sieve matching nothing": (
        unit(match=""),
        "rules.yaml:3 [units[0].match]: unit 'tf-rule': missing\n"
        "  fix: say which packages the sieve acts on under match:",
    ),
    "a stride matching nothing": (
        unit(kind="stride", match="", run=f"run: {{score: 0.1, {JUSTIFIED}}}"),
        "rules.yaml:3 [units[0].match]: unit 'tf-rule': missing\n"
        "  fix: list the pins the stack must hold under match: {stack: {contains: [...]}}",
    ),
    "a boot doing nothing": (
        unit(kind="boot", match="", run=f"run: {{{JUSTIFIED}}}"),
        "rules.yaml:6 [units[0].run]: unit 'tf-rule': a boot adds stack_info or stops the run\n"
        "  fix: give stack_info: or not_acceptable: true",
    ),
    "an unknown manifest change": (
        unit(
            kind="wrap",
            match="",
            run=f"run: {{{JUSTIFIED}, advised_manifest_changes: [{{action: bump, package: a, reason: r}}]}}",
        ),
        "rules.yaml:6 [units[0].run.advised_manifest_changes[0].action]: unit 'tf-rule': expected add, "
        "remove or "
        "change: 'bump'",
    ),
    "a manifest change naming another package": (
        unit(
            kind="wrap",
            match="",
            run=f"run: {{{JUSTIFIED}, "
            "advised_manifest_changes: [{action: add, package: a, requirement: b>1, reason: r}]}",
        ),
        "rules.yaml:6 [units[0].run.advised_manifest_changes[0].requirement]: unit 'tf-rule': names another "
        "package than 'a': 'b>1'",
    ),
    "an environment variable that is not one": (
        unit(kind="wrap", match="", run=f"run: {{{JUSTIFIED}, advised_environment: {{TF-X: '1'}}}}"),
        "rules.yaml:6 [units[0].run.advised_environment.TF-X]: unit 'tf-rule': not an environment "
        "variable name: "
        "'TF-X'",
    ),
}


@pytest.mark.parametrize(("body", "message"), list(REFUSED_UNITS.values()), ids=list(REFUSED_UNITS))
def test_a_unit_is_refused_naming_file_line_key_unit_text_and_fix(body: str, message: str) -> None:
    assert unit_refusal(body) == message


REFUSED_FILES = {
    "not YAML": (
        "version: 1\nunits: [\n",
        "rules.yaml:3: not valid YAML: did not find expected node content\n  fix: correct the YAML "
        "syntax at that line",
    ),
    "empty": (
        "",
        "rules.yaml: empty\n  fix: start the file with `version: 1` and a list of `units:` (or remove it)",
    ),
    "another format version": (
        "version: 2\nunits: []\n",
        "rules.yaml:1 [version]: unsupported prescription format version: '2'\n"
        "  fix: write `version: 1`, the format this thoth reads",
    ),
    "no format version": (
        "units: []\n",
        "rules.yaml:1 [version]: missing\n  fix: start the file with `version: 1`",
    ),
    "units that are no list": ("version: 1\nunits: {}\n", "rules.yaml:2 [units]: expected a list: a mapping"),
    "an unknown top-level key": (
        "version: 1\nunits: []\nunit: []\n",
        "rules.yaml:3 [unit]: unknown key in a prescription file: 'unit'\n  fix: did you mean 'units'?",
    ),
}


@pytest.mark.parametrize(("text", "message"), list(REFUSED_FILES.values()), ids=list(REFUSED_FILES))
def test_a_file_is_refused_naming_what_is_wrong(text: str, message: str) -> None:
    assert refusal(text) == message


def test_a_refusal_is_invalid_input_and_keeps_the_unit_and_location() -> None:
    with pytest.raises(PrescriptionError) as caught:
        parse_text(
            "version: 1\nunits:\n" + unit(kind="seive").replace("- ", "  - ", 1).replace("\n  ", "\n    "),
            RULES,
        )
    error = caught.value
    assert error.exit_code is ExitCode.INVALID_INPUT
    assert (error.unit, error.location.path, error.location.line, error.location.key) == (
        "tf-rule",
        RULES,
        4,
        "units[0].type",
    )
    assert error.text == "'seive'"
