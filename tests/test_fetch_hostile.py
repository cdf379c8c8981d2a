"""No fetched payload produces a traceback (issue 8: "no ... fetched payload ... produces a Python traceback").

Every connector is fed garbage, HTML instead of JSON/XML, wrong types, huge and hostile
fields from a fixture server on 127.0.0.1. Each case must end in a report (never an
exception, never "unexpected error"), keep the good items, and keep names literal.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient
from ascolto_core.schema import MENTION_SCHEMA
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

HTML = b"<!doctype html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser</h1></body></html>"
GARBAGE = b"\x00\xff\xfe\x9c garbage \x00"
DEEP_JSON = b"[" * 200_000 + b"]" * 200_000  # RecursionError in a naive decoder
HUGE_TEXT = "Forno Brio " + "buonissimo " * 300_000  # a 3 MB post
IMG = '<img src="https://tracker.example/pixel.png">'


def mastodon_status(**fields: object) -> dict:
    return {"id": "1", "content": "<p>Forno Brio</p>", "account": {"acct": "giulia"}, **fields}


def bluesky_post(**record: object) -> dict:
    return {
        "uri": "at://did:plc:x/app.bsky.feed.post/1",
        "author": {"handle": "chiara.bsky.social"},
        "record": {"text": "Forno Brio", **record},
    }


def reddit_listing(*children: dict) -> dict:
    return {"kind": "Listing", "data": {"after": None, "children": [{"kind": "t3", "data": c} for c in children]}}


def reddit_post(**fields: object) -> dict:
    return {"name": "t3_1", "title": "Forno Brio", "selftext": "", "created_utc": 1764000000, **fields}


def atom(entry: str) -> bytes:
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{entry}</feed>'.encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>Forno Brio &lol9;</title></item></channel></rss>"""


def js(value: object) -> bytes:
    return json.dumps(value).encode()


# (name, body, expected status, expected new rows); a comment says what each case is.
JSON_CASES = {
    "mastodon": [
        ("garbage", GARBAGE, "failed", 0),  # binary junk
        ("html", HTML, "failed", 0),  # a captive portal / bot check instead of JSON
        ("deep", DEEP_JSON, "failed", 0),  # nesting beyond the recursion limit
        ("object", js({"statuses": "nope"}), "failed", 0),  # an object where a list belongs
        ("null", b"null", "failed", 0),  # JSON null
        ("odd-types", js([mastodon_status(favourites_count="100", created_at=12345, language=["it"], url=7)]), "ok", 1),
        ("infinite", b'[{"id": "1", "content": "Forno Brio", "favourites_count": Infinity, "reblogs_count": NaN}]', "ok", 1),
        ("huge-count", js([mastodon_status(favourites_count=10**40)]), "ok", 1),  # would overflow Int64
        ("huge-text", js([mastodon_status(content=HUGE_TEXT)]), "ok", 1),  # kept whole
        ("markup-name", js([mastodon_status(account={"acct": IMG + "\n[x](https://evil.example)"}, url="javascript:alert(1)")]), "ok", 1),
        ("all-bad", js([1, "x", None, {"id": []}]), "nothing_new", 0),  # every item malformed, counted
    ],
    "bluesky": [
        ("garbage", GARBAGE, "failed", 0),
        ("html", HTML, "failed", 0),
        ("deep", DEEP_JSON, "failed", 0),
        ("posts-string", js({"posts": "nope"}), "failed", 0),
        ("odd-types", js({"posts": [bluesky_post(langs="it", createdAt=5), {**bluesky_post(), "likeCount": "9"}]}), "ok", 1),
        ("record-string", js({"posts": [{**bluesky_post(), "record": "Forno Brio"}, bluesky_post()]}), "ok", 1),
        ("cursor-object", js({"posts": [bluesky_post()], "cursor": {"url": "https://evil.example"}}), "ok", 1),
        ("markup-name", js({"posts": [{**bluesky_post(), "author": {"handle": IMG}}]}), "ok", 1),
    ],
    "reddit": [
        ("garbage", GARBAGE, "failed", 0),
        ("html", HTML, "failed", 0),
        ("deep", DEEP_JSON, "failed", 0),
        ("children-missing", js({"data": {}}), "failed", 0),
        ("far-future", js(reddit_listing(reddit_post(created_utc=1e20))), "ok", 1),  # date dropped, post kept
        ("odd-types", js(reddit_listing(reddit_post(score="lots", num_comments=-3, permalink=5, title=["x"]), reddit_post(name="t3_2"))), "ok", 1),
        ("markup-name", js(reddit_listing(reddit_post(author=IMG, url="data:text/html,<script>"))), "ok", 1),
        ("after-list", js({**reddit_listing(reddit_post()), "data": {**reddit_listing(reddit_post())["data"], "after": ["x"]}}), "ok", 1),
    ],
}

