"""Tokens, lemmas, stopwords and questions (ascolto_core.analysis.text)."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.analysis.text import is_question, normalise_lang, token_frame, tokens


def _tokens_of(text: str, lang: str = "it") -> list[str]:
    return tokens(pl.Series([text]), pl.Series([lang]))["token"].to_list()


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # URLs are removed, hashtags and @mentions are kept whole.
        (
            "Colazione top #fornobrio @mario https://t.co/xyz",
            "it",
            ["colazione", "top", "#fornobrio", "@mario"],
        ),
        # Elongation is normalised: "bellissimooo" reads as "bellissimo".
        ("bellissimooo", "it", ["bellissimo"]),
        # A doubled letter that makes a known word is kept ("coool" -> "cool", not "col").
        ("coool", "en", ["cool"]),
        # English contractions stay one token so negation sees them.
        ("I don't like it", "en", ["i", "don't", "like", "it"]),
        # Italian elision splits the article from the noun.
        ("l'attesa", "it", ["l", "attesa"]),
        # Emoji and emoticons are tokens (they carry sentiment).
        ("ok 😡 :-(", "it", ["ok", "😡", ":-("]),
        # Only a URL: nothing.
        ("https://example.com/a?b=c", "it", []),
        # Empty text: nothing.
        ("", "it", []),
    ],
)
def test_tokens(text: str, lang: str, expected: list[str]) -> None:
    assert _tokens_of(text, lang) == expected


def test_token_frame_flags_caps_and_elongation_and_lemmas() -> None:
    frame = token_frame(pl.Series(["PESSIMO servizio, tempi lunghiiissimi"]), pl.Series(["it"]))
    rows = {r["surface"]: r for r in frame.to_dicts()}
    # ALL-CAPS is flagged (an intensity cue), lower-case is not.
    assert rows["pessimo"]["is_caps"] is True
    assert rows["servizio"]["is_caps"] is False
    # Elongation flagged and normalised.
    assert rows["lunghiiissimi"]["is_elongated"] is True
    assert rows["lunghiiissimi"]["token"] == "lunghissimi"
    # Lemmas come from simplemma: "tempi" -> "tempo".
    assert rows["tempi"]["lemma"] == "tempo"
    # Punctuation is a token of its own in the engine's view (clause breaks).
    assert rows[","]["kind"] == "punct"


def test_tokens_row_and_order_index_the_input() -> None:
    frame = tokens(pl.Series(["uno due", "", None, "tre"]), pl.Series(["it", "it", "it", "it"]))
    assert frame.select("row", "pos", "token").rows() == [(0, 0, "uno"), (0, 1, "due"), (3, 0, "tre")]
    assert frame.schema["row"] == pl.UInt32


def test_stopwords_come_from_stopwordsiso_plus_social_words() -> None:
    frame = tokens(pl.Series(["il cornetto rt"]), pl.Series(["it"]))
    assert dict(zip(frame["token"], frame["is_stopword"], strict=True)) == {
        "il": True,  # stopwordsiso
        "cornetto": False,
        "rt": True,  # social-media addition
    }


def test_langs_must_match_texts() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        tokens(pl.Series(["a", "b"]), pl.Series(["it"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Siete aperti domenica?", True),  # question mark
        ("come si prenota un tavolo", True),  # Italian interrogative opening without "?"
        ("@fornobrio quando riaprite", True),  # interrogative after a handle
        ("Does anyone know the opening hours", True),  # English opening
        ("Ottimo cornetto", False),  # statement
        ("vedi https://example.com/?q=1", False),  # "?" inside a URL is not a question
        ("", False),  # empty
        (None, False),  # null
    ],
)
def test_is_question(text: str | None, expected: bool) -> None:
    assert is_question(pl.Series([text], dtype=pl.String)).to_list() == [expected]


def test_normalise_lang() -> None:
    assert normalise_lang(pl.Series(["it", "EN", "it-IT", "fr", None])).to_list() == [
        "it",
        "en",
        "it",
        "other",
        "other",
    ]


def test_huge_and_control_characters() -> None:
    huge = "ottimo " * 15_000  # ~105,000 characters
    odd = "buono\x00\x07\u200b\ufeff\ufffd pane"
    frame = tokens(pl.Series([huge, odd]), pl.Series(["it", "it"]))
    assert frame.filter(pl.col("row") == 0).height == 15_000
    assert "pane" in frame.filter(pl.col("row") == 1)["token"].to_list()
