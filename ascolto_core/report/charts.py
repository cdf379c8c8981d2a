"""The report's charts: Altair specs from the insights frames, rendered to SVG by vl-convert (no browser).

Builders only map columns of the tidy frames to marks (STYLE rule 6); labels
come in already translated. Colours are the app's palette (``ui/charts.py``),
so a chart in the PDF looks like the one on the page.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc

SENTIMENT_COLORS: dict[str, str] = {"negative": "#d64545", "neutral": "#9aa0a6", "positive": "#2f9e6e"}
EMOTION_COLORS: dict[str, str] = {
    "joy": "#f2b134",
    "anger": "#c0392b",
    "fear": "#7b5ea7",
    "sadness": "#3f6ea8",
    "none": "#c7cbd1",
}
ALERT_COLOR = "#b3261e"
# A4 minus margins is about 170 mm: 640 CSS px at 96 dpi.
FULL_WIDTH = 600
FONT = "Open Sans, DejaVu Sans, sans-serif"
_LOCALES = {"it": "it-IT", "en": "en-US"}


def to_svg(chart: alt.TopLevelMixin, lang: str) -> str:
    """SVG markup of ``chart`` with the language's number and date formats (Italian month names)."""
    spec: dict[str, Any] = chart.to_dict()
    spec["background"] = "white"
    spec.setdefault("config", {}).update(
        {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 10, "titleFontSize": 10}}
    )
    locale = _LOCALES.get(lang, "it-IT")
    svg = vlc.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale)
    # The XML prolog is not allowed inside HTML; the <svg> element is.
    svg = svg[svg.index("<svg") :]
    # Every chart names its gradients "gradient_0": in one document the first definition would paint them all.
    prefix = "c" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:10] + "_"
    return svg.replace(' id="', f' id="{prefix}').replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')


def _legend(title: str | None = None) -> alt.Legend:
    return alt.Legend(title=title, orient="bottom", direction="horizontal", labelFontSize=10)


def mood_timeline(
    volume: pl.DataFrame, labels: dict[str, str], alert_days: list[date], *, freq: str, titles: dict[str, str]
) -> alt.LayerChart:
    """Stacked bars of mentions per period by sentiment, a red rule on each alert day.

    ``volume``: ``volume_over_time(..., split="sentiment")``; ``labels``: sentiment key -> name.
    """
    order = ["negative", "neutral", "positive", "unanalysed"]
    frame = volume.with_columns(
        pl.col("group").replace_strict(labels, default=pl.col("group")).alias("label"),
        pl.col("group").replace_strict({k: i for i, k in enumerate(order)}, default=9).alias("_order"),
    )
    domain = [labels[k] for k in order if k in labels]
    colours = [SENTIMENT_COLORS.get(k, "#e3e5e8") for k in order if k in labels]
    # Each bar spans its whole period (a week is seven days wide), with a hairline between bars.
    step = {"day": "1d", "week": "1w", "month": "1mo"}[freq]
    # Stacked by hand: Vega-Lite does not stack bars that span a range (x to x2).
    frame = (
        frame.with_columns(pl.col("period").dt.offset_by(step).alias("period_end"))
        .sort("period", "_order")
        .with_columns(pl.col("mentions").cast(pl.Int64).cum_sum().over("period").alias("top"))
        .with_columns((pl.col("top") - pl.col("mentions")).alias("bottom"))
    )
    axis_format = {"day": "%d %b", "week": "%d %b", "month": "%b %Y"}[freq]
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=0.6)
        .encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format=axis_format, labelAngle=0, grid=False)),
            x2="period_end:T",
            y=alt.Y("bottom:Q", title=titles["mentions"]),
            y2="top:Q",
            color=alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours), legend=_legend()),
        )
    )
    layers: list[alt.Chart] = [bars]
    if alert_days:
        # Marked at midday, in the middle of the day's own slot.
        days = pl.DataFrame({"day": alert_days}).with_columns(
            pl.col("day").cast(pl.Datetime("ms")).dt.offset_by("12h").alias("at")
        )
        rules = alt.Chart(days).mark_rule(color=ALERT_COLOR, strokeWidth=1.2, strokeDash=[4, 2]).encode(x="at:T")
        marks = alt.Chart(days).mark_point(
            shape="triangle-down", color=ALERT_COLOR, filled=True, size=50, opacity=1
        ).encode(x="at:T", y=alt.value(-4))
        layers += [rules, marks]
    return alt.layer(*layers).properties(width=FULL_WIDTH, height=210)


