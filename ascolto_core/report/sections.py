"""The report's sections: one builder per section, each returning a ``Section`` or an ``Omitted`` record.

Every number comes from the same insights function the app's page calls with
the same filtered mentions (``ctx.current`` is the app's ``ctx.filtered``), so
the report, the pages and ``summary`` cannot disagree. A builder whose data is
missing returns :class:`Omitted` with one line saying why, never an empty chart.

New sections (response times, competitors, aspects) are one function each,
added to ``SECTION_BUILDERS`` with :func:`register_section`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from datetime import date

import polars as pl

from ascolto_core.analysis import describe_engine
from ascolto_core.analysis.evaluation import evaluate_labels, normalise_labels
from ascolto_core.analysis.keywords import distinctive_terms, term_index
from ascolto_core.formatting import category_name, fmt_date, fmt_datetime, fmt_decimal, fmt_int, fmt_pct, fmt_signed
from ascolto_core.i18n import t
from ascolto_core.insights import (
    OfficeHours,
    amplified_negative,
    count_undated,
    emotion_mix,
    hour_weekday_counts,
    needs_attention,
    negative_spike_days,
    off_hours_by_touchpoint,
    touchpoint_summary,
    volume_over_time,
)
from ascolto_core.report import charts
from ascolto_core.report.context import ReportContext
from ascolto_core.report.model import Figure, Kpi, Omitted, Quote, Section, Table
from ascolto_core.schema import SENTIMENTS

SectionBuilder = Callable[[ReportContext], Section | Omitted]
# A literal quote longer than this is cut (and says so): a 100,000-character post would fill the report.
MAX_QUOTE_CHARS = 1200
POSTS_PER_SECTION = 5
TERMS_PER_SIDE = 12
# The timeline shows days up to this many days, then weeks up to a year and a bit, then months.
DAILY_UP_TO_DAYS = 62
WEEKLY_UP_TO_DAYS = 400


def _tr(key: str, ctx: ReportContext, **params: object) -> str:
    return t(f"report.{key}", ctx.lang, **params)


def _omit(ctx: ReportContext, key: str, reason_key: str) -> Omitted:
    return Omitted(key=key, title=_tr(f"{key}.title", ctx), reason=_tr(reason_key, ctx))


def long_date(day: date, lang: str) -> str:
    """``"28 novembre 2026"`` / ``"28 November 2026"``: the cover's date."""
    return f"{day.day} {t(f'report.months.{day.month}', lang)} {day.year}"


def short_author(name: str | None) -> str:
    """An author name shortened for privacy: "Mario Rossi" -> "Mario R.", "@mariorossi" -> "@ma…"."""
    name = (name or "").strip()
    if not name:
        return ""
    if "@" in name[1:]:  # an e-mail address
        return name[0] + "…@…"
    if name.startswith("@"):
        return "@" + name[1:3] + "…" if len(name) > 3 else name
    parts = name.split()
    if len(parts) == 1:
        return parts[0][:2] + "…" if len(parts[0]) > 3 else parts[0]
    return " ".join([parts[0], *(p[0] + "." for p in parts[1:])])


def _quote(row: dict[str, Any], ctx: ReportContext, meta: str, label: str = "") -> Quote:
    text = str(row.get("text") or "")
    cut = len(text) > MAX_QUOTE_CHARS
    author = row.get("author") or ""
    return Quote(
        text=text[:MAX_QUOTE_CHARS].rstrip() + "…" if cut else text,
        author=short_author(author) if ctx.request.short_authors else str(author),
        meta=meta,
        label=label,
        cut=cut,
    )


def _handle_key(name: pl.Expr) -> pl.Expr:
    # "Forno Brio", "@fornobrio" and "fornobrio" are one account.
    return name.str.to_lowercase().str.replace_all(r"[\s@._-]", "")


def own_voice(ctx: ReportContext) -> pl.Expr:
    """True for posts by the brand itself (author = the brand name or one of ``own_accounts``)."""
    names = [ctx.brand, *ctx.request.own_accounts]
    keys = pl.select(_handle_key(pl.Series(names, dtype=pl.String).implode().explode())).to_series()
    keys = keys.filter(keys.str.len_chars() > 0)
    return _handle_key(pl.col("author").fill_null("")).is_in(keys.implode()).fill_null(False)


def _customers(ctx: ReportContext) -> pl.DataFrame:
    """The period's posts minus the brand's own, for the quoted lists."""
    return ctx.current.filter(~own_voice(ctx))


