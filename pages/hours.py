"""Orari: when mentions arrive (hour x weekday) and how many wait outside office hours per touchpoint."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import OfficeHours, count_time_unknown, hour_weekday_counts, off_hours_by_touchpoint
from ui.charts import heatmap_chart, localise, off_hours_chart
from ui.format import fmt_int, fmt_pct, with_labels
from ui.shell import page_context
from ui.tables import localised, table_height

ctx = page_context("app.hours.title")
lang = ctx.lang
counts = hour_weekday_counts(ctx.filtered, ctx.tz)
day_only = count_time_unknown(ctx.filtered)
if counts.get_column("mentions").sum() == 0:
    st.info(t("hours_time.all_day_only", lang) if day_only else t("app.timeline.no_dates", lang))
    st.stop()
if day_only:
    st.caption(t("hours_time.day_only_left_out", lang, n=fmt_int(day_only, lang)))
st.subheader(t("app.hours.heatmap", lang))
st.altair_chart(localise(heatmap_chart(counts, lang), lang))

st.subheader(t("app.hours.off_hours", lang))
office = ctx.office_hours or OfficeHours.from_config()  # the open workspace's settings
window = office.default
st.caption(
    t(
        "app.hours.office_hours",
        lang,
        start=f"{window.open_minute // 60:02d}:{window.open_minute % 60:02d}",
        end=f"{window.close_minute // 60:02d}:{window.close_minute % 60:02d}",
        days=", ".join(t(f"app.weekday.{d}", lang) for d in window.days),
    )
)
off = off_hours_by_touchpoint(ctx.filtered, office, ctx.tz)
total_off = int(off.get_column("off_hours").sum())
st.metric(
    t("app.hours.off_total", lang),
    fmt_pct(total_off / max(1, int(off.get_column("mentions").sum())), lang),
    help=t("app.hours.off_total_help", lang, n=fmt_int(total_off, lang)),
)
st.altair_chart(localise(off_hours_chart(off, lang), lang))
view = off.pipe(with_labels, "touchpoint", "touchpoint", lang).sort("off_hours_share", descending=True, nulls_last=True)
count = lambda v: fmt_int(v, lang)  # noqa: E731
st.dataframe(
    localised(
        view.select(
            "touchpoint_label", "mentions", "off_hours", (pl.col("off_hours_share") * 100).round(0),
            "off_hours_complaints", "off_hours_questions",
        ),
        {"mentions": count, "off_hours": count, "off_hours_share": lambda v: f"{v:.0f}%",
         "off_hours_complaints": count, "off_hours_questions": count},
    ),
    hide_index=True,
    height=table_height(view.height),
    column_config={
        "touchpoint_label": st.column_config.TextColumn(t("app.chart.touchpoint", lang)),
        "mentions": st.column_config.NumberColumn(t("app.chart.mentions", lang)),
        "off_hours": st.column_config.NumberColumn(t("app.chart.off_hours", lang)),
        "off_hours_share": st.column_config.NumberColumn(t("app.chart.off_hours_share", lang)),
        "off_hours_complaints": st.column_config.NumberColumn(t("app.chart.complaints", lang)),
        "off_hours_questions": st.column_config.NumberColumn(t("app.chart.questions", lang)),
    },
    key="off_hours_table",
)