def touchpoint_mix(summary: pl.DataFrame, names: dict[str, str], labels: dict[str, str], *, titles: dict[str, str]) -> alt.Chart:
    """Horizontal 100% bars of negative / neutral / positive per touchpoint, in the summary's order."""
    order = summary.get_column("touchpoint").to_list()
    rows = []
    for row in summary.iter_rows(named=True):
        analysed = row["analysed"] or 0
        neutral = analysed - (row["negative"] or 0) - (row["positive"] or 0)
        for key, count in (("negative", row["negative"]), ("neutral", neutral), ("positive", row["positive"])):
            rows.append((names[row["touchpoint"]], labels[key], key, int(count or 0), analysed))
    frame = pl.DataFrame(
        rows, schema=["touchpoint", "label", "key", "count", "analysed"], orient="row"
    ).with_columns(pl.col("key").replace_strict({"negative": 0, "neutral": 1, "positive": 2}).alias("_order"))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("touchpoint:N", sort=[names[k] for k in order], title=None),
            x=alt.X("count:Q", stack="normalize", title=titles["share"], axis=alt.Axis(format="%")),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=[labels[k] for k in ("negative", "neutral", "positive")], range=list(SENTIMENT_COLORS.values())),
                legend=_legend(),
            ),
            order=alt.Order("_order:Q"),
        )
        .properties(width=FULL_WIDTH - 130, height=max(22 * len(order), 60))
    )


def emotion_bars(mix: pl.DataFrame, names: dict[str, str], *, titles: dict[str, str]) -> alt.Chart:
    """Horizontal bars: share of each emotion (``emotion_mix(..., by="none")``)."""
    frame = mix.with_columns(pl.col("emotion").replace_strict(names, default=pl.col("emotion")).alias("label"))
    keys = frame.get_column("emotion").to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=[names.get(k, k) for k in keys], title=None),
            x=alt.X("share:Q", title=titles["share"], axis=alt.Axis(format="%")),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=[names.get(k, k) for k in keys], range=[EMOTION_COLORS.get(k, "#9aa0a6") for k in keys]),
                legend=None,
            ),
        )
        .properties(width=FULL_WIDTH - 130, height=24 * max(len(keys), 1))
    )


def hour_heatmap(counts: pl.DataFrame, weekdays: list[str], *, titles: dict[str, str]) -> alt.Chart:
    """Weekday x hour grid of mentions (``hour_weekday_counts``)."""
    frame = counts.with_columns(pl.col("weekday").map_elements(lambda d: weekdays[d], return_dtype=pl.String).alias("day"))
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=titles["hour"], axis=alt.Axis(labelAngle=0)),
            y=alt.Y("day:N", sort=weekdays, title=None),
            color=alt.Color("mentions:Q", scale=alt.Scale(scheme="blues"), legend=alt.Legend(title=titles["mentions"], orient="right")),
        )
        .properties(width=FULL_WIDTH - 110, height=150)
    )


# A brand palette that reads in print and in grey: the own brand first (dark blue), competitors after.
BRAND_COLORS: tuple[str, ...] = ("#1f4e79", "#e07b39", "#6a9f58", "#8e6bb0", "#c9a227", "#5b8db8", "#b55d60", "#7f7f7f")
NET_STEPS: tuple[str, ...] = ("#c0392b", "#e8a08f", "#f1f1ee", "#9fd0b4", "#2f9e6e")  # net sentiment, -1 .. +1
OFFICE_COLORS: tuple[str, str] = ("#5b8db8", "#1f3a5f")  # arrived in office hours / outside them


