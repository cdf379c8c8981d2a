"""Keywords: term table, top terms, distinctive terms, mentions with a term."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ascolto_core.analysis.keywords import (
    TermIndex,
    brand_terms,
    distinctive_terms,
    mentions_with_term,
    term_index,
    term_table,
    top_terms,
)
from ascolto_core.datasets import load_demo


def _frame(texts: list[str | None], lang: str = "it", **extra: list) -> pl.DataFrame:
    return pl.DataFrame(
        {"text": texts, "lang": [lang] * len(texts), **extra}, schema_overrides={"text": pl.String}
    )


def _terms(text: str, lang: str = "it", **kwargs) -> list[str]:
    return term_table(_frame([text], lang), **kwargs)["term"].to_list()


@pytest.mark.parametrize(
    ("text", "lang", "present", "absent"),
    [
        # Bigram spanning one stopword, kept in the term.
        ("Tempi di attesa infiniti", "it", ["tempi di attesa"], ["di"]),
        # Adjacent bigram.
        ("Il servizio clienti non risponde", "it", ["servizio clienti"], []),
        # Hashtags are kept as #tag, @mentions and URLs dropped.
        (
            "Colazione #bologna @mario https://t.co/x",
            "it",
            ["colazione", "#bologna"],
            ["@mario", "mario", "https"],
        ),
        # Brand names from the config are dropped, also joined and as hashtag...
        (
            "Forno Brio sempre buono #fornobrio fornobrio",
            "it",
            ["buono"],
            ["forno brio", "brio", "#fornobrio", "fornobrio"],
        ),
        # ...but a multi-word brand only where its words are together: "dolce" alone stays.
        ("Dolce Sosta, un dolce perfetto", "it", ["dolce", "perfetto"], ["sosta", "dolce sosta"]),
        # Stopwords, numbers and emoji are not keywords.
        ("Il 3 ottobre 😍 e poi", "it", ["ottobre"], ["il", "3", "😍", "poi"]),
        # Punctuation breaks a bigram.
        ("Cornetto freddo. Caffè ottimo", "it", ["cornetto freddo", "caffè ottimo"], ["freddo caffè"]),
        # English works the same way.
        ("The customer service was slow", "en", ["customer service"], ["the", "was"]),
    ],
)
def test_term_table(text: str, lang: str, present: list[str], absent: list[str]) -> None:
    terms = _terms(text, lang)
    assert all(t in terms for t in present), terms
    assert not any(t in terms for t in absent), terms


def test_words_are_grouped_by_lemma_and_shown_as_written() -> None:
    # "tempi" and "tempo" are one term; it is shown in its most frequent written form.
    frame = _frame(["tempi lunghi", "tempi morti", "tempo perso"])
    table = term_table(frame, bigrams=False)
    assert table.filter(pl.col("term") == "tempi")["row"].to_list() == [0, 1, 2]
    # simplemma maps "torta" to "torto"; the term still reads "torta".
    assert "torta" in _terms("una torta buona")


def test_exclude_argument_is_merged_with_config() -> None:
    assert "brio" in brand_terms()
    assert "cornetto" not in _terms("cornetto e cappuccino", exclude=["Cornetto"])


def test_term_table_row_indexes_the_input_and_guards() -> None:
    table = term_table(_frame(["", None, "pane buono", "😍", "https://x.it"]))
    assert set(table["row"].to_list()) == {2}
    assert table.schema == pl.Schema({"row": pl.UInt32, "term": pl.String})
    assert term_table(_frame([])).height == 0
    with pytest.raises(ValueError, match="text"):
        term_table(pl.DataFrame({"body": ["x"]}))


def test_term_table_detects_language_when_missing() -> None:
    frame = pl.DataFrame({"text": ["the staff was friendly and the coffee hot"]})
    assert "staff" in term_table(frame)["term"].to_list()


def test_top_terms_counts_mentions_and_mood() -> None:
    frame = _frame(
        ["attesa attesa attesa lunga", "attesa breve", "cornetto buono", "cornetto caldo"],
        sentiment=["negative", "positive", "positive", "positive"],
    )
    top = top_terms(frame, n=3).filter(pl.col("term").is_in(["attesa", "cornetto"]))
    # Repetition inside one mention counts once: "attesa" is in 2 mentions, not 4.
    assert top.sort("term").to_dicts() == [
        {"term": "attesa", "mentions": 2, "share_negative": 0.5, "share_positive": 0.5, "net_sentiment": 0.0},
        {
            "term": "cornetto",
            "mentions": 2,
            "share_negative": 0.0,
            "share_positive": 1.0,
            "net_sentiment": 1.0,
        },
    ]


def test_top_terms_without_analysis_columns_has_null_mood() -> None:
    top = top_terms(_frame(["pane buono", "pane caldo"]), n=1)
    assert top.row(0) == ("pane", 2, None, None, None)


def test_distinctive_terms_finds_the_group_vocabulary() -> None:
    complaints = ["attesa lunga alla cassa", "attesa infinita e cassa chiusa", "ancora attesa alla cassa"] * 3
    praise = ["cornetto buonissimo", "cornetto caldo e buono", "ottimo cappuccino e cornetto"] * 3
    frame = _frame(complaints + praise)
    in_group = pl.Series([True] * len(complaints) + [False] * len(praise))
    top = distinctive_terms(frame, in_group, n=3, min_count=3)
    assert set(top["term"].to_list()[:2]) == {"attesa", "cassa"}
    assert top["z"].is_sorted(descending=True)
    assert top.filter(pl.col("term") == "attesa")["count_out"].item() == 0
    # The same question as an expression on the frame gives the same answer.
    frame = frame.with_columns(pl.Series("complaint", in_group.to_list()))
    assert distinctive_terms(frame, pl.col("complaint"), n=3, min_count=3).equals(top)


def test_distinctive_terms_guards() -> None:
    frame = _frame(["pane buono", "pane caldo"])
    # An empty group has nothing distinctive.
    assert distinctive_terms(frame, pl.Series([False, False])).height == 0
    # Null means out-group.
    assert distinctive_terms(frame, pl.Series([True, None]), min_count=1).height >= 1
    with pytest.raises(ValueError, match="2 mentions"):
        distinctive_terms(frame, pl.Series([True]))
    with pytest.raises(TypeError):
        distinctive_terms(frame, [True, False])  # type: ignore[arg-type]


def test_mentions_with_term_is_lemma_aware_and_keeps_order() -> None:
    frame = _frame(["tempi di attesa lunghi", "cornetto", "il tempo vola", "tempo perso"])
    assert mentions_with_term(frame, "tempo")["text"].to_list() == [
        "tempi di attesa lunghi",
        "il tempo vola",
        "tempo perso",
    ]
    assert mentions_with_term(frame, "Tempi di attesa")["text"].to_list() == ["tempi di attesa lunghi"]
    # Brand names are not terms; unknown or empty terms find nothing.
    assert mentions_with_term(_frame(["Forno Brio top"]), "forno brio").height == 0
    assert mentions_with_term(frame, "").height == 0


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    # The demo dataset with a made-up mood per mention (analysis is not under test here).
    demo = load_demo()
    every_third = pl.int_range(0, demo.height, eager=True) % 3
    moods = pl.Series(["negative", "neutral", "positive"]).gather(every_third)
    return demo.with_columns(moods.alias("sentiment"))


@pytest.fixture(scope="module")
def demo_index(demo: pl.DataFrame) -> TermIndex:
    return term_index(demo)


# Filters on the demo; the index of the FULL demo must give what tokenising the view gives.
VIEWS = [
    # Everything (the near-full case the index is for).
    pl.lit(True),
    # Almost everything: one touchpoint left out.
    pl.col("touchpoint") != "news",
    # One touchpoint.
    pl.col("touchpoint") == "instagram",
    # Every third mention, so rows are renumbered.
    pl.int_range(0, pl.len()) % 3 == 1,
    # A handful.
    pl.int_range(0, pl.len()) < 5,
    # Nothing at all.
    pl.lit(False),
]


@pytest.mark.parametrize("view", VIEWS)
def test_index_gives_the_same_results_as_tokenising(
    demo: pl.DataFrame, demo_index: TermIndex, view: pl.Expr
) -> None:
    scope = demo.filter(view)
    assert_frame_equal(top_terms(scope, n=400, index=demo_index), top_terms(scope, n=400), check_exact=True)
    assert_frame_equal(term_table(scope, index=demo_index), term_table(scope), check_exact=True)
    negative = pl.col("sentiment") == "negative"
    assert_frame_equal(
        distinctive_terms(scope, negative, n=25, index=demo_index),
        distinctive_terms(scope, negative, n=25),
        check_exact=True,
    )
    for term in ("attesa", "tempi di attesa", "cornetti", "#colazione", "brio"):
        with_index = mentions_with_term(scope, term, index=demo_index)
        assert_frame_equal(with_index, mentions_with_term(scope, term), check_exact=True)


def test_index_gives_the_same_results_in_another_order(demo: pl.DataFrame, demo_index: TermIndex) -> None:
    # A sorted view (the Post page sorts) renumbers every row.
    scope = demo.sort("text", nulls_last=True).head(800)
    assert_frame_equal(top_terms(scope, n=100, index=demo_index), top_terms(scope, n=100), check_exact=True)
    touch = pl.col("touchpoint") == "x"
    assert_frame_equal(
        distinctive_terms(scope, touch, index=demo_index), distinctive_terms(scope, touch), check_exact=True
    )


def test_index_is_not_used_for_mentions_it_does_not_know(demo_index: TermIndex) -> None:
    # A frame that is not a view of the indexed dataset is tokenised (same ids, other texts).
    stranger = _frame(["cornetto freddo", "cornetto caldo"], id=demo_index.ids["id"].head(2).to_list())
    assert top_terms(stranger, index=demo_index)["term"].to_list()[:1] == ["cornetto"]
    # Unknown ids, or no id column at all: also tokenised.
    assert mentions_with_term(_frame(["pane caldo"], id=["new"]), "pane", index=demo_index).height == 1
    assert mentions_with_term(_frame(["pane caldo"]), "pane", index=demo_index).height == 1
    # Other brand exclusions than the index's: tokenised with the right ones.
    other_brands = term_table(_frame(["cornetto buono"], id=["x"]), exclude=["cornetto"], index=demo_index)
    assert "cornetto" not in other_brands["term"].to_list()


def test_index_leaves_out_repeated_and_missing_ids() -> None:
    # Two texts under one id (and a null id) cannot be told apart by id: never taken from the index.
    frame = _frame(["pane caldo", "torta secca", "caffè amaro"], id=["a", "a", None])
    index = term_index(frame)
    assert index.ids.height == 0
    assert index.terms.height == 0
    assert top_terms(frame.head(1), index=index)["term"].to_list() == ["caldo", "pane", "pane caldo"]
    with pytest.raises(ValueError, match="id"):
        term_index(_frame(["pane"]))
