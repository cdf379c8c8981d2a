"""Concorrenti: share of voice over time, mood, emotions and channels per brand, and what is said of each."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import emotion_mix, sort_posts
from ascolto_core.insights.competitors import brand_comparison, has_competitors, share_of_voice, touchpoint_mix
from ui import data
from ui.charts import emotion_mix_chart, localise
from ui.components import escape_markdown, literal_t, post_cards, remembered_choice
from ui.format import fmt_int, fmt_pct, fmt_signed
from ui.service_charts import brand_net_chart, share_of_voice_chart, touchpoint_mix_chart
from ui.shell import page_context
from ui.state import StateKeys
from ui.tables import terms_table

ctx = page_context("service.competitors.title")
lang = ctx.lang
if not has_competitors(ctx.filtered):
    st.info(t("service.competitors.missing", lang))
    st.stop()

comparison = brand_comparison(ctx.filtered)
cols = st.columns(min(4, comparison.height))
for col, row in zip(cols, comparison.iter_rows(named=True), strict=False):
    col.metric(
        escape_markdown(row["brand"]),
        fmt_pct(row["share"], lang),
        delta=t("service.competitors.net", lang, net=fmt_signed(row["net_sentiment"], lang)),
        delta_color="off",
        delta_arrow="off",
        help=t("service.competitors.share_help", lang, n=fmt_int(row["mentions"], lang)),
        border=True,
    )

st.subheader(t("service.competitors.sov_title", lang))
freq = remembered_choice(
    t("app.timeline.freq", lang), ("week", "month"), state_key=StateKeys.COMPETITOR_FREQ, default="week",
    format_func=lambda key: t(f"service.freq.{key}", lang),
)
st.altair_chart(localise(share_of_voice_chart(share_of_voice(ctx.filtered, freq=freq, tz=ctx.tz), lang), lang))

left, right = st.columns(2)
with left:
    st.subheader(t("service.competitors.mood_title", lang))
    st.altair_chart(localise(brand_net_chart(comparison, lang), lang))
    st.subheader(t("service.competitors.channels_title", lang))
    st.altair_chart(localise(touchpoint_mix_chart(touchpoint_mix(ctx.filtered), lang), lang))
with right:
    st.subheader(t("service.competitors.emotions_title", lang))
    order = comparison.get_column("brand").to_list()
    st.altair_chart(localise(emotion_mix_chart(emotion_mix(ctx.filtered, "brand"), lang, group_area="brand", order=order), lang))

st.subheader(t("service.competitors.words_title", lang))
brands = comparison.get_column("brand").to_list()
if st.session_state.get(StateKeys.COMPETITOR_PICK) not in brands:
    st.session_state[StateKeys.COMPETITOR_PICK] = brands[-1]
picked = st.selectbox(t("service.competitors.pick", lang), brands, key=StateKeys.COMPETITOR_PICK)
in_brand = pl.col("brand") == picked
index = data.term_index(ctx.mentions, ctx.dataset_key)  # tokenised once per dataset
terms = data.distinctive_terms(ctx.filtered, in_brand, f"{ctx.cache_key}|brand={picked}", n=15, _index=index)
if terms.is_empty():
    st.info(t("service.competitors.no_words", lang))
else:
    st.caption(literal_t("service.competitors.words_help", lang, brand=picked))
    terms_table(terms, lang, key="competitor_terms")
examples = sort_posts(ctx.filtered.filter(in_brand), "amplified")
st.caption(literal_t("service.competitors.examples", lang, brand=picked, n=fmt_int(examples.height, lang)))
post_cards(examples.head(3).iter_rows(named=True), lang, ctx.tz)
