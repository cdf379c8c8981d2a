"""The report's sections: one builder per section, each returning a ``Section`` or an ``Omitted`` record.

Every number comes from the same insights function the app's page calls with
the same filtered mentions (``ctx.current`` is the app's ``ctx.filtered``), so
the report, the pages and ``summary`` cannot disagree. A builder whose data is
missing returns :class:`Omitted` with one line saying why, never an empty chart.

Each section is one function, added to ``SECTION_BUILDERS`` with
:func:`register_section` (response times, competitors and aspects are
registered that way at the end of this module).
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
    apply_filter,
    count_undated,
    emotion_mix,
    hour_weekday_counts,
    needs_attention,
    negative_spike_days,
    off_hours_by_touchpoint,
    touchpoint_summary,
    volume_over_time,
)
from ascolto_core.insights.aspects import aspect_summary, aspect_touchpoint_matrix
from ascolto_core.insights.competitors import brand_comparison, has_competitors, share_of_voice
from ascolto_core.insights.responses import (
    first_responses,
    missing_reason,
    response_summary,
    response_times,
    unanswered,
    weekend_gap,
)
from ascolto_core.report import charts
from ascolto_core.report.context import ReportContext
from ascolto_core.report.model import Figure, Kpi, Omitted, Quote, Section, Table
from ascolto_core.schema import SENTIMENTS
from ascolto_core.workspace.store import LOAD_KINDS

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


def office_hours(ctx: ReportContext) -> OfficeHours:
    """The workspace's office hours, else the project's (``config/insights.yaml``)."""
    return ctx.source.office_hours or OfficeHours.from_config()


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_section(ctx: ReportContext) -> Section | Omitted:
    """When mentions arrive and how many land outside office hours (the Orari page)."""
    lang = ctx.lang
    counts = hour_weekday_counts(ctx.current, ctx.tz)
    if counts.is_empty() or counts.get_column("mentions").sum() == 0:
        return _omit(ctx, "hours", "hours.omitted")
    office = office_hours(ctx)
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
    posts = amplified_negative(ctx.current, n=POSTS_PER_SECTION)
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
    posts = needs_attention(ctx.current, n=POSTS_PER_SECTION)
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
    """Agreement with reference labels in the period: the workspace's corrections, else the data's own ``label``."""
    analysed = ctx.current.filter(pl.col("sentiment").is_not_null())
    facts = ctx.source.workspace
    by_person = facts is not None and facts.labels.height > 0
    if by_person:
        corrections = facts.labels.select(pl.col("mention_id").alias("id"), pl.col("sentiment").alias("_gold"))
        analysed = analysed.join(corrections.drop_nulls("_gold"), on="id", how="left")
        gold = normalise_labels(analysed.get_column("_gold"))
    else:
        gold = normalise_labels(analysed.get_column("label"))
    known = gold.is_not_null()
    if not known.any():
        return None
    try:
        evaluation = evaluate_labels(gold.filter(known), analysed.get_column("sentiment").filter(known))
    except ValueError:  # another engine's labels outside negative/neutral/positive
        return None
    return _tr(
        "method.quality_labels" if by_person else "method.quality",
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
    lines.extend(_voice_lines(ctx))
    undated = count_undated(ctx.mentions)
    lines.append(_tr("method.undated", ctx, n=fmt_int(undated, lang)))
    sources = source_counts(ctx)
    if sources.height:
        shown = [f"{r['source']} ({fmt_int(r['mentions'], lang)})" for r in sources.head(8).iter_rows(named=True)]
        if sources.height > 8:
            shown.append(_tr("method.sources_more", ctx, n=fmt_int(sources.height - 8, lang)))
        lines.append(_tr("method.sources", ctx, sources=", ".join(shown)))
    lines.extend(workspace_lines(ctx))
    lines.append(_tr("method.period", ctx))
    lines.append(_tr("method.shares", ctx))
    if ctx.request.short_authors:
        lines.append(_tr("method.authors_short", ctx))
    return Section(key="method", title=_tr("method.title", ctx), paragraphs=tuple(lines))


# --- own voice and workspace (method) ----------------------------------------------------------------


def _voice_lines(ctx: ReportContext) -> list[str]:
    """How the brand's own posts (``insights.voice``) were treated, with their count in the period."""
    lang = ctx.lang
    own = apply_filter(ctx.mentions, ctx.flt.replace(voice="own"), ctx.tz)
    n = fmt_int(own.height, lang)
    if ctx.flt.voice == "all":
        return [_tr("method.voice_all", ctx, n=n)]
    if ctx.flt.voice == "own":
        return [_tr("method.voice_own", ctx, n=n)]
    if own.height:
        authors = ", ".join(own.get_column("author").drop_nulls().unique().sort().head(5).to_list())
        return [_tr("method.own_posts", ctx, n=n, authors=authors)]
    if not ctx.profile.own_accounts:
        return [_tr("method.own_unknown", ctx)]
    return [_tr("method.own_none", ctx, accounts=", ".join(ctx.profile.own_accounts[:5]))]


