"""Charts as PNG files (Vega-Lite rendered by vl-convert, no browser needed)."""

from __future__ import annotations

import altair as alt
import vl_convert as vlc


def chart_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """PNG bytes of an Altair chart on a white background (``scale`` 2 = sharp on slides)."""
    spec = chart.to_dict()
    spec["background"] = "white"
    return vlc.vegalite_to_png(spec, scale=scale)
