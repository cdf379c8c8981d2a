"""Read-only listening status of one workspace, for the workspace page: ``render_listening_status(workspace, lang)``.

Shows whether ``listen DIR`` is running, the last and next round, each source's last result
and the alerts sent; every figure comes from :func:`ascolto_core.listening.status.listening_status`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.listening.status import ListeningStatus, listening_status
from ascolto_core.workspace import Workspace


def _when(moment: datetime | None, tz: str, lang: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M") if moment else t("listening.ui.never", lang)


def sources_table(status: ListeningStatus, tz: str, lang: str) -> pl.DataFrame:
    """One row per source with translated headings and local times."""
    frame = status.sources.with_columns(
        pl.col("status").fill_null("never").map_elements(lambda s: t(f"listening.status.{s}", lang), return_dtype=pl.String),
        pl.col("last_at", "next_due").dt.convert_time_zone(tz).dt.strftime("%d/%m %H:%M"),
    )
    return frame.select(
        pl.col("source").alias(t("listening.ui.col_source", lang)),
        pl.col("status").alias(t("listening.ui.col_status", lang)),
        pl.col("last_at").alias(t("listening.ui.col_last", lang)),
        pl.col("new").alias(t("listening.ui.col_new", lang)),
        pl.col("next_due").alias(t("listening.ui.col_next", lang)),
        pl.col("message").alias(t("listening.ui.col_message", lang)),
    )


def render_listening_status(workspace: Workspace, lang: str) -> ListeningStatus:
    """Draw the status block and return what it showed."""
    status = listening_status(workspace)
    tz = workspace.settings().display_timezone
    st.subheader(t("listening.ui.title", lang))
    columns = st.columns(3)
    columns[0].metric(t("listening.ui.running", lang), t("listening.ui.answer_yes" if status.running else "listening.ui.answer_no", lang))
    columns[1].metric(t("listening.ui.last_round", lang), _when(status.last_round_at, tz, lang))
    columns[2].metric(t("listening.ui.next_round", lang), _when(status.next_round_at, tz, lang))
    if not status.running:
        st.caption(t("listening.ui.how_to_start", lang, path=str(workspace.path)))
    if status.sources.height:
        st.dataframe(sources_table(status, tz, lang), hide_index=True, width="stretch")
    else:
        st.info(t("listening.ui.no_sources", lang))
    st.markdown(t("listening.ui.alerts", lang, sent=status.alerts_sent, active=status.active_alerts))
    for row in status.alerts.head(10).iter_rows(named=True):
        state = t("listening.ui.alert_active", lang) if row["ended_at"] is None else t("listening.ui.alert_over", lang)
        st.markdown(f"- {_when(row['sent_at'], tz, lang)} · {state} · {row['title']}")
    return status
