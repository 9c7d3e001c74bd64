"""Manifest readers: Pipfile, pyproject.toml and requirements files into one `Project`."""

from __future__ import annotations