def _in_period(ctx: ReportContext, at: pl.Expr) -> pl.Expr:
    """True for UTC times whose local day (display zone) is inside the report's period."""
    day = at.dt.convert_time_zone(ctx.tz).dt.date()
    now = ctx.head.current
    condition = pl.lit(True)
    if now.date_from is not None:
        condition = condition & (day >= now.date_from)
    if now.date_to is not None:
        condition = condition & (day <= now.date_to)
    return condition


def workspace_lines(ctx: ReportContext) -> list[str]:
    """Loads and fetches of the period, the sources' failures, the listening health and the labels (workspaces only)."""
    facts = ctx.source.workspace
    if facts is None:
        return []
    lang = ctx.lang
    lines: list[str] = []
    history = facts.history.filter(_in_period(ctx, pl.col("at")))
    loads = (
        history.filter(pl.col("kind").is_in(LOAD_KINDS))
        .group_by("origin")
        .agg(pl.len().alias("loads"), pl.col("new").sum().alias("new"))
        .sort(["new", "origin"], descending=[True, False])
    )
    if loads.is_empty():
        lines.append(_tr("method.ws_no_loads", ctx, name=facts.name))
    else:
        shown = [
            _tr("method.ws_load", ctx, origin=r["origin"], loads=fmt_int(r["loads"], lang), new=fmt_int(r["new"], lang))
            for r in loads.head(8).iter_rows(named=True)
        ]
        if loads.height > 8:
            shown.append(_tr("method.sources_more", ctx, n=fmt_int(loads.height - 8, lang)))
        total = fmt_int(int(loads.get_column("loads").sum()), lang)
        lines.append(_tr("method.ws_loads", ctx, name=facts.name, n=total, origins="; ".join(shown)))
    failures = (
        history.filter(pl.col("kind") == "listen_failure")
        .group_by("origin")
        .agg(pl.len().alias("times"), pl.col("at").min().alias("first"))
        .sort("first")
    )
    if failures.is_empty():
        lines.append(_tr("method.ws_no_failures", ctx))
    else:
        shown = [
            _tr("method.ws_failure", ctx, origin=r["origin"], times=fmt_int(r["times"], lang), day=fmt_datetime(r["first"], lang, ctx.tz))
            for r in failures.iter_rows(named=True)
        ]
        lines.append(_tr("method.ws_failures", ctx, failures="; ".join(shown)))
    failing = facts.sources.filter(pl.col("failing_since").is_not_null())
    if failing.height:
        shown = [
            _tr("method.ws_failing", ctx, source=r["source"], since=fmt_datetime(r["failing_since"], lang, ctx.tz),
                message=(r["message"] or "–")[:160])
            for r in failing.iter_rows(named=True)
        ]
        lines.append(_tr("method.ws_still_failing", ctx, sources="; ".join(shown)))
    count = facts.labels.height
    lines.append(_tr("method.ws_labels", ctx, n=fmt_int(count, lang)) if count else _tr("method.ws_no_labels", ctx))
    return lines


