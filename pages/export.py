"""Esporta: the filtered mentions (with analysis) as CSV and Excel, and the main charts as PNG."""

from __future__ import annotations

from datetime import date

import polars as pl

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import export_csv, export_xlsx, hour_weekday_counts, spike_periods, touchpoint_summary, volume_over_time
from ui.charts import heatmap_chart, localise, sentiment_mix_chart, timeline_chart
from ui.export import chart_png
from ui.format import fmt_int
from ui.shell import page_context

ctx = page_context("app.export.title")
lang, frame, tz = ctx.lang, ctx.filtered, ctx.tz
stamp = date.today().strftime("%Y%m%d")
st.markdown(t("app.export.intro", lang, n=fmt_int(ctx.shown, lang)))
files = st.container(horizontal=True)
# Files are built only when the button is clicked (callables run on demand).
# The Italian spreadsheet dialect (";", decimal comma, Italian headers) beside the plain CSV for other tools.
files.download_button(
    t("spreadsheet.italian_csv", lang), type="primary", data=lambda: export_csv(frame, tz=tz, dialect="it", lang=lang),
    file_name=f"ascolto_menzioni_{stamp}_excel.csv", mime="text/csv", icon=":material/csv:", key="export_csv_it", on_click="ignore",
)
files.download_button(
    t("app.export.csv", lang), data=lambda: export_csv(frame, tz=tz), file_name=f"ascolto_menzioni_{stamp}.csv",
    mime="text/csv", icon=":material/csv:", key="export_csv", on_click="ignore",
)
files.download_button(
    t("app.export.xlsx", lang), type="primary", data=lambda: export_xlsx(frame, tz=tz, lang=lang if lang == "it" else None),
    file_name=f"ascolto_menzioni_{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/table:", key="export_xlsx",
    on_click="ignore",
)
st.caption(t("app.export.safety", lang) + " " + t("spreadsheet.dialect_help", lang))

st.subheader(t("app.export.charts", lang))
charts = {
    "timeline": lambda: timeline_chart(
        volume_over_time(frame, freq="day", split="sentiment", tz=tz), split="sentiment", freq="day", lang=lang,
        spikes=spike_periods(frame, freq="day", tz=tz).filter(pl.col("is_spike")), selectable=False,
    ).properties(width=900, title=t("app.nav.timeline", lang)),
    "touchpoints": lambda: sentiment_mix_chart(touchpoint_summary(frame), lang).properties(width=700, title=t("app.touchpoints.mix", lang)),
    "hours": lambda: heatmap_chart(hour_weekday_counts(frame, tz), lang).properties(width=800, title=t("app.hours.heatmap", lang)),
}
images = st.container(horizontal=True)
for name, build in charts.items():
    images.download_button(
        t(f"app.export.png_{name}", lang),
        data=lambda build=build: chart_png(localise(build(), lang)),
        file_name=f"ascolto_{name}_{stamp}.png",
        mime="image/png",
        icon=":material/image:",
        key=f"export_png_{name}",
        on_click="ignore",
    )

# Esporta → Report: the client report of the current filters (ui/report_download.py).
from ui.report_download import report_downloads  # noqa: E402
from ui.state import StateKeys  # noqa: E402

report_downloads(ctx, st.session_state.get(StateKeys.PROFILE))
