"""`thoth advise`: resolve the project for a target and write its lock file."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sized
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.adviser import Advice, AdviseRequest, IndexOptions, Recommendation, advise, output_path
from thoth_cli.cli.advisories import advisory_options
from thoth_cli.cli.console import Consoles
from thoth_cli.cli.discover import describe_machine, is_image_layout
from thoth_cli.cli.options import parse_cutoff, parse_package_values
from thoth_cli.errors import ConfigError, Location, ThothError, UsageError
from thoth_cli.groups import select_groups
from thoth_cli.index.client import IndexStrategy
from thoth_cli.index.http import HttpSettings
from thoth_cli.knowledge.osv_api import DEFAULT_OSV_URL
from thoth_cli.lock.atomic import LockWriteError, write_atomic
from thoth_cli.lock.formats import LockFormat, check_lock_format, lock_path_for
from thoth_cli.lock.model import LockFile
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.search import DEFAULT_LIMIT
from thoth_cli.project.load import find_manifest, load_project
from thoth_cli.project.model import Project, ProjectRequirement
from thoth_cli.resolver.policy import PrereleaseMode, ResolutionPolicy
from thoth_cli.stack import Justification, JustificationType, Stack
from thoth_cli.target import Platform, Target

if TYPE_CHECKING:
    from thoth_cli.config import EnvironmentSpec, ThothConfig
    from thoth_cli.discovery import PythonInterpreter, RuntimeEnvironment
    from thoth_cli.usage.model import LibraryUsage

CONFIG_NAME = ".thoth.yaml"
"""`thoth_cli.config.CONFIG_NAME` restated: that module (and YAML) loads only when an environment is used."""

_CUDA_VERSION = re.compile(r"\d+(\.\d+){0,2}")

_AMD_GPU = re.compile(r"\b(amd|radeon|instinct|gfx\d+)", re.IGNORECASE)
"""How a `.thoth.yaml` gpu_model names an AMD GPU; Thoth's entries named NVIDIA's."""

DISCOVERY_TIMEOUT = 5.0
"""Seconds a program asked about this machine may run (nvidia-smi, nvcc), as `thoth discover` allows."""


@click.command()
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The manifest to read (default: found in the current folder).",
)
@click.option(
    "--lock-format",
    type=click.Choice([f.value for f in LockFormat]),
    default=None,
    help="Lock format (default: follows the manifest).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the lock here instead of next to the manifest.",
)
@click.option("--dry-run", is_flag=True, help="Resolve and report, write nothing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="The stack as a table for people, or JSON (schema thoth.advise/1) for scripts.",
)
@click.option(
    "--tree", "show_tree", is_flag=True, help="Show the dependency tree: why each package is there."
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Show what changed against the existing lock (as thoth diff)."
)
@click.option(
    "--graph",
    "graph_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the stack's dependency graph here: Graphviz DOT, or SVG for a .svg name (as thoth graph).",
)
@click.option(
    "-t",
    "--recommendation-type",
    type=click.Choice([t.value for t in RecommendationType]),
    default=None,
    help="What to optimise for: latest, stable, testing, security, performance [default: the runtime "
    f"environment's in {CONFIG_NAME}, else latest].",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many stacks to find, best first (the lock holds the best).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="How many resolves the search may spend.",
)
@click.option(
    "--pipeline",
    "pipeline_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Run exactly these units (YAML: unit names and configuration by type) instead of the "
    "ones chosen for the recommendation type.",
)
@click.option(
    "--block-unit",
    "blocked_units",
    multiple=True,
    metavar="NAME",
    help="Leave this unit out of the pipeline (`thoth units` lists them).",
)
@click.option(
    "--prescriptions",
    "prescription_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="A folder of prescription files to add to the bundled ones (repeatable; a later folder's unit "
    f"replaces an earlier one of its name). The prescriptions folders of {CONFIG_NAME} come first.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the whole report (every stack, score and reason) here as JSON.",
)
@click.option(
    "--python-version",
    default=None,
    help="Target Python: 3.12 (means 3.12.0), 3.12.4, 3.13t (default: this interpreter).",
)
@click.option(
    "--platform",
    default=None,
    help="Target platform tag: manylinux_2_28_x86_64, macosx_14_0_arm64, win_amd64, "
    "musllinux_1_2_aarch64 (default: this machine).",
)
@click.option(
    "--runtime-environment",
    "runtime_environment",
    metavar="NAME",
    default=None,
    help=f"Resolve for this runtime environment of {CONFIG_NAME}.",
)
@click.option(
    "--all-environments",
    is_flag=True,
    help=f"Resolve for every runtime environment of {CONFIG_NAME}, one lock each (in overlays_dir).",
)
@click.option(
    "--base-image",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE|DIR",
    help="Resolve for this container image (an archive, or an unpacked root) and keep its Python "
    "packages where the requirements allow.",
)
@click.option(
    "--image-platform",
    metavar="OS/ARCH[/VARIANT]",
    default=None,
    help="The build of a multi-platform --base-image to use (default: this machine's).",
)
@click.option(
    "--image-reference",
    metavar="NAME",
    default=None,
    help="The image of a --base-image archive holding several (python:3.12-slim).",
)
@click.option(
    "--cuda-version",
    default=None,
    metavar="X.Y",
    help="The target's CUDA toolkit version: prescriptions read it and the lock records it, in place "
    "of the environment's or this machine's.",
)
@click.option(
    "--cpu-flags",
    default=None,
    metavar="FLAG,...",
    help="The target CPU's flags, e.g. avx2,fma: prescriptions read them and the lock records them, in "
    "place of the environment's or this machine's. A --platform or --python-version other than this "
    "machine's names another machine, unknown to prescriptions but for what these two flags say.",
)
@click.option("--dev", is_flag=True, help="Also lock the dev group (Pipfile dev-packages, 'dev').")
@click.option("--group", "groups", multiple=True, metavar="NAME", help="Also lock this group.")
@click.option("--extra", "extras", multiple=True, metavar="NAME", help="Also lock this extra.")
@click.option("--all-groups", is_flag=True, help="Lock every dependency group.")
@click.option("--all-extras", is_flag=True, help="Lock every extra.")
@click.option("--no-default-groups", is_flag=True, help="Leave out the main requirements.")
@click.option(
    "-c",
    "--constraint",
    "constraints",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A constraints file (pip format).",
)
@click.option(
    "--prerelease",
    type=click.Choice([m.value for m in PrereleaseMode]),
    default=None,
    help="When pre-releases may be chosen [default: if-necessary-or-explicit].",
)
@click.option("--pre", is_flag=True, help="Same as --prerelease allow.")
@click.option(
    "--exclude-newer",
    default=None,
    metavar="DATE|DURATION",
    help="Ignore files uploaded after this date (2024-05-01, 2024-05-01T12:00:00Z) "
    "or this long ago (7d, 2 weeks).",
)
@click.option(
    "--exclude-newer-package",
    multiple=True,
    metavar="NAME=DATE|DURATION",
    help="--exclude-newer for one package.",
)
@click.option("-U", "--upgrade", is_flag=True, help="Release every pin of the existing lock.")
@click.option(
    "-P",
    "--upgrade-package",
    multiple=True,
    metavar="NAME",
    help="Release this package's pin of the existing lock.",
)
@click.option(
    "--allow-build",
    is_flag=True,
    help="Run an sdist's build backend to learn its dependencies when they are dynamic.",
)
@click.option(
    "-i",
    "--index-url",
    default=None,
    envvar="THOTH_INDEX_URL",
    help="Replace the primary index (default: the manifest's, else PyPI).",
)
@click.option(
    "--extra-index-url",
    multiple=True,
    envvar="THOTH_EXTRA_INDEX_URL",
    help="Another index to consult after the others.",
)
@click.option(
    "--index-strategy",
    type=click.Choice([s.value for s in IndexStrategy]),
    default=IndexStrategy.FIRST_INDEX.value,
    show_default=True,
    help="first-index: a name comes from the first index that has it (defends against "
    "dependency confusion); unsafe-best-match: the best version across all indexes.",
)
@click.option("--offline", is_flag=True, help="Use only the cache.")
@click.option("--refresh", is_flag=True, help="Revalidate every cached index page.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="THOTH_CACHE_DIR",
    default=None,
    help="Cache folder (default: the user cache folder).",
)
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds an index page stays fresh when the server does not say.",
)
@click.option(
    "--advisories",
    "advisory_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Read security advisories from this folder of OSV records (a clone of PyPA's advisory "
    "database, or OSV's PyPI export) instead of asking the OSV API; repeatable [default: the "
    f"advisories of {CONFIG_NAME}, else the OSV API].",
)
@click.option(
    "--osv-url",
    default=None,
    envvar="THOTH_OSV_URL",
    metavar="URL",
    help=f"The OSV API to ask for security advisories [default: {DEFAULT_OSV_URL}]; given with "
    "--advisories, both are read.",
)
@click.option(
    "--no-advisories",
    is_flag=True,
    help="Check no security advisories (the OSV API is not asked).",
)
@click.option(
    "--no-static-analysis",
    is_flag=True,
    help="Do not scan the project's sources for the libraries they use (units that depend on "
    "them, such as tensorflow-30990, then never join).",
)
@click.pass_obj
def advise_command(
    consoles: Consoles,
    manifest_path: Path | None,
    lock_format: str | None,
    output: Path | None,
    dry_run: bool,
    output_format: str,
    show_tree: bool,
    show_diff: bool,
    graph_file: Path | None,
    recommendation_type: str | None,
    count: int,
    limit: int,
    pipeline_file: Path | None,
    blocked_units: tuple[str, ...],
    prescription_dirs: tuple[Path, ...],
    report_file: Path | None,
    python_version: str | None,
    platform: str | None,
    runtime_environment: str | None,
    all_environments: bool,
    base_image: Path | None,
    image_platform: str | None,
    image_reference: str | None,
    cuda_version: str | None,
    cpu_flags: str | None,
    dev: bool,
    groups: tuple[str, ...],
    extras: tuple[str, ...],
    all_groups: bool,
    all_extras: bool,
    no_default_groups: bool,
    constraints: tuple[Path, ...],
    prerelease: str | None,
    pre: bool,
    exclude_newer: str | None,
    exclude_newer_package: tuple[str, ...],
    upgrade: bool,
    upgrade_package: tuple[str, ...],
    allow_build: bool,
    index_url: str | None,
    extra_index_url: tuple[str, ...],
    index_strategy: str,
    offline: bool,
    refresh: bool,
    cache_dir: Path | None,
    cache_ttl: float,
    advisory_dirs: tuple[Path, ...],
    osv_url: str | None,
    no_advisories: bool,
    no_static_analysis: bool,
) -> None:
    """Resolve the project for the target environment and write its lock file.

    Security advisories come from the OSV API by default; when it cannot be reached the run
    goes on without them and warns, except with -t security, which fails (exit 3).
    """
    osv_url_given = click.get_current_context().get_parameter_source("osv_url") is (
        click.core.ParameterSource.COMMANDLINE
    )
    advisories = advisory_options(
        manifest_path, advisory_dirs, osv_url=osv_url, osv_url_given=osv_url_given, disabled=no_advisories
    )
    flags = TargetFlags(
        python_version=python_version,
        platform=platform,
        cuda_version=_cuda_version(cuda_version),
        cpu_flags=_cpu_flags(cpu_flags),
    )
    environments = plan_environments(
        consoles,
        manifest_path=manifest_path,
        runtime_environment=runtime_environment,
        all_environments=all_environments,
        base_image=base_image,
        image_platform=image_platform,
        image_reference=image_reference,
        output=output,
    )
    now = datetime.now(timezone.utc)
    prescriptions = prescription_folders(manifest_path, prescription_dirs)
    pipeline = None
    if pipeline_file is not None:
        from thoth_cli.pipeline.file import read_pipeline
        from thoth_cli.pipeline.registry import available_units

        pipeline = read_pipeline(pipeline_file, available_units(prescriptions=prescriptions))
    failures: list[ThothError] = []
    for environment in environments:
        try:
            project = _project(consoles, manifest_path, environment, constraints)
            target = environment.target(project, flags)
            check_requires_python(project, target)
            chosen_type = _recommendation_type(recommendation_type, environment.spec)
            chosen_format = LockFormat(lock_format) if lock_format else LockFormat.for_manifest(project)
            check_lock_format(chosen_format, project)
            policy = ResolutionPolicy(
                prerelease=_prerelease_mode(project, prerelease, pre),
                prerelease_packages=project.prerelease_packages
                | frozenset(r.name for r in project.requirements if r.allow_prereleases),
                exclude_newer=parse_cutoff(exclude_newer, now=now) if exclude_newer else None,
                exclude_newer_packages={
                    name: parse_cutoff(value, now=now, option="--exclude-newer-package")
                    for name, value in parse_package_values(exclude_newer_package, "--exclude-newer-package")
                },
                allow_build=allow_build,
                upgrade=upgrade,
                upgrade_packages=upgrade_names(upgrade_package),
            )
            request = AdviseRequest(
                project=project,
                target=target,
                groups=select_groups(
                    project,
                    dev=dev,
                    groups=groups,
                    extras=extras,
                    all_groups=all_groups,
                    all_extras=all_extras,
                    no_default=no_default_groups,
                ),
                policy=policy,
                index=IndexOptions(
                    index_url=index_url,
                    extra_index_urls=extra_index_url,
                    strategy=IndexStrategy(index_strategy),
                    cache_dir=cache_dir,
                    # An upgrade asks for the newest releases: a page cached a minute ago may
                    # miss one, so pages are revalidated (an unchanged page costs a 304).
                    http=HttpSettings(
                        offline=offline, refresh=refresh or upgrade or bool(upgrade_package), ttl=cache_ttl
                    ),
                ),
                lock_format=chosen_format,
                output=environment.output_for(project, chosen_format, output),
                dry_run=dry_run,
                environment=environment.record(flags) or None,
                installed=environment.installed,
                recommendation=Recommendation(
                    type=chosen_type,
                    count=count,
                    limit=limit,
                    pipeline=pipeline,
                    blocked=frozenset(blocked_units),
                    machine=environment.facts(target, flags),
                    usage=None
                    if no_static_analysis
                    else source_usage(consoles, project.manifest.parent, target),
                    advisories=advisories,
                    labels=environment.spec.labels if environment.spec is not None else {},
                    prescriptions=prescriptions,
                ),
            )
            if environment.overlay is not None and not dry_run:
                _make_folder(request.output.parent)
            consoles.info(f"resolving {project.manifest} for {environment.describe(target)}")
            from thoth_cli.cli.advice_view import progress

            with progress(consoles) as reporter:
                advice = advise(
                    request,
                    on_build=lambda candidate: consoles.warning(
                        f"building {candidate} from its sdist to learn its dependencies: this runs code "
                        "from the index (--allow-build)"
                    ),
                    reporter=reporter,
                )
            for warning in advice.warnings:
                consoles.warning(warning)
            for note in advice.notes:
                consoles.debug(note)
            if output_format == "json":
                from thoth_cli.cli.advice_view import print_json

                print_json(consoles, advice)
                show_advice(consoles, advice, table=False)
            else:
                show_advice(consoles, advice)
            if show_tree:
                from thoth_cli.cli.advice_view import stack_tree

                consoles.out.print(stack_tree(advice.resolution.stack))
            if show_diff:
                _show_diff(consoles, advice)
            if graph_file is not None:
                _write_graph(consoles, advice, graph_file)
            if report_file is not None:
                _write_report(consoles, advice, environment.report_path(report_file, len(environments)))
            locked = {package.name for package in advice.resolution.stack}
            for name in sorted(advice.request.policy.upgrade_packages - locked):
                consoles.warning(f"--upgrade-package {name}: no package of that name is in the stack")
            show_installed(consoles, environment, advice)
        except ThothError as exc:
            if len(environments) == 1:
                raise
            consoles.error(f"runtime environment {environment.name}: {exc}")
            failures.append(exc)
    if failures:
        raise click.exceptions.Exit(int(failures[0].exit_code))


def prescription_folders(manifest_path: Path | None, given: tuple[Path, ...]) -> tuple[Path, ...]:
    """The `prescriptions` folders of the .thoth.yaml governing the project, then those given: the
    command line has the last word on a unit's name.

    Each is read here, so that a missing folder or a broken file is said before anything is
    resolved (a file read is kept for the run).
    """
    from thoth_cli.config import find_config, read_config
    from thoth_cli.knowledge.prescriptions.load import load_directories

    path = find_config(manifest_path.parent if manifest_path is not None else Path())
    configured = read_config(path).prescriptions if path is not None else ()
    folders = (*configured, *given)
    load_directories(folders)
    return folders


def source_usage(consoles: Consoles, folder: Path, target: Target) -> Callable[[], LibraryUsage | None]:
    """The project's library usage, scanned from the manifest's folder when a unit first asks.

    A file that cannot be read or parsed is left out with a note (shown with --verbose): the
    scan informs units, and a broken script must never stop a lock from being made.
    """

    def scanned() -> LibraryUsage | None:
        from thoth_cli.usage.scan import scan

        try:
            result = scan(folder, python_version=(target.python_version[0], target.python_version[1]))
        except (ThothError, OSError) as exc:
            consoles.debug(f"static analysis: {folder} not scanned: {exc}")
            return None
        for error in result.errors:
            consoles.debug(f"static analysis: skipped {error}")
        return result.usage()

    return scanned


@dataclass(frozen=True)
class TargetFlags:
    """The command line's say on the target: each given flag replaces one field of the environment."""

    python_version: str | None = None
    platform: str | None = None
    cuda_version: str | None = None
    cpu_flags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PlannedEnvironment:
    """One environment to lock for: a `.thoth.yaml` entry, a base image, or the flags and this machine.

    `overlay` is the entry's folder under `overlays_dir`, where its manifest may live and
    its lock goes; `installed` the base image's packages; `machine` what discovery found
    in the image.
    """

    name: str | None = None
    spec: EnvironmentSpec | None = None
    overlay: Path | None = None
    machine: RuntimeEnvironment | None = None
    installed: dict[NormalizedName, Version] = field(default_factory=dict)
    image: str | None = None

    def target(self, project: Project, flags: TargetFlags) -> Target:
        """The environment's target, each flag given replacing the environment's value."""
        if self.machine is not None:
            from thoth_cli.discovery import IncompleteEnvironmentError

            if flags.python_version is None and flags.platform is None:
                try:
                    return self.machine.to_target()
                except IncompleteEnvironmentError as exc:
                    flag = "--python-version" if exc.missing.startswith("Python") else "--platform"
                    raise IncompleteEnvironmentError(
                        exc.missing,
                        fix=f"base image {self.image} does not show its {exc.missing}: name it with {flag}",
                    ) from None
            assert self.spec is not None
            return self.spec.target(python_version=flags.python_version, platform=flags.platform)
        if self.spec is not None:
            python = flags.python_version or self.spec.python_version or manifest_python(project)
            return self.spec.target(python_version=python, platform=flags.platform)
        return Target.from_options(flags.python_version or manifest_python(project), flags.platform)

    def record(self, flags: TargetFlags) -> dict[str, object]:
        """What the lock records of the environment beside the target; empty when there is nothing."""
        if self.spec is None:
            facts = {
                "cuda_version": flags.cuda_version,
                "cpu_flags": None if flags.cpu_flags is None else list(flags.cpu_flags),
            }
            return {key: value for key, value in facts.items() if value is not None}
        from thoth_cli.config import with_overrides

        return with_overrides(self.spec, cuda_version=flags.cuda_version, cpu_flags=flags.cpu_flags).record()

    def facts(
        self, target: Target, flags: TargetFlags
    ) -> RuntimeEnvironment | Callable[[], RuntimeEnvironment | None] | None:
        """What the pipeline's units (prescriptions' conditions) may read about the machine.

        A base image is what discovery found in it; a `.thoth.yaml` entry is what its fields
        say; this machine is discovered only when a unit first asks (an explicit pipeline, or
        one whose units ask nothing of it, never pays for it).
        `--cuda-version` and `--cpu-flags` replace what any of them says. Another target is
        known only by its Python and platform (the target itself): None, unless those flags
        describe it, and then it is what they say and no more.
        """
        if self.machine is not None:
            from dataclasses import replace as _replace

            return _with_flags(_replace(self.machine, base_image=self.image), target, flags)
        if self.spec is not None:
            return _with_flags(described_machine(self.spec, target), target, flags)
        if is_this_machine(target, flags):
            return lambda: _with_flags(discover_host(target), target, flags)
        if flags.cuda_version is None and flags.cpu_flags is None:
            return None
        from thoth_cli.discovery import RuntimeEnvironment

        return _with_flags(RuntimeEnvironment(host=False), target, flags)

    def output_for(self, project: Project, lock_format: LockFormat, output: Path | None) -> Path:
        """Where the lock goes: --output, the overlay folder, or next to the manifest."""
        if output is None and self.overlay is not None:
            output = lock_path_for(self.overlay / project.manifest.name, lock_format)
        return output_path(project, lock_format, output)

    def report_path(self, path: Path, environments: int) -> Path:
        """--report names one file; with several environments, each gets its own beside it."""
        if environments == 1 or self.name is None:
            return path
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", self.name)
        return path.with_name(f"{path.stem}.{safe}{path.suffix}")

    def describe(self, target: Target) -> str:
        if self.image is not None:
            return f"base image {self.image}: {target.describe()}"
        if self.name is not None:
            return f"runtime environment {self.name}: {target.describe()}"
        return target.describe()


