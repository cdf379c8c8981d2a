"""``python -m ascolto_core workspace create|add|info|export|import|refresh|list ...``.

Exact forms (automated checks use them)::

    workspace create DIR --brand "Forno Brio" [--settings FILE.yaml]
    workspace add DIR FILE [FILE ...]          prints each load report; exit 0
    workspace info DIR                         summary; the LAST line is one JSON object
    workspace export DIR -o FILE
    workspace import FILE DIR

DIR is a path; a bare name that is not a folder here is looked up in the
default workspaces folder (``$ASCOLTO_WORKSPACES`` or the per-user data folder).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.loading import MappingNeeded


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``workspace`` command and its sub-commands."""
    parser = subparsers.add_parser(
        "workspace", help=t("workspace.cli_help", "en"), description=t("workspace.cli_help", "en")
    )
    actions = parser.add_subparsers(dest="action", required=True)

    create = actions.add_parser("create", help="create a workspace in a new or empty folder")
    create.add_argument("dir", help="workspace folder (or a name inside the default workspaces folder)")
    create.add_argument(
        "--brand",
        default=None,
        help='the brand listened for, e.g. "Forno Brio" (else the settings file\'s brand)',
    )
    create.add_argument(
        "--settings",
        type=Path,
        default=None,
        help="YAML settings (profile, office hours, sources, notify, alerts)",
    )
    create.set_defaults(func=run_create)

    add = actions.add_parser("add", help="load, analyse and merge files into a workspace")
    add.add_argument("dir")
    add.add_argument("files", nargs="+", type=Path)
    add.add_argument("--engine", default=None, help="analysis engine (default: config/analysis.yaml)")
    add.set_defaults(func=run_add)

    info = actions.add_parser("info", help="summary of a workspace; last line is JSON")
    info.add_argument("dir")
    info.set_defaults(func=run_info)

    export = actions.add_parser("export", help="write the workspace as one file")
    export.add_argument("dir")
    export.add_argument("-o", "--output", type=Path, required=True)
    export.set_defaults(func=run_export)

    imported = actions.add_parser("import", help="make a workspace folder from an exported file")
    imported.add_argument("file", type=Path)
    imported.add_argument("dir")
    imported.set_defaults(func=run_import)

    refresh = actions.add_parser(
        "refresh", help="re-analyse mentions analysed by an older engine or teaching"
    )
    refresh.add_argument("dir")
    refresh.add_argument("--engine", default=None)
    refresh.set_defaults(func=run_refresh)

    listing = actions.add_parser("list", help="the workspaces in the default folder")
    listing.set_defaults(func=run_list)


def _lang(args: argparse.Namespace) -> str:
    return str(getattr(args, "lang", "it"))


def _path(value: str) -> Path:
    from ascolto_core.workspace import resolve_workspace_path

    return resolve_workspace_path(value)


def _create_path(value: str) -> Path:
    from ascolto_core.workspace import default_workspaces_dir

    path = Path(value).expanduser()
    # A bare name goes to the default folder only when the user set one on purpose.
    if "/" not in value and os.sep not in value and os.environ.get("ASCOLTO_WORKSPACES"):
        return default_workspaces_dir() / value
    return path


def run_create(args: argparse.Namespace) -> int:
    from ascolto_core.workspace import Workspace, WorkspaceSettings

    settings = (
        WorkspaceSettings.from_yaml(args.settings) if args.settings is not None else WorkspaceSettings()
    )
    if not (args.brand or "").strip() and not settings.brand:
        raise AscoltoError("workspace.brand_missing")
    workspace = Workspace.create(_create_path(args.dir), brand=args.brand, settings=settings)
    print(
        t(
            "workspace.created",
            _lang(args),
            name=workspace.name,
            path=str(workspace.path),
            brand=workspace.settings().brand,
        )
    )
    return 0


def run_add(args: argparse.Namespace) -> int:
    from ascolto_core.workspace import Workspace, add_file

    lang = _lang(args)
    workspace = Workspace.open(_path(args.dir))
    for file in args.files:
        try:
            report = add_file(workspace, file, engine=args.engine)
        except MappingNeeded as needed:
            print(needed.message(lang), file=sys.stderr)
            columns = ", ".join(f"«{c}»" for c in needed.proposal.source_columns)
            print(t("load.cli_mapping_hint", lang, columns=columns), file=sys.stderr)
            return 2
        for line in report.lines(lang):
            print(line)
    return 0


def run_info(args: argparse.Namespace) -> int:
    from ascolto_core.workspace import Workspace, staleness

    lang = _lang(args)
    workspace = Workspace.open(_path(args.dir), read_only=True)
    info = workspace.info()
    print(t("workspace.info_title", lang, name=workspace.name, path=info.path))
    print(t("workspace.info_brand", lang, brand=info.brand or "-"))
    print(
        t(
            "workspace.info_mentions",
            lang,
            mentions=info.mentions,
            segments=info.segments,
            first=(info.first or "-")[:10],
            last=(info.last or "-")[:10],
        )
    )
    print(t("workspace.info_loads", lang, loads=info.loads))
    history = workspace.history()
    loads = history.filter(history["kind"].is_in(["upload", "fetch", "import", "demo"]))
    if loads.height:
        last = loads.row(-1, named=True)
        print(
            t(
                "workspace.info_last_load",
                lang,
                at=last["at"].strftime("%Y-%m-%d %H:%M UTC"),
                origin=last["origin"],
                new=last["new"],
                duplicates=last["duplicates"],
            )
        )
    print(t("workspace.info_teaching", lang, labels=info.labels, terms=info.terms))
    print(
        t(
            "workspace.info_schema",
            lang,
            version=info.schema_version,
            read_only=t("workspace.info_read_only", lang) if info.read_only else "",
        )
    )
    if info.mentions:
        stale = staleness(workspace)
        if stale.is_stale:
            print(t("workspace.info_stale", lang, stale=stale.stale, total=stale.total))
    print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ascolto_core.workspace.portable import export_workspace

    output = export_workspace(_path(args.dir), args.output)
    size = output.stat().st_size
    print(t("workspace.exported", _lang(args), path=str(output), size=f"{size / 1024 / 1024:.1f} MB"))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ascolto_core.workspace.portable import import_workspace

    workspace = import_workspace(args.file, _create_path(args.dir))
    print(t("workspace.imported", _lang(args), path=str(workspace.path), mentions=workspace.count()))
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    from ascolto_core.workspace import Workspace, refresh_analysis

    redone = refresh_analysis(Workspace.open(_path(args.dir)), engine=args.engine)
    print(t("workspace.refreshed", _lang(args), n=redone))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ascolto_core.workspace import Workspace, default_workspaces_dir, list_workspaces

    found = list_workspaces()
    if not found:
        print(t("workspace.list_empty", _lang(args), path=str(default_workspaces_dir())))
    for path in found:
        info = Workspace(path).info()
        print(f"{path.name}\t{info.brand}\t{info.mentions}")
    return 0
