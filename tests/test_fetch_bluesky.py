"""Bluesky searchPosts (postView fixtures) with app-password login, served from 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

SESSION = "/pds/xrpc/com.atproto.server.createSession"
SEARCH = "/pds/xrpc/app.bsky.feed.searchPosts"
PUBLIC_SEARCH = "/public/xrpc/app.bsky.feed.searchPosts"
PASSWORD = "abcd-efgh-ijkl-mnop"


def bluesky_query(server: FixtureServer, languages: list[str] | None = None) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand_terms": ["Forno Brio"],
            "hashtags": ["fornobrio"],
            "languages": languages or [],
            "sources": {
                "bluesky": {
                    "handle": "forno-brio.bsky.social",
                    "password_env": "TEST_BSKY_PASSWORD",
                    "base_url": server.url("/pds/xrpc"),
                    "public_url": server.url("/public/xrpc"),
                }
            },
        }
    )


@pytest.fixture
def logged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_BSKY_PASSWORD", PASSWORD)


def serve_search(server: FixtureServer) -> None:
    server.route("POST", SESSION, Reply(file="bluesky_session.json"))
    server.route("GET", SEARCH, Reply(file="bluesky_search_page1.json"), query={"q": "Forno Brio"})
    server.route("GET", SEARCH, Reply(file="bluesky_search_page2.json"), query={"q": "Forno Brio", "cursor": "25"})
    server.route("GET", SEARCH, Reply(file="bluesky_search_page1.json"), query={"q": "#fornobrio"})
    server.route("GET", SEARCH, Reply(file="bluesky_search_empty.json"), query={"q": "#fornobrio", "cursor": "25"})


def test_login_then_search_with_cursor_pagination(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    serve_search(server)
    result = fetch_mentions(bluesky_query(server), client=client)
    source = result.report.sources[0]
    # Two pages for "Forno Brio", two for "#fornobrio" (same posts again: counted once).
    assert (source.status, source.pages, source.fetched, source.new, source.limited) == ("ok", 4, 4, 3, False)
    assert dict(source.skipped) == {"off_topic": 1}  # "una brioche e un forno" is not the brand
    login = server.hits(SESSION)[0]
    assert json.loads(login.body) == {"identifier": "forno-brio.bsky.social", "password": PASSWORD}
    searches = server.hits(SEARCH)
    assert all(s.headers["authorization"].startswith("Bearer eyJ0eXAi") for s in searches)
    assert [s.query.get("cursor") for s in searches] == [None, ["25"], None, ["25"]]
    assert searches[0].query["limit"] == ["100"] and searches[0].query["sort"] == ["latest"]
    row = result.new.row(0, named=True)
    assert {k: row[k] for k in ("id", "created_at", "touchpoint", "source", "author", "url", "lang", "likes", "shares", "comments")} == {
        "id": "bluesky:at://did:plc:aaaa1111bbbb2222cccc3333/app.bsky.feed.post/3lbrio0000001",
        "created_at": datetime(2026, 11, 22, 7, 10, tzinfo=UTC),
        "touchpoint": "other",
        "source": "bluesky",
        "author": "@chiara.bsky.social",
        "url": "https://bsky.app/profile/chiara.bsky.social/post/3lbrio0000001",
        "lang": "it",
        "likes": 17,
        "shares": 2,
        "comments": 1,
    }


def test_one_language_is_passed_to_the_search(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    serve_search(server)
    result = fetch_mentions(bluesky_query(server, languages=["it"]), client=client)
    assert server.hits(SEARCH)[0].query["lang"] == ["it"]
    # The English post on page 2 is still filtered locally (and counted).
    assert dict(result.report.sources[0].skipped) == {"off_topic": 1, "language": 1}


def test_without_login_the_403_is_explained(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", PUBLIC_SEARCH, Reply(status=403, file="bluesky_error_403.json"))
    source = fetch_mentions(bluesky_query(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("refused", "fetch.error.bluesky_login_needed")
    assert [n.key for n in source.notes] == ["fetch.note.bluesky_no_login"]
    assert "app password" in source.reason("en") and "password per app" in source.reason("it")


def test_wrong_app_password_is_refused(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    server.route("POST", SESSION, Reply(status=401, file="bluesky_error_401.json"))
    source = fetch_mentions(bluesky_query(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("refused", "fetch.error.bluesky_login_refused")
    assert server.hits(SEARCH) == []


def test_nothing_found_is_nothing_new(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    server.route("POST", SESSION, Reply(file="bluesky_session.json"))
    server.route("GET", SEARCH, Reply(file="bluesky_search_empty.json"))
    source = fetch_mentions(bluesky_query(server), client=client).report.sources[0]
    assert (source.status, source.fetched, source.message_key) == ("nothing_new", 0, None)


def test_invalid_json_fails_the_source(server: FixtureServer, client: FetchClient, logged_in: None) -> None:
    server.route("POST", SESSION, Reply(file="bluesky_session.json"))
    server.route("GET", SEARCH, Reply(file="invalid.json"))
    source = fetch_mentions(bluesky_query(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("failed", "fetch.error.malformed")