# --- customer service: response times -----------------------------------------------------------------


def fmt_minutes(minutes: float | None, lang: str) -> str:
    """``"12 min"``, ``"3 h 20 min"``, ``"2 g 4 h"`` (``"2 d 4 h"`` in English); ``"–"`` for None."""
    if minutes is None:
        return "–"
    total = int(round(minutes))
    if total < 60:
        return t("report.minutes.m", lang, m=total)
    hours, mins = divmod(total, 60)
    if hours < 48:
        return t("report.minutes.hm", lang, h=hours, m=mins) if mins else t("report.minutes.h", lang, h=hours)
    days, hours = divmod(hours, 24)
    return t("report.minutes.dh", lang, d=days, h=hours) if hours else t("report.minutes.d", lang, d=days)


def responses_section(ctx: ReportContext) -> Section | Omitted:
    """Answered share, median and p90 first reply, by touchpoint and hour, the weekend gap, the unanswered (Servizio clienti)."""
    lang = ctx.lang
    brand = ctx.profile.brand or None  # complaints about a competitor are not ours to answer
    # Customer posts follow the filter; the brand's replies are looked up in all the data, as on the page.
    missing = missing_reason(ctx.current, ctx.mentions)
    if missing is not None:
        return _omit(ctx, "responses", f"responses.{missing}")
    answered = first_responses(ctx.current, ctx.mentions, brand)
    summary = response_summary(ctx.current, replies=ctx.mentions, brand=brand, answered=answered)
    if not summary.answerable:
        return _omit(ctx, "responses", "responses.nothing")
    kpis = (
        Kpi(_tr("responses.answerable", ctx), fmt_int(summary.answerable, lang), "", ""),
        Kpi(_tr("responses.answered_share", ctx), fmt_pct(summary.answered_share, lang), "", ""),
        Kpi(_tr("responses.median", ctx), fmt_minutes(summary.median_first_response_minutes, lang), "", ""),
        Kpi(_tr("responses.p90", ctx), fmt_minutes(summary.p90_first_response_minutes, lang), "", ""),
        Kpi(_tr("responses.unanswered", ctx), fmt_int(summary.unanswered, lang), "", "",
            "bad" if summary.unanswered else "neutral"),
    )
    paragraphs = [
        _tr(
            "responses.intro", ctx, n=fmt_int(summary.answerable, lang), share=fmt_pct(summary.answered_share, lang),
            median=fmt_minutes(summary.median_first_response_minutes, lang),
            p90=fmt_minutes(summary.p90_first_response_minutes, lang),
        )
    ]
    gap = weekend_gap(ctx.current, ctx.mentions, ctx.tz, brand, answered=answered)
    if gap is not None and gap.weekend_answerable and gap.weekday_answerable:
        paragraphs.append(
            _tr(
                "responses.weekend_gap" if gap.weekend_median_minutes is not None else "responses.weekend_none", ctx,
                weekend=fmt_minutes(gap.weekend_median_minutes, lang), weekday=fmt_minutes(gap.weekday_median_minutes, lang),
                weekend_share=fmt_pct(gap.weekend_answered_share, lang), weekday_share=fmt_pct(gap.weekday_answered_share, lang),
            )
        )
    by_touchpoint = response_times(ctx.current, by="touchpoint", replies=ctx.mentions, tz=ctx.tz, brand=brand, answered=answered)
    names = _names("touchpoint", by_touchpoint.get_column("touchpoint").to_list(), lang)
    table = Table(
        columns=tuple(_tr(f"responses.{k}", ctx) for k in ("touchpoint", "answerable", "answered_share", "median", "p90")),
        rows=tuple(
            (names[r["touchpoint"]], fmt_int(r["answerable"], lang), fmt_pct(r["answered_share"], lang),
             fmt_minutes(r["median_minutes"], lang), fmt_minutes(r["p90_minutes"], lang))
            for r in by_touchpoint.iter_rows(named=True)
        ),
        numeric=(False, True, True, True, True),
        caption=_tr("responses.by_touchpoint", ctx),
    )
    figures: list[Figure] = []
    by_hour = response_times(ctx.current, by="hour", replies=ctx.mentions, tz=ctx.tz, brand=brand, answered=answered)
    by_hour = by_hour.filter(pl.col("answered") > 0)  # an hour with nothing answered has no time to draw
    if by_hour.height:
        window = office_hours(ctx).default
        inside = pl.col("hour").cast(pl.Int32) * 60 + 30
        in_office = (inside >= window.open_minute) & (inside < window.close_minute)
        frame = by_hour.with_columns(
            (pl.col("median_minutes") / 60).alias("median_hours"),
            pl.when(in_office).then(pl.lit(_tr("responses.in_office", ctx))).otherwise(pl.lit(_tr("responses.off_office", ctx))).alias("window"),
        )
        chart = charts.response_by_hour(
            frame,
            titles={"hour": _tr("responses.hour", ctx), "median": _tr("responses.median_hours", ctx),
                    "in_office": _tr("responses.in_office", ctx), "off_office": _tr("responses.off_office", ctx)},
        )
        figures.append(Figure("svg", charts.to_svg(chart, lang), alt=_tr("responses.by_hour", ctx), caption=_tr("responses.by_hour", ctx)))
    waiting = unanswered(ctx.current, replies=ctx.mentions, brand=brand, answered=answered)
    quotes = tuple(
        _quote(
            row, ctx,
            _tr("responses.meta", ctx, touchpoint=category_name("touchpoint", row["touchpoint"] or "other", lang),
                when=fmt_datetime(row["created_at"], lang, ctx.tz)),
            label=_tr("responses.question" if row["is_question"] else "responses.complaint", ctx),
        )
        for row in waiting.head(POSTS_PER_SECTION).iter_rows(named=True)
    )
    notes = (
        (_tr("responses.unanswered_intro", ctx, n=fmt_int(waiting.height, lang), shown=fmt_int(len(quotes), lang)),)
        if quotes else (_tr("responses.all_answered", ctx),)
    )
    return Section(
        key="responses", title=_tr("responses.title", ctx), paragraphs=tuple(paragraphs), kpis=kpis,
        figures=tuple(figures), tables=(table,), notes=notes, quotes=quotes,
    )


