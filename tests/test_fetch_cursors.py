"""Incremental reads: the second read of each source asks the local fixture server only for what is new.

Each test reads a source once without a cursor (what "Cerca online" and ``fetch`` always do),
then again with the cursor the first result returned, and checks what the fixture server
received: the query parameters (Mastodon ``since_id``/``min_id``, Bluesky ``since``, Reddit
``before``) or the conditional headers (RSS/Atom ``If-None-Match``/``If-Modified-Since``).
"""

from __future__ import annotations

import json

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient
from fetch_fixtures.server import FIXTURES, FixtureServer, Reply, client, server, sleeps  # noqa: F401
from test_fetch_bluesky import SEARCH, bluesky_query, logged_in, serve_search  # noqa: F401
from test_fetch_mastodon import TAG, mastodon_query, serve_two_pages
from test_fetch_reddit import OAUTH_SEARCH, TOKEN, keys, reddit_query_file  # noqa: F401

RSS = "application/rss+xml; charset=utf-8"
ETAG = '"v1-abc"'
MODIFIED = "Sat, 21 Nov 2026 19:00:00 GMT"


def rss_query(server: FixtureServer) -> ListeningQuery:
    return ListeningQuery.from_dict({"brand_terms": [], "sources": {"rss": [{"url": server.url("/feed.xml"), "name": "news"}]}})


def test_rss_second_read_is_conditional_and_a_304_reads_nothing(server: FixtureServer, client: FetchClient) -> None:
    validators = (("ETag", ETAG), ("Last-Modified", MODIFIED))
    server.route("GET", "/feed.xml", Reply(file="rss2_news.xml", content_type=RSS, headers=validators), Reply(status=304))
    first = fetch_mentions(rss_query(server), client=client)
    assert first.report.sources[0].new > 0
    cursor = first.cursors["news"]
    assert (cursor["etag"], cursor["last_modified"]) == (ETAG, MODIFIED)
    assert len(cursor["seen"]) == first.report.sources[0].fetched

    second = fetch_mentions(rss_query(server), client=client, existing=first.mentions, cursors=first.cursors)
    asked = server.hits("/feed.xml")
    assert "if-none-match" not in asked[0].headers  # the first read is a plain GET
    assert (asked[1].headers["if-none-match"], asked[1].headers["if-modified-since"]) == (ETAG, MODIFIED)
    source = second.report.sources[0]
    assert (source.status, source.fetched, source.new) == ("nothing_new", 0, 0)
    assert second.cursors["news"] == cursor  # 304: still the same position


def test_rss_server_ignoring_validators_still_yields_only_unseen_entries(server: FixtureServer, client: FetchClient) -> None:
    # No ETag, no Last-Modified: the same feed comes back whole; entries already seen are left out.
    server.route("GET", "/feed.xml", Reply(file="rss2_news.xml", content_type=RSS))
    first = fetch_mentions(rss_query(server), client=client)
    second = fetch_mentions(rss_query(server), client=client, cursors=first.cursors)
    assert "if-none-match" not in server.hits("/feed.xml")[1].headers  # nothing to validate with
    assert (second.report.sources[0].fetched, second.new.height) == (0, 0)
    # Without a cursor (Cerca online, the fetch command) the latest entries are read as always.
    again = fetch_mentions(rss_query(server), client=client)
    assert again.new.height == first.new.height


def test_mastodon_second_read_asks_since_the_newest_status(server: FixtureServer, client: FetchClient) -> None:
    serve_two_pages(server)
    first = fetch_mentions(mastodon_query(server), client=client)
    assert first.cursors[first.report.sources[0].source] == {"tag:fornobrio,FornoBrioBologna": "113500000000000003"}
    fetch_mentions(mastodon_query(server), client=client, cursors=first.cursors)
    first_page, _, again = server.hits(TAG)
    assert "since_id" not in first_page.query
    assert again.query["since_id"] == ["113500000000000003"]
    assert again.query["any[]"] == ["FornoBrioBologna"]  # the rest of the request is unchanged
    assert len(server.hits(TAG)) == 3  # a page of known statuses: no second page


