"""Column configurations for the tables the pages show (labels in the user's language)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ui.format import with_labels


def touchpoint_table(summary: pl.DataFrame, lang: str) -> None:
    """The per-touchpoint summary (worst mood first) as a readable table."""
    view = (
        summary.pipe(with_labels, "touchpoint", "touchpoint", lang)
        .pipe(with_labels, "dominant_emotion", "emotion", lang)
        .select("touchpoint_label", "mentions", "negative_share", "positive_share", "net_sentiment", "dominant_emotion_label")
    )
    st.dataframe(
        view,
        hide_index=True,
        column_config={
            "touchpoint_label": st.column_config.TextColumn(t("app.chart.touchpoint", lang)),
            "mentions": st.column_config.NumberColumn(t("app.chart.mentions", lang), format="localized"),
            "negative_share": st.column_config.ProgressColumn(t("app.chart.negative_share", lang), format="percent", min_value=0, max_value=1, color="red"),
            "positive_share": st.column_config.ProgressColumn(t("app.chart.positive_share", lang), format="percent", min_value=0, max_value=1, color="green"),
            "net_sentiment": st.column_config.NumberColumn(t("app.chart.net_sentiment", lang), format="%+.2f"),
            "dominant_emotion_label": st.column_config.TextColumn(t("app.chart.dominant_emotion", lang)),
        },
        key="touchpoint_table",
    )


def terms_table(terms: pl.DataFrame, lang: str, *, key: str, selectable: bool = False) -> object:
    """Distinctive terms (term, count_in, count_out, z); with ``selectable`` one row can be picked."""
    return st.dataframe(
        terms.select("term", "count_in", "count_out", "z"),
        hide_index=True,
        column_config={
            "term": st.column_config.TextColumn(t("app.words.term", lang)),
            "count_in": st.column_config.NumberColumn(t("app.words.count_in", lang), format="localized"),
            "count_out": st.column_config.NumberColumn(t("app.words.count_out", lang), format="localized"),
            "z": st.column_config.NumberColumn(t("app.words.z", lang), format="%.1f", help=t("app.words.z_help", lang)),
        },
        key=key,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
    )
