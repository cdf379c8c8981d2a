"""Teaching the engine from the app: corrections on post cards, the Insegna queue, vocabulary, suspicious drivers.

Everything a person teaches is stored in the open workspace (labels, vocabulary,
dismissed drivers in its state); nothing lives only in the session except the
undo stack and the skipped posts of the queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.schema import EMOTIONS, SENTIMENTS
from ascolto_core.workspace.taught_io import RANDOM_STATE
from ui.components import EMOTION_ICON, escape_markdown, literal_t
from ui.format import category_name

UNDO = "teach_undo_stack"  # session: mention ids labelled in this session, newest last
SKIPPED = "teach_skipped_ids"  # session: mention ids skipped in this session
DISMISSED_STATE = "teach.dismissed_drivers"  # workspace state: drivers the person called right
_RUNS: dict[int, tuple[dict[Any, Any], Counter[str]]] = {}


def _occurrence(name: str) -> int:
    """How many times ``name`` was used in this script run before (one post shown twice on a page)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return 0
    cursors, counts = _RUNS.get(id(ctx), (None, Counter()))
    if cursors is not ctx.cursors:  # a new run: Streamlit gives each run a new cursors dict
        counts = Counter()
        _RUNS[id(ctx)] = (ctx.cursors, counts)
    counts[name] += 1
    return counts[name] - 1


def writable_path() -> str | None:
    """The open workspace's path when the person may teach it (not the demo, not read-only)."""
    from ui.workspaces import is_read_only, open_path

    path = open_path()
    if path is None:
        return None
    try:
        return None if is_read_only(path) else str(path)
    except AscoltoError:
        return None


def store_label(path: str, mention_id: str, sentiment: str | None = None, emotion: str | None = None) -> None:
    """Record a person's sentiment or emotion for a post, keeping the other half of an earlier label."""
    from ascolto_core.workspace import Workspace

    workspace = Workspace.open(path)
    earlier = workspace.labels().filter(pl.col("mention_id") == mention_id)
    if not earlier.is_empty():
        sentiment = sentiment if sentiment is not None else earlier["sentiment"][0]
        emotion = emotion if emotion is not None else earlier["emotion"][0]
    workspace.set_label(mention_id, sentiment=sentiment, emotion=emotion)


def _correct(path: str, mention_id: str, sentiment: str | None, emotion: str | None) -> None:
    try:
        store_label(path, mention_id, sentiment, emotion)
    except AscoltoError as error:
        st.session_state["teach_error"] = escape_markdown(error.message(str(st.session_state.get("lang") or "it")))


def correction_controls(row: Mapping[str, Any], lang: str) -> None:
    """On a post card: a "Correggi" popover with one button per sentiment and per emotion.

    Shown only in a writable workspace; the read-only demo gets one line saying so
    (once per page).
    """
    mention_id = row.get("id")
    if mention_id is None:
        return
    path = writable_path()
    if path is None:
        from ui.workspaces import open_path

        if open_path() is not None and _occurrence("read_only_note") == 0:
            st.caption(t("teachui.correct.read_only", lang))
        return
    base = f"fix_{mention_id}_{_occurrence(str(mention_id))}"
    with st.popover(t("teachui.correct.open", lang), icon=":material/edit:", key=f"{base}_pop"):
        for field, values in (("sentiment", SENTIMENTS), ("emotion", EMOTIONS)):
            st.caption(t(f"teachui.correct.{field}", lang))
            with st.container(horizontal=True, gap="small"):
                for value in values:
                    st.button(
                        category_name(field, value, lang),
                        key=f"{base}_{field[0]}_{value}",
                        type="primary" if row.get(field) == value else "secondary",
                        on_click=_correct,
                        # (path, id, sentiment, emotion): the label of this row, the other left as it is
                        args=(path, str(mention_id), *((value, None) if field == "sentiment" else (None, value))),
                    )


# -- the Insegna page ------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def next_posts(_mentions: pl.DataFrame, dataset_key: str, excluded: tuple[str, ...], size: int = 5) -> pl.DataFrame:
    """The next ``size`` posts of the labelling queue (``id``, ``text``, ``touchpoint``, ``at_random``).

    ``dataset_key`` names ``_mentions`` (workspace data version + labels revision);
    ``excluded`` are the ids labelled or skipped.
    """
    from ascolto_core.analysis.learning.queue import labelling_queue, uncertainty_from_confidence

    mentions = _mentions.select("id", "text", "touchpoint", "lang", "sentiment_confidence")
    done = mentions["id"].is_in(pl.Series(excluded, dtype=pl.String).implode())
    queue = labelling_queue(mentions, uncertainty_from_confidence(mentions["sentiment_confidence"]), done, size)
    picked = mentions.select("id", "text", "touchpoint")[queue["index"].to_list()]
    return picked.with_columns(queue["at_random"])


