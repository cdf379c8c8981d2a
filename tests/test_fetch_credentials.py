"""A credential is only ever sent to the origin it was configured for (issue 8, item 1).

Threat: a pagination link, a cursor URL or a redirect names another host, and the client
follows it with ``Authorization: Bearer ...`` (or re-posts a login body with the app
password). Two fixture servers on 127.0.0.1 with different ports are two origins: ``server``
is the configured service, ``stranger`` the foreign host that must never see a secret.
"""

from __future__ import annotations

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import Credential, FetchClient, Secret, SourceError, origin_of
from fetch_fixtures.server import FixtureServer, Recorded, Reply, client, server, sleeps, stranger  # noqa: F401

MASTODON_TOKEN = "mastodon-token-zzz999"
BSKY_PASSWORD = "bsky-app-pw-1234-5678"
REDDIT_ID, REDDIT_SECRET = "reddit-client-id-777", "reddit-secret-abc-xyz"
SESSION_JWT = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ"  # accessJwt in bluesky_session.json
REDDIT_TOKEN = "eyJhbGciOiJSUzI1NiJ9.reddit-app-only-token.sig"  # access_token in reddit_token.json
SECRET_VALUES = (MASTODON_TOKEN, BSKY_PASSWORD, REDDIT_ID, REDDIT_SECRET, SESSION_JWT, REDDIT_TOKEN)

TAG = "/api/v1/timelines/tag/fornobrio"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_MASTODON_TOKEN", MASTODON_TOKEN)
    monkeypatch.setenv("TEST_BSKY_PASSWORD", BSKY_PASSWORD)
    monkeypatch.setenv("TEST_REDDIT_ID", REDDIT_ID)
    monkeypatch.setenv("TEST_REDDIT_SECRET", REDDIT_SECRET)


def query(server: FixtureServer, kind: str) -> ListeningQuery:
    sources = {
        "mastodon": {"instance": server.base, "token_env": "TEST_MASTODON_TOKEN", "search": False},
        "bluesky": {
            "handle": "forno-brio.bsky.social",
            "password_env": "TEST_BSKY_PASSWORD",
            "base_url": server.url("/xrpc"),
            "public_url": server.url("/xrpc"),
        },
        "reddit": {
            "subreddits": ["bologna"],
            "client_id_env": "TEST_REDDIT_ID",
            "client_secret_env": "TEST_REDDIT_SECRET",
            "auth_url": server.base,
            "api_url": server.url("/oauth"),
        },
    }
    return ListeningQuery.from_dict(
        {"brand_terms": ["Forno Brio"], "hashtags": ["fornobrio"], "sources": {kind: sources[kind]}, "limits": {"retries": 0}}
    )


def leaked(request: Recorded) -> list[str]:
    """Every secret value found anywhere in what a server received."""
    seen = " ".join([*request.headers.values(), str(request.query), request.body.decode("utf-8", "replace")])
    return [value for value in SECRET_VALUES if value in seen]


def assert_stranger_saw_no_secret(stranger: FixtureServer) -> None:
    assert [leaked(r) for r in stranger.requests if leaked(r)] == []


def test_token_never_sent_to_foreign_origin_mastodon_next_link(
    server: FixtureServer, stranger: FixtureServer, client: FetchClient
) -> None:
    # The instance's Link header sends the second page to another host.
    link = (("Link", f'<{stranger.base}{TAG}?max_id=113500000000000002>; rel="next"'),)
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json", headers=link))
    stranger.route("GET", TAG, Reply(file="mastodon_tag_page2.json"))
    result = fetch_mentions(query(server, "mastodon"), client=client)
    source = result.report.sources[0]
    assert stranger.requests == []  # refused before anything was sent
    assert (source.status, source.message_key, dict(source.params)) == ("refused", "fetch.error.foreign_origin", {"host": "127.0.0.1"})
    assert (source.pages, source.new) == (1, 2)  # the first page, from the instance itself, is kept
    assert server.hits(TAG)[0].headers["authorization"] == f"Bearer {MASTODON_TOKEN}"
    assert "credenziali" in source.reason("it") and "credentials" in source.reason("en")


def test_token_follows_a_relative_next_link_on_the_same_origin(server: FixtureServer, client: FetchClient) -> None:
    # RFC 8288 allows a relative link: it stays on the instance and keeps the token.
    link = (("Link", f'<{TAG}?max_id=113500000000000002>; rel="next"'),)
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json", headers=link))
    server.route("GET", TAG, Reply(file="mastodon_tag_page2.json"), query={"max_id": "113500000000000002"})
    source = fetch_mentions(query(server, "mastodon"), client=client).report.sources[0]
    assert (source.status, source.pages) == ("ok", 2)
    assert [h.headers["authorization"] for h in server.hits(TAG)] == [f"Bearer {MASTODON_TOKEN}"] * 2


