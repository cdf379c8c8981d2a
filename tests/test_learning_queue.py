"""The labelling queue: uncertain, diverse, covering touchpoints/languages, near-duplicates once, seeded."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.analysis.learning.queue import QUEUE_SCHEMA, QueueSettings, duplicate_key, labelling_queue

# The chosen half alone (its properties are tested without the random half).
CHOSEN_ONLY = QueueSettings(random_share=0.0)


def queue(
    candidates: pl.DataFrame,
    uncertainty: list[float],
    labelled: list[bool],
    size: int,
    seed: int = 0,
    settings: QueueSettings = CHOSEN_ONLY,
) -> pl.DataFrame:
    return labelling_queue(candidates, pl.Series(uncertainty, dtype=pl.Float64), pl.Series(labelled), size, seed, settings)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a retweet of the same complaint
        ("Pacco arrivato rotto!", "RT @mario: pacco arrivato rotto"),
        # the same text with another link and user
        ("ordine 123 mai arrivato http://x.it/a @negozio", "ordine 456 mai arrivato https://y.com/b @shop"),
        # case and punctuation only
        ("Grazie mille!!!", "grazie mille"),
    ],
)
def test_near_duplicates_share_a_key(a: str, b: str) -> None:
    keys = duplicate_key(pl.Series([a, b]))
    assert keys[0] == keys[1]


def test_near_duplicates_are_asked_once_and_never_after_a_label() -> None:
    candidates = pl.DataFrame(
        {
            "text": [
                "pacco arrivato rotto",
                "RT @a: Pacco arrivato rotto!",
                "pacco arrivato rotto http://x.it",
                "orari di apertura domenica?",
                "Orari di apertura domenica",
                "il gelato al pistacchio",
            ]
        }
    )
    picked = queue(candidates, [0.9, 0.9, 0.9, 0.8, 0.8, 0.1], [False, False, False, True, False, False], 10)

    keys = duplicate_key(candidates["text"]).gather(picked["index"]).to_list()
    assert len(keys) == len(set(keys)) == 2  # "pacco..." once; "orari..." already labelled
    assert set(picked["index"].to_list()) <= {0, 1, 2, 5}
    assert picked.schema == pl.Schema(QUEUE_SCHEMA)


def test_most_uncertain_first_among_unlike_posts() -> None:
    candidates = pl.DataFrame({"text": ["consegna puntuale", "bolletta sbagliata", "che tempo fa a Roma"]})
    picked = queue(candidates, [0.1, 0.95, 0.5], [False] * 3, 3)
    assert picked["index"].to_list()[0] == 1


def test_diversity_beats_asking_the_same_thing_twice() -> None:
    # Two near-identical uncertain posts and a different, slightly less uncertain one:
    # the second pick is the different one.
    candidates = pl.DataFrame(
        {"text": ["la app si blocca al login", "la app si blocca al login ieri", "il corriere ha lasciato il pacco fuori"]}
    )
    picked = queue(candidates, [0.9, 0.9, 0.8], [False] * 3, 2)
    assert 2 in picked["index"].to_list()


def test_every_touchpoint_and_language_is_covered() -> None:
    rows = [(f"recensione numero {i} sul servizio", "google_reviews", "it", 0.9) for i in range(30)]
    rows += [("email about my invoice", "email", "en", 0.2), ("messaggio in chat sul rimborso", "chat", "it", 0.2)]
    candidates = pl.DataFrame(rows, schema=["text", "touchpoint", "lang", "u"], orient="row")

    picked = queue(candidates, candidates["u"].to_list(), [False] * len(rows), 8)

    assert {"google_reviews|it", "email|en", "chat|it"} <= set(picked["stratum"].to_list())


def test_half_the_queue_is_drawn_at_random_and_the_draw_ignores_uncertainty() -> None:
    # 40 sure posts and 40 unsure ones: the chosen half takes unsure ones only, the random
    # half is a sample of everything (a representative set to estimate quality on).
    texts = [f"post {a}{b} numero" for a in "abcdefgh" for b in "abcdefghij"]
    uncertainty = [0.0 if i % 2 else 1.0 for i in range(80)]
    picked = labelling_queue(pl.DataFrame({"text": texts}), pl.Series(uncertainty), pl.Series([False] * 80), 20, seed=1)

    chosen = picked.filter(~pl.col("at_random"))
    drawn = picked.filter(pl.col("at_random"))
    assert (chosen.height, drawn.height) == (10, 10)
    assert chosen["uncertainty"].min() == 1.0
    assert 0.0 in drawn["uncertainty"].to_list()
    assert picked["index"].n_unique() == 20


def test_same_seed_same_queue() -> None:
    candidates = pl.DataFrame({"text": [f"post {word} numero" for word in "abcdefghijklmnopqrstuvwxyz"]})
    first = queue(candidates, [0.5] * 26, [False] * 26, 10, seed=7, settings=QueueSettings())
    again = queue(candidates, [0.5] * 26, [False] * 26, 10, seed=7, settings=QueueSettings())
    other = queue(candidates, [0.5] * 26, [False] * 26, 10, seed=8, settings=QueueSettings())
    assert first.equals(again)
    assert not first.equals(other)


@pytest.mark.parametrize(
    ("texts", "size", "expected"),
    [
        ([], 5, 0),  # no candidates: empty queue, not an error
        (["uno", "due"], 0, 0),  # nothing asked
        (["uno", "due"], 10, 2),  # more asked than there are: all of them
        (["", "   ", "😀"], 3, 1),  # empty texts are never asked (nothing to judge); an emoji is
    ],
)
def test_guards(texts: list[str], size: int, expected: int) -> None:
    candidates = pl.DataFrame({"text": pl.Series(texts, dtype=pl.String)})
    picked = queue(candidates, [0.5] * len(texts), [False] * len(texts), size)
    assert picked.height == expected


def test_a_huge_pool_is_handled() -> None:
    words = ["pane", "torta", "caffè", "servizio", "cassa", "attesa", "prezzo", "consegna", "app", "sito"]
    texts = [f"{words[i % 10]} {words[i // 10 % 10]} {words[i // 100 % 10]} {words[i // 1000 % 10]} x{i}y" for i in range(20_000)]
    candidates = pl.DataFrame({"text": texts})
    picked = queue(candidates, [0.5] * 20_000, [False] * 20_000, 25)
    assert picked.height == 25


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="expected 2 uncertainties"):
        queue(pl.DataFrame({"text": ["a", "b"]}), [0.5], [False, False], 1)


def test_duplicates_are_offered_only_when_nothing_else_is_left() -> None:
    candidates = pl.DataFrame({"text": ["pacco rotto", "RT: pacco rotto!", "pacco rotto http://x"]})
    labelled = [True, False, False]
    assert queue(candidates, [0.5] * 3, labelled, 2).height == 0
    fallback = labelling_queue(
        candidates, pl.Series([0.5] * 3), pl.Series(labelled), 2, settings=CHOSEN_ONLY, allow_duplicates=True
    )
    assert sorted(fallback["index"].to_list()) == [1, 2]
