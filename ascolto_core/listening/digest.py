"""The optional daily or weekly digest: the mood of the period, its change, and the period's alerts.

The numbers come from :func:`ascolto_core.insights.kpis.headline`, the same function as the
overview page, so the digest and the app never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from ascolto_core.i18n import t
from ascolto_core.insights.filters import MentionFilter
from ascolto_core.insights.kpis import headline
from ascolto_core.listening import state
from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.notify import Message, page_link

MAX_ALERTS_LISTED = 5


@dataclass(frozen=True)
class DigestPeriod:
    """The period a digest covers (local days, inclusive) and its key (sent once)."""

    kind: str  # "daily" | "weekly"
    date_from: date
    date_to: date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.date_from.isoformat()}"


def due_period(rules: ListeningRules, now: datetime, tz: str) -> DigestPeriod | None:
    """The last complete day (daily) or Monday-Sunday week (weekly) once ``digest_hour`` has passed; else ``None``."""
    if rules.digest == "off":
        return None
    local = now.astimezone(ZoneInfo(tz))
    if local.hour < rules.digest_hour:
        return None
    today = local.date()
    if rules.digest == "daily":
        day = today - timedelta(days=1)
        return DigestPeriod("daily", day, day)
    monday = today - timedelta(days=today.weekday())
    return DigestPeriod("weekly", monday - timedelta(days=7), monday - timedelta(days=1))


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f}".replace("-", "−")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def compose_digest(
    lazy: pl.LazyFrame,
    period: DigestPeriod,
    alerts: Mapping[str, Mapping[str, Any]],
    *,
    brand: str,
    tz: str,
    lang: str = "it",
    app_url: str | None = None,
) -> Message:
    """The digest message of ``period`` (mentions of the period and of the one before are read)."""
    zone = ZoneInfo(tz)
    length = (period.date_to - period.date_from).days + 1
    since = datetime.combine(period.date_from - timedelta(days=length + 1), datetime.min.time(), zone)
    until = datetime.combine(period.date_to + timedelta(days=2), datetime.min.time(), zone)
    frame = lazy.filter(pl.col("created_at").is_between(since.astimezone(UTC), until.astimezone(UTC))).collect()
    numbers = headline(frame, MentionFilter(date_from=period.date_from, date_to=period.date_to), tz)
    label = t(f"listening.digest.{period.kind}", lang, day=period.date_from.strftime("%d/%m"), until=period.date_to.strftime("%d/%m"))
    lines = [
        t(
            "listening.digest.mood",
            lang,
            mentions=numbers.mentions,
            change=("—" if numbers.mentions_delta is None else f"{numbers.mentions_delta:+d}"),
            negative=_share(numbers.negative_share),
            negative_change=_points(numbers.negative_share_delta),
            positive=_share(numbers.positive_share),
            positive_change=_points(numbers.positive_share_delta),
            emotion=t(f"emotion.{numbers.dominant_emotion}", lang) if numbers.dominant_emotion else "—",
        )
    ]
    sent = []
    for record in alerts.values():
        when = state.parse(record.get("sent_at"))
        if when is not None and period.date_from <= when.astimezone(zone).date() <= period.date_to:
            sent.append((when, str(record.get("title") or record.get("rule"))))
    sent.sort(reverse=True)
    lines.append(t("listening.digest.alerts", lang, count=len(sent)))
    lines += [f"- {title}" for _, title in sent[:MAX_ALERTS_LISTED]]
    link = page_link(app_url, "panoramica")
    if link:
        lines += ["", t("listening.message.open", lang, url=link)]
    return Message(t("listening.digest.title", lang, brand=brand or "—", period=label), "\n".join(lines))
