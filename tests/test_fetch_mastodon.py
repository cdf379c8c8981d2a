"""Mastodon hashtag timelines and search against Status entities served from 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

TAG = "/api/v1/timelines/tag/fornobrio"
NEXT = (("Link", '<{base}/api/v1/timelines/tag/fornobrio?max_id=113500000000000002>; rel="next", '
                  '<{base}/api/v1/timelines/tag/fornobrio?min_id=113500000000000003>; rel="prev"'),)


def mastodon_query(server: FixtureServer, **source: object) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand_terms": ["Forno Brio"],
            "hashtags": ["fornobrio", "FornoBrioBologna"],
            "excluded_terms": ["#offerte"],
            "sources": {"mastodon": {"instance": server.base, **source}},
        }
    )


def serve_two_pages(server: FixtureServer) -> None:
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json", headers=NEXT))
    server.route("GET", TAG, Reply(file="mastodon_tag_page2.json"), query={"max_id": "113500000000000002"})


def test_hashtag_timeline_follows_the_link_header(server: FixtureServer, client: FetchClient) -> None:
    serve_two_pages(server)
    result = fetch_mentions(mastodon_query(server), client=client)
    source = result.report.sources[0]
    assert (source.status, source.pages, source.fetched, source.new) == ("ok", 2, 4, 3)
    assert dict(source.skipped) == {"no_text": 1}  # the image-only post is counted, not lost
    first, second = server.hits(TAG)
    # The first hashtag is the path; the others go in any[], excluded hashtags in none[].
    assert first.query["any[]"] == ["FornoBrioBologna"] and first.query["none[]"] == ["offerte"]
    assert second.query["max_id"] == ["113500000000000002"]
    assert "authorization" not in first.headers  # anonymous
    row = result.new.row(0, named=True)
    host = "127.0.0.1"
    assert {k: row[k] for k in ("id", "text", "created_at", "touchpoint", "source", "author", "url", "lang", "likes", "shares", "comments")} == {
        "id": f"mastodon:{host}:113500000000000003",
        "text": "Colazione da #FornoBrio: la sfogliatella è ancora calda & il caffè perfetto! 😍",
        "created_at": datetime(2026, 11, 20, 8, 15, 30, tzinfo=UTC),
        "touchpoint": "other",
        "source": f"mastodon:{host}",
        "author": "@giulia_bo",
        "url": "https://mastodon.uno/@giulia_bo/113500000000000003",
        "lang": "it",
        "likes": 14,
        "shares": 5,
        "comments": 2,
    }
    # A content warning is kept in front of the text; a remote author keeps their domain.
    assert result.new["text"][1].startswith("Lamentela\nQuarantacinque minuti")
    assert result.new["author"][1] == "@marco@social.example"
    # Without a token the word search is skipped, and the report says so.
    assert [n.key for n in source.notes] == ["fetch.note.mastodon_search_needs_token"]


def test_token_enables_search_and_is_sent_as_bearer(
    server: FixtureServer, client: FetchClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_MASTODON_TOKEN", "tok-123-secret")
    serve_two_pages(server)
    server.route("GET", "/api/v2/search", Reply(file="mastodon_search.json"))
    result = fetch_mentions(mastodon_query(server, token_env="TEST_MASTODON_TOKEN"), client=client)
    assert result.report.sources[0].new == 4
    search = server.hits("/api/v2/search")[0]
    assert search.headers["authorization"] == "Bearer tok-123-secret"
    assert (search.query["q"], search.query["type"]) == (["Forno Brio"], ["statuses"])
    assert "Qualcuno sa se Forno Brio fa torte senza glutine su ordinazione?" in result.new["text"].to_list()


@pytest.mark.parametrize("status", [401, 422])  # both answers exist for login-only hashtag timelines
def test_login_only_instance_is_refused_not_quiet(server: FixtureServer, client: FetchClient, status: int) -> None:
    server.route("GET", TAG, Reply(status=status, body=b'{"error":"This method requires an authenticated user"}'))
    source = fetch_mentions(mastodon_query(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("refused", "fetch.error.mastodon_login_needed")


@pytest.mark.parametrize(
    ("instance_reply", "status", "note_keys"),
    [
        # Mastodon 4.5 setting says hashtags need a login: refused, not "nothing new".
        (Reply(file="mastodon_instance_restricted.json"), "refused", ["fetch.note.mastodon_search_needs_token"]),
        # The instance says hashtags are public: a genuinely quiet hashtag.
        (Reply(file="mastodon_instance_public.json"), "nothing_new", ["fetch.note.mastodon_search_needs_token"]),
        # Cannot tell (old instance): nothing new, with a note saying it may be login-only.
        (Reply(status=404), "nothing_new", ["fetch.note.mastodon_search_needs_token", "fetch.note.mastodon_empty_anonymous"]),
    ],
)
def test_empty_anonymous_answer_is_explained(
    server: FixtureServer, client: FetchClient, instance_reply: Reply, status: str, note_keys: list[str]
) -> None:
    server.route("GET", TAG, Reply(body=b"[]"))
    server.route("GET", "/api/v2/instance", instance_reply)
    source = fetch_mentions(mastodon_query(server), client=client).report.sources[0]
    assert source.status == status
    assert [n.key for n in source.notes] == note_keys


def test_wrong_instance_address(server: FixtureServer, client: FetchClient) -> None:
    source = fetch_mentions(mastodon_query(server), client=client).report.sources[0]  # no routes: 404
    assert (source.status, source.message_key) == ("failed", "fetch.error.mastodon_not_found")


def test_page_limit_stops_and_is_reported(server: FixtureServer, client: FetchClient) -> None:
    serve_two_pages(server)
    query = ListeningQuery.from_dict(
        {"hashtags": ["fornobrio"], "sources": {"mastodon": {"instance": server.base}}, "limits": {"max_pages": 1}}
    )
    source = fetch_mentions(query, client=client).report.sources[0]
    assert (source.pages, source.limited, len(server.hits(TAG))) == (1, True, 1)


def test_second_page_failing_keeps_the_first(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json", headers=NEXT))
    server.route("GET", TAG, Reply(status=503, body=b"{}"), query={"max_id": "113500000000000002"})
    result = fetch_mentions(mastodon_query(server), client=client)
    source = result.report.sources[0]
    assert (source.status, source.message_key, source.new) == ("failed", "fetch.error.server_error", 2)
    assert result.mentions.height == 2


def test_malformed_json_shape(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", TAG, Reply(body=b'{"error": "not a list"}'))
    source = fetch_mentions(mastodon_query(server), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("failed", "fetch.error.malformed")
