"""NVIDIA GPUs from nvidia-smi of several driver generations and from driver files; AMD from rocm-smi."""

from __future__ import annotations

import pytest

from tests.discovery.conftest import DATA, FakeRoot, FakeTools, host_context, image_context
from thoth_cli.discovery.gpu import (
    AmdReport,
    NvidiaReport,
    amd,
    capability_from_name,
    newest_cuda,
    nvidia,
    parse_proc_version,
    parse_smi_header,
)
from thoth_cli.discovery.model import Gpu, NvidiaDriver, Rocm
from thoth_cli.discovery.probe import ProbeNote

MIB = 2**20

ROCM_SMI = (
    '{"card0": {"VRAM Total Memory (B)": "8587837440", "VRAM Total Used Memory (B)": "10960896", '
    '"Card series": "Instinct MI210", "Card model": "0x0c34", "Card vendor": '
    '"Advanced Micro Devices, Inc. [AMD/ATI]", "Card SKU": "D67301", "GFX Version": "gfx90a"}, '
    '"card1": {"VRAM Total Memory (B)": "17175674880", "VRAM Total Used Memory (B)": "10960896", '
    '"Card series": "Instinct MI210", "Card model": "0x0c34", "Card vendor": '
    '"Advanced Micro Devices, Inc. [AMD/ATI]", "Card SKU": "D67301"}, '
    '"system": {"Driver version": "6.3.6"}}\n'
)


@pytest.mark.parametrize(
    ("driver", "cuda"),
    [
        ("595.71.05", "13.2"),
        ("580.65.06", "13.0"),
        ("580.65.05", "12.9"),
        ("570.195.03", "12.8"),
        ("570.86.10", "12.8"),
        ("565.57.01", "12.6"),
        ("535.104.05", "12.2"),
        ("530.30.02", "12.1"),
        ("525.60.13", "12.0"),
        ("470.82.01", "11.4"),
        ("418.87.01", "10.1"),
        ("346.46", "7.0"),
        ("340.108", None),
        ("not a version", None),
    ],
)
def test_the_driver_table_gives_the_newest_cuda_a_linux_driver_runs(driver: str, cuda: str | None) -> None:
    assert newest_cuda(driver) == cuda


def test_windows_drivers_have_their_own_minimums() -> None:
    assert newest_cuda("576.02", windows=True) == "12.9"
    assert newest_cuda("570.26", windows=True) == "12.6"
    # NVIDIA lists no Windows driver for CUDA 13: the table cannot vouch for more than 12.9.
    assert newest_cuda("591.44", windows=True) == "12.9"


@pytest.mark.parametrize(
    ("name", "capability"),
    [
        ("Tesla P100-PCIE-16GB", "6.0"),
        ("Tesla V100-SXM2-16GB", "7.0"),
        ("Tesla T4", "7.5"),
        ("NVIDIA A100-SXM4-80GB", "8.0"),
        ("NVIDIA A10G", "8.6"),
        ("NVIDIA A10", "8.6"),
        ("NVIDIA L4", "8.9"),
        ("NVIDIA L40S", "8.9"),
        ("NVIDIA H100 80GB HBM3", "9.0"),
        ("NVIDIA GeForce RTX 3090", "8.6"),
        ("NVIDIA GeForce RTX 4090", "8.9"),
        ("NVIDIA GeForce RTX 5090", "12.0"),
        ("GeForce GTX 1080 Ti", "6.1"),
        ("Tesla P4", "6.1"),
        ("Tesla K80", "3.7"),
        ("Quadro K2200", None),
    ],
)
def test_common_gpus_have_a_known_compute_capability(name: str, capability: str | None) -> None:
    assert capability_from_name(name) == capability


def test_both_nvidia_smi_header_styles_are_read() -> None:
    assert parse_smi_header((DATA / "nvidia-smi" / "r535-two-h100" / "plain.txt").read_text()) == (
        "535.104.05",
        "12.2",
    )
    # Drivers from the 610 branch split the header into kernel and user-mode versions.
    assert parse_smi_header(
        "| NVIDIA-SMI 610.43.02              KMD Version: 610.43.02     CUDA UMD Version: 13.3 |"
    ) == (
        "610.43.02",
        "13.3",
    )
    assert parse_smi_header(
        "| NVIDIA-SMI 418.181.07   Driver Version: 418.181.07   CUDA Version: N/A      |"
    ) == (
        "418.181.07",
        None,
    )