@st.cache_data(show_spinner=False, max_entries=8)
def quality(path: str, version_key: str, revisions: tuple[int, int], engine: str | None) -> tuple[Any, Any]:
    """The sentiment and emotion ``QualityEstimate`` that decide which engine reads this workspace.

    The core's ``teaching_quality``: the same trained model ``workspace_engine`` uses,
    cross-validated on the person's labels against the engine with their vocabulary.
    """
    from ascolto_core.workspace import Workspace
    from ascolto_core.workspace.ingest import teaching_quality

    return teaching_quality(Workspace.open(path, read_only=True), engine)


def label_and_advance(path: str, mention_id: str, at_random: bool, sentiment: str | None, emotion: str | None) -> None:
    """A queue button: store the label, remember it for undo (and as a random draw for the estimate)."""
    from ascolto_core.workspace import Workspace

    try:
        store_label(path, mention_id, sentiment, emotion)
        if at_random:
            Workspace.open(path).update_state(RANDOM_STATE, lambda ids: sorted({*(ids or []), mention_id}))
    except AscoltoError as error:
        st.session_state["teach_error"] = escape_markdown(error.message(str(st.session_state.get("lang") or "it")))
        return
    st.session_state.setdefault(UNDO, []).append(mention_id)


def skip(mention_id: str) -> None:
    """The queue's "salta": this post is not asked again in this session."""
    st.session_state.setdefault(SKIPPED, []).append(mention_id)


def undo(path: str) -> None:
    """Remove the label given last in this session."""
    from ascolto_core.workspace import Workspace

    stack = st.session_state.get(UNDO) or []
    if stack:
        Workspace.open(path).remove_label(stack.pop())


def dismiss_driver(path: str, term: str) -> None:
    """ "È giusto": the driver is a real judgement; it is no longer listed."""
    from ascolto_core.workspace import Workspace

    Workspace.open(path).update_state(DISMISSED_STATE, lambda terms: sorted({*(terms or []), term}))


def mark_name(path: str, term: str) -> None:
    """ "È un nome": the term becomes a name in the workspace's vocabulary (applied at the next refresh)."""
    from ascolto_core.workspace import Workspace

    try:
        Workspace.open(path).set_term(term, kind="name")
    except AscoltoError as error:
        st.session_state["teach_error"] = escape_markdown(error.message(str(st.session_state.get("lang") or "it")))
        return
    st.session_state["teach_notice"] = literal_t("teachui.drivers.named", str(st.session_state.get("lang") or "it"), term=term)


@st.cache_data(show_spinner=False, max_entries=8)
def drivers(_mentions: pl.DataFrame, dataset_key: str, dismissed: tuple[str, ...], top: int = 8) -> pl.DataFrame:
    """``suspicious_drivers`` of the open data, without the ones the person called right."""
    from ascolto_core.analysis.learning.drivers import suspicious_drivers

    found = suspicious_drivers(_mentions.select("text", "sentiment", "drivers_pos", "drivers_neg"))
    return found.filter(~pl.col("term").is_in(list(dismissed))).head(top)


def apply_vocabulary(path: str, lang: str) -> int | None:
    """Re-analyse the workspace's mentions with its vocabulary, with a progress bar; ``None`` on error (shown)."""
    from ascolto_core.workspace import Workspace, refresh_analysis
    from ui.workspaces import engine_choice

    bar = st.progress(0.0, text=t("teachui.vocabulary.applying", lang))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total if total else 1.0), text=t("teachui.vocabulary.applying", lang))

    try:
        redone = refresh_analysis(Workspace.open(path), engine=engine_choice(), progress=progress)
    except AscoltoError as error:
        bar.empty()
        st.error(error.message(lang))
        return None
    bar.empty()
    return redone


def download_models(lang: str) -> None:
    """ "Scarica i modelli": fetch the configured transformer models, with a clear message offline."""
    import os

    from ascolto_core.analysis.models import configured_models, download_model
    from ascolto_core.config import load_config

    if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        st.warning(t("teachui.models.offline", lang))
        return
    models = configured_models(load_config("analysis"))
    if not models:
        st.info(t("learning.models.none_configured", lang))
        return
    bar = st.progress(0.0, text=t("learning.models.downloading", lang, model=models[0]))
    for done, model in enumerate(models):
        bar.progress(done / len(models), text=t("learning.models.downloading", lang, model=model))
        outcome = download_model(model, progress=False)
        if outcome.error == "learning.models.offline" or (outcome.error and "connect" in outcome.reason.lower()):
            bar.empty()
            st.error(t("teachui.models.no_connection", lang, model=model))
            return
        if outcome.error:
            bar.empty()
            st.error(t(outcome.error, lang, model=model, reason=outcome.reason))
            return
        st.caption(t("learning.models.done", lang, model=model, path=str(outcome.path)))
    bar.empty()
    st.success(t("learning.models.ready", lang))


