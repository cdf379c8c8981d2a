"""Section builders: omitted with one line when their data is missing, literal quotes, privacy, extension."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import markupsafe
import polars as pl
import pytest

from app_data import ENGINE, analysed_mentions
from ascolto_core.i18n import t
from ascolto_core.insights import MentionFilter
from ascolto_core.profile import BrandProfile
from ascolto_core.report import (
    Omitted,
    ReportRequest,
    ReportSource,
    Section,
    build_report,
    register_section,
    render_html,
    render_pdf,
    short_author,
)
from ascolto_core.report import sections as report_sections
from ascolto_core.report.sections import MAX_QUOTE_CHARS, timeline_freq


def _by_key(source: ReportSource, request: ReportRequest | None = None) -> dict[str, Section | Omitted]:
    return {item.key: item for item in build_report(source, request).sections}


def test_full_data_builds_every_section() -> None:
    built = _by_key(ReportSource(analysed_mentions(), "test", engine=ENGINE))
    assert {k for k, v in built.items() if isinstance(v, Section)} == {
        "summary", "timeline", "touchpoints", "emotions", "aspects", "words", "hours", "amplified", "attention", "method"
    }
    # One brand and no reply links: the two views that need them say so in one line.
    assert {k for k, v in built.items() if isinstance(v, Omitted)} == {"responses", "competitors"}
    assert built["responses"].reason == t("report.responses.no_reply_links", "it")
    # The incident day of the test data is an alert: marked and listed.
    assert "14/09/2026" in " ".join(" ".join(row) for table in built["timeline"].tables for row in table.rows)


def _unanalysed() -> pl.DataFrame:
    return analysed_mentions().drop("sentiment", "sentiment_score", "emotion", "is_question")


def _undated() -> pl.DataFrame:
    return analysed_mentions().with_columns(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("created_at"))


def _no_engagement() -> pl.DataFrame:
    return analysed_mentions().with_columns(pl.lit(0).alias("likes"), pl.lit(0).alias("shares"), pl.lit(0).alias("comments"))


@pytest.mark.parametrize(
    ("frame", "omitted"),
    [
        # Not analysed: no mood, no emotions, no words to compare, nothing negative to quote
        # (and, as in every case of this data, no reply links and a single brand).
        (_unanalysed, {"touchpoints", "emotions", "words", "amplified", "attention", "responses", "competitors"}),
        # No dates: nothing over time, nothing in or out of office hours.
        (_undated, {"timeline", "hours", "responses", "competitors"}),
        # Nobody liked or shared anything: no amplified negative post.
        (_no_engagement, {"amplified", "responses", "competitors"}),
    ],
)
def test_missing_data_omits_sections_with_one_line_and_no_chart(frame, omitted: set[str]) -> None:  # noqa: ANN001
    source = ReportSource(frame(), "test", engine=ENGINE)
    built = _by_key(source)
    assert {k for k, v in built.items() if isinstance(v, Omitted)} == omitted
    html = render_html(build_report(source))
    for key in omitted:
        item = built[key]
        assert isinstance(item, Omitted) and item.reason and "\n" not in item.reason
        assert str(markupsafe.escape(item.reason)) in html
        section = html.split(f'id="{key}"')[1].split("</section>")[0]
        assert "<svg" not in section and "<table" not in section


def test_empty_period_still_gives_a_report_that_says_so() -> None:
    # A period with no mention at all: a cover, a summary with zero, every data section omitted.
    source = ReportSource(analysed_mentions(), "test", engine=ENGINE)
    request = ReportRequest(flt=MentionFilter(date_from=date(2020, 1, 1), date_to=date(2020, 1, 31)))
    built = _by_key(source, request)
    assert isinstance(built["summary"], Section) and isinstance(built["method"], Section)
    assert all(
        isinstance(built[k], Omitted)
        for k in ("timeline", "touchpoints", "emotions", "aspects", "words", "hours", "responses", "competitors", "amplified", "attention")
    )


def test_long_and_emoji_posts_are_quoted_literally_and_long_ones_cut_visibly() -> None:
    frame = analysed_mentions()
    long_text = "Servizio pessimo " + "x" * 100_000  # one unbreakable 100,000-character word
    emoji_text = "Caffè bruciato 😡🔥 e attesa infinita… perché?"
    frame = frame.with_columns(
        pl.when(pl.col("id") == frame["id"][0]).then(pl.lit(long_text)).otherwise(pl.col("text")).alias("text"),
        pl.when(pl.col("id") == frame["id"][0]).then(pl.lit(10_000)).otherwise(pl.col("likes")).alias("likes"),
        pl.when(pl.col("id") == frame["id"][0]).then(pl.lit("negative")).otherwise(pl.col("sentiment")).alias("sentiment"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("id") == frame["id"][1]).then(pl.lit(emoji_text)).otherwise(pl.col("text")).alias("text"),
        pl.when(pl.col("id") == frame["id"][1]).then(pl.lit(5_000)).otherwise(pl.col("likes")).alias("likes"),
        pl.when(pl.col("id") == frame["id"][1]).then(pl.lit("negative")).otherwise(pl.col("sentiment")).alias("sentiment"),
    )
    built = _by_key(ReportSource(frame, "test", engine=ENGINE))
    quotes = built["amplified"].quotes
    assert quotes[0].cut and len(quotes[0].text) == MAX_QUOTE_CHARS + 1 and quotes[0].text.startswith("Servizio pessimo x")
    assert quotes[1].text == emoji_text and not quotes[1].cut
    if shutil.which("pdftotext") is None:
        return
    pdf = render_pdf(build_report(ReportSource(frame, "test", engine=ENGINE)))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "😡🔥" in text and t("report.quote_cut", "it") in text


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Mario Rossi", "Mario R."),  # first name and initial
        ("Anna Maria De Luca", "Anna M. D. L."),  # every further word becomes an initial
        ("@mariorossi82", "@ma…"),  # a handle keeps two characters
        ("@ab", "@ab"),  # too short to shorten
        ("mario.rossi@example.org", "m…@…"),  # an e-mail address
        ("Paolo", "Pa…"),  # a single name
        ("Ugo", "Ugo"),  # a very short one stays
        ("", ""),  # no author
        (None, ""),  # missing author
    ],
)
def test_short_author(name: str | None, short: str) -> None:
    assert short_author(name) == short


@pytest.mark.parametrize(
    ("start", "end", "freq"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), "day"),  # a month: days
        (date(2026, 1, 1), date(2026, 6, 30), "week"),  # half a year: weeks
        (date(2024, 1, 1), date(2026, 6, 30), "month"),  # years: months
        (None, None, "day"),  # no dated mention
    ],
)
def test_timeline_frequency_follows_the_period_length(start: date | None, end: date | None, freq: str) -> None:
    assert timeline_freq(start, end) == freq


def test_a_new_section_is_one_registered_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    # How response times, competitors and aspects will join after the merge.
    monkeypatch.setattr(report_sections, "SECTION_BUILDERS", list(report_sections.SECTION_BUILDERS))
    monkeypatch.setattr("ascolto_core.report.build.SECTION_BUILDERS", report_sections.SECTION_BUILDERS)
    register_section("extra", lambda ctx: Omitted("extra", "Extra", f"{ctx.current.height} righe"))
    keys = [item.key for item in build_report(ReportSource(analysed_mentions(), "test")).sections]
    assert keys[-2:] == ["extra", "method"]


def test_the_brands_own_posts_are_kept_out_of_the_customers_mood_by_the_shared_voice_filter() -> None:
    frame = analysed_mentions()
    top = frame.filter(pl.col("sentiment") == "negative").sort("likes", descending=True)["id"][0]
    # The brand's own apology, written by its account "@FornoBrio" (the profile lists "@fornobrio").
    frame = frame.with_columns(
        pl.when(pl.col("id") == top).then(pl.lit("@FornoBrio")).otherwise(pl.col("author")).alias("author"),
        pl.when(pl.col("id") == top).then(pl.lit("Ci scusiamo per l'attesa di ieri")).otherwise(pl.col("text")).alias("text"),
    )
    profile = BrandProfile(brand="Forno Brio", own_accounts=("@fornobrio",))
    built = _by_key(ReportSource(frame, "test", engine=ENGINE, profile=profile))
    quoted = [q.text for key in ("amplified", "attention") for q in built[key].quotes]
    assert "Ci scusiamo per l'attesa di ieri" not in quoted
    assert any("@FornoBrio" in p for p in built["method"].paragraphs)
    # Out of the customers' figures, as on every page (insights.voice): the headline counts customers only.
    assert built["summary"].kpis[0].value == str(frame.height - 1)
    # The voice "all" puts it back, and the cover says the filter is not the default.
    report = build_report(ReportSource(frame, "test", engine=ENGINE, profile=profile), ReportRequest(flt=MentionFilter(voice="all")))
    assert report.sections[0].kpis[0].value == str(frame.height)
    assert report.cover.filters == (t("report.filter.voice", "it", values=t("service.voice.all", "it")),)
    # --own-account adds to the profile through the same mechanism.
    by_option = _by_key(ReportSource(frame, "test", engine=ENGINE), ReportRequest(own_accounts=("fornobrio",)))
    assert by_option["summary"].kpis[0].value == str(frame.height - 1)
    # Without own accounts the method says none could be recognised.
    plain = _by_key(ReportSource(frame, "test", engine=ENGINE))
    assert t("report.method.own_unknown", "it") in plain["method"].paragraphs


def test_cover_names_the_filters_so_a_reader_knows_the_report_is_not_about_everything() -> None:
    source = ReportSource(analysed_mentions(), "test", engine=ENGINE)
    flt = MentionFilter(touchpoints=("instagram",), search="attesa")
    report = build_report(source, ReportRequest(flt=flt))
    assert report.cover.filters == (
        t("report.filter.touchpoints", "it", values="Instagram"),
        t("report.filter.search", "it", values="attesa"),
    )
    # Every figure is about the filtered mentions: the headline counts only those.
    assert report.sections[0].kpis[0].value == str(
        analysed_mentions().filter((pl.col("touchpoint") == "instagram") & pl.col("text").str.contains("(?i)attesa")).height
    )
    assert build_report(source).cover.filters == ()


@pytest.mark.parametrize("area", ["report", "source"])  # the report's sentences; the shared SOURCE messages
def test_both_catalogues_have_the_same_keys_and_placeholders(area: str) -> None:
    import re

    from ascolto_core.i18n import catalogue

    italian = {k: v for k, v in catalogue("it").items() if k.startswith(f"{area}.")}
    english = {k: v for k, v in catalogue("en").items() if k.startswith(f"{area}.")}
    assert italian and set(italian) == set(english)
    for key, text in italian.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), key


@pytest.mark.parametrize("option", ["--own", "--own-account"])
def test_report_takes_own_accounts_as_summary_does(option: str) -> None:
    # `summary --own HANDLE` and `report --own HANDLE` name the same thing the same way.
    from ascolto_core.cli import build_parser

    args = build_parser().parse_args(["report", "demo", "-o", "x.pdf", option, "@fornobrio", option, "assistenza@fornobrio.it"])
    assert args.own_accounts == ["@fornobrio", "assistenza@fornobrio.it"]