def test_both_kernel_modules_name_their_version() -> None:
    assert (
        parse_proc_version((DATA / "proc-driver-nvidia" / "proprietary-535.txt").read_text()) == "535.216.03"
    )
    assert parse_proc_version((DATA / "proc-driver-nvidia" / "open-570.txt").read_text()) == "570.195.03"
    assert parse_proc_version("GCC version:  gcc version 12.3.0\n") is None


def test_driver_418_cannot_report_compute_capability_so_the_name_does(
    root: FakeRoot, tools: FakeTools
) -> None:
    tools.nvidia_smi("r418-p100")
    ctx = host_context(root, tools)
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("418.87.01", "10.1", "nvidia-smi"),
        (Gpu("nvidia", "Tesla P100-PCIE-16GB", 16280 * MIB, "6.0", 0),),
    )
    assert ctx.notes == [
        ProbeNote(
            "nvidia", "this driver's nvidia-smi cannot report compute_cap; taking it from the GPU's name"
        )
    ]


def test_two_gpus_on_driver_535(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("r535-two-h100")
    ctx = host_context(root, tools)
    h100 = "NVIDIA H100 80GB HBM3"
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("535.104.05", "12.2", "nvidia-smi"),
        (Gpu("nvidia", h100, 81559 * MIB, "9.0", 0), Gpu("nvidia", h100, 81559 * MIB, "9.0", 1)),
    )
    assert ctx.notes == []


