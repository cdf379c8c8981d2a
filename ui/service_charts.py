"""Charts and small views of the Servizio clienti, Concorrenti and Temi pages (built from insights frames only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import altair as alt
import polars as pl
import streamlit as st

from ascolto_core.i18n import t
from ui.charts import TOUCHPOINT_SCHEME, VOLUME_COLOR
from ui.components import post_card
from ui.format import category_name, fmt_int, with_labels

OWN_COLOR = "#3f6ea8"


def minutes_text(minutes: float | None, lang: str) -> str:
    """A duration as people say it: "25 min", "3,5 ore", "2,1 giorni" ("–" when unknown)."""
    if minutes is None:
        return "–"
    if minutes < 90:
        return t("service.unit.minutes", lang, n=fmt_int(round(minutes), lang))
    hours = minutes / 60
    if hours < 36:
        value = f"{hours:.1f}"
        return t("service.unit.hours", lang, n=value.replace(".", ",") if lang == "it" else value)
    value = f"{hours / 24:.1f}"
    return t("service.unit.days", lang, n=value.replace(".", ",") if lang == "it" else value)


def _group_labels(times: pl.DataFrame, by: str, lang: str) -> tuple[pl.DataFrame, list[str]]:
    if by == "touchpoint":
        data = times.pipe(with_labels, "touchpoint", "touchpoint", lang, alias="group")
    elif by == "weekday":
        names = {d: t(f"app.weekday.{d - 1}", lang) for d in range(1, 8)}
        data = times.with_columns(pl.col("weekday").replace_strict(names, return_dtype=pl.String).alias("group"))
    else:
        data = times.with_columns(pl.col("hour").cast(pl.String).str.zfill(2).alias("group"))
    return data.with_columns((pl.col("median_minutes") / 60).alias("median_hours")), data.get_column("group").to_list()


def response_time_chart(times: pl.DataFrame, by: str, lang: str) -> alt.Chart:
    """Median hours to the first reply per group (bars), the answered share in the tooltip."""
    data, order = _group_labels(times, by, lang)
    horizontal = by == "touchpoint"
    group = alt.Y("group:N", title=None, sort=order) if horizontal else alt.X("group:N", title=t(f"service.by.{by}", lang), sort=order, axis=alt.Axis(labelAngle=0))
    value_axis = alt.X if horizontal else alt.Y
    value = value_axis("median_hours:Q", title=t("service.chart.median_hours", lang))
    chart = alt.Chart(data).mark_bar(color=VOLUME_COLOR).encode(
        group,
        value,
        tooltip=[
            alt.Tooltip("group:N", title=t(f"service.by.{by}", lang)),
            alt.Tooltip("answerable:Q", title=t("service.chart.answerable", lang), format=",d"),
            alt.Tooltip("answered_share:Q", title=t("service.chart.answered_share", lang), format=".0%"),
            alt.Tooltip("median_hours:Q", title=t("service.chart.median_hours", lang), format=".1f"),
        ],
    )
    return chart.properties(height=max(140, 30 * len(order)) if horizontal else 260)


def share_of_voice_chart(shares: pl.DataFrame, lang: str) -> alt.Chart:
    """Share of voice per period (``share_of_voice(freq=...)``), stacked to 100 %."""
    return (
        alt.Chart(shares)
        .mark_area()
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("mentions:Q", stack="normalize", title=t("service.chart.share_of_voice", lang), axis=alt.Axis(format="%")),
            color=alt.Color("brand:N", title=t("service.chart.brand", lang), scale=alt.Scale(scheme="set2")),
            tooltip=[
                alt.Tooltip("period:T", title=t("service.chart.period", lang)),
                alt.Tooltip("brand:N", title=t("service.chart.brand", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("share:Q", title=t("service.chart.share_of_voice", lang), format=".0%"),
            ],
        )
        .properties(height=240)
    )


def brand_net_chart(comparison: pl.DataFrame, lang: str) -> alt.Chart:
    """Net sentiment per brand (``brand_comparison``), red below zero, green above."""
    return (
        alt.Chart(comparison)
        .mark_bar()
        .encode(
            y=alt.Y("brand:N", title=None, sort=comparison.get_column("brand").to_list()),
            x=alt.X("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), scale=alt.Scale(domain=[-1, 1])),
            color=alt.condition("datum.net_sentiment < 0", alt.value("#d64545"), alt.value("#2f9e6e")),
            tooltip=[
                alt.Tooltip("brand:N", title=t("service.chart.brand", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("negative_share:Q", title=t("app.chart.negative_share", lang), format=".0%"),
                alt.Tooltip("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), format="+.2f"),
            ],
        )
        .properties(height=max(160, 60 * comparison.height))
    )


def touchpoint_mix_chart(mix: pl.DataFrame, lang: str) -> alt.Chart:
    """Where each brand is talked about (``touchpoint_mix``): a 100 % bar per brand."""
    data = mix.pipe(with_labels, "touchpoint", "touchpoint", lang)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("brand:N", title=None),
            x=alt.X("mentions:Q", stack="normalize", title=t("app.chart.share", lang), axis=alt.Axis(format="%")),
            color=alt.Color("touchpoint_label:N", title=t("app.chart.touchpoint", lang), scale=alt.Scale(scheme=TOUCHPOINT_SCHEME)),
            tooltip=[
                alt.Tooltip("brand:N", title=t("service.chart.brand", lang)),
                alt.Tooltip("touchpoint_label:N", title=t("app.chart.touchpoint", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("share:Q", title=t("app.chart.share", lang), format=".0%"),
            ],
        )
        .properties(height=max(280, 60 * data.get_column("brand").n_unique()))
    )


def aspect_heatmap(matrix: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Aspect x touchpoint: colour = net sentiment (red to green), number = mentions (``aspect_touchpoint_matrix``)."""
    data = matrix.pipe(with_labels, "aspect", "service.aspect", lang).pipe(with_labels, "touchpoint", "touchpoint", lang)
    base = alt.Chart(data).encode(
        x=alt.X("touchpoint_label:N", title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("aspect_label:N", title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("aspect_label:N", title=t("service.chart.aspect", lang)),
            alt.Tooltip("touchpoint_label:N", title=t("app.chart.touchpoint", lang)),
            alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
            alt.Tooltip("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), format="+.2f"),
        ],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), scale=alt.Scale(scheme="redyellowgreen", domain=[-1, 1]))
    )
    # White figures on the strong reds and greens, dark ones on the pale middle.
    strong = "abs(datum.net_sentiment) > 0.5"
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("mentions:Q", format=",d"), color=alt.condition(strong, alt.value("white"), alt.value("#1f2328"))
    )
    return (cells + labels).properties(height=max(160, 32 * data.get_column("aspect").n_unique()))


