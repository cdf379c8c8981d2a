"""Andamento: volume and mood over time; brushing the chart narrows every page to that period."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import count_undated, spike_periods, volume_over_time
from ui.charts import BRUSH, localise, net_sentiment_chart, timeline_chart
from ui.components import remembered_choice
from ui.format import fmt_int
from ui.selection import apply_brush
from ui.shell import page_context
from ui.state import StateKeys

ctx = page_context("app.timeline.title")
lang = ctx.lang
left, right = st.columns(2)
freq = remembered_choice(
    t("app.timeline.freq", lang), ("day", "week", "month"), state_key=StateKeys.TIMELINE_FREQ, default="day",
    format_func=lambda f: t(f"app.timeline.freq_{f}", lang), container=left,
)
split = remembered_choice(
    t("app.timeline.split", lang), ("none", "sentiment", "touchpoint"), state_key=StateKeys.TIMELINE_SPLIT,
    default="sentiment", format_func=lambda s: t(f"app.timeline.split_{s}", lang), container=right,
)
volume = volume_over_time(ctx.filtered, freq=freq, split=split, tz=ctx.tz)
if volume.is_empty():
    st.info(t("app.timeline.no_dates", lang))
    st.stop()
spikes = spike_periods(ctx.filtered, freq=freq, tz=ctx.tz).filter(pl.col("is_spike"))
# A new key per date range: once the brush has narrowed the dates, the redrawn chart starts unbrushed.
chart_key = f"{StateKeys.TIMELINE_CHART}_{ctx.flt.date_from}_{ctx.flt.date_to}"
st.altair_chart(
    localise(timeline_chart(volume, split=split, freq=freq, lang=lang, spikes=spikes), lang),
    key=chart_key,
    on_select=lambda: apply_brush(chart_key),
    selection_mode=[BRUSH],
)
st.caption(t("app.timeline.brush_help", lang))
if spikes.height:
    st.caption(t("app.timeline.spikes", lang, n=spikes.height))
st.subheader(t("app.timeline.net_title", lang))
overall = volume_over_time(ctx.filtered, freq=freq, split="none", tz=ctx.tz)
st.altair_chart(localise(net_sentiment_chart(overall, freq=freq, lang=lang), lang))
undated = count_undated(ctx.filtered)
if undated:
    st.caption(t("app.timeline.undated", lang, n=fmt_int(undated, lang)))