def test_one_gpu_on_driver_570(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("r570-l40s")
    assert nvidia(host_context(root, tools)) == NvidiaReport(
        NvidiaDriver("570.195.03", "12.8", "nvidia-smi"),
        (Gpu("nvidia", "NVIDIA L40S", 46068 * MIB, "8.9", 0),),
    )


def test_a_header_without_cuda_falls_back_to_the_driver_table(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("r418-container-no-cuda")
    ctx = host_context(root, tools)
    report = nvidia(ctx)
    assert report is not None
    assert report.driver == NvidiaDriver("418.181.07", "10.1", "driver-table")
    assert report.gpus == (Gpu("nvidia", "Tesla V100-SXM2-16GB", 16130 * MIB, "7.0", 0),)
    assert (
        ProbeNote("nvidia", "nvidia-smi's header gives no CUDA version; using NVIDIA's driver table")
        in ctx.notes
    )


def test_no_gpu_is_an_answer_not_an_error(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("no-gpu")
    ctx = host_context(root, tools)
    assert nvidia(ctx) == NvidiaReport(None, ())
    assert ctx.notes == [ProbeNote("nvidia", "nvidia-smi: No devices were found: no usable NVIDIA GPU")]


def test_no_gpu_with_a_loaded_driver_still_names_the_driver(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("no-gpu")
    root.copy("/proc/driver/nvidia/version", "proc-driver-nvidia/open-570.txt")
    assert nvidia(host_context(root, tools)) == NvidiaReport(
        NvidiaDriver("570.195.03", "12.8", "driver-table"), ()
    )


def test_missing_nvidia_smi_means_no_nvidia_gpus(root: FakeRoot, tools: FakeTools) -> None:
    ctx = host_context(root, tools)
    assert nvidia(ctx) == NvidiaReport(None, ())
    assert ctx.notes == [ProbeNote("nvidia", "nvidia-smi is not on PATH: no NVIDIA GPUs")]


def test_without_nvidia_smi_the_driver_files_list_the_gpus(root: FakeRoot, tools: FakeTools) -> None:
    root.copy("/proc/driver/nvidia/version", "proc-driver-nvidia/proprietary-535.txt")
    root.write("/proc/driver/nvidia/gpus/0000:00:1e.0/information", "Model: \t\t Tesla T4\nIRQ:   \t\t 38\n")
    ctx = host_context(root, tools)
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("535.216.03", "12.2", "driver-table"), (Gpu("nvidia", "Tesla T4", None, "7.5", 0),)
    )
    assert ctx.notes == [ProbeNote("nvidia", "nvidia-smi is not on PATH: the driver's files list the GPUs")]


def test_garbage_from_nvidia_smi_leaves_the_gpus_unknown(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("garbage")
    ctx = host_context(root, tools)
    assert nvidia(ctx) is None
    assert ctx.notes == [
        ProbeNote("nvidia", "ignored nvidia-smi output: '\\x1b[?1049h\\x00\\x7fGPU?? 0xDEADBEEF ::: <<<'"),
        ProbeNote("nvidia", "ignored nvidia-smi output: 'meow, purr, 42'"),
    ]


def test_warnings_among_the_gpus_are_noted_and_skipped(root: FakeRoot, tools: FakeTools) -> None:
    tools.script(
        "nvidia-smi",
        "import sys\n"
        "if any(arg.startswith('--query-gpu=') for arg in sys.argv):\n"
        "    print('WARNING: infoROM is corrupted at gpu 0000:00:1E.0')\n"
        "    print('Tesla T4, 15360, 550.54.15, 7.5')\n"
        "else:\n"
        "    print('| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |')\n",
    )
    ctx = host_context(root, tools)
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("550.54.15", "12.4", "nvidia-smi"), (Gpu("nvidia", "Tesla T4", 15360 * MIB, "7.5", 0),)
    )
    assert ctx.notes == [
        ProbeNote("nvidia", "ignored nvidia-smi output: 'WARNING: infoROM is corrupted at gpu 0000:00:1E.0'")
    ]


def test_a_hanging_nvidia_smi_is_stopped_and_the_driver_files_answer(
    root: FakeRoot, tools: FakeTools
) -> None:
    tools.hanging("nvidia-smi")
    root.copy("/proc/driver/nvidia/version", "proc-driver-nvidia/proprietary-535.txt")
    root.write("/proc/driver/nvidia/gpus/0000:00:1e.0/information", "Model: \t\t Tesla T4\nIRQ:   \t\t 38\n")
    ctx = host_context(root, tools, timeout=0.5)
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("535.216.03", "12.2", "driver-table"), (Gpu("nvidia", "Tesla T4", None, "7.5", 0),)
    )
    assert ctx.notes == [
        ProbeNote("nvidia", f"{tools.folder / 'nvidia-smi'} did not finish within 0.5 s and was stopped")
    ]


def test_a_hanging_nvidia_smi_alone_leaves_the_gpus_unknown(root: FakeRoot, tools: FakeTools) -> None:
    tools.hanging("nvidia-smi")
    assert nvidia(host_context(root, tools, timeout=0.5)) is None


def test_an_image_is_read_from_its_driver_files_and_nothing_runs(root: FakeRoot, tools: FakeTools) -> None:
    tools.nvidia_smi("r535-two-h100")
    root.copy("/proc/driver/nvidia/version", "proc-driver-nvidia/open-570.txt")
    root.write(
        "/proc/driver/nvidia/gpus/0000:25:00.0/information", "Model: \t\t NVIDIA L40S\nIRQ:   \t\t 38\n"
    )
    ctx = image_context(root, environ=tools.environ)
    assert nvidia(ctx) == NvidiaReport(
        NvidiaDriver("570.195.03", "12.8", "driver-table"), (Gpu("nvidia", "NVIDIA L40S", None, "8.9", 0),)
    )


def test_an_image_without_driver_files_leaves_the_gpus_unknown(root: FakeRoot) -> None:
    ctx = image_context(root)
    assert nvidia(ctx) is None
    assert ctx.notes == [
        ProbeNote("nvidia", "the root has no NVIDIA driver files: its GPUs are the machine's it will run on")
    ]


def test_amd_gpus_and_rocm(root: FakeRoot, tools: FakeTools) -> None:
    tools.script("rocm-smi", f"import sys\nsys.stdout.write({ROCM_SMI!r})\n")
    root.write("/opt/rocm-6.0.2/.info/version", "6.0.2-115\n").link("/opt/rocm", "rocm-6.0.2")
    assert amd(host_context(root, tools)) == AmdReport(
        Rocm("6.0.2", "/opt/rocm"),
        (
            Gpu("amd", "Instinct MI210", 8587837440, "gfx90a", 0),
            Gpu("amd", "Instinct MI210", 17175674880, None, 1),
        ),
    )


def test_rocm_without_a_version_file_is_named_by_its_folder(root: FakeRoot) -> None:
    root.folder("/opt/rocm-5.7.1/lib").link("/opt/rocm", "rocm-5.7.1")
    assert amd(image_context(root)) == AmdReport(Rocm("5.7.1", "/opt/rocm"), ())


def test_no_rocm_no_amd_gpus(root: FakeRoot, tools: FakeTools) -> None:
    assert amd(host_context(root, tools)) == AmdReport(None, ())


def test_rocm_smi_that_prints_no_json(root: FakeRoot, tools: FakeTools) -> None:
    tools.script("rocm-smi", "print('ERROR: GPU[0] : Unable to get product name')\nraise SystemExit(2)\n")
    ctx = host_context(root, tools)
    assert amd(ctx) == AmdReport(None, ())
    assert ctx.notes == [
        ProbeNote("amd", "rocm-smi printed no JSON (exit 2): ERROR: GPU[0] : Unable to get product name")
    ]