def aspect_trend_chart(trend: pl.DataFrame, lang: str) -> alt.Chart:
    """Net sentiment of each aspect per period (``aspect_trend``), one line per aspect."""
    data = trend.pipe(with_labels, "aspect", "service.aspect", lang)
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("aspect_label:N", title=t("service.chart.aspect", lang), scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("period:T", title=t("service.chart.period", lang)),
                alt.Tooltip("aspect_label:N", title=t("service.chart.aspect", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("net_sentiment:Q", title=t("app.overview.net_sentiment", lang), format="+.2f"),
            ],
        )
        .properties(height=260)
    )


def thread_view(thread: pl.DataFrame, lang: str, tz: str) -> None:
    """A conversation as cards: replies indented by depth, the brand's own posts marked."""
    for row in thread.iter_rows(named=True):
        depth = min(int(row.get("depth") or 0), 4)
        column = st.columns([depth + 0.001, 12])[1] if depth else st.container()
        with column:
            if row.get("is_own"):
                st.badge(t("service.thread.own", lang), icon=":material/storefront:", color="blue")
            post_card(row, lang, tz)


def thread_label(row: Mapping[str, Any], lang: str, tz: str) -> str:
    """A short line naming a post in a picker: day (display zone), touchpoint and the first words."""
    created = row.get("created_at")
    day = created.astimezone(ZoneInfo(tz)).strftime("%d/%m" if lang == "it" else "%m-%d") if created else "–"
    text = " ".join(str(row.get("text") or "").split())
    return f"{day} · {category_name('touchpoint', row.get('touchpoint'), lang)} · {text[:70]}{'…' if len(text) > 70 else ''}"
