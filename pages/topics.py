"""Temi: which topics of the experience carry the mood, on which touchpoint, over time, and the posts behind a cell."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights.aspects import aspect_summary, aspect_touchpoint_matrix, aspect_trend, posts_with_aspect
from ui.charts import localise
from ui.components import post_cards, remembered_choice
from ui.format import category_name, fmt_int, fmt_pct, fmt_signed
from ui.service_charts import aspect_heatmap, aspect_trend_chart
from ui.shell import page_context
from ui.state import StateKeys

ctx = page_context("service.topics.title")
lang = ctx.lang
summary = aspect_summary(ctx.filtered)
if summary.is_empty():
    st.info(t("service.topics.missing", lang))
    st.stop()

worst = summary.filter(pl.col("mentions") >= 5).sort("net_sentiment").head(1)
if worst.height and worst["net_sentiment"][0] < 0:
    row = worst.row(0, named=True)
    st.warning(
        t("service.topics.worst", lang, aspect=category_name("service.aspect", row["aspect"], lang),
          n=fmt_int(row["mentions"], lang), neg=fmt_pct(row["negative_share"], lang), net=fmt_signed(row["net_sentiment"], lang))
    )

st.subheader(t("service.topics.matrix_title", lang))
matrix = aspect_touchpoint_matrix(ctx.filtered)
st.altair_chart(localise(aspect_heatmap(matrix, lang), lang))
st.caption(t("service.topics.matrix_help", lang))

st.subheader(t("service.topics.trend_title", lang))
st.caption(t("service.topics.trend_help", lang))
freq = remembered_choice(
    t("app.timeline.freq", lang), ("week", "month"), state_key=StateKeys.TOPIC_FREQ, default="month",
    format_func=lambda key: t(f"service.freq.{key}", lang),
)
# The five most talked-about topics: more lines would hide each other.
trend = aspect_trend(ctx.filtered, freq=freq, tz=ctx.tz).filter(pl.col("aspect").is_in(summary.head(5)["aspect"].implode()))
if trend.is_empty():
    st.info(t("app.timeline.no_dates", lang))
else:
    st.altair_chart(localise(aspect_trend_chart(trend, lang), lang))

st.subheader(t("service.topics.posts_title", lang))
aspects = summary.get_column("aspect").to_list()
left, right = st.columns(2)
# The cell to read opens on the worst aspect (most negative), on all touchpoints.
if st.session_state.get(StateKeys.TOPIC_PICK) not in aspects:
    st.session_state[StateKeys.TOPIC_PICK] = summary.sort("net_sentiment").get_column("aspect")[0]
aspect = left.selectbox(t("service.chart.aspect", lang), aspects, key=StateKeys.TOPIC_PICK, format_func=lambda a: category_name("service.aspect", a, lang))
touchpoints = ["*", *matrix.filter(pl.col("aspect") == aspect).sort("mentions", descending=True).get_column("touchpoint").to_list()]
if st.session_state.get(StateKeys.TOPIC_CELL) not in touchpoints:
    st.session_state[StateKeys.TOPIC_CELL] = "*"
touchpoint = right.selectbox(
    t("app.chart.touchpoint", lang), touchpoints, key=StateKeys.TOPIC_CELL,
    format_func=lambda k: t("service.topics.all_touchpoints", lang) if k == "*" else category_name("touchpoint", k, lang),
)
posts = posts_with_aspect(ctx.filtered, aspect, None if touchpoint == "*" else touchpoint)
negative_first = pl.col("aspect_sentiment").replace_strict({"negative": 0, "neutral": 1, "positive": 2}, default=3)
posts = posts.sort(negative_first, pl.col("created_at"), descending=[False, True], nulls_last=True)
st.caption(t("service.topics.posts_help", lang, n=fmt_int(posts.height, lang)))
post_cards(posts.head(5).iter_rows(named=True), lang, ctx.tz)
