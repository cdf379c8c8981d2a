"""Per-mention language: "it", "en" or "other".

Two stages, both offline:

1. A vectorised stopword vote in Polars over the whole column. Stopword lists
   come from ``stopwordsiso`` for Italian, English and the neighbouring languages
   most likely to be confused with them (es, fr, pt, de); a stopword shared by k
   of those lists gives 1/k of a vote to each. A text is decided here when
   Italian+English (the larger of the two) or another language has at least 1.5
   votes and twice as many as the other side; a post mixing Italian and English
   gets its majority language. A short post whose only evidence is Italian/English
   (one dictionary word, no other language's stopword) is decided too.
   Content words known to only one of simplemma's Italian / English dictionaries
   add ``DICTIONARY_VOTE`` each (computed once per distinct word).
2. The rest (short or mixed texts, other languages) goes to ``py3langid``
   (a maintained offline language identifier) text by text.

:func:`detect_languages` runs both; :func:`vote_languages` and
:func:`identify_languages` are the two stages alone, so a caller can do other
work while py3langid's model loads (:func:`preload_identifier`).

Empty, emoji-only and URL-only texts have no letters and are "other".
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import simplemma
import stopwordsiso

from ascolto_core.analysis.text import strip_urls

VOTING_LANGS: tuple[str, ...] = ("it", "en", "es", "fr", "pt", "de")
_MIN_VOTES = 1.5
_MARGIN = 2.0
DICTIONARY_VOTE = 0.75
_PRELOAD_FROM = 1_000


@functools.cache
def _weighted_stopwords() -> pl.DataFrame:
    """(word, vote, weight): a stopword shared by k of ``VOTING_LANGS`` gives 1/k to each."""
    rows = [(w, lang) for lang in VOTING_LANGS for w in stopwordsiso.stopwords(lang)]
    frame = pl.DataFrame(rows, schema={"word": pl.String, "vote": pl.String}, orient="row").unique()
    return frame.with_columns((1.0 / pl.len().over("word")).alias("weight"))


def _votes_for(vocabulary: pl.Series) -> pl.DataFrame:
    """One row per distinct word of a batch: ``word`` and its vote for each of ``VOTING_LANGS``.

    Stopwords vote as above;
    any other word known to exactly one of simplemma's Italian and English
    dictionaries gives ``DICTIONARY_VOTE`` to that language ("cornetto" -> it,
    "croissant" -> en), so short posts without stopwords are decided without the
    slower identifier. Words that vote for nothing are left out.
    """
    stop = _weighted_stopwords()
    pivot = (
        stop.filter(pl.col("word").is_in(vocabulary.implode()))
        .group_by("word")
        .agg(*(pl.col("weight").filter(pl.col("vote") == lang).sum().alias(lang) for lang in VOTING_LANGS))
    )
    rest = vocabulary.filter(~vocabulary.is_in(stop["word"].implode()) & (vocabulary.str.len_chars() > 2))
    rows = []
    for word in rest.to_list():
        known_it = simplemma.is_known(word, lang="it")
        if known_it != simplemma.is_known(word, lang="en"):
            votes = {lang: 0.0 for lang in VOTING_LANGS}
            votes["it" if known_it else "en"] = DICTIONARY_VOTE
            rows.append((word, *votes.values()))
    schema = {"word": pl.String, **{lang: pl.Float64 for lang in VOTING_LANGS}}
    extra = pl.DataFrame(rows, schema=schema, orient="row")
    return pl.concat([pivot.cast(schema), extra])


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    # Our own instance: py3langid's module-level one is global state other code may restrict.
    arrays = _unpacked_model(MODEL_DIR / MODEL_FILE)
    if arrays is None:
        return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    ptc, pc, classes, nextmove, row, output = arrays
    return LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output, tk_row=row)


def _unpacked_model(packed: Path) -> tuple | None:
    """py3langid's model read from an unpacked copy in the result-cache folder (made on first use).

    Unpacking the LZMA model costs ~0.5 CPU-seconds per process; the unpacked npz
    (~70 MB, same arrays, so the same answers) loads in ~0.07 s. ``None`` when the
    copy cannot be made or read (py3langid then unpacks as usual).
    """
    import lzma
    import os
    import shutil
    import tempfile

    try:
        from py3langid.modelio import _to_array

        from ascolto_core.analysis.cache import default_cache_dir

        stat = packed.stat()
        target = default_cache_dir() / f"py3langid-model-{stat.st_size}-{stat.st_mtime_ns}.npz"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            with (
                tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as out,
                lzma.open(packed) as source,
            ):
                shutil.copyfileobj(source, out, length=1 << 20)
            os.replace(out.name, target)  # atomic: a concurrent reader never sees half a file
        with np.load(target, allow_pickle=False) as data:
            return (
                data["ptc"],
                data["pc"],
                data["classes"].tolist(),
                _to_array(data["nextmove"]),
                _to_array(data["nextmove_row"]),
                data["out_feat"].tolist(),
            )
    except Exception:  # noqa: BLE001 - a cache problem must never stop language detection
        return None


def _load_dictionaries() -> None:
    """Load simplemma's Italian and English dictionaries (cached by simplemma for the process)."""
    for lang in ("it", "en"):
        simplemma.is_known("a", lang=lang)


# Loads started in a background thread, by function name: each starts once per process.
_BACKGROUND: dict[str, threading.Thread] = {}
_BACKGROUND_LOCK = threading.Lock()


def _load_in_background(load: Callable[[], object]) -> None:
    with _BACKGROUND_LOCK:
        if load.__name__ not in _BACKGROUND:
            thread = threading.Thread(target=load, name=f"ascolto-{load.__name__}", daemon=True)
            _BACKGROUND[load.__name__] = thread
            thread.start()


