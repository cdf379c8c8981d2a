"""The ingest step: load -> deduplicate -> analyse what is new -> store, and the refresh of old analyses.

This sits above the store (which knows the table, not the analysis) and the
analysis pipeline. Only mentions the workspace does not hold yet are
analysed; the final deduplication happens again under the store's write lock,
so a concurrent writer can never make a mention appear twice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.analysis import AnalysisResult, analyze_mentions
from ascolto_core.analysis.base import Engine, ProgressCallback
from ascolto_core.analysis.registry import resolve_engine
from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.loading import ColumnMapping, LoadReport, load_mentions
from ascolto_core.schema import ANALYSIS_SCHEMA, conform
from ascolto_core.workspace.dedup import DuplicateCounts, classify, with_keys
from ascolto_core.workspace.store import AnalysisStamp, Staleness, Workspace, order_columns


@dataclass(frozen=True)
class IngestReport:
    """What adding one file or one fetched batch did to a workspace.

    Attributes:
        origin: the file name or the source label.
        kind: "upload", "fetch", "import" or "demo".
        received: mentions that reached the workspace (after the loader's own checks).
        new: mentions stored.
        duplicates: mentions already there (or repeated in the batch), by rule.
        refused: rows of the input that could not be used (empty text...), from the load report.
        analysed: mentions analysed in this step (the new ones).
        engine: label of the engine that analysed them (empty when nothing was analysed).
        load_id: the history entry.
        load: the loader's report (files only).
        fallback: why the requested engine did not run, in Italian and English, or ``None``.
        id_conflicts: duplicates by id whose text differs from the stored mention's (see the report line).
    """

    origin: str
    kind: str
    received: int
    new: int
    duplicates: DuplicateCounts
    refused: int
    analysed: int
    engine: str
    load_id: int
    load: LoadReport | None = field(default=None, repr=False)
    fallback: tuple[str, str] | None = None
    id_conflicts: int = 0

    def lines(self, lang: str = "it") -> list[str]:
        """The report as sentences in ``lang``: the loader's lines, then what the workspace did."""
        out = (
            list(self.load.lines(lang))
            if self.load is not None
            else [t("workspace.report_origin", lang, origin=self.origin)]
        )
        out.append(t("workspace.report_added", lang, new=self.new, received=self.received))
        d = self.duplicates
        out.append(
            t(
                "workspace.report_duplicates",
                lang,
                n=d.total,
                by_id=d.by_id,
                by_url=d.by_url,
                by_text=d.by_text,
            )
        )
        if self.id_conflicts:
            out.append(t("workspace.report_id_conflicts", lang, n=self.id_conflicts))
        if self.refused:
            out.append(t("workspace.report_refused", lang, n=self.refused))
        if self.analysed:
            out.append(t("workspace.report_analysed", lang, n=self.analysed, engine=self.engine))
        if self.fallback is not None:
            out.append(self.fallback[0] if lang == "it" else self.fallback[1])
        return out


VOCABULARY_MARK = "+vocabulary:"  # how VocabularyEngine extends the embedded engine's model id


def workspace_engine(workspace: Workspace, engine: str | None = None) -> Engine:
    """The engine that analyses ``workspace``'s mentions.

    ``engine`` as resolved, reading with the workspace's vocabulary (:func:`vocabulary_engine`);
    when the workspace's labels train an adapted model that cross-validation says beats that
    engine (for sentiment, emotion or both: the model's own rule), the adapted engine on top
    of it. Its stamps name "adapted" and the labels revision, so earlier analyses read as stale.
    """
    base = vocabulary_engine(workspace, engine)
    adapted = adapted_engine(workspace, base)
    return adapted if adapted is not None and adapted.in_use else base


def vocabulary_engine(workspace: Workspace, engine: str | None = None) -> Engine:
    """``engine`` as resolved, reading with the workspace's vocabulary.

    When it resolves to the embedded engine and the workspace has vocabulary or brand, alias,
    competitor or own-account names (its settings), those terms are applied to its lexicon
    (names count as no mood). Stamps name the plain engine: the vocabulary is stamped by its
    revision (a change of names in the settings does not mark old analyses stale).
    """
    from ascolto_core.analysis.learning.vocabulary import VocabularyEngine, with_brand_names

    resolved = resolve_engine(engine).engine
    if resolved.info.name != "embedded":
        return resolved
    try:
        vocabulary = workspace.vocabulary()
    except AscoltoError:  # a first-version catalogue opened read-only has no vocabulary table yet
        return resolved
    profile = workspace.settings().profile
    names = (*profile.all_brand_names, *profile.own_accounts)
    entries = with_brand_names(vocabulary_entries(vocabulary), names)
    return VocabularyEngine(entries) if entries else resolved


# Trained adapted engines by (workspace, revisions, random draws, base engine): a model is
# trained once per teaching revision, not on every call (stamp, ingest, refresh, page).
_ADAPTED: dict[tuple[object, ...], Any] = {}
_ADAPTED_KEEP = 4
_ADAPTED_LOCK = threading.Lock()  # app sessions run in threads: one training per key, no torn evictions


def adapted_engine(workspace: Workspace, base: Engine | None = None, engine: str | None = None) -> Any:
    """The workspace's ``AdaptedEngine`` trained on its labels on top of ``base``, or ``None``.

    ``None`` when there are fewer labels than the model needs to estimate its quality
    (nothing to train on) or the catalogue has no labels table (old, read-only). Whether it
    is used is its ``in_use``; its ``quality`` says why.

    Args:
        workspace: the open workspace.
        base: the engine the model starts from (default: :func:`vocabulary_engine`).
        engine: the requested engine name, when ``base`` is not given.
    """
    from ascolto_core.analysis.learning.engine import AdaptedEngine
    from ascolto_core.analysis.learning.model import MIN_LABELS
    from ascolto_core.workspace.taught_io import RANDOM_STATE, taught_of

    base = base if base is not None else vocabulary_engine(workspace, engine)
    try:
        revisions = workspace.revisions()
        labels = workspace.labels()
        drawn = tuple(sorted(workspace.get_state(RANDOM_STATE, []) or []))
    except AscoltoError:
        return None
    if labels.height < MIN_LABELS:
        return None
    info = base.info
    key = (str(Path(workspace.path).resolve()), revisions, hash(drawn), info.name, info.model_id, info.version)
    with _ADAPTED_LOCK:
        if key not in _ADAPTED:
            while len(_ADAPTED) >= _ADAPTED_KEEP:
                _ADAPTED.pop(next(iter(_ADAPTED)))
            _ADAPTED[key] = AdaptedEngine(base, taught_of(workspace))
        return _ADAPTED[key]


def teaching_quality(workspace: Workspace, engine: str | None = None) -> tuple[Any, Any]:
    """The sentiment and emotion ``QualityEstimate`` that decided :func:`workspace_engine` (what is in use, why).

    The same trained model the workspace's engine uses, cross-validated on the person's
    labels against the vocabulary-aware engine; with too few labels, estimates that say so.
    """
    from ascolto_core.analysis.learning.model import QualityEstimate

    adapted = adapted_engine(workspace, engine=engine)
    if adapted is not None:
        return adapted.quality
    try:
        labels = workspace.labels()
    except AscoltoError:
        labels = pl.DataFrame(schema={"sentiment": pl.String, "emotion": pl.String})
    return tuple(
        QualityEstimate(target, labels[target].drop_nulls().len(), None, None, "engine", "learning.quality.too_few")
        for target in ("sentiment", "emotion")
    )


def vocabulary_entries(vocabulary: pl.DataFrame) -> tuple[Any, ...]:
    """The workspace's vocabulary rows (term, kind, polarity in [-1, 1], emotion) as the engine's ``VocabularyEntry``.

    A polarity above 0.2 reads as positive, below -0.2 as negative, else neutral; an
    "emotion" term without a polarity keeps its emotion and reads as neutral.
    """
    from ascolto_core.analysis.learning.vocabulary import VocabularyEntry

    entries = []
    for term, kind, polarity, emotion in vocabulary.select("term", "kind", "polarity", "emotion").iter_rows():
        if kind == "name":
            entries.append(VocabularyEntry(term, "name"))
            continue
        value = float(polarity) if polarity is not None else 0.0
        sign = "positive" if value > 0.2 else "negative" if value < -0.2 else "neutral"
        entries.append(VocabularyEntry(term, sign, emotion))
    return tuple(entries)


def current_stamp(workspace: Workspace, engine: str | None = None) -> AnalysisStamp:
    """The stamp a fresh analysis would carry now: the workspace's engine (:func:`workspace_engine`) and the teaching revisions."""
    info = workspace_engine(workspace, engine).info
    vocabulary, labels = workspace.revisions()
    return AnalysisStamp(info.name, _plain_model_id(info.model_id), info.version, vocabulary, _labels_seen(info.name, labels))


def _stamp(result: AnalysisResult, revisions: tuple[int, int]) -> AnalysisStamp:
    vocabulary, labels = revisions
    info = result.engine
    return AnalysisStamp(info.name, _plain_model_id(info.model_id), info.version, vocabulary, _labels_seen(info.name, labels))


def _labels_seen(engine: str, labels_revision: int) -> int:
    # Only a model trained on the labels reads them; the app lays the person's labels over any
    # other engine's results, so a correction does not make every stored analysis stale.
    return labels_revision if engine == "adapted" else 0


def _plain_model_id(model_id: str) -> str:
    # The vocabulary is stamped by its revision: a stamp names the engine without it (stale "by teaching").
    return model_id.split(VOCABULARY_MARK)[0]


def add_mentions(
    workspace: Workspace,
    mentions: pl.DataFrame,
    *,
    origin: str,
    kind: str = "fetch",
    engine: str | None = None,
    progress: ProgressCallback | None = None,
    refused: int = 0,
    load: LoadReport | None = None,
) -> IngestReport:
    """Analyse the mentions of ``mentions`` the workspace does not hold yet, and store them.

    Args:
        workspace: an open, writable workspace.
        mentions: canonical mentions (``schema.conform``); analysis columns, if any, are redone.
        origin: the file name or source label for the history ("mastodon:mastodon.uno").
        kind: "upload" for files, "fetch" for the listening process, "import", "demo".
        engine: the analysis engine (default: the configured one).
        progress: ``progress(done, total)`` over the texts analysed.
        refused: input rows that could not be used, for the report and the history.
        load: the loader's report, shown first by :meth:`IngestReport.lines`.

    Raises:
        AscoltoError: ``workspace.read_only``; the analysis' own messages.
    """
    workspace.require_writable()
    revisions = workspace.revisions()  # before analysing: a change meanwhile must leave these rows stale
    within_file = load.duplicates_removed if load is not None else 0
    keyed = with_keys(conform(mentions.drop([c for c in ANALYSIS_SCHEMA if c in mentions.columns])))
    stored_keys = workspace.dedup_index()
    keep, earlier = classify(keyed, stored_keys)
    conflicts = _id_conflicts(workspace, keyed, stored_keys)
    fresh = keyed.filter(keep).drop("dedup_url", "dedup_text")
    earlier = earlier + DuplicateCounts(by_id=within_file)
    if fresh.is_empty():
        analysed_frame = order_columns(fresh)
        stamp = current_stamp(workspace, engine)
        result = None
    else:
        result = analyze_mentions(fresh, engine=workspace_engine(workspace, engine), progress=progress)
        analysed_frame = result.mentions
        stamp = _stamp(result, revisions)
    outcome = workspace.append(
        analysed_frame,
        stamp=stamp,
        kind=kind,
        origin=origin,
        refused=refused,
        earlier_duplicates=earlier,
        details={"id_conflicts": conflicts} if conflicts else None,
    )
    workspace.compact()  # cheap when there is nothing to merge
    fallback = None
    if result is not None and result.fallback is not None:
        fallback = (result.fallback_message("it") or "", result.fallback_message("en") or "")
    return IngestReport(
        origin=origin,
        kind=kind,
        received=mentions.height + within_file,
        new=outcome.new,
        duplicates=outcome.duplicates,
        refused=refused,
        analysed=analysed_frame.height if result is not None else 0,
        engine=result.engine.label if result is not None else "",
        load_id=outcome.load_id,
        load=load,
        fallback=fallback,
        id_conflicts=conflicts,
    )


def _id_conflicts(workspace: Workspace, keyed: pl.DataFrame, stored_keys: pl.DataFrame) -> int:
    """Incoming mentions whose id is stored with a different text: most likely a file numbering its rows 1, 2, 3.

    They still count as duplicates by id (the issue's rule), but the report says so,
    so a person whose spreadsheets share row numbers is never left unaware.
    """
    stored_ids = stored_keys.get_column("id")
    ids = keyed.get_column("id").drop_nulls().unique()
    known = stored_ids.filter(stored_ids.is_in(ids.implode()).fill_null(False))  # probe the big side
    hits = keyed.select("id", "text").filter(pl.col("id").is_in(known.implode()))
    if hits.is_empty():
        return 0
    wanted = hits["id"].unique()
    stored = workspace.collect(
        lambda: workspace.scan_mentions().filter(pl.col("id").is_in(wanted.implode())).select("id", "text")
    )
    norm = (
        pl.col("text").str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    )
    compared = hits.with_columns(norm.alias("t")).join(
        stored.with_columns(norm.alias("t")).select("id", "t").unique("id"),
        on="id",
        how="inner",
        suffix="_stored",
    )
    return int((compared["t"] != compared["t_stored"]).fill_null(False).sum())


def add_file(
    workspace: Workspace,
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    mapping: ColumnMapping | dict[str, str | None] | None = None,
    sheet: str | int | None = None,
    engine: str | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Load a file (path or uploaded bytes), then :func:`add_mentions` it as an upload.

    Args:
        filename, mapping, sheet: as for :func:`ascolto_core.loading.load_mentions`.

    Raises:
        MappingNeeded: when the file's columns are unclear (ask the person, then call
            again with their ``mapping``).
        AscoltoError: unreadable files, ``workspace.read_only``.
    """
    workspace.require_writable()
    loaded = load_mentions(source, filename=filename, mapping=mapping, sheet=sheet)
    report = loaded.report
    refused = report.empty_texts_dropped
    origin = (
        report.source_name or filename or (Path(source).name if not isinstance(source, bytes) else "upload")
    )
    return add_mentions(
        workspace,
        loaded.mentions,
        origin=origin,
        kind="upload",
        engine=engine,
        progress=progress,
        refused=refused,
        load=report,
    )


def add_files(
    workspace: Workspace, paths: Iterable[str | os.PathLike[str]], *, engine: str | None = None
) -> list[IngestReport]:
    """:func:`add_file` for each path in turn (each file is its own atomic load)."""
    return [add_file(workspace, path, engine=engine) for path in paths]


def staleness(workspace: Workspace, engine: str | None = None) -> Staleness:
    """How many stored analyses differ from what the current engine and teaching would give."""
    return workspace.staleness(current_stamp(workspace, engine))


def refresh_analysis(
    workspace: Workspace, *, engine: str | None = None, progress: ProgressCallback | None = None
) -> int:
    """Re-analyse the stale mentions (older engine, version, vocabulary or labels) and swap their segments.

    Returns:
        How many mentions were re-analysed (0 when nothing was stale).

    Raises:
        AscoltoError: ``workspace.changed`` when another process refreshed meanwhile;
            ``workspace.read_only``.
    """
    workspace.require_writable()
    reader = workspace_engine(workspace, engine)
    target = current_stamp(workspace, engine)
    revisions = (target.vocabulary_revision, target.labels_revision)
    files = workspace.segment_files()
    replacements: dict[str, pl.DataFrame] = {}
    redone = 0
    for name in files:
        try:
            segment = pl.read_parquet(workspace.path / "mentions" / name)
        except FileNotFoundError:
            raise AscoltoError("workspace.changed", path=str(workspace.path)) from None
        stale = (
            (pl.col("analysis_engine") != target.engine)
            | (pl.col("analysis_model") != target.model_id)
            | (pl.col("analysis_version") != target.version)
            | (pl.col("analysis_vocabulary") != target.vocabulary_revision)
            | (pl.col("analysis_labels") != target.labels_revision)
        ).fill_null(True)
        if not segment.select(stale.any()).item():
            continue
        result = analyze_mentions(
            segment.drop([c for c in ANALYSIS_SCHEMA if c in segment.columns]),
            engine=reader,
            progress=progress,
        )
        stamp = _stamp(result, revisions)
        updated = result.mentions.with_columns(
            pl.lit(stamp.engine).alias("analysis_engine"),
            pl.lit(stamp.model_id).alias("analysis_model"),
            pl.lit(stamp.version).alias("analysis_version"),
            pl.lit(stamp.vocabulary_revision, dtype=pl.Int64).alias("analysis_vocabulary"),
            pl.lit(stamp.labels_revision, dtype=pl.Int64).alias("analysis_labels"),
        )
        replacements[name] = order_columns(updated)
        redone += segment.height
    if replacements:
        workspace.replace_segments(
            replacements, origin="refresh", details={"engine": f"{target.engine} {target.version}"}
        )
    return redone
