"""The embedded offline engine: Italian + English lexicons and rules, vectorised in Polars."""

from __future__ import annotations

from ascolto_core.analysis.embedded.engine import EmbeddedEngine
from ascolto_core.analysis.embedded.lexicon import Lexicon, lexicon_size, load_lexicon

__all__ = ["EmbeddedEngine", "Lexicon", "lexicon_size", "load_lexicon"]