def is_this_machine(target: Target, flags: TargetFlags) -> bool:
    """Whether the target is the running machine: no --platform or --python-version names another.

    The manifest's own Python (Pipfile `[requires]`) still runs here, as Pipenv would run it.
    """
    if target.platform != Platform.current():
        return False
    if flags.python_version is None:
        return True
    running = Target.current()
    return (target.implementation, target.python_version[:2], target.free_threaded) == (
        running.implementation,
        running.python_version[:2],
        running.free_threaded,
    )


def discover_host(target: Target) -> RuntimeEnvironment:
    """This machine, as far as prescriptions ask: OS, CPU, GPUs and driver, CUDA and cuDNN, system
    packages, and the running interpreter's packages when the target is that interpreter.

    The probes that start a program (nvidia-smi, rocm-smi, nvcc) run side by side; memory,
    containers and the maths libraries, which no condition reads, are not probed.
    """
    from concurrent.futures import ThreadPoolExecutor

    from thoth_cli.discovery import RuntimeEnvironment, cuda, gpu, os_info, python_env, system_packages
    from thoth_cli.discovery import cpu as cpu_probe
    from thoth_cli.discovery.probe import ProbeContext

    ctx = ProbeContext.create(timeout=DISCOVERY_TIMEOUT)
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="thoth-facts") as pool:
        nvidia = pool.submit(gpu.nvidia, ctx)
        amd = pool.submit(gpu.amd, ctx)
        toolkit = pool.submit(cuda.cuda_toolkit, ctx)
        layout = pool.submit(python_env.interpreter_layout, ctx)
        operating_system = os_info.operating_system(ctx)
        processor = cpu_probe.cpu(ctx)
        cudnn = cuda.cudnn(ctx)
        packages = system_packages.system_packages(ctx)
        interpreter = layout.result()
        running = None if interpreter is None else interpreter.interpreter
        # The running interpreter's packages describe the target only when it is that interpreter.
        installed = python_env.python_packages(ctx) if _same_python(running, target) else None
        nvidia_report, amd_report = nvidia.result(), amd.result()
    amd_gpus = () if amd_report is None else amd_report.gpus
    gpus = (amd_gpus or None) if nvidia_report is None else nvidia_report.gpus + amd_gpus
    return RuntimeEnvironment(
        host=True,
        os=operating_system,
        platform=target.platform,
        python=running,
        python_packages=installed,
        cpu=processor,
        gpus=gpus,
        nvidia_driver=None if nvidia_report is None else nvidia_report.driver,
        rocm=None if amd_report is None else amd_report.rocm,
        cuda_toolkit=toolkit.result(),
        cudnn=cudnn,
        system_packages=packages,
    )


