"""The client report: every heading and key figure equals the app's numbers, print quality, no injection.

PDF checks use poppler-utils (``pdftotext``, ``pdfinfo``, ``pdftoppm``, installed
by ``make report-deps``); they skip when poppler or WeasyPrint is missing.
Pages are rendered into ``artifacts/screenshots/report/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.keywords import distinctive_terms
from ascolto_core.cli import main
from ascolto_core.formatting import category_name, fmt_date, fmt_int, fmt_pct, fmt_signed
from ascolto_core.i18n import t
from ascolto_core.insights.aspects import aspect_summary
from ascolto_core.insights.competitors import brand_comparison
from ascolto_core.insights.responses import response_summary, response_times, unanswered, weekend_gap
from ascolto_core.insights.summary import prepare
from ascolto_core.report.sections import fmt_minutes
from ascolto_core.insights import (
    MentionFilter,
    amplified_negative,
    apply_filter,
    headline,
    needs_attention,
    negative_spike_days,
    off_hours_by_touchpoint,
    touchpoint_summary,
)
from ascolto_core.report import (
    ReportRequest,
    ReportSource,
    build_report,
    render_html,
    render_pdf,
    load_report_source,
)

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots" / "report"
TZ = "Europe/Rome"
# The demo's last 30 days, compared with the 30 before (the consultant's usual monthly report).
DEMO_PERIOD = MentionFilter(date_from=date(2026, 10, 17), date_to=date(2026, 11, 15))
SECTION_KEYS = (
    "summary", "timeline", "touchpoints", "emotions", "aspects", "words", "hours", "responses", "competitors",
    "amplified", "attention", "method",
)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed (make report-deps)")


def pdf_text(path: Path, *, layout: bool = False) -> str:
    """The PDF's text with whitespace runs collapsed (line breaks inside a sentence do not matter)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportSource]:
    # Module scope: analyse the demo once, offline engine, private cache (as the autouse fixture does per test).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASCOLTO_CACHE_DIR", str(tmp_path_factory.mktemp("report-cache")))
        patch.setenv("ASCOLTO_ENGINE", "embedded")
        yield load_report_source("demo")


@pytest.fixture(scope="module")
def demo_mentions(demo_source: ReportSource) -> pl.DataFrame:
    """The demo as the app holds it: prepared with the demo profile (own posts marked, brands, aspects)."""
    return prepare(demo_source.mentions, demo_source.profile)


