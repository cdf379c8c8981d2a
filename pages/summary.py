"""Riepilogo: the dashboard's figures from an aggregate daily summary alone (a dataset far larger than memory)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.scale.summary_insights import (
    summary_brands,
    summary_emotions,
    summary_totals,
    summary_touchpoints,
    summary_volume,
)
from ui import summary_view
from ui.charts import localise, net_sentiment_chart, timeline_chart
from ui.components import literal_t, remembered_choice, touchpoint_mix_columns
from ui.format import category_name, fmt_date, fmt_int, fmt_pct, fmt_signed
from ui.service_charts import brand_net_chart
from ui.state import StateKeys

lang = st.session_state.get(StateKeys.LANG, "it")
st.title(t("summary_view.title", lang))
opened = summary_view.current_summary(lang)
if st.session_state.get(StateKeys.SUMMARY_ERROR):
    st.error(st.session_state[StateKeys.SUMMARY_ERROR])
if opened is None:
    st.info(t("summary_view.none_open", lang))
    st.page_link("pages/data.py", label=t("summary_view.open_link", lang), icon=":material/database:")
    st.stop()
st.info(literal_t("summary_view.notice", lang, name=opened.name), icon=":material/summarize:")
table = opened.table
totals = summary_totals(table)

top, bottom = st.columns(3), st.columns(3)
top[0].metric(
    t("summary_view.mentions", lang), fmt_int(totals.mentions, lang),
    delta=t("summary_view.questions", lang) + f": {fmt_int(totals.questions, lang)}", delta_color="off", delta_arrow="off", border=True,
)
top[1].metric(t("summary_view.days_label", lang), fmt_int(totals.days, lang), border=True)
top[2].metric(
    t("summary_view.emotion", lang),
    category_name("emotion", totals.dominant_emotion, lang) if totals.dominant_emotion else "–", border=True,
)
bottom[0].metric(
    t("summary_view.net_sentiment", lang), fmt_signed(totals.net_sentiment, lang),
    help=t("summary_view.net_sentiment_help", lang), border=True,
)
bottom[1].metric(t("summary_view.negative_share", lang), fmt_pct(totals.negative_share, lang), border=True)
bottom[2].metric(t("summary_view.positive_share", lang), fmt_pct(totals.positive_share, lang), border=True)
if totals.date_from is not None:
    st.caption(t("summary_view.period_value", lang, start=fmt_date(totals.date_from, lang), end=fmt_date(totals.date_to, lang)))

st.subheader(t("summary_view.timeline_title", lang))
left, right = st.columns(2)
freq = remembered_choice(
    t("app.timeline.freq", lang), ("day", "week", "month"), state_key=StateKeys.SUMMARY_FREQ,
    default="day" if totals.days <= 120 else "week" if totals.days <= 1_100 else "month",  # bars stay readable
    format_func=lambda f: t(f"app.timeline.freq_{f}", lang), container=left,
)
split = remembered_choice(
    t("app.timeline.split", lang), ("none", "sentiment", "touchpoint"), state_key=StateKeys.SUMMARY_SPLIT,
    default="sentiment", format_func=lambda s: t(f"app.timeline.split_{s}", lang), container=right,
)
volume = summary_volume(table, freq=freq, split=split)
if volume.is_empty():
    st.info(t("summary_view.no_dates", lang))
else:
    st.altair_chart(localise(timeline_chart(volume, split=split, freq=freq, lang=lang, selectable=False), lang))
    st.subheader(t("summary_view.net_title", lang))
    st.altair_chart(localise(net_sentiment_chart(summary_volume(table, freq=freq), freq=freq, lang=lang), lang))
if totals.undated:
    st.caption(t("summary_view.undated", lang, n=fmt_int(totals.undated, lang)))

touchpoints = summary_touchpoints(table)
if touchpoints.is_empty():  # an empty summary: nothing to split by touchpoint or brand
    st.stop()
touchpoint_mix_columns(
    touchpoints,
    summary_emotions(table, "touchpoint"),
    lang,
    titles=("summary_view.touchpoints_title", "summary_view.emotions_title"),
)

st.subheader(t("summary_view.brands_title", lang))
brands = summary_brands(table)
if brands.is_empty():
    st.caption(t("summary_view.no_brands", lang))
else:
    left, right = st.columns(2)
    left.altair_chart(localise(brand_net_chart(brands, lang), lang))
    shown = brands.select(
        pl.col("brand").alias(t("summary_view.brand", lang)),
        pl.col("mentions").map_elements(lambda n: fmt_int(n, lang), return_dtype=pl.String).alias(t("summary_view.mentions", lang)),
        pl.col("share").map_elements(lambda s: fmt_pct(s, lang), return_dtype=pl.String).alias(t("summary_view.share", lang)),
    )
    right.dataframe(shown, hide_index=True)
