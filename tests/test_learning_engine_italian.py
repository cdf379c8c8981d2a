"""Engine improvements of issue 10, from general Italian: tears of joy, "cari clienti", fear and sadness."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.analysis.embedded.engine import EmbeddedEngine


def read(text: str) -> dict[str, object]:
    return EmbeddedEngine().analyze(pl.Series([text]), pl.Series(["it"])).row(0, named=True)


@pytest.mark.parametrize(
    ("text", "sentiment", "emotion"),
    [
        # tears of joy are joy, not sorrow
        ("Mi avete fatto piangere di gioia, grazie di cuore", "positive", "joy"),
        ("Ho pianto di gioia quando è arrivato il regalo", "positive", "joy"),
        # "cari clienti" addresses people, it is not a price
        ("Cari clienti, da lunedì siamo aperti anche la domenica!", "neutral", "none"),
        # ...while a price that is "troppo cari" still is one
        ("Prezzi troppo cari per quello che offrono", "negative", "anger"),
        # grief said with praise is sadness, not joy
        ("Ci mancherai tanto, eri una persona meravigliosa. Riposa in pace", None, "sadness"),
        ("Sentite condoglianze alla famiglia", "negative", "sadness"),
        # fear in its everyday forms
        ("Ho paura che il volo venga cancellato, sono in ansia", "negative", "fear"),
        ("Temo che non arriverà mai in tempo", "negative", "fear"),
        # "never a day without a smile" is always a smile, and the thanks are not irony
        ("Complimenti alla sede. Mai un giorno senza un sorriso o una parola gentile. Grazie", "positive", None),
        # a thank-you mentioning the heat is not sarcasm ("brave davvero" stays praise)
        ("Grazie alle ragazze che con un caldo assurdo sono state gentilissime. Brave davvero.", "positive", None),
        # ...while "bravi davvero" after a real complaint is still sarcasm
        ("Servizio assurdo, un'ora di attesa. Bravi davvero.", "negative", None),
        # nostalgia for a place that closed
        ("Che tristezza vedere il negozio chiuso, mi mancheranno quei pomeriggi", "negative", "sadness"),
    ],
)
def test_general_italian(text: str, sentiment: str | None, emotion: str | None) -> None:
    row = read(text)
    if sentiment is not None:
        assert row["sentiment"] == sentiment
    if emotion is not None:
        assert row["emotion"] == emotion


def test_cari_clienti_is_never_a_negative_driver() -> None:
    row = read("Cari clienti, grazie per essere stati con noi quest'anno")
    assert not any("car" in term for term in row["drivers_neg"])  # type: ignore[union-attr]
    assert row["sentiment"] != "negative"
