"""Runtime environment discovery: this machine, an unpacked root file system, or a container image."""

from __future__ import annotations

from thoth_cli.discovery.discover import discover
from thoth_cli.discovery.image import ImageError, ImagePlatform, UnpackedImage, open_image, unpack_image
from thoth_cli.discovery.model import (
    SCHEMA,
    Container,
    Cpu,
    CudaToolkit,
    EnvironmentDescriptionError,
    Gpu,
    IncompleteEnvironmentError,
    Library,
    Memory,
    NvidiaDriver,
    OperatingSystem,
    PythonInterpreter,
    PythonPackage,
    Rocm,
    RuntimeEnvironment,
    SystemPackage,
)
from thoth_cli.discovery.probe import DEFAULT_TIMEOUT, ProbeNote
from thoth_cli.discovery.rootfs import RootFS

__all__ = [
    "DEFAULT_TIMEOUT",
    "SCHEMA",
    "Container",
    "Cpu",
    "CudaToolkit",
    "EnvironmentDescriptionError",
    "Gpu",
    "ImageError",
    "ImagePlatform",
    "IncompleteEnvironmentError",
    "Library",
    "Memory",
    "NvidiaDriver",
    "OperatingSystem",
    "ProbeNote",
    "PythonInterpreter",
    "PythonPackage",
    "Rocm",
    "RootFS",
    "RuntimeEnvironment",
    "SystemPackage",
    "UnpackedImage",
    "discover",
    "open_image",
    "unpack_image",
]
