"""Altair chart builders: one look for every page (colours, Italian dates, tooltips).

Builders take the tidy frames of :mod:`ascolto_core.insights` and only map
columns to marks; they never aggregate (STYLE rule 6). Category keys are turned
into display names here because that is presentation.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from ascolto_core.i18n import t
from ascolto_core.schema import EMOTIONS, SENTIMENTS
from ui.format import category_name, with_labels

# One palette for the whole app: negative red, neutral grey, positive green.
SENTIMENT_COLORS: dict[str, str] = {"negative": "#d64545", "neutral": "#9aa0a6", "positive": "#2f9e6e"}
EMOTION_COLORS: dict[str, str] = {
    "joy": "#f2b134",
    "anger": "#c0392b",
    "fear": "#7b5ea7",
    "sadness": "#3f6ea8",
    "none": "#c7cbd1",
}
TOUCHPOINT_SCHEME = "tableau20"
VOLUME_COLOR = "#3f6ea8"
ALERT_COLOR = "#b3261e"
UNANALYSED_COLOR = "#e3e5e8"
BRUSH = "periodo"  # name of the interval selection on the timeline

_IT_TIME = {
    "dateTime": "%A %e %B %Y, %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
    "shortDays": ["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
    "months": [
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
        "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
    ],
    "shortMonths": ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
}
_IT_NUMBER = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}


def localise(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """Italian month names and decimal comma on every axis and tooltip (English stays default)."""
    if lang != "it":
        return chart
    return chart.configure(locale={"time": _IT_TIME, "number": _IT_NUMBER})


def _date_format(freq: str) -> str:
    return {"month": "%b %Y", "week": "%d %b", "day": "%d %b"}.get(freq, "%d %b")


def _category_scale(
    area: str, keys: tuple[str, ...], colors: dict[str, str], lang: str, *, unanalysed: bool = False
) -> alt.Scale:
    # Domain in display names so the legend reads well; colours fixed per key across pages.
    domain = [category_name(area, k, lang) for k in keys]
    palette = [colors[k] for k in keys]
    if unanalysed:  # only when such rows exist, so the legend does not list an empty category
        domain.append(category_name(area, "unanalysed", lang))
        palette.append(UNANALYSED_COLOR)
    return alt.Scale(domain=domain, range=palette)


def sentiment_scale(lang: str, *, unanalysed: bool = False) -> alt.Scale:
    return _category_scale("sentiment", SENTIMENTS, SENTIMENT_COLORS, lang, unanalysed=unanalysed)


def emotion_scale(lang: str, *, unanalysed: bool = False) -> alt.Scale:
    return _category_scale("emotion", EMOTIONS, EMOTION_COLORS, lang, unanalysed=unanalysed)


def _labelled_groups(frame: pl.DataFrame, split: str, lang: str) -> pl.DataFrame:
    area = {"touchpoint": "touchpoint", "sentiment": "sentiment"}.get(split)
    if area is None:
        return frame.with_columns(pl.lit(t("app.common.all_mentions", lang)).alias("group_label"))
    return with_labels(frame, "group", area, lang, alias="group_label")


def timeline_chart(
    volume: pl.DataFrame,
    *,
    split: str,
    freq: str,
    lang: str,
    spikes: pl.DataFrame | None = None,
    selectable: bool = True,
) -> alt.LayerChart:
    """Stacked volume bars per period with an interval brush on x; spike periods as red rules.

    Args:
        volume: ``volume_over_time`` output (period, group, mentions, ...).
        split: "none" | "touchpoint" | "sentiment" (decides colours and legend).
        freq: "day" | "week" | "month" (date format of the axis).
        spikes: periods flagged as spikes (column ``period``), drawn behind the bars.
        selectable: add the ``periodo`` interval selection (off for PNG export).
    """
    data = _labelled_groups(volume, split, lang)
    if split == "sentiment":
        unanalysed = "unanalysed" in data.get_column("group").to_list()
        color = alt.Color(
            "group_label:N", title=t("app.chart.sentiment", lang), scale=sentiment_scale(lang, unanalysed=unanalysed),
            legend=alt.Legend(orient="top"),
        )
    elif split == "touchpoint":
        color = alt.Color(
            "group_label:N", title=t("app.chart.touchpoint", lang), scale=alt.Scale(scheme=TOUCHPOINT_SCHEME),
            legend=alt.Legend(orient="top", columns=6),
        )
    else:
        color = alt.value(VOLUME_COLOR)
    x = alt.X(
        "period:T",
        title=t(f"app.chart.period_{freq}", lang),
        axis=alt.Axis(format=_date_format(freq), labelAngle=0, labelOverlap=True),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(mentions):Q", title=t("app.chart.mentions", lang), stack="zero"),
            color=color,
            order=alt.Order("group_label:N"),
            tooltip=[
                alt.Tooltip("period:T", title=t(f"app.chart.period_{freq}", lang), format="%d/%m/%Y"),
                alt.Tooltip("group_label:N", title=t("app.chart.group", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
            ],
        )
    )
    if selectable:
        bars = bars.add_params(alt.selection_interval(name=BRUSH, encodings=["x"]))
    layers: list[alt.Chart] = []
    if spikes is not None and spikes.height:
        spike_data = spikes.select("period").unique().with_columns(pl.lit(t("app.chart.spike", lang)).alias("note"))
        layers.append(
            alt.Chart(spike_data)
            .mark_rule(color=ALERT_COLOR, strokeDash=[4, 3], strokeWidth=2, opacity=0.8)
            .encode(
                x="period:T",
                tooltip=[
                    alt.Tooltip("period:T", title=t(f"app.chart.period_{freq}", lang), format="%d/%m/%Y"),
                    alt.Tooltip("note:N", title=" "),
                ],
            )
        )
    layers.append(bars)
    return alt.layer(*layers).properties(height=320)


def net_sentiment_chart(volume: pl.DataFrame, *, freq: str, lang: str) -> alt.LayerChart:
    """Net sentiment ((pos - neg) / n) per period as a line around a zero rule."""
    # Periods without analysed mentions have no net sentiment: leave them out so the line stays joined.
    line = (
        alt.Chart(volume.filter(pl.col("net_sentiment").is_not_null()))
        .mark_line(point=alt.OverlayMarkDef(size=18), color="#444")
        .encode(
            x=alt.X("period:T", title=t(f"app.chart.period_{freq}", lang), axis=alt.Axis(format=_date_format(freq), labelAngle=0)),
            # The subheader above names the measure; an axis title here gets clipped on narrow screens.
            y=alt.Y("net_sentiment:Q", title=None, scale=alt.Scale(domain=[-1, 1])),
            tooltip=[
                alt.Tooltip("period:T", title=t(f"app.chart.period_{freq}", lang), format="%d/%m/%Y"),
                alt.Tooltip("net_sentiment:Q", title=t("app.chart.net_sentiment", lang), format="+.2f"),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
            ],
        )
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="#999", strokeDash=[2, 2]).encode(y="y:Q")
    return alt.layer(zero, line).properties(height=200)


def sentiment_mix_chart(summary: pl.DataFrame, lang: str) -> alt.Chart:
    """Share of negative / neutral / positive per touchpoint, rows in the summary's order (worst first)."""
    order = [category_name("touchpoint", k, lang) for k in summary.get_column("touchpoint").to_list()]
    tidy = (
        summary.select(
            "touchpoint",
            "mentions",
            pl.col("negative_share").alias("negative"),
            (1 - pl.col("negative_share").fill_null(0) - pl.col("positive_share").fill_null(0)).clip(0, 1).alias("neutral"),
            pl.col("positive_share").alias("positive"),
        )
        .unpivot(index=["touchpoint", "mentions"], variable_name="sentiment", value_name="share")
        .pipe(with_labels, "touchpoint", "touchpoint", lang)
        .pipe(with_labels, "sentiment", "sentiment", lang)
        .with_columns(pl.col("sentiment").replace_strict({s: i for i, s in enumerate(SENTIMENTS)}, return_dtype=pl.Int8).alias("rank"))
    )
    return (
        alt.Chart(tidy)
        .mark_bar()
        .encode(
            y=alt.Y("touchpoint_label:N", title=None, sort=order),
            x=alt.X("share:Q", title=t("app.chart.share", lang), axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color("sentiment_label:N", title=t("app.chart.sentiment", lang), scale=sentiment_scale(lang)),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("touchpoint_label:N", title=t("app.chart.touchpoint", lang)),
                alt.Tooltip("sentiment_label:N", title=t("app.chart.sentiment", lang)),
                alt.Tooltip("share:Q", title=t("app.chart.share", lang), format=".0%"),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
            ],
        )
        .properties(height=max(120, 34 * len(order)))
    )


