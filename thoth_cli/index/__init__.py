"""The package-index client: simple API pages, core metadata, and their cache."""

from __future__ import annotations
