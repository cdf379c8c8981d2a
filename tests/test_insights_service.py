"""Own voice, response times, brand recognition, aspects and the ``summary`` command (issue 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.cli import main
from ascolto_core.insights import MentionFilter, apply_filter, filter_options
from ascolto_core.insights.aspects import AspectTaxonomy, annotate_aspects, aspect_summary, aspect_touchpoint_matrix
from ascolto_core.insights.competitors import recognise_brands, share_of_voice
from ascolto_core.insights.responses import (
    ResponseSummary,
    conversation,
    response_summary,
    response_times,
    unanswered,
    weekend_gap,
)
from ascolto_core.insights.voice import mark_own
from ascolto_core.profile import BrandProfile, Competitor

T0 = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)  # a Monday, 11:00 in Rome
PROFILE = BrandProfile(
    brand="Forno Brio",
    aliases=("Brio Club",),
    competitors=(Competitor("Dolce Sosta", ("dolcesostacaffe",)),),
    own_accounts=("@fornobrio", "Forno Brio"),
)


def post(pid: str, minutes: float, author: str, *, reply_to: str | None = None, sentiment: str = "negative",
         question: bool = False, touchpoint: str = "x", text: str = "testo", brand: str | None = None) -> dict:
    return {
        "id": pid, "text": text, "created_at": T0 + timedelta(minutes=minutes), "author": author,
        "reply_to": reply_to, "sentiment": sentiment, "is_question": question, "touchpoint": touchpoint, "brand": brand,
    }


def frame(*rows: dict) -> pl.DataFrame:
    schema = {"id": pl.String, "text": pl.String, "created_at": pl.Datetime("us", "UTC"), "author": pl.String,
              "reply_to": pl.String, "sentiment": pl.String, "is_question": pl.Boolean, "touchpoint": pl.String,
              "brand": pl.String}
    return mark_own(pl.DataFrame(list(rows), schema=schema), PROFILE)


# --------------------------------------------------------------------------- own voice


@pytest.mark.parametrize(
    ("author", "own"),
    [
        ("@fornobrio", True),  # the handle as configured
        ("@FornoBrio", True),  # case does not matter
        ("fornobrio", True),  # with or without "@"
        ("  Forno  Brio ", True),  # a page name, odd spaces
        ("@fornobrio_fan", False),  # a customer whose handle starts like the brand's
        (None, False),  # no author: a customer's
    ],
)
def test_mark_own_recognises_the_brand_accounts(author: str | None, own: bool) -> None:
    marked = mark_own(pl.DataFrame({"author": [author]}, schema={"author": pl.String}), PROFILE)
    assert marked["is_own"].to_list() == [own]


def test_the_shared_filter_keeps_own_posts_apart_by_default() -> None:
    data = frame(post("a", 0, "cliente"), post("b", 10, "@fornobrio", reply_to="a", sentiment="neutral"))
    assert apply_filter(data, MentionFilter())["id"].to_list() == ["a"]  # customers (default)
    assert apply_filter(data, MentionFilter(voice="own"))["id"].to_list() == ["b"]
    assert apply_filter(data, MentionFilter(voice="all"))["id"].to_list() == ["a", "b"]
    assert filter_options(data).own_posts == 1  # counted apart, for the sidebar


def test_a_table_without_is_own_is_all_customers() -> None:
    data = pl.DataFrame({"id": ["a"], "text": ["x"]})
    assert apply_filter(data, MentionFilter()).height == 1
    assert apply_filter(data, MentionFilter(voice="own")).height == 0


# --------------------------------------------------------------------------- response times


def test_first_reply_time_share_and_unanswered() -> None:
    data = frame(
        post("a", 0, "cliente1"),  # complaint, answered after 30 min
        post("b", 5, "cliente2", sentiment="neutral", question=True),  # question, answered after 2 h
        post("c", 20, "cliente3"),  # complaint, never answered
        post("d", 25, "cliente4", sentiment="positive"),  # praise: nothing to answer
        post("r1", 30, "@fornobrio", reply_to="a", sentiment="neutral"),
        post("r2", 125, "Forno Brio", reply_to="b", sentiment="neutral"),
    )
    assert response_summary(data) == ResponseSummary(
        answerable=3, answered=2, answered_share=pytest.approx(2 / 3), median_first_response_minutes=75.0,
        p90_first_response_minutes=pytest.approx(30 + 0.9 * 90), unanswered=1,
    )
    assert unanswered(data)["id"].to_list() == ["c"]


@pytest.mark.parametrize(
    ("replies", "minutes"),
    [
        ([post("r", -5, "@fornobrio", reply_to="a")], None),  # a reply before the post (clock skew) is ignored
        ([post("r", 15, "cliente9", reply_to="a")], None),  # another customer's reply is not the brand's
        ([post("r1", 90, "@fornobrio", reply_to="a"), post("r2", 40, "@fornobrio", reply_to="a")], 40.0),  # several: the first counts
        ([post("r", 60, "@fornobrio", reply_to="zzz")], None),  # a reply to a post not in the data
    ],
)
def test_which_reply_counts(replies: list[dict], minutes: float | None) -> None:
    # The brand posts something else too, so its accounts are known in every case.
    summary = response_summary(frame(post("a", 0, "cliente"), post("news", 1, "@fornobrio", sentiment="neutral"), *replies))
    assert summary.median_first_response_minutes == minutes
    assert summary.answered == (0 if minutes is None else 1)


def test_time_zones_do_not_change_the_minutes() -> None:
    # The same instants written with other offsets: 11:00+02:00 is 09:00 UTC, 12:30+03:00 is 09:30 UTC.
    rome, moscow = timezone(timedelta(hours=2)), timezone(timedelta(hours=3))
    data = pl.DataFrame(
        {"id": ["a", "r"], "text": ["x", "y"], "author": ["c", "@fornobrio"], "reply_to": [None, "a"],
         "sentiment": ["negative", "neutral"],
         "created_at": [datetime(2026, 9, 14, 11, 0, tzinfo=rome), datetime(2026, 9, 14, 12, 30, tzinfo=moscow)]},
    )
    data = mark_own(data.with_columns(pl.col("created_at").dt.convert_time_zone("UTC")), PROFILE)
    assert response_summary(data).median_first_response_minutes == 30.0


def test_without_reply_links_every_figure_is_none() -> None:
    data = frame(post("a", 0, "cliente"), post("b", 1, "@fornobrio", sentiment="neutral"))
    assert response_summary(data) == ResponseSummary(None, None, None, None, None, None, "no_reply_links")
    assert response_times(data).is_empty() and unanswered(data).is_empty() and weekend_gap(data) is None


def test_without_own_accounts_the_figures_say_so() -> None:
    data = mark_own(frame(post("a", 0, "c"), post("b", 5, "d", reply_to="a")), BrandProfile())
    assert response_summary(data).missing == "no_own_posts"


def test_complaints_about_a_competitor_are_not_answerable() -> None:
    data = frame(post("a", 0, "c1", brand="Forno Brio"), post("b", 0, "c2", brand="Dolce Sosta"))
    data = data.vstack(frame(post("r", 10, "@fornobrio", reply_to="a", sentiment="neutral")))
    assert response_summary(data, brand="Forno Brio").answerable == 1
    assert response_summary(data).answerable == 2


def test_response_times_by_weekday_show_the_weekend_gap() -> None:
    saturday = 5 * 24 * 60  # T0 + 5 days is Saturday
    data = frame(
        post("a", 0, "c1"), post("ra", 20, "@fornobrio", reply_to="a", sentiment="neutral"),
        post("b", saturday, "c2"), post("rb", saturday + 2 * 24 * 60, "@fornobrio", reply_to="b", sentiment="neutral"),
    )
    times = response_times(data, by="weekday", tz="Europe/Rome")
    assert times["weekday"].to_list() == [1, 2, 3, 4, 5, 6, 7]  # every day, Monday first
    assert times.filter(pl.col("weekday") == 1)["median_minutes"].item() == 20.0
    assert times.filter(pl.col("weekday") == 6)["median_minutes"].item() == 2 * 24 * 60
    gap = weekend_gap(data, tz="Europe/Rome")
    assert gap is not None and (gap.weekday_median_minutes, gap.weekend_median_minutes) == (20.0, 2880.0)


def test_conversation_gathers_the_thread_from_any_of_its_posts() -> None:
    data = frame(
        post("a", 0, "cliente"), post("r", 10, "@fornobrio", reply_to="a"), post("f", 20, "cliente", reply_to="r"),
        post("other", 5, "altro"),
    )
    for start in ("a", "r", "f"):
        thread = conversation(data, start)
        assert thread.select("id", "depth").rows() == [("a", 0), ("r", 1), ("f", 2)]
    assert conversation(data, "missing").is_empty()


def test_conversation_survives_a_cycle() -> None:
    data = frame(post("a", 0, "c", reply_to="b"), post("b", 1, "d", reply_to="a"))
    assert set(conversation(data, "a")["id"]) == {"a", "b"}


# --------------------------------------------------------------------------- brands


@pytest.mark.parametrize(
    ("text", "brand", "mentioned"),
    [
        ("Colazione da Forno Brio stamattina", "Forno Brio", ["Forno Brio"]),  # the name as written
        ("FORNO BRIO sempre top", "Forno Brio", ["Forno Brio"]),  # capitals
        ("forno brìo, che buono", "Forno Brio", ["Forno Brio"]),  # a stray accent
        ("grazie @fornobrio!", "Forno Brio", ["Forno Brio"]),  # handle, no space
        ("#FornoBrio #colazione", "Forno Brio", ["Forno Brio"]),  # hashtag, CamelCase
        ("l'app Brio Club non va", "Forno Brio", ["Forno Brio"]),  # an alias
        ("Meglio Dolce Sosta", "Dolce Sosta", ["Dolce Sosta"]),  # the competitor
        ("seguite @dolcesostacaffe", "Dolce Sosta", ["Dolce Sosta"]),  # competitor's alias handle
        ("Dolce Sosta batte Forno Brio", "Dolce Sosta", ["Forno Brio", "Dolce Sosta"]),  # both: the first named wins
        ("il fornobrioso", "Forno Brio", []),  # inside another word: not a mention; the brand's own feed
        ("", "Forno Brio", []),  # empty text
    ],
)
def test_recognise_brands(text: str, brand: str, mentioned: list[str]) -> None:
    out = recognise_brands(pl.DataFrame({"text": [text]}), PROFILE)
    assert out.row(0, named=True) == {"text": text, "brand": brand, "brands_mentioned": mentioned}


def test_brand_column_wins_and_aliases_become_the_name() -> None:
    out = recognise_brands(pl.DataFrame({"text": ["Dolce Sosta"], "brand": ["fornobrio"]}), PROFILE)
    assert out["brand"].to_list() == ["Forno Brio"]


def test_share_of_voice_sums_to_one_and_without_profile_keeps_the_column() -> None:
    data = recognise_brands(pl.DataFrame({"text": ["Forno Brio", "Dolce Sosta", "Forno Brio", "niente"]}), PROFILE)
    shares = share_of_voice(data)
    assert dict(shares.select("brand", "share").rows()) == {"Forno Brio": 0.75, "Dolce Sosta": 0.25}
    bare = recognise_brands(pl.DataFrame({"text": ["Dolce Sosta"], "brand": [None]}, schema={"text": pl.String, "brand": pl.String}), BrandProfile())
    assert bare["brand"].to_list() == [None] and share_of_voice(bare).is_empty()


# --------------------------------------------------------------------------- aspects


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("il caffè ottimo ma il personale scortese", "it", {"product": "positive", "service": "negative"}),  # two aspects, two moods
        ("Il personale non è gentile", "it", {"service": "negative"}),  # negation flips the clause
        ("The coffee was great but the staff were rude", "en", {"product": "positive", "service": "negative"}),  # English
        ("Ho aspettato mezz'ora in coda. Prezzi alti!", "it", {"waiting": "negative", "price": "negative"}),  # two sentences
        ("Doppio addebito sulla carta, voglio il rimborso", "it", {"payments": "negative"}),  # expression + lemmas
        ("Camerieri gentilissimi", "it", {"service": "positive"}),  # plural found by its lemma
        ("Bella giornata", "it", {}),  # no aspect
        ("", "it", {}),  # empty text
    ],
)
def test_aspects_have_their_own_sentiment(text: str, lang: str, expected: dict[str, str]) -> None:
    out = annotate_aspects(pl.DataFrame({"text": [text], "lang": [lang]}))
    row = out.row(0, named=True)
    assert dict(zip(row["aspects"], row["aspect_sentiments"], strict=True)) == expected


def test_aspects_accept_a_workspace_taxonomy_and_refuse_a_broken_one() -> None:
    taxonomy = AspectTaxonomy.from_dict({"aspects": {"parking": {"it": ["parcheggio"], "en": ["parking"]}}})
    out = annotate_aspects(pl.DataFrame({"text": ["parcheggio introvabile e caffè ottimo"], "lang": ["it"]}), taxonomy)
    assert out["aspects"].to_list() == [["parking"]]
    from ascolto_core.errors import AscoltoError

    with pytest.raises(AscoltoError):
        AspectTaxonomy.from_dict({"aspects": {"parking": "parcheggio"}})


def test_aspect_aggregations() -> None:
    texts = ["caffè ottimo", "caffè orribile", "personale scortese", "caffè buonissimo"]
    data = annotate_aspects(pl.DataFrame({"text": texts, "lang": ["it"] * 4, "touchpoint": ["x", "x", "email", "email"]}))
    summary = aspect_summary(data)
    assert summary.select("aspect", "mentions", "negative", "positive").rows() == [("product", 3, 1, 2), ("service", 1, 1, 0)]
    assert summary.filter(pl.col("aspect") == "product")["net_sentiment"].item() == pytest.approx(1 / 3)
    matrix = aspect_touchpoint_matrix(data)
    assert matrix.select("aspect", "touchpoint", "mentions").rows() == [("product", "email", 1), ("product", "x", 2), ("service", "email", 1)]


def test_aspects_guard_empty_and_huge_input() -> None:
    assert annotate_aspects(pl.DataFrame({"text": [], "lang": []}, schema={"text": pl.String, "lang": pl.String})).columns == ["text", "lang", "aspects", "aspect_sentiments"]
    huge = "il caffè ottimo " * 10_000
    assert annotate_aspects(pl.DataFrame({"text": [huge], "lang": ["it"]}))["aspects"].to_list() == [["product"]]


# --------------------------------------------------------------------------- summary command


def test_summary_command_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "menzioni.csv"
    path.write_text(
        "id,testo,data,autore,in_reply_to_status_id\n"
        "1,Il personale di Forno Brio è stato scortese,2026-09-14 09:00,@giulia,\n"
        "2,\"Ci dispiace molto, ti scriviamo in privato\",2026-09-14 09:40,@fornobrio,1\n"
        "3,A che ora apre Dolce Sosta domenica?,2026-09-14 10:00,@marco,\n"
        "4,Caffè ottimo da Forno Brio,2026-09-14 11:00,@anna,\n",
        encoding="utf-8",
    )
    code = main(["summary", str(path), "--own", "@fornobrio", "--brand", "Forno Brio", "--competitor", "Dolce Sosta", "--engine", "embedded", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)  # exactly one JSON object
    assert (data["customer_mentions"], data["own_posts"]) == (3, 1)
    assert data["responses"]["answerable"] == 1  # the question is about the competitor: not ours to answer
    assert data["responses"]["answered"] == 1 and data["responses"]["median_first_response_minutes"] == 40.0
    assert data["share_of_voice"] == pytest.approx({"Forno Brio": 2 / 3, "Dolce Sosta": 1 / 3})
    assert sum(data["share_of_voice"].values()) == pytest.approx(1.0)
    assert data["aspects"]["service"]["mentions"] == 1 and data["aspects"]["service"]["net_sentiment"] == -1.0


def test_summary_without_reply_links_gives_nulls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.csv"
    path.write_text("testo,data\nServizio lento,2026-09-14 09:00\n", encoding="utf-8")
    assert main(["summary", str(path), "--engine", "embedded", "--no-cache"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["responses"] == dict.fromkeys(
        ("answerable", "answered", "answered_share", "median_first_response_minutes", "p90_first_response_minutes", "unanswered")
    )
    assert data["share_of_voice"] == {} and data["own_posts"] == 0


def test_summary_of_a_missing_file_is_a_message_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(tmp_path / "nope.csv")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_aspects_are_columns_of_the_export() -> None:
    from ascolto_core.insights import spreadsheet_frame

    data = annotate_aspects(pl.DataFrame({"text": ["il caffè ottimo ma il personale scortese"], "lang": ["it"]}))
    row = spreadsheet_frame(data, tz="Europe/Rome").row(0, named=True)
    assert (row["aspects"], row["aspect_sentiments"]) == ("service, product", "negative, positive")


def test_every_view_answers_an_empty_table_with_an_empty_result() -> None:
    from ascolto_core.insights.competitors import brand_comparison, touchpoint_mix
    from ascolto_core.schema import empty_mentions

    empty = mark_own(empty_mentions(), PROFILE)
    assert response_summary(empty).missing == "no_reply_links"
    assert share_of_voice(empty).is_empty() and share_of_voice(empty, freq="week").is_empty()
    assert brand_comparison(empty).is_empty() and touchpoint_mix(empty).is_empty()
    assert aspect_summary(empty).is_empty() and aspect_touchpoint_matrix(empty).is_empty()
    assert recognise_brands(empty, PROFILE).height == 0 and annotate_aspects(empty).height == 0


def test_passing_the_first_replies_gives_the_same_figures() -> None:
    from ascolto_core.insights.responses import first_responses

    data = frame(post("a", 0, "c1"), post("b", 3, "c2", question=True, sentiment="neutral"),
                 post("r", 30, "@fornobrio", reply_to="a", sentiment="neutral"))
    answered = first_responses(data)
    assert response_summary(data, answered=answered) == response_summary(data)
    assert response_times(data, by="hour", answered=answered).equals(response_times(data, by="hour"))
    assert unanswered(data, answered=answered).equals(unanswered(data))
    assert weekend_gap(data, answered=answered) == weekend_gap(data)
