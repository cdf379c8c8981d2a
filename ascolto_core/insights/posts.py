"""Example posts: the ones needing attention, sorting and pagination (fast on 100,000 rows)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import polars as pl

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import engagement_expr, ensure_columns

PostOrder = Literal["newest", "amplified", "negative"]
POST_ORDERS: tuple[str, ...] = ("newest", "amplified", "negative")


@dataclass(frozen=True)
class AttentionWeights:
    """How much each signal counts in the attention score (``config/insights.yaml: attention``).

    Attributes:
        negative: weight of negativity strength (0..1: -sentiment_score, or 1 for a negative label).
        question: weight of an unanswered question.
        engagement: weight of log-engagement, scaled to 0..1 by the most engaged candidate.
        recency: weight of freshness, exp-decaying with ``half_life_days``.
        half_life_days: age (from the newest mention) at which freshness halves.
    """

    negative: float = 1.0
    question: float = 0.6
    engagement: float = 0.8
    recency: float = 0.6
    half_life_days: float = 7.0

    @classmethod
    def from_config(cls, config: dict[str, Any] | None = None) -> AttentionWeights:
        """Read ``attention`` from ``config/insights.yaml`` (defaults for what is absent)."""
        section = (config if config is not None else load_config("insights")).get("attention") or {}
        known = {k: float(v) for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _negativity() -> pl.Expr:
    # The score says how negative; the label alone counts as fully negative.
    from_score = (-pl.col("sentiment_score")).clip(0.0, 1.0)
    from_label = pl.when(pl.col("sentiment") == "negative").then(1.0).otherwise(0.0)
    return pl.when(pl.col("sentiment") == "negative").then(from_score.fill_null(1.0)).otherwise(from_label)


def needs_attention(
    mentions: pl.DataFrame,
    n: int = 3,
    *,
    weights: AttentionWeights | None = None,
    now: datetime | None = None,
) -> pl.DataFrame:
    """The ``n`` negative posts and/or questions that most need an answer, best first.

    Score = weights · (negativity, is_question, log engagement, recency). Recency
    is measured from ``now`` (UTC) or, by default, from the newest mention, so an
    old dataset still ranks its own last days first. Adds columns
    ``attention_score`` (Float64) and ``attention_reason``
    ("negative_question" | "negative" | "question"; i18n ``insights.reason.*``).
    """
    w = weights or AttentionWeights.from_config()
    frame = ensure_columns(mentions)
    is_negative = (pl.col("sentiment") == "negative").fill_null(False)
    is_question = pl.col("is_question").fill_null(False)
    candidates = frame.filter(is_negative | is_question)
    reference = pl.lit(now).cast(pl.Datetime("us", "UTC")) if now else pl.col("created_at").max()
    log_eng = engagement_expr().log1p()
    age_days = (reference - pl.col("created_at")).dt.total_seconds() / 86_400.0
    recency = (
        (-(age_days.clip(lower_bound=0.0)) * math.log(2) / max(w.half_life_days, 1e-9)).exp().fill_null(0.0)
    )
    score = (
        w.negative * _negativity()
        + w.question * is_question.cast(pl.Float64)
        + w.engagement * (log_eng / pl.max_horizontal(log_eng.max(), pl.lit(1.0))).fill_null(0.0)
        + w.recency * recency
    )
    reason = (
        pl.when(is_negative & is_question)
        .then(pl.lit("negative_question"))
        .when(is_negative)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("question"))
    )
    return (
        candidates.with_columns(score.alias("attention_score"), reason.alias("attention_reason"))
        .sort("attention_score", "created_at", descending=True, nulls_last=True)
        .head(max(n, 0))
    )


def sort_posts(mentions: pl.DataFrame, order: str = "newest") -> pl.DataFrame:
    """Posts in the order a reader asked for; undated/unanalysed rows go last.

    - "newest": most recent first.
    - "amplified": most likes + shares + comments first (then newest).
    - "negative": most negative sentiment score first (then most amplified).

    Raises:
        AscoltoError: ``insights.bad_order`` for another order.
    """
    frame = ensure_columns(mentions)
    if order == "newest":
        return frame.sort("created_at", descending=True, nulls_last=True, maintain_order=True)
    if order == "amplified":
        return frame.sort(
            engagement_expr(),
            pl.col("created_at"),
            descending=[True, True],
            nulls_last=True,
            maintain_order=True,
        )
    if order == "negative":
        negative_first = pl.coalesce(
            pl.col("sentiment_score"),
            pl.col("sentiment").replace_strict(
                {"negative": -1.0, "neutral": 0.0, "positive": 1.0}, default=None, return_dtype=pl.Float64
            ),
        )
        return frame.sort(
            negative_first, engagement_expr(), descending=[False, True], nulls_last=True, maintain_order=True
        )
    raise AscoltoError("insights.bad_order", order=order, allowed=", ".join(POST_ORDERS))


@dataclass(frozen=True)
class PostPage:
    """One page of posts.

    Attributes:
        rows: the posts on this page.
        page: the page shown, 1-based (clamped into 1..pages).
        pages: number of pages (at least 1, also for no posts).
        total: number of posts over all pages.
        size: posts per page.
    """

    rows: pl.DataFrame
    page: int
    pages: int
    total: int
    size: int = 20

    @property
    def first(self) -> int:
        """1-based position of the first post shown ("posts 21-40 of 95"); 0 when there is none."""
        return 0 if self.total == 0 else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        """1-based position of the last post shown; 0 when there is none."""
        return 0 if self.total == 0 else self.first + self.rows.height - 1


def page_of(frame: pl.DataFrame, page: int = 1, size: int = 20) -> PostPage:
    """Slice ``frame`` into page ``page`` of ``size`` rows (out-of-range pages are clamped)."""
    size = max(int(size), 1)
    total = frame.height
    pages = max(math.ceil(total / size), 1)
    page = min(max(int(page), 1), pages)
    return PostPage(rows=frame.slice((page - 1) * size, size), page=page, pages=pages, total=total, size=size)
