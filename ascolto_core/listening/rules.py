"""The alert rules: what is alarming right now, as records the round turns into notifications.

Every rule reads the workspace through insights functions (the spike uses the Allarmi
page's detector, :func:`ascolto_core.insights.alerts.negative_spike_so_far`) and returns
:class:`Alert` records with a stable ``key``: the round sends a key once, and sends a
follow-up when a key it sent is no longer alarming.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from ascolto_core.fetch.base import html_to_text, web_link
from ascolto_core.insights import responses
from ascolto_core.insights._frame import engagement_expr
from ascolto_core.insights.alerts import AlertConfig, SpikeWindow, negative_spike_so_far
from ascolto_core.insights.voice import account_key, mark_own, own_author_expr
from ascolto_core.listening import state
from ascolto_core.listening.config import ListeningRules
from ascolto_core.profile import BrandProfile

# Why the responses figures cannot be computed -> the message the round gives for skipping the rule.
_MISSING_REASONS = {
    responses.NO_REPLY_LINKS: "listening.skip.no_reply_links",
    responses.NO_OWN_POSTS: "listening.skip.no_own_posts",  # own accounts listed, none of their posts in the data
}

RULES: tuple[str, ...] = ("spike_today", "spike_hours", "amplified", "unanswered", "source_failing")
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Example:
    """One post quoted in a message: plain text, cut to :data:`EXCERPT_CHARS`."""

    text: str
    author: str | None = None
    when: str | None = None  # local "dd/mm HH:MM"
    url: str | None = None


@dataclass(frozen=True)
class Alert:
    """Something alarming now.

    Attributes:
        key: stable identity (the same situation gives the same key in every round).
        rule: one of :data:`RULES`.
        numbers: the figures the message quotes (plain JSON values).
        examples: up to ``examples`` posts.
        page: the app page that shows it (url path, e.g. "allarmi").
    """

    key: str
    rule: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    page: str = "allarmi"


@dataclass(frozen=True)
class Evaluation:
    """The alerts of one round, the rules that could not run (rule, message key) and engagement seen."""

    alerts: tuple[Alert, ...]
    evaluated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    engagement: dict[str, list[Any]]


def excerpt(text: Any, limit: int = EXCERPT_CHARS) -> str:
    """Plain one-paragraph text of a post: markup dropped, blanks collapsed, cut with "…"."""
    if not isinstance(text, str):
        return ""
    plain = html_to_text(text) if "<" in text or "&" in text else text
    plain = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def examples_of(frame: pl.DataFrame, tz: str, n: int) -> tuple[Example, ...]:
    """The first ``n`` rows of ``frame`` as :class:`Example` records."""
    zone = ZoneInfo(tz)
    out = []
    for row in frame.head(max(n, 0)).iter_rows(named=True):
        created = row.get("created_at")
        when = created.astimezone(zone).strftime("%d/%m %H:%M") if isinstance(created, datetime) else None
        # Uploaded data may hold markup in names and javascript: links: only plain text and http(s) leave.
        out.append(Example(excerpt(row.get("text")), excerpt(row.get("author"), 60) or None, when, web_link(row.get("url"))))
    return tuple(out)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def customer_mentions(lazy: pl.LazyFrame, profile: BrandProfile) -> pl.LazyFrame:
    """The customers' mentions: the brand's own posts are kept out of mood and alerts, as on every page."""
    names = lazy.collect_schema().names()
    own = own_author_expr(profile) if "author" in names else None
    if own is not None:
        return lazy.filter(~own)
    if "is_own" in names:
        return lazy.filter(~pl.col("is_own").fill_null(False))
    return lazy


def today_so_far(
    mentions: pl.DataFrame | pl.LazyFrame, now: datetime, detector: AlertConfig, tz: str, *, hours: float | None = None
) -> SpikeWindow | None:
    """Today's negatives so far (or the last ``hours`` hours) against the same hours of previous days.

    The one partial-day computation: the listening round alerts on it and the Allarmi page
    shows it. History starts on the first day with a dated mention, so a new workspace never
    alerts on its first day.

    Returns:
        The scored window, or ``None`` when no mention has a date.
    """
    lazy = mentions.lazy() if isinstance(mentions, pl.DataFrame) else mentions
    dated = lazy.filter(pl.col("created_at").is_not_null())
    first = dated.select(pl.col("created_at").min()).collect().item()
    if first is None:
        return None
    first_day = first.astimezone(ZoneInfo(tz)).date()
    return negative_spike_so_far(dated, now, detector, tz, hours=hours, first_day=first_day)


def spike_alerts(lazy: pl.LazyFrame, now: datetime, rules: ListeningRules, tz: str) -> tuple[list[Alert], list[str]] | None:
    """Today so far and the last ``recent_hours`` hours against the same windows of previous days.

    Returns the alerts and the rules evaluated (the last hours are not scored while today
    alerts), or ``None`` when no mention has a date.
    """
    found: list[Alert] = []
    today = today_so_far(lazy, now, rules.spike.detector, tz)
    if today is None:
        return None
    windows: list[tuple[str, SpikeWindow]] = [("spike_today", today)]
    if not today.is_alert and rules.spike.recent_hours > 0:
        recent = today_so_far(lazy, now, rules.spike.detector, tz, hours=rules.spike.recent_hours)
        if recent is not None:
            windows.append(("spike_hours", recent))
    for rule, window in windows:
        if not window.is_alert:
            continue
        posts = (
            lazy.filter(
                pl.col("created_at").is_between(window.start.astimezone(UTC), window.end.astimezone(UTC), closed="both")
                & (pl.col("sentiment") == "negative")
            )
            .with_columns(engagement_expr().alias("engagement"))
            .sort(["engagement", "created_at"], descending=True, nulls_last=True)
            .head(rules.examples)
            .collect()
        )
        numbers = {
            "negative": window.negative,
            "mentions": window.mentions,
            "baseline": _round(window.baseline),
            "ratio": _round(window.ratio),
            "z": _round(window.robust_z),
            "hours": rules.spike.recent_hours,
            "since": window.start.strftime("%H:%M"),
            "until": window.end.strftime("%H:%M"),
            "day": window.end.date().isoformat(),
            "history_days": window.history_days,
        }
        found.append(Alert(f"{rule}:{window.end.date().isoformat()}", rule, numbers, examples_of(posts, tz, rules.examples), "allarmi"))
    return found, [rule for rule, _ in windows]


def amplified_alerts(
    lazy: pl.LazyFrame,
    now: datetime,
    rules: ListeningRules,
    tz: str,
    fetched: pl.DataFrame,
    previous: Mapping[str, Any],
    active: frozenset[str] = frozenset(),
) -> tuple[list[Alert], dict[str, list[Any]]]:
    """Negative posts of the last ``window_hours`` over the engagement/reach thresholds or growing fast.

    ``fetched`` holds ``id, engagement, reach`` as the sources answered in this round (stored
    counts are those of the first sighting); ``previous`` is the highest engagement seen at
    earlier rounds; growth counts only for posts read again in this round. A post already
    alerted (its key in ``active``) stays alarming until it leaves the window.
    """
    rule = rules.amplified
    since = now - timedelta(hours=rule.window_hours)
    watched = (
        lazy.filter((pl.col("created_at") >= since) & (pl.col("sentiment") == "negative").fill_null(False))
        .select("id", "text", "author", "url", "created_at", engagement_expr().alias("stored"), pl.col("reach").fill_null(0).alias("stored_reach"))
        .collect()
    )
    if fetched.height:
        watched = watched.join(fetched.select("id", "engagement", "reach"), on="id", how="left")
    else:
        watched = watched.with_columns(pl.lit(None, dtype=pl.Int64).alias("engagement"), pl.lit(None, dtype=pl.Int64).alias("reach"))
    watched = watched.with_columns(
        pl.col("engagement").is_not_null().alias("read_now"),
        pl.max_horizontal("stored", pl.col("engagement").fill_null(0)).alias("engagement"),
        pl.max_horizontal("stored_reach", pl.col("reach").fill_null(0)).alias("reach"),
    )
    seen_at = state.iso(now)
    memory: dict[str, list[Any]] = {}
    found: list[Alert] = []
    for row in watched.sort("engagement", descending=True).iter_rows(named=True):
        before = previous.get(row["id"])
        known = int(before[0]) if isinstance(before, list) and before and isinstance(before[0], int) else None
        growth = row["engagement"] - known if known is not None and row["read_now"] else 0
        memory[row["id"]] = [max(int(row["engagement"]), known or 0), seen_at]
        key = f"amplified:{row['id']}"
        loud = row["engagement"] >= rule.min_engagement or row["reach"] >= rule.min_reach
        if loud or (rule.growth and growth >= rule.growth) or key in active:
            numbers = {"engagement": int(row["engagement"]), "reach": int(row["reach"]), "growth": int(growth), "min_engagement": rule.min_engagement}
            found.append(Alert(key, "amplified", numbers, examples_of(pl.DataFrame([row]), tz, 1), "post"))
    return found, memory


def _possibly_own(profile: BrandProfile) -> pl.Expr:
    """A cheap superset of the brand's own posts, so a big workspace is not read whole (``mark_own`` decides)."""
    keys = sorted({account_key(a) for a in profile.own_accounts if account_key(a)})
    if not keys:
        return pl.lit(False)
    author = pl.col("author").cast(pl.String).str.to_lowercase().str.replace_all(r"\s+", " ")
    return author.str.contains_any(keys, ascii_case_insensitive=True).fill_null(False)


