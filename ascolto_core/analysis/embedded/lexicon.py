"""The embedded engine's lexicons: parsed once from ``embedded/data/`` into Polars frames.

Files (all authored by the project, see their headers):

* ``sentiment_<lang>.txt``  ``<valence>: term, term`` (terms with spaces are expressions)
* ``emotion_<lang>.txt``    ``<emotion>: term, term``
* ``emoji.txt``             ``<valence> <emotion>: symbol symbol`` (every language)
* ``rules.yaml``            negators, boosters, contrast words, irony markers, courtesy
  formulas, rule constants
* brand names (``config/analysis.yaml: brand_terms``) are added as neutral entries so a
  brand called "Dolce Sosta" or "Top Pizza" never counts as praise (read once per process)

Multi-word expressions are turned into lemma sequences with the same tokeniser and
lemmatiser used on posts (:func:`ascolto_core.analysis.text.token_frame`), so
"lasciano a desiderare" matches the entry "lascia a desiderare".
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from ascolto_core.analysis.text import token_frame

DATA_DIR = Path(__file__).parent / "data"
LANGS: tuple[str, ...] = ("it", "en")
MAX_EXPRESSION_TOKENS = 5
EMOTION_LABELS: tuple[str, ...] = ("joy", "anger", "fear", "sadness")


@dataclass(frozen=True)
class Lexicon:
    """Everything the engine looks up, keyed by the post language ("it", "en", "other").

    Attributes:
        words: ``lang, term, valence, emotion, is_negator, booster, is_contrast, is_salutation,
            is_form, is_breaker, is_irony, is_courtesy`` for single
            tokens (``term`` is matched against a token's normal form, then its lemma unless
            ``is_form``: a generated inflection).
        expressions: ``lang, n, key, valence, emotion, is_irony, is_courtesy``: ``key`` is the
            space-joined lemma sequence of an ``n``-token expression.
        prefixes: k -> lemma sequences (space-joined) that begin some expression, for
            k = 1..MAX_EXPRESSION_TOKENS (n-grams are extended only while they may match).
        rules: the constants of ``rules.yaml``.
    """

    words: pl.DataFrame
    expressions: pl.DataFrame
    prefixes: dict[int, pl.Series]
    rules: dict[str, Any]


def _parse_groups(path: Path) -> list[tuple[str, list[str]]]:
    """``head: a, b, c`` lines -> [(head, [a, b, c])]; comments and blanks skipped."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, body = line.partition(":")
        terms = [t.strip().lower().replace("’", "'") for t in body.split(",")]
        groups.append((head.strip(), [t for t in terms if t]))
    return groups


def _italian_forms(term: str) -> list[str]:
    """Inflected forms of an Italian adjective/noun lemma for lexicon expansion (not for input)."""
    if term.endswith(("co", "go")):
        stem = term[:-1]
        return [stem + "a", stem + "hi", stem + "he", stem + "i"]
    if term.endswith("o"):
        return [term[:-1] + s for s in ("a", "i", "e")]
    if term.endswith("e") and not term.endswith(("are", "ere", "ire")):
        return [term[:-1] + "i"]
    if term.endswith(("cia", "gia")):
        return [term[:-1] + "e", term[:-2] + "e"]
    if term.endswith(("ca", "ga")):
        return [term[:-1] + "he"]
    if term.endswith("a") and not term.endswith("tà"):
        return [term[:-1] + "e"]
    return []


def _entries(kind: str, lang: str) -> dict[str, Any]:
    """term -> value (valence or emotion) for one file; the first listing of a term wins."""
    values: dict[str, Any] = {}
    for head, terms in _parse_groups(DATA_DIR / f"{kind}_{lang}.txt"):
        value: Any = float(head) if kind == "sentiment" else head
        for term in terms:
            values.setdefault(term, value)
    return values


def _italian_superlatives(term: str) -> list[str]:
    """Absolute superlatives of an Italian adjective lemma: "lento" -> "lentissimo", ... ."""
    if " " in term or len(term) < 4 or "issim" in term or term.endswith(("are", "ere", "ire")):
        return []
    if term.endswith(("co", "go")):
        stem = term[:-1] + "h"
    elif term.endswith(("o", "e")):
        stem = term[:-1]
    else:
        return []
    return [stem + "issim" + end for end in ("o", "a", "i", "e")]


