"""A small analysed mentions table for the app tests (built here, no engine needed).

Sixty days of mentions for a fictional shop: steady days with 1 negative, and
one incident day (2026-09-14) with 12 negative Instagram posts about "attesa"
(waiting), so alerts, distinctive words and spikes have something to find.
Numbers the tests assert on are derived from these rules, not hard-coded
elsewhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from ascolto_core.analysis.base import EngineInfo
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, conform

START = datetime(2026, 8, 1, 8, 30, tzinfo=UTC)
DAYS = 60
INCIDENT_DAY = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)
INCIDENT_POSTS = 12
ENGINE = EngineInfo(name="embedded", model_id="embedded", version="test")

_POSITIVE = "Cornetto al pistacchio buonissimo, personale gentile"
_NEUTRAL = "Siete aperti anche la domenica pomeriggio?"
_NEGATIVE = "Caffè freddo e servizio lento, peccato"
_INCIDENT = "Attesa infinita per l'ordine su Brio Club, ordine sbagliato"


def _row(i: int, when: datetime, text: str, touchpoint: str, sentiment: str, emotion: str, likes: int) -> dict:
    score = {"negative": -0.7, "neutral": 0.0, "positive": 0.8}[sentiment]
    return {
        "id": f"m{i:04d}",
        "text": text,
        "created_at": when,
        "touchpoint": touchpoint,
        "source": "test",
        "author": f"utente_{i % 7}",
        "url": f"https://example.org/post/{i}",
        "lang": "it",
        "likes": likes,
        "shares": 0,
        "comments": 0,
        "brand": "Forno Brio",
        "sentiment": sentiment,
        "sentiment_score": score,
        "sentiment_confidence": 0.9,
        "emotion": emotion,
        "emotion_confidence": 0.8,
        "drivers_pos": ["buonissimo", "gentile"] if sentiment == "positive" else [],
        "drivers_neg": ["lento", "freddo"] if text == _NEGATIVE else (["attesa", "sbagliato"] if sentiment == "negative" else []),
        "is_question": text.endswith("?"),
        "engine": "embedded",
    }


def analysed_mentions() -> pl.DataFrame:
    """The canonical + analysis table described in the module docstring."""
    rows: list[dict] = []
    for day in range(DAYS):
        base = START + timedelta(days=day)
        rows.append(_row(len(rows), base, _POSITIVE, "google_reviews", "positive", "joy", 2))
        rows.append(_row(len(rows), base + timedelta(hours=3), _NEUTRAL, "facebook", "neutral", "none", 0))
        # Evenings (21:00 Rome) are outside office hours.
        rows.append(_row(len(rows), base + timedelta(hours=10, minutes=30), _NEGATIVE, "email", "negative", "anger", 1))
    for k in range(INCIDENT_POSTS):
        rows.append(_row(len(rows), INCIDENT_DAY + timedelta(minutes=20 * k), _INCIDENT, "instagram", "negative", "anger", 30 + k))
    frame = pl.DataFrame(rows, schema={**MENTION_SCHEMA, **ANALYSIS_SCHEMA}, strict=False)
    return conform(frame).with_columns(*(pl.col(c).cast(d) for c, d in ANALYSIS_SCHEMA.items()))


def total_mentions() -> int:
    return DAYS * 3 + INCIDENT_POSTS
