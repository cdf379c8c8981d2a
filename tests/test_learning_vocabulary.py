"""The person's vocabulary (names, polarity, emotion), brand names as names, and the portable teaching file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.learning.taught import Taught, load_taught, save_taught
from ascolto_core.analysis.learning.vocabulary import (
    VocabularyEngine,
    VocabularyEntry,
    vocabulary_frame,
    with_brand_names,
)
from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile


def read(engine: VocabularyEngine, text: str, lang: str = "it") -> dict[str, object]:
    out = engine.analyze(pl.Series([text]), pl.Series([lang]))
    return out.row(0, named=True)


@pytest.mark.parametrize(
    ("entries", "text", "sentiment", "emotion"),
    [
        # a reform's name with "buona" in it is a name, not praise
        ([VocabularyEntry("buona scuola")], "La Buona Scuola torna in aula oggi", "neutral", "none"),
        # a street name: "bella" is not a judgement there
        ([VocabularyEntry("via bella")], "Ci vediamo in Via Bella alle 10", "neutral", "none"),
        # a single word marked as a name, inflections included
        ([VocabularyEntry("sereno")], "Il Sereno ha aperto il nuovo punto vendita", "neutral", "none"),
        # sector jargon given a polarity and an emotion by the person
        ([VocabularyEntry("sgamato", "negative", "anger")], "il servizio è sgamato", "negative", "anger"),
        ([VocabularyEntry("fuoriclasse", "positive", "joy")], "il vostro barista è un fuoriclasse", "positive", "joy"),
        # the name stays neutral, the judgement around it still counts
        ([VocabularyEntry("buona scuola")], "La Buona Scuola è un disastro", "negative", None),
    ],
)
def test_vocabulary_changes_the_reading(
    entries: list[VocabularyEntry], text: str, sentiment: str, emotion: str | None
) -> None:
    row = read(VocabularyEngine(entries), text)
    assert row["sentiment"] == sentiment
    if emotion is not None:
        assert row["emotion"] == emotion


def test_without_the_vocabulary_the_name_reads_as_praise() -> None:
    # The defect the vocabulary fixes, pinned so the test above cannot pass vacuously.
    assert read(VocabularyEngine([]), "La Buona Scuola torna in aula oggi")["sentiment"] == "positive"


def test_brand_competitor_and_account_names_are_names_by_default() -> None:
    profile = BrandProfile.from_dict(
        {"brand": "Dolce Vita Caffè", "competitors": [{"name": "Bella Napoli"}], "own_accounts": ["@buonissimo_official"]}
    )
    engine = VocabularyEngine(with_brand_names([], profile.all_brand_names))
    for text in ("Siamo da Dolce Vita Caffè", "Ho provato Bella Napoli ieri"):
        assert read(engine, text)["sentiment"] == "neutral", text


def test_the_persons_entry_wins_over_the_brand_default() -> None:
    entries = with_brand_names([VocabularyEntry("top pizza", "positive")], ["Top Pizza"])
    assert [(e.term, e.polarity) for e in entries] == [("top pizza", "positive")]


def test_vocabulary_changes_the_cache_key() -> None:
    plain, taught = VocabularyEngine([]), VocabularyEngine([VocabularyEntry("via bella")])
    assert plain.info != taught.info
    assert VocabularyEngine([VocabularyEntry("via bella")]).info == taught.info


@pytest.mark.parametrize(
    ("term", "polarity", "emotion", "error"),
    [
        ("", "name", None, "empty vocabulary term"),  # empty term
        ("   ", "name", None, "empty vocabulary term"),  # blanks only
        ("ok", "great", None, "expected polarity"),  # unknown polarity
        ("ok", "positive", "surprise", "expected emotion"),  # emotion outside our five
    ],
)
def test_bad_entries_are_refused(term: str, polarity: str, emotion: str | None, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        VocabularyEntry(term, polarity, emotion)


def test_a_100k_character_term_does_not_break_the_engine() -> None:
    engine = VocabularyEngine([VocabularyEntry("x" * 100_000)])
    assert read(engine, "ottimo")["sentiment"] == "positive"


def test_teaching_file_round_trip(tmp_path: Path) -> None:
    taught = (
        Taught()
        .with_label("m1", "pane buonissimo", "it", "positive", "joy")
        .with_label("m2", "consegna in ritardo", "it", "negative", None)
        .with_label("m1", "pane buonissimo", "it", "neutral", None)  # a correction wins
        .with_term(VocabularyEntry("Buona Scuola"))
        .with_term(VocabularyEntry("fuoriclasse", "positive", "joy"))
    )
    path = tmp_path / "teaching.json"

    save_taught(taught, path)
    again = load_taught(path)

    assert again.labels.equals(taught.labels)
    assert again.vocabulary == taught.vocabulary
    assert again.labels.rows() == [
        ("m2", "consegna in ritardo", "it", "negative", None, False),
        ("m1", "pane buonissimo", "it", "neutral", None, False),
    ]
    assert vocabulary_frame(again.vocabulary).rows() == [("buona scuola", "name", None), ("fuoriclasse", "positive", "joy")]
    assert again.fingerprint() == taught.fingerprint()


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("not json at all", "learning.taught.read_failed"),  # not JSON
        (json.dumps({"labels": []}), "learning.taught.bad_file"),  # JSON, but not ours
        (json.dumps({"format": "ascolto-taught", "version": 99}), "learning.taught.bad_file"),  # future version
        (
            json.dumps({"format": "ascolto-taught", "version": 1, "labels": [{"text": "x", "sentiment": "great"}]}),
            "learning.taught.bad_file",
        ),  # a label outside our three
        (
            json.dumps({"format": "ascolto-taught", "version": 1, "vocabulary": [{"term": "x", "polarity": "?"}]}),
            "learning.taught.bad_file",
        ),  # a polarity outside ours
    ],
)
def test_bad_teaching_files_get_a_clear_error(tmp_path: Path, content: str, key: str) -> None:
    path = tmp_path / "teaching.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AscoltoError) as raised:
        load_taught(path)
    assert raised.value.key == key
    assert raised.value.message("en") != key


def test_missing_teaching_file(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as raised:
        load_taught(tmp_path / "absent.json")
    assert raised.value.key == "learning.taught.read_failed"
