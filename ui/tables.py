"""Column configurations for the tables the pages show (labels in the user's language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ui.format import fmt_decimal, fmt_int, fmt_signed, with_labels


def localised(frame: pl.DataFrame, formats: dict[str, Callable[[float], str]]) -> Any:
    """``frame`` as a pandas Styler whose numbers read in the user's language (``ui.format`` helpers).

    Streamlit's own number formats follow the browser's locale (an Italian page showed
    ``-0.26``); the Styler fixes what is shown while the values stay numbers, so a
    click on a column header still sorts numerically.
    """
    def safe(helper: Callable[[float], str]) -> Callable[[Any], str]:
        return lambda value: "–" if value is None or value != value else helper(value)

    return frame.to_pandas().style.format({column: safe(helper) for column, helper in formats.items()})


def share_percent(column: str) -> pl.Expr:
    """A 0..1 share as a whole percentage for a progress bar (``37%`` reads the same in every language)."""
    return (pl.col(column) * 100).round(0)


def table_height(rows: int, *, most: int = 16) -> int:
    """Pixel height that shows ``rows`` rows (up to ``most``) without an inner scrollbar."""
    return 38 + 35 * max(1, min(rows, most))


def touchpoint_table(summary: pl.DataFrame, lang: str) -> None:
    """The per-touchpoint summary (worst mood first) as a readable table."""
    view = (
        summary.pipe(with_labels, "touchpoint", "touchpoint", lang)
        .pipe(with_labels, "dominant_emotion", "emotion", lang)
        .select(
            "touchpoint_label", "mentions", share_percent("negative_share"), share_percent("positive_share"),
            "net_sentiment", "dominant_emotion_label",
        )
    )
    st.dataframe(
        localised(view, {
            "mentions": lambda v: fmt_int(v, lang), "net_sentiment": lambda v: fmt_signed(v, lang),
            "negative_share": lambda v: f"{v:.0f}%", "positive_share": lambda v: f"{v:.0f}%",
        }),
        hide_index=True,
        column_config={
            "touchpoint_label": st.column_config.TextColumn(t("app.chart.touchpoint", lang)),
            "mentions": st.column_config.NumberColumn(t("app.chart.mentions", lang)),
            "negative_share": st.column_config.ProgressColumn(t("app.chart.negative_share", lang), format="%d%%", min_value=0, max_value=100, color="red"),
            "positive_share": st.column_config.ProgressColumn(t("app.chart.positive_share", lang), format="%d%%", min_value=0, max_value=100, color="green"),
            "net_sentiment": st.column_config.NumberColumn(t("app.chart.net_sentiment", lang)),
            "dominant_emotion_label": st.column_config.TextColumn(t("app.chart.dominant_emotion", lang)),
        },
        key="touchpoint_table",
        height=table_height(view.height),
    )


def terms_table(terms: pl.DataFrame, lang: str, *, key: str, selectable: bool = False) -> object:
    """Distinctive terms (term, count_in, count_out, z); with ``selectable`` one row can be picked."""
    count = lambda v: fmt_int(v, lang)  # noqa: E731
    return st.dataframe(
        localised(
            terms.select("term", "count_in", "count_out", "z"),
            {"count_in": count, "count_out": count, "z": lambda v: fmt_decimal(v, lang, digits=1)},
        ),
        hide_index=True,
        column_config={
            "term": st.column_config.TextColumn(t("app.words.term", lang)),
            "count_in": st.column_config.NumberColumn(t("app.words.count_in", lang)),
            "count_out": st.column_config.NumberColumn(t("app.words.count_out", lang)),
            "z": st.column_config.NumberColumn(t("app.words.z", lang), help=t("app.words.z_help", lang)),
        },
        key=key,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
        height=table_height(terms.height),
    )
