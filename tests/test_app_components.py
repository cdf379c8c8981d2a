"""The UI helpers that touch untrusted text, colours and the timeline brush."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ui.components import escape_markdown, highlight_drivers, markdown_link, safe_url
from ui.selection import brushed_range
from ui.wordclouds import sentiment_color, terms_for_cloud, wordcloud_png


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A markdown link must not become clickable.
        ("[premio](https://truffa.example)", "\\[premio\\]\\(https\u2060\\:\\/\\/truffa\\.example\\)"),
        # A bare URL, www address or e-mail is not autolinked (an invisible word joiner breaks it).
        ("vedi https://x.example", "vedi https\u2060\\:\\/\\/x\\.example"),
        ("www.x.example o a@b.it", "www\u2060\\.x\\.example o a\u2060\\@b\\.it"),
        # Raw HTML is shown as text, never a tag.
        ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
        # A Streamlit colour directive cannot be injected.
        (":red[allarme finto]", r"\:red\[allarme finto\]"),
        # LaTeX dollars do not open a formula.
        ("costa $5", r"costa \$5"),
        # A heading marker at line start stays a character.
        ("# TITOLONE", r"\# TITOLONE"),
        # Plain Italian text with accents is untouched.
        ("perché è così", "perché è così"),
    ],
)
def test_escape_markdown_neutralises_markup(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def test_escape_markdown_guards_empty_and_huge_input() -> None:
    assert escape_markdown("") == ""
    huge = "a*" * 50_000
    assert escape_markdown(huge).count("\\*") == 50_000


def test_escape_markdown_keeps_line_breaks_and_drops_control_chars() -> None:
    assert escape_markdown("riga uno\r\n    riga due\x00") == "riga uno  \nriga due"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.google.com/maps/review/1", "https://www.google.com/maps/review/1"),  # normal https link
        ("http://example.org/x?y=1", "http://example.org/x?y=1"),  # plain http allowed
        ("javascript:alert(1)", None),  # script scheme refused
        ("JaVaScRiPt:alert(1)", None),  # case games refused
        ("data:text/html,<b>x</b>", None),  # data URL refused
        ("https://exa mple.org", None),  # whitespace inside
        ("//example.org/path", None),  # scheme-relative
        ("", None),  # empty
        (None, None),  # missing
        (42, None),  # not a string
    ],
)
def test_safe_url_only_http_links(url: object, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_highlight_marks_negative_and_positive_drivers() -> None:
    md = highlight_drivers("Servizio lentissimo ma cornetto buono", positive=["buono"], negative=["lento"])
    # Lemma "lento" matches the form "lentissimo"? No: only a short ending is tolerated.
    assert ":red-background[" not in md
    md = highlight_drivers("Cassiera lenta ma cornetto buono", positive=["buono"], negative=["lento"])
    assert ":red-background[lenta]" in md and ":green-background[buono]" in md


def test_highlight_escapes_text_around_drivers() -> None:
    md = highlight_drivers("[clicca](http://x.y) pessimo", negative=["pessimo"])
    assert "[clicca](" not in md and ":red-background[pessimo]" in md


@pytest.mark.parametrize(
    ("net", "expected"),
    [
        (-1.0, "#d64545"),  # fully negative term: the app's negative red
        (1.0, "#2f9e6e"),  # fully positive term: the app's positive green
        (0.0, "#9aa0a6"),  # balanced term: neutral grey
        (None, "#9aa0a6"),  # no analysis: neutral grey
    ],
)
def test_wordcloud_colours_follow_sentiment(net: float | None, expected: str) -> None:
    assert sentiment_color(net) == expected


def test_wordcloud_png_draws_terms_and_refuses_nothing() -> None:
    png = wordcloud_png((("attesa", 30, -0.8), ("cornetto", 20, 0.7)))
    assert png is not None and png.startswith(b"\x89PNG")
    assert wordcloud_png(()) is None


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # Vega-Lite reports Date bounds as epoch milliseconds at UTC midnight.
        ({"selection": {"periodo": {"period": [1789344000000, 1789862400000]}}}, (date(2026, 9, 14), date(2026, 9, 20))),
        # Reversed drag gives the same range.
        ({"selection": {"periodo": {"period": [1789862400000, 1789344000000]}}}, (date(2026, 9, 14), date(2026, 9, 20))),
        # ISO strings are accepted too.
        ({"selection": {"periodo": {"period": ["2026-09-14", "2026-09-20"]}}}, (date(2026, 9, 14), date(2026, 9, 20))),
        # A cleared brush is no range.
        ({"selection": {"periodo": {}}}, None),
        (None, None),
    ],
)
def test_brushed_range(state: dict | None, expected: tuple[date, date] | None) -> None:
    assert brushed_range(state) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # An ordinary link is kept as it is.
        ("https://example.org/a?b=1&c=2", "[Apri](https://example.org/a?b=1&c=2)"),
        # A closing parenthesis cannot end the link early and append markup.
        ("https://example.org/x)![i](http://evil/i.png", "[Apri](https://example.org/x%29!%5Bi%5D%28http://evil/i.png)"),
    ],
)
def test_markdown_link_encodes_what_could_break_out(url: str, expected: str) -> None:
    assert markdown_link("Apri", url) == expected


def test_terms_for_cloud_sizes_each_mood_from_one_top_terms_frame() -> None:
    top = pl.DataFrame(
        {
            "term": ["attesa", "cornetto", "sede"],
            "mentions": [10, 20, 4],
            "share_negative": [0.9, 0.25, 0.0],
            "share_positive": [0.1, 0.75, 0.0],
            "net_sentiment": [-0.8, 0.5, 0.0],
        }
    )
    # Counts per mood come from the shares; a term never in that mood is left out.
    assert terms_for_cloud(top, mood="negative") == (("attesa", 9, -0.8), ("cornetto", 5, 0.5))
    assert terms_for_cloud(top, mood="positive") == (("cornetto", 15, 0.5), ("attesa", 1, -0.8))
    assert terms_for_cloud(top.clear(), mood="negative") == ()


def test_charts_export_as_png() -> None:
    # The Esporta page's PNG buttons: a real image from each chart builder, without a browser.
    from app_data import analysed_mentions
    from ascolto_core.insights import hour_weekday_counts, touchpoint_summary, volume_over_time
    from ui.charts import heatmap_chart, localise, sentiment_mix_chart, timeline_chart
    from ui.export import chart_png

    mentions = analysed_mentions()
    charts = [
        timeline_chart(
            volume_over_time(mentions, freq="week", split="sentiment", tz="Europe/Rome"),
            split="sentiment", freq="week", lang="it", selectable=False,
        ),
        sentiment_mix_chart(touchpoint_summary(mentions), "it"),
        heatmap_chart(hour_weekday_counts(mentions, "Europe/Rome"), "it"),
    ]
    for chart in charts:
        png = chart_png(localise(chart, "it"))
        assert png.startswith(b"\x89PNG") and len(png) > 5_000