def _generated_forms(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Inflected (and superlative) Italian forms of single-word entries that are not entries."""
    forms: dict[str, Any] = {}
    if lang == "it":
        for term, value in values.items():
            if " " not in term:
                for form in _italian_forms(term):
                    if form not in values:
                        forms.setdefault(form, value)
                for form in _italian_superlatives(term):
                    if form not in values:
                        # A superlative says the same, louder (valences only; emotions unchanged).
                        boosted = max(-4.0, min(4.0, value * 1.25)) if isinstance(value, float) else value
                        forms.setdefault(form, boosted)
    return forms


def _emoji_entries() -> tuple[dict[str, float], dict[str, str]]:
    valences: dict[str, float] = {}
    emotions: dict[str, str] = {}
    for head, body in _parse_groups(DATA_DIR / "emoji.txt"):
        valence, _, emotion = head.partition(" ")
        for symbol in body[0].split() if body else []:
            # Emoticons are matched upper-cased (":d" == ":D"), as the tokeniser produces them.
            key = symbol.upper() if symbol[:1] in ":;=8<>^xX" else symbol
            valences.setdefault(key, float(valence))
            if emotion != "none":
                emotions.setdefault(key, emotion)
    return valences, emotions


def _expression_keys(phrases: list[str], lang: str) -> list[tuple[int, str]]:
    """(n tokens, space-joined lemma key) of each phrase, via the post tokeniser."""
    frame = token_frame(
        pl.Series(phrases, dtype=pl.String), pl.Series([lang] * len(phrases), dtype=pl.String)
    )
    grouped = (
        frame.filter(pl.col("kind") != "punct").group_by("row", maintain_order=True).agg(pl.col("lemma"))
    )
    keys = {
        row: lemmas for row, lemmas in zip(grouped["row"].to_list(), grouped["lemma"].to_list(), strict=True)
    }
    return [(len(keys.get(i, [])), " ".join(keys.get(i, []))) for i in range(len(phrases))]


def _brand_names() -> list[str]:
    """``config/analysis.yaml: brand_terms``, lower-case (shared with keywords)."""
    from ascolto_core.config import load_config

    names = load_config("analysis").get("brand_terms") or []
    return [str(n).strip().lower().lstrip("#") for n in names if str(n).strip()]


_LOADING = threading.Lock()


def load_lexicon() -> Lexicon:
    """Parse the data files once per process (a thread asking while another loads waits for it).

    Raises:
        FileNotFoundError / ValueError: if a packaged data file is missing or malformed
            (a packaging bug, never caused by user input).
    """
    with _LOADING:
        return _load_lexicon()


@functools.cache
def _load_lexicon() -> Lexicon:
    rules = yaml.safe_load((DATA_DIR / "rules.yaml").read_text(encoding="utf-8"))
    emoji_valence, emoji_emotion = _emoji_entries()
    WordRow = tuple[str, str, float | None, str | None, bool, float, bool, bool, bool, bool, bool, bool]
    word_rows: list[WordRow] = []
    expr_rows: list[tuple[str, int, str, float | None, str | None, bool, bool]] = []
    brands = _brand_names()
    for lang in LANGS:
        valences = _entries("sentiment", lang)
        # Brand names are neutral whatever their words mean ("Dolce Sosta", "Top Pizza").
        valences = {**{b: 0.0 for b in brands}, **{t: v for t, v in valences.items() if t not in brands}}
        emotions = _entries("emotion", lang)
        # Generated forms match a token as written, never a lemma ("leggere" from "leggero"
        # must not catch the verb "leggere" via its lemma).
        form_valences = _generated_forms(valences, lang)
        form_emotions = _generated_forms(emotions, lang)
        generated = (set(form_valences) | set(form_emotions)) - set(valences) - set(emotions)
        valences = {**form_valences, **valences}
        emotions = {**form_emotions, **emotions}
        negators = {w.lower() for w in rules["negators"][lang]}
        boosters = {str(k).lower(): float(v) for k, v in rules["boosters"][lang].items()}
        contrast = {w.lower() for w in rules["contrast"][lang]}
        salutations = {w.lower() for w in rules["salutations"][lang]}
        breakers = {w.lower() for w in rules["scope_breakers"][lang]}
        # Emoji markers (👏, 🙃) hold in every language; emoji keep their own rows below.
        irony = {w.lower() for w in rules["irony_markers"][lang]} | set(rules["irony_markers"]["emoji"])
        courtesy = {w.lower() for w in rules["courtesy"][lang]}
        singles = {
            t
            for t in set(valences)
            | set(emotions)
            | negators
            | set(boosters)
            | contrast
            | salutations
            | breakers
            | irony
            | courtesy
            if " " not in t
        } - set(emoji_valence) - set(emoji_emotion)
        for term in sorted(singles):
            word_rows.append(
                (
                    lang,
                    term,
                    valences.get(term),
                    emotions.get(term),
                    term in negators,
                    boosters.get(term, 0.0),
                    term in contrast,
                    term in salutations,
                    term in generated,
                    term in breakers,
                    term in irony,
                    term in courtesy,
                )
            )
        for term in sorted(set(emoji_valence) | set(emoji_emotion)):
            word_rows.append(
                (
                    lang,
                    term,
                    emoji_valence.get(term),
                    emoji_emotion.get(term),
                    False,
                    0.0,
                    False,
                    False,
                    False,
                    False,
                    term in irony,
                    False,
                )
            )
        # Only phrases with a valence become expressions (an emotion-only phrase must not hide its words).
        phrases = sorted(t for t in valences if " " in t)
        for phrase, (n, key) in zip(phrases, _expression_keys(phrases, lang), strict=True):
            if 2 <= n <= MAX_EXPRESSION_TOKENS:
                expr_rows.append(
                    (
                        lang,
                        n,
                        key,
                        valences.get(phrase),
                        emotions.get(phrase),
                        phrase in irony,
                        phrase in courtesy,
                    )
                )
    words = pl.DataFrame(
        word_rows,
        schema={
            "lang": pl.String,
            "term": pl.String,
            "valence": pl.Float64,
            "emotion": pl.String,
            "is_negator": pl.Boolean,
            "booster": pl.Float64,
            "is_contrast": pl.Boolean,
            "is_salutation": pl.Boolean,
            "is_form": pl.Boolean,
            "is_breaker": pl.Boolean,
            "is_irony": pl.Boolean,
            "is_courtesy": pl.Boolean,
        },
        orient="row",
    ).unique(["lang", "term"], keep="first", maintain_order=True)
    expressions = pl.DataFrame(
        expr_rows,
        schema={
            "lang": pl.String,
            "n": pl.Int32,
            "key": pl.String,
            "valence": pl.Float64,
            "emotion": pl.String,
            "is_irony": pl.Boolean,
            "is_courtesy": pl.Boolean,
        },
        orient="row",
    ).with_columns(
        # Phrases sharing a lemma key ("ci manca", "ci mancherai") share the emotion one of them has.
        pl.col("emotion").drop_nulls().first().over(["lang", "n", "key"]).alias("emotion")
    ).unique(["lang", "n", "key"], keep="first", maintain_order=True)
    # Posts in other languages: English entries first, then Italian ones English lacks.
    words = pl.concat(
        [
            words,
            words.filter(pl.col("lang") == "en").with_columns(pl.lit("other").alias("lang")),
            words.filter(pl.col("lang") == "it").with_columns(pl.lit("other").alias("lang")),
        ]
    ).unique(["lang", "term"], keep="first", maintain_order=True)
    expressions = pl.concat(
        [
            expressions,
            expressions.filter(pl.col("lang") == "en").with_columns(pl.lit("other").alias("lang")),
            expressions.filter(pl.col("lang") == "it").with_columns(pl.lit("other").alias("lang")),
        ]
    ).unique(["lang", "n", "key"], keep="first", maintain_order=True)
    prefixes: dict[int, set[str]] = {k: set() for k in range(1, MAX_EXPRESSION_TOKENS + 1)}
    for key in expressions["key"].to_list():
        parts = key.split(" ")
        for k in range(1, len(parts) + 1):
            prefixes[k].add(" ".join(parts[:k]))
    return Lexicon(
        words=words,
        expressions=expressions,
        prefixes={k: pl.Series(sorted(v), dtype=pl.String) for k, v in prefixes.items()},
        rules=rules,
    )


def lexicon_size() -> dict[str, int]:
    """Number of entries per language (single words with a valence, expressions, emoji)."""
    lex = load_lexicon()
    out = {}
    for lang in LANGS:
        out[f"{lang}_words"] = lex.words.filter(
            (pl.col("lang") == lang) & pl.col("valence").is_not_null()
        ).height
        out[f"{lang}_expressions"] = lex.expressions.filter(pl.col("lang") == lang).height
    return out


@functools.cache
def lexicon_fingerprint() -> str:
    """Digest of the data files, the brand names and the engine's code: part of the cache key.

    Editing a lexicon file or the rules must invalidate cached results (a fixed version
    string would serve yesterday's readings).
    """
    import hashlib

    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(DATA_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\x1f" + path.read_bytes())
    digest.update("\x1f".join(_brand_names()).encode())
    digest.update((Path(__file__).parent / "engine.py").read_bytes())
    return digest.hexdigest()
