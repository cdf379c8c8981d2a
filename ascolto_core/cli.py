"""Command line: ``python -m ascolto_core <command> ...``.

Each area registers its own sub-command through the same mechanism
(``register(subparsers)`` in ``<area>/cli.py``); this module only routes and
turns user errors into a clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ascolto_core.errors import AscoltoError

# Modules that define ``register(subparsers: argparse._SubParsersAction) -> None``;
# each registered parser sets ``func=callable(args) -> int`` via set_defaults.
COMMAND_MODULES: tuple[str, ...] = (
    "ascolto_core.loading.cli",
    "ascolto_core.analysis.cli",
    "ascolto_core.fetch.cli",
    "ascolto_core.insights.cli",
    "ascolto_core.report.cli",
    "ascolto_core.workspace.cli",
    "ascolto_core.listening.cli",
    "ascolto_core.analysis.learning.cli",
    "ascolto_core.analysis.models",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ascolto_core", description="Ascolto: brand listening.")
    parser.add_argument("--lang", choices=("it", "en"), default="it", help="language of messages")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            # An area not built yet must not break the others.
            if error.name and module_name.startswith(error.name):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AscoltoError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
