"""The command-line interface: the only part of thoth that writes to the terminal."""

from __future__ import annotations
