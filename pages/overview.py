"""Panoramica: headline numbers against the previous period, alerts, posts needing attention."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import headline, needs_attention, negative_spike_days
from ui import data
from ui.components import post_card
from ui.filters import set_date_range
from ui.format import category_name, fmt_date, fmt_int, fmt_pct, fmt_signed
from ui.shell import page_context

ctx = page_context("app.overview.title")
lang = ctx.lang
# No dates chosen means "the whole data period" (not the span of what other filters leave).
period = data.options(ctx.mentions, ctx.dataset_key, ctx.tz)
flt = ctx.flt
if flt.date_from is None and flt.date_to is None:
    flt = flt.replace(date_from=period.date_min, date_to=period.date_max)
head = headline(ctx.mentions, flt, ctx.tz)
now, before = head.current, head.previous


def points(delta: float | None) -> str | None:
    # Share changes are shown in percentage points, signed, so the arrow follows the sign.
    return None if delta is None else t("app.overview.points", lang, value=fmt_signed(delta * 100, lang, digits=1))


cols = st.columns(5)
cols[0].metric(
    t("app.overview.mentions", lang),
    fmt_int(now.mentions, lang),
    delta=None if head.mentions_delta is None else fmt_int(head.mentions_delta, lang, signed=True),
    border=True,
)
cols[1].metric(t("app.overview.negative_share", lang), fmt_pct(now.negative_share, lang), delta=points(head.negative_share_delta), delta_color="inverse", border=True)
cols[2].metric(t("app.overview.positive_share", lang), fmt_pct(now.positive_share, lang), delta=points(head.positive_share_delta), border=True)
cols[3].metric(
    t("app.overview.net_sentiment", lang),
    fmt_signed(now.net_sentiment, lang),
    delta=None if head.net_sentiment_delta is None else fmt_signed(head.net_sentiment_delta, lang),
    help=t("app.overview.net_sentiment_help", lang),
    border=True,
)
cols[4].metric(
    t("app.overview.emotion", lang),
    category_name("emotion", now.dominant_emotion, lang) if now.dominant_emotion else "–",
    delta=None if before is None or not before.dominant_emotion else t("app.overview.before", lang, value=category_name("emotion", before.dominant_emotion, lang)),
    delta_color="off",
    delta_arrow="off",
    border=True,
)
if period.date_max is not None:
    # Quick periods ending on the last day with data; they set the shared sidebar dates.
    quick = st.container(horizontal=True, vertical_alignment="center", gap="small")
    for days in (7, 30, 90):
        start = max(period.date_max - timedelta(days=days - 1), period.date_min)
        quick.button(
            t("app.overview.last_days", lang, n=days), key=f"quick_{days}", on_click=set_date_range,
            args=(start, period.date_max), icon=":material/date_range:",
        )
if before is None:
    st.caption(t("app.overview.no_previous", lang))
else:
    st.caption(t("app.overview.compared", lang, start=fmt_date(before.date_from, lang), end=fmt_date(before.date_to, lang)))

st.subheader(t("app.overview.alerts", lang))
alerts = negative_spike_days(ctx.filtered, tz=ctx.tz).filter(pl.col("is_alert")).sort("day", descending=True)
if alerts.is_empty():
    st.success(t("app.overview.no_alerts", lang))
else:
    lines = [
        t("app.overview.alert_line", lang, day=fmt_date(row["day"], lang), n=fmt_int(row["negative"], lang), base=fmt_signed(row["baseline"], lang, digits=1).lstrip("+"))
        for row in alerts.head(5).iter_rows(named=True)
    ]
    st.warning("\n".join(f"- {line}" for line in lines))
    if alerts.height > 5:
        st.caption(t("app.overview.more_alerts", lang, n=alerts.height - 5))
    st.page_link("pages/alerts.py", label=t("app.overview.to_alerts", lang), icon=":material/notifications_active:")

st.subheader(t("app.overview.attention", lang))
attention = needs_attention(ctx.filtered, n=3)
if attention.is_empty():
    st.info(t("app.overview.no_attention", lang))
for row in attention.iter_rows(named=True):
    st.caption(t(f"insights.reason.{row['attention_reason']}", lang))
    post_card(row, lang, ctx.tz)
