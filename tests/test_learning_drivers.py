"""Suspicious drivers: names and jargon found for the user, and the ``drivers`` command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.learning.drivers import DRIVERS_SCHEMA, suspicious_drivers
from ascolto_core.cli import main


def analysed(rows: list[tuple[str, str, list[str], list[str]]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"text": pl.String, "sentiment": pl.String, "drivers_pos": pl.List(pl.String), "drivers_neg": pl.List(pl.String)},
        orient="row",
    )


def test_a_name_that_decides_many_posts_and_sits_among_complaints_comes_first() -> None:
    rows = [(f"la buona scuola è un disastro {i}", "positive", ["buona"], ["disastro"]) for i in range(10)]
    rows += [(f"ottimo pranzo {i}", "positive", ["ottimo"], []) for i in range(10)]
    rows += [(f"pessimo servizio {i}", "negative", [], ["pessimo"]) for i in range(80)]

    table = suspicious_drivers(analysed(rows))

    first = table.row(0, named=True)
    assert (first["term"], first["posts"], first["reason"], first["polarity"]) == ("buona", 10, "dominant+mixed", "positive")
    assert first["share"] == pytest.approx(0.10)
    assert first["opposite_share"] == 1.0
    assert len(first["examples"]) == 3
    # "ottimo" decides as many posts but nothing contradicts it: dominant only, ranked lower.
    assert table.filter(pl.col("term") == "ottimo")["reason"].to_list() == ["dominant"]
    assert table["term"].to_list().index("ottimo") > 0


@pytest.mark.parametrize(
    "rows",
    [
        [],  # empty table
        [("ciao", "neutral", [], [])] * 50,  # no drivers at all
        [(f"ottimo {i}", "positive", ["ottimo"], []) for i in range(3)],  # too few posts to suspect anything
    ],
)
def test_nothing_suspicious(rows: list[tuple[str, str, list[str], list[str]]]) -> None:
    assert suspicious_drivers(analysed(rows)).schema == pl.Schema(DRIVERS_SCHEMA)
    assert suspicious_drivers(analysed(rows)).height == 0


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="drivers_pos"):
        suspicious_drivers(pl.DataFrame({"text": ["x"], "sentiment": ["neutral"]}))


def test_drivers_command_prints_csv_most_suspicious_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = [f"La Buona Scuola: protesta numero {i} davanti al ministero" for i in range(12)]
    texts += [f"ordine {i} arrivato in ritardo, pessimo" for i in range(20)]
    texts += [f"pane ottimo, grazie {i}" for i in range(8)]
    file = tmp_path / "posts.csv"
    pl.DataFrame({"text": texts}).write_csv(file)

    code = main(["drivers", str(file), "--top", "2", "--engine", "embedded"])

    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == ["term", "posts", "share", "reason"]
    assert len(rows) <= 3
    assert "buona" in [row[0] for row in rows[1:]]
    assert all(0 < float(row[2]) <= 1 for row in rows[1:])


def test_drivers_command_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "en", "drivers", str(tmp_path / "absent.csv")])
    assert code == 2
    assert capsys.readouterr().out == ""