def _wait_for(load: Callable[[], object]) -> None:
    """Wait for a background ``load`` (if one was started) instead of loading a second time."""
    thread = _BACKGROUND.get(load.__name__)
    if thread is not None:
        thread.join()


def preload_dictionaries() -> None:
    """Start loading simplemma's Italian and English dictionaries in a background thread (once per process)."""
    _load_in_background(_load_dictionaries)


def wait_for_dictionaries() -> None:
    """Wait for :func:`preload_dictionaries`' thread, if one was started."""
    _wait_for(_load_dictionaries)


def preload_identifier() -> None:
    """Start loading py3langid's model in a background thread (nothing to do if already loaded).

    Worth calling as soon as :func:`vote_languages` leaves texts undecided: the model
    (~0.4 s to unpack) loads while other work runs; :func:`identify_languages` waits for it.
    """
    if _identifier.cache_info().currsize == 0:
        _load_in_background(_identifier)


def _identify(text: str) -> str:
    try:
        code, _ = _identifier().classify(text)
    except Exception:  # noqa: BLE001 - py3langid on odd input: we cannot tell
        return "other"
    return code if code in ("it", "en") else "other"


def detect_languages(texts: pl.Series) -> pl.Series:
    """The language of each text: "it", "en" or "other" (the vote, then py3langid for the rest).

    Args:
        texts: String series (nulls allowed).

    Returns:
        String series named ``lang``, same length and order as ``texts``.
    """
    if len(texts) >= _PRELOAD_FROM:
        # A big batch will almost surely leave a few posts to py3langid: its model loads meanwhile.
        preload_identifier()
    langs = vote_languages(texts)
    undecided = langs.is_null()
    if undecided.any():
        langs = langs.scatter(undecided.arg_true(), identify_languages(texts.filter(undecided)))
    return langs


def _clean(texts: pl.Series) -> pl.Series:
    """Texts without URLs, @handles and #hashtags (nulls become empty strings)."""
    return strip_urls(texts).str.replace_all(r"[@#][\p{L}\p{N}_.]+", " ")


def vote_languages(texts: pl.Series) -> pl.Series:
    """Stage 1 alone, the vectorised vote: "it", "en", "other", or null where it cannot tell.

    Args:
        texts: String series (nulls allowed).

    Returns:
        String series named ``lang``, same length and order as ``texts``; nulls are
        the texts :func:`identify_languages` must decide.
    """
    n = len(texts)
    if n >= _PRELOAD_FROM:
        # simplemma's dictionaries load in a thread while Polars (which releases the GIL) splits words.
        preload_dictionaries()
    words = (
        pl.DataFrame(
            {
                "row": pl.Series(range(n), dtype=pl.UInt32),
                "word": _clean(texts).str.to_lowercase().str.extract_all(r"\p{L}+"),
            }
        )
        .explode("word", empty_as_null=False, keep_nulls=False)
        .filter(pl.col("word").is_not_null())
    )
    vocabulary = words["word"].unique()
    wait_for_dictionaries()
    # One pass: per text, the number of words and the votes of each language.
    weighted = words.join(_votes_for(vocabulary), on="word", how="left")
    others = [lang for lang in VOTING_LANGS if lang not in ("it", "en")]
    ranked = (
        weighted.group_by("row")
        .agg(pl.len().alias("n_words"), *(pl.col(lang).sum() for lang in VOTING_LANGS))
        .with_columns(pl.max_horizontal("it", "en").alias("ours"), pl.max_horizontal(*others).alias("theirs"))
    )
    ours, theirs = pl.col("ours"), pl.col("theirs")
    decided = (
        pl.DataFrame({"row": pl.Series(range(n), dtype=pl.UInt32)})
        .join(
            ranked.select("row", "n_words", "it", "en", "ours", "theirs"),
            on="row",
            how="left",
            maintain_order="left",
        )
        .select(
            pl.when(pl.col("n_words").fill_null(0) == 0)
            .then(pl.lit("other"))
            # Italian/English clearly ahead of the other languages: the larger of the two wins
            # (a post mixing Italian and English gets its majority language; ties -> "it").
            .when((ours >= _MIN_VOTES) & (ours >= _MARGIN * theirs))
            .then(pl.when(pl.col("it") >= pl.col("en")).then(pl.lit("it")).otherwise(pl.lit("en")))
            .when((theirs >= _MIN_VOTES) & (theirs >= _MARGIN * ours))
            .then(pl.lit("other"))
            # Little evidence, but all of it Italian/English ("Gentilissimi!!", "che fame 😍").
            .when((ours >= DICTIONARY_VOTE) & (theirs == 0))
            .then(pl.when(pl.col("it") >= pl.col("en")).then(pl.lit("it")).otherwise(pl.lit("en")))
            .alias("lang")
        )
    )
    return decided["lang"]


def identify_languages(texts: pl.Series) -> pl.Series:
    """Stage 2 alone: py3langid's "it", "en" or "other" for each text, once per distinct text.

    Args:
        texts: String series (nulls allowed), typically those :func:`vote_languages` left null.

    Returns:
        String series named ``lang``, same length and order as ``texts``.
    """
    clean = _clean(texts)
    # Social data repeats itself (retweets, templates): py3langid runs once per distinct text.
    distinct = clean.unique()
    _wait_for(_identifier)
    guesses = pl.DataFrame(
        {"text": distinct, "lang": pl.Series([_identify(t) for t in distinct.to_list()], dtype=pl.String)}
    )
    return clean.alias("text").to_frame().join(guesses, on="text", how="left", maintain_order="left")["lang"]
