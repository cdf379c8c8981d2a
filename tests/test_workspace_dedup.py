"""Deduplication rules as properties: whatever comes in, nothing is stored twice and every row is counted."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascolto_core.workspace.dedup import KEY_SCHEMA, classify, with_keys

# Small alphabets so that collisions on every rule actually happen.
_ids = st.sampled_from(["1", "2", "3", "a", None])
_urls = st.sampled_from(
    ["https://x.it/p/1", "http://www.x.it/p/1/", "https://x.it/P/1", "x.it/p/1?utm_source=a", "", None, "🍞"]
)
_texts = st.sampled_from(["Ottimo", "ottimo ", "OTTIMO", "Pessimo", "", "😡😡"])
_authors = st.sampled_from(["@anna", "Anna", "bruno", None])
_days = st.sampled_from([datetime(2026, 5, 10, 9, tzinfo=UTC), datetime(2026, 5, 11, 9, tzinfo=UTC), None])
_row = st.tuples(_ids, _urls, _texts, _authors, _days)


def _frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={
            "id": pl.String,
            "url": pl.String,
            "text": pl.String,
            "author": pl.String,
            "created_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )
    return with_keys(frame)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored=st.lists(_row, max_size=8), batch=st.lists(_row, max_size=12))
def test_every_row_is_new_or_counted_once_and_nothing_repeats(
    stored: list[tuple[object, ...]], batch: list[tuple[object, ...]]
) -> None:
    stored_keys = _frame(stored).select(list(KEY_SCHEMA)) if stored else pl.DataFrame(schema=KEY_SCHEMA)
    incoming = _frame(batch)
    keep, counts = classify(incoming, stored_keys)
    assert int(keep.sum()) + counts.total == incoming.height
    kept = incoming.filter(keep)
    for column in KEY_SCHEMA:
        values = kept[column].drop_nulls()
        assert values.n_unique() == len(values)  # no two new rows share a key
        assert not values.is_in(stored_keys[column].drop_nulls().implode()).any()  # none was there already


def test_an_empty_batch_and_an_empty_store() -> None:
    keep, counts = classify(_frame([]), pl.DataFrame(schema=KEY_SCHEMA))
    assert (len(keep), counts.total) == (0, 0)
