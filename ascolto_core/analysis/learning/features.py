"""Features of the adapted model: word and character n-grams plus the base engine's own reading.

The base engine's score, labels and drivers are features like the words, so a handful of
labels already shifts the engine where the brand's language differs, and the learner can
fall back on the engine where the labels say nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from ascolto_core.schema import EMOTIONS, SENTIMENTS

# Engine features weigh this much against the unit-length n-gram blocks: the engine's
# reading is a strong prior the learner should not need many labels to use.
ENGINE_WEIGHT = 2.0
MAX_CHAR_FEATURES = 60_000
# Character 3-5-grams: 2-grams say little about sentiment and cost a quarter of the time.
CHAR_NGRAMS = (3, 5)
# From this many distinct texts on, n-grams are computed in parallel processes (one per core, max 4).
PARALLEL_MIN_TEXTS = 20_000
MAX_WORKERS = 4
# Words, hashtags/mentions, and single symbols (emoji, "!", "?") as tokens.
TOKEN_PATTERN = r"(?u)[#@]?\w+|[^\w\s]"
URL_PATTERN = r"https?://\S+|www\.\S+"
USER_PATTERN = r"@\w+"


def normalise_texts(texts: pl.Series) -> pl.Series:
    """Lower-case text with links and user names replaced by placeholders."""
    return (
        texts.cast(pl.String)
        .fill_null("")
        .str.replace_all(URL_PATTERN, " http ")
        .str.replace_all(USER_PATTERN, " @user ")
        .str.to_lowercase()
    )


def _driver_documents(analysis: pl.DataFrame) -> list[str]:
    """The engine's drivers as one document per post: "+term" / "-term" (spaces -> "_")."""
    pos = analysis["drivers_pos"].list.eval(pl.lit("+") + pl.element().str.replace_all(" ", "_")).list.join(" ")
    neg = analysis["drivers_neg"].list.eval(pl.lit("-") + pl.element().str.replace_all(" ", "_")).list.join(" ")
    return (pos.fill_null("") + " " + neg.fill_null("")).to_list()


def engine_matrix(analysis: pl.DataFrame) -> np.ndarray:
    """Dense engine features: score, signed confidence, one-hot sentiment and emotion."""
    score = analysis["sentiment_score"].fill_null(0.0).to_numpy()
    confidence = analysis["sentiment_confidence"].fill_null(0.0).to_numpy()
    sentiment = analysis["sentiment"].fill_null("neutral")
    emotion = analysis["emotion"].fill_null("none")
    columns = [score, score * confidence]
    columns += [(sentiment == label).cast(pl.Float64).to_numpy() for label in SENTIMENTS]
    columns += [(emotion == label).cast(pl.Float64).to_numpy() for label in EMOTIONS]
    return np.column_stack(columns) * ENGINE_WEIGHT


ENGINE_FEATURE_NAMES: tuple[str, ...] = (
    "engine:score",
    "engine:score_confidence",
    *(f"engine:{label}" for label in SENTIMENTS),
    *(f"engine:emotion_{label}" for label in EMOTIONS),
)


def _ngram_blocks(words: TfidfVectorizer, chars: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    return sparse.hstack([words.transform(texts), chars.transform(texts)], format="csr")


@dataclass
class FeatureBuilder:
    """Fitted vectorisers; :meth:`fit` on training texts, :meth:`transform` on any texts.

    Attributes:
        words: word uni/bigrams (TF-IDF, sublinear).
        chars: character 3-5-grams inside word boundaries (TF-IDF, sublinear).
        drivers: the engine's drivers as "+term"/"-term" tokens.
    """

    words: TfidfVectorizer
    chars: TfidfVectorizer
    drivers: CountVectorizer

    @classmethod
    def fit(cls, texts: pl.Series, analysis: pl.DataFrame) -> FeatureBuilder:
        """Learn the vocabularies from the training posts."""
        clean = normalise_texts(texts).to_list()
        words = TfidfVectorizer(
            token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), sublinear_tf=True, lowercase=False, dtype=np.float32
        ).fit(clean)
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            sublinear_tf=True,
            lowercase=False,
            max_features=MAX_CHAR_FEATURES,
            dtype=np.float32,
        ).fit(clean)
        drivers = CountVectorizer(
            token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32
        ).fit([*_driver_documents(analysis), "+ -"])
        return cls(words, chars, drivers)

    def transform(self, texts: pl.Series, analysis: pl.DataFrame) -> sparse.csr_matrix:
        """The feature matrix: [words | chars | drivers | engine], one row per post.

        The n-grams of each distinct text are computed once (retweets and copies are common).
        """
        clean = normalise_texts(texts)
        distinct = clean.unique(maintain_order=True)
        back = (
            pl.DataFrame({"text": clean})
            .join(
                pl.DataFrame({"text": distinct, "at": pl.int_range(len(distinct), eager=True)}),
                on="text",
                how="left",
                maintain_order="left",
            )["at"]
            .to_numpy()
        )
        text_blocks = self._text_blocks(distinct.to_list())[back]
        return sparse.hstack(
            [
                text_blocks,
                self.drivers.transform(_driver_documents(analysis)),
                sparse.csr_matrix(engine_matrix(analysis)),
            ],
            format="csr",
        )

    def _text_blocks(self, texts: list[str]) -> sparse.csr_matrix:
        """[words | chars] of distinct texts; in parallel processes for large inputs."""
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
        if len(texts) < PARALLEL_MIN_TEXTS or workers < 2:
            return _ngram_blocks(self.words, self.chars, texts)
        from joblib import Parallel, delayed

        size = -(-len(texts) // workers)
        chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
        parts = Parallel(n_jobs=workers)(delayed(_ngram_blocks)(self.words, self.chars, chunk) for chunk in chunks)
        return sparse.vstack(parts, format="csr")

    def blocks(self) -> tuple[int, int, int, int]:
        """Column counts of the four blocks (words, chars, drivers, engine)."""
        return (
            len(self.words.vocabulary_),
            len(self.chars.vocabulary_),
            len(self.drivers.vocabulary_),
            len(ENGINE_FEATURE_NAMES),
        )

    def explainable_names(self) -> dict[int, str]:
        """Column -> readable term for the columns shown as drivers (words and engine drivers)."""
        n_words, n_chars, _, _ = self.blocks()
        names = {index: term for term, index in self.words.vocabulary_.items()}
        offset = n_words + n_chars
        for token, index in self.drivers.vocabulary_.items():
            if len(token) > 1:
                names[offset + index] = token[1:].replace("_", " ")
        return names