# Each connector's credentialed request answered by a redirect to the stranger.
REDIRECTS = [
    # Mastodon: the hashtag timeline (Bearer token) redirects to another host.
    pytest.param("mastodon", [("GET", TAG)], [], id="mastodon-timeline"),
    # Bluesky: the login (app password in a JSON body) answers 307, which re-posts the body.
    pytest.param("bluesky", [("POST", "/xrpc/com.atproto.server.createSession")], [], id="bluesky-login-307"),
    # Bluesky: the search (session token) redirects elsewhere.
    pytest.param(
        "bluesky",
        [("GET", "/xrpc/app.bsky.feed.searchPosts")],
        [("POST", "/xrpc/com.atproto.server.createSession", "bluesky_session.json")],
        id="bluesky-search",
    ),
    # Reddit: the token endpoint (client id and secret in Basic auth) answers 308.
    pytest.param("reddit", [("POST", "/api/v1/access_token")], [], id="reddit-token-308"),
    # Reddit: the OAuth search (app token) redirects elsewhere.
    pytest.param(
        "reddit", [("GET", "/oauth/r/bologna/search")], [("POST", "/api/v1/access_token", "reddit_token.json")], id="reddit-search"
    ),
]


@pytest.mark.parametrize(("kind", "redirected", "answered"), REDIRECTS)
def test_token_never_sent_to_foreign_origin_on_redirect(
    server: FixtureServer,
    stranger: FixtureServer,
    client: FetchClient,
    kind: str,
    redirected: list[tuple[str, str]],
    answered: list[tuple[str, str, str]],
) -> None:
    for method, path, file in answered:
        server.route(method, path, Reply(file=file))
    for method, path in redirected:
        status = 307 if method == "POST" else 302
        server.route(method, path, Reply(status=status, headers=(("Location", f"{stranger.base}{path}"),)))
        stranger.route(method, path, Reply(body=b"{}"))
    source = fetch_mentions(query(server, kind), client=client).report.sources[0]
    assert stranger.requests == []
    assert_stranger_saw_no_secret(stranger)
    assert (source.status, source.message_key) == ("refused", "fetch.error.foreign_redirect")


def test_same_origin_redirect_keeps_the_token(server: FixtureServer, client: FetchClient) -> None:
    # An instance moving its API path on the same host is not a stranger.
    server.route("GET", TAG, Reply(status=301, headers=(("Location", "/moved" + TAG),)))
    server.route("GET", "/moved" + TAG, Reply(file="mastodon_tag_page2.json"))
    source = fetch_mentions(query(server, "mastodon"), client=client).report.sources[0]
    assert source.status == "ok"
    assert server.hits("/moved" + TAG)[0].headers["authorization"] == f"Bearer {MASTODON_TOKEN}"


def test_anonymous_redirect_to_another_origin_is_still_followed(
    server: FixtureServer, stranger: FixtureServer, client: FetchClient
) -> None:
    # Feeds move (feedburner, http -> https): without a credential there is nothing to leak.
    server.route("GET", "/feed.xml", Reply(status=302, headers=(("Location", stranger.url("/feed.xml")),)))
    stranger.route("GET", "/feed.xml", Reply(file="rss2_news.xml", content_type="application/rss+xml"))
    result = fetch_mentions(
        ListeningQuery.from_dict({"brand_terms": ["Forno Brio"], "sources": {"rss": {"url": server.url("/feed.xml")}}}),
        client=client,
    )
    assert result.report.sources[0].status == "ok"


def test_credential_header_outside_a_credential_is_a_programming_error(server: FixtureServer, client: FetchClient) -> None:
    # A connector cannot bypass the origin check by passing the header itself.
    with pytest.raises(ValueError, match="credential"):
        client.get_bytes(server.url("/x"), headers={"authorization": "Bearer x"})
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://mastodon.uno/api/v1/x", True),  # same scheme, host, default port
        ("https://mastodon.uno:443/other", True),  # explicit default port is the same origin
        ("https://MASTODON.uno/x", True),  # host names are case-insensitive
        ("http://mastodon.uno/x", False),  # downgrade to http: another origin
        ("https://mastodon.uno:8443/x", False),  # another port
        ("https://mastodon.uno.evil.example/x", False),  # a look-alike suffix
        ("https://evil.example/?u=https://mastodon.uno", False),  # the name only in the query
    ],
)
def test_origin_comparison(url: str, same: bool) -> None:
    assert (origin_of(url) == origin_of("https://mastodon.uno")) is same


def test_credential_to_foreign_origin_refused_at_the_client(server: FixtureServer, stranger: FixtureServer, client: FetchClient) -> None:
    credential = Credential.bearer(server.base, Secret("tok"))
    with pytest.raises(SourceError) as caught:
        client.get_bytes(stranger.url("/x"), credential=credential)
    assert (caught.value.status, caught.value.key) == ("refused", "fetch.error.foreign_origin")
    assert stranger.requests == []
    assert "tok" not in repr(credential)  # the bound value never prints itself
