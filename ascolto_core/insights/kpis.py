"""Headline numbers of the Panoramica page, with the change against the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from ascolto_core.insights._frame import dominant_emotion, ensure_columns, local_date, mood_aggs, resolve_tz
from ascolto_core.insights.filters import MentionFilter, apply_filter


@dataclass(frozen=True)
class PeriodStats:
    """Mood of one period. Shares are over analysed mentions; None when undefined.

    Attributes:
        date_from, date_to: the period (inclusive, display zone); None when it has no dated mention.
        mentions: mentions in the period (after the other filters).
        analysed: of which with a sentiment.
        negative_share, positive_share: in [0, 1].
        net_sentiment: (positive - negative) / analysed, in [-1, 1].
        dominant_emotion: most frequent emotion other than "none" ("none" only if nothing else).
    """

    date_from: date | None
    date_to: date | None
    mentions: int
    analysed: int
    negative_share: float | None
    positive_share: float | None
    net_sentiment: float | None
    dominant_emotion: str | None


@dataclass(frozen=True)
class Headline:
    """The current period, the previous one of equal length, and the changes.

    ``previous`` is None when the data do not reach back into the previous
    period (nothing to compare with); each ``*_delta`` is None when either
    side is undefined. Deltas of shares are in share points (0.05 = +5 points).
    """

    current: PeriodStats
    previous: PeriodStats | None
    mentions_delta: int | None
    negative_share_delta: float | None
    positive_share_delta: float | None
    net_sentiment_delta: float | None

    # Shortcuts so a page can write ``headline.mentions``.
    @property
    def mentions(self) -> int:
        return self.current.mentions

    @property
    def negative_share(self) -> float | None:
        return self.current.negative_share

    @property
    def positive_share(self) -> float | None:
        return self.current.positive_share

    @property
    def net_sentiment(self) -> float | None:
        return self.current.net_sentiment

    @property
    def dominant_emotion(self) -> str | None:
        return self.current.dominant_emotion

    @property
    def mentions_change(self) -> float | None:
        """Relative change of volume (0.5 = +50%), None when the previous period had none."""
        if self.previous is None or self.previous.mentions == 0:
            return None
        return (self.current.mentions - self.previous.mentions) / self.previous.mentions


def _stats(frame: pl.DataFrame, date_from: date | None, date_to: date | None) -> PeriodStats:
    row = frame.select(mood_aggs()).row(0, named=True)
    return PeriodStats(
        date_from=date_from,
        date_to=date_to,
        mentions=int(row["mentions"]),
        analysed=int(row["analysed"]),
        negative_share=row["negative_share"],
        positive_share=row["positive_share"],
        net_sentiment=row["net_sentiment"],
        dominant_emotion=dominant_emotion(frame),
    )


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def headline(mentions: pl.DataFrame, flt: MentionFilter | None = None, tz: str | None = None) -> Headline:
    """Headline numbers for the filter's period and the period of equal length just before it.

    An open end of the filter's range is taken from the data (first/last day of
    the filtered mentions). The previous period uses every other filter unchanged.
    """
    tz = resolve_tz(tz)
    flt = flt or MentionFilter()
    frame = ensure_columns(mentions)
    current = apply_filter(frame, flt, tz)
    bounds = current.select(local_date(tz).min().alias("lo"), local_date(tz).max().alias("hi")).row(0)
    date_from = flt.date_from or bounds[0]
    date_to = flt.date_to or bounds[1]
    now = _stats(current, date_from, date_to)
    if date_from is None or date_to is None or date_to < date_from:
        return Headline(now, None, None, None, None, None)
    length = (date_to - date_from).days + 1
    prev_to = date_from - timedelta(days=1)
    prev_from = date_from - timedelta(days=length)
    first_day = frame.select(local_date(tz).min()).item()
    if first_day is None or first_day > prev_to:
        return Headline(now, None, None, None, None, None)
    before = _stats(
        apply_filter(frame, flt.replace(date_from=prev_from, date_to=prev_to), tz), prev_from, prev_to
    )
    return Headline(
        current=now,
        previous=before,
        mentions_delta=now.mentions - before.mentions,
        negative_share_delta=_delta(now.negative_share, before.negative_share),
        positive_share_delta=_delta(now.positive_share, before.positive_share),
        net_sentiment_delta=_delta(now.net_sentiment, before.net_sentiment),
    )
