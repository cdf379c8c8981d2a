"""Speed work must not change a single result: the whole analysed table equals a frozen reference.

``tests/fixtures/speed_parity.parquet`` holds synthetic inputs (demo posts, the
benchmark's tweet-like recombinations, the scale generator's rows, a few odd
texts) and the full table ``analyze_mentions`` produced for them with the code
as it was before the speed work (embedded engine, no result cache). Language
detection, tokens, lemmas, expressions, scoring, emotions, drivers, questions
and aspects all go into it.

When a change MEANT to change results lands (a lexicon or rule change), rebuild
the reference with the code before that change is merged, or after reviewing
the differences it prints::

    .venv/bin/python tests/test_speed_parity.py --regenerate
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "speed_parity.parquet"

# Odd texts the generated sets may miss; each with the reason it is here.
_ODD_TEXTS: tuple[tuple[str, str | None], ...] = (
    ("", None),  # empty text: "other", no tokens
    ("😍😍😍", None),  # emoji only: no letters
    ("https://example.com/x?y=1", None),  # URL only
    ("Servizio PESSIMO!!! non tornerò maiii", None),  # caps, elongation, negation
    ("Il caffè ottimo ma il personale scortese", None),  # contrast: two aspects, two moods
    ("¿Dónde está la tienda? Gracias por todo", None),  # another language
    ("Très bon accueil, merci beaucoup", None),  # French
    ("Great coffee but the staff was not friendly at all", None),  # English negation, contrast
    ("ok", None),  # too short for the vote
    ("Grazie eh, complimenti per l'attesa di 40 minuti 👏", None),  # irony in a complaint
    ("Vorrei sapere se siete aperti domenica, grazie", None),  # courtesy in a request
    ("non male il cornetto", "it"),  # language given
    ("#vergogna @user :( xD <3", None),  # hashtags, handles, emoticons
    ("Bellissimoooo!!! 😍 #colazione", "IT"),  # odd language code
    ("The app crashed again at checkout", "en-GB"),  # region code
)


def build_inputs() -> pl.DataFrame:
    """``case, id, text, lang``: a few thousand synthetic posts, half of them without a language."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_analyze import build_texts

    from ascolto_core.datasets import load_demo
    from ascolto_core.datasets.synth import synthesize

    demo = load_demo().select("id", "text", "lang")
    # Every other demo post loses its language so the vote and py3langid run on them.
    demo = demo.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.col("lang")).otherwise(None).alias("lang")
    )
    tweets = build_texts(1500, seed=11).select(
        pl.format("tweet-{}", pl.int_range(pl.len())).alias("id"), "text", pl.lit(None, dtype=pl.String).alias("lang")
    )
    synth = synthesize(1000, seed=3).select("id", "text", "lang")
    synth = synth.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0).then(None).otherwise(pl.col("lang")).alias("lang")
    )
    odd = pl.DataFrame(
        {
            "id": [f"odd-{i}" for i in range(len(_ODD_TEXTS))],
            "text": [text for text, _ in _ODD_TEXTS],
            "lang": [lang for _, lang in _ODD_TEXTS],
        },
        schema={"id": pl.String, "text": pl.String, "lang": pl.String},
    )
    parts = [("demo", demo), ("tweets", tweets), ("synth", synth), ("odd", odd)]
    return pl.concat(
        [frame.select(pl.lit(case).alias("case"), pl.col("id").cast(pl.String), "text", pl.col("lang").cast(pl.String)) for case, frame in parts]
    )


def analyse(inputs: pl.DataFrame) -> pl.DataFrame:
    """The full analysed table of each case (analysed separately, as a user's files would be)."""
    from ascolto_core.analysis.pipeline import analyze_mentions

    parts = []
    for case in inputs["case"].unique(maintain_order=True).to_list():
        rows = inputs.filter(pl.col("case") == case)
        parts.append(analyze_mentions(rows, engine="embedded", use_cache=False).mentions)
    return pl.concat(parts)


@pytest.fixture(scope="module")
def reference() -> pl.DataFrame:
    return pl.read_parquet(FIXTURE)


