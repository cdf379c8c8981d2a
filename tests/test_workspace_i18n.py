"""Every workspace message exists in Italian and English, with the same placeholders."""

from __future__ import annotations

import re

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.i18n import catalogue

SOURCES = sorted((PROJECT_ROOT / "ascolto_core" / "workspace").glob("*.py"))


def test_every_used_key_is_translated() -> None:
    keys: set[str] = set()
    for path in SOURCES:
        keys |= set(re.findall(r'"(workspace\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(keys) > 25  # the scan found the code's keys
    for lang in ("it", "en"):
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert missing == [], f"{lang}: {missing}"


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    italian = {k: v for k, v in catalogue("it").items() if k.startswith("workspace.")}
    english = {k: v for k, v in catalogue("en").items() if k.startswith("workspace.")}
    assert set(italian) == set(english)
    for key, text in italian.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), key
