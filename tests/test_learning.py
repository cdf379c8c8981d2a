"""Teaching the engine: adapted model, honesty of its estimate, registry, evaluate --learn (issue 10).

The labelled data here is SYNTHETIC (generated below from invented words), never the
shared evaluation files.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import polars as pl
import pytest
from tiny_models import TinyModels

from ascolto_core.analysis import analyze_mentions
from ascolto_core.analysis.embedded.engine import EmbeddedEngine
from ascolto_core.analysis.learning.engine import AdaptedEngine, register_adapted_engine
from ascolto_core.analysis.learning.model import AdaptedModel, rating_labels
from ascolto_core.analysis.learning.simulate import simulate_learning, training_frame
from ascolto_core.analysis.learning.taught import Taught
from ascolto_core.analysis.registry import reset_registry, unregister_engine
from ascolto_core.cli import main

# A brand's own language: invented words the lexicon cannot know decide the label, and a
# product name with a polar word ("Buona Merenda") says nothing.
MARKERS = {
    "positive": ["zorbato", "brillux", "fiocchetto verde"],
    "negative": ["kraggo", "mulfo", "sgranfo"],
    "neutral": ["modulo 7", "orario invernale", "codice promo"],
}
FILLERS = ["oggi", "la Buona Merenda", "al punto vendita", "il pacco", "per la seconda volta", "con mia sorella", "stamattina"]


def synthetic_posts(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = rng.choice(list(MARKERS))
        words = [rng.choice(FILLERS), rng.choice(MARKERS[label]), rng.choice(FILLERS), f"n{i % 17}"]
        rng.shuffle(words)
        rows.append((" ".join(words), label, rng.choice(["it", "it", "en"]), rng.choice(["facebook", "google_reviews", "email"])))
    return pl.DataFrame(rows, schema=["text", "label", "lang", "touchpoint"], orient="row")


def embedded_analysis(posts: pl.DataFrame) -> pl.DataFrame:
    return EmbeddedEngine().analyze(posts["text"], posts["lang"])


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    reset_registry()
    yield
    unregister_engine("adapted")


def test_learning_curve_beats_the_engine_on_a_brands_own_language() -> None:
    posts = synthetic_posts(400, seed=3)
    analysis = embedded_analysis(posts)

    curve = {n: simulate_learning(posts, analysis, posts["label"], n, seed=1) for n in (0, 40, 120)}

    # No labels: the adapted model is the engine.
    assert curve[0].adapted.macro_f1 == curve[0].base.macro_f1
    # With labels it learns the brand's words, far above the engine on unseen posts.
    assert curve[120].adapted.macro_f1 >= curve[120].base.macro_f1 + 0.3
    assert curve[120].adapted.macro_f1 >= curve[40].adapted.macro_f1 - 0.02
    assert curve[120].quality.in_use == "adapted"
    # The estimate is scored on the labels the queue drew at random (about half), not the chosen ones.
    assert 40 <= curve[120].quality.scored <= 80
    assert (curve[120].labelled, curve[120].evaluated) == (120, 280)


def test_too_few_labels_gives_no_number_and_keeps_the_engine() -> None:
    posts = synthetic_posts(60, seed=4)
    analysis = embedded_analysis(posts)
    person = posts["label"].head(10).extend(pl.Series([None] * 50, dtype=pl.String))

    model = AdaptedModel.fit(training_frame(posts, analysis, person))

    quality = model.sentiment_quality
    assert (quality.labels, quality.base_macro_f1, quality.adapted_macro_f1) == (10, None, None)
    assert (quality.in_use, quality.reason) == ("engine", "learning.quality.too_few")
    assert model.predict(posts["text"], analysis).equals(analysis)


def test_engine_stays_when_labels_agree_with_it() -> None:
    # Teaching never makes things worse: labels that are exactly the engine's leave nothing to gain.
    posts = synthetic_posts(120, seed=5)
    analysis = embedded_analysis(posts)
    texts = pl.Series(["ottimo servizio, grazie", "pessimo, una vergogna", "aprite domenica alle 9"] * 40)
    langs = pl.Series(["it"] * 120)
    analysis = EmbeddedEngine().analyze(texts, langs)
    frame = training_frame(pl.DataFrame({"text": texts}), analysis, analysis["sentiment"])

    quality = AdaptedModel.fit(frame).sentiment_quality

    assert quality.base_macro_f1 == 1.0
    assert (quality.in_use, quality.reason) == ("engine", "learning.quality.engine_better")


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (1.0, "negative"),  # 1-2 stars: negative
        (2.0, "negative"),
        (3.0, "neutral"),  # 3 stars: neutral
        (4.0, "positive"),  # 4-5 stars: positive
        (5.0, "positive"),
        (None, None),  # no rating: no weak label
        (7.0, None),  # out of scale: ignored, not guessed
    ],
)
def test_star_ratings_as_weak_labels(rating: float | None, expected: str | None) -> None:
    assert rating_labels(pl.Series([rating], dtype=pl.Float64)).to_list() == [expected]


def test_weak_labels_train_but_never_count_in_the_estimate() -> None:
    posts = synthetic_posts(200, seed=6)
    analysis = embedded_analysis(posts)
    ratings = posts["label"].replace_strict({"negative": 1.0, "neutral": 3.0, "positive": 5.0}, return_dtype=pl.Float64)
    person = posts["label"].head(40).extend(pl.Series([None] * 160, dtype=pl.String))

    frame = training_frame(posts.with_columns(ratings.alias("rating")), analysis, person)
    quality = AdaptedModel.fit(frame).sentiment_quality

    assert frame["source"].value_counts().sort("source").rows() == [("person", 40), ("rating", 160)]
    assert quality.labels == 40


def test_adapted_engine_is_registered_and_explains_itself() -> None:
    posts = synthetic_posts(150, seed=7)
    labels = posts.head(100).select("text", "lang", pl.col("label").alias("sentiment"))
    register_adapted_engine(Taught(labels))

    result = analyze_mentions(
        pl.DataFrame({"text": ["oggi kraggo", "stamattina zorbato"], "lang": ["it", "it"]}), engine="adapted"
    )

    assert result.engine.name == "adapted"
    assert result.mentions["sentiment"].to_list() == ["negative", "positive"]
    assert "kraggo" in result.mentions["drivers_neg"][0]
    assert "zorbato" in result.mentions["drivers_pos"][1]


def test_adapted_model_works_on_the_transformer_engines_outputs(
    tiny_models: TinyModels, analysis_config: object
) -> None:
    analysis_config(transformers={"sentiment_model": str(tiny_models.sentiment), "emotion_model": None})  # type: ignore[operator]
    from ascolto_core.analysis.registry import build_engine

    posts = synthetic_posts(150, seed=8)
    labels = posts.head(120).select("text", "lang", pl.col("label").alias("sentiment"))
    engine = AdaptedEngine(build_engine("transformers"), Taught(labels))

    out = engine.analyze(posts["text"].tail(30), posts["lang"].tail(30))

    assert engine.info.model_id.startswith("transformers")
    assert engine.model.sentiment_quality.in_use == "adapted"
    gold = posts["label"].tail(30)
    assert (out["sentiment"] == gold).mean() >= 0.9


def _write_labelled_csv(path: Path, n: int) -> None:
    synthetic_posts(n, seed=9).select("text", "label").write_csv(path)


def test_evaluate_learn_prints_the_exact_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "labelled.csv"
    _write_labelled_csv(file, 150)

    code = main(["evaluate", str(file), "--engine", "embedded", "--learn", "60", "--seed", "2", "--no-progress"])

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert code == 0
    assert re.fullmatch(r"macro_f1=\d\.\d{3} base_macro_f1=\d\.\d{3} labelled=60 evaluated=90", last), last


def test_evaluate_learn_is_deterministic_for_a_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "labelled.csv"
    _write_labelled_csv(file, 120)
    lines = []
    for _ in range(2):
        main(["evaluate", str(file), "--engine", "embedded", "--learn", "40", "--seed", "5", "--no-progress"])
        lines.append(capsys.readouterr().out.strip().splitlines()[-1])
    assert lines[0] == lines[1]


@pytest.mark.parametrize(
    "learn",
    [
        -1,  # negative: refused with a message
        30,  # as many as the rows: nothing would be left to score
    ],
)
def test_evaluate_learn_refuses_impossible_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learn: int
) -> None:
    file = tmp_path / "labelled.csv"
    _write_labelled_csv(file, 30)

    code = main(["--lang", "en", "evaluate", str(file), "--engine", "embedded", "--learn", str(learn), "--no-progress"])

    captured = capsys.readouterr()
    assert code == 2
    assert "--learn must be at least 0" in captured.err
    assert "Traceback" not in captured.err


def test_plain_evaluate_keeps_its_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "labelled.csv"
    _write_labelled_csv(file, 30)

    main(["evaluate", str(file), "--engine", "embedded", "--no-progress"])

    assert re.fullmatch(r"macro_f1=\d\.\d{3}", capsys.readouterr().out.strip().splitlines()[-1])


def test_emotions_are_taught_too() -> None:
    # Invented words carry the emotion; the engine cannot know them, the person's labels can.
    rng = random.Random(11)
    cues = {"fear": ["brividone", "tremarella"], "sadness": ["magone", "groppo"], "joy": ["sballo", "goduriosa"]}
    rows = []
    for i in range(150):
        emotion = rng.choice(list(cues))
        rows.append((f"{rng.choice(FILLERS)} {rng.choice(cues[emotion])} n{i}", "it", emotion))
    posts = pl.DataFrame(rows, schema=["text", "lang", "emotion"], orient="row")
    labels = posts.head(120).with_columns(pl.lit(None, dtype=pl.String).alias("sentiment"))
    engine = AdaptedEngine(EmbeddedEngine(), Taught(labels))

    out = engine.analyze(posts["text"].tail(30), posts["lang"].tail(30))

    quality = engine.model.emotion_quality
    assert (quality.in_use, quality.labels) == ("adapted", 120)
    assert quality.adapted_macro_f1 > quality.base_macro_f1  # type: ignore[operator]
    assert (out["emotion"] == posts["emotion"].tail(30)).mean() >= 0.9
    # No sentiment labels: sentiment stays the engine's.
    assert engine.model.sentiment_quality.reason == "learning.quality.too_few"


def test_the_simulated_person_labels_exactly_n_even_among_duplicates() -> None:
    # 60 posts but only 20 distinct texts (retweets): asking 30 still labels 30.
    posts = synthetic_posts(20, seed=12)
    posts = pl.concat([posts, posts.with_columns((pl.lit("RT ") + pl.col("text")).alias("text")), posts.with_columns(pl.col("text") + " http://x")])

    run = simulate_learning(posts, embedded_analysis(posts), posts["label"], 30, seed=0)

    assert (run.labelled, run.evaluated) == (30, 30)
    assert len(set(run.asked)) == 30


@pytest.mark.parametrize(
    ("adapted_right", "expected_use"),
    [
        (60, True),  # right everywhere the engine is wrong: a sure win
        (31, False),  # one post better than the engine's 30 of 60: a coin toss, not a win
    ],
)
def test_a_noisy_win_does_not_switch_the_model_on(adapted_right: int, expected_use: bool) -> None:
    from ascolto_core.analysis.learning.model import CONFIDENCE, bootstrap_wins

    gold = ["negative", "neutral", "positive"] * 20
    wrong = {"negative": "positive", "neutral": "negative", "positive": "neutral"}
    base = [g if i < 30 else wrong[g] for i, g in enumerate(gold)]
    adapted = [g if i < adapted_right else wrong[g] for i, g in enumerate(gold)]

    wins = bootstrap_wins(gold, base, adapted, ["negative", "neutral", "positive"])

    assert (wins >= CONFIDENCE) is expected_use
