"""Language identification (ascolto_core.analysis.language)."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.analysis.language import detect_languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il servizio è stato lento ma il personale era gentile", "it"),  # clear Italian: stopword vote
        ("The staff was friendly and the coffee was great", "en"),  # clear English: stopword vote
        ("pessimo", "it"),  # one word: decided by py3langid
        ("El servicio fue muy lento y la comida estaba fría", "other"),  # Spanish is not Italian
        ("Le service était lent mais le café était bon", "other"),  # French is not Italian
        ("😍😍😍", "other"),  # emoji only
        ("https://example.com/page", "other"),  # URL only
        ("", "other"),  # empty
        ("   \n\t ", "other"),  # blank
        ("#fornobrio @mario", "other"),  # only tags and handles
    ],
)
def test_detect_languages(text: str, expected: str) -> None:
    assert detect_languages(pl.Series([text])).to_list() == [expected]


def test_mixed_batch_keeps_order_and_length() -> None:
    texts = pl.Series(["ciao a tutti, che bella giornata", None, "I love this bakery so much", "🙂"])
    assert detect_languages(texts).to_list() == ["it", "other", "en", "other"]


def test_empty_series() -> None:
    out = detect_languages(pl.Series([], dtype=pl.String))
    assert out.len() == 0 and out.dtype == pl.String