def _names(area: str, keys: list[str | None], lang: str) -> dict[str, str]:
    return {k: category_name(area, k, lang) for k in keys if k is not None}


# --- summary ---------------------------------------------------------------------------------------


def _alerts(ctx: ReportContext) -> pl.DataFrame:
    # Same call as the Panoramica and Allarmi pages: spikes within the filtered mentions.
    return negative_spike_days(ctx.current, tz=ctx.tz).filter(pl.col("is_alert"))


def summary_sentences(ctx: ReportContext) -> tuple[str, ...]:
    """Three to five plain sentences generated from the headline numbers (no invented text)."""
    head, lang = ctx.head, ctx.lang
    now, before = head.current, head.previous
    n = fmt_int(now.mentions, lang)
    sentences: list[str] = []
    if now.date_from is None or now.date_to is None:
        sentences.append(_tr("summary.volume_undated", ctx, n=n))
    else:
        span = {"start": fmt_date(now.date_from, lang), "end": fmt_date(now.date_to, lang), "n": n}
        change = head.mentions_change
        if before is None or change is None:
            sentences.append(_tr("summary.volume_alone", ctx, **span))
        elif change == 0:
            sentences.append(_tr("summary.volume_flat", ctx, **span))
        else:
            word = "more" if change > 0 else "less"
            pct = _tr(f"summary.{word}", ctx, pct=fmt_pct(abs(change), lang))
            sentences.append(_tr("summary.volume", ctx, change=pct, prev=fmt_int(before.mentions, lang), **span))
    if now.analysed == 0:
        sentences.append(_tr("summary.no_analysis", ctx))
        return tuple(sentences)
    neg, pos = fmt_pct(now.negative_share, lang), fmt_pct(now.positive_share, lang)
    if head.negative_share_delta is None:
        sentences.append(_tr("summary.mood_alone", ctx, neg=neg, pos=pos))
    else:
        delta = fmt_signed(head.negative_share_delta * 100, lang, digits=1)
        sentences.append(_tr("summary.mood", ctx, neg=neg, pos=pos, neg_delta=delta))
    net_change = (
        _tr("summary.net_change", ctx, before=fmt_signed(before.net_sentiment, lang))
        if before is not None and before.net_sentiment is not None
        else ""
    )
    emotion = category_name("emotion", now.dominant_emotion, lang) if now.dominant_emotion else "–"
    sentences.append(_tr("summary.net", ctx, net=fmt_signed(now.net_sentiment, lang), net_change=net_change, emotion=emotion))
    alerts = _alerts(ctx)
    if alerts.is_empty():
        sentences.append(_tr("summary.alerts_none", ctx))
    else:
        top = alerts.sort(["negative", "day"], descending=[True, False]).row(0, named=True)
        params = {
            "day": fmt_date(top["day"], lang),
            "n": fmt_int(top["negative"], lang),
            "base": fmt_decimal(top["baseline"], lang),
            "k": fmt_int(alerts.height, lang),
        }
        sentences.append(_tr("summary.alert_one" if alerts.height == 1 else "summary.alerts", ctx, **params))
    summary = touchpoint_summary(ctx.current)
    if summary.height > 1 and summary.row(0, named=True)["net_sentiment"] is not None:
        worst = summary.row(0, named=True)
        sentences.append(
            _tr(
                "summary.worst",
                ctx,
                name=category_name("touchpoint", worst["touchpoint"], lang),
                net=fmt_signed(worst["net_sentiment"], lang),
                neg=fmt_pct(worst["negative_share"], lang),
            )
        )
    return tuple(sentences)


def _points(delta: float | None, ctx: ReportContext) -> str:
    return "" if delta is None else _tr("kpi.points", ctx, value=fmt_signed(delta * 100, ctx.lang, digits=1))


def _tone(delta: float | None, *, higher_is_good: bool) -> Literal["good", "bad", "neutral"]:
    if delta is None or abs(delta) < 1e-9:
        return "neutral"
    return "good" if (delta > 0) == higher_is_good else "bad"


