"""Parole: every count of the same thing agrees (issue 8, item 21).

The table said «risposto» is in 36 + 9 mentions while the sentence under it said
43: the table counted occurrences, the sentence mentions, and the posts were found
by a broader match. Now one definition (mentions containing the term) feeds all three.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from app_harness import app_with_data
from ascolto_core.analysis import analyze_mentions
from ascolto_core.analysis.keywords import distinctive_terms, mentions_with_term, term_index, top_terms
from ascolto_core.datasets import load_demo

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    return analyze_mentions(load_demo(), engine="embedded").mentions


@pytest.mark.parametrize(
    "group",
    [
        pl.col("sentiment") == "negative",  # complaints against the rest (the Parole default)
        pl.col("sentiment") == "positive",  # praise against the rest
        pl.col("touchpoint") == "instagram",  # one channel against the others (Touchpoint page)
    ],
    ids=["negative", "positive", "instagram"],
)
def test_distinctive_counts_are_the_mentions_behind_each_term(demo: pl.DataFrame, group: pl.Expr) -> None:
    index = term_index(demo)
    terms = distinctive_terms(demo, group, n=25, index=index)
    assert terms.height
    behind = {term: mentions_with_term(demo, term, index=index) for term in terms["term"]}
    assert {t: (i + o) for t, i, o in terms.select("term", "count_in", "count_out").iter_rows()} == {
        t: rows.height for t, rows in behind.items()
    }
    # And the in-group share of those very posts is the table's count_in.
    in_group = {t: rows.select(group.fill_null(False).sum()).item() for t, rows in behind.items()}
    assert dict(terms.select("term", "count_in").iter_rows()) == in_group


def test_word_cloud_sizes_are_the_mentions_behind_each_term(demo: pl.DataFrame) -> None:
    index = term_index(demo)
    top = top_terms(demo, n=40, index=index)
    assert {t: n for t, n in top.select("term", "mentions").iter_rows()} == {
        t: mentions_with_term(demo, t, index=index).height for t in top["term"]
    }


def test_the_words_page_table_and_sentence_agree() -> None:
    at = app_with_data("pages/words.py")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    first = table.iloc[0]
    sentence = next(c.value for c in at.caption if "menzioni contengono" in c.value)
    said = int(re.match(r"(\d+(?:\.\d{3})*)", sentence).group(1).replace(".", ""))
    assert said == int(first["count_in"]) + int(first["count_out"]), (sentence, first.to_dict())
