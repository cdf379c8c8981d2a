"""Quality guard: macro-F1 of the embedded engine on labelled tweets (skipped without ../shared/eval).

The evaluation files are research data used ONLY to measure; nothing in the
lexicon or rules is derived from them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.embedded import EmbeddedEngine

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
TARGET_MACRO_F1 = 0.55


def _macro_f1(gold: pl.Series, pred: pl.Series) -> float:
    scores = []
    for label in ("negative", "neutral", "positive"):
        tp = ((pred == label) & (gold == label)).sum()
        fp = ((pred == label) & (gold != label)).sum()
        fn = ((pred != label) & (gold == label)).sum()
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


@pytest.mark.parametrize(
    ("filename", "lang", "floor"),
    [
        # Italian tweets (SENTIPOLC 2016): floor = the score before the sarcasm/complaint revision.
        ("sentipolc16_it_val.csv", "it", 0.564),
        # English tweets (SemEval-2017 task 4): same, no regression below the earlier level.
        ("semeval17_en_val.csv", "en", 0.622),
    ],
)
def test_macro_f1_at_least_target(filename: str, lang: str, floor: float) -> None:
    path = EVAL_DIR / filename
    if not path.exists():
        pytest.skip(f"{path} not present (evaluation data is not part of the project)")
    data = pl.read_csv(path)
    out = EmbeddedEngine().analyze(data["text"], pl.Series([lang] * data.height))
    assert _macro_f1(data["label"], out["sentiment"]) >= max(TARGET_MACRO_F1, floor)