# -- sections of the Insegna page ------------------------------------------------------------


def render_estimate(path: str, version_key: str, labels_revision: int, labels: int, lang: str) -> None:
    """Progress, the honest estimate (engine vs adapted macro-F1, or why there is none), what reads the posts now.

    When stored posts were read before the latest teaching (e.g. the adapted model just
    switched on), it says how many and offers the refresh.
    """
    from ascolto_core.formatting import fmt_decimal
    from ascolto_core.workspace import Workspace, staleness
    from ui.workspaces import engine_choice

    st.caption(t("teachui.queue.progress", lang, n=labels))
    workspace = Workspace.open(path, read_only=True)
    engine = engine_choice()
    with st.spinner(t("teachui.estimate.running", lang)):
        estimates = quality(path, version_key, workspace.revisions(), engine)
    for estimate in estimates:
        title = t(f"teachui.estimate.{estimate.target}", lang)
        if estimate.enough_labels:
            st.markdown(
                t("teachui.estimate.numbers", lang, target=title, base=fmt_decimal(estimate.base_macro_f1, lang, digits=2),
                  adapted=fmt_decimal(estimate.adapted_macro_f1, lang, digits=2), scored=estimate.scored)
            )
        else:
            st.markdown(t("teachui.estimate.too_few", lang, target=title, n=estimate.labels))
        # The core's reason, worded for the app: which engine reads this workspace's posts and why.
        reason = estimate.reason.rsplit(".", 1)[-1]
        st.caption(t(f"teachui.estimate.reason_{reason}", lang, labels=estimate.labels))
    stale = staleness(workspace, engine).stale
    if stale:
        st.info(t("teachui.estimate.stale", lang, n=stale))
        if st.button(t("teachui.vocabulary.apply", lang), key="teach_estimate_apply", icon=":material/refresh:"):
            redone = apply_vocabulary(path, lang)
            if redone is not None:
                st.session_state["teach_notice"] = t("teachui.vocabulary.applied", lang, n=redone)
                st.rerun()


def render_queue_post(path: str, post: Mapping[str, Any], lang: str) -> None:
    """One post of the queue, big, with a button per sentiment and per emotion, skip and undo."""
    mention_id, at_random = str(post["id"]), bool(post["at_random"])
    with st.container(border=True):
        st.caption(category_name("touchpoint", post.get("touchpoint"), lang))
        st.markdown("### " + escape_markdown(str(post.get("text") or "")))
    st.caption(t("teachui.queue.how", lang))
    with st.container(horizontal=True, gap="small"):
        for number, value in enumerate(SENTIMENTS, start=1):
            st.button(category_name("sentiment", value, lang), key=f"teach_s_{value}",
                      type="primary", shortcut=str(number), on_click=label_and_advance,
                      args=(path, mention_id, at_random, value, None))
    with st.container(horizontal=True, gap="small"):
        for number, value in enumerate(EMOTIONS, start=len(SENTIMENTS) + 1):
            st.button(category_name("emotion", value, lang), key=f"teach_e_{value}", icon=EMOTION_ICON.get(value),
                      shortcut=str(number), on_click=label_and_advance, args=(path, mention_id, at_random, None, value))
    with st.container(horizontal=True, gap="small"):
        st.button(t("teachui.queue.skip", lang), key="teach_skip", icon=":material/skip_next:", shortcut="s",
                  on_click=skip, args=(mention_id,))
        undo_button(path, lang)
    st.caption(t("teachui.queue.keys", lang))


def undo_button(path: str, lang: str) -> None:
    """ "Annulla l'ultima": takes back the label given last in this session."""
    st.button(t("teachui.queue.undo", lang), key="teach_undo", icon=":material/undo:", shortcut="u",
              on_click=undo, args=(path,), disabled=not st.session_state.get(UNDO))


