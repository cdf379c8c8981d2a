"""Exports open safely in a spreadsheet: no formulas, accents intact, local times, flat lists."""

from __future__ import annotations

import io
from datetime import datetime

import polars as pl
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import export_csv, export_xlsx, spreadsheet_frame
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),  # formula
        ("+39 333 1234567", "'+39 333 1234567"),  # a phone number would become a sum
        ("-1+2", "'-1+2"),  # minus starts a formula
        ("@SUM(A1)", "'@SUM(A1)"),  # Lotus-style at
        ("\t=1", "'\t=1"),  # tab trick
        ("\r=1", "'\r=1"),  # carriage-return trick
        ("Buono = ottimo", "Buono = ottimo"),  # "=" inside the text is harmless
        ("perché è così", "perché è così"),  # plain text untouched
        ("", ""),  # empty stays empty
    ],
)
def test_formula_neutralisation(text: str, expected: str) -> None:
    frame = mentions_frame([dict(text=text, author=text)])
    flat = spreadsheet_frame(frame, TZ)
    assert (flat["text"][0], flat["author"][0]) == (expected, expected)


def test_lists_flattened_and_times_local() -> None:
    frame = mentions_frame([dict(created_at="2026-10-25T01:30", drivers_neg=["lento", "freddo"], likes=-3)])
    flat = spreadsheet_frame(frame, TZ)
    assert flat["drivers_neg"][0] == "lento, freddo"
    assert flat["drivers_pos"][0] == ""
    assert flat["created_at"][0] == datetime(2026, 10, 25, 2, 30)  # CET, shown without offset
    assert flat["likes"][0] == -3  # numbers are not text: never prefixed


def test_csv_has_bom_separator_and_accents() -> None:
    frame = mentions_frame([dict(text="=1+1; caffè", created_at="2026-09-14T08:00")]).select(
        "text", "created_at"
    )
    data = export_csv(frame, tz=TZ, sep=";")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["text;created_at", '"\'=1+1; caffè";2026-09-14 10:00:00']
    again = pl.read_csv(io.BytesIO(data), separator=";")
    assert again["text"].to_list() == ["'=1+1; caffè"]


def test_bad_separator_is_a_user_error() -> None:
    with pytest.raises(AscoltoError) as err:
        export_csv(mentions_frame([{}]), sep=";;")
    assert err.value.key == "insights.bad_separator"


def test_xlsx_round_trip_keeps_text_as_text() -> None:
    frame = mentions_frame(
        [
            dict(text="=cmd|' /C calc'!A0", created_at="2026-09-14T08:00", drivers_neg=["sporco"]),
            dict(text="Perché così lento?", created_at="2026-09-14T09:00", url="https://example.org/p"),
        ]
    )
    book = pl.read_excel(io.BytesIO(export_xlsx(frame, tz=TZ)))
    assert book["text"].to_list() == ["'=cmd|' /C calc'!A0", "Perché così lento?"]
    assert book["drivers_neg"].to_list() == ["sporco", None]
    assert book["created_at"].to_list() == [datetime(2026, 9, 14, 10), datetime(2026, 9, 14, 11)]
    assert book.columns == frame.columns


def test_xlsx_cuts_texts_beyond_the_excel_cell_limit() -> None:
    book = pl.read_excel(io.BytesIO(export_xlsx(mentions_frame([dict(text="a" * 40_000)]), tz=TZ)))
    assert book["text"].str.len_chars()[0] == 32_767 and book["text"][0].endswith("…")


def test_odd_column_types_are_flattened_and_neutralised() -> None:
    frame = pl.DataFrame(
        {
            "category": pl.Series(["=evil"], dtype=pl.Categorical),  # categorical text is text too
            "record": [{"a": 1}],  # struct -> JSON text
            "numbers": [[1, 2]],  # list of numbers -> "1, 2"
        }
    )
    assert spreadsheet_frame(frame, TZ).to_dicts() == [
        {"category": "'=evil", "record": '{"a":1}', "numbers": "1, 2"}
    ]
