"""Hostile and careless files (issue 8): every one loads with a report that says what happened,
or is refused with a message naming the problem; none garbles rows silently or exhausts memory."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.insights import (
    count_time_unknown,
    count_undated,
    headline,
    hour_weekday_counts,
    off_hours_by_touchpoint,
    spike_periods,
    touchpoint_summary,
    volume_over_time,
)
from ascolto_core.insights.export import export_csv, export_xlsx
from ascolto_core.loading import LoadLimits, load_mentions
from ascolto_core.loading.dates import DateWindow
from ascolto_core.schema import TIME_KNOWN

TZ = "Europe/Rome"


# --- item 6: extreme dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",  # the end-of-time placeholder: year 10000 in Rome, crashed every page
        "0001-01-01",  # the start-of-time placeholder: crashed Panoramica and Post
        "1900-01-01 00:00",  # an Excel zero date: older than any social post
        "2200-05-05 10:00",  # far future
    ],
)
def test_date_placeholders_out_of_window_are_unreadable_and_kept(tmp_path: Path, value: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(f"testo,data\nciao,{value}\nbene,20/11/2026 10:00\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["created_at"].to_list() == [None, datetime(2026, 11, 20, 9, 0, tzinfo=UTC)]
    assert (result.report.rows_kept, result.report.unparseable_dates) == (2, 1)
    notes = dict(result.report.notes)
    assert notes["load.note_dates_out_of_range"]["n"] == 1 and value in notes["load.note_dates_out_of_range"]["examples"]


def test_date_window_is_configurable() -> None:
    # Default: 1990-01-01 to the end of tomorrow; both ends from config/app.yaml.
    window = DateWindow.from_config({"date_window": {"earliest": "2020-01-01", "days_after_today": 0}}, today=date(2026, 11, 28))
    assert window.earliest == datetime(2020, 1, 1, tzinfo=UTC)
    assert window.latest.date() == date(2026, 11, 28)
    default = DateWindow.from_config({}, today=date(2026, 11, 28))
    assert (default.earliest.year, default.latest.date()) == (1990, date(2026, 11, 29))


def _extreme_file(tmp_path: Path) -> Path:
    path = tmp_path / "extreme.csv"
    path.write_text(
        "testo,data,canale\n"
        "Servizio pessimo,9999-12-31T23:59:59Z,facebook\n"
        "Cornetto ottimo,0001-01-01,instagram\n"
        "Tutto bene,20/11/2026 18:30,facebook\n",
        encoding="utf-8",
    )
    return path


def test_extreme_dates_crash_no_insight_nor_export(tmp_path: Path) -> None:
    mentions = load_mentions(_extreme_file(tmp_path)).mentions
    assert count_undated(mentions) == 2
    assert volume_over_time(mentions, freq="day", tz=TZ)["mentions"].sum() == 1
    spike_periods(mentions, freq="day", tz=TZ)
    touchpoint_summary(mentions)
    headline(mentions, tz=TZ)
    assert hour_weekday_counts(mentions, TZ)["mentions"].sum() == 1
    off_hours_by_touchpoint(mentions, tz=TZ)
    assert export_csv(mentions, tz=TZ).count(b"\n") == 4
    book = pl.read_excel(io.BytesIO(export_xlsx(mentions, tz=TZ)))
    assert book["created_at"].null_count() == 2


def test_exported_timestamps_beyond_year_9998_are_left_empty() -> None:
    # A frame that did not come through the loader (a fetch, a workspace) cannot crash the export either.
    frame = pl.DataFrame(
        {"text": ["a", "b"], "created_at": [datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)]}
    )
    flat = pl.read_excel(io.BytesIO(export_xlsx(frame, tz=TZ)))
    assert flat["created_at"].to_list() == [None, datetime(2026, 1, 1, 1, 0)]


# --- item 7: mixed encodings -----------------------------------------------------------------


def test_appended_cp1252_lines_are_repaired_line_by_line_and_counted(tmp_path: Path) -> None:
    utf8_part = "".join(f"perché {i},Ugo\n" for i in range(40)).encode("utf-8")
    cp1252_part = "".join(f"città {i} è già €,Ada\n" for i in range(7)).encode("cp1252")
    path = tmp_path / "appended.csv"
    path.write_bytes(b"testo,autore\n" + utf8_part + cp1252_part)
    result = load_mentions(path)
    texts = result.mentions["text"].to_list()
    assert texts[0] == "perché 0" and texts[-1] == "città 6 è già €"  # both halves read right
    assert result.report.encoding == "utf-8 + cp1252"
    assert ("load.note_mixed_encoding", {"n": 7, "encoding": "cp1252"}) in result.report.notes


def test_file_starting_with_cp1252_lines_then_utf8_is_not_given_an_exotic_code_page(tmp_path: Path) -> None:
    # The first line is cp1252, the rest UTF-8: still mostly UTF-8, never cp1006/iso8859_10.
    path = tmp_path / "other_way.csv"
    path.write_bytes(b"testo,autore\n" + "caffè amaro,Ugo\n".encode("cp1252") + "".join(f"perché {i},Ada\n" for i in range(30)).encode("utf-8"))
    result = load_mentions(path)
    assert result.mentions["text"].to_list()[:2] == ["caffè amaro", "perché 0"]
    assert result.report.encoding == "utf-8 + cp1252"


def test_pure_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("testo,autore\ncaffè buono,Ugo\nperché no,Ada\n".encode("cp1252"))
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["caffè buono", "perché no"]
    assert result.report.encoding == "cp1252"


# --- item 8: CR-only line endings ------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    [
        "utf-8",  # old Mac line endings in UTF-8
        "cp1252",  # old Mac Excel: CR and a legacy code page
    ],
)
def test_old_mac_line_endings_load(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes("testo;data\rcaffè buono;20/11/2026 10:00\rpessimo;21/11/2026 11:00\r".encode(encoding))
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["caffè buono", "pessimo"]
    assert result.mentions["created_at"].null_count() == 0
    assert ("load.note_cr_line_endings", {}) in result.report.notes


# --- item 9: deeply nested JSON --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", b'[{"testo": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"),  # RecursionError before
        ("deep.jsonl", b'{"testo": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"),  # the same, one per line
        ("deep_objects.json", b'[{"testo": "x", "a": ' + b'{"b": ' * 200 + b"1" + b"}" * 200 + b"}]"),  # deep but parseable
    ],
)
def test_json_nesting_bomb_is_refused_with_a_message(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path)
    assert caught.value.key == "load.json_too_deep"
    assert "livelli" in caught.value.message("it")


def test_ordinary_nesting_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "talkwalker.json"
    path.write_text(json.dumps([{"testo": "ciao", "extra_author_attributes": {"name": "Ugo", "world": {"country": "IT"}}}]))
    mentions = load_mentions(path).mentions
    assert (mentions["author"].to_list(), mentions["extra_author_attributes.world.country"].to_list()) == (["Ugo"], ["IT"])


# --- item 10: rows with the wrong number of cells --------------------------------------------


def test_shifted_rows_are_counted_with_line_numbers_not_kept_shifted(tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text(
        "testo,data,autore\n"
        "ciao,20/11/2026 10:00,Ugo\n"
        "buono, anzi ottimo,20/11/2026 11:00,Ada\n"  # line 3: an unquoted comma in the text
        '"su due\nrighe",20/11/2026 12:00,Eva\n'  # lines 4-5: a quoted newline is fine
        "corta,20/11/2026 13:00\n"  # line 6: one cell missing
        "bene,20/11/2026 14:00,Leo\n",
        encoding="utf-8",
    )
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["ciao", "su due\nrighe", "corta", "bene"]
    assert result.mentions["author"].to_list() == ["Ugo", "Eva", None, "Leo"]  # no date under "author"
    assert (result.report.rows_read, result.report.rows_kept) == (5, 4)
    assert ("load.note_malformed_longer", {"n": 1, "lines": "3"}) in result.report.notes
    assert ("load.note_malformed_shorter", {"n": 1, "lines": "6"}) in result.report.notes
    assert "3" in t("load.note_malformed_longer", "it", n=1, lines="3")


# --- item 12: bounded resources --------------------------------------------------------------


def _xlsx_bomb(inflated_mb: int) -> bytes:
    """A valid workbook whose sheet XML inflates to ``inflated_mb`` MB (repeated rows compress ~1000:1)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>testo</t></is></c></row>'
    )
    row = '<row><c t="inlineStr"><is><t>ciao</t></is></c></row>' * 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head.encode())
            block = row.encode()
            for _ in range(inflated_mb * 1024 * 1024 // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_xlsx_decompression_bomb_is_refused_naming_the_limit(tmp_path: Path) -> None:
    bomb = _xlsx_bomb(40)
    assert len(bomb) < 1_000_000  # a small upload...
    path = tmp_path / "bomba.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path, limits=LoadLimits(max_decompressed_bytes=20 * 1024 * 1024))  # ...that inflates past 20 MB
    assert caught.value.key == "load.limit_decompressed"
    assert "20 MB" in caught.value.message("it") and "20 MB" in caught.value.message("en")


def test_forged_declared_size_is_caught_while_streaming(tmp_path: Path) -> None:
    # The central directory says the sheet is tiny; the stream is counted anyway.
    bomb = bytearray(_xlsx_bomb(30))
    limits = LoadLimits(max_decompressed_bytes=10 * 1024 * 1024)
    with zipfile.ZipFile(io.BytesIO(bytes(bomb))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = info.file_size.to_bytes(4, "little")
    forged = bytes(bomb).replace(declared, (1000).to_bytes(4, "little"))
    with pytest.raises(AscoltoError) as caught:
        limits.check_zip(forged, "forged.xlsx")
    assert caught.value.key == "load.limit_decompressed"


def test_small_workbook_under_the_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    pl.DataFrame({"testo": ["ciao", "bene"]}).write_excel(path)
    assert load_mentions(path, limits=LoadLimits(max_decompressed_bytes=1024 * 1024)).mentions.height == 2


@pytest.mark.parametrize(
    ("suffix", "limits", "key"),
    [
        (".csv", LoadLimits(max_rows=100), "load.limit_rows"),  # 101 rows: the reader stops one past the limit
        (".csv", LoadLimits(max_columns=3), "load.limit_columns"),  # 4 columns
        (".parquet", LoadLimits(max_rows=100), "load.limit_rows"),  # from the Parquet metadata, before reading
        (".json", LoadLimits(max_rows=100), "load.limit_rows"),  # JSON records
        (".xlsx", LoadLimits(max_rows=100), "load.limit_rows"),  # Excel rows
    ],
)
def test_rows_and_columns_past_the_limits_are_refused(tmp_path: Path, suffix: str, limits: LoadLimits, key: str) -> None:
    frame = pl.DataFrame({"testo": [f"t{i}" for i in range(101)], "a": ["1"] * 101, "b": ["2"] * 101, "c": ["3"] * 101})
    path = tmp_path / f"big{suffix}"
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".json":
        frame.write_json(path)
    else:
        frame.write_excel(path)
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path, limits=limits)
    assert caught.value.key == key
    assert str(limits.max_rows if key == "load.limit_rows" else limits.max_columns) in caught.value.message("it")


def test_default_limits_come_from_config_and_fit_a_million_rows() -> None:
    limits = LoadLimits.from_config()
    assert limits.max_rows >= 1_000_000
    assert limits.max_decompressed_bytes <= 2 * 1024**3  # the 1 GB bomb of the issue is refused by default


# --- item 15: dates without a time of day ----------------------------------------------------


def test_day_only_dates_are_marked_and_left_out_of_hour_views(tmp_path: Path) -> None:
    path = tmp_path / "giorni.csv"
    path.write_text("testo,data\nciao,20/11/2026\nbene,21/11/2026\nmale,22/11/2026 21:30\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions[TIME_KNOWN].to_list() == [False, False, True]
    assert ("load.note_time_unknown", {"n": 2}) in result.report.notes
    assert count_time_unknown(result.mentions) == 2
    # Only the post with a time of day is in the hour grid and the office-hours table (no invented midnight).
    grid = hour_weekday_counts(result.mentions, TZ)
    assert grid["mentions"].sum() == 1 and grid.filter(pl.col("hour") == 0)["mentions"].sum() == 0
    assert off_hours_by_touchpoint(result.mentions, tz=TZ)["mentions"].sum() == 1


def test_a_whole_column_at_midnight_has_no_time_of_day(tmp_path: Path) -> None:
    # Excel dates stored as timestamps: every value at 00:00 local.
    path = tmp_path / "excel.xlsx"
    pl.DataFrame({"testo": ["a", "b"], "data": [datetime(2026, 11, 20), datetime(2026, 11, 21)]}).write_excel(path)
    result = load_mentions(path)
    assert result.mentions[TIME_KNOWN].to_list() == [False, False]


def test_times_of_day_add_no_column(tmp_path: Path) -> None:
    path = tmp_path / "ore.csv"
    path.write_text("testo,data\nciao,20/11/2026 00:00\nbene,21/11/2026 10:15\n", encoding="utf-8")
    assert TIME_KNOWN not in load_mentions(path).mentions.columns


@pytest.mark.parametrize(
    "suffix",
    [
        ".json",  # a JSON export with one record appended from a cp1252 tool
        ".jsonl",  # JSON Lines, the same
    ],
)
def test_mixed_encodings_in_json_are_repaired_too(tmp_path: Path, suffix: str) -> None:
    records = [{"testo": f"perché {i}"} for i in range(20)]
    if suffix == ".json":
        body = json.dumps(records, ensure_ascii=False)[:-1].encode() + ', {"testo": "città"}]'.encode("cp1252")
    else:
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode() + '{"testo": "città"}\n'.encode("cp1252")
    path = tmp_path / f"misto{suffix}"
    path.write_bytes(body)
    result = load_mentions(path)
    assert result.mentions["text"].to_list()[-1] == "città"
    assert ("load.note_mixed_encoding", {"n": 1, "encoding": "cp1252"}) in result.report.notes


def test_appended_lines_in_another_legacy_script_get_their_own_code_page(tmp_path: Path) -> None:
    # The foreign lines are guessed on their own: Cyrillic cp1251 stays Cyrillic, never read as cp1252.
    path = tmp_path / "ru.csv"
    path.write_bytes(b"testo,autore\n" + "".join(f"perché {i},Ugo\n" for i in range(30)).encode() + "Привет мир как дела,Ivan\n".encode("cp1251"))
    result = load_mentions(path)
    assert result.mentions["text"].to_list()[-1] == "Привет мир как дела"
    assert result.report.encoding == "utf-8 + cp1251"
