"""The demo dataset a person sees when they open the app, its builder and the scale generator."""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.datasets import DEMO_PATH, load_demo
from ascolto_core.datasets import build_demo
from ascolto_core.datasets.build_demo import PERIODS, SOURCE_DIR, SourcePost, build, place_in_time, read_sources
from ascolto_core.datasets.synth import synthesize, write
from ascolto_core.errors import AscoltoError
from ascolto_core.schema import EMOTIONS, MENTION_SCHEMA, SENTIMENTS, TOUCHPOINTS

ROME = "Europe/Rome"


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    return load_demo()


@pytest.fixture(scope="module")
def local_demo(demo: pl.DataFrame) -> pl.DataFrame:
    return demo.with_columns(pl.col("created_at").dt.convert_time_zone(ROME).alias("local"))


def _daily_negatives(local_demo: pl.DataFrame) -> pl.DataFrame:
    days = pl.DataFrame({"day": pl.date_range(date(2026, 5, 1), date(2026, 11, 15), eager=True)})
    counts = local_demo.filter(pl.col("label") == "negative").group_by(pl.col("local").dt.date().alias("day")).len()
    return days.join(counts, on="day", how="left").with_columns(pl.col("len").fill_null(0))


# --------------------------------------------------------------------------- the shipped demo


def test_demo_reads_with_plain_polars_and_has_the_documented_columns() -> None:
    raw = pl.read_csv(DEMO_PATH)
    assert raw.columns == [*MENTION_SCHEMA, "kind", "shop"]


def test_load_demo_gives_the_canonical_table(demo: pl.DataFrame) -> None:
    assert dict(list(demo.schema.items())[: len(MENTION_SCHEMA)]) == MENTION_SCHEMA
    assert demo["created_at"].null_count() == 0
    assert demo["id"].is_unique().all()
    assert demo["id"][0] == "demo-000001"
    assert demo["created_at"].is_sorted()


def test_demo_has_at_least_1500_distinct_texts(demo: pl.DataFrame) -> None:
    assert demo["text"].str.to_lowercase().n_unique() >= 1500


def _five_grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def _near_duplicates(texts: list[str]) -> list[tuple[int, int]]:
    """Pairs of rows sharing a third of their 5-grams (what templates with swapped words do)."""
    grams = [_five_grams(t) for t in texts]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for row, row_grams in enumerate(grams):
        for gram in row_grams:
            index[gram].append(row)
    near = []
    for row, row_grams in enumerate(grams):
        shared = Counter(other for gram in row_grams for other in index[gram] if other > row)
        for other, count in shared.items():
            if count >= 3 and count / min(len(row_grams), len(grams[other])) >= 0.3:
                near.append((row, other))
    return near


def test_the_near_duplicate_check_catches_a_template() -> None:
    template = "ho aspettato {} minuti per un cappuccino nella sede di {} e nessuno si è scusato"
    texts = [template.format(20, "Saragozza"), template.format(35, "Rizzoli"), "tutt'altra storia, buonissimo"]
    assert _near_duplicates(texts) == [(0, 1)]


def test_demo_has_no_near_duplicate_texts(demo: pl.DataFrame) -> None:
    # The hand-written posts; the brand's replies and the short follow-ups come from saved answers on purpose.
    written = demo.filter(~pl.col("kind").is_in(list(build_demo.GENERATED_KINDS)))
    pairs = _near_duplicates(written["text"].to_list())
    assert [(written["id"][a], written["id"][b]) for a, b in pairs] == []


def test_demo_is_mostly_italian_with_some_english(demo: pl.DataFrame) -> None:
    share_it = (demo["lang"] == "it").mean()
    assert set(demo["lang"].unique()) == {"it", "en"}
    assert 0.80 <= share_it <= 0.90


def test_demo_spans_many_touchpoints_and_six_months(demo: pl.DataFrame) -> None:
    touchpoints = set(demo["touchpoint"].unique())
    assert touchpoints <= set(TOUCHPOINTS)
    assert len(touchpoints) >= 7
    span = demo["created_at"].max() - demo["created_at"].min()
    assert span.days >= 183