def headline_kpis(ctx: ReportContext) -> tuple[Kpi, ...]:
    """The Panoramica page's five numbers, with the previous period and the change."""
    head, lang = ctx.head, ctx.lang
    now, before = head.current, head.previous

    def prev(value: str) -> str:
        return _tr("kpi.before", ctx, value=value) if before is not None else ""

    emotion_now = category_name("emotion", now.dominant_emotion, lang) if now.dominant_emotion else "–"
    emotion_before = (
        category_name("emotion", before.dominant_emotion, lang) if before is not None and before.dominant_emotion else "–"
    )
    return (
        Kpi(
            _tr("kpi.mentions", ctx),
            fmt_int(now.mentions, lang),
            prev(fmt_int(before.mentions, lang)) if before else "",
            "" if head.mentions_delta is None else f"{head.mentions_delta:+,d}".replace(",", "." if lang == "it" else ","),
        ),
        Kpi(
            _tr("kpi.negative_share", ctx),
            fmt_pct(now.negative_share, lang),
            prev(fmt_pct(before.negative_share, lang)) if before else "",
            _points(head.negative_share_delta, ctx),
            _tone(head.negative_share_delta, higher_is_good=False),
        ),
        Kpi(
            _tr("kpi.positive_share", ctx),
            fmt_pct(now.positive_share, lang),
            prev(fmt_pct(before.positive_share, lang)) if before else "",
            _points(head.positive_share_delta, ctx),
            _tone(head.positive_share_delta, higher_is_good=True),
        ),
        Kpi(
            _tr("kpi.net_sentiment", ctx),
            fmt_signed(now.net_sentiment, lang),
            prev(fmt_signed(before.net_sentiment, lang)) if before else "",
            "" if head.net_sentiment_delta is None else fmt_signed(head.net_sentiment_delta, lang),
            _tone(head.net_sentiment_delta, higher_is_good=True),
        ),
        Kpi(_tr("kpi.emotion", ctx), emotion_now, prev(emotion_before) if before else "", ""),
    )


def summary_section(ctx: ReportContext) -> Section | Omitted:
    """Headline numbers with their changes and the sentences that read them."""
    return Section(
        key="summary",
        title=_tr("summary.title", ctx),
        kpis=headline_kpis(ctx),
        paragraphs=(" ".join(summary_sentences(ctx)),),
    )


# --- mood over time --------------------------------------------------------------------------------


def timeline_freq(start: date | None, end: date | None) -> str:
    """Days for up to two months, weeks up to about a year, months beyond."""
    if start is None or end is None:
        return "day"
    days = (end - start).days + 1
    return "day" if days <= DAILY_UP_TO_DAYS else "week" if days <= WEEKLY_UP_TO_DAYS else "month"


def timeline_section(ctx: ReportContext) -> Section | Omitted:
    """Mentions over time by sentiment, alert days marked and listed."""
    lang = ctx.lang
    freq = timeline_freq(ctx.head.current.date_from, ctx.head.current.date_to)
    volume = volume_over_time(ctx.current, freq=freq, split="sentiment", tz=ctx.tz)
    if volume.is_empty():
        return _omit(ctx, "timeline", "timeline.omitted")
    alerts = _alerts(ctx).sort("day")
    labels = _names("sentiment", [*SENTIMENTS], lang) | {"unanalysed": category_name("sentiment", "unanalysed", lang)}
    labels = {k: v for k, v in labels.items() if k in set(volume.get_column("group").to_list())}
    chart = charts.mood_timeline(
        volume,
        labels,
        alerts.get_column("day").to_list(),
        freq=freq,
        titles={"mentions": _tr("timeline.mentions", ctx), "alert": _tr("timeline.alert", ctx)},
    )
    notes: list[str] = []
    undated = count_undated(ctx.current)
    if undated:
        notes.append(_tr("timeline.undated", ctx, n=fmt_int(undated, lang)))
    tables: tuple[Table, ...] = ()
    if alerts.is_empty():
        notes.insert(0, _tr("timeline.no_alerts", ctx))
    else:
        tables = (
            Table(
                columns=(_tr("timeline.day", ctx), _tr("timeline.negative", ctx), _tr("timeline.baseline", ctx)),
                rows=tuple(
                    (fmt_date(r["day"], lang), fmt_int(r["negative"], lang), fmt_decimal(r["baseline"], lang))
                    for r in alerts.iter_rows(named=True)
                ),
                numeric=(False, True, True),
                caption=_tr("timeline.alert_days", ctx),
            ),
        )
    return Section(
        key="timeline",
        title=_tr("timeline.title", ctx),
        paragraphs=(_tr("timeline.intro", ctx, freq=_tr(f"timeline.freq_{freq}", ctx)),),
        figures=(Figure("svg", charts.to_svg(chart, lang), alt=_tr("timeline.title", ctx)),),
        tables=tables,
        notes=tuple(notes),
    )