def render_vocabulary(path: str, lang: str) -> None:
    """Add a word or phrase as a name or with a polarity/emotion; list and remove terms; apply them."""
    from ascolto_core.workspace import Workspace
    workspace = Workspace.open(path)
    st.caption(t("teachui.vocabulary.names_default", lang))
    kinds = ("name", "positive", "negative", "neutral", *(f"emotion:{e}" for e in EMOTIONS if e != "none"))
    with st.form("teach_vocab_form", clear_on_submit=True, border=False):
        with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):
            term = st.text_input(t("teachui.vocabulary.term", lang), key="teach_vocab_term", max_chars=80)
            kind = st.selectbox(t("teachui.vocabulary.kind", lang), kinds, key="teach_vocab_kind",
                                format_func=lambda k: t(f"teachui.vocabulary.kind_{k.split(':')[0]}", lang,
                                                        emotion=category_name("emotion", k.split(":")[-1], lang)))
            added = st.form_submit_button(t("teachui.vocabulary.add", lang), icon=":material/add:")
    if added and term.strip():
        try:
            if kind == "name":
                workspace.set_term(term, kind="name")
            elif kind.startswith("emotion:"):
                workspace.set_term(term, kind="emotion", emotion=kind.split(":")[1])
            else:
                workspace.set_term(term, kind="polarity", polarity={"positive": 1.0, "negative": -1.0}.get(kind, 0.0))
        except AscoltoError as error:
            st.error(escape_markdown(error.message(lang)))
    vocabulary = workspace.vocabulary()
    for term_, kind_, polarity, emotion in vocabulary.select("term", "kind", "polarity", "emotion").iter_rows():
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            meaning = _meaning(kind_, polarity, emotion, lang)
            st.markdown(f"**{escape_markdown(term_)}** · {escape_markdown(meaning)}")
            if st.button(t("teachui.vocabulary.remove", lang), key=f"teach_vocab_rm_{term_}", icon=":material/delete:",
                         type="tertiary"):
                workspace.remove_term(term_)
                st.rerun()
    if st.button(t("teachui.vocabulary.apply", lang), key="teach_vocab_apply", icon=":material/refresh:", type="primary"):
        redone = apply_vocabulary(path, lang)
        if redone is not None:
            st.session_state["teach_notice"] = t("teachui.vocabulary.applied", lang, n=redone)
            st.rerun()


def _meaning(kind: str, polarity: float | None, emotion: str | None, lang: str) -> str:
    if kind == "name":
        return t("teachui.vocabulary.kind_name", lang)
    if kind == "emotion" and emotion:
        return t("teachui.vocabulary.kind_emotion", lang, emotion=category_name("emotion", emotion, lang))
    value = polarity or 0.0
    sign = "positive" if value > 0.2 else "negative" if value < -0.2 else "neutral"
    return t(f"teachui.vocabulary.kind_{sign}", lang)


def render_drivers(path: str, mentions: pl.DataFrame, dataset_key: str, lang: str) -> None:
    """Suspicious drivers with counts and example posts; "è un nome" / "è giusto" for each."""
    from ascolto_core.workspace import Workspace
    dismissed = tuple(Workspace.open(path, read_only=True).get_state(DISMISSED_STATE, []) or [])
    found = drivers(mentions, dataset_key, dismissed)
    if found.is_empty():
        st.caption(t("teachui.drivers.none", lang))
        return
    for row in found.iter_rows(named=True):
        with st.container(border=True):
            st.markdown(t("teachui.drivers.line", lang, term=escape_markdown(row["term"]), posts=row["posts"],
                          reason=t(f"teachui.drivers.reason_{row['reason'].split('+')[0]}", lang),
                          polarity=category_name("sentiment", row["polarity"], lang)))
            for example in row["examples"] or []:
                st.caption("«" + escape_markdown(example[:200]) + "»")
            with st.container(horizontal=True, gap="small"):
                st.button(t("teachui.drivers.name", lang), key=f"teach_drv_name_{row['term']}", icon=":material/badge:",
                          on_click=mark_name, args=(path, row["term"]))
                st.button(t("teachui.drivers.right", lang), key=f"teach_drv_ok_{row['term']}", icon=":material/check:",
                          on_click=dismiss_driver, args=(path, row["term"]))


def render_portable(path: str, lang: str) -> None:
    """Download what was taught (labels + vocabulary) as a file; upload one to add it here."""
    import json
    import tempfile
    from pathlib import Path

    from ascolto_core.workspace import Workspace
    from ascolto_core.workspace.taught_io import export_taught, import_taught

    workspace = Workspace.open(path)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "taught.json"
        export_taught(workspace, target)
        payload = target.read_bytes()
    st.download_button(t("teachui.portable.download", lang), payload, file_name=f"{workspace.name}-insegnato.json",
                       mime="application/json", key="teach_export", icon=":material/download:")
    uploaded = st.file_uploader(t("teachui.portable.upload", lang), type=["json"], key="teach_import")
    if uploaded is not None and st.button(t("teachui.portable.import", lang), key="teach_import_go", icon=":material/upload:"):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "taught.json"
            source.write_bytes(uploaded.getvalue())
            try:
                labels, terms = import_taught(workspace, source)
            except AscoltoError as error:
                st.error(escape_markdown(error.message(lang).replace(str(source), uploaded.name)))  # not our temp path
                return
            except (ValueError, json.JSONDecodeError):
                st.error(t("teachui.portable.bad", lang))
                return
        st.session_state["teach_notice"] = t("teachui.portable.imported", lang, labels=labels, terms=terms)
        st.rerun()

