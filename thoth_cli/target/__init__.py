"""The target environment a resolution is made for: its wheel tags and its marker environment."""

from __future__ import annotations

from thoth_cli.target.model import Platform, Target, TargetError
from thoth_cli.target.tags import TagPriority

__all__ = ["Platform", "TagPriority", "Target", "TargetError"]
