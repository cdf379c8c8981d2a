"""Tampered or damaged cache rows are never trusted: left out, recomputed, and the cache repaired (issue 8 item 11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis import analyze_mentions
from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, EngineInfo
from ascolto_core.analysis.cache import CACHE_FILE, ResultCache, text_keys
from ascolto_core.i18n import t
from ascolto_core.schema import conform

EMBEDDED = EngineInfo("embedded", "embedded", "1")


def _one_result() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sentiment": ["positive", "negative"],
            "sentiment_score": [0.5, -0.5],
            "sentiment_confidence": [0.9, 0.8],
            "emotion": ["joy", "anger"],
            "emotion_confidence": [0.4, 0.3],
            "drivers_pos": [["buono"], []],
            "drivers_neg": [[], ["lento"]],
        },
        schema=ENGINE_OUTPUT_SCHEMA,
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("sentiment_score", "abc"),  # wrong type: a text where a number goes (made every analyze fail)
        ("sentiment_score", 7.5),  # nonsense value: outside [-1, 1]
        ("sentiment", "furioso"),  # a label no engine gives
        ("sentiment_confidence", -3),  # confidence below 0
        ("emotion", 42),  # a number where a label goes
        ("drivers_pos", b"\x00\x01"),  # a blob where a text list goes
    ],
)
def test_cache_poisoning_rows_are_recomputed_and_repaired(tmp_path: Path, column: str, value: object) -> None:
    cache = ResultCache(tmp_path)
    keys = text_keys(pl.Series(["pane buono", "servizio lento"]), pl.Series(["it", "it"]))
    cache.store(EMBEDDED, keys, _one_result())
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:
        connection.execute(f"UPDATE results SET {column} = ? WHERE key = ?", (value, keys[0]))
    found = ResultCache(tmp_path)
    rows = found.lookup(EMBEDDED, keys)
    assert rows["key"].to_list() == [keys[1]]  # only the sound row is trusted
    assert found.repaired == 1
    # The damaged row is gone from the file: the next lookup finds one sound row and nothing to repair.
    again = ResultCache(tmp_path)
    assert again.lookup(EMBEDDED, keys).height == 1 and again.repaired == 0


def test_cache_poisoned_language_is_detected_again(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    keys = pl.Series(["k1", "k2"])
    cache.store_languages(keys, pl.Series(["it", "en"]))
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:
        connection.execute("UPDATE languages SET lang = ? WHERE key = 'k1'", ("<script>",))
    found = ResultCache(tmp_path)
    assert found.lookup_languages(keys).to_dicts() == [{"key": "k2", "lang": "en"}]
    assert found.repaired == 1


def test_analyze_survives_a_damaged_cache_and_says_so(tmp_path: Path) -> None:
    frame = conform(pl.DataFrame({"id": ["1", "2"], "text": ["Il pane era buono", "Servizio lento e caro"], "lang": ["it", "it"]}))
    first = analyze_mentions(frame, engine="embedded", cache_dir=tmp_path)
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:
        connection.execute("UPDATE results SET sentiment_score = 'abc'")
    second = analyze_mentions(frame, engine="embedded", cache_dir=tmp_path)
    assert second.mentions["sentiment_score"].to_list() == first.mentions["sentiment_score"].to_list()
    assert second.from_cache == 0 and "cache.repaired" in second.notes
    assert "danneggiati" in t("cache.repaired", "it")
    third = analyze_mentions(frame, engine="embedded", cache_dir=tmp_path)
    assert third.from_cache == 2 and "cache.repaired" not in third.notes  # repaired for good


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("aspects", "servizio\x1fprezzo"),  # names outside the taxonomy
        ("sentiments", "negative\x1ffurious"),  # a sentiment no engine gives
        ("sentiments", "negative"),  # lists of different lengths
        ("aspects", 42),  # a number where a list goes
    ],
)
def test_tampered_aspects_are_read_again_and_repaired(tmp_path: Path, column: str, value: object) -> None:
    texts = ["Il caffè ottimo ma il personale scortese e i prezzi alti", "Servizio lentissimo, ho aspettato 40 minuti"]
    mentions = conform(pl.DataFrame({"text": texts, "lang": ["it", "it"]}))
    clean = analyze_mentions(mentions, engine="embedded", cache_dir=tmp_path).mentions
    assert clean["aspects"][0].len() >= 2
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:
        assert connection.execute("SELECT COUNT(*) FROM aspects").fetchone()[0] == 2
        connection.execute(f"UPDATE aspects SET {column} = ?", (value,))
    again = analyze_mentions(mentions, engine="embedded", cache_dir=tmp_path)
    assert again.mentions["aspects"].to_list() == clean["aspects"].to_list()
    assert again.mentions["aspect_sentiments"].to_list() == clean["aspect_sentiments"].to_list()
    assert "cache.repaired" in again.notes