# --- touchpoints and emotions ----------------------------------------------------------------------


def touchpoints_section(ctx: ReportContext) -> Section | Omitted:
    """Touchpoints, worst mood first (the Touchpoint page's table and mix chart)."""
    lang = ctx.lang
    summary = touchpoint_summary(ctx.current)
    if summary.is_empty():
        return _omit(ctx, "touchpoints", "touchpoints.omitted")
    if not ctx.analysed:
        return _omit(ctx, "touchpoints", "touchpoints.unanalysed")
    names = _names("touchpoint", summary.get_column("touchpoint").to_list(), lang)
    chart = charts.touchpoint_mix(
        summary.filter(pl.col("analysed") > 0),
        names,
        _names("sentiment", [*SENTIMENTS], lang),
        titles={"share": _tr("touchpoints.share", ctx)},
    )
    rows = tuple(
        (
            names[r["touchpoint"]],
            fmt_int(r["mentions"], lang),
            fmt_pct(r["negative_share"], lang),
            fmt_pct(r["positive_share"], lang),
            fmt_signed(r["net_sentiment"], lang),
            category_name("emotion", r["dominant_emotion"], lang) if r["dominant_emotion"] else "–",
        )
        for r in summary.iter_rows(named=True)
    )
    columns = tuple(_tr(f"touchpoints.{k}", ctx) for k in ("touchpoint", "mentions", "negative", "positive", "net", "emotion"))
    return Section(
        key="touchpoints",
        title=_tr("touchpoints.title", ctx),
        paragraphs=(_tr("touchpoints.intro", ctx),),
        figures=(Figure("svg", charts.to_svg(chart, lang), alt=_tr("touchpoints.title", ctx)),),
        tables=(Table(columns, rows, numeric=(False, True, True, True, True, False)),),
        tables_first=True,
    )


def emotions_section(ctx: ReportContext) -> Section | Omitted:
    """The share of each emotion over the period (the Touchpoint page's emotion mix, not split)."""
    lang = ctx.lang
    mix = emotion_mix(ctx.current, by="none")
    if mix.is_empty() or mix.get_column("share").null_count() == mix.height:
        return _omit(ctx, "emotions", "emotions.omitted")
    names = _names("emotion", mix.get_column("emotion").to_list(), lang)
    analysed = int(mix.get_column("mentions").sum())
    emotion = ctx.head.current.dominant_emotion
    chart = charts.emotion_bars(mix, names, titles={"share": _tr("emotions.share", ctx)})
    return Section(
        key="emotions",
        title=_tr("emotions.title", ctx),
        paragraphs=(
            _tr(
                "emotions.intro",
                ctx,
                n=fmt_int(analysed, lang),
                emotion=category_name("emotion", emotion, lang) if emotion else "–",
            ),
        ),
        figures=(Figure("svg", charts.to_svg(chart, lang), alt=_tr("emotions.title", ctx)),),
    )


# --- words -----------------------------------------------------------------------------------------


def words_section(ctx: ReportContext) -> Section | Omitted:
    """Distinctive words of negative and of positive mentions against the rest (the Parole page's list)."""
    lang = ctx.lang
    tables: list[Table] = []
    # Tokenised once for both lists (same terms as tokenising each time; the Parole page does the same).
    index = ctx.source.term_index or (term_index(ctx.current) if ctx.current.height else None)
    for mood in ("negative", "positive"):
        in_group = (pl.col("sentiment") == mood).fill_null(False)
        size = ctx.current.select(in_group.sum()).item() if ctx.current.height else 0
        if size in (0, ctx.current.height):
            continue
        terms = distinctive_terms(ctx.current, in_group, n=TERMS_PER_SIDE, index=index)
        if terms.is_empty():
            continue
        tables.append(
            Table(
                columns=(_tr("words.term", ctx), _tr("words.count_in", ctx), _tr("words.z", ctx)),
                rows=tuple(
                    (r["term"], fmt_int(r["count_in"], lang), fmt_decimal(r["z"], lang))
                    for r in terms.iter_rows(named=True)
                ),
                numeric=(False, True, True),
                caption=_tr(f"words.{mood}", ctx),
            )
        )
    if not tables:
        return _omit(ctx, "words", "words.omitted")
    return Section(
        key="words",
        title=_tr("words.title", ctx),
        paragraphs=(_tr("words.intro", ctx),),
        tables=tuple(tables),
        tables_side_by_side=len(tables) == 2,
    )


