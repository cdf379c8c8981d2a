"""RSS 2.0, Atom 1.0, Google Alerts and broken feeds, served from 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.base import html_to_text
from ascolto_core.fetch.http import FetchClient
from ascolto_core.fetch.rss import touchpoint_for, unwrap_link
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

FIXTURES = Path(__file__).parent / "fetch_fixtures"
XML = "application/rss+xml; charset=utf-8"


def rss_query(server: FixtureServer, *paths: str, **extra: object) -> ListeningQuery:
    return ListeningQuery.from_dict(
        {
            "brand": "Forno Brio",
            "brand_terms": ["Forno Brio", "fornobrio"],
            "hashtags": ["fornobrio"],
            "excluded_terms": ["lavora con noi"],
            "sources": {"rss": [{"url": server.url(p)} for p in paths]},
            **extra,
        }
    )


def test_rss2_news_feed_keeps_only_brand_mentions_and_counts_the_rest(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/news.xml", Reply(file="rss2_news.xml", content_type=XML))
    result = fetch_mentions(rss_query(server, "/news.xml"), client=client)
    source = result.report.sources[0]
    assert (source.status, source.fetched, source.new, source.pages) == ("ok", 4, 1, 1)
    # Traffic news and "brioche" are off topic (word boundaries); "lavora con noi" is excluded.
    assert dict(source.skipped) == {"off_topic": 2, "excluded": 1}
    row = result.new.row(0, named=True)
    assert {k: row[k] for k in ("id", "created_at", "touchpoint", "source", "author", "lang", "brand")} == {
        "id": "rss:127.0.0.1:cronaca-bologna-48213",
        "created_at": datetime(2026, 11, 22, 7, 30, tzinfo=UTC),  # +0100 converted to UTC
        "touchpoint": "news",
        "source": "rss:127.0.0.1",
        "author": "Redazione Economia",
        "lang": "it",  # from the channel's <language>it-IT</language>
        "brand": "Forno Brio",
    }
    # HTML became plain text: tags gone, entities decoded, the <script> dropped.
    assert row["text"] == (
        "Forno Brio apre il terzo negozio in centro\n"
        "Il Forno Brio inaugura sabato il nuovo punto vendita in via d\u2019Azeglio.\n"
        "Previste 12 assunzioni & un laboratorio aperto al pubblico."
    )


def test_atom_blog_with_html_and_xhtml_content(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/feed.atom", Reply(file="atom_blog.xml", content_type="application/atom+xml"))
    result = fetch_mentions(rss_query(server, "/feed.atom"), client=client)
    assert result.new.select("text", "touchpoint", "lang", "author").rows() == [
        (
            "Breakfast at Forno Brio\nThe Forno Brio bakery makes the best crescentine I have had.\nPrice: cheap\nQueue: long",
            "news",
            "en",
            "Emma Clarke",
        ),
        # An entry linking to Tripadvisor lands in the Tripadvisor touchpoint.
        ("Tripadvisor round-up: bakeries near the station\nReviewers love fornobrio's focaccia.", "tripadvisor", "en", "Emma Clarke"),
    ]


def test_google_alerts_links_point_to_the_article(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/alerts/feeds/1/2", Reply(file="google_alerts.xml", content_type="application/atom+xml"))
    result = fetch_mentions(rss_query(server, "/alerts/feeds/1/2"), client=client)
    assert result.new.select("url", "touchpoint").rows() == [
        ("https://www.gamberorosso.example/forni-migliori-2027/", "news"),
        ("https://www.tripadvisor.it/Restaurant_Review-g187801-d999-Forno_Brio-Bologna.html", "tripadvisor"),
    ]
    assert result.new["text"][0] == "Il Forno Brio tra i migliori forni d'Italia\nLa guida premia il Forno Brio di Bologna per la sfoglia e il servizio ..."


@pytest.mark.parametrize(
    ("reply", "key"),
    [
        (Reply(file="invalid.xml", content_type="text/html"), "fetch.error.malformed"),  # a login page, not a feed
        (Reply(body=b"", content_type=XML), "fetch.error.malformed"),  # empty body
        (Reply(status=404, body=b"not found"), "fetch.error.not_found"),  # wrong feed address
        (Reply(file="rss2_news.xml", truncate=True), "fetch.error.truncated"),  # connection closed mid-body
    ],
)
def test_broken_feeds_fail_with_a_reason(server: FixtureServer, client: FetchClient, reply: Reply, key: str) -> None:
    server.route("GET", "/feed", reply)
    source = fetch_mentions(rss_query(server, "/feed"), client=client).report.sources[0]
    assert (source.status, source.message_key) == ("failed", key)


def test_xml_cut_short_keeps_the_readable_entries_and_reports_failure(server: FixtureServer, client: FetchClient) -> None:
    body = (FIXTURES / "rss2_news.xml").read_bytes()
    server.route("GET", "/feed", Reply(body=body[: int(len(body) * 0.45)], content_type=XML))
    result = fetch_mentions(rss_query(server, "/feed"), client=client)
    source = result.report.sources[0]
    assert (source.status, source.message_key, source.new) == ("failed", "fetch.error.malformed", 1)
    assert result.new["id"].to_list() == ["rss:127.0.0.1:cronaca-bologna-48213"]


def test_feed_with_no_entries_is_nothing_new(server: FixtureServer, client: FetchClient) -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    server.route("GET", "/feed", Reply(body=empty, content_type=XML))
    source = fetch_mentions(rss_query(server, "/feed"), client=client).report.sources[0]
    assert (source.status, source.fetched, source.message_key) == ("nothing_new", 0, None)


@pytest.mark.parametrize(
    ("url", "touchpoint"),
    [
        ("https://www.reddit.com/r/bologna/comments/x", "forum"),  # reddit thread
        ("https://www.tripadvisor.it/Restaurant_Review-x", "tripadvisor"),  # any tripadvisor country domain
        ("https://m.facebook.com/fornobrio/posts/1", "facebook"),  # subdomain
        ("https://x.com/fornobrio/status/1", "x"),  # X
        ("https://box.com/file", "news"),  # "x.com" inside another name is not X
        (None, "news"),  # no link at all
    ],
)
def test_touchpoint_from_link(url: str | None, touchpoint: str) -> None:
    assert touchpoint_for(url) == touchpoint


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.google.com/url?rct=j&sa=t&url=https://a.example/x&ct=ga", "https://a.example/x"),  # alert redirect
        ("https://www.google.com/search?q=x", "https://www.google.com/search?q=x"),  # other google page kept
        ("https://a.example/x", "https://a.example/x"),  # ordinary link
    ],
)
def test_unwrap_google_redirects(url: str, expected: str) -> None:
    assert unwrap_link(url) == expected


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Ciao &amp; grazie</p><p>Secondo</p>", "Ciao & grazie\nSecondo"),  # entities, paragraphs
        ("a<br/>b", "a\nb"),  # line breaks
        ("<script>alert(1)</script>ok", "ok"),  # scripts dropped
        ("<p>non chiuso <b>grassetto", "non chiuso grassetto"),  # broken markup never raises
        ("", ""),  # empty
        (None, ""),  # absent
    ],
)
def test_html_to_text(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_handles_a_huge_entry() -> None:
    assert len(html_to_text("<p>" + "parola " * 20_000 + "</p>")) == len("parola " * 20_000) - 1