def emotion_mix_chart(
    mix: pl.DataFrame, lang: str, *, group_area: str = "touchpoint", order: list[str] | None = None
) -> alt.Chart:
    """Emotion shares per group (``emotion_mix`` output), a normalised bar per group.

    ``order`` lists group keys top to bottom (e.g. the touchpoint summary's worst-first order).
    """
    tidy = (
        mix.pipe(with_labels, "group", group_area, lang, alias="group_label")
        .pipe(with_labels, "emotion", "emotion", lang)
        .with_columns(pl.col("emotion").replace_strict({e: i for i, e in enumerate(EMOTIONS)}, default=99, return_dtype=pl.Int8).alias("rank"))
    )
    return (
        alt.Chart(tidy)
        .mark_bar()
        .encode(
            y=alt.Y(
                "group_label:N", title=None,
                sort=[category_name(group_area, k, lang) for k in order] if order else "ascending",
            ),
            x=alt.X("mentions:Q", title=t("app.chart.share", lang), axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color("emotion_label:N", title=t("app.chart.emotion", lang), scale=emotion_scale(lang)),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("group_label:N", title=t("app.chart.touchpoint", lang)),
                alt.Tooltip("emotion_label:N", title=t("app.chart.emotion", lang)),
                alt.Tooltip("share:Q", title=t("app.chart.share", lang), format=".0%"),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
            ],
        )
        .properties(height=max(120, 34 * tidy.get_column("group").n_unique()))
    )