def test_demo_labels_are_valid_reference_labels(demo: pl.DataFrame) -> None:
    assert set(demo["label"].unique()) <= set(SENTIMENTS)
    assert set(demo["label_emotion"].unique()) <= set(EMOTIONS)
    # Every sentiment is well represented, so the analysis can be checked against each.
    assert demo["label"].value_counts()["count"].min() >= 0.15 * demo.height


def test_demo_has_a_competitor_share(demo: pl.DataFrame) -> None:
    share = (demo["brand"] == "Dolce Sosta").mean()
    assert set(demo["brand"].unique()) == {"Forno Brio", "Dolce Sosta"}
    assert 0.08 <= share <= 0.25


def test_incident_week_is_a_visible_negative_spike(local_demo: pl.DataFrame) -> None:
    daily = _daily_negatives(local_demo)
    median = max(daily["len"].median(), 1.0)
    week = daily.filter(pl.col("day").is_between(date(2026, 9, 14), date(2026, 9, 20)))
    assert week["len"].mean() >= 5 * median
    # Every day of the outage, weekend included, is well above a normal day; the first days are the worst.
    assert week["len"].min() >= 3 * median
    assert week.head(4)["len"].min() >= 6 * median


def test_many_posts_arrive_when_the_office_is_closed(local_demo: pl.DataFrame) -> None:
    local = pl.col("local")
    office = (local.dt.weekday() <= 5) & (local.dt.hour() >= 9) & (local.dt.hour() < 18)
    assert local_demo.select((~office).mean()).item() >= 0.25
    # Night and weekend posts both exist.
    assert local_demo.filter(local.dt.hour() < 6).height > 0
    assert local_demo.filter(local.dt.weekday() >= 6).height > 0.1 * local_demo.height


def test_engagement_is_heavy_tailed(demo: pl.DataFrame) -> None:
    likes = demo["likes"].drop_nulls()
    nonzero = likes.filter(likes > 0)
    assert likes.max() > 50 * nonzero.median()
    assert (likes <= 10).mean() >= 0.5  # most posts get a handful of likes


@pytest.mark.parametrize(
    "touchpoint",
    [
        "email",  # private messages have no likes or links
        "chat",
        "google_reviews",  # reviews: stars, no likes
    ],
)
def test_private_and_review_channels_have_no_likes(demo: pl.DataFrame, touchpoint: str) -> None:
    rows = demo.filter(pl.col("touchpoint") == touchpoint)
    assert rows.height > 0
    assert rows["likes"].null_count() == rows.height


def test_ratings_only_on_review_touchpoints(demo: pl.DataFrame) -> None:
    rated = demo.filter(pl.col("rating").is_not_null())
    assert set(rated["touchpoint"].unique()) <= {"google_reviews", "tripadvisor"}
    assert rated["rating"].is_between(1, 5).all()
    assert rated.height > 100


def test_private_channels_have_no_public_url(demo: pl.DataFrame) -> None:
    private = demo.filter(pl.col("touchpoint").is_in(["email", "chat", "store"]))
    assert private["url"].null_count() == private.height
    social = demo.filter(pl.col("touchpoint").is_in(["facebook", "instagram", "x"]))
    assert social["url"].str.starts_with("https://").all()


# --------------------------------------------------------------------------- the builder


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    build(output=first)
    build(output=second)
    assert first.read_bytes() == second.read_bytes()


def test_shipped_demo_is_the_build_of_the_current_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "mentions.csv"
    build(output=fresh)
    assert fresh.read_bytes() == DEMO_PATH.read_bytes(), "rebuild: python -m ascolto_core.datasets.build_demo"


def _post(period: str, touchpoint: str = "x") -> SourcePost:
    return SourcePost(
        text="t", lang="it", touchpoint=touchpoint, brand="Forno Brio", sentiment="neutral", emotion="none",
        kind="info", period=period, rating=None, shop=None, author=None, origin="test:1",
    )


@pytest.mark.parametrize("period", sorted(PERIODS))
def test_posts_are_placed_inside_their_period(period: str) -> None:
    rng = random.Random(1)
    first, last, _ = PERIODS[period]
    days = {place_in_time(_post(period), rng).date() for _ in range(300)}
    assert min(days) >= first and max(days) <= last


