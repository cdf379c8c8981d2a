"""Every fetch message exists in Italian and English."""

from __future__ import annotations

import re

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.i18n import catalogue

SOURCES = [*sorted((PROJECT_ROOT / "ascolto_core" / "fetch").glob("*.py")), PROJECT_ROOT / "ui" / "fetch_panel.py"]
# Keys built at run time from a fixed set of values.
DYNAMIC = [
    *(f"fetch.status.{s}" for s in ("ok", "nothing_new", "refused", "failed")),
    *(f"fetch.report.skipped_{r}" for r in ("off_topic", "language", "excluded", "no_text")),
    *(f"fetch.panel.source_{k}" for k in ("rss", "mastodon", "bluesky", "reddit")),
]


def used_keys() -> set[str]:
    keys = set(DYNAMIC)
    for path in SOURCES:
        keys |= set(re.findall(r'"(fetch\.[a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return keys


def test_every_used_key_is_translated() -> None:
    keys = used_keys()
    assert len(keys) > 40  # the scan found the code's keys
    for lang in ("it", "en"):
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert missing == [], f"{lang}: {missing}"


def test_both_catalogues_have_the_same_fetch_keys() -> None:
    italian = {k for k in catalogue("it") if k.startswith("fetch.")}
    english = {k for k in catalogue("en") if k.startswith("fetch.")}
    assert italian == english