def heatmap_chart(counts: pl.DataFrame, lang: str) -> alt.Chart:
    """Mentions by weekday (rows, Monday first) and hour of day (columns)."""
    days = [t(f"app.weekday.{d}", lang) for d in range(7)]
    data = counts.with_columns(
        pl.col("weekday").replace_strict(dict(enumerate(days)), return_dtype=pl.String).alias("day"),
        (pl.col("negative") / pl.col("mentions")).fill_nan(None).alias("negative_share"),
    )
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("hour:O", title=t("app.chart.hour", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("day:N", title=None, sort=days),
            color=alt.Color("mentions:Q", title=t("app.chart.mentions", lang), scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("day:N", title=t("app.chart.weekday", lang)),
                alt.Tooltip("hour:O", title=t("app.chart.hour", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("negative:Q", title=t("app.chart.negative", lang), format=",d"),
                alt.Tooltip("negative_share:Q", title=t("app.chart.negative_share", lang), format=".0%"),
            ],
        )
        .properties(height=260)
    )


def off_hours_chart(frame: pl.DataFrame, lang: str) -> alt.Chart:
    """Share of mentions arriving outside office hours, one bar per touchpoint (highest first)."""
    data = frame.pipe(with_labels, "touchpoint", "touchpoint", lang)
    order = data.sort("off_hours_share", descending=True, nulls_last=True).get_column("touchpoint_label").to_list()
    return (
        alt.Chart(data)
        .mark_bar(color="#7b5ea7")
        .encode(
            y=alt.Y("touchpoint_label:N", title=None, sort=order),
            x=alt.X("off_hours_share:Q", title=t("app.chart.off_hours_share", lang), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("touchpoint_label:N", title=t("app.chart.touchpoint", lang)),
                alt.Tooltip("mentions:Q", title=t("app.chart.mentions", lang), format=",d"),
                alt.Tooltip("off_hours:Q", title=t("app.chart.off_hours", lang), format=",d"),
                alt.Tooltip("off_hours_share:Q", title=t("app.chart.off_hours_share", lang), format=".0%"),
                alt.Tooltip("off_hours_complaints:Q", title=t("app.chart.complaints", lang), format=",d"),
                alt.Tooltip("off_hours_questions:Q", title=t("app.chart.questions", lang), format=",d"),
            ],
        )
        .properties(height=max(120, 34 * len(order)))
    )


def alerts_chart(days: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Negative mentions per day against their baseline; alert days as red dots."""
    x = alt.X("day:T", title=t("app.chart.period_day", lang), axis=alt.Axis(format="%d %b", labelAngle=0))
    tooltip: list[Any] = [
        alt.Tooltip("day:T", title=t("app.chart.period_day", lang), format="%d/%m/%Y"),
        alt.Tooltip("negative:Q", title=t("app.chart.negative", lang), format=",d"),
        alt.Tooltip("baseline:Q", title=t("app.chart.baseline", lang), format=".1f"),
    ]
    base = alt.Chart(days)
    negative = base.mark_line(color=SENTIMENT_COLORS["negative"], strokeWidth=1.5).encode(
        x=x, y=alt.Y("negative:Q", title=t("app.chart.negative_per_day", lang)), tooltip=tooltip
    )
    baseline = base.mark_line(color="#777", strokeDash=[5, 4]).encode(x=x, y="baseline:Q", tooltip=tooltip)
    alerts = (
        base.transform_filter(alt.datum.is_alert)
        .mark_point(color=ALERT_COLOR, filled=True, size=90)
        .encode(x=x, y="negative:Q", tooltip=tooltip)
    )
    return alt.layer(baseline, negative, alerts).properties(height=280)
