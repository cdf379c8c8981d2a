"""From analysed mentions and a request to a :class:`Report` record (cover + sections)."""

from __future__ import annotations

from datetime import date

from ascolto_core.formatting import category_name, fmt_date, fmt_int
from ascolto_core.i18n import t
from ascolto_core.insights.voice import DEFAULT_VOICE
from ascolto_core.report.context import ReportContext, prepare
from ascolto_core.report.model import Cover, Omitted, Report, ReportRequest, ReportSource, Section
from ascolto_core.report.sections import SECTION_BUILDERS, long_date, source_counts

MAX_COVER_SOURCES = 8


def _filter_lines(ctx: ReportContext) -> tuple[str, ...]:
    """The non-date filters in words, so a reader knows the report is not about everything."""
    flt, lang = ctx.flt, ctx.lang
    lines: list[str] = []
    for field, area in (("touchpoints", "touchpoint"), ("sentiments", "sentiment"), ("emotions", "emotion")):
        values = getattr(flt, field)
        if values:
            lines.append(t(f"report.filter.{field}", lang, values=", ".join(category_name(area, v, lang) for v in values)))
    for field in ("langs", "brands"):
        values = getattr(flt, field)
        if values:
            lines.append(t(f"report.filter.{field}", lang, values=", ".join(values)))
    if flt.search.strip():
        lines.append(t("report.filter.search", lang, values=flt.search.strip()))
    if flt.min_engagement > 0:
        lines.append(t("report.filter.min_engagement", lang, values=fmt_int(flt.min_engagement, lang)))
    if flt.voice != DEFAULT_VOICE:
        lines.append(t("report.filter.voice", lang, values=t(f"service.voice.{flt.voice}", lang)))
    return tuple(lines)


def _cover(ctx: ReportContext, today: date) -> Cover:
    lang = ctx.lang
    now, before = ctx.head.current, ctx.head.previous
    period = (
        t("report.period", lang, start=fmt_date(now.date_from, lang), end=fmt_date(now.date_to, lang))
        if now.date_from and now.date_to
        else ""
    )
    comparison = (
        t("report.comparison", lang, start=fmt_date(before.date_from, lang), end=fmt_date(before.date_to, lang))
        if before is not None
        else t("report.no_comparison", lang)
    )
    counts = source_counts(ctx)
    sources = [
        t("report.sources_line", lang, name=row["source"], n=fmt_int(row["mentions"], lang))
        for row in counts.head(MAX_COVER_SOURCES).iter_rows(named=True)
    ]
    if counts.height > MAX_COVER_SOURCES:
        sources.append(t("report.method.sources_more", lang, n=fmt_int(counts.height - MAX_COVER_SOURCES, lang)))
    return Cover(
        brand=ctx.brand,
        title=t("report.title", lang),
        period=period,
        comparison=comparison,
        sources=tuple(sources),
        generated=t("report.generated", lang, date=long_date(today, lang)),
        filters=_filter_lines(ctx),
    )


def build_report(source: ReportSource, request: ReportRequest | None = None) -> Report:
    """The report for ``request`` (the app's filters or the CLI's period) over ``source``.

    Raises:
        AscoltoError: from the filter (bad time zone, search too long).
    """
    request = request or ReportRequest()
    ctx = prepare(source, request)
    sections: list[Section | Omitted] = [builder(ctx) for _, builder in SECTION_BUILDERS]
    return Report(
        lang=request.lang,
        brand=ctx.brand,
        cover=_cover(ctx, request.today or date.today()),
        sections=tuple(sections),
        page_label=t("report.page", request.lang),
        of_label=t("report.of", request.lang),
    )
