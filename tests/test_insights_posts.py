"""Example posts: attention ranking, orders and pages."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import AttentionWeights, needs_attention, page_of, sort_posts
from ascolto_core.insights.sample import mentions_frame


@pytest.fixture
def posts():
    return mentions_frame(
        [
            dict(text="ok", created_at="2026-09-10T10:00", sentiment="positive", likes=50),  # m0
            dict(
                text="pessimo",
                created_at="2026-09-10T09:00",
                sentiment="negative",
                sentiment_score=-0.9,
                likes=2,
            ),  # m1
            dict(
                text="a che ora aprite?", created_at="2026-09-09T10:00", sentiment="neutral", is_question=True
            ),  # m2
            dict(
                text="mah",
                created_at="2026-09-01T10:00",
                sentiment="negative",
                sentiment_score=-0.3,
                likes=200,
            ),  # m3
            dict(
                text="perché chiuso?",
                created_at="2026-09-10T11:00",
                sentiment="negative",
                sentiment_score=-0.6,
                is_question=True,
            ),  # m4
            dict(text="senza data", created_at=None, sentiment=None),  # m5
        ]
    )


def test_needs_attention_ranks_negative_questions_first(posts) -> None:
    top = needs_attention(posts, 3, now=datetime(2026, 9, 10, 12, tzinfo=UTC))
    # m4: negative AND a question, fresh; m1: strongly negative, fresh; m3: very amplified but 9 days old.
    assert top.select("id", "attention_reason").to_dicts() == [
        {"id": "m4", "attention_reason": "negative_question"},
        {"id": "m1", "attention_reason": "negative"},
        {"id": "m3", "attention_reason": "negative"},
    ]


def test_needs_attention_weights_change_the_ranking(posts) -> None:
    # Only engagement counts: the most amplified complaint comes first.
    only_engagement = AttentionWeights(negative=0, question=0, engagement=1, recency=0)
    assert needs_attention(posts, 1, weights=only_engagement)["id"].to_list() == ["m3"]


def test_needs_attention_ignores_positive_and_neutral_statements(posts) -> None:
    assert set(needs_attention(posts, 10)["id"]) == {"m1", "m2", "m3", "m4"}


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("newest", ["m4", "m0", "m1", "m2", "m3", "m5"]),  # undated last
        ("amplified", ["m3", "m0", "m1", "m4", "m2", "m5"]),  # engagement desc, then newest
        ("negative", ["m1", "m4", "m3", "m2", "m0", "m5"]),  # most negative score first, unanalysed last
    ],
)
def test_sort_posts(posts, order: str, expected: list[str]) -> None:
    assert sort_posts(posts, order)["id"].to_list() == expected


def test_sort_posts_rejects_unknown_order(posts) -> None:
    with pytest.raises(AscoltoError) as err:
        sort_posts(posts, "random")
    assert err.value.key == "insights.bad_order"


@pytest.mark.parametrize(
    ("total", "page", "size", "expected"),
    [
        (45, 1, 20, (1, 3, 20, 1, 20)),  # first page full
        (45, 3, 20, (3, 3, 5, 41, 45)),  # last page partial
        (45, 9, 20, (3, 3, 5, 41, 45)),  # beyond the end: clamped to the last page
        (45, 0, 20, (1, 3, 20, 1, 20)),  # page 0 or negative: first page
        (0, 1, 20, (1, 1, 0, 0, 0)),  # no posts: one empty page
        (5, 1, 0, (1, 5, 1, 1, 1)),  # size < 1 treated as 1
    ],
)
def test_page_of(total: int, page: int, size: int, expected: tuple[int, ...]) -> None:
    frame = pl.DataFrame({"id": [str(i) for i in range(total)]}, schema={"id": pl.String})
    result = page_of(frame, page, size)
    assert (result.page, result.pages, result.rows.height, result.first, result.last) == expected
    assert result.total == total