def described_machine(spec: EnvironmentSpec, target: Target) -> RuntimeEnvironment:
    """The machine a `.thoth.yaml` entry describes. What it leaves out is None: no CUDA toolkit,
    cuDNN or driver (as Thoth read its entries); CPU, GPUs and packages not known.

    Its `gpu_model` is NVIDIA's unless the name says AMD, and its compute capability is the
    one the model is known by; the CUDA its `driver_version` runs is NVIDIA's table's. Its CPU
    family and model count only beside its `cpu_flags`.
    """
    from thoth_cli.discovery import (
        Cpu,
        CudaToolkit,
        Gpu,
        Library,
        NvidiaDriver,
        OperatingSystem,
        RuntimeEnvironment,
    )
    from thoth_cli.discovery.gpu import capability_from_name, newest_cuda

    system = spec.operating_system
    hardware = spec.hardware
    cpu = None
    # Without its flags the CPU stays unknown: an empty flag set would read as a CPU lacking
    # every flag (no AVX), and Thoth's entries name a family and model but never flags.
    if spec.cpu_flags is not None:
        cpu = Cpu(
            vendor=None,
            brand=None,
            family=None if hardware is None else hardware.cpu_family,
            model=None if hardware is None else hardware.cpu_model,
            stepping=None,
            logical_cores=None,
            physical_cores=None,
            flags=frozenset(spec.cpu_flags),
            source=CONFIG_NAME,
        )
    gpus = None
    if hardware is not None and hardware.gpu_model is not None:
        model = hardware.gpu_model
        amd = capability_from_name(model) is None and _AMD_GPU.search(model) is not None
        gpus = (
            Gpu(
                vendor="amd" if amd else "nvidia",
                model=model,
                compute_capability=None if amd else capability_from_name(model),
            ),
        )
    driver = None
    if spec.driver_version is not None:
        cuda = newest_cuda(spec.driver_version, windows=target.platform.os == "windows")
        driver = NvidiaDriver(spec.driver_version, cuda, None if cuda is None else "driver-table")
    return _with_python(
        RuntimeEnvironment(
            host=False,
            os=None if system is None else OperatingSystem(id=system.name, version=system.version),
            base_image=spec.base_image,
            cpu=cpu,
            gpus=gpus,
            nvidia_driver=driver,
            cuda_toolkit=None if spec.cuda_version is None else CudaToolkit(spec.cuda_version, CONFIG_NAME),
            cudnn=None if spec.cudnn_version is None else Library("cudnn", spec.cudnn_version, ""),
            mkl=None if spec.mkl_version is None else Library("mkl", spec.mkl_version, ""),
            openblas=None
            if spec.openblas_version is None
            else Library("openblas", spec.openblas_version, ""),
            openmpi=None if spec.openmpi_version is None else Library("openmpi", spec.openmpi_version, ""),
        ),
        target,
    )


