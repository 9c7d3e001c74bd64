"""`discover()`: run every probe on a root and assemble the `RuntimeEnvironment`.

    from thoth_cli.discovery.discover import discover

    here = discover()                                   # this machine
    image = discover(RootFS(Path("/tmp/x/rootfs")))     # an unpacked image: nothing in it runs
    notes: list[ProbeNote] = []
    env = discover(notes=notes)                         # notes: why any part is None
    target = env.to_target()                            # what the resolver resolves for

Probes that may start a process (nvidia-smi, rocm-smi, nvcc, a named interpreter,
py-cpuinfo) run in threads while the file-reading probes run; no probe failure is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from thoth_cli.discovery import container as container_probe
from thoth_cli.discovery import cpu as cpu_probe
from thoth_cli.discovery import cuda, gpu, memory, os_info, python_env, system_packages
from thoth_cli.discovery.model import Gpu, RuntimeEnvironment
from thoth_cli.discovery.probe import DEFAULT_TIMEOUT, ProbeContext, ProbeNote
from thoth_cli.discovery.rootfs import RootFS


def discover(
    fs: RootFS | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    python: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    notes: list[ProbeNote] | None = None,
    host: bool | None = None,
) -> RuntimeEnvironment:
    """Describe the machine at `fs` (None: this machine).

    `host=False` reads `fs` as files only, even when it is `/` (`thoth discover --root /`):
    no program is run.

    `environ` is the root's environment (default: this process's for this machine, none
    for an image); `python` the interpreter to describe instead of the running one (a host
    path, run to ask it; for an image, a path inside it, read only); `timeout` the seconds
    any one program may run. Each probe's reasons for an unknown part are appended to
    `notes` when given.
    """
    ctx = ProbeContext.create(fs, environ=environ, timeout=timeout, python=python, host=host)
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="thoth-discover") as pool:
        nvidia = pool.submit(gpu.nvidia, ctx)
        amd = pool.submit(gpu.amd, ctx)
        toolkit = pool.submit(cuda.cuda_toolkit, ctx)
        layout = pool.submit(python_env.interpreter_layout, ctx)
        processor = pool.submit(cpu_probe.cpu, ctx)
        operating_system = os_info.operating_system(ctx)
        platform = os_info.platform(ctx)
        main_memory = memory.memory(ctx)
        cudnn, mkl = cuda.cudnn(ctx), cuda.mkl(ctx)
        openblas, openmpi = cuda.openblas(ctx), cuda.openmpi(ctx)
        packages = system_packages.system_packages(ctx)
        in_container = container_probe.container(ctx)
        interpreter = layout.result()
        python_packages = python_env.python_packages(ctx)
        nvidia_report, amd_report = nvidia.result(), amd.result()
        environment = RuntimeEnvironment(
            host=ctx.host,
            os=operating_system,
            platform=platform,
            python=None if interpreter is None else interpreter.interpreter,
            python_packages=python_packages,
            cpu=processor.result(),
            memory=main_memory,
            gpus=_gpus(nvidia_report, amd_report),
            nvidia_driver=None if nvidia_report is None else nvidia_report.driver,
            rocm=None if amd_report is None else amd_report.rocm,
            cuda_toolkit=toolkit.result(),
            cudnn=cudnn,
            mkl=mkl,
            openblas=openblas,
            openmpi=openmpi,
            system_packages=packages,
            container=in_container,
        )
    if notes is not None:
        notes.extend(ctx.notes)
    return environment


def _gpus(nvidia: gpu.NvidiaReport | None, amd: gpu.AmdReport | None) -> tuple[Gpu, ...] | None:
    """All GPUs found; None when NVIDIA's cannot be known and no AMD GPU was found."""
    amd_gpus = () if amd is None else amd.gpus
    if nvidia is None:
        return amd_gpus or None
    return nvidia.gpus + amd_gpus
