"""The engine interface shared by every sentiment/emotion engine.

An engine may answer "I don't know" by returning ``None`` from
:meth:`Engine.analyze` (model missing, offline, failed to load); the pipeline
then falls back to the next engine (transformers -> embedded), as simplemma's
strategy chain does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import polars as pl

# progress(done, total): called from long analyses so a UI can draw a bar.
ProgressCallback = Callable[[int, int], None]

# Columns every engine returns, one row per input text, in input order.
ENGINE_OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "sentiment": pl.String(),  # "negative" | "neutral" | "positive"
    "sentiment_score": pl.Float64(),  # [-1, 1]
    "sentiment_confidence": pl.Float64(),  # [0, 1]
    "emotion": pl.String(),  # "joy" | "anger" | "fear" | "sadness" | "none"
    "emotion_confidence": pl.Float64(),  # [0, 1]
    "drivers_pos": pl.List(pl.String()),  # terms that pushed it up (may be empty)
    "drivers_neg": pl.List(pl.String()),  # terms that pushed it down (may be empty)
}


@dataclass(frozen=True)
class EngineInfo:
    """What produced a result; part of the result-cache key."""

    name: str  # "embedded" | "transformers"
    model_id: str  # lexicon name, or a Hugging Face id / local path
    version: str  # bump when the same input would give a different output

    @property
    def label(self) -> str:
        """Short human-readable name, e.g. ``transformers · cardiffnlp/...``."""
        return self.name if self.model_id == self.name else f"{self.name} · {self.model_id}"


@runtime_checkable
class Engine(Protocol):
    """A sentiment and emotion engine."""

    @property
    def info(self) -> EngineInfo: ...

    def analyze(
        self,
        texts: pl.Series,
        langs: pl.Series,
        progress: ProgressCallback | None = None,
    ) -> pl.DataFrame | None:
        """Analyse ``texts`` (String series; ``langs`` same length: "it", "en" or "other").

        Returns:
            A frame with exactly ``ENGINE_OUTPUT_SCHEMA`` and ``len(texts)`` rows in
            input order, or ``None`` when the engine cannot run here (the caller
            falls back). Must never raise on odd text (empty, emoji only, huge).
        """
        ...
