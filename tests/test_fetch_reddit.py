"""Reddit: app-only OAuth + Listing JSON, and subreddit Atom feeds without keys (127.0.0.1 only)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient
from ascolto_core.fetch.reddit import reddit_query
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

TOKEN = "/api/v1/access_token"
OAUTH_SEARCH = "/oauth/r/bologna/search"
RSS_SEARCH = "/r/bologna/search.rss"
ATOM = "application/atom+xml; charset=UTF-8"


def reddit_query_file(server: FixtureServer) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand_terms": ["Forno Brio"],
            "hashtags": ["fornobrio"],
            "sources": {
                "reddit": {
                    "subreddits": ["r/bologna"],
                    "client_id_env": "TEST_REDDIT_ID",
                    "client_secret_env": "TEST_REDDIT_SECRET",
                    "auth_url": server.base,
                    "api_url": server.url("/oauth"),
                    "rss_url": server.base,
                    "user_agent": "python:ascolto-test:0.1 (by /u/fornobrio)",
                }
            },
        }
    )


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_REDDIT_ID", "client-id-1")
    monkeypatch.setenv("TEST_REDDIT_SECRET", "client-secret-xyz")


def test_oauth_token_then_paginated_search(server: FixtureServer, client: FetchClient, keys: None) -> None:
    server.route("POST", TOKEN, Reply(file="reddit_token.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page1.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page2.json"), query={"after": "t3_1gx0002"})
    result = fetch_mentions(reddit_query_file(server), client=client)
    source = result.report.sources[0]
    assert (source.status, source.pages, source.new) == ("ok", 2, 3)
    token = server.hits(TOKEN)[0]
    assert token.headers["authorization"] == "Basic " + base64.b64encode(b"client-id-1:client-secret-xyz").decode()
    assert token.body == b"grant_type=client_credentials"
    first, second = server.hits(OAUTH_SEARCH)
    assert first.headers["authorization"] == "bearer eyJhbGciOiJSUzI1NiJ9.reddit-app-only-token.sig"
    assert first.headers["user-agent"] == "python:ascolto-test:0.1 (by /u/fornobrio)"
    assert (first.query["q"], first.query["restrict_sr"], first.query["sort"]) == (['"Forno Brio" OR fornobrio'], ["1"], ["new"])
    assert second.query["after"] == ["t3_1gx0002"]
    row = result.new.row(0, named=True)
    assert {k: row[k] for k in ("id", "text", "created_at", "touchpoint", "source", "author", "url", "likes", "comments")} == {
        "id": "reddit:t3_1gx0001",
        "text": "Forno Brio in via Saragozza, ne vale la pena?\n"
        "Ci sono stato sabato: fila lunghissima ma i tortellini erano ottimi. Voi che ne pensate di Forno Brio?",
        "created_at": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
        "touchpoint": "forum",
        "source": "reddit",
        "author": "u/emiliano_bo",
        "url": "https://www.reddit.com/r/bologna/comments/1gx0001/forno_brio_in_via_saragozza_ne_vale_la_pena/",
        "likes": 42,
        "comments": 17,
    }
    assert result.new["author"][1] is None  # "[deleted]" is no author


def test_without_keys_reads_the_subreddit_feed_and_waits_out_a_429(
    server: FixtureServer, client: FetchClient, sleeps: list[float]
) -> None:
    server.route(
        "GET", RSS_SEARCH, Reply(status=429, headers=(("Retry-After", "1"),), body=b"Too Many Requests"), Reply(file="reddit_search.rss", content_type=ATOM)
    )
    result = fetch_mentions(reddit_query_file(server), client=client)
    source = result.report.sources[0]
    assert (source.status, source.new) == ("ok", 2)
    assert sleeps == [1.0]
    assert server.hits(TOKEN) == []
    assert server.hits(RSS_SEARCH)[-1].query["restrict_sr"] == ["on"]
    assert result.new.select("id", "author", "touchpoint").rows() == [
        ("reddit:t3_1gx0001", "u/emiliano_bo", "forum"),
        ("reddit:t3_1gx0003", "u/sara_r", "forum"),
    ]
    # The feed's "submitted by /u/... [link] [comments]" trailer is not part of the text.
    assert result.new["text"][1] == (
        "Esperienza pessima\nHo trovato un capello nella focaccia di #fornobrio, scritto all'assistenza ma nessuna risposta."
    )
    assert [n.key for n in source.notes] == ["fetch.note.reddit_rss"]


def test_feed_and_oauth_paths_share_ids(server: FixtureServer, client: FetchClient, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("GET", RSS_SEARCH, Reply(file="reddit_search.rss", content_type=ATOM))
    first = fetch_mentions(reddit_query_file(server), client=client)
    monkeypatch.setenv("TEST_REDDIT_ID", "client-id-1")
    monkeypatch.setenv("TEST_REDDIT_SECRET", "client-secret-xyz")
    server.route("POST", TOKEN, Reply(file="reddit_token.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page1.json"))
    server.route("GET", OAUTH_SEARCH, Reply(file="reddit_listing_page2.json"), query={"after": "t3_1gx0002"})
    second = fetch_mentions(reddit_query_file(server), existing=first.mentions, client=client)
    assert second.new["id"].to_list() == ["reddit:t3_1gx0002"]  # the two posts already read from the feed are not repeated


@pytest.mark.parametrize(
    ("token_reply", "key"),
    [
        (Reply(status=401, body=b'{"message": "Unauthorized", "error": 401}'), "fetch.error.reddit_bad_keys"),  # wrong secret
        (Reply(body=b'{"error": "invalid_grant"}'), "fetch.error.reddit_bad_keys"),  # 200 with an error body
    ],
)
def test_bad_keys_are_refused(server: FixtureServer, client: FetchClient, keys: None, token_reply: Reply, key: str) -> None:
    server.route("POST", TOKEN, token_reply)
    source = fetch_mentions(reddit_query_file(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("refused", key)


def test_blocked_feed_is_refused_with_advice(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", RSS_SEARCH, Reply(status=403, body=b"<html>blocked</html>", content_type="text/html"))
    source = fetch_mentions(reddit_query_file(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("refused", "fetch.error.reddit_blocked")


@pytest.mark.parametrize(
    ("terms", "query"),
    [
        (("Forno Brio", "#fornobrio"), '"Forno Brio" OR fornobrio'),  # phrase quoted, hashtag bare
        (("fornobrio", "#fornobrio"), "fornobrio"),  # the same word once
        ((), ""),  # nothing to search
    ],
)
def test_reddit_query_syntax(terms: tuple[str, ...], query: str) -> None:
    assert reddit_query(terms) == query