@pytest.fixture(scope="module")
def demo_pdf(demo_source: ReportSource, tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = build_report(demo_source, ReportRequest(flt=DEMO_PERIOD, today=date(2026, 11, 28)))
    path = tmp_path_factory.mktemp("report") / "demo.pdf"
    path.write_bytes(render_pdf(report).data)
    return path


# --- the demo report against the app's functions ----------------------------------------------------


@needs_poppler
def test_demo_report_has_every_heading_and_the_app_headline_numbers(demo_mentions: pl.DataFrame, demo_pdf: Path) -> None:
    text = pdf_text(demo_pdf)
    for key in SECTION_KEYS:
        assert t(f"report.{key}.title", "it") in text, key
    # The Panoramica page's five numbers for the same filter, formatted as the page formats them.
    head = headline(demo_mentions, DEMO_PERIOD, TZ)
    assert head.previous is not None
    expected = [
        fmt_int(head.mentions, "it"),
        fmt_pct(head.negative_share, "it"),
        fmt_pct(head.positive_share, "it"),
        fmt_signed(head.net_sentiment, "it"),
        category_name("emotion", head.dominant_emotion, "it"),
        t("report.kpi.before", "it", value=fmt_int(head.previous.mentions, "it")),
        t("report.period", "it", start="17/10/2026", end="15/11/2026"),
        t("report.comparison", "it", start=fmt_date(head.previous.date_from, "it"), end=fmt_date(head.previous.date_to, "it")),
    ]
    for figure in expected:
        assert figure in text, figure


@needs_poppler
def test_demo_report_tables_equal_touchpoint_hours_and_posts_of_the_pages(demo_mentions: pl.DataFrame, demo_pdf: Path) -> None:
    text = pdf_text(demo_pdf, layout=True)
    filtered = apply_filter(demo_mentions, DEMO_PERIOD, TZ)
    # Touchpoint page: every row, worst mood first, with its mentions and net sentiment in that order.
    summary = touchpoint_summary(filtered)
    rows = [
        f"{category_name('touchpoint', r['touchpoint'], 'it')} {fmt_int(r['mentions'], 'it')} {fmt_pct(r['negative_share'], 'it')}"
        for r in summary.iter_rows(named=True)
    ]
    positions = [text.find(row) for row in rows]
    assert -1 not in positions, [row for row, p in zip(rows, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    # Orari page: the off-hours share, same formula as the page.
    off = off_hours_by_touchpoint(filtered, tz=TZ)
    share = int(off["off_hours"].sum()) / max(1, int(off["mentions"].sum()))
    assert f"{fmt_pct(share, 'it')} delle menzioni" in text
    # Allarmi and Panoramica pages: the most amplified negative post and the first post needing an answer.
    for posts in (amplified_negative(filtered, n=5), needs_attention(filtered, n=5)):
        first = " ".join(posts["text"][0].split())
        assert first[:60] in text
    # Parole page: the most distinctive words of negative and of positive mentions, with their counts.
    for mood in ("negative", "positive"):
        terms = distinctive_terms(filtered, (pl.col("sentiment") == mood).fill_null(False), n=12)
        top = terms.row(0, named=True)
        assert f"{top['term']} {fmt_int(top['count_in'], 'it')}" in text
    alerts = negative_spike_days(filtered, tz=TZ).filter(pl.col("is_alert"))
    if alerts.is_empty():
        assert t("report.timeline.no_alerts", "it") in text
    else:
        assert all(fmt_date(day, "it") in text for day in alerts["day"])


@needs_poppler
def test_demo_report_service_competitor_and_aspect_figures_equal_the_pages(demo_mentions: pl.DataFrame, demo_pdf: Path) -> None:
    plain, table_text = pdf_text(demo_pdf), pdf_text(demo_pdf, layout=True)
    filtered = apply_filter(demo_mentions, DEMO_PERIOD, TZ)
    brand = "Forno Brio"
    # Servizio clienti: the page's call (customers filtered, replies looked up in all the data).
    summary = response_summary(filtered, replies=demo_mentions, brand=brand)
    assert summary.answerable and summary.unanswered
    intro = t(
        "report.responses.intro", "it", n=fmt_int(summary.answerable, "it"), share=fmt_pct(summary.answered_share, "it"),
        median=fmt_minutes(summary.median_first_response_minutes, "it"), p90=fmt_minutes(summary.p90_first_response_minutes, "it"),
    )
    assert intro in plain
    gap = weekend_gap(filtered, demo_mentions, TZ, brand)
    assert gap is not None and gap.weekend_median_minutes is not None
    assert fmt_minutes(gap.weekend_median_minutes, "it") in plain and fmt_minutes(gap.weekday_median_minutes, "it") in plain
    times = response_times(filtered, by="touchpoint", replies=demo_mentions, tz=TZ, brand=brand)
    for r in times.iter_rows(named=True):
        row = f"{category_name('touchpoint', r['touchpoint'], 'it')} {fmt_int(r['answerable'], 'it')} {fmt_pct(r['answered_share'], 'it')}"
        assert row in table_text, row
    oldest = unanswered(filtered, replies=demo_mentions, brand=brand)["text"][0]
    assert " ".join(oldest.split())[:50] in plain
    # Concorrenti: share of voice and net sentiment per brand, Forno Brio against Dolce Sosta.
    comparison = brand_comparison(filtered)
    assert comparison["brand"].to_list() == ["Forno Brio", "Dolce Sosta"]
    for r in comparison.iter_rows(named=True):
        row = f"{r['brand']} {fmt_int(r['mentions'], 'it')} {fmt_pct(r['share'], 'it')} {fmt_pct(r['negative_share'], 'it')} {fmt_signed(r['net_sentiment'], 'it')}"
        assert row in table_text, row
    # Temi: every aspect with its volume, negative share and net sentiment.
    for r in aspect_summary(filtered).iter_rows(named=True):
        name = category_name("service.aspect", r["aspect"], "it")
        row = f"{name} {fmt_int(r['mentions'], 'it')} {fmt_pct(r['negative_share'], 'it')} {fmt_signed(r['net_sentiment'], 'it')}"
        assert row in table_text, row


@needs_poppler
def test_demo_report_is_a4_with_page_numbers_brand_header_and_embedded_fonts(demo_pdf: Path) -> None:
    info = pdf_info(demo_pdf)
    pages = int(info["Pages"])
    assert 5 <= pages <= 10
    assert "A4" in info["Page size"]
    text = subprocess.run(["pdftotext", "-layout", str(demo_pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")
    # Page 2 onwards: the brand in the header and "Pagina N di M" in the footer.
    for number, page in enumerate(page_texts[1:pages], start=2):
        assert "Forno Brio" in page
        assert f"Pagina {number} di {pages}" in " ".join(page.split())
    fonts = subprocess.run(["pdffonts", str(demo_pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all(" yes " in line for line in embedded)


@needs_poppler
def test_demo_report_pages_are_rendered_for_review(demo_pdf: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("demo-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(demo_pdf), str(SHOTS / "demo")], check=True)
    shots = sorted(SHOTS.glob("demo-*.png"))
    assert len(shots) == int(pdf_info(demo_pdf)["Pages"])
    assert all(p.stat().st_size > 10_000 for p in shots)  # a blank A4 page at 80 dpi is ~2 KB


def test_english_report_uses_english_headings_and_number_formats(demo_source: ReportSource, demo_mentions: pl.DataFrame) -> None:
    html = render_html(build_report(demo_source, ReportRequest(flt=DEMO_PERIOD, lang="en")))
    head = headline(demo_mentions, DEMO_PERIOD, TZ)
    assert t("report.summary.title", "en") in html and t("report.method.title", "en") in html
    assert t("report.summary.title", "it") not in html
    assert "Period: 2026-10-17 to 2026-11-15" in html
    assert fmt_signed(head.net_sentiment, "en") in html


def test_html_report_is_self_contained(demo_source: ReportSource) -> None:
    html = render_html(build_report(demo_source, ReportRequest(flt=DEMO_PERIOD)))
    lowered = html.lower()
    # No stylesheet, script, font or image from anywhere: CSS and SVG charts are inline.
    assert "<link" not in lowered and "<script" not in lowered and "@import" not in lowered
    assert all(part.startswith("#") for part in lowered.split("url(")[1:])  # only the SVG's own gradients
    assert " src=" not in lowered or all(part.startswith('"data:') for part in lowered.split(" src=")[1:])
    assert lowered.count("<svg") >= 4  # timeline, touchpoints, emotions, hours


# --- a small file, through the command line ----------------------------------------------------------


def _small_csv(path: Path) -> Path:
    rows = [
        ("2026-09-01 10:00", "Servizio lentissimo, caffè freddo 😡 Pessimo!", "Facebook", "Mario Rossi", 12),
        ("2026-09-02 21:30", "Il cornetto era buonissimo 😍 grazie!", "Instagram", "@giulia.b", 3),
        ("2026-09-03 09:15", "A che ora aprite la domenica?", "Facebook", "Luca Bianchi", 0),
        ("2026-09-06 19:00", "Ordine sbagliato e nessuno risponde al telefono, che delusione", "Google", "Anna Verdi", 5),
        ("2026-09-08 11:00", "Personale gentile e pasticceria ottima, perché non aprite prima?", "Tripadvisor", "Paolo", 1),
        ("2026-09-09 08:00", "Perché è così caro? Però è tutto buono e fresco", "Facebook", "Sara Neri", 2),
    ]
    lines = ["data,testo,canale,autore,mi piace"] + [f'{d},"{x}",{c},{a},{n}' for d, x, c, a, n in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@needs_poppler
def test_report_command_on_a_small_file_writes_a_pdf_with_its_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _small_csv(tmp_path / "piccolo.csv")
    out = tmp_path / "rapporto.pdf"
    code = main(["report", str(source), "-o", str(out), "--brand", "Bar Centrale", "--short-authors"])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    pages = int(pdf_info(out)["Pages"])
    assert t("report.written", "it", path=out, pages=pages) in printed
    text = pdf_text(out)
    analysed = load_report_source(source)
    head = headline(analysed.mentions, MentionFilter(), TZ)
    assert "Bar Centrale" in text and t("report.period", "it", start="01/09/2026", end="09/09/2026") in text
    assert fmt_int(head.mentions, "it") in text and fmt_pct(head.negative_share, "it") in text
    # Privacy: shortened names are printed, full names never.
    assert "Mario Rossi" not in text and "Anna Verdi" not in text
    assert "Mario R." in text or "Anna V." in text
    assert t("report.method.authors_short", "it") in text


def test_report_command_writes_html_in_english_with_the_router_language(tmp_path: Path) -> None:
    source = _small_csv(tmp_path / "small.csv")
    out = tmp_path / "report.html"
    assert main(["--lang", "en", "report", str(source), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert t("report.summary.title", "en") in html and "caffè freddo 😡 Pessimo!" in html


@pytest.mark.parametrize(
    ("args", "message_key"),
    [
        (["report", "no-such-file.csv", "-o", "x.pdf"], "source.not_found"),  # a missing file is named, not a traceback
        (["report", "demo", "-o", "x.docx"], "report.bad_output"),  # only .pdf and .html
        (["report", "demo", "-o", "x.pdf", "--from", "31/02/2026"], "report.bad_date"),  # no such day
        (["report", "demo", "-o", "x.pdf", "--from", "2026-10-10", "--to", "2026-10-01"], "report.bad_range"),  # reversed
    ],
)
def test_report_command_refuses_bad_input_with_a_clear_message(
    args: list[str], message_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    first_words = t(message_key, "it").split("«")[0].split("{")[0]
    assert first_words.strip() and first_words.strip() in err
    assert "Traceback" not in err
    assert not list(tmp_path.glob("x.*"))


# --- the app's Esporta page ---------------------------------------------------------------------------


def test_export_page_offers_the_report_as_pdf_and_html() -> None:
    from app_harness import app_with_data

    at = app_with_data("pages/export.py")
    assert not at.exception
    labels = {b.label for b in at.get("download_button")}
    assert {t("report.button.label", "it"), t("report.button.html", "it")} <= labels
    assert t("report.button.help", "it") in [c.value for c in at.caption]


def test_the_app_report_uses_the_open_profile_and_the_apps_prepared_table(demo_source: ReportSource, demo_mentions: pl.DataFrame) -> None:
    from ui.report_download import report_source
    from ui.state import PageContext

    flt = DEMO_PERIOD
    ctx = PageContext(
        lang="it", tz=TZ, mentions=demo_mentions, filtered=apply_filter(demo_mentions, flt, TZ), flt=flt,
        dataset_key="demo", cache_key="demo",
    )
    source = report_source("it", ctx, demo_source.profile)
    # The app's table is already prepared with the workspace's profile: read as it is, not prepared again.
    assert source.profile == demo_source.profile and source.prepared
    report = build_report(source, ReportRequest(flt=flt, tz=TZ))
    assert report.cover.brand == "Forno Brio"
    assert report.sections[0].kpis[0].value == fmt_int(ctx.filtered.height, "it")
    # Without a profile (no workspace open yet) the report prepares the table itself, with the empty profile.
    assert not report_source("it", ctx, None).prepared