def _with_flags(machine: RuntimeEnvironment, target: Target, flags: TargetFlags) -> RuntimeEnvironment:
    """The machine for the target's Python and platform, with the CUDA and CPU flags the command line gave."""
    from dataclasses import replace

    from thoth_cli.discovery import Cpu, CudaToolkit

    machine = _with_python(machine, target)
    if flags.cuda_version is not None:
        machine = replace(machine, cuda_toolkit=CudaToolkit(flags.cuda_version, "--cuda-version"))
    if flags.cpu_flags is not None:
        given = frozenset(flags.cpu_flags)
        if machine.cpu is None:
            cpu = Cpu(
                vendor=None,
                brand=None,
                family=None,
                model=None,
                stepping=None,
                logical_cores=None,
                physical_cores=None,
                flags=given,
                source="--cpu-flags",
            )
        else:
            cpu = replace(machine.cpu, flags=given, source="--cpu-flags")
        machine = replace(machine, cpu=cpu)
    return machine


def _with_python(machine: RuntimeEnvironment, target: Target) -> RuntimeEnvironment:
    """The machine with the target's interpreter and platform; its packages only if that is its own."""
    from dataclasses import replace

    from thoth_cli.discovery import PythonInterpreter

    if _same_python(machine.python, target):
        return replace(machine, platform=target.platform)
    python = PythonInterpreter(
        implementation=target.implementation,
        version=target.python_version,
        version_exact=not target.python_version_stated,
        free_threaded=target.free_threaded,
        implementation_version=target.implementation_version,
    )
    return replace(machine, platform=target.platform, python=python, python_packages=None)


