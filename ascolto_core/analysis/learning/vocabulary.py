"""The person's vocabulary: words and phrases marked as names (neutral) or given a polarity/emotion.

A vocabulary is applied to the embedded engine by patching its lexicon (a few frame
upserts), so re-reading every mention with it costs one embedded pass: cheap enough to
apply "instantly" to a whole workspace. Brand, competitor and own-account names
(:class:`ascolto_core.profile.BrandProfile`) are names by default, so "Dolce Sosta" or
"La Buona Scuola" never counts as praise; an explicit entry of the person wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import polars as pl

from ascolto_core.analysis.base import EngineInfo
from ascolto_core.analysis.embedded.engine import EmbeddedEngine
from ascolto_core.analysis.embedded.lexicon import (
    MAX_EXPRESSION_TOKENS,
    Lexicon,
    _expression_keys,
    _italian_forms,
    load_lexicon,
)

POLARITIES: tuple[str, ...] = ("name", "negative", "neutral", "positive")
VOCAB_EMOTIONS: tuple[str, ...] = ("joy", "anger", "fear", "sadness", "none")
# Valence given to a word the person calls positive/negative (the lexicon's "clear" level).
PERSON_VALENCE = 2.5
VOCABULARY_SCHEMA: dict[str, pl.DataType] = {
    "term": pl.String(),
    "polarity": pl.String(),  # one of POLARITIES
    "emotion": pl.String(),  # one of VOCAB_EMOTIONS or null (= leave the lexicon's)
}
_LEXICON_LANGS: tuple[str, ...] = ("it", "en", "other")


@dataclass(frozen=True)
class VocabularyEntry:
    """One term of the person's vocabulary.

    Attributes:
        term: a word or phrase (matched case-insensitively, phrases on their lemmas).
        polarity: "name" (no sentiment, no emotion), "negative", "neutral" or "positive".
        emotion: an emotion for the term, or ``None`` to keep the lexicon's.
    """

    term: str
    polarity: str = "name"
    emotion: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.term, str):
            raise TypeError(f"expected str term, got {type(self.term).__name__}")
        cleaned = " ".join(self.term.strip().lower().replace("’", "'").lstrip("#@").split())
        if not cleaned:
            raise ValueError("empty vocabulary term")
        object.__setattr__(self, "term", cleaned)
        if self.polarity not in POLARITIES:
            raise ValueError(f"expected polarity in {POLARITIES}, got {self.polarity!r}")
        if self.emotion is not None and self.emotion not in VOCAB_EMOTIONS:
            raise ValueError(f"expected emotion in {VOCAB_EMOTIONS}, got {self.emotion!r}")

    @property
    def valence(self) -> float:
        """The valence the engine gives the term."""
        return {"positive": PERSON_VALENCE, "negative": -PERSON_VALENCE}.get(self.polarity, 0.0)

    @property
    def lexicon_emotion(self) -> str | None:
        """The emotion written into the lexicon ("none" blocks the word's own; ``None`` keeps it)."""
        if self.polarity == "name":
            return "none"
        return self.emotion


def vocabulary_frame(entries: Iterable[VocabularyEntry]) -> pl.DataFrame:
    """Entries as a tidy frame with ``VOCABULARY_SCHEMA`` (the last entry of a term wins)."""
    latest: dict[str, VocabularyEntry] = {}
    for entry in entries:
        latest[entry.term] = entry
    return pl.DataFrame(
        [(e.term, e.polarity, e.emotion) for e in latest.values()], schema=VOCABULARY_SCHEMA, orient="row"
    )


def entries_from_frame(frame: pl.DataFrame) -> tuple[VocabularyEntry, ...]:
    """Entries from a frame with ``term`` and ``polarity`` (``emotion`` optional).

    Raises:
        ValueError: for a missing column or a value outside ``POLARITIES``/``VOCAB_EMOTIONS``.
    """
    missing = {"term", "polarity"} - set(frame.columns)
    if missing:
        raise ValueError(f"vocabulary needs columns term, polarity; missing {sorted(missing)}")
    emotions = frame["emotion"] if "emotion" in frame.columns else pl.Series([None] * frame.height)
    return tuple(
        VocabularyEntry(str(term), str(polarity), emotion or None)
        for term, polarity, emotion in zip(frame["term"], frame["polarity"], emotions, strict=True)
        if term is not None and str(term).strip()
    )


def with_brand_names(
    entries: Sequence[VocabularyEntry], brand_names: Iterable[str] = ()
) -> tuple[VocabularyEntry, ...]:
    """Brand/competitor/account names as "name" entries, then the person's entries (which win)."""
    person = {entry.term for entry in entries}
    names = []
    for name in brand_names:
        try:
            entry = VocabularyEntry(str(name), "name")
        except ValueError:
            continue
        if entry.term not in person:
            names.append(entry)
    return (*names, *entries)


def apply_vocabulary(lexicon: Lexicon, entries: Sequence[VocabularyEntry]) -> Lexicon:
    """A copy of ``lexicon`` where the vocabulary's terms replace the lexicon's meaning.

    Single words (and their Italian inflections) become word entries in every language;
    phrases become multi-word expressions (a neutral expression covers its words, so
    "buona" inside "la buona scuola" counts nothing).
    """
    if not entries:
        return lexicon
    latest: dict[str, VocabularyEntry] = {}
    for entry in entries:
        latest[entry.term] = entry
    words = [e for e in latest.values() if len(e.term.split()) == 1]
    phrases = [e for e in latest.values() if len(e.term.split()) > 1]

    new_words = lexicon.words
    if words:
        rows = []
        for entry in words:
            forms = [entry.term, *_italian_forms(entry.term)] if entry.polarity == "name" else [entry.term]
            for lang in _LEXICON_LANGS:
                for form in dict.fromkeys(forms):
                    rows.append((lang, form, entry.valence, entry.lexicon_emotion))
        patch = pl.DataFrame(
            rows,
            schema={"lang": pl.String, "term": pl.String, "valence": pl.Float64, "emotion": pl.String},
            orient="row",
        ).unique(["lang", "term"], keep="first", maintain_order=True)
        old = lexicon.words.join(patch.select("lang", "term"), on=["lang", "term"], how="semi")
        kept_emotion = (
            patch.join(old.select("lang", "term", pl.col("emotion").alias("old_emotion")), on=["lang", "term"], how="left")
            .with_columns(pl.col("emotion").fill_null(pl.col("old_emotion")))
            .drop("old_emotion")
        )
        defaults = {
            "is_negator": False,
            "booster": 0.0,
            "is_contrast": False,
            "is_salutation": False,
            "is_form": False,
            "is_breaker": False,
            "is_irony": False,
            "is_courtesy": False,
        }
        added = kept_emotion.with_columns(
            *(pl.lit(value).alias(name) for name, value in defaults.items())
        ).select(lexicon.words.columns)
        new_words = pl.concat(
            [added, lexicon.words.join(patch.select("lang", "term"), on=["lang", "term"], how="anti")]
        )

    new_expressions = lexicon.expressions
    prefixes = dict(lexicon.prefixes)
    if phrases:
        rows = []
        for lang in _LEXICON_LANGS:
            key_lang = "en" if lang == "en" else "it"
            for entry, (n, key) in zip(
                phrases, _expression_keys([e.term for e in phrases], key_lang), strict=True
            ):
                if 2 <= n <= MAX_EXPRESSION_TOKENS:
                    emotion = None if entry.lexicon_emotion == "none" else entry.lexicon_emotion
                    rows.append((lang, n, key, entry.valence, emotion, False, False))
        patch = pl.DataFrame(
            rows, schema=dict(lexicon.expressions.schema), orient="row"
        ).unique(["lang", "n", "key"], keep="first", maintain_order=True)
        new_expressions = pl.concat(
            [patch, lexicon.expressions.join(patch.select("lang", "n", "key"), on=["lang", "n", "key"], how="anti")]
        )
        for key in patch["key"].to_list():
            parts = key.split(" ")
            for k in range(1, len(parts) + 1):
                prefixes[k] = pl.concat([prefixes[k], pl.Series([" ".join(parts[:k])])]).unique().sort()
    return replace(lexicon, words=new_words, expressions=new_expressions, prefixes=prefixes)


def vocabulary_fingerprint(entries: Sequence[VocabularyEntry]) -> str:
    """A short digest of the entries (part of the result-cache key of engines that use them)."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"{entry.term}\t{entry.polarity}\t{entry.emotion}\n".encode())
    return digest.hexdigest()[:12]


class VocabularyEngine(EmbeddedEngine):
    """The embedded engine reading with the person's vocabulary (and brand names as names)."""

    def __init__(self, entries: Sequence[VocabularyEntry], lexicon: Lexicon | None = None) -> None:
        """``lexicon``: the base lexicon (default this install's; a Spark executor gets the driver's)."""
        self.entries = tuple(entries)
        super().__init__(apply_vocabulary(lexicon if lexicon is not None else load_lexicon(), self.entries))

    @property
    def info(self) -> EngineInfo:
        """``embedded`` with the vocabulary's size and digest in the model id (new cache key)."""
        base = super().info
        if not self.entries:
            return base
        return EngineInfo(
            name=base.name,
            model_id=f"{base.model_id}+vocabulary:{len(self.entries)}:{vocabulary_fingerprint(self.entries)}",
            version=base.version,
        )
