"""Incremental, safe fetching: de-duplication, a second fetch adding nothing, failures isolated."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.fetch import FetchProgress, ListeningQuery, fetch_mentions, merge_mentions
from ascolto_core.fetch.http import FetchClient
from ascolto_core.schema import MENTION_SCHEMA, conform
from fetch_fixtures.server import FixtureServer, Reply, client, closed_port_url, server, sleeps  # noqa: F401

TAG = "/api/v1/timelines/tag/fornobrio"


def all_sources_query(server: FixtureServer, *, rss_path: str = "/news.xml", extra_rss: list[str] = ()) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand": "Forno Brio",
            "brand_terms": ["Forno Brio", "fornobrio"],
            "hashtags": ["fornobrio"],
            "excluded_terms": ["lavora con noi"],
            "sources": {
                "rss": [{"url": server.url(rss_path)}, *({"url": u} for u in extra_rss)],
                "mastodon": {"instance": server.base},
                "reddit": {"subreddits": ["bologna"], "rss_url": server.base, "client_id_env": "NO_SUCH_ENV_1"},
            },
        }
    )


def serve_everything(server: FixtureServer) -> None:
    server.route("GET", "/news.xml", Reply(file="rss2_news.xml", content_type="application/rss+xml"))
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json"))
    server.route("GET", "/r/bologna/search.rss", Reply(file="reddit_search.rss", content_type="application/atom+xml"))


def test_second_fetch_adds_nothing(server: FixtureServer, client: FetchClient) -> None:
    serve_everything(server)
    query = all_sources_query(server)
    first = fetch_mentions(query, client=client)
    assert [(s.source, s.status, s.new) for s in first.report.sources] == [
        ("rss:127.0.0.1", "ok", 1),
        ("mastodon:127.0.0.1", "ok", 2),
        ("reddit", "ok", 2),
    ]
    assert first.report.added == first.mentions.height == 5
    second = fetch_mentions(query, existing=first.mentions, client=client)
    assert [(s.status, s.fetched, s.new) for s in second.report.sources] == [
        ("nothing_new", 4, 0),
        ("nothing_new", 2, 0),
        ("nothing_new", 2, 0),
    ]
    assert second.new.height == 0 and second.report.added == 0
    assert second.mentions.equals(first.mentions)


def test_one_failing_source_leaves_the_others(server: FixtureServer, client: FetchClient) -> None:
    serve_everything(server)
    server.route("GET", "/broken.xml", Reply(status=500, body=b"error"))
    query = all_sources_query(server, extra_rss=[server.url("/broken.xml"), closed_port_url() + "/feed"])
    result = fetch_mentions(query, client=client)
    by_order = [(s.status, s.message_key) for s in result.report.sources]
    assert by_order == [
        ("ok", None),
        ("failed", "fetch.error.server_error"),
        ("failed", "fetch.error.unreachable"),
        ("ok", None),
        ("ok", None),
    ]
    assert result.mentions.height == 5  # everything the working sources returned
    assert len(result.report.problems) == 2


def test_existing_rows_and_their_analysis_are_kept(server: FixtureServer, client: FetchClient) -> None:
    serve_everything(server)
    existing = conform(
        pl.DataFrame(
            {
                "id": ["u1", "u2"],
                "text": ["recensione dal file", "un'altra"],
                # The same article as the feed's, with tracking parameters removed: a duplicate by link.
                "url": ["https://www.cronaca-bologna.example/economia/forno-brio-terzo-negozio", None],
                "sentiment": ["positive", "negative"],
                "colonna_utente": [1, 2],
            }
        )
    )
    result = fetch_mentions(all_sources_query(server), existing=existing, client=client)
    assert result.mentions.columns == [*MENTION_SCHEMA, "sentiment", "colonna_utente"]
    assert result.mentions.head(2).select("id", "sentiment", "colonna_utente").rows() == [
        ("u1", "positive", 1),
        ("u2", "negative", 2),
    ]
    assert result.report.sources[0].status == "nothing_new"  # its only brand article was already there
    assert result.report.added == 4 and result.mentions.height == 6
    assert result.new.get_column("sentiment").is_null().all()  # new rows still need analysis


def test_progress_reports_each_source_start_and_end(server: FixtureServer, client: FetchClient) -> None:
    serve_everything(server)
    events: list[FetchProgress] = []
    fetch_mentions(all_sources_query(server), client=client, progress=events.append)
    assert [(e.index, e.total, e.source, e.report is not None) for e in events] == [
        (0, 3, "rss:127.0.0.1", False),
        (0, 3, "rss:127.0.0.1", True),
        (1, 3, "mastodon:127.0.0.1", False),
        (1, 3, "mastodon:127.0.0.1", True),
        (2, 3, "reddit", False),
        (2, 3, "reddit", True),
    ]


def test_item_limit_per_source(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json"))
    query = ListeningQuery.from_dict(
        {"hashtags": ["fornobrio"], "sources": {"mastodon": {"instance": server.base}}, "limits": {"max_items": 1}}
    )
    result = fetch_mentions(query, client=client)
    source = result.report.sources[0]
    assert (source.fetched, source.new, source.limited) == (1, 1, True)


def test_no_sources_is_said_not_silent() -> None:
    result = fetch_mentions(ListeningQuery.from_dict({"brand_terms": ["x"]}))
    assert result.report.sources == () and result.mentions.height == 0
    assert [n.key for n in result.report.notes] == ["fetch.note.no_sources"]


def test_a_bug_in_one_source_does_not_sink_the_others(
    server: FixtureServer, client: FetchClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_everything(server)
    from ascolto_core.fetch import mastodon

    def explode(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(mastodon, "status_row", explode)
    result = fetch_mentions(all_sources_query(server), client=client)
    assert [(s.status, s.message_key) for s in result.report.sources] == [
        ("ok", None),
        ("failed", "fetch.error.unexpected"),
        ("ok", None),
    ]


# --- merge_mentions on its own ---------------------------------------------------------


def frame(ids: list[str], urls: list[str | None]) -> pl.DataFrame:
    return conform(pl.DataFrame({"id": ids, "text": [f"t{i}" for i in ids], "url": urls}))


@pytest.mark.parametrize(
    ("existing_urls", "new_ids", "new_urls", "added_ids"),
    [
        # Same id already present: skipped even with another link.
        (["https://a.it/1"], ["e0", "n1"], ["https://a.it/other", "https://a.it/2"], ["n1"]),
        # Same link modulo scheme, www, trailing slash, fragment and utm_* parameters: skipped.
        (["https://a.it/1"], ["n1"], ["http://www.A.it/1/?utm_source=rss#top"], []),
        # A meaningful query parameter makes another page.
        (["https://a.it/p?id=1"], ["n1"], ["https://a.it/p?id=2"], ["n1"]),
        # Rows without a link are compared by id only, never with each other.
        ([None], ["n1", "n2"], [None, None], ["n1", "n2"]),
        # Duplicates inside the new rows: the first one wins.
        ([], ["n1", "n1", "n2"], ["https://a.it/1", "https://a.it/9", "https://a.it/1"], ["n1"]),
    ],
)
def test_merge_deduplicates_by_id_and_link(
    existing_urls: list[str | None], new_ids: list[str], new_urls: list[str | None], added_ids: list[str]
) -> None:
    existing = frame([f"e{i}" for i in range(len(existing_urls))], existing_urls)
    merged, added = merge_mentions(existing, frame(new_ids, new_urls))
    assert added == len(added_ids)
    assert merged["id"].to_list() == existing["id"].to_list() + added_ids


def test_merge_into_nothing_and_nothing_into_something() -> None:
    rows = frame(["a"], ["https://a.it"])
    assert merge_mentions(None, rows)[1] == 1
    merged, added = merge_mentions(rows, rows.clear())
    assert (added, merged.equals(rows)) == (0, True)


def test_merge_a_large_fetch_is_vectorised() -> None:
    n = 100_000
    existing = frame([f"e{i}" for i in range(n)], [f"https://a.it/{i}" for i in range(n)])
    new = frame([f"n{i}" for i in range(n)], [f"https://a.it/{i + n // 2}" for i in range(n)])
    merged, added = merge_mentions(existing, new)
    assert (added, merged.height) == (n // 2, n + n // 2)