def _same_python(python: PythonInterpreter | None, target: Target) -> bool:
    return python is not None and (python.implementation, python.version, python.free_threaded) == (
        target.implementation,
        target.python_version,
        target.free_threaded,
    )


def plan_environments(
    consoles: Consoles,
    *,
    manifest_path: Path | None,
    runtime_environment: str | None,
    all_environments: bool,
    base_image: Path | None,
    image_platform: str | None,
    image_reference: str | None,
    output: Path | None,
) -> list[PlannedEnvironment]:
    """The environments this run locks for, from the flags, `.thoth.yaml` or a base image."""
    chosen = [
        flag
        for flag, given in (
            ("--runtime-environment", runtime_environment is not None),
            ("--all-environments", all_environments),
            ("--base-image", base_image is not None),
        )
        if given
    ]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} each name what to resolve for", fix="pass one of them")
    if base_image is None and (image_platform is not None or image_reference is not None):
        raise UsageError(
            "--image-platform and --image-reference choose within a base image", fix="pass --base-image too"
        )
    if base_image is not None:
        return [_base_image(consoles, base_image, image_platform, image_reference)]
    if runtime_environment is None and not all_environments:
        return [PlannedEnvironment()]
    config = _config(consoles, manifest_path)
    if runtime_environment is not None:
        spec = config.environment(runtime_environment)
        if spec is None:
            raise UsageError(
                f"--runtime-environment: {config.path} has no runtime environment {runtime_environment!r}"
                f" (it has: {', '.join(config.names) or 'none'})",
                fix=f"name one of them, or save this one with `thoth discover --save {runtime_environment}`",
            )
        specs: tuple[EnvironmentSpec, ...] = (spec,)
    else:
        specs = config.runtime_environments
        if not specs:
            raise ConfigError(
                "no runtime environments",
                location=Location(config.path, key="runtime_environments"),
                fix="add one with `thoth discover --save NAME`",
            )
        if len(specs) > 1 and config.overlays_dir is None:
            raise UsageError(
                f"--all-environments writes one lock per environment, and {config.path} sets no overlays_dir",
                fix=f"add `overlays_dir: overlays` to {config.path}: each environment's lock goes to "
                "overlays/<name>/",
            )
        if len(specs) > 1 and output is not None:
            raise UsageError(
                "--output names one lock, and --all-environments writes one per environment",
                fix="leave --output out: each lock goes to its environment's overlay folder",
            )
    for spec in specs:
        if spec.platform is not None and spec.platform_tag is None and spec.glibc is None:
            platform = spec.target_platform()
            if platform is not None and platform.os == "linux" and platform.libc is None:
                consoles.info(
                    f"runtime environment {spec.name} names platform {spec.platform} without glibc: only "
                    f"{platform} and pure-Python wheels fit; add glibc (e.g. glibc: '2.28') to accept "
                    "manylinux wheels"
                )
    return [PlannedEnvironment(spec.name, spec, config.overlay(spec.name)) for spec in specs]


