"""Touchpoint: volume, sentiment mix, emotions and distinctive words per channel, worst mood first."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import emotion_mix, touchpoint_summary
from ui import data
from ui.components import literal_t, touchpoint_mix_columns
from ui.format import category_name, fmt_pct, fmt_signed
from ui.shell import page_context
from ui.state import StateKeys
from ui.tables import terms_table, touchpoint_table

ctx = page_context("app.touchpoints.title")
lang = ctx.lang
summary = touchpoint_summary(ctx.filtered)
worst = summary.row(0, named=True)
if worst["net_sentiment"] is not None and summary.height > 1:
    st.warning(
        literal_t(
            "app.touchpoints.worst",
            lang,
            name=category_name("touchpoint", worst["touchpoint"], lang),
            net=fmt_signed(worst["net_sentiment"], lang),
            neg=fmt_pct(worst["negative_share"], lang),
        )
    )
touchpoint_mix_columns(
    summary, emotion_mix(ctx.filtered, "touchpoint"), lang, titles=("app.touchpoints.mix", "app.touchpoints.emotions")
)
touchpoint_table(summary, lang)

st.subheader(t("app.touchpoints.keywords", lang))
choices = summary.get_column("touchpoint").to_list()
if st.session_state.get(StateKeys.TOUCHPOINT_PICK) not in choices:
    st.session_state[StateKeys.TOUCHPOINT_PICK] = choices[0]
picked = st.selectbox(
    t("app.touchpoints.pick", lang), choices, key=StateKeys.TOUCHPOINT_PICK, format_func=lambda k: category_name("touchpoint", k, lang)
)
in_group = pl.col("touchpoint").fill_null("other") == picked
index = data.term_index(ctx.mentions, ctx.dataset_key)  # tokenised once per dataset, reused by every filter
terms = data.distinctive_terms(
    ctx.filtered, in_group, f"{ctx.cache_key}|tp={picked}", n=15, _index=index
)
if terms.is_empty():
    st.info(t("app.touchpoints.no_keywords", lang))
else:
    st.caption(literal_t("app.touchpoints.keywords_help", lang, name=category_name("touchpoint", picked, lang)))
    terms_table(terms, lang, key="touchpoint_terms")
