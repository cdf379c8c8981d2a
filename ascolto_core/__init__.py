"""Ascolto core: loading, analysing and summarising brand mentions (no UI code here)."""

from __future__ import annotations

from ascolto_core.errors import AscoltoError
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, TOUCHPOINTS, conform, empty_mentions

__all__ = ["ANALYSIS_SCHEMA", "MENTION_SCHEMA", "TOUCHPOINTS", "AscoltoError", "conform", "empty_mentions"]
