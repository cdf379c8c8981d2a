"""No file paths in what a client reads; the alert rule explained with its real thresholds (issue 8, item 19)."""

from __future__ import annotations

import re

import pytest

from app_harness import PAGES, app_with_data, texts
from ascolto_core.insights.alerts import AlertConfig

pytestmark = pytest.mark.timeout(600)

# A path or a config file name: "config/insights.yaml", "pages/data.py", "/home/...".
PATH = re.compile(r"\b[\w.-]+\.(?:ya?ml|py|toml)\b|\bconfig/|(?<![\w:])/(?:home|work|tmp|usr)/")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_no_page_shows_a_file_path(lang: str) -> None:
    at = app_with_data(None, lang=lang)
    found = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        found += [f"{page}: {m.group(0)}" for m in PATH.finditer(texts(at))]
    assert found == []


def test_alerts_page_explains_the_rule_with_the_thresholds_in_use() -> None:
    rule = AlertConfig.from_config()
    at = app_with_data("pages/alerts.py")
    how = next(c.value for c in at.caption if "allarme quando" in c.value)
    assert f"almeno {rule.min_negatives} menzioni negative" in how
    assert f"{rule.baseline_days} giorni precedenti" in how
    assert f"{rule.ratio_threshold:.1f}".replace(".", ",") + " volte" in how
    assert f"{rule.z_threshold:.1f}".replace(".", ",") + " volte" in how
    assert f"{rule.min_baseline_days} giorni di storia" in how
