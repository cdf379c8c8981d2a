"""The on-disk result cache: round trip, isolation between engines, concurrency, privacy."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, EngineInfo
from ascolto_core.analysis.cache import (
    CACHE_FILE,
    CacheUnavailable,
    ResultCache,
    default_cache_dir,
    text_keys,
)

EMBEDDED = EngineInfo("embedded", "embedded", "1")


def results(n: int, offset: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sentiment": ["negative", "neutral", "positive"] * (n // 3) + ["neutral"] * (n % 3),
            "sentiment_score": [round((i + offset) % 7 / 7 - 0.5, 3) for i in range(n)],
            "sentiment_confidence": [0.5] * n,
            "emotion": ["anger"] * n,
            "emotion_confidence": [0.25] * n,
            "drivers_pos": [["gentile", "pane buono"] if i % 2 else [] for i in range(n)],
            "drivers_neg": [["attesa"] if i % 3 else [] for i in range(n)],
        },
        schema=ENGINE_OUTPUT_SCHEMA,
    )


def keys_for(texts: list[str], lang: str = "it") -> pl.Series:
    return text_keys(pl.Series(texts, dtype=pl.String), pl.Series([lang] * len(texts), dtype=pl.String))


def test_stored_results_come_back_identical(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    keys = keys_for([f"testo {i}" for i in range(10)])
    stored = results(10)
    assert cache.store(EMBEDDED, keys, stored) == 10
    found = cache.lookup(EMBEDDED, keys)
    expected = stored.with_columns(keys.alias("key")).select("key", *ENGINE_OUTPUT_SCHEMA)
    assert found.sort("key").equals(expected.sort("key"))


@pytest.mark.parametrize(
    "other",
    [
        EngineInfo("embedded", "embedded", "2"),  # a new engine version must not reuse old results
        EngineInfo("transformers", "some/model", "1"),  # another engine
        EngineInfo("transformers", "other/model", "1"),  # the same engine with another model
    ],
)
def test_results_are_kept_per_engine_model_and_version(tmp_path: Path, other: EngineInfo) -> None:
    cache = ResultCache(tmp_path)
    keys = keys_for(["ciao"])
    cache.store(EMBEDDED, keys, results(1))
    assert cache.lookup(other, keys).is_empty()
    assert cache.lookup(EMBEDDED, keys).height == 1


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("ciao", "it"), ("ciao", "it"), True),  # same text and language: same key
        (("ciao", "it"), ("ciao", "en"), False),  # the language is part of the key (lexicon per language)
        (("ciao", "it"), ("Ciao", "it"), False),  # case matters (caps carry emphasis)
        (("", "it"), ("", "other"), False),  # even empty texts are told apart by language
    ],
)
def test_text_keys(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    key_a = text_keys(pl.Series([a[0]]), pl.Series([a[1]]))[0]
    key_b = text_keys(pl.Series([b[0]]), pl.Series([b[1]]))[0]
    assert (key_a == key_b) is same
    assert len(key_a) == 32


def test_null_text_and_language_have_keys() -> None:
    keys = text_keys(pl.Series([None, ""], dtype=pl.String), pl.Series([None, "other"], dtype=pl.String))
    assert keys.null_count() == 0
    assert keys[0] == keys[1]  # null text = empty text, null lang = "other"


def test_texts_are_not_stored(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    secret = "la mia password è segretissima123"
    cache.store(EMBEDDED, keys_for([secret]), results(1))
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"segretissima123" not in raw


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        (30, 10),  # few stored rows per key asked: the whole table is read, then filtered
        (300, 5),  # many stored rows per key asked: only the asked keys are read
        (5, 12),  # some keys asked were never stored
    ],
)
def test_lookup_returns_exactly_the_asked_keys_found(tmp_path: Path, stored: int, asked: int) -> None:
    cache = ResultCache(tmp_path)
    texts = [f"testo {i}" for i in range(max(stored, asked))]
    keys = keys_for(texts[:stored])
    cache.store(EMBEDDED, keys, results(stored))
    cache.store(EngineInfo("embedded", "embedded", "2"), keys, results(stored, offset=1))
    cache.store_languages(keys, pl.Series(["it"] * stored))
    wanted = keys_for(texts[:asked])
    expected = (
        results(stored)
        .with_columns(keys.alias("key"))
        .select("key", *ENGINE_OUTPUT_SCHEMA)
        .head(min(stored, asked))
        .sort("key")
    )
    assert cache.lookup(EMBEDDED, wanted).sort("key").equals(expected)
    found_langs = cache.lookup_languages(wanted).sort("key")
    assert found_langs.equals(pl.DataFrame({"key": expected["key"], "lang": ["it"] * expected.height}))


def test_lookup_with_no_keys_and_empty_store(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    assert cache.lookup(EMBEDDED, pl.Series([], dtype=pl.String)).is_empty()
    assert cache.store(EMBEDDED, pl.Series([], dtype=pl.String), results(0)) == 0
    assert cache.count() == 0


def test_store_rejects_misaligned_results(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one result per key"):
        ResultCache(tmp_path).store(EMBEDDED, keys_for(["a", "b"]), results(1))


def test_concurrent_writers_and_readers_lose_nothing(tmp_path: Path) -> None:
    # Eight workshop users analysing different files at once on one server.
    errors: list[BaseException] = []

    def user(n: int) -> None:
        try:
            cache = ResultCache(tmp_path)
            keys = keys_for([f"utente {n} testo {i}" for i in range(2_000)])
            cache.store(EMBEDDED, keys, results(2_000, offset=n))
            assert cache.lookup(EMBEDDED, keys).height == 2_000
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ResultCache(tmp_path).count(EMBEDDED) == 16_000


def test_unusable_location_raises_cache_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CacheUnavailable):
        ResultCache(blocker / "cache").lookup(EMBEDDED, keys_for(["ciao"]))


def test_corrupt_cache_file_raises_cache_unavailable(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheUnavailable):
        ResultCache(tmp_path).store(EMBEDDED, keys_for(["ciao"]), results(1))


def test_location_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    assert ResultCache().path == tmp_path / "mine" / CACHE_FILE
    monkeypatch.delenv("ASCOLTO_CACHE_DIR")
    assert "ascolto" in str(default_cache_dir()).lower()