# --- competitors --------------------------------------------------------------------------------------


def competitors_section(ctx: ReportContext) -> Section | Omitted:
    """Share of voice over time and net sentiment per brand (the Concorrenti page)."""
    lang = ctx.lang
    if not has_competitors(ctx.current):
        return _omit(ctx, "competitors", "competitors.omitted")
    comparison = brand_comparison(ctx.current)
    brands = comparison.get_column("brand").to_list()
    now = ctx.head.current
    freq = "week" if timeline_freq(now.date_from, now.date_to) != "month" else "month"
    shares = share_of_voice(ctx.current, freq=freq, tz=ctx.tz)
    figures: list[Figure] = []
    if shares.height:
        label = (
            pl.col("period").dt.strftime("%d/%m") if freq == "week" else pl.col("period").dt.strftime("%m/%Y")
        )
        shares = shares.with_columns(label.alias("label"))
        periods = shares.sort("period").get_column("label").unique(maintain_order=True).to_list()
        chart = charts.share_of_voice(
            shares, brands, periods,
            titles={"share": _tr("competitors.share_axis", ctx), "period": _tr(f"competitors.period_{freq}", ctx)},
        )
        figures.append(Figure("svg", charts.to_svg(chart, lang), alt=_tr("competitors.sov", ctx), caption=_tr("competitors.sov", ctx)))
    if comparison.get_column("net_sentiment").drop_nulls().len():
        chart = charts.brand_net(comparison, titles={"net": _tr("competitors.net", ctx)})
        figures.append(Figure("svg", charts.to_svg(chart, lang), alt=_tr("competitors.net_title", ctx), caption=_tr("competitors.net_title", ctx)))
    rows = tuple(
        (
            r["brand"], fmt_int(r["mentions"], lang), fmt_pct(r["share"], lang), fmt_pct(r["negative_share"], lang),
            fmt_signed(r["net_sentiment"], lang),
            category_name("emotion", r["dominant_emotion"], lang) if r["dominant_emotion"] else "–",
        )
        for r in comparison.iter_rows(named=True)
    )
    columns = tuple(_tr(f"competitors.{k}", ctx) for k in ("brand", "mentions", "share", "negative", "net", "emotion"))
    lines = [
        _tr("competitors.brand_line", ctx, brand=r["brand"], share=fmt_pct(r["share"], lang), net=fmt_signed(r["net_sentiment"], lang))
        for r in comparison.head(4).iter_rows(named=True)
    ]
    return Section(
        key="competitors",
        title=_tr("competitors.title", ctx),
        paragraphs=(_tr("competitors.intro", ctx, lines="; ".join(lines)),),
        figures=tuple(figures),
        tables=(Table(columns, rows, numeric=(False, True, True, True, True, False)),),
    )


