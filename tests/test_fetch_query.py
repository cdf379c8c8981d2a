"""The listening query file: the shipped example, validation messages, matching rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.errors import AscoltoError
from ascolto_core.fetch.query import BlueskySource, ListeningQuery, MastodonSource, RedditSource, RssSource

EXAMPLE = PROJECT_ROOT / "config" / "listening.example.yaml"


def test_the_example_query_describes_forno_brio() -> None:
    query = ListeningQuery.from_yaml(EXAMPLE)
    assert (query.brand, query.brand_terms, query.hashtags, query.languages) == (
        "Forno Brio",
        ("Forno Brio", "fornobrio"),
        ("fornobrio",),
        ("it", "en"),
    )
    assert [type(s) for s in query.sources] == [RssSource, MastodonSource, BlueskySource, RedditSource]
    assert [s.label for s in query.sources] == ["Google Alerts", "mastodon:mastodon.uno", "bluesky", "reddit"]
    mastodon = query.sources[1]
    assert (mastodon.base_url, mastodon.token_env) == ("https://mastodon.uno", "MASTODON_TOKEN")
    assert query.sources[2].password_env == "BLUESKY_APP_PASSWORD"
    assert query.sources[3].subreddits == ("bologna",)
    assert (query.limits.max_pages, query.limits.max_items) == (5, 500)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"brand_term": ["x"]}, "brand_term"),  # typo in a top-level name
        ({"brand_terms": {"a": 1}}, "brand_terms"),  # not a list
        ({"sources": {"rss": [{"name": "no url"}]}}, "sources.rss[0].url"),  # url missing
        ({"sources": {"rss": [{"url": "https://a.it/f", "touchpoint": "tiktok"}]}}, "sources.rss[0].touchpoint"),  # unknown channel
        ({"sources": {"mastodon": [{"instance": "m.it", "hashtag": ["x"]}]}}, "sources.mastodon[0].hashtag"),  # typo
        ({"sources": {"twitter": {}}}, "sources.twitter"),  # unsupported source
        ({"sources": ["rss"]}, "sources"),  # not a mapping
        ({"limits": {"max_pages": -1}}, "limits.max_pages"),  # negative
        ({"limits": {"timeout_seconds": "fast"}}, "limits.timeout_seconds"),  # not a number
        ({"limits": {"max_items": 0}}, "limits"),  # zero items makes no sense
        ("just text", "(top level)"),  # not a mapping at all
    ],
)
def test_invalid_queries_name_the_field(data: object, field: str) -> None:
    with pytest.raises(AscoltoError) as caught:
        ListeningQuery.from_dict(data)  # type: ignore[arg-type]
    assert caught.value.key == "fetch.query.invalid"
    assert caught.value.params["field"] == field
    assert field in caught.value.message("en")


def test_unreadable_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as missing:
        ListeningQuery.from_yaml(tmp_path / "none.yaml")
    assert missing.value.key == "fetch.query.not_found"
    broken = tmp_path / "broken.yaml"
    broken.write_text("brand: [unclosed\n", encoding="utf-8")
    with pytest.raises(AscoltoError) as bad:
        ListeningQuery.from_yaml(broken)
    assert bad.value.key == "fetch.query.bad_yaml"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert ListeningQuery.from_yaml(empty) == ListeningQuery()


QUERY = ListeningQuery(
    brand_terms=("Forno Brio",), hashtags=("fornobrio",), excluded_terms=("lavora con noi", "#offerte"), languages=("it", "en")
)


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [
        ("Colazione al Forno Brio", "it", None),  # the brand by name
        ("FORNO BRIO!!!", None, None),  # case ignored; unknown language kept
        ("Fòrno Brìo è il migliore", "it", None),  # accents ignored
        ("Ottimo #fornobrio", "it", None),  # the hashtag
        ("ottimo fornobrio", "it", None),  # the hashtag word without #
        ("Una brioche al forno", "it", "off_topic"),  # "brio" inside another word is not the brand
        ("Forno Brio: lavora con noi", "it", "excluded"),  # excluded phrase wins
        ("Forno Brio #offerte", "it", "excluded"),  # excluded hashtag
        ("Forno Brio est super", "fr", "language"),  # language not asked for
        ("", "it", "off_topic"),  # empty text names nothing
    ],
)
def test_skip_reason(text: str, lang: str | None, reason: str | None) -> None:
    assert QUERY.skip_reason(text, lang) == reason


def test_skip_reason_on_a_huge_text() -> None:
    assert QUERY.skip_reason("pane " * 50_000 + "Forno Brio", "it") is None


def test_without_terms_everything_on_topic() -> None:
    assert ListeningQuery().skip_reason("qualsiasi cosa", None) is None