def _write_source(folder: Path, records: list[object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    (folder / "social_test.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


GOOD = {
    "text": "buonissimooo", "lang": "it", "touchpoint": "instagram", "brand": "Forno Brio", "sentiment": "positive",
    "emotion": "joy", "kind": "praise", "period": "any", "rating": None, "shop": None,
}


@pytest.mark.parametrize(
    ("bad", "message_part"),
    [
        ("{not json", "not valid JSON"),  # a broken line
        ({k: v for k, v in GOOD.items() if k != "emotion"}, "missing field"),  # a forgotten key
        (GOOD | {"touchpoint": "tiktok"}, "touchpoint"),  # a channel outside the schema
        (GOOD | {"rating": 5}, "rating only on review"),  # stars on an Instagram post
        (GOOD | {"touchpoint": "google_reviews", "rating": 7}, "1-5"),  # seven stars
        (GOOD | {"text": "   "}, "text is empty"),  # blank text
        (GOOD | {"mood": "happy"}, "unknown field"),  # a typo in a key name
        (["a", "list"], "JSON object"),  # not a record
    ],
)
def test_bad_source_lines_are_listed_with_file_and_line(tmp_path: Path, bad: object, message_part: str) -> None:
    _write_source(tmp_path, [GOOD, bad])
    with pytest.raises(AscoltoError) as caught:
        read_sources(tmp_path)
    assert caught.value.key == "datasets.invalid_source"
    assert "social_test.jsonl:2" in caught.value.message("en")
    assert message_part in caught.value.message("en")


def test_duplicate_texts_are_skipped_and_reported(tmp_path: Path) -> None:
    _write_source(tmp_path, [GOOD, GOOD | {"text": "  BUONISSIMOOO "}, GOOD | {"text": "altro"}])
    read = read_sources(tmp_path)
    assert [p.text for p in read.posts] == ["buonissimooo", "altro"]
    assert [d.origin for d in read.duplicates] == ["social_test.jsonl:2"]


def test_an_empty_source_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as caught:
        read_sources(tmp_path)
    assert caught.value.key == "datasets.no_sources"


def test_builder_cli_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build_demo.main(["-o", str(tmp_path / "m.csv")]) == 0
    out = capsys.readouterr().out
    assert "touchpoint:" in out and "month: 2026-05=" in out


def test_the_shipped_sources_are_all_valid() -> None:
    read = read_sources(SOURCE_DIR)
    assert len(read.posts) >= 1500


def test_load_demo_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as caught:
        load_demo(tmp_path / "nope.csv")
    assert caught.value.key == "datasets.demo_missing"


# --------------------------------------------------------------------------- the scale generator


@pytest.mark.parametrize(
    "rows",
    [
        1,  # the smallest request
        1_000,  # fewer rows than the demo
        5_000,  # more rows than the demo: sampled with replacement
    ],
)
def test_synth_gives_n_canonical_rows(demo: pl.DataFrame, rows: int) -> None:
    frame = synthesize(rows, demo=demo)
    assert frame.height == rows
    assert frame.schema == pl.Schema(MENTION_SCHEMA)
    assert frame["id"].is_unique().all()
    assert frame["text"].null_count() == 0 and (frame["text"].str.len_chars() > 0).all()


def test_synth_is_deterministic_and_not_just_copies(demo: pl.DataFrame) -> None:
    a = synthesize(20_000, demo=demo, seed=3)
    assert a.equals(synthesize(20_000, demo=demo, seed=3))
    new_texts = set(a["text"].unique()) - set(demo["text"].unique())
    assert len(new_texts) > 1_000  # spliced posts
    assert a["created_at"].min() < demo["created_at"].min()  # a longer history than the demo


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_synth_writes_csv_or_parquet(tmp_path: Path, demo: pl.DataFrame, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    write(synthesize(100, demo=demo), path)
    back = pl.read_csv(path) if suffix == ".csv" else pl.read_parquet(path)
    assert back.height == 100


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda demo, tmp: synthesize(0, demo=demo), "datasets.synth_rows"),  # zero rows asked
        (lambda demo, tmp: write(synthesize(5, demo=demo), tmp / "out.xlsx"), "datasets.synth_format"),  # unknown format
    ],
)
def test_synth_bad_requests_are_clear_errors(tmp_path: Path, demo: pl.DataFrame, call, key: str) -> None:
    with pytest.raises(AscoltoError) as caught:
        call(demo, tmp_path)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("pins", "expected_weekday"),
    [
        ({"weekday": 6}, 6),  # "domenica di sole..." lands on a Sunday
        ({"weekday": 0}, 0),  # "colazione del lunedì" on a Monday
    ],
)
def test_a_post_about_its_own_weekday_lands_on_it(pins: dict[str, int], expected_weekday: int) -> None:
    rng = random.Random(2)
    post = _post("any")
    post = SourcePost(**{**post.__dict__, **pins})
    assert {place_in_time(post, rng).weekday() for _ in range(100)} == {expected_weekday}


