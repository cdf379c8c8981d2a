"""One number format in the Italian UI (issue 8, item 18): tables read like the cards (``-0,26``, ``1.234``)."""

from __future__ import annotations

import re

import polars as pl
import pyarrow as pa
import pytest

from app_harness import app_with_data
from ui.format import fmt_decimal, fmt_int, fmt_signed

pytestmark = pytest.mark.timeout(600)


def shown_cells(element) -> pl.DataFrame:  # noqa: ANN001 - AppTest Dataframe
    """What the browser shows in each cell of an ``st.dataframe`` (the Styler's display values)."""
    raw = element.proto.arrow_data.styler.display_values
    assert raw, "the table sends no display values: numbers would follow the browser's locale"
    return pl.from_arrow(pa.ipc.open_stream(raw).read_all())


# Cell patterns per language: signed net sentiment, a count, a distinctiveness score.
PATTERNS = {
    "it": {"net": r"[+-]\d,\d\d", "count": r"\d{1,3}(\.\d{3})*", "z": r"-?\d{1,3}(\.\d{3})*,\d"},
    "en": {"net": r"[+-]\d\.\d\d", "count": r"\d{1,3}(,\d{3})*", "z": r"-?\d{1,3}(,\d{3})*\.\d"},
}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_touchpoint_and_words_tables_use_the_languages_number_format(lang: str) -> None:
    at = app_with_data("pages/touchpoints.py", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    summary = shown_cells(at.dataframe[0])
    assert all(re.fullmatch(PATTERNS[lang]["net"], v) for v in summary["net_sentiment"]), summary
    assert all(re.fullmatch(PATTERNS[lang]["count"], v) for v in summary["mentions"]), summary
    assert all(re.fullmatch(r"\d{1,3}%", v) for v in summary["negative_share"]), summary
    at.switch_page("pages/words.py").run()
    assert not at.exception, [e.value for e in at.exception]
    terms = shown_cells(at.dataframe[0])
    assert terms.height and all(re.fullmatch(PATTERNS[lang]["z"], v) for v in terms["z"]), terms
    assert all(re.fullmatch(PATTERNS[lang]["count"], v) for v in terms["count_in"]), terms


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (-0.2567, "it", "-0,26"),  # decimal comma
        (-0.2567, "en", "-0.26"),
        (None, "it", "–"),  # missing value
    ],
)
def test_signed_format(value: float | None, lang: str, expected: str) -> None:
    assert fmt_signed(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1234.56, "it", "1.234,6"),  # thousands dot, decimal comma
        (1234.56, "en", "1,234.6"),
        (float("nan"), "it", "–"),  # NaN from pandas is missing, not "nan"
        (3.0, "it", "3,0"),
    ],
)
def test_decimal_format(value: float, lang: str, expected: str) -> None:
    assert fmt_decimal(value, lang) == expected
    assert fmt_int(1234, "it") == "1.234"
    assert fmt_int(1234, "it", signed=True) == "+1.234"  # the Panoramica card's change in mentions
    assert fmt_int(-5, "en", signed=True) == "-5"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_hours_table_uses_the_languages_number_format(lang: str) -> None:
    # Orari's table had Streamlit's browser-locale format: "1,811" on an Italian page in an English browser.
    at = app_with_data("pages/hours.py", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    table = shown_cells(at.dataframe[0])
    assert all(re.fullmatch(PATTERNS[lang]["count"], v) for v in table["mentions"]), table
    assert all(re.fullmatch(r"\d{1,3}%", v) for v in table["off_hours_share"]), table
