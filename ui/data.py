"""Loading and analysing data for the app, cached so pages never recompute.

Every cached function takes all its inputs as arguments; unhashable frames are
prefixed with ``_`` and identified by an explicit key (file hash, dataset
name), as Streamlit's cache requires. Nothing here reads ``st.session_state``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.config import load_config

DEMO_KEY = "demo"


def max_upload_mb() -> float:
    """The upload limit in MB from ``config/app.yaml: max_file_mb`` (also in ``.streamlit/config.toml``)."""
    return float(load_config("app").get("max_file_mb", 200))


def max_upload_bytes() -> int:
    """The upload limit in bytes."""
    return int(max_upload_mb() * 1024 * 1024)


def display_tz() -> str:
    """The display time zone from ``config/app.yaml`` (Europe/Rome by default)."""
    return str(load_config("app").get("display_timezone", "Europe/Rome"))


def file_key(data: bytes, filename: str) -> str:
    """A short content hash naming an uploaded file in caches (session widgets, mapping state)."""
    return "upload:" + hashlib.sha256(data).hexdigest()[:16] + ":" + filename


def content_key(frame: pl.DataFrame) -> str:
    """A hash of everything ``frame`` holds (column names, types and every value), for shared caches.

    Anything shared by the sessions of the server (the analysis store, ``st.cache_data``,
    ``st.cache_resource``) is keyed by this, never by ids or names a user chose: two
    people whose files share ids 1..N, a file name or a search must never get each
    other's results (issue 8, item 2). Two seeds give 128 bits per row.
    """
    digest = hashlib.sha256()
    digest.update(repr([(name, str(dtype)) for name, dtype in frame.schema.items()]).encode())
    digest.update(frame.height.to_bytes(8, "little"))
    if frame.width:
        for seed in (0, 0x5EED):
            digest.update(frame.hash_rows(seed=seed).to_numpy().tobytes())
    return digest.hexdigest()[:32]


@st.cache_data(show_spinner=False, max_entries=4)
def demo_mentions() -> pl.DataFrame:
    """The Forno Brio demo dataset, conformed (cached for the server's lifetime)."""
    from ascolto_core.datasets import load_demo

    return load_demo()


def profile_for(dataset_key: str) -> Any:
    """The ``BrandProfile`` of a dataset: the demo's own, else the empty profile (workspaces will store one)."""
    from ascolto_core.datasets import demo_profile
    from ascolto_core.profile import BrandProfile

    return demo_profile() if dataset_key == DEMO_KEY else BrandProfile()


def prepare(mentions: pl.DataFrame, profile: Any) -> pl.DataFrame:
    """``insights.summary.prepare``: own posts marked, brands recognised, aspects present."""
    from ascolto_core.insights.summary import prepare as compute

    return compute(mentions, profile)


@st.cache_data(show_spinner=False, max_entries=16)
def load_file(data: bytes, filename: str, mapping: tuple[tuple[str, str | None], ...] | None, sheet: str | None) -> Any:
    """``load_mentions`` on uploaded bytes (a ``LoadResult``), cached by content + mapping + sheet.

    Raises:
        MappingNeeded: the columns are ambiguous; the page shows dropdowns.
        AscoltoError: the file cannot be read (message in the user's language).
    """
    from ascolto_core.loading import ColumnMapping, load_mentions

    column_mapping = ColumnMapping(dict(mapping)) if mapping is not None else None
    return load_mentions(data, filename=filename, mapping=column_mapping, sheet=sheet, max_bytes=max_upload_bytes())


@st.cache_data(show_spinner=False, max_entries=16)
def propose(data: bytes, filename: str, sheet: str | None) -> Any:
    """The loader's column-mapping proposal for a file (``MappingProposal``)."""
    from ascolto_core.loading import propose_mapping

    return propose_mapping(data, filename=filename, sheet=sheet)


class AnalysisStore:
    """Analysed datasets shared by every session of the server, newest kept (a small LRU).

    Not ``st.cache_data``: the analysis draws a progress bar, and Streamlit
    would try to replay that element from the cache in a later session,
    where the bar no longer exists.
    """

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: tuple[str, str], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def analysis_store() -> AnalysisStore:
    """The server-wide store of analysed datasets."""
    return AnalysisStore()


def analyse(
    mentions: pl.DataFrame, dataset_key: str, engine: str, progress: Callable[[int, int], None] | None = None
) -> Any:
    """``analyze_mentions`` for the dataset named ``dataset_key`` (an ``AnalysisResult``), once per server.

    ``dataset_key`` must contain :func:`content_key` of ``mentions``: the store is
    shared by every session, so a key made of ids or names would hand one person's
    result to another. The engine's own disk cache also skips texts analysed before.

    Raises:
        AscoltoError: from the analysis (no text column, unknown engine...).
    """
    from ascolto_core.analysis import analyze_mentions

    store = analysis_store()
    key = (dataset_key, engine)
    cached = store.get(key)
    if cached is None:
        cached = analyze_mentions(mentions, engine=None if engine == "auto" else engine, progress=progress)
        store.put(key, cached)
    return cached


@st.cache_resource(show_spinner=False)
def engines() -> list[Any]:
    """The engines this machine can run (models are looked up once per server)."""
    from ascolto_core.analysis import available_engines

    return available_engines()


@st.cache_data(show_spinner=False, max_entries=8)
def options(_mentions: pl.DataFrame, dataset_key: str, tz: str) -> Any:
    """``filter_options`` of a dataset (computed once per dataset)."""
    from ascolto_core.insights import filter_options

    return filter_options(_mentions, tz)


@st.cache_resource(show_spinner=False, max_entries=4)
def term_index(_mentions: pl.DataFrame, dataset_key: str) -> Any:
    """``keywords.term_index`` of the whole dataset named ``dataset_key``: tokenised once.

    Every filter of the dataset then selects its terms by id instead of tokenising
    again (issue 4). ``cache_resource``, not ``cache_data``: the index is large
    (~70 MB pickled for 100,000 mentions) and read-only (a frozen dataclass of
    frames nobody mutates), so each rerun shares it instead of unpickling a copy.
    """
    from ascolto_core.analysis.keywords import term_index as compute

    return compute(_mentions)


@st.cache_data(show_spinner=False, max_entries=64)
def top_terms(_mentions: pl.DataFrame, cache_key: str, n: int = 60, _index: Any = None) -> pl.DataFrame:
    """``keywords.top_terms`` of a filtered frame named by ``cache_key`` (data + filter + subset).

    ``_index``: the dataset's ``term_index`` (same dataset as in ``cache_key``).
    """
    from ascolto_core.analysis.keywords import top_terms as compute

    return compute(_mentions, n=n, index=_index)


@st.cache_data(show_spinner=False, max_entries=64)
def distinctive_terms(
    _mentions: pl.DataFrame, _in_group: pl.Expr, cache_key: str, n: int = 20, _index: Any = None
) -> pl.DataFrame:
    """``keywords.distinctive_terms`` (group vs the rest) named by ``cache_key`` (data + filter + group).

    ``_index``: the dataset's ``term_index`` (same dataset as in ``cache_key``).
    """
    from ascolto_core.analysis.keywords import distinctive_terms as compute

    return compute(_mentions, _in_group, n=n, index=_index)


@st.cache_data(show_spinner=False, max_entries=64)
def posts_with_term(_mentions: pl.DataFrame, cache_key: str, term: str, _index: Any = None) -> pl.DataFrame:
    """``keywords.mentions_with_term`` (lemma-aware) of a filtered frame named by ``cache_key``.

    ``_index``: the dataset's ``term_index`` (same dataset as in ``cache_key``).
    """
    from ascolto_core.analysis.keywords import mentions_with_term

    return mentions_with_term(_mentions, term, index=_index)


@st.cache_data(show_spinner=False, max_entries=64)
def cloud_png(terms: tuple[tuple[str, int, float | None], ...]) -> bytes | None:
    """A word-cloud PNG, cached by its terms (drawing takes a fraction of a second)."""
    from ui.wordclouds import wordcloud_png

    return wordcloud_png(terms)


@st.cache_data(show_spinner=False, max_entries=8)
def workspace_mentions(path: str, version_key: str, _profile: Any, profile_key: str) -> pl.DataFrame:
    """Every analysed mention of the workspace in ``path``, prepared for the views with ``_profile``.

    ``version_key`` (:func:`ui.workspaces.version_key`) holds the path, the data
    version and the segment files, so another tab's or process's new data makes a
    new entry and two workspaces never share one; ``profile_key`` names ``_profile``
    (own accounts, brands), so changed settings make a new entry too.
    """
    from ascolto_core.workspace import Workspace

    workspace = Workspace.open(path, read_only=True)
    return prepare(with_person_labels(workspace.mentions(), workspace.labels()), _profile)


PERSON_LABEL = "person_label"  # True where a person's correction replaced the engine's label


def with_person_labels(mentions: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """``mentions`` with the person's labels winning over the engine's, flagged in ``person_label``.

    Args:
        mentions: analysed mentions with ``id``, ``sentiment``, ``emotion``.
        labels: the workspace's labels (``mention_id``, ``sentiment``, ``emotion``; nulls = not given).
    """
    if labels.is_empty() or "id" not in mentions.columns:
        return mentions.with_columns(pl.lit(False).alias(PERSON_LABEL))
    person = labels.select(
        pl.col("mention_id").alias("id"),
        pl.col("sentiment").alias("_person_sentiment"),
        pl.col("emotion").alias("_person_emotion"),
    ).unique("id", keep="last")
    return (
        mentions.join(person, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_person_sentiment", "sentiment").alias("sentiment"),
            pl.coalesce("_person_emotion", "emotion").alias("emotion"),
            (pl.col("_person_sentiment").is_not_null() | pl.col("_person_emotion").is_not_null()).alias(PERSON_LABEL),
        )
        .drop("_person_sentiment", "_person_emotion")
    )


@st.cache_data(show_spinner=False, max_entries=16)
def workspace_staleness(path: str, version_key: str, engine: str | None, revisions: tuple[int, int]) -> Any:
    """``staleness`` of the workspace in ``path`` against ``engine``, for its data ``version_key`` and teaching ``revisions``."""
    from ascolto_core.workspace import Workspace, staleness

    return staleness(Workspace.open(path, read_only=True), engine)