@pytest.fixture(scope="module")
def inputs(reference: pl.DataFrame) -> pl.DataFrame:
    # Rebuilt from the generators, so the languages left out are missing again and the vote and
    # py3langid run (the reference's own ``lang`` column is the detected one).
    built = build_inputs()
    assert built.select("case", "id", "text").equals(reference.select("case", "id", "text"))
    assert built["lang"].null_count() > 1_000
    return built


def test_fixture_is_small_and_synthetic(reference: pl.DataFrame) -> None:
    # A few thousand rows, built from the demo and generators only (never the eval files).
    assert 3_000 <= reference.height <= 6_000
    assert set(reference["case"].unique().to_list()) == {"demo", "tweets", "synth", "odd"}


@pytest.mark.parametrize("case", ["demo", "tweets", "synth", "odd"])
def test_analysed_table_is_identical(reference: pl.DataFrame, inputs: pl.DataFrame, case: str) -> None:
    # demo: real-looking Italian/English posts; tweets: the benchmark's texts (no language);
    # synth: the scale generator; odd: empty, emoji-only, other languages, odd codes.
    expected = reference.filter(pl.col("case") == case)
    got = analyse(inputs.filter(pl.col("case") == case))
    assert got.columns == expected.columns
    assert got.schema == expected.schema
    for column in expected.columns:
        if not got[column].equals(expected[column]):
            bad = [i for i, (a, b) in enumerate(zip(got[column].to_list(), expected[column].to_list(), strict=True)) if a != b]
            first = bad[0] if bad else 0  # equals() also tells NaN apart
            pytest.fail(
                f"{case}: column {column} differs on {len(bad)} rows, first {first} "
                f"(text {expected['text'][first]!r}): got {got[column][first]!r}, expected {expected[column][first]!r}"
            )
    assert_frame_equal(got, expected, check_exact=True)


if __name__ == "__main__" and "--regenerate" in sys.argv:
    sys.path.insert(0, str(ROOT))
    table = analyse(build_inputs())
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    table.write_parquet(FIXTURE, compression="zstd", compression_level=19)
    print(f"{table.height} rows, {FIXTURE.stat().st_size / 1e3:.0f} kB -> {FIXTURE}")


@pytest.mark.parametrize(
    "columns",
    [
        ("row", "pos", "surface", "lemma", "lang"),  # what aspects read
        ("row", "pos", "kind", "surface", "lemma", "is_stopword", "is_elongated", "is_caps", "lang"),  # the engine
        ("lemma",),  # one column alone
    ],
)
def test_token_columns_are_the_full_frames_columns(columns: tuple[str, ...]) -> None:
    # Asking for fewer token columns returns exactly those columns of the full frame, same rows.
    from ascolto_core.analysis.text import token_frame

    texts = pl.Series(["Servizio PESSIMO!!! non tornerò maiii", "", "Great coffee 😍 #yum @bar :)", None])
    langs = pl.Series(["it", "other", "en", None])
    full = token_frame(texts, langs)
    assert_frame_equal(token_frame(texts, langs, columns=columns), full.select(columns))


def test_token_columns_unknown_name_is_refused() -> None:
    # A typo in a column name is a caller bug: say which name.
    from ascolto_core.analysis.text import token_frame

    with pytest.raises(ValueError, match="lemmas"):
        token_frame(pl.Series(["ciao"]), pl.Series(["it"]), columns=("row", "lemmas"))


def test_work_split_across_threads_changes_nothing(
    reference: pl.DataFrame, inputs: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large inputs are split: engine chunks two at a time, aspects in slices.
    # With the split sizes shrunk to a few hundred posts, the fixture goes through all of it.
    from ascolto_core.analysis.embedded import engine
    from ascolto_core.insights import aspects

    monkeypatch.setattr(engine, "CHUNK_ROWS", 400)
    monkeypatch.setattr(aspects, "_SLICE_ROWS", 350)
    expected = reference.filter(pl.col("case") == "tweets")
    assert expected.height > 2 * 400
    assert_frame_equal(analyse(inputs.filter(pl.col("case") == "tweets")), expected, check_exact=True)
