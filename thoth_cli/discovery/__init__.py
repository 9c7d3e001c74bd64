"""Runtime environment discovery: this machine, an unpacked root file system, or a container image."""

from __future__ import annotations
