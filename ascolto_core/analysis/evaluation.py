"""Sentiment quality against reference labels: per-class precision/recall/F1, confusion, macro-F1.

Pure and vectorised (Polars); no engine is run here. Conventions follow
scikit-learn: a class never predicted has precision 0, a class absent from
the reference has recall 0, and F1 is 0 when precision + recall is 0.
Macro-F1 averages F1 over the classes of ``labels`` (all three sentiments by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ascolto_core.schema import SENTIMENTS

# Reference spellings accepted for our labels (case-insensitive, trimmed).
LABEL_ALIASES: dict[str, str] = {
    "negative": "negative",
    "neg": "negative",
    "negativo": "negative",
    "negativa": "negative",
    "-1": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "neutro": "neutral",
    "neutrale": "neutral",
    "0": "neutral",
    "positive": "positive",
    "pos": "positive",
    "positivo": "positive",
    "positiva": "positive",
    "1": "positive",
}


@dataclass(frozen=True)
class ClassScore:
    """Precision, recall and F1 of one class; ``support`` = reference rows of that class."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """The outcome of :func:`evaluate_labels`.

    Attributes:
        classes: one score per label, in ``labels`` order.
        confusion: tidy counts ``(gold, predicted, count)`` for every label pair.
        macro_f1: mean F1 over the labels.
        accuracy: share of rows predicted exactly.
        n: rows compared.
    """

    classes: tuple[ClassScore, ...]
    confusion: pl.DataFrame
    macro_f1: float
    accuracy: float
    n: int

    def confusion_matrix(self) -> pl.DataFrame:
        """The confusion as a wide table: one row per reference label, one column per prediction."""
        labels = [score.label for score in self.classes]
        wide = self.confusion.pivot(on="predicted", index="gold", values="count", sort_columns=False)
        return wide.select(pl.col("gold"), *(pl.col(label) for label in labels))

    def lines(self) -> list[str]:
        """A plain-text report; the last line is ``macro_f1=0.xxx``."""
        labels = [score.label for score in self.classes]
        corner = "gold \\ pred"
        width = max(len(label) for label in [*labels, corner]) + 2
        out = [f"{'class':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
        for score in self.classes:
            out.append(
                f"{score.label:<{width}}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>10.3f}{score.support:>10d}"
            )
        out.append(f"{'accuracy':<{width}}{'':>20}{self.accuracy:>10.3f}{self.n:>10d}")
        out.append("")
        out.append("confusion matrix (rows: reference, columns: predicted)")
        out.append(f"{corner:<{width}}" + "".join(f"{label:>10}" for label in labels))
        for row in self.confusion_matrix().iter_rows():
            out.append(f"{row[0]:<{width}}" + "".join(f"{count:>10d}" for count in row[1:]))
        out.append("")
        out.append(f"macro_f1={self.macro_f1:.3f}")
        return out


def normalise_labels(labels: pl.Series) -> pl.Series:
    """Reference labels mapped to ours (``LABEL_ALIASES``); unknown or missing -> null."""
    cleaned = labels.cast(pl.String).str.strip_chars().str.to_lowercase()
    return cleaned.replace_strict(LABEL_ALIASES, default=None, return_dtype=pl.String).alias("label")


def evaluate_labels(gold: pl.Series, predicted: pl.Series, labels: Sequence[str] = SENTIMENTS) -> Evaluation:
    """Compare predictions with reference labels.

    Args:
        gold: reference labels (already normalised to ``labels``).
        predicted: predicted labels, same length.
        labels: the classes to score, in report order.

    Raises:
        ValueError: if the series differ in length, are empty, or hold values outside ``labels``.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"expected as many predictions as labels, got {len(predicted)} for {len(gold)}")
    if len(gold) == 0:
        raise ValueError("nothing to evaluate: no labelled rows")
    pairs = pl.DataFrame({"gold": gold.cast(pl.String), "predicted": predicted.cast(pl.String)})
    unknown = pl.concat([pairs["gold"], pairs["predicted"]]).filter(
        ~pl.concat([pairs["gold"], pairs["predicted"]]).is_in(list(labels))
    )
    if len(unknown):
        raise ValueError(
            f"labels outside {list(labels)}: {sorted(set(unknown.fill_null('null').to_list()))[:5]}"
        )

    grid = pl.DataFrame({"gold": list(labels)}).join(pl.DataFrame({"predicted": list(labels)}), how="cross")
    counts = pairs.group_by("gold", "predicted").agg(pl.len().cast(pl.Int64).alias("count"))
    confusion = grid.join(counts, on=["gold", "predicted"], how="left", maintain_order="left").with_columns(
        pl.col("count").fill_null(0)
    )

    true_positive = confusion.filter(pl.col("gold") == pl.col("predicted")).select(
        pl.col("gold").alias("label"), pl.col("count").alias("tp")
    )
    support = confusion.group_by("gold").agg(pl.col("count").sum().alias("support")).rename({"gold": "label"})
    predicted_total = confusion.group_by(pl.col("predicted").alias("label")).agg(
        pl.col("count").sum().alias("predicted")
    )
    scores = (
        pl.DataFrame({"label": list(labels)})
        .join(true_positive, on="label", how="left", maintain_order="left")
        .join(support, on="label", how="left", maintain_order="left")
        .join(predicted_total, on="label", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("predicted") > 0)
            .then(pl.col("tp") / pl.col("predicted"))
            .otherwise(0.0)
            .alias("precision"),
            pl.when(pl.col("support") > 0)
            .then(pl.col("tp") / pl.col("support"))
            .otherwise(0.0)
            .alias("recall"),
        )
        .with_columns(
            pl.when(pl.col("precision") + pl.col("recall") > 0)
            .then(2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall")))
            .otherwise(0.0)
            .alias("f1")
        )
    )
    classes = tuple(
        ClassScore(
            row["label"], float(row["precision"]), float(row["recall"]), float(row["f1"]), int(row["support"])
        )
        for row in scores.iter_rows(named=True)
    )
    n = pairs.height
    return Evaluation(
        classes=classes,
        confusion=confusion,
        macro_f1=float(scores["f1"].mean()),
        accuracy=float(true_positive["tp"].sum() / n),
        n=n,
    )
