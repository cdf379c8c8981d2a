"""Hostile and odd data on every page: no exception box, and the user's strings shown literally.

Threat (issue 8, item 3): a file name, a column header, a date sample or a post
carrying Markdown (``![x](http://host/pixel.png)``) must never become an image the
browser fetches, a link, or HTML. These tests read every element AppTest exposes
and look for Markdown that would still render; the browser test in ``tests/e2e``
checks the same thing end to end with a real pixel server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from app_data import ENGINE
from app_harness import PAGES, app_with_data
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, conform
from ui.components import escape_markdown
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(900)

PIXEL = "![x](http://127.0.0.1:9/pixel.png)"
# Every Markdown and HTML form a stranger could try: image, link, raw HTML, directive, LaTeX, heading.
PAYLOAD = f"{PIXEL} [clic](javascript:alert(1)) <img src=x onerror=alert(1)> **grassetto** :red[rosso] $x^2$ # titolo"
# What would still render: an image or link opener, an HTML tag, a colour directive (each unescaped),
# or a bare URL that GitHub-flavoured Markdown turns into a link by itself.
RENDERS = re.compile(r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)<[a-z]|(?<!\\):red\[|https?\\?:\\?/|www\\?\.")

STRING_FIELDS = ("id", "text", "touchpoint", "source", "author", "url", "lang", "brand", "label", "label_emotion", "engine")


def analysed(rows: list[dict]) -> pl.DataFrame:
    """Rows (any subset of columns) as a canonical analysed table."""
    schema = {**MENTION_SCHEMA, **ANALYSIS_SCHEMA}
    frame = pl.DataFrame(rows, schema=schema, strict=False)
    return conform(frame).with_columns(*(pl.col(c).cast(d) for c, d in ANALYSIS_SCHEMA.items()))


def markup_rows() -> list[dict]:
    # Markup in every string field, including the touchpoint key and the driver terms.
    start = datetime(2026, 9, 1, 20, 0, tzinfo=UTC)
    rows = []
    for i, (sentiment, emotion) in enumerate([("negative", "anger"), ("positive", "joy"), ("neutral", "none")] * 4):
        row = {field: f"{PAYLOAD} {field} {i}" for field in STRING_FIELDS}
        row.update(
            created_at=start + timedelta(days=i % 5, hours=i), likes=i, shares=0, comments=1,
            sentiment=sentiment, sentiment_score={"negative": -0.6, "neutral": 0.0, "positive": 0.7}[sentiment],
            sentiment_confidence=0.9, emotion=emotion, emotion_confidence=0.5,
            drivers_pos=[PAYLOAD] if sentiment == "positive" else [],
            drivers_neg=[f"{PIXEL} lento"] if sentiment == "negative" else [],
            is_question=i % 2 == 0,
        )
        rows.append(row)
    return rows


def null_rows() -> list[dict]:
    # Nothing but a text: no date, channel, author, analysis, engagement.
    return [{"id": str(i), "text": "solo testo"} for i in range(3)]


def single_row() -> list[dict]:
    return [markup_rows()[0]]


def undated_rows() -> list[dict]:
    return [{**row, "created_at": None} for row in markup_rows()]


CASES = {
    # Markdown, HTML and directives in every string field a file or a feed can fill.
    "markup everywhere": markup_rows,
    # Every optional field null, analysis columns included.
    "nulls everywhere": null_rows,
    # One mention: nothing to compare with, no baseline.
    "a single row": single_row,
    # No dates at all: timelines, hours and alerts have nothing to plot.
    "no dates": undated_rows,
}


def visible_strings(at) -> list[str]:  # noqa: ANN001 - AppTest
    """Every string AppTest exposes that Streamlit renders as Markdown."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(e.label) for e in at.expander]
    out += [str(e.label) for e in at.status]
    out += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    out += [str(b.label) for b in at.button]
    return out


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_every_page_survives_hostile_data_and_shows_it_literally(build) -> None:  # noqa: ANN001
    mentions = analysed(build())
    at = app_with_data(None, **{StateKeys.MENTIONS: mentions, StateKeys.DATASET_LABEL: f"{PAYLOAD}.csv", StateKeys.RAW: mentions})
    problems: list[str] = []
    for page in PAGES:
        at.switch_page(page).run()
        if at.exception:
            problems.append(f"{page}: {[e.value for e in at.exception][:1]}")
        problems += [f"{page}: renders {text[:120]!r}" for text in visible_strings(at) if RENDERS.search(text)]
    assert not problems, "\n".join(problems)


def hostile_csv() -> bytes:
    # The header, an unreadable date and the channel carry the pixel; the texts are fine.
    header = f"testo;data;canale;{PIXEL}\n"
    rows = [f"Caffè freddo {i};{PIXEL};{PIXEL};x{i}" for i in range(3)]
    return (header + "\n".join(rows) + "\n").encode()


def test_load_report_and_mapping_show_the_files_strings_literally() -> None:
    at = app_with_data("pages/data.py")
    name = "**report** [a]x.csv"  # a file name cannot hold "/", so no URL: Markdown is enough to check
    at.file_uploader(key=StateKeys.UPLOAD).set_value((name, hostile_csv(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = visible_strings(at)
    assert any(escape_markdown(PIXEL) in s for s in shown), "the report quotes the header, escaped"
    assert [s for s in shown if RENDERS.search(s)] == []
    assert not any("**report**" in s for s in shown), "the file name is not made bold"
    at.button(key="analyse_upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert [s for s in visible_strings(at) if RENDERS.search(s)] == [], page
