"""The workspace picker on Dati: open, create, rename, delete (with confirmation), export, import, copy.

Every action calls :mod:`ascolto_core.workspace` (the same checks as the CLI);
an error becomes a sentence, never a traceback. New workspaces go into the
workspaces folder (:func:`ascolto_core.workspace.default_workspaces_dir`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.workspace import (
    Workspace,
    default_workspaces_dir,
    delete_workspace,
    list_workspaces,
    rename_workspace,
)
from ascolto_core.workspace.portable import export_workspace, import_workspace, read_manifest
from ui import workspaces
from ui.components import escape_markdown, literal_t
from ui.format import fmt_int
from ui.state import StateKeys

EXPORT_SUFFIX = ".ascolto"


def _target(name: str) -> Path:
    """Where a workspace called ``name`` goes; the name is checked like :func:`rename_workspace` does.

    Raises:
        AscoltoError: ``workspace.bad_name``.
    """
    clean = name.strip()
    if not clean or "/" in clean or "\\" in clean or clean.startswith(".") or clean != Path(clean).name:
        raise AscoltoError("workspace.bad_name", name=name)
    return default_workspaces_dir() / clean


def _done(message: str, opened: Path | None = None) -> None:
    """Open ``opened`` (if any), keep ``message`` for the next run, and rerun."""
    if opened is not None:
        workspaces.open_in_session(opened)
    st.session_state[StateKeys.WS_NOTICE] = message
    st.rerun()


def create_workspace(name: str, brand: str, lang: str) -> None:
    """Create an empty workspace called ``name`` for ``brand`` and open it."""
    try:
        workspace = Workspace.create(_target(name), brand=brand.strip() or name.strip())
    except AscoltoError as error:
        st.error(escape_markdown(error.message(lang)))
        return
    _done(literal_t("wsui.created", lang, name=workspace.name), workspace.path)


def copy_workspace(source: Path, name: str, lang: str) -> None:
    """A writable copy of ``source`` (e.g. the demo) called ``name``, opened (export + import: the CLI's checks)."""
    try:
        target = _target(name)
        with tempfile.TemporaryDirectory(prefix="ascolto-copy-") as scratch:
            file = export_workspace(source, Path(scratch) / f"copy{EXPORT_SUFFIX}")
            workspace = import_workspace(file, target)
    except AscoltoError as error:
        st.error(escape_markdown(error.message(lang)))
        return
    _done(literal_t("wsui.copied", lang, name=workspace.name), workspace.path)


def render_read_only_offer(lang: str, where: str) -> None:
    """In place of "add data" on the read-only demo: create a new workspace, or a copy of the demo."""
    st.info(t("wsui.read_only_add", lang))
    name = st.text_input(t("wsui.new_name", lang), key=f"ws_offer_name_{where}", placeholder=t("wsui.new_name_placeholder", lang))
    left, right = st.columns(2)
    if left.button(t("wsui.offer_new", lang), key=f"ws_offer_new_{where}", type="primary"):
        create_workspace(name, "", lang)
    if right.button(t("wsui.offer_copy", lang), key=f"ws_offer_copy_{where}"):
        path = workspaces.open_path()
        if path is not None:
            copy_workspace(path, name, lang)


def render_workspace_panel(lang: str) -> None:
    """The open workspace in one line, and the expander with every workspace action."""
    notice = st.session_state.pop(StateKeys.WS_NOTICE, None)
    if notice:
        st.success(notice)
    path = workspaces.open_path()
    if path is not None and workspaces.is_demo(path):
        st.markdown(t("wsui.open_demo", lang))
    elif path is not None:
        st.markdown(literal_t("wsui.open_named", lang, name=path.name, folder=str(path.parent)))
    else:
        st.markdown(t("wsui.open_none", lang))
    with st.expander(t("wsui.panel_title", lang), icon=":material/folder_open:"):
        _open_section(path, lang)
        st.divider()
        _create_section(lang)
        if path is not None and not workspaces.is_demo(path):
            st.divider()
            _rename_delete_section(path, lang)
        st.divider()
        _export_import_section(path, lang)


def _open_section(path: Path | None, lang: str) -> None:
    choices = [workspaces.DEMO, *(str(p) for p in list_workspaces())]
    current = workspaces.DEMO if path is not None and workspaces.is_demo(path) else str(path) if path else workspaces.DEMO
    if current not in choices:  # opened from elsewhere (make run WORKSPACE=DIR)
        choices.append(current)
    index = choices.index(current) if current in choices else 0

    def label(value: str) -> str:
        return t("workspace.demo_name", lang) if value == workspaces.DEMO else Path(value).name

    picked = st.selectbox(t("wsui.pick", lang), choices, index=index, format_func=label, key="ws_pick")
    st.caption(literal_t("wsui.folder", lang, folder=str(default_workspaces_dir())))
    if st.button(t("wsui.open", lang), key="ws_open", icon=":material/folder_open:"):
        if picked == workspaces.DEMO:
            workspaces.open_demo()
            _done(t("wsui.opened_demo", lang))
        else:
            _done(literal_t("wsui.opened", lang, name=Path(picked).name), Path(picked))


def _create_section(lang: str) -> None:
    st.markdown(t("wsui.create_title", lang))
    left, right = st.columns(2)
    name = left.text_input(t("wsui.new_name", lang), key="ws_new_name", placeholder=t("wsui.new_name_placeholder", lang))
    brand = right.text_input(t("wsui.new_brand", lang), key="ws_new_brand")
    if st.button(t("wsui.create", lang), key="ws_create", icon=":material/add:"):
        create_workspace(name, brand, lang)


def _rename_delete_section(path: Path, lang: str) -> None:
    new_name = st.text_input(t("wsui.rename_to", lang), value=path.name, key="ws_rename_to")
    left, right = st.columns(2)
    if left.button(t("wsui.rename", lang), key="ws_rename", icon=":material/edit:"):
        try:
            renamed = rename_workspace(path, new_name)
        except AscoltoError as error:
            st.error(escape_markdown(error.message(lang)))
        else:
            _done(literal_t("wsui.renamed", lang, name=renamed.name), renamed)
    if right.button(t("wsui.delete", lang), key="ws_delete", icon=":material/delete:"):
        st.session_state[StateKeys.WS_PENDING_DELETE] = str(path)
    if st.session_state.get(StateKeys.WS_PENDING_DELETE) == str(path):
        count = Workspace.open(path, read_only=True).count()
        st.warning(literal_t("wsui.delete_confirm", lang, name=path.name, n=fmt_int(count, lang)))
        yes, no = st.columns(2)
        if yes.button(t("wsui.delete_yes", lang), key="ws_delete_yes", type="primary"):
            st.session_state.pop(StateKeys.WS_PENDING_DELETE, None)
            try:
                delete_workspace(path)
            except AscoltoError as error:
                st.error(escape_markdown(error.message(lang)))
                return
            workspaces.open_demo()
            _done(literal_t("wsui.deleted", lang, name=path.name))
        if no.button(t("wsui.delete_no", lang), key="ws_delete_no"):
            st.session_state.pop(StateKeys.WS_PENDING_DELETE, None)
            st.rerun()


def _export_import_section(path: Path | None, lang: str) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown(t("wsui.export_title", lang))
        if path is not None and st.button(t("wsui.export_prepare", lang), key="ws_export"):
            try:
                with tempfile.TemporaryDirectory(prefix="ascolto-export-") as scratch:
                    file = export_workspace(path, Path(scratch) / f"{path.name}{EXPORT_SUFFIX}")
                    st.session_state[StateKeys.WS_EXPORT] = (str(path), file.name, file.read_bytes())
            except AscoltoError as error:
                st.error(escape_markdown(error.message(lang)))
        prepared = st.session_state.get(StateKeys.WS_EXPORT)
        if prepared is not None and path is not None and prepared[0] == str(path):
            name = "demo" + EXPORT_SUFFIX if workspaces.is_demo(path) else prepared[1]
            st.download_button(
                t("wsui.export_download", lang), prepared[2], file_name=name, mime="application/zip", key="ws_export_download"
            )
    with right:
        st.markdown(t("wsui.import_title", lang))
        upload = st.file_uploader(t("wsui.import_file", lang), key="ws_import_file", help=t("wsui.import_help", lang))
        name = st.text_input(t("wsui.import_name", lang), key="ws_import_name", placeholder=t("wsui.import_name_placeholder", lang))
        if upload is not None and st.button(t("wsui.import", lang), key="ws_import", icon=":material/upload:"):
            import_upload(upload.getvalue(), name, lang)


def import_upload(content: bytes, name: str, lang: str) -> None:
    """Import an exported workspace file (checked: a workspace, a version this build reads, not damaged)."""
    try:
        with tempfile.TemporaryDirectory(prefix="ascolto-import-") as scratch:
            file = Path(scratch) / f"upload{EXPORT_SUFFIX}"
            file.write_bytes(content)
            manifest = read_manifest(file)
            fallback = str(manifest.get("name") or manifest.get("brand") or "importato")
            if fallback.startswith("demo-"):
                fallback = "demo"
            workspace = import_workspace(file, _target(name.strip() or fallback))
    except AscoltoError as error:
        # The temporary path means nothing to the person: name their file instead.
        st.error(escape_markdown(error.message(lang).replace(str(Path(scratch) / f"upload{EXPORT_SUFFIX}"), t("wsui.import_your_file", lang))))
        return
    _done(literal_t("wsui.imported", lang, name=workspace.name, n=fmt_int(workspace.count(), lang)), workspace.path)


def render_listening_block(lang: str) -> None:
    """The ``listen`` process's status for the open workspace (not for the read-only demo, which nobody listens for)."""
    path = workspaces.open_path()
    if path is None or workspaces.is_read_only(path):
        return
    from ui.listening_status import render_listening_status

    st.divider()
    try:
        render_listening_status(Workspace.open(path, read_only=True), lang)
    except AscoltoError as error:
        st.warning(escape_markdown(error.message(lang)))
