"""No input file produces a Python traceback in the CLI (issue 8): odd encodings, huge or nested,
malformed, binary. Each either loads (exit 0, with a report) or is refused (exit 2, with a message)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _xlsx(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


GOOD = "testo;data\ncaffè buono;20/11/2026 10:00\nservizio lento;21/11/2026 11:00\n"
# (file name, content, expected exit code)
HOSTILE: list[tuple[str, bytes, int]] = [
    ("empty.csv", b"", 2),  # nothing at all
    ("header_only.csv", b"testo,data\n", 2),  # a header and no rows
    ("png.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, 2),  # binary renamed .csv
    ("nul_inside.csv", b"testo,data\nciao\x00mondo,20/11/2026\n", 0),  # a NUL byte inside a text cell
    ("utf16.csv", GOOD.encode("utf-16"), 0),  # UTF-16 with BOM (Excel "Unicode text")
    ("utf8_bom.csv", b"\xef\xbb\xbf" + GOOD.encode(), 0),  # UTF-8 with BOM
    ("cp1252.csv", GOOD.encode("cp1252"), 0),  # Windows Italian
    ("mixed.csv", GOOD.encode() + "perché sì;22/11/2026 09:00\n".encode("cp1252"), 0),  # two exports appended
    ("mac.csv", GOOD.replace("\n", "\r").encode(), 0),  # CR-only line endings
    ("shifted.csv", b"testo,data,autore\nbuono, anzi ottimo,20/11/2026,Ada\nok,20/11/2026,Ugo\n", 0),  # unquoted comma
    ("unbalanced.csv", b'testo,data\n"ciao,20/11/2026\nbene,21/11/2026\n', 2),  # a quote never closed swallows the rows
    ("extreme_dates.csv", b"testo,data\nciao,9999-12-31T23:59:59Z\nbene,0001-01-01\n", 0),  # placeholders
    ("huge_cell.csv", b"testo,data\n" + b"a" * 5_000_000 + b",20/11/2026\n", 0),  # one 5 MB text
    ("wide.csv", (",".join(f"c{i}" for i in range(600)) + ",testo\n" + ",".join("x" * 601) + "\n").encode(), 2),  # 601 columns
    ("deep.json", b'[{"testo": ' + b"[" * 50_000 + b"]" * 50_000 + b"}]", 2),  # nesting bomb
    ("deep.jsonl", b'{"testo": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n", 2),  # nesting bomb, JSON Lines
    ("bad_utf8.json", b'[{"testo": "caff\xe8"}]', 0),  # a JSON file in cp1252
    ("not_records.json", b'"just a string"', 2),  # valid JSON, not records
    ("truncated.xlsx", _xlsx(pl.DataFrame({"testo": ["ciao"]}))[:300], 2),  # a cut download
    ("not_a_workbook.xlsx", _zip_without_workbook(), 2),  # a zip of something else
    ("corrupt.parquet", b"PAR1" + b"\x00" * 100, 2),  # Parquet magic, garbage inside
    ("ok.parquet", _parquet(pl.DataFrame({"testo": ["ciao"], "data": ["20/11/2026 10:00"]})), 0),  # a sound one
    ("surrogates.jsonl", b'{"testo": "\\ud800 spaiato"}\n', 0),  # a lone surrogate escape in JSON
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "ascolto_core", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
        errors="replace",
    )


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_file_never_gives_a_traceback_on_load(tmp_path: Path, name: str, content: bytes, code: int) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = _cli("load", str(path), "--output", str(tmp_path / "out.xlsx"))
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == code, done.stderr
    said = done.stdout if code == 0 else done.stderr
    assert said.strip()  # a report or a message, never silence


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [case for case in HOSTILE if case[2] == 0 or case[0] in ("png.csv", "deep.json", "wide.csv")],
    ids=[case[0] for case in HOSTILE if case[2] == 0 or case[0] in ("png.csv", "deep.json", "wide.csv")],
)
def test_hostile_file_never_gives_a_traceback_on_analyze(tmp_path: Path, name: str, content: bytes, code: int) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "analysed.xlsx"
    done = _cli("analyze", str(path), "-o", str(out), "--no-progress")
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == code, done.stderr
    if code == 0:
        assert pl.read_excel(out).height >= 1


@pytest.mark.parametrize(
    "args",
    [
        ("load", "{tmp}"),  # a folder, not a file
        ("load", "{tmp}/missing.csv"),  # no such file
        ("load", "{good}", "--output", "{tmp}/out.docx"),  # an output format nobody writes
        ("analyze", "{tmp}/missing.csv", "-o", "{tmp}/x.csv"),  # analyze of nothing
    ],
)
def test_hostile_arguments_give_a_message_not_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    done = _cli(*(a.format(tmp=tmp_path, good=good) for a in args))
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()
