"""Allarmi: days where negative mentions rose well above their baseline, and amplified negative posts."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights.alerts import AlertConfig
from ascolto_core.insights import amplified_negative, apply_filter, negative_spike_days, sort_posts
from ascolto_core.listening.rules import today_so_far
from ui import data
from ui.alerts_today import today_so_far_metric
from ui.charts import alerts_chart, localise
from ui.components import post_cards
from ui.format import fmt_date, fmt_decimal, fmt_int
from ui.shell import page_context
from ui.tables import terms_table

ctx = page_context("app.alerts.title")
lang = ctx.lang
days = negative_spike_days(ctx.filtered, tz=ctx.tz)
if days.is_empty():
    st.info(t("app.timeline.no_dates", lang))
    st.stop()
rule = AlertConfig.from_config()  # the thresholds the detector uses, told in words (no file paths in the UI)
# Today so far against the same hours of previous days: the listening round's own computation.
today_so_far_metric(today_so_far(ctx.filtered, datetime.now(UTC), rule, ctx.tz), lang)
st.altair_chart(localise(alerts_chart(days, lang), lang))
st.caption(
    t(
        "app.alerts.how", lang, min_negatives=fmt_int(rule.min_negatives, lang), ratio=fmt_decimal(rule.ratio_threshold, lang),
        baseline_days=fmt_int(rule.baseline_days, lang), z=fmt_decimal(rule.z_threshold, lang), min_history=fmt_int(rule.min_baseline_days, lang),
    )
)
alerts = days.filter(pl.col("is_alert")).sort("day", descending=True)
st.subheader(t("app.alerts.days", lang, n=alerts.height))
if alerts.is_empty():
    st.success(t("app.overview.no_alerts", lang))
# Newest first; the day with the most negative mentions opens by itself.
biggest = alerts.sort("negative", descending=True).get_column("day").head(1).to_list()
index = data.term_index(ctx.mentions, ctx.dataset_key) if alerts.height else None  # tokenised once per dataset
for alert in alerts.iter_rows(named=True):
    title = t(
        "app.alerts.day_title",
        lang,
        day=fmt_date(alert["day"], lang),
        n=fmt_int(alert["negative"], lang),
        base=fmt_decimal(alert["baseline"], lang),
    )
    with st.expander(title, expanded=alert["day"] in biggest, icon=":material/warning:"):
        on_day = apply_filter(ctx.filtered, ctx.flt.replace(date_from=alert["day"], date_to=alert["day"]), ctx.tz)
        ids = set(on_day.get_column("id").to_list())
        terms = data.distinctive_terms(
            ctx.filtered, pl.col("id").is_in(ids), f"{ctx.cache_key}|day={alert['day']}", n=10, _index=index
        )
        if terms.height:
            # Code spans show a term literally (a term never holds a backtick: tokens are words).
            st.markdown(t("app.alerts.keywords", lang) + " " + ", ".join(f"`{term}`" for term in terms.get_column("term").head(8).to_list() if "`" not in term))
            terms_table(terms, lang, key=f"alert_terms_{alert['day']}")
        negative = sort_posts(on_day.filter(pl.col("sentiment") == "negative"), "amplified")
        st.caption(t("app.alerts.examples", lang, n=negative.height))
        post_cards(negative.head(3).iter_rows(named=True), lang, ctx.tz)

st.subheader(t("app.alerts.amplified", lang))
st.caption(t("app.alerts.amplified_help", lang))
amplified = amplified_negative(ctx.filtered, n=10)
if amplified.is_empty():
    st.info(t("app.alerts.no_amplified", lang))
post_cards(amplified.iter_rows(named=True), lang, ctx.tz)
