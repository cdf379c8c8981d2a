"""Column configurations for the tables the pages show (labels in the user's language)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ui.format import with_labels


def table_height(rows: int, *, most: int = 16) -> int:
    """Pixel height that shows ``rows`` rows (up to ``most``) without an inner scrollbar."""
    return 38 + 35 * max(1, min(rows, most))


def touchpoint_table(summary: pl.DataFrame, lang: str) -> None:
    """The per-touchpoint summary (worst mood first) as a readable table."""
    view = (
        summary.pipe(with_labels, "touchpoint", "touchpoint", lang)
        .pipe(with_labels, "dominant_emotion", "emotion", lang)
        .select(
            "touchpoint_label", "mentions", "negative_share", "positive_share",
            pl.col("net_sentiment").round(2), "dominant_emotion_label",
        )
    )
    st.dataframe(
        view,
        hide_index=True,
        column_config={
            "touchpoint_label": st.column_config.TextColumn(t("app.chart.touchpoint", lang)),
            "mentions": st.column_config.NumberColumn(t("app.chart.mentions", lang), format="localized"),
            "negative_share": st.column_config.ProgressColumn(t("app.chart.negative_share", lang), format="percent", min_value=0, max_value=1, color="red"),
            "positive_share": st.column_config.ProgressColumn(t("app.chart.positive_share", lang), format="percent", min_value=0, max_value=1, color="green"),
            "net_sentiment": st.column_config.NumberColumn(t("app.chart.net_sentiment", lang), format="localized"),
            "dominant_emotion_label": st.column_config.TextColumn(t("app.chart.dominant_emotion", lang)),
        },
        key="touchpoint_table",
        height=table_height(view.height),
    )


def terms_table(terms: pl.DataFrame, lang: str, *, key: str, selectable: bool = False) -> object:
    """Distinctive terms (term, count_in, count_out, z); with ``selectable`` one row can be picked."""
    return st.dataframe(
        terms.select("term", "count_in", "count_out", pl.col("z").round(1)),
        hide_index=True,
        column_config={
            "term": st.column_config.TextColumn(t("app.words.term", lang)),
            "count_in": st.column_config.NumberColumn(t("app.words.count_in", lang), format="localized"),
            "count_out": st.column_config.NumberColumn(t("app.words.count_out", lang), format="localized"),
            "z": st.column_config.NumberColumn(t("app.words.z", lang), format="localized", help=t("app.words.z_help", lang)),
        },
        key=key,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
        height=table_height(terms.height),
    )