def _config(consoles: Consoles, manifest_path: Path | None) -> ThothConfig:
    from thoth_cli.config import find_config, read_config

    start = manifest_path.parent if manifest_path is not None else Path()
    path = find_config(start)
    if path is None:
        raise ConfigError(
            "not found here or in the folders above",
            location=Location(start / CONFIG_NAME),
            fix="save an environment into it with `thoth discover --save NAME`",
        )
    config = read_config(path)
    for note in config.notes:
        consoles.debug(note)
    return config


def _base_image(
    consoles: Consoles, path: Path, image_platform: str | None, reference: str | None
) -> PlannedEnvironment:
    """The environment of an image archive, an image layout folder or an unpacked root."""
    from thoth_cli.config import describe_environment

    if path.is_dir() and not is_image_layout(path):
        if image_platform is not None or reference is not None:
            raise UsageError(
                f"{path} is an unpacked root, not an image to choose from",
                fix="leave out --image-platform and --image-reference",
            )
        described = describe_machine(root=path)
        name = str(path)
    else:
        described = describe_machine(image=path, image_platform=image_platform, reference=reference)
        name = described.image_name or path.name
    for note in described.image_notes:
        consoles.info(note)
    for probe_note in described.notes:
        consoles.debug(f"base image: {probe_note}")
    machine = described.environment
    installed: dict[NormalizedName, Version] = {}
    for package in machine.python_packages or ():
        try:
            installed[canonicalize_name(package.name)] = Version(package.version)
        except InvalidVersion:
            consoles.debug(f"base image: {package.name} {package.version} is not a version thoth can keep")
    spec = describe_environment(name, machine, base_image=name)
    return PlannedEnvironment(name, spec, None, machine, installed, name)


def _project(
    consoles: Consoles,
    manifest_path: Path | None,
    environment: PlannedEnvironment,
    constraints: tuple[Path, ...],
) -> Project:
    """The manifest: --manifest, the environment's own in its overlay folder, or the one found here."""
    directory = None
    if manifest_path is None and environment.overlay is not None and environment.overlay.is_dir():
        try:
            find_manifest(environment.overlay)
            directory = environment.overlay
        except ThothError:
            directory = None
    project = load_project(manifest_path, directory=directory)
    for note in project.notes:
        consoles.debug(note)
    return _with_constraints(project, constraints)


def _new_lock(advice: Advice) -> LockFile:
    """The lock just made, as a reader sees it (also on a dry run, when nothing was written)."""
    import tempfile

    from thoth_cli.lock.read import read_lock

    with tempfile.TemporaryDirectory(prefix="thoth-lock-") as folder:
        written = Path(folder) / advice.request.output.name
        written.write_text(advice.lock_text, encoding="utf-8")
        return read_lock(written)


