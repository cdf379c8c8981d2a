"""Parole: word clouds of negative and positive mentions, distinctive terms, and the posts behind a term."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import sort_posts
from ui import data
from ui.components import literal_t, post_cards, remembered_choice
from ui.format import category_name, fmt_int
from ui.shell import page_context
from ui.state import StateKeys
from ui.tables import terms_table
from ui.wordclouds import terms_for_cloud

ctx = page_context("app.words.title")
lang = ctx.lang
touchpoints = ["", *ctx.filtered.get_column("touchpoint").drop_nulls().unique().sort().to_list()]
if st.session_state.get(StateKeys.WORDS_TOUCHPOINT) not in touchpoints:
    st.session_state[StateKeys.WORDS_TOUCHPOINT] = ""
scope_tp = st.selectbox(
    t("app.words.scope", lang), touchpoints, key=StateKeys.WORDS_TOUCHPOINT,
    format_func=lambda k: t("app.words.all_touchpoints", lang) if not k else category_name("touchpoint", k, lang),
)
scope = ctx.filtered.filter(pl.col("touchpoint") == scope_tp) if scope_tp else ctx.filtered
key = f"{ctx.cache_key}|tp={scope_tp}"
index = data.term_index(ctx.mentions, ctx.dataset_key)  # tokenised once per dataset, reused by every filter

# One pass over the texts: a term's size in each cloud is its count in that mood's mentions,
# its colour the net sentiment over all mentions (a word often in complaints but mostly praised shows green).
overall = data.top_terms(scope, f"{key}|all", n=400, _index=index)
columns = st.columns(2)
for column, mood in zip(columns, ("negative", "positive"), strict=True):
    with column:
        st.subheader(t(f"app.words.cloud_{mood}", lang))
        image = data.cloud_png(terms_for_cloud(overall, mood=mood, limit=60))
        if image is None:
            st.info(t("app.words.no_terms", lang))
        else:
            st.image(image, width="stretch", alt=t(f"app.words.cloud_{mood}", lang))
st.caption(t("app.words.cloud_help", lang))

st.subheader(t("app.words.distinctive", lang))
mood = remembered_choice(
    t("app.words.compare", lang), ("negative", "positive"), state_key="words_mood", default="negative",
    format_func=lambda m: t(f"app.words.compare_{m}", lang),
)
in_group = (pl.col("sentiment") == mood).fill_null(False)
group_size = scope.select(in_group.sum()).item()
if group_size in (0, scope.height):
    # Nothing to compare with (e.g. the sidebar keeps only one sentiment).
    st.info(t("app.words.no_compare", lang))
    st.stop()
terms = data.distinctive_terms(scope, in_group, f"{key}|d={mood}", n=25, _index=index)
if terms.is_empty():
    st.info(t("app.words.no_terms", lang))
    st.stop()
selection = terms_table(terms, lang, key=f"{StateKeys.WORDS_TABLE}_{mood}", selectable=True)
rows = selection.selection.rows if selection is not None else []
term_list = terms.get_column("term").to_list()
picked_row = (mood, rows[0]) if rows else None
if picked_row is not None and st.session_state.get("words_last_row") != picked_row:
    # A click in the table picks the term once; the dropdown can change it afterwards.
    st.session_state["words_last_row"] = picked_row
    st.session_state[StateKeys.WORDS_TERM] = term_list[rows[0]]
if st.session_state.get(StateKeys.WORDS_TERM) not in term_list:
    st.session_state[StateKeys.WORDS_TERM] = term_list[0]
term = st.selectbox(t("app.words.pick_term", lang), term_list, key=StateKeys.WORDS_TERM)
posts = sort_posts(data.posts_with_term(scope, key, term, _index=index), "amplified")
st.caption(literal_t("app.words.posts_with", lang, term=term, n=fmt_int(posts.height, lang)))
post_cards(posts.head(10).iter_rows(named=True), lang, ctx.tz)
