"""One writer for every spreadsheet file (issue 8 items 4, 5, 22): CLI outputs are neutralised like
Esporta, numbers stay numbers, and the Italian dialect opens in columns in an Italian Excel."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.fetch.cli import read_mentions as read_fetched
from ascolto_core.fetch.cli import write_mentions as write_fetched
from ascolto_core.insights.export import export_csv, export_xlsx, spreadsheet_frame, write_table
from ascolto_core.insights.sample import mentions_frame
from ascolto_core.schema import conform

ROOT = Path(__file__).resolve().parent.parent
TZ = "Europe/Rome"
ATTACK = "=cmd|' /C calc'!A0"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "ascolto_core", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def _attack_file(tmp_path: Path) -> Path:
    path = tmp_path / "attacco.csv"
    path.write_text(f'testo,autore,saldo\n"{ATTACK}",@mario,-5\nbuono,+39 333,3\n', encoding="utf-8")
    return path


# --- item 4: every file the project writes is neutralised ------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("load", "{input}", "--output", "{output}.csv"),  # load --output wrote the cell as is
        ("load", "{input}", "--output", "{output}.xlsx"),  # and could not write Excel at all
        ("analyze", "{input}", "-o", "{output}.csv", "--no-progress"),  # analyze -o
        ("analyze", "{input}", "-o", "{output}.xlsx", "--no-progress"),
    ],
)
def test_csv_injection_in_cli_outputs_is_neutralised(tmp_path: Path, command: tuple[str, ...]) -> None:
    source = _attack_file(tmp_path)
    args = [a.format(input=source, output=tmp_path / "out") for a in command]
    done = _cli(*args)
    assert done.returncode == 0, done.stderr
    out = Path(args[-2] if args[-1] == "--no-progress" else args[-1])
    table = pl.read_excel(out) if out.suffix == ".xlsx" else pl.read_csv(out, infer_schema=False)
    assert table["text"].to_list()[0] == "'" + ATTACK
    assert table["author"].to_list()[0] == "'@mario"


def test_csv_injection_in_fetch_output_is_neutralised_and_reads_back(tmp_path: Path) -> None:
    # fetch -o writes through fetch.cli.write_mentions: a fetched post cannot plant a formula.
    fetched = conform(
        pl.DataFrame(
            {"id": ["p1"], "text": [ATTACK], "author": ["@evil"], "created_at": [datetime(2026, 11, 20, 9, 30, tzinfo=UTC)]}
        )
    )
    path = tmp_path / "menzioni.csv"
    write_fetched(fetched, path)
    raw = pl.read_csv(path, infer_schema=False)
    assert raw["text"].to_list() == ["'" + ATTACK]
    again = read_fetched(path)  # fetch -o extends the same file next time
    assert again["created_at"].to_list() == [datetime(2026, 11, 20, 9, 30, tzinfo=UTC)]
    write_fetched(again, path)
    assert pl.read_csv(path, infer_schema=False)["text"].to_list() == ["'" + ATTACK]  # no second apostrophe


# --- item 5: numbers stay numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype", "first"),
    [
        (["-5", "3", "12"], pl.Int64, -5),  # a balance with a negative: was exported as "'-5"
        (["-0.5", "2.25"], pl.Float64, -0.5),  # decimals with a point
        (["00123", "00456"], pl.String, "00123"),  # codes with leading zeros stay text
        (["-5", "abc"], pl.String, "-5"),  # a column with text stays text; the number itself is not prefixed
        (["-1+2", "3"], pl.String, "'-1+2"),  # a formula in a numeric-looking column is still neutralised
    ],
)
def test_user_number_columns_stay_numbers(values: list[str], dtype: pl.DataType, first: object) -> None:
    frame = mentions_frame([dict(text=f"t{i}") for i in range(len(values))]).with_columns(pl.Series("saldo", values))
    flat = spreadsheet_frame(frame, TZ)
    assert flat.schema["saldo"] == dtype
    assert flat["saldo"][0] == first
    book = pl.read_excel(io.BytesIO(export_xlsx(frame, tz=TZ)))
    assert book["saldo"].to_list()[0] == first


def test_numbers_survive_load_and_export_round_trip(tmp_path: Path) -> None:
    source = _attack_file(tmp_path)
    out = tmp_path / "out.xlsx"
    assert _cli("load", str(source), "--output", str(out)).returncode == 0
    assert pl.read_excel(out)["saldo"].to_list() == [-5, 3]


# --- item 22: the Italian spreadsheet dialect ------------------------------------------------


def _analysed() -> pl.DataFrame:
    return mentions_frame(
        [
            dict(text="Servizio lento", created_at="2026-09-14T08:00", sentiment="negative", sentiment_score=-0.7184212081070996,
                 emotion="anger", rating=2.0, is_question=False, drivers_neg=["lento"], touchpoint="google_reviews"),
            dict(text="Perché chiudete?", created_at="2026-09-14T19:05", sentiment="neutral", sentiment_score=0.05,
                 emotion="none", rating=4.0, is_question=True, touchpoint="instagram"),
        ]
    ).with_columns(pl.Series("Negozio", ["Centro", "Stazione"]), pl.Series("saldo", ["-5", "2.5"]))


def test_italian_dialect_opens_in_columns_with_italian_headers_and_numbers() -> None:
    lines = export_csv(_analysed(), tz=TZ, dialect="it", lang="it").decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:3] == ["ID", "Testo", "Data e ora"]
    assert {"Touchpoint", "Sentiment", "Punteggio sentiment", "Voto", "Domanda", "Negozio", "saldo"} <= set(header)
    first = dict(zip(header, lines[1].split(";"), strict=True))
    assert first["Punteggio sentiment"] == "-0,72"  # rounded, decimal comma
    assert first["Voto"] == "2"  # whole rating, not 2.0
    assert first["Sentiment"] == "negativo" and first["Emozione"] == "rabbia" and first["Touchpoint"] == "Recensioni Google"
    assert first["Domanda"] == "no"
    assert first["Data e ora"] == "14/09/2026 10:00:00"
    assert (first["Negozio"], first["saldo"]) == ("Centro", "-5,0")  # the user's names kept; a decimal column in decimal comma
    second = dict(zip(header, lines[2].split(";"), strict=True))
    assert second["saldo"] == "2,5" and second["Domanda"] == "sì"


def test_plain_dialect_is_unchanged_for_tools() -> None:
    text = export_csv(_analysed(), tz=TZ).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,text,created_at")
    assert "-0.7184212081070996" in text


def test_xlsx_has_italian_headers_when_the_ui_is_italian() -> None:
    italian = pl.read_excel(io.BytesIO(export_xlsx(_analysed(), tz=TZ, lang="it")))
    assert italian.columns[:2] == ["ID", "Testo"] and "Negozio" in italian.columns
    assert italian["Sentiment"].to_list() == ["negativo", "neutro"]
    assert italian["Punteggio sentiment"].to_list() == [-0.72, 0.05]  # still numbers
    plain = pl.read_excel(io.BytesIO(export_xlsx(_analysed(), tz=TZ)))
    assert plain.columns[:2] == ["id", "text"]


def test_a_user_column_named_like_an_italian_header_is_kept() -> None:
    frame = _analysed().with_columns(pl.lit("mio").alias("Testo"))
    header = export_csv(frame, tz=TZ, dialect="it").decode("utf-8-sig").splitlines()[0].split(";")
    assert "Testo" in header and "Testo (Ascolto)" in header


def test_write_table_picks_the_format_by_suffix(tmp_path: Path) -> None:
    frame = _analysed()
    for name in ("a.csv", "a.xlsx", "a.parquet"):
        write_table(frame, tmp_path / "sub" / name, tz=TZ)
    assert pl.read_parquet(tmp_path / "sub" / "a.parquet").equals(frame)
    assert pl.read_csv(tmp_path / "sub" / "a.csv", infer_schema=False)["text"].to_list() == ["Servizio lento", "Perché chiudete?"]
