"""Untrusted text cannot inject markup into the report, and rendering fetches nothing from anywhere.

A local HTTP server on 127.0.0.1 counts requests: posts, authors and brand
names carrying ``<img src=http://127.0.0.1:PORT/...>``, ``<script>``, ``</style>``
must render literally in the HTML and the PDF, and the server must see none.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.report import ReportRequest, ReportSource, build_report, html_to_pdf, render_html, render_pdf
from ascolto_core.schema import conform


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep test output clean
        return


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    _Recorder.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _hostile_source(base: str) -> ReportSource:
    start = datetime(2026, 9, 1, 10, tzinfo=UTC)
    texts = [
        f"Pessimo servizio <img src={base}/img.png> davvero",
        "Orribile <script>alert('x')</script> mai più",
        "Che schifo </style><h1>titolo finto</h1> e </title> e <!-- commento",
        f'Terribile <link rel="stylesheet" href="{base}/style.css"> <iframe src="{base}/frame"></iframe>',
        f"Scandaloso <svg><image href='{base}/svg.png'/></svg> & «virgolette» \"doppie\"",
    ]
    frame = pl.DataFrame(
        {
            "id": [f"h{i}" for i in range(len(texts))],
            "text": texts,
            "created_at": [start + timedelta(days=i) for i in range(len(texts))],
            "touchpoint": ["facebook", "instagram", "x", "email", f"<b>{base}/tp</b>"],
            "source": [f"<img src={base}/source.png>"] * len(texts),
            "author": [f"<img src={base}/author.png>", "<script>x()</script>", "A</style>", "B", "C"],
            "likes": [50, 40, 30, 20, 10],
            "sentiment": ["negative"] * len(texts),
            "sentiment_score": [-0.9] * len(texts),
            "emotion": ["anger"] * len(texts),
            "is_question": [False] * len(texts),
        }
    )
    return ReportSource(mentions=conform(frame), name=f"<img src={base}/name.png>")


def _request(base: str) -> ReportRequest:
    return ReportRequest(brand=f"</title><script>alert(1)</script><img src={base}/brand.png>")


def test_hostile_text_is_escaped_in_the_html(server: tuple[str, list[str]]) -> None:
    base, hits = server
    html = render_html(build_report(_hostile_source(base), _request(base)))
    assert "<script" not in html.lower()
    assert "<img" not in html.lower() and "<iframe" not in html.lower() and "<link" not in html.lower()
    assert "<image" not in html.lower() and "<b>" not in html  # also inside the SVG charts (a touchpoint name)
    # One </style> (ours) and one </title> (ours): the posts' closing tags were escaped.
    assert html.count("</style>") == 1 and html.count("</title>") == 1
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert f"&lt;img src={base}/img.png&gt;" in html
    assert not re.search(r"<h1>titolo finto", html)
    assert hits == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed (make report-deps)")
def test_hostile_text_prints_literally_in_the_pdf_and_nothing_is_fetched(server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, hits = server
    refused: list[str] = []
    pdf = render_pdf(build_report(_hostile_source(base), _request(base)), refused=refused)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "<script>alert('x')</script>" in text
    assert f"<img src={base}/img.png>" in text
    assert "</style><h1>titolo finto</h1>" in text
    assert "</title><script>alert(1)</script>" in text  # the brand, on the cover
    assert hits == [] and refused == []


def test_the_pdf_fetcher_refuses_every_url_but_inline_data(server: tuple[str, list[str]]) -> None:
    # Raw markup straight to the PDF step (no escaping): the fetcher alone must stop every request.
    base, hits = server
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/a.css"><style>@import url("{base}/b.css");'
        f'body {{ background: url("{base}/c.png") }} @font-face {{ font-family: X; src: url("{base}/d.woff") }}</style></head>'
        f'<body><img src="{base}/e.png"><img src="file:///etc/passwd"><img src="{pixel}"><p>ok</p></body></html>'
    )
    refused: list[str] = []
    pdf = html_to_pdf(html, refused=refused)
    assert pdf.pages == 1
    assert hits == []
    assert {f"{base}/{name}" for name in ("a.css", "b.css", "c.png", "d.woff", "e.png")} <= set(refused)
    assert "file:///etc/passwd" in refused
    assert not any(url.startswith("data:") for url in refused)
