"""Servizio clienti: do we answer complaints and questions, how fast, what is left unanswered, and the conversations."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights.responses import RESPONSE_BY, conversation, first_responses, missing_reason, response_summary, response_times, unanswered, weekend_gap
from ui.components import post_cards, remembered_choice
from ui.format import fmt_int, fmt_pct
from ui.service_charts import minutes_text, response_time_chart, thread_label, thread_view
from ui.shell import page_context
from ui.state import StateKeys

ctx = page_context("service.title")
lang = ctx.lang
brand = getattr(st.session_state.get(StateKeys.PROFILE), "brand", None) or None  # complaints about competitors are not ours
# Customer posts follow the sidebar; the brand's replies are looked up in the whole data,
# so a sentiment or date filter never hides the answer to a post it shows.
missing = missing_reason(ctx.filtered, ctx.mentions)
if missing is not None:
    st.info(t(f"service.missing.{missing}", lang))
    st.stop()

# Every view below reads the same first replies, computed once for this run.
answered = first_responses(ctx.filtered, ctx.mentions, brand)
summary = response_summary(ctx.filtered, replies=ctx.mentions, brand=brand, answered=answered)
cols = st.columns(5)
cols[0].metric(t("service.kpi.answerable", lang), fmt_int(summary.answerable, lang), help=t("service.kpi.answerable_help", lang), border=True)
cols[1].metric(t("service.kpi.answered_share", lang), fmt_pct(summary.answered_share, lang), border=True)
cols[2].metric(t("service.kpi.median", lang), minutes_text(summary.median_first_response_minutes, lang), help=t("service.kpi.median_help", lang), border=True)
cols[3].metric(t("service.kpi.p90", lang), minutes_text(summary.p90_first_response_minutes, lang), help=t("service.kpi.p90_help", lang), border=True)
cols[4].metric(t("service.kpi.unanswered", lang), fmt_int(summary.unanswered, lang), border=True)

gap = weekend_gap(ctx.filtered, ctx.mentions, ctx.tz, brand, answered=answered)
if gap is not None and gap.weekend_answerable and gap.weekday_answerable:
    st.warning(
        t(
            "service.weekend_gap",
            lang,
            weekend=minutes_text(gap.weekend_median_minutes, lang),
            weekday=minutes_text(gap.weekday_median_minutes, lang),
            weekend_share=fmt_pct(gap.weekend_answered_share, lang),
            weekday_share=fmt_pct(gap.weekday_answered_share, lang),
        ),
        icon=":material/weekend:",
    )
    st.page_link("pages/hours.py", label=t("service.to_hours", lang), icon=":material/schedule:")

st.subheader(t("service.times_title", lang))
by = remembered_choice(
    t("service.by_label", lang), RESPONSE_BY, state_key=StateKeys.SERVICE_BY, default="touchpoint",
    format_func=lambda key: t(f"service.by.{key}", lang),
)
times = response_times(ctx.filtered, by=by, replies=ctx.mentions, tz=ctx.tz, brand=brand, answered=answered)
if times.get_column("answered").sum() == 0:
    st.info(t("service.no_answered", lang))
else:
    # Groups with nothing answered have no time to draw (an empty bar would read as "instant").
    st.altair_chart(response_time_chart(times.filter(pl.col("answered") > 0), by, lang))
    st.caption(t("service.times_help", lang))

waiting = unanswered(ctx.filtered, replies=ctx.mentions, brand=brand, answered=answered)
st.subheader(t("service.unanswered_title", lang, n=fmt_int(waiting.height, lang)))
if waiting.is_empty():
    st.success(t("service.all_answered", lang))
else:
    st.caption(t("service.unanswered_help", lang))
    post_cards(waiting.head(5).iter_rows(named=True), lang, ctx.tz)

st.subheader(t("service.thread_title", lang))
threads = answered.filter(pl.col("replies") > 0).sort("created_at", descending=True).head(50)
if threads.is_empty():
    st.info(t("service.no_threads", lang))
else:
    labels = {row["id"]: thread_label(row, lang, ctx.tz) for row in threads.iter_rows(named=True)}
    if st.session_state.get(StateKeys.SERVICE_THREAD) not in labels:
        st.session_state[StateKeys.SERVICE_THREAD] = next(iter(labels))
    picked = st.selectbox(t("service.thread_pick", lang), list(labels), key=StateKeys.SERVICE_THREAD, format_func=labels.get)
    thread_view(conversation(ctx.mentions, picked), lang, ctx.tz)