def response_by_hour(times: pl.DataFrame, *, titles: dict[str, str]) -> alt.Chart:
    """Bars: median hours to the first reply by hour of arrival, darker outside office hours.

    ``times``: ``response_times(..., by="hour")`` with ``window`` (the label of in / out of office hours)
    and ``median_hours`` added; hours with nothing answered already left out.
    """
    domain = [titles["in_office"], titles["off_office"]]
    return (
        alt.Chart(times)
        .mark_bar()
        .encode(
            x=alt.X("hour:O", title=titles["hour"], axis=alt.Axis(labelAngle=0)),
            y=alt.Y("median_hours:Q", title=titles["median"]),
            color=alt.Color("window:N", scale=alt.Scale(domain=domain, range=list(OFFICE_COLORS)), legend=_legend()),
        )
        .properties(width=FULL_WIDTH, height=170)
    )


def share_of_voice(shares: pl.DataFrame, brands: list[str], periods: list[str], *, titles: dict[str, str]) -> alt.Chart:
    """100% stacked bars per period: each brand's share of the customers' mentions (``share_of_voice(freq=...)``).

    ``shares`` has ``label`` (the period's start, formatted), in the order of ``periods``.
    """
    colours = [BRAND_COLORS[i % len(BRAND_COLORS)] for i in range(len(brands))]
    frame = shares.with_columns(
        pl.col("brand").replace_strict({b: i for i, b in enumerate(brands)}, default=len(brands)).alias("_order")
    )
    return (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("label:N", sort=periods, title=titles["period"], axis=alt.Axis(labelAngle=0 if len(periods) <= 12 else -45)),
            y=alt.Y("share:Q", stack="normalize", title=titles["share"], axis=alt.Axis(format="%")),
            color=alt.Color("brand:N", scale=alt.Scale(domain=brands, range=colours), legend=_legend()),
            order=alt.Order("_order:Q"),
        )
        .properties(width=FULL_WIDTH, height=180)
    )


def brand_net(comparison: pl.DataFrame, *, titles: dict[str, str]) -> alt.Chart:
    """Horizontal bars of net sentiment per brand (``brand_comparison``), red below zero, green above."""
    frame = comparison.filter(pl.col("net_sentiment").is_not_null()).with_columns(
        pl.when(pl.col("net_sentiment") < 0).then(pl.lit("neg")).otherwise(pl.lit("pos")).alias("_sign")
    )
    order = frame.get_column("brand").to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("brand:N", sort=order, title=None),
            x=alt.X("net_sentiment:Q", title=titles["net"], scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color(
                "_sign:N",
                scale=alt.Scale(domain=["neg", "pos"], range=[SENTIMENT_COLORS["negative"], SENTIMENT_COLORS["positive"]]),
                legend=None,
            ),
        )
        .properties(width=FULL_WIDTH - 130, height=max(26 * len(order), 60))
    )


def aspect_heatmap(
    matrix: pl.DataFrame, aspects: list[str], touchpoints: list[str], *, titles: dict[str, str]
) -> alt.LayerChart:
    """Aspect x touchpoint grid: colour = net sentiment (red negative, green positive), number = mentions.

    ``matrix``: ``aspect_touchpoint_matrix`` with the display names in ``aspect`` and ``touchpoint``.
    """
    base = alt.Chart(matrix).encode(
        x=alt.X("touchpoint:N", sort=touchpoints, title=None, axis=alt.Axis(labelAngle=-35, labelAlign="right", labelLimit=110)),
        y=alt.Y("aspect:N", sort=aspects, title=None),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "net_sentiment:Q",
            # Five steps, not a gradient: a step legend prints reliably and reads at a glance.
            scale=alt.Scale(type="threshold", domain=[-0.6, -0.2, 0.2, 0.6], range=list(NET_STEPS)),
            legend=alt.Legend(title=titles["net"], orient="right", format="+.1f", symbolType="square"),
        )
    )
    # Text colour as a mark property, not an encoding: a second colour encoding would break the gradient legend.
    numbers = base.mark_text(fontSize=9, color="#222222").encode(text=alt.Text("mentions:Q"))
    width = min(FULL_WIDTH - 160, max(62 * len(touchpoints), 240))
    return alt.layer(cells, numbers).properties(width=width, height=22 * max(len(aspects), 1))