def test_reactions_come_after_the_event_they_react_to(tmp_path: Path) -> None:
    reel = GOOD | {"text": "the reel", "period": "influencer", "author": "@someone", "day": "2026-07-10T11:30"}
    reactions = [GOOD | {"text": f"reaction {i}", "period": "influencer"} for i in range(200)]
    _write_source(tmp_path / "src", [reel, *reactions])
    frame, _ = build(tmp_path / "src", tmp_path / "m.csv")
    assert frame["created_at"][0] == "2026-07-10T11:30:00+02:00"
    assert frame["text"][0] == "the reel"
    assert frame.filter(pl.col("text") == "the reel")["likes"].item() > frame["likes"].median()


@pytest.mark.parametrize(
    ("bad", "message_part"),
    [
        (GOOD | {"period": "influencer", "day": "2026-09-16"}, "outside period"),  # the reel dated in September
        (GOOD | {"day": "16/09/2026"}, "ISO date"),  # an Italian date format
        (GOOD | {"weekday": 7}, "weekday"),  # there is no eighth day
    ],
)
def test_bad_pins_are_listed(tmp_path: Path, bad: dict[str, object], message_part: str) -> None:
    _write_source(tmp_path, [bad])
    with pytest.raises(AscoltoError) as caught:
        read_sources(tmp_path)
    assert message_part in caught.value.message("en")


def test_a_post_whose_pins_leave_no_day_is_a_clear_error() -> None:
    # 20 September 2026 is a Sunday; asking for a Monday on that day cannot be honoured.
    post = SourcePost(**{**_post("incident").__dict__, "day": date(2026, 9, 20), "weekday": 0})
    with pytest.raises(AscoltoError) as caught:
        place_in_time(post, random.Random(0))
    assert caught.value.key == "datasets.unplaceable"
    assert "test:1" in caught.value.message("en")


@pytest.mark.parametrize(
    ("text", "source", "url_start"),
    [
        ("[r/modena] Dolce Sosta in calo?", "Reddit r/modena", "https://reddit.example/r/modena/comments/"),  # subreddit tag
        ("[Forum Celiachia Emilia] dove trovo...", "Forum Celiachia Emilia", "https://celiachiaemilia-forum.example/t/"),
        ("[Forum Lavoro] Forno Brio assume?", "Forum Lavoro", "https://forumlavoro.example/t/"),  # a forum we do not list
    ],
)
def test_a_forum_post_keeps_the_forum_it_names(text: str, source: str, url_start: str) -> None:
    post = SourcePost(**{**_post("any", "forum").__dict__, "text": text})
    got_source, url = build_demo.source_and_url(post, "anna12", random.Random(0))
    assert got_source == source
    assert url is not None and url.startswith(url_start)


def test_demo_links_never_pretend_to_be_real_posts(demo: pl.DataFrame) -> None:
    # Issue 8 item 23: fictional posts link to reserved example domains (RFC 2606), or nowhere.
    hosts = demo["url"].drop_nulls().str.extract(r"^https://([^/]+)/").unique().to_list()
    assert hosts and all(host is not None and host.endswith(".example") for host in hosts), hosts