RSS_CASES = [
    ("garbage", GARBAGE, "failed", 0),
    ("html", HTML, "failed", 0),  # a web page where a feed belongs
    ("json", js({"items": []}), "failed", 0),  # JSON where XML belongs
    ("empty", b"", "failed", 0),
    # Never expanded: the entry keeps "&lol9;" as text, and the feed is reported broken.
    ("entity-bomb", BILLION_LAUGHS, "failed", 1),
    ("markup-name", atom(f"<entry><id>1</id><title>Forno Brio</title><author><name>{IMG.replace('<', '&lt;')}</name></author><link href='javascript:alert(1)'/></entry>"), "ok", 1),
    ("huge-text", atom(f"<entry><id>1</id><title>{HUGE_TEXT}</title></entry>"), "ok", 1),
]

QUERY = {"brand_terms": ["Forno Brio"], "limits": {"retries": 0, "max_pages": 1}}


def serve(server: FixtureServer, kind: str, body: bytes) -> ListeningQuery:
    """Route ``body`` where ``kind`` reads its posts; return a query for that source."""
    sources: dict[str, dict] = {
        "mastodon": {"instance": server.base, "hashtags": ["fornobrio"], "search": False},
        "bluesky": {"public_url": server.url("/xrpc"), "base_url": server.url("/xrpc")},
        "reddit": {"client_id_env": "TEST_R_ID", "client_secret_env": "TEST_R_SECRET", "auth_url": server.base, "api_url": server.url("/oauth")},
        "rss": {"url": server.url("/feed.xml"), "require_terms": False},
    }
    paths = {
        "mastodon": ("GET", "/api/v1/timelines/tag/fornobrio"),
        "bluesky": ("GET", "/xrpc/app.bsky.feed.searchPosts"),
        "reddit": ("GET", "/oauth/search"),
        "rss": ("GET", "/feed.xml"),
    }
    server.route("POST", "/api/v1/access_token", Reply(file="reddit_token.json"))
    method, path = paths[kind]
    server.route(method, path, Reply(body=body))
    return ListeningQuery.from_dict({**QUERY, "sources": {kind: sources[kind]}})


def check(run: Callable[[], object], status: str, new: int) -> None:
    result = run()
    source = result.report.sources[0]  # type: ignore[attr-defined]
    assert source.message_key != "fetch.error.unexpected", source.params
    assert (source.status, source.new) == (status, new)
    for lang in ("it", "en"):
        assert all(isinstance(line, str) and line for line in result.report.lines(lang))  # type: ignore[attr-defined]
    assert dict(result.mentions.schema) == {c: MENTION_SCHEMA[c] for c in result.mentions.columns}  # type: ignore[attr-defined]
    return result  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "case", "body", "status", "new"),
    [pytest.param(kind, *case, id=f"{kind}-{case[0]}") for kind, cases in JSON_CASES.items() for case in cases],
)
def test_hostile_json_payload_never_crashes(
    server: FixtureServer, client: FetchClient, monkeypatch: pytest.MonkeyPatch, kind: str, case: str, body: bytes, status: str, new: int
) -> None:
    monkeypatch.setenv("TEST_R_ID", "id")
    monkeypatch.setenv("TEST_R_SECRET", "secret")
    query = serve(server, kind, body)
    result = check(lambda: fetch_mentions(query, client=client), status, new)
    if case == "markup-name":
        row = result.mentions.row(0, named=True)
        assert IMG in (row["author"] or "")  # kept literally: rendering it safely is the UI's job
        assert "\n" not in row["author"]  # no line breaks to disguise a name
        assert row["url"] is None or row["url"].startswith("https://")  # never javascript: or data:
    if case == "huge-text":
        assert result.mentions["text"][0].count("buonissimo") == 300_000


@pytest.mark.parametrize(("case", "body", "status", "new"), [pytest.param(*c, id=c[0]) for c in RSS_CASES])
def test_hostile_feed_never_crashes(server: FixtureServer, client: FetchClient, case: str, body: bytes, status: str, new: int) -> None:
    query = serve(server, "rss", body)
    result = check(lambda: fetch_mentions(query, client=client), status, new)
    if case == "markup-name":
        row = result.mentions.row(0, named=True)
        assert row["author"] == IMG and row["url"] is None
    if case == "entity-bomb":
        assert result.mentions["text"].str.len_chars().max() < 100


@pytest.mark.parametrize(
    ("link", "status", "key"),
    [
        ('<javascript:alert(1)>; rel="next"', "failed", "fetch.error.malformed"),  # not a web address
        ('<http://[::1>; rel="next"', "failed", "fetch.error.malformed"),  # an unparseable address
        ('<>; rel="next"', "ok", None),  # an empty link: the last page
        ("garbage;;,,<", "ok", None),  # no next link at all
    ],
)
def test_hostile_mastodon_link_header_never_crashes(
    server: FixtureServer, client: FetchClient, link: str, status: str, key: str | None
) -> None:
    body = js([mastodon_status()])
    server.route("GET", "/api/v1/timelines/tag/fornobrio", Reply(body=body, headers=(("Link", link),)))
    query = ListeningQuery.from_dict({**QUERY, "sources": {"mastodon": {"instance": server.base, "hashtags": ["fornobrio"], "search": False}}})
    source = fetch_mentions(query, client=client).report.sources[0]
    assert (source.status, source.message_key, source.new) == (status, key, 1)  # the page itself is kept
