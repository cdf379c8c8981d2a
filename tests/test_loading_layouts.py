"""Auto-mapping: listening-tool layouts (Meltwater, Brandwatch, Talkwalker), proposals and touchpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.loading import ColumnMapping, MappingNeeded, load_mentions, propose_mapping
from ascolto_core.loading.mapping import MappingProblem
from ascolto_core.loading.touchpoints import derive_touchpoints

MELTWATER_HEADER = [
    "Date", "Time", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer", "Country",
    "Reach", "Engagement", "Sentiment", "Keywords", "Source Type", "Source Name", "Author Handle", "Language",
]  # fmt: skip


def _meltwater_bytes() -> bytes:
    rows = [
        ["24-Nov-2026", "06:05 PM", "", "https://twitter.com/anna/status/1", "", "@FornoBrio il cornetto oggi era bruciato", "Twitter", "Anna", "Italy", "1200", "15", "Negative", "Forno Brio", "Twitter", "Twitter", "@anna", "it"],
        ["24-Nov-2026", "09:30 AM", "Forno Brio apre a Bologna", "https://www.ilrestodelcarlino.it/bologna/forno-brio", "Il forno modenese apre il terzo punto vendita...", "", "Il Resto del Carlino", "Redazione", "Italy", "85000", "0", "Neutral", "Forno Brio", "Online News", "Il Resto del Carlino", "", "it"],
        ["25-Nov-2026", "11:15 PM", "", "https://www.facebook.com/fornobrio/posts/2", "", "Best focaccia in Modena!", "Facebook", "John", "Italy", "300", "42", "Positive", "Forno Brio", "Facebook", "Facebook", "john.s", "en"],
    ]  # fmt: skip
    # Meltwater: a junk first line, tab-separated, UTF-16 with a BOM.
    lines = ["Meltwater export - Forno Brio - 25 Nov 2026", "\t".join(MELTWATER_HEADER), *("\t".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-16")


def _brandwatch_csv() -> str:
    preamble = [
        "Brandwatch,,,,,,,,,,",
        "Report:,Forno Brio mentions,,,,,,,,,",
        "Date Range:,2026-11-01 - 2026-11-30,,,,,,,,,",
        "Query Id,Query Name,Date,Title,Url,Domain,Page Type,Author,Full Text,Snippet,Sentiment,Impressions,Likes",
    ]
    # The preamble lines have fewer fields than the header: the header row is found by shape and known names.
    preamble = [p.rstrip(",") for p in preamble[:3]] + preamble[3:]
    rows = [
        '1,Forno Brio,2026-11-24 18:05:00.0,,https://www.tripadvisor.it/ShowUserReviews-1,tripadvisor.it,review,Luca,"Ottima colazione, personale gentile",,positive,,',
        '1,Forno Brio,2026-11-24 19:10:00.0,Problemi app,https://www.reddit.com/r/modena/comments/x,reddit.com,forum,u/mod,,"L\'app di Forno Brio non carica...",negative,150,3',
        '1,Forno Brio,2026-11-25 07:45:00.0,,https://www.instagram.com/p/abc,instagram.com,instagram,giuli,Colazione 😍 #fornobrio,,positive,2300,87',
    ]
    return "\n".join(preamble + rows) + "\n"


def _talkwalker_json() -> str:
    records = [
        {"published": 1795541100000, "indexed": 1795541200000, "content": "Il nuovo panettone di Forno Brio è spaziale", "title": "", "url": "https://www.instagram.com/p/xyz", "source_type": ["SOCIALMEDIA", "SOCIALMEDIA_INSTAGRAM"], "reach": 5400, "engagement": 230, "lang": "it", "extra_author_attributes": {"name": "Chiara B.", "gender": "FEMALE"}},
        {"published": 1795627500000, "indexed": 1795627600000, "content": "", "title": "Forno Brio, il caso dei ritardi", "url": "https://www.gazzettadimodena.it/cronaca/forno-brio", "source_type": ["ONLINENEWS"], "reach": 40000, "engagement": 12, "lang": "it", "extra_author_attributes": {"name": "Redazione"}},
    ]  # fmt: skip
    return json.dumps({"pagination": {"next": None}, "result_content": {"data": records}} | {"data": records}, ensure_ascii=False)


def test_meltwater_export(tmp_path: Path) -> None:
    path = tmp_path / "meltwater.csv"
    path.write_bytes(_meltwater_bytes())
    result = load_mentions(path)
    report, mentions = result.report, result.mentions
    assert (report.layout, report.encoding, report.delimiter) == ("meltwater", "utf-16", "\t")
    assert report.columns == {
        "text": "Hit Sentence",
        "created_at": "Date",
        "time": "Time",
        "author": "Author Handle",
        "source": "Source Name",
        "channel": "Source Type",
        "url": "URL",
        "lang": "Language",
        "title": "Headline",
        "text_alt": "Opening Text",
        "engagement": "Engagement",
        "reach": "Reach",
        "label": "Sentiment",
    }
    # The news item has no Hit Sentence: its Opening Text is used.
    assert mentions["text"].to_list() == [
        "@FornoBrio il cornetto oggi era bruciato",
        "Il forno modenese apre il terzo punto vendita...",
        "Best focaccia in Modena!",
    ]
    assert mentions["created_at"].to_list() == [
        datetime(2026, 11, 24, 17, 5, tzinfo=UTC),
        datetime(2026, 11, 24, 8, 30, tzinfo=UTC),
        datetime(2026, 11, 25, 22, 15, tzinfo=UTC),
    ]
    assert mentions["touchpoint"].to_list() == ["x", "news", "facebook"]
    assert mentions["label"].to_list() == ["negative", "neutral", "positive"]
    # Engagement total with no split goes to likes, said in the report; the original column stays.
    assert mentions["likes"].to_list() == [15, 0, 42]
    assert ("load.note_engagement_as_likes", {"column": "Engagement"}) in report.notes
    assert "Engagement" in mentions.columns
    assert ("load.note_header_row", {"row": 2}) in report.notes


def test_brandwatch_export_with_preamble(tmp_path: Path) -> None:
    path = tmp_path / "brandwatch.csv"
    path.write_text(_brandwatch_csv(), encoding="utf-8")
    result = load_mentions(path)
    mentions = result.mentions
    assert result.report.layout == "brandwatch"
    assert result.report.rows_read == 3
    assert mentions["text"].to_list() == [
        "Ottima colazione, personale gentile",
        "L'app di Forno Brio non carica...",  # Snippet used where Full Text is empty
        "Colazione 😍 #fornobrio",
    ]
    assert mentions["touchpoint"].to_list() == ["tripadvisor", "forum", "instagram"]
    assert mentions["author"].to_list() == ["Luca", "u/mod", "giuli"]
    assert mentions["reach"].to_list() == [None, 150, 2300]
    assert mentions["created_at"][0] == datetime(2026, 11, 24, 17, 5, tzinfo=UTC)
    assert ("load.note_header_row", {"row": 4}) in result.report.notes


def test_brandwatch_excel_with_preamble(tmp_path: Path) -> None:
    # Brandwatch's xlsx exports also put a few lines above the header.
    path = tmp_path / "brandwatch.xlsx"
    csv_rows = [line for line in pl.read_csv(_brandwatch_csv().encode(), skip_lines=3, infer_schema=False).iter_rows()]
    header = list(pl.read_csv(_brandwatch_csv().encode(), skip_lines=3, infer_schema=False).columns)
    width = len(header)
    grid = [["Brandwatch"] + [None] * (width - 1), ["Report:", "Forno Brio mentions"] + [None] * (width - 2), [None] * width, header, *[list(r) for r in csv_rows]]
    pl.DataFrame(grid, orient="row", schema=[f"c{i}" for i in range(width)]).write_excel(path, include_header=False)
    result = load_mentions(path)
    assert result.report.layout == "brandwatch"
    assert result.mentions["touchpoint"].to_list() == ["tripadvisor", "forum", "instagram"]
    assert ("load.note_header_row", {"row": 4}) in result.report.notes


def test_talkwalker_json_with_nested_author(tmp_path: Path) -> None:
    path = tmp_path / "talkwalker.json"
    records = json.loads(_talkwalker_json())["data"]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = load_mentions(path)
    mentions = result.mentions
    assert result.report.layout == "talkwalker"
    assert result.report.columns["author"] == "extra_author_attributes.name"
    assert mentions["author"].to_list() == ["Chiara B.", "Redazione"]
    assert mentions["text"].to_list() == ["Il nuovo panettone di Forno Brio è spaziale", "Forno Brio, il caso dei ritardi"]
    # "published" in epoch milliseconds.
    assert mentions["created_at"].to_list() == [datetime(2026, 11, 24, 17, 25, tzinfo=UTC), datetime(2026, 11, 25, 17, 25, tzinfo=UTC)]
    assert mentions["touchpoint"].to_list() == ["instagram", "news"]
    assert mentions["reach"].to_list() == [5400, 40000]


def test_talkwalker_csv_flattened(tmp_path: Path) -> None:
    path = tmp_path / "talkwalker.csv"
    path.write_text(
        "published,content,title,url,source_type,reach,engagement,extra_author_attributes.name,lang\n"
        "1795541100000,Coda infinita oggi,,https://x.com/a/status/1,SOCIALMEDIA_TWITTER,900,4,Bea,it\n",
        encoding="utf-8",
    )
    result = load_mentions(path)
    assert result.report.layout == "talkwalker"
    assert result.mentions.select("text", "touchpoint", "author", "lang").row(0) == ("Coda infinita oggi", "x", "Bea", "it")


def test_no_text_column_asks_the_person_with_a_proposal(tmp_path: Path) -> None:
    path = tmp_path / "notext.csv"
    path.write_text("Quando,Chi,Colonna X\n24/11/2026,Ugo,Il pane era ottimo\n", encoding="utf-8")
    with pytest.raises(MappingNeeded) as caught:
        load_mentions(path)
    proposal = caught.value.proposal
    assert proposal.source_columns == ("Quando", "Chi", "Colonna X")
    assert proposal.chosen["text"] is None
    assert MappingProblem("load.problem_missing", "text") in proposal.problems
    assert "testo" in caught.value.message("it") and "text" in caught.value.message("en")
    # The person chooses; the load then works.
    result = load_mentions(path, mapping=ColumnMapping({"text": "Colonna X", "created_at": "Quando", "author": "Chi"}))
    assert result.mentions.select("text", "author").row(0) == ("Il pane era ottimo", "Ugo")
    assert result.mentions["created_at"].to_list() == [datetime(2026, 11, 23, 23, 0, tzinfo=UTC)]


def test_two_date_columns_are_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "twodates.csv"
    path.write_text("testo,data,data pubblicazione\nciao,24/11/2026,25/11/2026\n", encoding="utf-8")
    proposal = propose_mapping(path)
    assert proposal.problems == (MappingProblem("load.problem_ambiguous", "created_at", ("data", "data pubblicazione")),)
    assert proposal.options("created_at")[:3] == (None, "data", "data pubblicazione")
    with pytest.raises(MappingNeeded):
        load_mentions(path)
    chosen = load_mentions(path, mapping={"created_at": "data pubblicazione"})
    assert chosen.mentions["created_at"].to_list() == [datetime(2026, 11, 24, 23, 0, tzinfo=UTC)]
    assert "data" in chosen.mentions.columns  # the other date column is kept, not lost


def test_mapping_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("testo\nciao\n", encoding="utf-8")
    with pytest.raises(Exception) as unknown_column:
        load_mentions(path, mapping={"text": "Messaggio"})
    assert unknown_column.value.key == "load.mapping_unknown_column"  # type: ignore[attr-defined]
    with pytest.raises(Exception) as unknown_field:
        ColumnMapping({"testo": "testo"})
    assert unknown_field.value.key == "load.mapping_unknown_field"  # type: ignore[attr-defined]


def test_missing_date_column_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "nodate.csv"
    path.write_text("commento\nbello\n", encoding="utf-8")
    result = load_mentions(path)
    assert result.mentions["created_at"].to_list() == [None]
    assert ("load.problem_no_date", {"field": "created_at"}) in result.report.notes


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("Facebook", None, "facebook"),  # plain source name
        (None, "https://m.facebook.com/fornobrio/posts/1", "facebook"),  # mobile Facebook link
        (None, "https://fb.com/x", "facebook"),  # short domain
        ("Facebook Messenger", None, "chat"),  # Messenger is a chat even though Facebook owns it
        ("WhatsApp Business", None, "chat"),  # WhatsApp
        ("Email assistenza", None, "email"),  # email wins over "assistenza"
        ("Recensioni Google", None, "google_reviews"),  # Italian name of Google reviews
        (None, "https://g.page/r/fornobrio/review", "google_reviews"),  # Google Business short link
        (None, "https://www.google.com/maps/place/Forno+Brio", "google_reviews"),  # Maps link
        ("TripAdvisor", None, "tripadvisor"),  # source name
        (None, "https://www.tripadvisor.co.uk/Restaurant_Review-g1", "tripadvisor"),  # any TripAdvisor domain
        (None, "https://x.com/fornobrio/status/1", "x"),  # x.com
        ("Tweet", None, "x"),  # "tweet" means X
        ("Punto vendita Modena", None, "store"),  # in-store feedback
        (None, "https://www.fornobrio.it/contatti", "website"),  # the brand's own site
        ("Online News", None, "news"),  # Meltwater source type
        ("Reddit", None, "forum"),  # forums
        ("Qualcosa di strano", None, "other"),  # nothing matches
        (None, None, "other"),  # nothing at all
    ],
)
def test_touchpoint_rules(source: str | None, url: str | None, expected: str) -> None:
    result = derive_touchpoints(
        length=1,
        source=pl.Series([source], dtype=pl.String),
        url=pl.Series([url], dtype=pl.String),
    )
    assert result.to_list() == [expected]


def test_touchpoint_column_wins_and_canonical_keys_pass() -> None:
    result = derive_touchpoints(
        length=3,
        touchpoint=pl.Series(["google_reviews", "Negozio", None]),
        source=pl.Series(["Facebook", "Facebook", "Instagram"]),
    )
    assert result.to_list() == ["google_reviews", "store", "instagram"]


def test_demo_style_canonical_file_maps_every_column(tmp_path: Path) -> None:
    path = tmp_path / "canonical.csv"
    path.write_text(
        "id,text,created_at,touchpoint,source,author,url,lang,likes,shares,comments,reach,rating,brand,label,label_emotion,kind\n"
        "d1,Ottimo,2026-05-05T12:06:13+02:00,google_reviews,Google Maps,Nicola,,it,,,,,5,Forno Brio,positive,joy,praise\n",
        encoding="utf-8",
    )
    result = load_mentions(path)
    assert set(result.report.columns) == set(result.report.columns) & {*result.mentions.columns}
    assert result.report.unmapped_columns == ("kind",)
    assert result.mentions.row(0, named=True) | {"created_at": None} == {
        "id": "d1", "text": "Ottimo", "created_at": None, "touchpoint": "google_reviews", "source": "Google Maps",
        "author": "Nicola", "url": None, "lang": "it", "likes": None, "shares": None, "comments": None, "reach": None,
        "rating": 5.0, "brand": "Forno Brio", "label": "positive", "label_emotion": "joy", "reply_to": None,
        "kind": "praise",
    }  # fmt: skip