def _write_graph(consoles: Consoles, advice: Advice, path: Path) -> None:
    """The stack's graph, changes against the lock it replaces highlighted."""
    from thoth_cli.graph import lock_graph, to_dot, to_svg

    dot = to_dot(lock_graph(_new_lock(advice), advice.previous), title=str(advice.request.output))
    write_atomic(path, to_svg(dot) if path.suffix.lower() == ".svg" else dot)
    consoles.info(f"wrote the dependency graph to {path}")


def _show_diff(consoles: Consoles, advice: Advice) -> None:
    """The new lock against the one it replaces, as `thoth diff` shows it."""
    from thoth_cli.cli.diff import show_diff
    from thoth_cli.diff import diff_stacks, side_of_lock

    if advice.previous is None:
        consoles.info("--diff: there was no lock to compare with")
        return
    new = side_of_lock(_new_lock(advice))
    old = side_of_lock(advice.previous)
    show_diff(consoles, diff_stacks(old, replace(new, label=f"{advice.request.output} (new)")))


def _recommendation_type(flag: str | None, spec: EnvironmentSpec | None) -> RecommendationType:
    """The flag, else the runtime environment's, else latest."""
    if flag is not None:
        return RecommendationType(flag)
    if spec is not None and spec.recommendation_type is not None:
        return RecommendationType(spec.recommendation_type)
    return RecommendationType.LATEST


def _write_report(consoles: Consoles, advice: Advice, path: Path) -> None:
    from thoth_cli.lock.atomic import write_atomic
    from thoth_cli.pipeline.report import Report

    assert advice.search is not None and advice.units is not None
    report = Report(
        advice.request.recommendation.type,
        advice.request.target.as_dict(),
        advice.search,
        advice.units,
    )
    write_atomic(path, report.to_json())
    consoles.info(f"wrote the report to {path}")


def _make_folder(folder: Path) -> None:
    """An environment's overlay folder is made with its first lock, as Thamos makes it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LockWriteError(folder, exc.strerror or str(exc)) from None


def _cuda_version(text: str | None) -> str | None:
    if text is None:
        return None
    if not _CUDA_VERSION.fullmatch(text.strip()):
        raise click.BadParameter(f"{text!r} is not a CUDA version such as 12.4", param_hint="--cuda-version")
    return text.strip()


def _cpu_flags(text: str | None) -> tuple[str, ...] | None:
    """`avx2,fma` or `avx2 fma`, as the kernel names them (lower case)."""
    if text is None:
        return None
    return tuple(dict.fromkeys(flag.lower() for flag in re.split(r"[\s,]+", text.strip()) if flag))


def upgrade_names(values: tuple[str, ...]) -> frozenset[NormalizedName]:
    """`-P NAME` values: a bare project name; anything else is a usage error, not a silent no-op."""
    names = set()
    for value in values:
        text = value.strip()
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", text):
            raise click.BadParameter(
                f"{value!r} is not a project name (give the name alone, e.g. -P requests; the "
                "newest version the requirements allow is chosen)",
                param_hint="--upgrade-package",
            )
        names.add(canonicalize_name(text))
    return frozenset(names)


def _count(stack: Sized) -> str:
    return "1 package" if len(stack) == 1 else f"{len(stack)} packages"


def manifest_python(project: Project) -> str | None:
    """The Python a manifest names (Pipfile `[requires]`), when it differs from this one.

    Pipenv would run that interpreter, so it is the sensible default target; with the same
    X.Y as the running interpreter, the running one's full version is more precise.
    """
    stated = project.python_version
    if not stated:
        return None
    if stated.count(".") == 1 and stated == "{}.{}".format(*sys.version_info[:2]):
        return None
    return stated


def check_requires_python(project: Project, target: Target) -> None:
    """A lock for a Python the project does not support would install, then break."""
    spec = project.requires_python
    if spec is None or spec.contains(target.python_full_version, prereleases=True):
        return
    raise UsageError(
        f"the target Python {target.python_full_version} is outside the project's requires-python "
        f"{spec} ({project.manifest})",
        fix="pass --python-version with a version the project supports",
    )


def _prerelease_mode(project: Project, flag: str | None, pre: bool) -> PrereleaseMode:
    if pre:
        return PrereleaseMode.ALLOW
    if flag:
        return PrereleaseMode(flag)
    if project.allow_prereleases:
        return PrereleaseMode.ALLOW
    return PrereleaseMode.IF_NECESSARY_OR_EXPLICIT


def _with_constraints(project: Project, files: tuple[Path, ...]) -> Project:
    if not files:
        return project
    from dataclasses import replace

    from thoth_cli.project.requirements import RequirementsReader

    extra: list[ProjectRequirement] = []
    for path in files:
        read = RequirementsReader().read(path)
        extra.extend(read.requirements)
        extra.extend(read.constraints)
    return replace(project, constraints=(*project.constraints, *extra))


def show_advice(consoles: Consoles, advice: Advice, *, table: bool = True) -> None:
    """The chosen stack as a table (stdout), and where the lock went (stderr)."""
    from thoth_cli.cli.advice_view import stack_table

    stack = advice.resolution.stack
    previous = (
        {p.name: p.version for p in advice.previous.packages if p.version is not None}
        if advice.previous is not None
        else None
    )
    if table and consoles.verbosity >= 0:
        consoles.out.print(stack_table(stack, previous))
    for package in stack.packages:
        if package.yanked_reason:
            consoles.warning(
                f"{package.display_name} {package.version} is yanked ({package.yanked_reason}); "
                "it was used because it is pinned exactly"
            )
    for req in advice.resolution.skipped_by_marker:
        consoles.debug(f"left out {req} (its marker is false on the target)")
    show_pipeline(consoles, advice)
    if advice.written is not None:
        consoles.info(f"wrote {advice.written} ({_count(stack)}, {advice.request.target.describe()})")
    else:
        consoles.info(f"dry run: {_count(stack)} resolved, nothing written")


def show_installed(consoles: Consoles, environment: PlannedEnvironment, advice: Advice) -> None:
    """Which of the base image's packages the lock keeps, changes, or does not need (stderr)."""
    if environment.image is None:
        return
    outcome = advice.installed
    if outcome is None:
        consoles.info(f"base image {environment.image} has no Python packages to keep")
        return
    prefix = f"base image {environment.image}"
    if outcome.kept:
        consoles.info(f"{prefix}: kept {', '.join(f'{name} {version}' for name, version in outcome.kept)}")
    if outcome.changed:
        changes = ", ".join(f"{name} {old} -> {new}" for name, old, new in outcome.changed)
        consoles.info(f"{prefix}: changed {changes}")
    if outcome.not_needed:
        unused = ", ".join(f"{name} {version}" for name, version in outcome.not_needed)
        consoles.info(f"{prefix}: not needed by the project: {unused}")


