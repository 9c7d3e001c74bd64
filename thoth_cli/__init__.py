"""thoth_cli: Project Thoth's adviser on the command line."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
