"""Vectorised text layer: tokens, lemmas, stopwords and questions over a whole column.

Everything works on a Polars ``Series`` of texts at once: URLs are removed with one
regex, tokens are extracted with ``str.extract_all`` and exploded into a tidy frame
(one row per token occurrence), and lemmatisation (``simplemma``) runs only on the
UNIQUE normalised tokens, then is joined back. Stopwords come from ``stopwordsiso``
plus a short additive list of social-media function words.

Token kinds:

* ``word``     letters (with English ``n't`` contractions kept whole: "don't")
* ``hashtag``  ``#tag`` (kept with the ``#``)
* ``mention``  ``@handle`` (kept in the frame, dropped by keywords)
* ``emoji``    one pictographic character (skin tones / joiners dropped)
* ``emoticon`` ``:)``, ``:-(``, ``<3``, ``xD`` ...
* ``number``   digits
* ``punct``    runs of ``! ? . , ; :`` (internal: clause breaks for negation scope;
  :func:`tokens` leaves them out)

Elongations ("bellissimooo", "nooo") are normalised ("bellissimo", "no") and
flagged (``is_elongated``) because they are an intensity cue; words written in
capitals ("PESSIMO") are flagged (``is_caps``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

import polars as pl
import simplemma
import stopwordsiso

# URLs (and the bare "http" placeholder anonymised corpora use) carry no words.
URL_PATTERN = r"(?i)(?:https?://|www\.)\S+|\bhttps?\b"

# A word; an English n't contraction stays whole ("don't", "isn't") so negation sees it.
_WORD = r"\p{L}[\p{L}\p{M}\p{N}_]*(?:['’][tT]\b)?"
_TOKEN_PATTERN = "|".join(  # noqa: FLY002 - one commented alternative per line
    (
        r"#[\p{L}\p{N}_]+",  # hashtag
        r"@[\p{L}\p{N}_.]+",  # @mention
        r"<3+",  # heart emoticon
        r"[:;=8][\-o'^]?[)\](\[dDpP/\\|*3]+",  # western emoticons
        r"\b[xX][dD]+\b",  # xD
        _WORD,
        r"\p{N}+(?:[.,]\p{N}+)?",
        r"\p{Extended_Pictographic}",
        r"[!?.,;:]+",
    )
)

# Additive social-media function words missing from stopwordsiso (not a replacement list).
_SOCIAL_STOPWORDS: dict[str, frozenset[str]] = {
    "it": frozenset(
        [
            "rt",
            "via",
            "user",
            "cc",
            "amp",
            "ecc",
            "etc",
            "cmq",
            "ke",
            "xke",
            "xké",
            "xche",
            "xchè",
            "nn",
            "k",
            "x",
            "tt",
            "qlc",
            "qlcs",
            "qnd",
            "dx",
            "sx",
            "ah",
            "eh",
            "oh",
            "boh",
            "mah",
            "beh",
            "vabbè",
            "vabbe",
            "ok",
            "okay",
        ]
    ),
    "en": frozenset(
        [
            "rt",
            "via",
            "user",
            "cc",
            "amp",
            "etc",
            "im",
            "ive",
            "dont",
            "doesnt",
            "didnt",
            "cant",
            "wont",
            "u",
            "ur",
            "ya",
            "lol",
            "ok",
            "okay",
        ]
    ),
}

# stopwordsiso's Italian list also holds a few content words of customer service; they stay words.
_NOT_STOPWORDS: dict[str, frozenset[str]] = {
    "it": frozenset(
        [
            "attesa",
            "tempo",
            "cortesia",
            "consiglio",
            "posto",
            "doppio",
            "comprare",
            "gente",
            "persone",
            "città",
            "citta",
            "piedi",
            "male",
            "malissimo",
            "bene",
            "benissimo",
            "buono",
            "bravo",
            "brava",
            "peccato",
            "peggio",
            "meglio",
            "grazie",
        ]
    ),
    "en": frozenset(),
}

_LEMMA_LANG = {"it": "it", "en": "en"}
_LANG_ENUM = pl.Enum(["it", "en", "other"])
_ELONGATED = re.compile(r"(\w)\1{2,}")


@functools.cache
def stopwords(lang: str) -> frozenset[str]:
    """Stopwords for ``"it"`` or ``"en"`` (stopwordsiso + social additions); other: both."""
    if lang in ("it", "en"):
        return (frozenset(stopwordsiso.stopwords(lang)) - _NOT_STOPWORDS[lang]) | _SOCIAL_STOPWORDS[lang]
    return stopwords("it") | stopwords("en")


@functools.cache
def _stopword_frame() -> pl.DataFrame:
    rows = [(lang, word) for lang in ("it", "en") for word in sorted(stopwords(lang))]
    it_en = pl.DataFrame(rows, schema={"lang": pl.String, "token": pl.String}, orient="row")
    other = it_en.select(pl.lit("other").alias("lang"), "token").unique()
    return pl.concat([it_en, other]).with_columns(pl.lit(True).alias("is_stopword"))


def normalise_lang(langs: pl.Series) -> pl.Series:
    """Map any language code to ``"it"``, ``"en"`` or ``"other"`` (nulls -> ``"other"``)."""
    code = langs.cast(pl.String).str.to_lowercase().str.slice(0, 2)
    return pl.select(
        pl.when(code.is_in(["it", "en"])).then(code).otherwise(pl.lit("other")).alias("lang")
    ).to_series()


def _deelongate(token: str, lang: str) -> str:
    """'bellissimooo' -> 'bellissimo'; 'coool' -> 'cool' when the doubled form is a known word."""
    single = _ELONGATED.sub(r"\1", token)
    double = _ELONGATED.sub(r"\1\1", token)
    langs = (lang,) if lang in _LEMMA_LANG else ("it", "en")
    if double != single and any(simplemma.is_known(double, lang=la) for la in langs):
        return double
    return single


# Lemma memo shared across calls: the vocabulary of a brand's mentions is small and repetitive.
_LEMMA_CACHE: dict[tuple[str, str], str] = {}


def _lemmatize(token: str, lang: str) -> str:
    key = (token, lang)
    hit = _LEMMA_CACHE.get(key)
    if hit is None:
        la = _LEMMA_LANG.get(lang, ("it", "en"))
        try:
            hit = simplemma.lemmatize(token, lang=la).lower()
        except Exception:  # noqa: BLE001 - simplemma on odd Unicode: keep the token itself
            hit = token
        _LEMMA_CACHE[key] = hit
    return hit


def lemma_of(word: str, lang: str) -> str:
    """Lemma of one lower-case word ("it", "en", other: both), memoised."""
    return _lemmatize(word, lang)


def to_text_series(values: Iterable[str | None], name: str = "text") -> pl.Series:
    """A String series from Python strings, safe for any input.

    Lone surrogates (``"\\ud800"``, e.g. from broken JSON) cannot be stored in a Polars
    string; they are replaced with U+FFFD here, at the boundary, instead of raising.
    """
    clean = []
    for value in values:
        if value is None:
            clean.append(None)
            continue
        text = value if isinstance(value, str) else str(value)
        clean.append(
            text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogate(text) else text
        )
    return pl.Series(name, clean, dtype=pl.String)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def strip_urls(texts: pl.Series) -> pl.Series:
    """The texts with URLs removed (nulls become empty strings)."""
    return texts.cast(pl.String).fill_null("").str.replace_all(URL_PATTERN, " ")


def token_frame(
    texts: pl.Series,
    langs: pl.Series | None = None,
    annotate: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """All tokens of all texts, tidy, including punctuation (the engine's view).

    Args:
        texts: String series (nulls and odd Unicode are fine).
        langs: same length, "it" / "en" / "other" (anything else counts as "other");
            ``None`` = all "other".

    Returns:
        Columns ``row`` (UInt32, index of the text), ``pos`` (UInt32, token index in
        the text), ``kind``, ``surface`` (lowercased as written), ``token``
        (normalised: lowercase, de-elongated), ``lemma``, ``is_stopword``,
        ``is_elongated``, ``is_caps``, ``lang``. Sorted by ``row``, ``pos``.
        ``annotate``, if given, receives the frame of DISTINCT tokens (those columns
        except row/pos, plus ``raw``) and may add columns; they are joined back with
        the rest in one pass (how the engine attaches its lexicon cheaply).
        ``columns``, if given, keeps only those of the columns above (in their
        order; the annotated ones always follow): a caller that does not need a
        column saves copying it once per token occurrence.

    Raises:
        ValueError: if ``langs`` has a different length from ``texts``, or ``columns``
            names a column that is not one of the above.
    """
    n = len(texts)
    if langs is None:
        langs = pl.Series("lang", ["other"] * n, dtype=pl.String)
    if len(langs) != n:
        raise ValueError(f"texts and langs differ in length: {n} != {len(langs)}")
    base = pl.DataFrame(
        {
            "row": pl.Series(range(n), dtype=pl.UInt32) if n else pl.Series([], dtype=pl.UInt32),
            "raw": strip_urls(texts).str.extract_all(_TOKEN_PATTERN),
            # An Enum while exploded: repeating a one-byte code per token, not a string.
            "lang": normalise_lang(langs).cast(_LANG_ENUM),
        }
    )
    lengths = base["raw"].list.len().fill_null(0)
    base = base.with_columns((lengths.cum_sum() - lengths).cast(pl.UInt32).alias("offset"))
    frame = (
        base.explode("raw", empty_as_null=False, keep_nulls=False)
        .with_row_index("idx")
        .with_columns((pl.col("idx") - pl.col("offset")).cast(pl.UInt32).alias("pos"))
    )
    # Everything per token is computed on the UNIQUE (raw token, lang) pairs, then joined back.
    vocab = _describe_tokens(
        frame.select("raw", "lang").unique().with_columns(pl.col("lang").cast(pl.String))
    )
    base_columns = [
        "row",
        "pos",
        "kind",
        "surface",
        "token",
        "lemma",
        "is_stopword",
        "is_elongated",
        "is_caps",
        "lang",
    ]
    if columns is not None:
        unknown = [c for c in columns if c not in base_columns]
        if unknown:
            raise ValueError(f"unknown token columns: {', '.join(unknown)}")
        base_columns = [c for c in base_columns if c in columns]
    extra: list[str] = []
    if annotate is not None:
        before = set(vocab.columns)
        vocab = annotate(vocab)
        extra = [c for c in vocab.columns if c not in before]
    # Only what is returned is copied onto every token occurrence by the join.
    wanted = [c for c in (*base_columns, *extra) if c not in ("row", "pos", "lang")]
    vocab = vocab.select("raw", pl.col("lang").cast(_LANG_ENUM), *wanted)
    frame = frame.join(vocab, on=["raw", "lang"], how="left", maintain_order="left")
    return frame.select(*base_columns, *extra).with_columns(
        *([pl.col("lang").cast(pl.String)] if "lang" in base_columns else [])
    )


_ELONGATED_PATTERN = "|".join(f"{c}{c}{c}" for c in "abcdefghijklmnopqrstuvwxyzàèéìòù")


def _describe_tokens(vocab: pl.DataFrame) -> pl.DataFrame:
    """Kind, case, normal form, lemma and stopword flag of each unique (raw, lang)."""
    raw = pl.col("raw")
    vocab = vocab.with_columns(
        pl.when(raw.str.starts_with("#"))
        .then(pl.lit("hashtag"))
        .when(raw.str.starts_with("@"))
        .then(pl.lit("mention"))
        .when(raw.str.contains(r"^[xX][dD]+$"))
        .then(pl.lit("emoticon"))
        .when(raw.str.contains(r"^\p{L}"))
        .then(pl.lit("word"))
        .when(raw.str.contains(r"^\p{N}"))
        .then(pl.lit("number"))
        .when(raw.str.contains(r"^[!?.,;:]+$"))
        .then(pl.lit("punct"))
        .when(raw.str.contains(r"^\p{Extended_Pictographic}"))
        .then(pl.lit("emoji"))
        .otherwise(pl.lit("emoticon"))
        .alias("kind"),
        (
            (raw.str.len_chars() >= 2) & (raw == raw.str.to_uppercase()) & (raw != raw.str.to_lowercase())
        ).alias("is_caps"),
    ).with_columns(
        # Emoticons: ":d" and ":D" are the same face, so they are upper-cased instead.
        pl.when(pl.col("kind") == "emoticon")
        .then(raw.str.to_uppercase())
        .otherwise(raw.str.to_lowercase().str.replace_all("’", "'"))
        .alias("surface"),
    )
    vocab = vocab.with_columns(
        (
            pl.col("kind").is_in(["word", "hashtag"]) & pl.col("surface").str.contains(_ELONGATED_PATTERN)
        ).alias("is_elongated")
    )
    normed: list[str] = []
    lemmas: list[str] = []
    for surface, lang, kind, elongated in zip(
        vocab["surface"].to_list(),
        vocab["lang"].to_list(),
        vocab["kind"].to_list(),
        vocab["is_elongated"].to_list(),
        strict=True,
    ):
        if kind == "word":
            token = _deelongate(surface, lang) if elongated else surface
            normed.append(token)
            lemmas.append(_lemmatize(token, lang))
        elif kind == "hashtag":
            token = "#" + (_deelongate(surface[1:], lang) if elongated else surface[1:])
            normed.append(token)
            lemmas.append(token)
        elif kind == "number":
            # Any number has the lemma "num", so expressions like "num minuti" match "40 minuti".
            normed.append(surface)
            lemmas.append("num")
        else:
            normed.append(surface)
            lemmas.append(surface)
    vocab = vocab.with_columns(
        pl.Series("token", normed, dtype=pl.String),
        pl.Series("lemma", lemmas, dtype=pl.String),
    )
    return vocab.join(_stopword_frame(), on=["lang", "token"], how="left").with_columns(
        pl.col("is_stopword").fill_null(False)
    )


def tokens(texts: pl.Series, langs: pl.Series) -> pl.DataFrame:
    """Tidy tokens of every text: one row per token occurrence (punctuation left out).

    Args:
        texts: String series.
        langs: String series of the same length ("it", "en" or "other").

    Returns:
        Columns ``row`` (UInt32), ``pos``, ``token``, ``lemma``, ``is_stopword``
        plus ``kind``, ``surface``, ``is_elongated``, ``is_caps``.

    Raises:
        ValueError: if the two series differ in length.
    """
    frame = token_frame(texts, langs)
    return frame.filter(pl.col("kind") != "punct").select(
        "row", "pos", "token", "lemma", "is_stopword", "kind", "surface", "is_elongated", "is_caps"
    )


_QUESTION_START = (
    r"(?i)^\s*(?:@\S+\s+)*(?:come|perch[eé]|quando|dove|chi|cosa|che cosa|quale|quali|quanto|quanti|quanta|"
    r"qualcuno sa|sapete|mi sapete|avete|potete|posso|è possibile|e' possibile|c'è modo|"
    r"how|why|when|where|who|what|which|can you|could you|can i|could i|is there|are there|"
    r"does anyone|do you|did you|will you|anyone know)\b"
)


def is_question(texts: pl.Series) -> pl.Series:
    """Whether each text asks something: a ``?`` outside URLs, or an interrogative opening.

    Returns:
        Boolean series named ``is_question``, same length and order (null text -> False).
    """
    clean = strip_urls(texts)
    return (
        (clean.str.contains(r"\?") | clean.str.contains(_QUESTION_START))
        .fill_null(False)
        .alias("is_question")
    )
