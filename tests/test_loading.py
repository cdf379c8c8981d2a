"""Loading: every format, the Italian CSV dialect, dates, numbers, ids and the report."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ascolto_core.loading import LoadReport, load_mentions
from ascolto_core.schema import MENTION_SCHEMA, conform

ROOT = Path(__file__).resolve().parent.parent

# Three mentions as a user's spreadsheet would hold them (Italian headers).
RECORDS = [
    {"Testo": "Cornetto caldo e caffè perfetto, però la fila… 20 minuti!", "Data": "24/11/2026 18:05", "Autore": "Giulia", "Canale": "Facebook", "Mi piace": 12},
    {"Testo": "Servizio lento stamattina", "Data": "25/11/2026 08:30", "Autore": "Marco", "Canale": "Recensioni Google", "Mi piace": 0},
    {"Testo": "Great focaccia, friendly staff", "Data": "26/11/2026 12:00", "Autore": "Ann", "Canale": "Instagram", "Mi piace": 3},
]
EXPECTED = pl.DataFrame(
    {
        "text": [r["Testo"] for r in RECORDS],
        # Europe/Rome is UTC+1 in November.
        "created_at": [datetime(2026, 11, 24, 17, 5, tzinfo=UTC), datetime(2026, 11, 25, 7, 30, tzinfo=UTC), datetime(2026, 11, 26, 11, 0, tzinfo=UTC)],
        "touchpoint": ["facebook", "google_reviews", "instagram"],
        "author": ["Giulia", "Marco", "Ann"],
        "likes": [12, 0, 3],
    },
    schema_overrides={"created_at": MENTION_SCHEMA["created_at"]},
)
CORE = list(EXPECTED.columns)


def _frame() -> pl.DataFrame:
    return pl.DataFrame(RECORDS)


def _write(tmp_path: Path, kind: str) -> Path:
    frame = _frame()
    path = tmp_path / f"mentions.{kind if kind != 'json_data' else 'json'}"
    if kind == "csv":
        frame.write_csv(path)
    elif kind == "tsv":
        frame.write_csv(path, separator="\t")
    elif kind == "xlsx":
        frame.write_excel(path, worksheet="Menzioni")
    elif kind == "json":
        path.write_text(json.dumps(RECORDS, ensure_ascii=False), encoding="utf-8")
    elif kind == "json_data":
        path.write_text(json.dumps({"meta": {"n": 3}, "data": RECORDS}, ensure_ascii=False), encoding="utf-8")
    elif kind == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8")
    elif kind == "parquet":
        frame.write_parquet(path)
    return path


@pytest.mark.parametrize(
    "kind",
    [
        "csv",  # comma-separated UTF-8
        "tsv",  # tab-separated
        "xlsx",  # Excel via fastexcel/calamine
        "json",  # a list of records
        "json_data",  # an object holding one list of records: {"data": [...]}
        "jsonl",  # one object per line
        "parquet",  # typed columns
    ],
)
def test_every_format_gives_the_same_canonical_table(tmp_path: Path, kind: str) -> None:
    result = load_mentions(_write(tmp_path, kind))
    assert result.mentions.select(CORE).equals(EXPECTED)
    assert result.mentions.columns[: len(MENTION_SCHEMA)] == list(MENTION_SCHEMA)
    assert result.mentions.equals(conform(result.mentions))


@pytest.mark.parametrize("kind", ["csv", "xlsx", "jsonl"])
def test_bytes_with_filename_load_like_the_path(tmp_path: Path, kind: str) -> None:
    # The Streamlit uploader passes bytes plus the file name.
    path = _write(tmp_path, kind)
    from_bytes = load_mentions(path.read_bytes(), filename=path.name)
    assert from_bytes.mentions.equals(load_mentions(path).mentions)
    assert from_bytes.report.source_name == path.name


ITALIAN_CSV = (
    "Testo;Data;Autore;Voto;Mi piace;Copertura\n"
    "Caffè perché così? «Buonissimo» — 5€ ben spesi;24/11/2026 18:05;Niccolò;4,5;1.234;12.500\n"
    "Però è caro;25/11/2026 09:00;Zoë;3;7;800\n"
)


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected_encoding"),
    [
        ("cp1252", b"", "cp1252"),  # Excel "CSV (delimitato da separatore)" on Italian Windows
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),  # Excel "CSV UTF-8": with a BOM
        ("utf-8", b"", "utf-8"),  # plain UTF-8 without BOM
        ("latin-1", b"", "cp1252"),  # latin-1 bytes read as cp1252 (a superset for these characters)
    ],
)
def test_italian_csv_dialect(tmp_path: Path, encoding: str, prefix: bytes, expected_encoding: str) -> None:
    path = tmp_path / "export.csv"
    text = ITALIAN_CSV if encoding != "latin-1" else ITALIAN_CSV.replace("€", "EUR").replace("«", '"').replace("»", '"').replace("—", "-")
    path.write_bytes(prefix + text.encode(encoding))
    result = load_mentions(path)
    mentions = result.mentions
    first = text.splitlines()[1].split(";")[0]
    # Accented text is preserved exactly.
    assert mentions["text"].to_list() == [first, "Però è caro"]
    assert mentions["author"].to_list() == ["Niccolò", "Zoë"]
    # Decimal comma and dots for thousands.
    assert mentions["rating"].to_list() == [4.5, 3.0]
    assert mentions["likes"].to_list() == [1234, 7]
    assert mentions["reach"].to_list() == [12500, 800]
    assert (result.report.encoding, result.report.delimiter) == (expected_encoding, ";")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24/11/2026 18:05", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),  # day first, Rome winter time (UTC+1)
        ("24/11/2026", datetime(2026, 11, 23, 23, 0, tzinfo=UTC)),  # date only: local midnight
        ("01/07/2026 18:05", datetime(2026, 7, 1, 16, 5, tzinfo=UTC)),  # summer time (UTC+2), day first (not 7 January)
        ("2026-11-24T18:05:00Z", datetime(2026, 11, 24, 18, 5, tzinfo=UTC)),  # ISO with Z
        ("2026-11-24T18:05:00+02:00", datetime(2026, 11, 24, 16, 5, tzinfo=UTC)),  # ISO with an offset
        ("2026-11-24T18:05:00.250+01:00", datetime(2026, 11, 24, 17, 5, 0, 250000, tzinfo=UTC)),  # fractions of a second
        ("2026-11-24 18:05:00", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),  # naive ISO-like: local time
        ("1795541100", datetime(2026, 11, 24, 17, 25, tzinfo=UTC)),  # Unix seconds as text
        ("1795541100000", datetime(2026, 11, 24, 17, 25, tzinfo=UTC)),  # Unix milliseconds as text
        ("24-Nov-2026 06:05 PM", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),  # Meltwater Date + Time joined
        ("25/10/2026 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # autumn's repeated hour: the first one
        ("24-Nov-2026 06:05PM", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),  # Meltwater without the space
        ("05/11/2026 18:05", datetime(2026, 11, 5, 17, 5, tzinfo=UTC)),  # ambiguous day/month: day first (5 November)
        ("24 novembre 2026 18:05", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),  # Italian month name
        ("3 Gen. 2026", datetime(2026, 1, 2, 23, 0, tzinfo=UTC)),  # Italian abbreviation with a dot
        ("1 maggio 2026, 09:30", datetime(2026, 5, 1, 7, 30, tzinfo=UTC)),  # "maggio" is May (summer time)
    ],
)
def test_date_formats(tmp_path: Path, raw: str, expected: datetime) -> None:
    path = tmp_path / "d.csv"
    path.write_text(f'text,date\nciao,"{raw}"\n', encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["created_at"].to_list() == [expected]
    assert result.report.unparseable_dates == 0


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1795541100, 1795541160], [datetime(2026, 11, 24, 17, 25, tzinfo=UTC), datetime(2026, 11, 24, 17, 26, tzinfo=UTC)]),  # numeric seconds
        ([1795541100000, 1795541160000], [datetime(2026, 11, 24, 17, 25, tzinfo=UTC), datetime(2026, 11, 24, 17, 26, tzinfo=UTC)]),  # numeric ms
    ],
)
def test_numeric_epochs_in_json(tmp_path: Path, values: list[int], expected: list[datetime]) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps([{"content": "a", "published": values[0]}, {"content": "b", "published": values[1]}]))
    assert load_mentions(path).mentions["created_at"].to_list() == expected


def test_excel_serial_numbers_are_dates(tmp_path: Path) -> None:
    # A date column not formatted as a date in Excel shows serial numbers: 46350.75 is 24/11/2026 18:00.
    path = tmp_path / "serial.xlsx"
    pl.DataFrame({"Testo": ["a", "b"], "Data": [46350.75, 46351.0]}).write_excel(path)
    assert load_mentions(path).mentions["created_at"].to_list() == [datetime(2026, 11, 24, 17, 0, tzinfo=UTC), datetime(2026, 11, 24, 23, 0, tzinfo=UTC)]


def test_separate_date_and_time_columns(tmp_path: Path) -> None:
    path = tmp_path / "dt.csv"
    path.write_text("Testo;Data;Ora\nuno;24/11/2026;18:05\ndue;24/11/2026;\n", encoding="utf-8")
    result = load_mentions(path)
    # A missing time leaves the date at local midnight.
    assert result.mentions["created_at"].to_list() == [datetime(2026, 11, 24, 17, 5, tzinfo=UTC), datetime(2026, 11, 23, 23, 0, tzinfo=UTC)]
    assert result.report.columns == {"text": "Testo", "created_at": "Data", "time": "Ora"}


def test_excel_native_datetimes_are_local_time(tmp_path: Path) -> None:
    path = tmp_path / "native.xlsx"
    pl.DataFrame({"Messaggio": ["ciao"], "Data": [datetime(2026, 7, 1, 18, 5)]}).write_excel(path)
    assert load_mentions(path).mentions["created_at"].to_list() == [datetime(2026, 7, 1, 16, 5, tzinfo=UTC)]


def test_report_counts_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        "Testo;Data;Autore;Canale;Mi piace;Extra\n"
        "Buono;24/11/2026 18:05;Ada;Facebook;1;a\n"
        "   ;24/11/2026 18:06;Ada;Facebook;1;b\n"  # blank text: dropped, counted
        "Buono;24/11/2026 18:05;Ada;Facebook;1;c\n"  # same source, author, date, text: a duplicate
        "Caro;ieri sera;Bea;Instagram;x;d\n"  # unreadable date kept; unreadable likes left empty
        "Ok;;Bea;Instagram;2;e\n",  # empty date kept
        encoding="utf-8",
    )
    report = load_mentions(path).report
    assert report == LoadReport(
        rows_read=5,
        rows_kept=3,
        unparseable_dates=1,
        empty_texts_dropped=1,
        duplicates_removed=1,
        columns={"text": "Testo", "created_at": "Data", "author": "Autore", "source": "Canale", "likes": "Mi piace"},
        unmapped_columns=("Extra",),
        layout=None,
        encoding="utf-8",
        delimiter=";",
        sheet_used=None,
        sheets_available=(),
        notes=(
            ("load.note_date_examples", {"examples": "«ieri sera»"}),
            ("load.note_unreadable_values", {"n": 1, "column": "Mi piace", "examples": "«x»"}),
        ),
        format="csv",
        source_name="messy.csv",
        missing_dates=1,
        ids_derived=5,
    )
    assert report.rows_read == report.rows_kept + report.empty_texts_dropped + report.duplicates_removed


def test_report_renders_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("testo,data\nciao,24/11/2026\n,24/11/2026\n", encoding="utf-8")
    report = load_mentions(path).report
    italian, english = report.lines("it"), report.lines("en")
    assert "Righe lette: 2; menzioni caricate: 1" in italian
    assert "Rows read: 2; mentions loaded: 1" in english
    assert "Righe senza testo scartate: 1" in italian
    # Every line is rendered (no raw "load.xxx" key left).
    assert not [line for line in italian + english if line.startswith("load.")]


def test_user_columns_are_kept_after_the_canonical_ones(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("Negozio,text,Campagna\nVia Emilia,ciao,Natale\n", encoding="utf-8")
    mentions = load_mentions(path).mentions
    assert mentions.columns == [*MENTION_SCHEMA, "Negozio", "Campagna"]
    assert mentions.row(0, named=True)["Campagna"] == "Natale"


def test_ids_are_stable_across_loads_and_processes(tmp_path: Path) -> None:
    path = _write(tmp_path, "csv")
    first = load_mentions(path).mentions["id"].to_list()
    second = load_mentions(path.read_bytes(), filename="other-name.csv").mentions["id"].to_list()
    code = "import sys; from ascolto_core.loading import load_mentions; print(' '.join(load_mentions(sys.argv[1]).mentions['id']))"
    other_process = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert first == second == other_process.stdout.split()
    assert len(set(first)) == 3


def test_file_ids_are_kept_and_blank_ones_derived(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,text\nA1,uno\n,due\nA1,uno di nuovo\n", encoding="utf-8")
    result = load_mentions(path)
    ids = result.mentions["id"].to_list()
    # Same file id twice: the second is a duplicate even with another text.
    assert ids[0] == "A1" and len(ids) == 2 and ids[1].startswith("m")
    assert (result.report.ids_derived, result.report.duplicates_removed) == (1, 1)


@pytest.mark.parametrize(
    ("header_and_row", "field", "expected"),
    [
        ("Voto\n4,5", "rating", 4.5),  # Italian decimal comma
        ("Stelle\n★★★★", "rating", 4.0),  # stars as symbols
        ("Rating\n4/5", "rating", 4.0),  # "4 out of 5"
        ("Likes\n1,234", "likes", 1234),  # English thousands separator in a comma-free column
        ("Condivisioni\n12", "shares", 12),  # Italian header
        ("Sentiment\nNegativo", "label", "negative"),  # Italian label to canonical key
        ("Emozione\nRabbia", "label_emotion", "anger"),  # Italian emotion to canonical key
        ("Lingua\nit-IT", "lang", "it"),  # locale code to ISO 639-1
    ],
)
def test_values_are_read_in_italian_and_english(tmp_path: Path, header_and_row: str, field: str, expected: object) -> None:
    header, row = header_and_row.split("\n")
    path = tmp_path / "v.tsv"
    path.write_text(f"Testo\t{header}\nciao\t{row}\n", encoding="utf-8")
    assert load_mentions(path).mentions[field].to_list() == [expected]


def test_text_is_taken_from_title_when_empty(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Titolo,Testo\nTitolo solo,\nTitolo,Corpo\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["Titolo solo", "Corpo"]
    assert ("load.note_text_from_title", {"n": 1, "column": "Titolo"}) in result.report.notes


def test_huge_text_cell_is_kept_whole(tmp_path: Path) -> None:
    # Guard: a 100,000-character post (a pasted email thread) must survive intact.
    long_text = "parola " * 14_285 + "fine"
    path = tmp_path / "long.csv"
    pl.DataFrame({"text": [long_text, "breve"]}).write_csv(path)
    assert load_mentions(path).mentions["text"].to_list() == [long_text, "breve"]


def test_odd_headers_with_accents_and_spaces_map(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("  TESTO  ,Data_Pubblicazione,Nome Utente,PIATTAFORMA\nciao,24/11/2026,Ugo,Twitter\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.report.columns == {"text": "  TESTO  ", "created_at": "Data_Pubblicazione", "author": "Nome Utente", "source": "PIATTAFORMA"}
    assert result.mentions["touchpoint"].to_list() == ["x"]


def test_windows_line_ends_quoted_newlines_and_trailing_delimiter(tmp_path: Path) -> None:
    # Excel on Windows: CRLF, a cell with a line break inside quotes, a ";" at the end of every line.
    path = tmp_path / "excel.csv"
    path.write_bytes(b'testo;data;\r\n"riga con\r\na capo";24/11/2026 18:05;\r\nseconda;25/11/2026;\r\n')
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["riga con\r\na capo", "seconda"]
    # The nameless empty column made by the trailing ";" holds nothing and is not kept.
    assert (result.report.rows_read, result.report.unmapped_columns) == (2, ())


@pytest.mark.parametrize(
    "values",
    [
        ["2023-05-03T08:05:10.000000+0000", "2023-05-03T09:28:48.123456-0230"],  # offsets without colon, negative half hour
        ["2026-11-24T18:05:00+02:00", "2026-11-24T18:05:00-05:00"],  # offsets with colon
        ["2026-11-24T18:05:00Z", "2026-03-29T01:30:00Z"],  # UTC "Z", including the DST night
        ["2026-11-24 18:05:00", "2026-03-29 02:30:00"],  # naive local; 02:30 does not exist that night: null
        ["2026-11-24 18:05:00.0", "2026-07-01 12:00:00.7"],  # Brandwatch's one-digit fraction
        ["2026-11-24T18:05:00.123456789Z", "2026-11-24T18:05:00.000000001Z"],  # nanoseconds cut to microseconds
    ],
)
def test_iso_fast_path_agrees_with_the_general_parser(values: list[str]) -> None:
    from ascolto_core.loading import dates

    # Mostly one layout (fast path), plus rows of another layout and junk that must take the general path.
    column = pl.Series("v", values * 20 + ["24/11/2026 18:05", "boh", None])
    general = dates._parse_column(column, dates._string_formats_in(column.drop_nulls(), "Europe/Rome"), "Europe/Rome")
    fast = dates.parse_datetimes(column, "Europe/Rome")
    assert fast.to_list() == general.to_list()
    assert fast[-3] == datetime(2026, 11, 24, 17, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "values",
    [
        ["2023-05-03T08:05:10.000000+0000", "2023-11-03T23:59:59.000000+0000"],  # synthetic exports: the same fraction and offset everywhere
        ["2026-11-24T18:05:00.250-02:30", "2026-03-29T01:30:00.250-02:30"],  # one negative half-hour offset, one fraction
        ["2026-11-24T18:05:00+01:00", "2026-07-01T00:00:00+01:00"],  # one offset with colon, no fraction
        ["2026-11-24 18:05:00.7Z", "2026-03-29 01:30:00.7Z"],  # one fraction, UTC
    ],
)
def test_one_fraction_and_offset_for_every_row_read_like_the_general_parser(values: list[str]) -> None:
    from ascolto_core.loading import dates

    # Only one layout and one written fraction/offset (plus empty cells): the constant-tail path.
    column = pl.Series("v", values * 20 + [None])
    general = dates._parse_column(column, dates._string_formats_in(column.drop_nulls(), "Europe/Rome"), "Europe/Rome")
    assert dates.parse_datetimes(column, "Europe/Rome").to_list() == general.to_list()
    assert general.null_count() == 1


def test_excel_numeric_ids_stay_whole_numbers(tmp_path: Path) -> None:
    # Excel stores every number as a float: id 12345 must not become "12345.0".
    path = tmp_path / "ids.xlsx"
    pl.DataFrame({"ID": [12345, 12346], "Commento": ["uno", "due"], "Autore": [2024, 7]}).write_excel(path)
    mentions = load_mentions(path).mentions
    assert mentions.select("id", "author").rows() == [("12345", "2024"), ("12346", "7")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(lambda s: s.strip()),
        min_size=1,
        max_size=8,
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_text_survives_a_csv_round_trip(tmp_path: Path, texts: list[str], delimiter: str) -> None:
    # Accents, emoji, quotes, delimiters inside cells: the text comes back exactly.
    path = tmp_path / "round.csv"
    pl.DataFrame({"testo": texts, "autore": [f"a{i}" for i in range(len(texts))]}).write_csv(path, separator=delimiter)
    assert load_mentions(path).mentions["text"].to_list() == texts


def test_month_first_dates_are_recognised_and_reported(tmp_path: Path) -> None:
    # A US export: 12/24 cannot be day first, so the whole column is read month first.
    path = tmp_path / "us.csv"
    # Past dates only: a date after tomorrow is out of the plausible window (issue 8 item 6).
    path.write_text("text,date\na,11/24/2026 6:05 PM\nb,10/01/2026 9:00 AM\nc,01/02/2026 10:00 AM\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["created_at"].to_list() == [
        datetime(2026, 11, 24, 17, 5, tzinfo=UTC),
        datetime(2026, 10, 1, 7, 0, tzinfo=UTC),
        datetime(2026, 1, 2, 9, 0, tzinfo=UTC),  # 2 January, not 1 February
    ]
    assert ("load.note_month_first", {"column": "date"}) in result.report.notes


@pytest.mark.parametrize(
    ("content", "expected_texts"),
    [
        ("testo\nciao, mondo\nbello, davvero\n", ["ciao, mondo", "bello, davvero"]),  # one column, commas in every text
        ("testo\nuno; due\ntre; quattro\n", ["uno; due", "tre; quattro"]),  # one column, semicolons in every text
        ("text|author\nfine|Ugo\nok, grazie|Ada\n", ["fine", "ok, grazie"]),  # pipe-separated with commas in a text
    ],
)
def test_single_column_files_are_not_split_on_punctuation(tmp_path: Path, content: str, expected_texts: list[str]) -> None:
    path = tmp_path / "one.csv"
    path.write_text(content, encoding="utf-8")
    assert load_mentions(path).mentions["text"].to_list() == expected_texts


def test_reloading_an_analysed_export_keeps_old_analysis_apart(tmp_path: Path) -> None:
    # An Ascolto export has analysis columns; loading it again must not clash with the next analysis.
    path = tmp_path / "export.csv"
    path.write_text("id,text,sentiment,sentiment_score,engine\nx1,Buono,positive,0.8,embedded\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions.columns[len(MENTION_SCHEMA) :] == ["sentiment_score (file)", "engine (file)"]
    assert result.mentions["label"].to_list() == ["positive"]  # the old sentiment is a reference label
    assert ("load.note_renamed_column", {"column": "engine", "renamed": "engine (file)"}) in result.report.notes


def test_unquoted_commas_in_every_row_keep_the_header(tmp_path: Path) -> None:
    # Hand-made CSV: the date holds an unquoted comma, so every data row has one cell too many.
    path = tmp_path / "hand.csv"
    path.write_text("text,date\nciao,24 nov 2026, 18:05\nbuono,25 nov 2026, 09:00\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["ciao", "buono"]
    # The cut-off time is not hidden: the report says extra cells were ignored.
    assert ("load.note_ragged_lines", {}) in result.report.notes
    assert result.mentions["created_at"].to_list() == [datetime(2026, 11, 23, 23, 0, tzinfo=UTC), datetime(2026, 11, 24, 23, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    "kind",
    [
        "json",  # read record by record
        "jsonl",  # Polars' native JSON Lines reader
    ],
)
def test_nested_json_values_become_columns_and_text(tmp_path: Path, kind: str) -> None:
    records = [
        {"testo": "a", "likes": 1, "autore": {"nome": "Ugo", "sesso": "M"}, "tag": ["pane", "forno"]},
        {"testo": "b", "likes": "2 mila", "tag": []},  # a count in words: left empty and reported
    ]
    path = tmp_path / f"nested.{kind}"
    if kind == "json":
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    result = load_mentions(path)
    mentions = result.mentions
    assert result.report.columns["author"] == "autore.nome"
    assert mentions.select("text", "author", "likes", "tag", "autore.sesso").rows() == [("a", "Ugo", 1, "pane, forno", "M"), ("b", None, None, "", None)]
    assert ("load.note_unreadable_values", {"n": 1, "column": "likes", "examples": "«2 mila»"}) in result.report.notes


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["a", "b", "a", None, None], [True, True, False, True, False]),  # a repeat and repeated nulls
        (["x", "y", "z"], [True, True, True]),  # all distinct: the hash path alone decides
        ([None, "a", None, "a"], [True, True, False, False]),  # nulls first
    ],
)
def test_first_occurrences_match_exact_comparison(keys: list[str | None], expected: list[bool]) -> None:
    from ascolto_core.loading.canonical import first_occurrences

    series = pl.Series(keys, dtype=pl.String)
    assert first_occurrences(series).to_list() == expected == series.is_first_distinct().to_list()


@pytest.mark.parametrize(
    "chunk_rows",
    [
        1,  # every row its own chunk: drops and duplicates cross chunk borders
        3,  # chunks of uneven length (7 rows)
        7,  # one chunk, as Excel and JSON readers give
    ],
)
def test_chunked_tables_build_the_same_mentions(chunk_rows: int) -> None:
    from ascolto_core.loading.canonical import build_mentions

    whole = pl.DataFrame(
        {
            "Testo": ["Buono", " ", "Buono", "Caro", "Ok", "Buono", None],
            "Data": ["24/11/2026 18:05", "24/11/2026 18:06", "24/11/2026 18:05", "ieri", "", "25/11/2026 09:00", "x"],
            "Canale": ["Facebook", "Facebook", "Facebook", "tripadvisor.it", "Email", "Instagram", "X"],
            "Voto": ["4,5", "1", "4,5", "cinque", "2", "3", "1"],
            "Extra": ["a", "b", "c", "d", "e", "f", "g"],
        }
    )
    chunked = pl.concat([whole.slice(start, chunk_rows) for start in range(0, whole.height, chunk_rows)], rechunk=False)
    chosen = {"text": "Testo", "created_at": "Data", "source": "Canale", "rating": "Voto"}
    built = build_mentions(chunked, chosen, tz="Europe/Rome", delimiter=";")
    expected = build_mentions(whole.rechunk(), chosen, tz="Europe/Rome", delimiter=";")
    assert chunked.n_chunks() == -(-whole.height // chunk_rows)
    assert built.mentions.equals(expected.mentions)
    assert built.mentions["Extra"].to_list() == ["a", "d", "e", "f"]  # blank, duplicate and null texts dropped
    assert (built.duplicates, built.empty_texts, built.unparseable_dates, built.missing_dates, built.notes) == (
        expected.duplicates,
        expected.empty_texts,
        expected.unparseable_dates,
        expected.missing_dates,
        expected.notes,
    )


@pytest.mark.parametrize(
    ("parse", "values", "expected"),
    [
        ("sentiment", ["positive", None, "negative", "positive"], ["positive", None, "negative", "positive"]),  # canonical: kept
        ("sentiment", ["positive", "Negativo", None], ["positive", "negative", None]),  # one value converted: all looked up
        ("sentiment", ["positive", "boh"], ["positive", None]),  # an unknown label becomes null, not kept
        ("lang", ["it", "en", "it"], ["it", "en", "it"]),  # canonical codes: kept
        ("lang", ["it", "it-IT", "English"], ["it", "it", "en"]),  # regional and named languages converted
        ("touchpoint", ["instagram", "x", None], ["instagram", "x", "other"]),  # canonical keys kept, null is other
        ("touchpoint", ["instagram", "Instagram"], ["instagram", "instagram"]),  # case folded
        ("sentiment", [None, None], [None, None]),  # nothing to convert
    ],
)
def test_canonical_values_pass_and_others_convert(parse: str, values: list[str | None], expected: list[str | None]) -> None:
    from ascolto_core.loading.touchpoints import derive_touchpoints
    from ascolto_core.loading.values import parse_lang, parse_sentiment_labels

    series = pl.Series("v", values, dtype=pl.String)
    if parse == "touchpoint":
        parsed = derive_touchpoints(length=len(series), touchpoint=series)
    else:
        parsed = (parse_sentiment_labels if parse == "sentiment" else parse_lang)(series)
    assert parsed.dtype == pl.String
    assert parsed.to_list() == expected


def _load_as_text(path: Path) -> tuple[pl.DataFrame, tuple[object, ...]]:
    """The canonical table and the notes from every column read as text (the reference for typed reads)."""
    from ascolto_core.loading.canonical import build_mentions
    from ascolto_core.loading.mapping import propose
    from ascolto_core.loading.readers import open_source, read_table

    raw = read_table(open_source(path, None))
    proposal = propose(raw.frame.columns)
    built = build_mentions(raw.frame, proposal.chosen, tz="Europe/Rome", delimiter=raw.delimiter)
    problems = tuple((p.key, {"field": p.field}) for p in proposal.problems if not p.blocking)
    return built.mentions, raw.notes + problems + built.notes


@pytest.mark.parametrize(
    ("delimiter", "likes", "rating"),
    [
        (";", "12", "4,5"),  # plain values throughout: read typed
        (";", "1.234", "4,5"),  # Italian thousands after the sample: counts read again as text
        (";", " 7", " 4"),  # spaces around numbers
        (";", "+5", "4,"),  # a sign; a comma with no decimals
        (";", "-3", "nan"),  # a negative count; "nan" as a rating
        (";", "", ""),  # empty cells
        (";", "x", "4/5"),  # unreadable count; a rating out of five
        (";", "5.0", "★★★★"),  # a count with a decimal point; stars
        (";", "99999999999999999999", "1.234,5"),  # a count too large for 64 bits; a grouped decimal
        (",", "12", "4.5"),  # comma-separated file with point decimals
        (",", "1,234", "3"),  # English thousands (quoted cell)
    ],
)
def test_typed_read_gives_the_table_read_as_text(tmp_path: Path, delimiter: str, likes: str, rating: str) -> None:
    from ascolto_core.loading.readers import open_source, read_table

    plain_rating = "4,5" if delimiter == ";" else "4.5"
    rows = [delimiter.join([f"testo numero {i}", str(i % 50), plain_rating]) for i in range(5000)]
    odd = ["testo strano", f'"{likes}"' if delimiter in likes else likes, f'"{rating}"' if delimiter in rating else rating]
    path = tmp_path / "numbers.csv"
    path.write_text("\n".join([delimiter.join(["Testo", "Mi piace", "Voto"]), *rows, delimiter.join(odd)]) + "\n", encoding="utf-8")
    # The file's start holds plain numbers only: the reader is asked to parse them.
    start = tmp_path / "start.csv"
    start.write_text("\n".join([delimiter.join(["Testo", "Mi piace", "Voto"]), *rows[:10]]) + "\n", encoding="utf-8")
    assert read_table(open_source(start, None), typed=True).frame.dtypes[1:] == [pl.Int64, pl.Float64]
    loaded = load_mentions(path)
    as_text, notes = _load_as_text(path)
    assert_frame_equal(loaded.mentions, as_text)
    assert loaded.report.notes == notes
    assert loaded.mentions.height == 5001
