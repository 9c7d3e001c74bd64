"""Resolution for a target environment: candidates, the resolvelib provider, and explanations."""

from __future__ import annotations