def test_mastodon_search_asks_min_id_per_term(server: FixtureServer, client: FetchClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_MASTODON_TOKEN", "tok")
    page = json.loads((FIXTURES / "mastodon_tag_page1.json").read_text(encoding="utf-8"))
    server.route("GET", "/api/v2/search", Reply(body=json.dumps({"statuses": page})))
    query = ListeningQuery.from_dict({"brand_terms": ["Forno Brio"], "sources": {"mastodon": {"instance": server.base, "token_env": "TEST_MASTODON_TOKEN"}}})
    first = fetch_mentions(query, client=client)
    assert first.cursors[first.report.sources[0].source] == {"search:Forno Brio": "113500000000000003"}
    fetch_mentions(query, client=client, cursors=first.cursors)
    plain, incremental = server.hits("/api/v2/search")
    assert "min_id" not in plain.query and incremental.query["min_id"] == ["113500000000000003"]


def test_bluesky_second_read_asks_since_the_newest_post(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    serve_search(server)
    first = fetch_mentions(bluesky_query(server), client=client)
    # Per term: the newest indexing time among the posts read (the fixture's newest is 2026-11-22 07:10:02).
    assert first.cursors["bluesky"] == {"since:Forno Brio": "2026-11-22T07:10:02.123000Z", "since:#fornobrio": "2026-11-22T07:10:02.123000Z"}
    before = len(server.hits(SEARCH))
    fetch_mentions(bluesky_query(server), client=client, cursors=first.cursors)
    later = server.hits(SEARCH)[before:]
    assert all("since" not in hit.query for hit in server.hits(SEARCH)[:before])
    assert {hit.query["q"][0]: hit.query["since"] for hit in later} == {
        "Forno Brio": ["2026-11-22T07:10:02.123000Z"],
        "#fornobrio": ["2026-11-22T07:10:02.123000Z"],
    }


def test_reddit_second_read_asks_before_the_newest_post(server: FixtureServer, client: FetchClient, keys: None) -> None:
    server.route("POST", TOKEN, Reply(file="reddit_token.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page1.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page2.json"), query={"after": "t3_1gx0002"})
    server.route("GET", OAUTH_SEARCH, Reply(body=json.dumps({"kind": "Listing", "data": {"children": [], "after": None, "before": None}})), query={"before": "t3_1gx0001"})
    first = fetch_mentions(reddit_query_file(server), client=client)
    assert first.cursors["reddit"]["before:bologna"] == "t3_1gx0001"
    second = fetch_mentions(reddit_query_file(server), client=client, cursors=first.cursors)
    last = server.hits(OAUTH_SEARCH)[-1]
    assert last.query["before"] == ["t3_1gx0001"] and "after" not in last.query
    assert second.report.sources[0].status == "nothing_new"
    assert len(server.hits(OAUTH_SEARCH)) == 3  # two pages the first time, one short page the second


def test_a_failed_read_keeps_the_cursor_it_was_given(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/feed.xml", Reply(status=500))
    given = {"news": {"etag": ETAG, "last_modified": None, "seen": ["rss:127.0.0.1:x"]}}
    result = fetch_mentions(rss_query(server), client=client, cursors=given)
    assert result.report.sources[0].status == "failed"
    assert result.cursors == given  # what the failed read did not deliver is asked again next time


def test_reddit_anchor_older_than_a_day_is_renewed_by_a_plain_read(server: FixtureServer, client: FetchClient, keys: None) -> None:
    # A deleted anchor post would make "before" answer nothing for ever: a day-old anchor is re-read plainly.
    server.route("POST", TOKEN, Reply(file="reddit_token.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page1.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page2.json"), query={"after": "t3_1gx0002"})
    stale = {"reddit": {"before:bologna": "t3_gone", "anchored:bologna": "2020-01-01T00:00:00+00:00"}}
    result = fetch_mentions(reddit_query_file(server), client=client, cursors=stale)
    assert "before" not in server.hits(OAUTH_SEARCH)[0].query
    assert result.cursors["reddit"]["before:bologna"] == "t3_1gx0001"
    assert result.cursors["reddit"]["anchored:bologna"] > "2026"  # renewed now