# --- office hours ----------------------------------------------------------------------------------


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_section(ctx: ReportContext) -> Section | Omitted:
    """When mentions arrive and how many land outside office hours (the Orari page)."""
    lang = ctx.lang
    counts = hour_weekday_counts(ctx.current, ctx.tz)
    if counts.is_empty() or counts.get_column("mentions").sum() == 0:
        return _omit(ctx, "hours", "hours.omitted")
    office = OfficeHours.from_config()
    off = off_hours_by_touchpoint(ctx.current, office, ctx.tz)
    total_off = int(off.get_column("off_hours").sum())
    # The Orari page's headline figure, same formula.
    share = total_off / max(1, int(off.get_column("mentions").sum()))
    window = office.default
    weekdays = [t(f"insights.weekday.{d}", lang) for d in range(7)]
    chart = charts.hour_heatmap(
        counts, weekdays, titles={"hour": _tr("hours.hour", ctx), "mentions": _tr("hours.mentions", ctx)}
    )
    names = _names("touchpoint", off.get_column("touchpoint").to_list(), lang)
    view = off.sort("off_hours_share", descending=True, nulls_last=True)
    rows = tuple(
        (
            names[r["touchpoint"]],
            fmt_int(r["mentions"], lang),
            fmt_int(r["off_hours"], lang),
            fmt_pct(r["off_hours_share"], lang),
            fmt_int(r["off_hours_complaints"], lang),
            fmt_int(r["off_hours_questions"], lang),
        )
        for r in view.iter_rows(named=True)
    )
    columns = tuple(
        _tr(f"hours.{k}", ctx) for k in ("touchpoint", "mentions", "off_hours", "off_share", "complaints", "questions")
    )
    intro = _tr(
        "hours.intro",
        ctx,
        days=", ".join(weekdays[d] for d in window.days),
        start=_clock(window.open_minute),
        end=_clock(window.close_minute),
        share=fmt_pct(share, lang),
        n=fmt_int(total_off, lang),
    )
    return Section(
        key="hours",
        title=_tr("hours.title", ctx),
        paragraphs=(intro,),
        figures=(Figure("svg", charts.to_svg(chart, lang), alt=_tr("hours.heatmap", ctx), caption=_tr("hours.heatmap", ctx)),),
        tables=(Table(columns, rows, numeric=(False, True, True, True, True, True)),),
    )


# --- posts -----------------------------------------------------------------------------------------


def amplified_section(ctx: ReportContext) -> Section | Omitted:
    """The negative posts with the most engagement (the Allarmi page's list), quoted literally."""
    lang = ctx.lang
    posts = amplified_negative(_customers(ctx), n=POSTS_PER_SECTION)
    if posts.is_empty():
        return _omit(ctx, "amplified", "amplified.omitted")
    quotes = tuple(
        _quote(
            row,
            ctx,
            _tr(
                "amplified.meta",
                ctx,
                touchpoint=category_name("touchpoint", row["touchpoint"] or "other", lang),
                when=fmt_datetime(row["created_at"], lang, ctx.tz),
                engagement=fmt_int(row["engagement"], lang),
            ),
        )
        for row in posts.iter_rows(named=True)
    )
    return Section(key="amplified", title=_tr("amplified.title", ctx), paragraphs=(_tr("amplified.intro", ctx),), quotes=quotes)


def attention_section(ctx: ReportContext) -> Section | Omitted:
    """The posts that most need an answer (the Panoramica page's list, longer), quoted literally."""
    lang = ctx.lang
    posts = needs_attention(_customers(ctx), n=POSTS_PER_SECTION)
    if posts.is_empty():
        return _omit(ctx, "attention", "attention.omitted")
    quotes = tuple(
        _quote(
            row,
            ctx,
            _tr(
                "attention.meta",
                ctx,
                touchpoint=category_name("touchpoint", row["touchpoint"] or "other", lang),
                when=fmt_datetime(row["created_at"], lang, ctx.tz),
            ),
            label=t(f"insights.reason.{row['attention_reason']}", lang),
        )
        for row in posts.iter_rows(named=True)
    )
    return Section(key="attention", title=_tr("attention.title", ctx), paragraphs=(_tr("attention.intro", ctx),), quotes=quotes)


