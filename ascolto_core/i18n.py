"""Message catalogues: every user-facing sentence, in Italian and English.

Catalogues live in ``config/i18n/<lang>/*.yaml``; each file is one area
(``load.yaml`` holds keys ``load.*``, ``app.yaml`` holds ``app.*``...). The file
name is the key prefix, so areas never collide. Italian is the reference
language: a key missing in English falls back to Italian, and a key missing in
both renders as the key itself so a gap is visible, never a crash.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from ascolto_core.config import YAML_LOADER, config_dir

DEFAULT_LANG = "it"
LANGUAGES: tuple[str, ...] = ("it", "en")


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}", value, out)
    else:
        out[prefix] = str(node)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of ``lang`` as a flat ``{"area.key": "text"}`` dict."""
    messages: dict[str, str] = {}
    folder = Path(config_dir()) / "i18n" / lang
    for path in sorted(folder.glob("*.yaml")):
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}  # noqa: S506 - a safe loader
        _flatten(path.stem, content, messages)
    return messages


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` with ``str.format`` parameters.

    Unknown languages fall back to Italian; a missing parameter leaves the
    placeholder visible instead of raising.
    """
    text = catalogue(lang).get(key) if lang in LANGUAGES else None
    if text is None:
        text = catalogue(DEFAULT_LANG).get(key, key)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
