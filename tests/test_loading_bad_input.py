"""Bad input gets a clear message in Italian and English, never a traceback; sheets; the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.loading import MappingNeeded, load_mentions

ROOT = Path(__file__).resolve().parent.parent


def _xlsx_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "ok.xlsx"
    pl.DataFrame({"testo": ["ciao"]}).write_excel(path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("empty.csv", b"", "load.empty_file"),  # zero bytes
        ("blank.csv", b"\r\n  \n", "load.empty_file"),  # only blank lines
        ("header.csv", b"testo,data\n", "load.no_rows"),  # a header and nothing else
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "load.binary_file"),  # an image renamed .csv
        ("archive.csv", b"PK\x03\x04" + b"\x00" * 200, "load.corrupt_excel"),  # a broken zip: looks like xlsx, is not
        ("list.json", b'["a", "b"]', "load.json_not_records"),  # a list of strings, not records
        ("number.json", b"42", "load.json_not_records"),  # a bare number
        ("two_lists.json", b'{"a": [{"x": 1}], "b": [{"y": 2}]}', "load.json_not_records"),  # which list? refuse to guess
        ("broken.json", b'[{"testo": "ciao"', "load.json_invalid"),  # truncated JSON
        ("broken.jsonl", b'{"testo": "ciao"}\n{"testo": \n', "load.jsonl_invalid"),  # second line broken
        ("empty.json", b"[]", "load.empty_file"),  # no records
        ("corrupt.xlsx", b"this is not a spreadsheet at all, just text", "load.corrupt_excel"),  # text renamed .xlsx
        ("corrupt.parquet", b"PAR1 garbage garbage", "load.unreadable"),  # truncated Parquet
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, content: bytes, key: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path)
    assert caught.value.key == key
    # Rendered in both languages, with the file name, never the bare key.
    for lang in ("it", "en"):
        message = caught.value.message(lang)
        assert not message.startswith("load.") and not re.search(r"\{[a-z_]+\}", message)
        assert name in message


def test_corrupt_xlsx_with_a_real_zip_inside(tmp_path: Path) -> None:
    # A real xlsx cut in half (interrupted download).
    data = _xlsx_bytes(tmp_path)
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path)
    assert caught.value.key == "load.corrupt_excel"


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("testo\n" + "ciao\n" * 1000, encoding="utf-8")
    with pytest.raises(AscoltoError) as caught:
        load_mentions(path, max_bytes=1024)
    assert caught.value.key == "load.too_large"
    assert (caught.value.params["size_mb"], caught.value.params["limit_mb"]) == ("0.00477", "0.000977")  # 5006 bytes, 1024 bytes
    # The same file with the default limit (config/app.yaml: 200 MB) loads.
    assert load_mentions(path).report.rows_read == 1000


def test_csv_without_text_column_needs_mapping(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MappingNeeded) as caught:
        load_mentions(path)
    assert caught.value.key == "load.mapping_needed"
    assert caught.value.proposal.source_columns == ("a", "b")


@pytest.mark.parametrize(
    ("name", "content", "expected_format"),
    [
        ("export.dat", "testo;data\nciao;24/11/2026\n", "csv"),  # unknown extension, text content: sniffed as CSV
        ("export", '[{"testo": "ciao"}]', "json"),  # no extension, JSON content
        ("export.txt", '{"testo": "a"}\n{"testo": "b"}\n', "jsonl"),  # .txt holding JSON Lines
        ("export.json", '{"testo": "a"}\n{"testo": "b"}\n', "jsonl"),  # .json that is really JSON Lines
    ],
)
def test_unknown_extensions_are_sniffed(tmp_path: Path, name: str, content: str, expected_format: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert load_mentions(path).report.format == expected_format


def test_xlsx_renamed_csv_is_read_as_excel(tmp_path: Path) -> None:
    path = tmp_path / "really-excel.csv"
    path.write_bytes(_xlsx_bytes(tmp_path))
    result = load_mentions(path)
    assert (result.report.format, result.mentions["text"].to_list()) == ("xlsx", ["ciao"])


def _workbook(tmp_path: Path) -> Path:
    import xlsxwriter

    path = tmp_path / "sheets.xlsx"
    with xlsxwriter.Workbook(path) as book:
        book.add_worksheet("Copertina")  # empty cover sheet
        sheet = book.add_worksheet("Facebook")
        for row, values in enumerate([["Messaggio", "Data"], ["Ciao dal feed", "24/11/2026 18:05"]]):
            sheet.write_row(row, 0, values)
        sheet = book.add_worksheet("Google")
        for row, values in enumerate([["Recensione", "Stelle"], ["Pane ottimo", 5], ["Troppa attesa", 2]]):
            sheet.write_row(row, 0, values)
    return path


def test_excel_with_several_sheets_loads_the_first_with_rows_and_says_so(tmp_path: Path) -> None:
    result = load_mentions(_workbook(tmp_path))
    report = result.report
    assert (report.sheet_used, report.sheets_available) == ("Facebook", ("Copertina", "Facebook", "Google"))
    assert report.notes[:2] == (
        ("load.note_first_sheet", {"sheet": "Facebook", "sheets": "Copertina, Facebook, Google"}),
        ("load.note_sheets_empty", {"sheets": "Copertina"}),
    )
    assert result.mentions["text"].to_list() == ["Ciao dal feed"]


@pytest.mark.parametrize(
    "sheet",
    [
        "Google",  # by name
        2,  # by 0-based index
    ],
)
def test_excel_sheet_can_be_chosen(tmp_path: Path, sheet: str | int) -> None:
    result = load_mentions(_workbook(tmp_path), sheet=sheet)
    assert result.report.sheet_used == "Google"
    assert result.mentions.select("text", "rating").rows() == [("Pane ottimo", 5.0), ("Troppa attesa", 2.0)]


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as caught:
        load_mentions(_workbook(tmp_path), sheet="Instagram")
    assert caught.value.key == "load.sheet_not_found"
    assert "Copertina, Facebook, Google" in caught.value.message("en")


def test_missing_path_and_wrong_type(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as missing:
        load_mentions(tmp_path / "nope.csv")
    assert missing.value.key == "load.not_found"
    with pytest.raises(AscoltoError) as wrong:
        load_mentions(12345)  # type: ignore[arg-type]
    assert wrong.value.key == "load.bad_source"


def test_catalogues_have_the_same_keys_in_both_languages() -> None:
    italian = yaml.safe_load((ROOT / "config/i18n/it/load.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((ROOT / "config/i18n/en/load.yaml").read_text(encoding="utf-8"))
    assert set(italian) == set(english)
    # Every key the loading code names exists.
    used = set()
    for path in (ROOT / "ascolto_core/loading").glob("*.py"):
        used |= set(re.findall(r'"load\.([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used - set(italian) == set()
    assert t("load.field_text", "en") == "text"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "ascolto_core", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_cli_prints_the_report(tmp_path: Path) -> None:
    path = tmp_path / "cli.csv"
    path.write_text("Messaggio;Quando\nciao;24/11/2026\n;24/11/2026\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    done = _cli("--lang", "en", "load", str(path), "--map", "text=Messaggio", "--map", "created_at=Quando", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "Rows read: 2; mentions loaded: 1" in done.stdout
    assert "Rows without text dropped: 1" in done.stdout
    assert pl.read_parquet(out)["text"].to_list() == ["ciao"]


def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    done = _cli("load", str(path))
    assert done.returncode == 2
    assert "è vuoto" in done.stderr and "Traceback" not in done.stderr


def test_rows_with_extra_cells_are_left_out_and_reported_with_their_line(tmp_path: Path) -> None:
    # Issue 8 item 10: keeping "buono" with " anzi ottimo" as its author was the defect (a shifted row).
    path = tmp_path / "ragged.csv"
    path.write_text("testo,autore\nciao,Ugo\nbuono, anzi ottimo,Ada\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["text"].to_list() == ["ciao"]
    assert (result.report.rows_read, result.report.rows_kept) == (2, 1)
    assert ("load.note_malformed_longer", {"n": 1, "lines": "3"}) in result.report.notes


def test_invalid_utf8_after_a_clean_start_is_redetected(tmp_path: Path) -> None:
    # The first 64 KB are plain ASCII; an accented cp1252 letter comes later.
    rows = "".join(f"riga {i},Ugo\n" for i in range(8000))
    path = tmp_path / "late.csv"
    path.write_bytes(("testo,autore\n" + rows + "caffè,Ugo\n").encode("cp1252"))
    result = load_mentions(path)
    assert result.mentions["text"][-1] == "caffè"
    assert result.report.encoding == "cp1252"


def test_cli_unclear_columns_lists_them_and_how_to_choose(tmp_path: Path) -> None:
    path = tmp_path / "unclear.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    done = _cli("--lang", "en", "load", str(path))
    assert done.returncode == 2
    assert "Columns in the file: «a», «b»" in done.stderr and "--map text=" in done.stderr
    assert "Traceback" not in done.stderr
