"""Bounded fetches (issue 8, items 13 and 14): a total deadline and a size cap per source,
redirect loops named in words, one malformed item skipped and counted instead of the page.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import time

import httpx
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.http import FetchClient, HttpPolicy, SourceError
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps, stranger  # noqa: F401

RSS = "application/rss+xml; charset=utf-8"
TAG = "/api/v1/timelines/tag/fornobrio"


def feeds_query(*urls: str, **limits: object) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand_terms": ["Forno Brio"],
            "sources": {"rss": [{"url": url, "name": f"feed{i}"} for i, url in enumerate(urls)]},
            "limits": {"retries": 0, **limits},
        }
    )


@pytest.mark.parametrize(
    "trickle_head",
    [
        False,  # headers at once, then the body one byte per second
        True,  # even the status line and headers one byte per second (httpx sees no response yet)
    ],
)
def test_a_trickling_server_fails_at_the_deadline_and_the_others_still_run(
    server: FixtureServer, stranger: FixtureServer, trickle_head: bool
) -> None:
    # One byte per second never trips a per-read timeout (15 s here): only the total deadline stops it.
    server.route("GET", "/slow.xml", Reply(file="rss2_news.xml", content_type=RSS, trickle=1.0, trickle_head=trickle_head))
    stranger.route("GET", "/feed.xml", Reply(file="rss2_news.xml", content_type=RSS))
    query = feeds_query(server.url("/slow.xml"), stranger.url("/feed.xml"), deadline_seconds=2, timeout_seconds=15)
    started = time.monotonic()
    result = fetch_mentions(query)
    elapsed = time.monotonic() - started
    slow, healthy = result.report.sources
    assert (slow.status, slow.message_key, dict(slow.params)) == ("failed", "fetch.error.deadline", {"seconds": 2})
    assert healthy.status == "ok" and healthy.new > 0
    assert elapsed < 6  # 2 s deadline + one trickled byte + the healthy feed
    assert "2 secondi" in slow.reason("it") and "2 seconds" in slow.reason("en")


def test_the_deadline_covers_every_page_not_each_request(server: FixtureServer) -> None:
    # Each page answers within its timeout, but together they outlast the source's deadline.
    link = (("Link", '<{base}/api/v1/timelines/tag/fornobrio?max_id=1>; rel="next"'),)
    server.route("GET", TAG, Reply(file="mastodon_tag_page1.json", headers=link, delay=0.7))
    query = ListeningQuery.from_dict(
        {
            "hashtags": ["fornobrio"],
            "sources": {"mastodon": {"instance": server.base}},
            "limits": {"deadline_seconds": 2, "max_pages": 50, "retries": 0},
        }
    )
    source = fetch_mentions(query).report.sources[0]
    assert (source.status, source.message_key) == ("failed", "fetch.error.deadline")
    assert 2 <= source.pages <= 3 and source.new == 2  # pages fetched in time are kept


def test_a_retry_wait_longer_than_the_deadline_fails_at_once(server: FixtureServer, sleeps: list[float]) -> None:
    # Retry-After 30 s is acceptable by itself (max 60) but not within a 5 s deadline.
    server.route("GET", "/x", Reply(status=503, headers=(("Retry-After", "30"),)))
    with FetchClient(HttpPolicy(retries=2), sleep=sleeps.append) as patient:
        with patient.deadline(5), pytest.raises(SourceError) as caught:
            patient.get_bytes(server.url("/x"))
    assert (caught.value.key, sleeps) == ("fetch.error.deadline", [])


@pytest.mark.parametrize(
    ("reply", "limit_mb"),
    [
        # A body larger than the limit, announced by Content-Length: refused before reading it.
        (Reply(body=b"<rss>" + b"x" * 3000 + b"</rss>", content_type=RSS), 0.001),
        # The same without Content-Length (read until the connection closes): stopped while reading.
        (Reply(body=b"<rss>" + b"x" * 3000 + b"</rss>", content_type=RSS, announce_length=False), 0.001),
    ],
)
def test_a_body_over_max_megabytes_fails_the_source(server: FixtureServer, reply: Reply, limit_mb: float) -> None:
    server.route("GET", "/big.xml", reply)
    source = fetch_mentions(feeds_query(server.url("/big.xml"), max_megabytes=limit_mb)).report.sources[0]
    assert (source.status, source.message_key, dict(source.params)) == ("failed", "fetch.error.too_large", {"megabytes": 0.001})
    assert "max_megabytes" in source.reason("it")


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"deadline_seconds": 0}, "limits"),  # no time at all: nonsense
        ({"max_megabytes": 0}, "limits"),  # no bytes at all: nonsense
        ({"deadline_seconds": "a minute"}, "limits.deadline_seconds"),  # not a number
    ],
)
def test_limits_are_validated(limits: dict, field: str) -> None:
    with pytest.raises(AscoltoError) as caught:
        ListeningQuery.from_dict({"limits": limits})
    assert caught.value.params["field"] == field


def test_default_limits_are_bounded() -> None:
    limits = ListeningQuery.from_dict({}).limits
    assert limits.deadline_seconds <= 60 and limits.max_megabytes == 20


def test_a_redirect_loop_is_named_in_words(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/a.xml", Reply(status=302, headers=(("Location", "/b.xml"),)))
    server.route("GET", "/b.xml", Reply(status=302, headers=(("Location", "/a.xml"),)))
    source = fetch_mentions(feeds_query(server.url("/a.xml")), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("failed", "fetch.error.redirect_loop")
    line = " ".join(source.lines("it"))
    assert "rimanda" in line and "imprevisto" not in line and "TooManyRedirects" not in line


def mastodon_page(*statuses: object) -> bytes:
    return json.dumps(list(statuses)).encode()


GOOD = {"id": "1", "content": "<p>Forno Brio, sfogliatella perfetta</p>", "account": {"acct": "giulia"}}
GOOD2 = {"id": "2", "content": "<p>Forno Brio ancora top</p>", "account": {"acct": "marco"}}


@pytest.mark.parametrize(
    "odd",
    [
        {"id": "9", "content": "<p>Forno Brio</p>", "account": "not-an-object"},  # account is a string
        {"id": "9", "content": ["Forno Brio"]},  # content is a list
        {"id": {"nested": 1}, "content": "Forno Brio"},  # id is an object
        "a bare string where a status belongs",  # not an object at all
        {"id": "9", "content": "Forno Brio", "reblog": 42},  # boost of a number
    ],
)
def test_one_malformed_item_is_skipped_and_counted(server: FixtureServer, client: FetchClient, odd: object) -> None:
    server.route("GET", TAG, Reply(body=mastodon_page(GOOD, odd, GOOD2)))
    query = ListeningQuery.from_dict(
        {"brand_terms": ["Forno Brio"], "hashtags": ["fornobrio"], "sources": {"mastodon": {"instance": server.base}}}
    )
    result = fetch_mentions(query, client=client)
    source = result.report.sources[0]
    assert (source.status, source.new, dict(source.skipped)) == ("ok", 2, {"malformed": 1})
    assert "1 scartate perché malformate" in " ".join(source.lines("it"))


def test_the_deadline_also_cuts_a_trickling_tls_connection(server: FixtureServer, tmp_path) -> None:  # noqa: ANN001
    # Real services speak TLS: cutting the socket must work under an SSLSocket, reused or new.
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    base = server.use_tls(str(cert), str(key))
    server.route("GET", "/ok", Reply(body=b"{}"))
    server.route("GET", "/slow", Reply(body=b"x" * 100, trickle=0.5, trickle_head=True))
    transport = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=str(cert)))
    with FetchClient(HttpPolicy(timeout=15, retries=0), transport=transport) as tls:
        assert tls.get_bytes(base + "/ok") == b"{}"  # opens the connection the slow request reuses
        started = time.monotonic()
        with tls.deadline(1.5), pytest.raises(SourceError) as caught:
            tls.get_bytes(base + "/slow")
        assert caught.value.key == "fetch.error.deadline" and time.monotonic() - started < 4
        assert tls.get_bytes(base + "/ok") == b"{}"  # the client still works afterwards