def waiting_for_reply(lazy: pl.LazyFrame, now: datetime, rules: ListeningRules, profile: BrandProfile) -> tuple[pl.DataFrame, str | None]:
    """Complaints and questions of the rule's window still without a reply from the brand.

    The very computation of the Servizio clienti page
    (:func:`ascolto_core.insights.responses.unanswered`): customer posts are those whose author
    is not one of ``profile.own_accounts`` (:func:`~ascolto_core.insights.voice.mark_own`),
    posts about a competitor are not the brand's to answer, and only the brand's replies at or
    after a post count. The window runs from ``window_hours`` to ``hours`` before ``now``.

    Returns:
        The waiting posts, oldest first, and why the figures cannot be computed
        (:data:`~ascolto_core.insights.responses.NO_REPLY_LINKS`, ``NO_OWN_POSTS``), else ``None``.
    """
    rule = rules.unanswered
    window = lazy.filter(pl.col("created_at").is_between(now - timedelta(hours=rule.window_hours), now - timedelta(hours=rule.hours)))
    posts = mark_own(window.collect(), profile)
    # Where replies are looked up: every mention that answers another, and the brand's own posts.
    pool = mark_own(lazy.filter(pl.col("reply_to").is_not_null() | _possibly_own(profile)).collect(), profile)
    missing = responses.missing_reason(posts, pool)
    if missing is not None:
        return posts.clear(), missing
    return responses.unanswered(posts, replies=pool, brand=profile.brand or None), None


