"""``python -m ascolto_core listen DIR [--once] [--status]``.

Exact forms (automated checks use them)::

    listen DIR --once      one round over every source; exit 0 when the round ran,
                           whatever the sources answered (2 for a user error)
    listen DIR             rounds forever (Ctrl-C / SIGTERM stop between writes)
    listen DIR --status    the listening status; the last line is one JSON object
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading

from ascolto_core.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``listen`` command."""
    parser = subparsers.add_parser("listen", help=t("listening.cli_help", "en"), description=t("listening.cli_help", "en"))
    parser.add_argument("dir", help="workspace folder (or a name inside the default workspaces folder)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run exactly one round and exit")
    mode.add_argument("--status", action="store_true", help="show the listening status and exit")
    parser.add_argument("--engine", default=None, help="analysis engine (default: config/analysis.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each source and alert")
    parser.set_defaults(func=run_listen)


def run_listen(args: argparse.Namespace) -> int:
    from ascolto_core.listening.runner import listen_forever, listen_once, stop_on_signals
    from ascolto_core.listening.status import listening_status
    from ascolto_core.workspace import Workspace, resolve_workspace_path

    lang = str(getattr(args, "lang", "it"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    path = resolve_workspace_path(args.dir)
    if args.status:
        status = listening_status(Workspace.open(path, read_only=True))
        print(t("listening.cli.status_running" if status.running else "listening.cli.status_stopped", lang))
        for row in status.sources.iter_rows(named=True):
            print(t("listening.round.source", lang, source=row["source"], status=t(f"listening.status.{row['status'] or 'never'}", lang), new=row["new"] or 0))
        summary = {
            "running": status.running,
            "rounds": status.rounds,
            "alerts_sent": status.alerts_sent,
            "active_alerts": status.active_alerts,
            "last_round_at": status.last_round_at.isoformat() if status.last_round_at else None,
        }
        print(json.dumps(summary))
        return 0
    workspace = Workspace.open(path)
    stop = threading.Event()
    with stop_on_signals(stop):
        if args.once:
            report = listen_once(workspace, stop=stop, engine=args.engine)
            for line in report.lines(lang):
                print(line)
            return 0
        print(t("listening.cli.started", lang, path=str(workspace.path)), flush=True)

        def show(report: object) -> None:
            for line in report.lines(lang):  # type: ignore[attr-defined]
                print(line, flush=True)

        listen_forever(workspace, stop=stop, on_round=show, engine=args.engine)
        print(t("listening.cli.stopped", lang), file=sys.stderr)
        return 0
