"""Small synthetic mention files for the workspace tests (no real posts, no eval data)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

_WORDS = ("ottimo", "pessimo", "buono", "lento", "gentile", "caro", "freddo", "caldo")


def mentions_frame(n: int, prefix: str = "p", *, start: int = 0) -> pl.DataFrame:
    """``n`` mentions with distinct ids ``{prefix}{i}``, URLs, authors and dates; few distinct texts (fast analysis)."""
    rows = range(start, start + n)
    return pl.DataFrame(
        {
            "id": [f"{prefix}{i}" for i in rows],
            "text": [f"Il cornetto {_WORDS[i % 8]} numero {i % 50} {prefix}" for i in rows],
            "author": [f"{prefix}-user{i % 997}" for i in rows],
            "created_at": [f"2026-0{1 + i % 9}-{10 + i % 18} 10:{i % 60:02d}:00" for i in rows],
            "url": [f"https://social.example/{prefix}/{i}" for i in rows],
            "source": ["Instagram"] * n,
        }
    )


def write_mentions(path: Path, n: int, prefix: str = "p", *, start: int = 0) -> Path:
    """Write :func:`mentions_frame` as CSV to ``path`` and return it."""
    mentions_frame(n, prefix, start=start).write_csv(path)
    return path