def unanswered_alerts(waiting: pl.DataFrame, now: datetime, rules: ListeningRules, tz: str) -> list[Alert]:
    """One alert per post of :func:`waiting_for_reply`, keyed by the post (ends when the reply arrives)."""
    found = []
    for row in waiting.iter_rows(named=True):
        waited = (now - row["created_at"]).total_seconds() / 3600
        kind = "question" if row.get("is_question") else "complaint"
        numbers = {"hours": int(waited), "threshold": rules.unanswered.hours, "kind": kind}
        found.append(Alert(f"unanswered:{row['id']}", "unanswered", numbers, examples_of(pl.DataFrame([row]), tz, 1), "post"))
    return found


def unanswered_skip_reason(mentions: pl.LazyFrame, profile: BrandProfile) -> str | None:
    """Why the unanswered rule cannot run on this data (a message key), or ``None`` when it can.

    The canonical table always has ``reply_to``; data whose sources give no reply links
    leaves it empty, and then "unanswered" would mean every complaint.
    """
    if "reply_to" not in mentions.collect_schema().names():
        return "listening.skip.no_reply_links"
    if not mentions.select(pl.col("reply_to").is_not_null().any()).collect().item():
        return "listening.skip.no_reply_links"
    if not profile.own_accounts:
        return "listening.skip.no_own_accounts"
    return None


def source_alerts(health: Mapping[str, Mapping[str, Any]], now: datetime, rules: ListeningRules) -> list[Alert]:
    """Sources failing without interruption for at least ``source_failing.hours``."""
    found = []
    for label, record in sorted(health.items()):
        since = state.parse(record.get("failing_since"))
        if since is None or now - since < timedelta(hours=rules.source_failing.hours):
            continue
        hours = int((now - since).total_seconds() // 3600)
        numbers = {"source": label, "hours": hours, "failures": int(record.get("failures") or 0), "problem": record.get("message") or ""}
        found.append(Alert(f"source_failing:{label}:{record['failing_since']}", "source_failing", numbers, (), "dati"))
    return found


def evaluate(
    lazy: pl.LazyFrame,
    now: datetime,
    rules: ListeningRules,
    *,
    tz: str,
    profile: BrandProfile,
    health: Mapping[str, Mapping[str, Any]],
    fetched: pl.DataFrame,
    previous_engagement: Mapping[str, Any],
    active: frozenset[str] = frozenset(),
) -> Evaluation:
    """Run every enabled rule on the workspace's mentions (``lazy``) as of ``now``."""
    found: list[Alert] = []
    evaluated: list[str] = []
    skipped: list[tuple[str, str]] = []
    engagement: dict[str, list[Any]] = {}
    dated = lazy.filter(pl.col("created_at").is_not_null())
    customers = customer_mentions(dated, profile)
    if rules.spike.enabled:
        spiked = spike_alerts(customers, now, rules, tz)
        if spiked is None:
            skipped.append(("spike_today", "listening.skip.no_data"))
        else:
            found += spiked[0]
            evaluated += spiked[1]
    if rules.amplified.enabled:
        alerts, engagement = amplified_alerts(customers, now, rules, tz, fetched, previous_engagement, active)
        found += alerts
        evaluated.append("amplified")
    if rules.unanswered.enabled:
        reason = unanswered_skip_reason(dated, profile)
        waiting = None
        if reason is None:
            waiting, missing = waiting_for_reply(dated, now, rules, profile)
            reason = _MISSING_REASONS.get(missing) if missing else None
        if reason is not None or waiting is None:
            skipped.append(("unanswered", reason or "listening.skip.no_reply_links"))
        else:
            found += unanswered_alerts(waiting, now, rules, tz)
            evaluated.append("unanswered")
    if rules.source_failing.enabled:
        found += source_alerts(health, now, rules)
        evaluated.append("source_failing")
    return Evaluation(tuple(found), tuple(evaluated), tuple(skipped), engagement)