def show_pipeline(consoles: Consoles, advice: Advice) -> None:
    """What the pipeline did (stderr): its units with --verbose, warnings always, other stacks found."""
    found = advice.search
    if found is None:
        return
    best = found.stacks[0].stack
    if advice.units is not None and consoles.verbosity >= 1:
        for kind, units in (
            ("boots", advice.units.boots),
            ("pseudonyms", advice.units.pseudonyms),
            ("sieves", advice.units.sieves),
            ("steps", advice.units.steps),
            ("strides", advice.units.strides),
            ("wraps", advice.units.wraps),
        ):
            if units:
                consoles.debug(f"{kind}: {', '.join(unit.label for unit in units)}")
    justifications = [*best.justifications, *(j for p in best.packages for j in p.justifications)]
    # Errors first, then warnings, each kind grouped by the unit that raised it; the order
    # within a unit is the stack's.
    order = {JustificationType.ERROR: 0, JustificationType.WARNING: 1, JustificationType.INFO: 2}
    ranked = sorted(justifications, key=lambda j: (order[j.type], j.unit or ""))
    for justification in ranked:
        text = f"{_about(justification)}{justification.message} [{justification.unit or 'thoth'}]"
        if justification.type is JustificationType.INFO:
            consoles.debug(text)
        elif justification.type is JustificationType.WARNING:
            consoles.warning(text)
        else:
            consoles.error(text)
    counted = _counted(ranked)
    if counted:
        consoles.info(counted)
    for name in best.skipped_dependencies:
        consoles.warning(f"a unit left out dependencies of {name}: install the lock with --no-deps")
    for advice_given in found.stacks[0].advice:
        for variable, value in sorted(advice_given.environment.items()):
            consoles.info(f"advised: set {variable}={value}")
        for change in advice_given.manifest_changes:
            wanted = f" {change.requirement}" if change.requirement else ""
            because = f" ({change.reason})" if change.reason else ""
            consoles.info(f"advised: {change.action} {change.package}{wanted} in the manifest{because}")
    spent = f"{found.resolves} resolve{'s' if found.resolves != 1 else ''}"
    kind = advice.request.recommendation.type.value
    summary = f"{kind} stack, score {best.score:+.2f} ({spent})"
    if len(found.stacks) > 1:
        consoles.info(summary)
    else:
        consoles.debug(summary)
    for position, other in enumerate(found.stacks[1:], start=2):
        consoles.info(f"stack {position}, score {other.stack.score:+.2f}: {_difference(best, other.stack)}")
    if found.limit_reached and len(found.stacks) < advice.request.recommendation.count:
        consoles.warning(
            f"found {len(found.stacks)} of {advice.request.recommendation.count} stacks within --limit "
            f"{advice.request.recommendation.limit} resolves"
        )
    if found.stopped:
        consoles.warning(f"the search stopped early: {found.stopped}")


def _about(justification: Justification) -> str:
    """`name version: ` before a reason about one package, unless the reason starts by naming it."""
    if not justification.package:
        return ""
    about = justification.package
    if justification.version is not None:
        about += f" {justification.version}"
    return "" if justification.message.startswith(about + " ") else about + ": "


def _counted(justifications: list[Justification]) -> str:
    """`2 errors, 3 warnings (vulnerable-stack 2, release-age 1)` - empty when there are none."""
    parts = []
    for kind, noun in ((JustificationType.ERROR, "error"), (JustificationType.WARNING, "warning")):
        found = [j for j in justifications if j.type is kind]
        if not found:
            continue
        by_unit: dict[str, int] = {}
        for justification in found:
            by_unit[justification.unit or "thoth"] = by_unit.get(justification.unit or "thoth", 0) + 1
        units = ", ".join(f"{unit} {count}" for unit, count in sorted(by_unit.items()))
        parts.append(f"{len(found)} {noun}{'s' if len(found) != 1 else ''} ({units})")
    return ", ".join(parts)


def _difference(best: Stack, other: Stack) -> str:
    """How another stack differs from the best: `name old -> new`, added and removed packages."""
    mine = {p.name: p for p in best.packages}
    theirs = {p.name: p for p in other.packages}
    changes = []
    for name in sorted(set(mine) | set(theirs)):
        a, b = mine.get(name), theirs.get(name)
        if a is None and b is not None:
            changes.append(f"+{b.display_name} {b.version}")
        elif b is None and a is not None:
            changes.append(f"-{a.display_name} {a.version}")
        elif a is not None and b is not None and (a.version, a.index.name) != (b.version, b.index.name):
            changes.append(f"{b.display_name} {a.version} -> {b.version}")
    return ", ".join(changes) or "the same versions"
