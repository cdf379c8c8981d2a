"""What a person taught: labels and vocabulary, as a portable, readable file.

The file is plain JSON (``{"format": "ascolto-taught", "version": 1, "labels": [...],
"vocabulary": [...]}``): a consultant can reuse a sector's vocabulary across clients,
and the adapted model is always rebuilt from these records, never loaded from an
opaque file. Until the workspace stores labels, this is also where they live.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.analysis.learning.vocabulary import (
    VOCABULARY_SCHEMA,
    VocabularyEntry,
    entries_from_frame,
    vocabulary_frame,
)
from ascolto_core.errors import AscoltoError
from ascolto_core.schema import EMOTIONS, SENTIMENTS

FORMAT = "ascolto-taught"
FORMAT_VERSION = 1
# A person's labels: the text is kept so the model can be rebuilt anywhere.
LABEL_SCHEMA: dict[str, pl.DataType] = {
    "mention_id": pl.String(),
    "text": pl.String(),
    "lang": pl.String(),
    "sentiment": pl.String(),  # one of SENTIMENTS or null
    "emotion": pl.String(),  # one of EMOTIONS or null
    "at_random": pl.Boolean(),  # asked because the queue drew it at random (estimate sample)
}


@dataclass(frozen=True)
class Taught:
    """Labels and vocabulary of one workspace.

    Attributes:
        labels: ``LABEL_SCHEMA`` rows (the last label of a mention wins).
        vocabulary: the person's vocabulary entries.
    """

    labels: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LABEL_SCHEMA))
    vocabulary: tuple[VocabularyEntry, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", clean_labels(self.labels))

    def with_label(
        self,
        mention_id: str,
        text: str,
        lang: str,
        sentiment: str | None = None,
        emotion: str | None = None,
        *,
        at_random: bool = False,
    ) -> Taught:
        """A copy with one more (or a corrected) label (``at_random``: drawn at random by the queue)."""
        row = pl.DataFrame(
            [(mention_id, text, lang, sentiment, emotion, at_random)], schema=LABEL_SCHEMA, orient="row"
        )
        return Taught(pl.concat([self.labels, row]), self.vocabulary)

    def with_term(self, entry: VocabularyEntry) -> Taught:
        """A copy with one more (or a replaced) vocabulary entry."""
        kept = tuple(e for e in self.vocabulary if e.term != entry.term)
        return Taught(self.labels, (*kept, entry))

    def fingerprint(self) -> str:
        """Digest of the content (cache key of the engine built from it)."""
        import hashlib

        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready content."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "labels": self.labels.to_dicts(),
            "vocabulary": vocabulary_frame(self.vocabulary).to_dicts(),
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> Taught:
        """Validate and read :meth:`to_dict` output.

        Raises:
            AscoltoError: ``learning.taught.bad_file`` with the reason.
        """
        def bad(reason: str) -> AscoltoError:
            return AscoltoError("learning.taught.bad_file", path=source, reason=reason)

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise bad(f"expected format {FORMAT!r}")
        if data.get("version") != FORMAT_VERSION:
            raise bad(f"unsupported version {data.get('version')!r}")
        labels, vocabulary = data.get("labels", []), data.get("vocabulary", [])
        if not isinstance(labels, list) or not isinstance(vocabulary, list):
            raise bad("labels and vocabulary must be lists")
        try:
            frame = pl.DataFrame(
                [{name: row.get(name) for name in LABEL_SCHEMA} for row in labels],
                schema=LABEL_SCHEMA,
            )
            entries = entries_from_frame(
                pl.DataFrame(
                    [{name: row.get(name) for name in VOCABULARY_SCHEMA} for row in vocabulary],
                    schema=VOCABULARY_SCHEMA,
                )
            )
            return cls(frame, entries)
        except (ValueError, TypeError, AttributeError, pl.exceptions.PolarsError) as error:
            raise bad(str(error)) from error


def clean_labels(labels: pl.DataFrame) -> pl.DataFrame:
    """Labels in ``LABEL_SCHEMA``: last label per mention, values outside the label sets refused.

    Raises:
        ValueError: for a missing column or an unknown sentiment/emotion.
    """
    missing = {"text", "sentiment"} - set(labels.columns)
    if missing:
        raise ValueError(f"labels need columns text, sentiment; missing {sorted(missing)}")
    frame = labels.with_columns(
        *(pl.lit(None, dtype=dtype).alias(name) for name, dtype in LABEL_SCHEMA.items() if name not in labels.columns)
    ).select([pl.col(name).cast(dtype) for name, dtype in LABEL_SCHEMA.items()])
    bad_sentiment = frame.filter(pl.col("sentiment").is_not_null() & ~pl.col("sentiment").is_in(list(SENTIMENTS)))
    bad_emotion = frame.filter(pl.col("emotion").is_not_null() & ~pl.col("emotion").is_in(list(EMOTIONS)))
    if bad_sentiment.height or bad_emotion.height:
        values = [*bad_sentiment["sentiment"].to_list(), *bad_emotion["emotion"].to_list()][:3]
        raise ValueError(f"unknown labels {values}")
    frame = frame.with_columns(pl.col("at_random").fill_null(False))
    keyed = frame.with_columns(pl.col("mention_id").fill_null(pl.col("text")).alias("_key"))
    return keyed.unique("_key", keep="last", maintain_order=True).drop("_key")


def save_taught(taught: Taught, path: Path) -> None:
    """Write ``taught`` as a JSON file.

    Raises:
        AscoltoError: ``learning.taught.write_failed``.
    """
    try:
        path.write_text(json.dumps(taught.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as error:
        raise AscoltoError("learning.taught.write_failed", path=path, reason=error.strerror or str(error)) from error


def load_taught(path: Path) -> Taught:
    """Read a file written by :func:`save_taught`.

    Raises:
        AscoltoError: ``learning.taught.read_failed`` (missing/unreadable/not JSON) or
            ``learning.taught.bad_file`` (JSON that is not a teaching file).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise AscoltoError("learning.taught.read_failed", path=path, reason=reason) from error
    return Taught.from_dict(data, str(path))


def merge_taught(parts: Sequence[Taught]) -> Taught:
    """Several teachings in one (later parts win for the same mention or term)."""
    labels = pl.concat([part.labels for part in parts]) if parts else pl.DataFrame(schema=LABEL_SCHEMA)
    vocabulary: dict[str, VocabularyEntry] = {}
    for part in parts:
        for entry in part.vocabulary:
            vocabulary[entry.term] = entry
    return Taught(labels, tuple(vocabulary.values()))
