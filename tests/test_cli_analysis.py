"""``python -m ascolto_core analyze`` / ``evaluate`` and the metrics behind ``evaluate``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from tiny_models import TinyModels

from ascolto_core.analysis.evaluation import ClassScore, evaluate_labels, normalise_labels
from ascolto_core.cli import main
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA

PROJECT = Path(__file__).resolve().parent.parent
EVAL_DIR = PROJECT.parent / "shared" / "eval"

MENTIONS_CSV = """text,created_at,touchpoint,label
"Pane ottimo, personale gentilissimo!",2026-09-14 10:00:00,google_reviews,positive
"Attesa infinita e commessa scortese, vergogna",2026-09-15 18:30:00,facebook,negative
"A che ora aprite domenica?",2026-09-16 08:00:00,chat,neutral
"=HYPERLINK(""http://evil"")",2026-09-16 09:00:00,email,neutral
"""


@pytest.fixture
def mentions_file(tmp_path: Path) -> Path:
    path = tmp_path / "menzioni.csv"
    path.write_text(MENTIONS_CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_analyze_writes_canonical_and_analysis_columns(
    mentions_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    embedded_engine: object,
    suffix: str,
) -> None:
    output = tmp_path / f"risultati{suffix}"
    assert main(["--lang", "en", "analyze", str(mentions_file), "-o", str(output), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Engine: embedded" in out
    assert "4 mentions analysed" in out
    if suffix == ".parquet":
        written = pl.read_parquet(output)
        # Parquet keeps the types: drivers stay lists, times stay UTC datetimes.
        assert written.select(*ANALYSIS_SCHEMA).schema == ANALYSIS_SCHEMA
        assert written.schema["created_at"] == MENTION_SCHEMA["created_at"]
    elif suffix == ".csv":
        written = pl.read_csv(io.BytesIO(output.read_bytes()), infer_schema=False)
        # Formula-looking cells are neutralised, as in the app's downloads.
        assert written["text"][3].startswith("'=")
    else:
        written = pl.read_excel(output)
    assert written.height == 4
    assert set(MENTION_SCHEMA) | set(ANALYSIS_SCHEMA) <= set(written.columns)
    assert written["sentiment"][1] == "negative"


def test_analyze_rejects_an_unknown_output_format(
    mentions_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "analyze", str(mentions_file), "-o", str(tmp_path / "out.docx")]) == 2
    assert 'Unsupported output format: ".docx"' in capsys.readouterr().err
    assert not (tmp_path / "out.docx").exists()


def test_analyze_missing_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "analyze", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_analyze_from_the_shell_with_progress_and_fallback(mentions_file: Path, tmp_path: Path) -> None:
    # The real command line: transformers requested, no model on this machine -> embedded, said clearly.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASCOLTO_ENGINE": "embedded"}
    output = tmp_path / "out.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ascolto_core",
            "--lang",
            "en",
            "analyze",
            str(mentions_file),
            "-o",
            str(output),
            "--engine",
            "transformers",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "is not on this computer" in done.stdout
    assert "Engine: embedded" in done.stdout
    assert pl.read_parquet(output).height == 4


def test_evaluate_prints_report_and_macro_f1_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], embedded_engine: object
) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(MENTIONS_CSV + '"Boh",2026-09-17 08:00:00,chat,sconosciuta\n', encoding="utf-8")
    assert main(["--lang", "en", "evaluate", str(path), "--no-progress"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert lines[0].split() == ["class", "precision", "recall", "f1", "support"]
    assert lines[-1].startswith("macro_f1=")
    assert 0.0 <= float(lines[-1].removeprefix("macro_f1=")) <= 1.0
    assert "confusion matrix (rows: reference, columns: predicted)" in lines
    # The row with an unknown label is counted, not silently dropped.
    assert "1 rows skipped: label missing or not recognised" in captured.err
    assert "macro_f1" not in captured.err  # the report itself goes to stdout only


def test_evaluate_without_labels_is_a_clear_error(
    mentions_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nolabels.csv"
    pl.read_csv(mentions_file).drop("label").write_csv(path)
    assert main(["--lang", "en", "evaluate", str(path)]) == 2
    assert 'no "label" column' in capsys.readouterr().err


@pytest.mark.skipif(
    not (EVAL_DIR / "semeval17_en_val.csv").exists(), reason="shared evaluation set not present"
)
def test_evaluate_runs_on_the_shared_english_set(
    capsys: pytest.CaptureFixture[str], embedded_engine: object
) -> None:
    # Measures only that the command works on real data; the quality target is the embedded engine's business.
    assert main(["evaluate", str(EVAL_DIR / "semeval17_en_val.csv"), "--no-progress"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("macro_f1=0.")


# ---------------------------------------------------------------- metrics, hand-computed


@pytest.mark.parametrize(
    ("gold", "predicted", "expected_f1", "macro"),
    [
        # perfect predictions
        (["negative", "neutral", "positive"], ["negative", "neutral", "positive"], (1.0, 1.0, 1.0), 1.0),
        # neg: P=1/2 R=1/2; neu: P=1/2 R=1 -> 2/3; pos: P=1 R=2/3 -> 0.8; macro = (0.5+0.6667+0.8)/3
        (
            ["negative", "negative", "neutral", "positive", "positive", "positive"],
            ["negative", "neutral", "neutral", "positive", "negative", "positive"],
            (0.5, 2 / 3, 0.8),
            (0.5 + 2 / 3 + 0.8) / 3,
        ),
        # everything predicted neutral: neutral P=1/3 R=1 -> 0.5, others never predicted -> 0
        (["negative", "neutral", "positive"], ["neutral"] * 3, (0.0, 0.5, 0.0), 0.5 / 3),
        # a class absent from the reference and never predicted scores 0 (scikit-learn's convention)
        (["positive", "positive"], ["positive", "positive"], (0.0, 0.0, 1.0), 1 / 3),
    ],
)
def test_metrics_match_hand_computation(
    gold: list[str], predicted: list[str], expected_f1: tuple[float, ...], macro: float
) -> None:
    evaluation = evaluate_labels(pl.Series(gold), pl.Series(predicted))
    assert [score.f1 for score in evaluation.classes] == pytest.approx(list(expected_f1))
    assert evaluation.macro_f1 == pytest.approx(macro)


def test_per_class_scores_and_confusion_matrix() -> None:
    evaluation = evaluate_labels(
        pl.Series(["negative", "negative", "neutral", "positive"]),
        pl.Series(["negative", "positive", "neutral", "positive"]),
    )
    assert evaluation.classes == (
        ClassScore("negative", 1.0, 0.5, pytest.approx(2 / 3), 2),  # type: ignore[arg-type]
        ClassScore("neutral", 1.0, 1.0, 1.0, 1),
        ClassScore("positive", 0.5, 1.0, pytest.approx(2 / 3), 1),  # type: ignore[arg-type]
    )
    assert evaluation.confusion_matrix().rows() == [
        ("negative", 1, 0, 1),
        ("neutral", 0, 1, 0),
        ("positive", 0, 0, 1),
    ]
    assert evaluation.accuracy == 0.75
    assert evaluation.lines()[-1] == "macro_f1=0.778"


@pytest.mark.parametrize(
    ("gold", "predicted", "message"),
    [
        ([], [], "no labelled rows"),  # nothing to evaluate
        (["positive"], ["positive", "negative"], "as many predictions"),  # misaligned
        (["happy"], ["positive"], "labels outside"),  # a label we do not know
    ],
)
def test_metrics_reject_bad_input(gold: list[str], predicted: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate_labels(pl.Series(gold, dtype=pl.String), pl.Series(predicted, dtype=pl.String))


def test_reference_labels_are_normalised() -> None:
    raw = pl.Series([" Positive", "NEG", "neutro", "-1", "1", "boh", None])
    assert normalise_labels(raw).to_list() == [
        "positive",
        "negative",
        "neutral",
        "negative",
        "positive",
        None,
        None,
    ]


def test_analyze_with_a_local_transformer_model(
    mentions_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tiny_models: TinyModels,
    analysis_config: Any,
    embedded_engine: object,
) -> None:
    # The user's way: point config/analysis.yaml to model folders, then ask for transformers.
    analysis_config(
        transformers={
            "sentiment_model": str(tiny_models.sentiment_positive),
            "emotion_model": str(tiny_models.emotion_anger),
        }
    )
    output = tmp_path / "out.parquet"
    assert (
        main(["--lang", "en", "analyze", str(mentions_file), "-o", str(output), "--engine", "transformers"])
        == 0
    )
    assert f"Engine: transformers · {tiny_models.sentiment_positive}" in capsys.readouterr().out
    written = pl.read_parquet(output)
    assert written["sentiment"].to_list() == ["positive"] * 4
    assert written["engine"].str.starts_with("transformers · ").all()