# --- aspects ----------------------------------------------------------------------------------------


def aspects_section(ctx: ReportContext) -> Section | Omitted:
    """What customers talk about: aspect x touchpoint net sentiment with volumes (the Temi page)."""
    lang = ctx.lang
    summary = aspect_summary(ctx.current)
    if summary.is_empty():
        return _omit(ctx, "aspects", "aspects.omitted")
    aspect_names = {a: category_name("service.aspect", a, lang) for a in summary.get_column("aspect").to_list()}
    matrix = aspect_touchpoint_matrix(ctx.current)
    volume = matrix.group_by("touchpoint").agg(pl.col("mentions").sum()).sort(["mentions", "touchpoint"], descending=[True, False])
    touchpoint_names = _names("touchpoint", volume.get_column("touchpoint").to_list(), lang)
    cells = matrix.with_columns(
        pl.col("aspect").replace_strict(aspect_names, return_dtype=pl.String),
        pl.col("touchpoint").replace_strict(touchpoint_names, return_dtype=pl.String),
    )
    chart = charts.aspect_heatmap(
        cells, list(aspect_names.values()), [touchpoint_names[k] for k in volume.get_column("touchpoint").to_list()],
        titles={"net": _tr("aspects.net", ctx)},
    )
    rows = tuple(
        (aspect_names[r["aspect"]], fmt_int(r["mentions"], lang), fmt_pct(r["negative_share"], lang), fmt_signed(r["net_sentiment"], lang))
        for r in summary.iter_rows(named=True)
    )
    columns = tuple(_tr(f"aspects.{k}", ctx) for k in ("aspect", "mentions", "negative", "net"))
    paragraphs = [_tr("aspects.intro", ctx)]
    # The Temi page's warning: the worst topic among those named at least five times.
    worst = summary.filter(pl.col("mentions") >= 5).sort("net_sentiment").head(1)
    if worst.height and worst["net_sentiment"][0] < 0:
        row = worst.row(0, named=True)
        paragraphs.append(
            _tr("aspects.worst", ctx, aspect=aspect_names[row["aspect"]], n=fmt_int(row["mentions"], lang),
                neg=fmt_pct(row["negative_share"], lang), net=fmt_signed(row["net_sentiment"], lang))
        )
    return Section(
        key="aspects",
        title=_tr("aspects.title", ctx),
        paragraphs=tuple(paragraphs),
        figures=(Figure("svg", charts.to_svg(chart, lang), alt=_tr("aspects.heatmap", ctx), caption=_tr("aspects.heatmap", ctx)),),
        tables=(Table(columns, rows, numeric=(False, True, True, True)),),
    )


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


# Issue 12's views, registered as an extension would register them.
register_section("aspects", aspects_section, before="words")
register_section("responses", responses_section, before="amplified")
register_section("competitors", competitors_section, before="amplified")