# --- method ----------------------------------------------------------------------------------------


def source_counts(ctx: ReportContext) -> pl.DataFrame:
    """``(source, mentions)`` in the period, most first (null source -> the touchpoint's name)."""
    return (
        ctx.current.group_by(pl.col("source").fill_null(pl.col("touchpoint")).fill_null("–").alias("source"))
        .agg(pl.len().alias("mentions"))
        .sort(["mentions", "source"], descending=[True, False])
    )


def _quality_line(ctx: ReportContext) -> str | None:
    """Agreement with the data's own reference labels in the period, when there are some."""
    analysed = ctx.current.filter(pl.col("sentiment").is_not_null())
    gold = normalise_labels(analysed.get_column("label"))
    known = gold.is_not_null()
    if not known.any():
        return None
    try:
        evaluation = evaluate_labels(gold.filter(known), analysed.get_column("sentiment").filter(known))
    except ValueError:  # another engine's labels outside negative/neutral/positive
        return None
    return _tr(
        "method.quality",
        ctx,
        n=fmt_int(evaluation.n, ctx.lang),
        accuracy=fmt_pct(evaluation.accuracy, ctx.lang),
        f1=fmt_decimal(evaluation.macro_f1, ctx.lang, digits=2),
    )


def method_section(ctx: ReportContext) -> Section | Omitted:
    """Which engine, how good it is on these data when labels allow it, what was left out, where data came from."""
    lang = ctx.lang
    source = ctx.source
    lines: list[str] = []
    if source.engine is not None:
        lines.append(_tr("method.engine", ctx, engine=describe_engine(source.engine, lang).rstrip(".")))
    else:
        lines.append(_tr("method.engine_unknown", ctx))
    if source.fallback:
        lines.append(_tr("method.fallback", ctx, message=source.fallback))
    quality = _quality_line(ctx)
    lines.append(quality or _tr("method.quality_unknown", ctx))
    report = source.load_report
    if report is not None:
        lines.append(
            _tr(
                "method.excluded",
                ctx,
                duplicates=fmt_int(report.duplicates_removed, lang),
                empty=fmt_int(report.empty_texts_dropped, lang),
            )
        )
    own = ctx.current.filter(own_voice(ctx))
    if own.height:
        authors = ", ".join(own.get_column("author").unique().sort().head(5).to_list())
        lines.append(_tr("method.own_posts", ctx, n=fmt_int(own.height, lang), authors=authors))
    undated = count_undated(ctx.mentions)
    lines.append(_tr("method.undated", ctx, n=fmt_int(undated, lang)))
    sources = source_counts(ctx)
    if sources.height:
        shown = [f"{r['source']} ({fmt_int(r['mentions'], lang)})" for r in sources.head(8).iter_rows(named=True)]
        if sources.height > 8:
            shown.append(_tr("method.sources_more", ctx, n=fmt_int(sources.height - 8, lang)))
        lines.append(_tr("method.sources", ctx, sources=", ".join(shown)))
    lines.append(_tr("method.period", ctx))
    lines.append(_tr("method.shares", ctx))
    if ctx.request.short_authors:
        lines.append(_tr("method.authors_short", ctx))
    return Section(key="method", title=_tr("method.title", ctx), paragraphs=tuple(lines))


# --- the list --------------------------------------------------------------------------------------

SECTION_BUILDERS: list[tuple[str, SectionBuilder]] = [
    ("summary", summary_section),
    ("timeline", timeline_section),
    ("touchpoints", touchpoints_section),
    ("emotions", emotions_section),
    ("words", words_section),
    ("hours", hours_section),
    ("amplified", amplified_section),
    ("attention", attention_section),
    ("method", method_section),
]


def register_section(key: str, builder: SectionBuilder, *, before: str | None = "method") -> None:
    """Add a section builder (e.g. response times, competitors, aspects) before ``before`` (None: at the end).

    Registering a key again replaces its builder in place.
    """
    for i, (existing, _) in enumerate(SECTION_BUILDERS):
        if existing == key:
            SECTION_BUILDERS[i] = (key, builder)
            return
    keys = [k for k, _ in SECTION_BUILDERS]
    position = keys.index(before) if before in keys else len(SECTION_BUILDERS)
    SECTION_BUILDERS.insert(position, (key, builder))

