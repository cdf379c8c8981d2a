"""Bounded memory: analysing a file batch by batch equals analysing it in one piece."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.pipeline import analyze_mentions
from ascolto_core.cli import main
from ascolto_core.datasets import load_demo
from ascolto_core.datasets.synth import synthesize
from ascolto_core.errors import AscoltoError
from ascolto_core.insights.export import export_csv
from ascolto_core.loading import load_mentions
from ascolto_core.scale.batches import analyze_file, iter_mention_batches
from ascolto_core.scale.engine_state import built_states, engine_from_state, engine_state
from ascolto_core.scale.summary import SUMMARY_SCHEMA, combine_summaries, daily_summary

DEMO_CSV = Path(__file__).resolve().parent.parent / "ascolto_core" / "datasets" / "demo" / "mentions.csv"

# Italian export: ";" separator, day-first dates, a blank text, duplicates across any batch
# boundary (same id), a quoted text spanning two lines, an id-less file is covered by synth below.
ODD_CSV = """id;data;testo;canale;like
a1;24/11/2026 18:05;Servizio pessimo, mai più!;Instagram;3
a2;24/11/2026 18:07;Brioche buonissime 😍;Facebook;10
a3;25/11/2026 09:00;;Email;0
a4;25/11/2026 09:10;"Ciao,
a che ora aprite domenica?";WhatsApp;0
a1;24/11/2026 18:05;Servizio pessimo, mai più!;Instagram;3
a5;;Non male il cornetto;Google;1
a6;31/02/2026 10:00;Grazie per la risposta veloce;Email;0
a2;24/11/2026 18:07;Brioche buonissime 😍;Facebook;10
a7;26/11/2026 20:00;Il caffè era freddo ma il personale gentilissimo;TripAdvisor;2
"""


def _whole(path: Path) -> tuple[pl.DataFrame, object]:
    loaded = load_mentions(path, max_bytes=10**10)
    return analyze_mentions(loaded.mentions, engine="embedded", use_cache=False).mentions, loaded.report


REPORT_FIELDS = (
    "rows_read",
    "rows_kept",
    "unparseable_dates",
    "empty_texts_dropped",
    "duplicates_removed",
    "columns",
    "unmapped_columns",
    "encoding",
    "delimiter",
    "format",
    "missing_dates",
    "ids_derived",
)


@pytest.mark.parametrize(
    ("name", "batch_rows"),
    [
        ("demo", 97),  # the demo (1,746 rows, own ids) in 18 batches
        ("demo", 1_000),  # two batches, the second shorter
        ("odd", 2),  # Italian dates, blank text, multi-line cell, duplicates across batches
        ("synth", 250),  # recombined posts without ids: ids derived from content, repeats across batches
    ],
)
def test_batches_equal_one_piece(tmp_path: Path, name: str, batch_rows: int) -> None:
    if name == "demo":
        source = DEMO_CSV
    elif name == "odd":
        source = tmp_path / "odd.csv"
        source.write_text(ODD_CSV, encoding="utf-8")
    else:
        source = tmp_path / "synth.csv"
        frame = synthesize(1_500, seed=3).drop("id", "lang")
        pl.concat([frame, frame.head(40)]).write_csv(source)  # 40 duplicates at the end
    expected, report = _whole(source)
    run = analyze_file(
        source,
        tmp_path / "out.parquet",
        batch_rows=batch_rows,
        engine="embedded",
        use_cache=False,
        stream_from_bytes=0,  # streamed, however small the file
    )
    got = pl.read_parquet(tmp_path / "out.parquet")
    assert got.equals(expected)
    assert {f: getattr(run.report, f) for f in REPORT_FIELDS} == {
        f: getattr(report, f) for f in REPORT_FIELDS
    }
    assert run.rows == expected.height


def test_batches_gathered_from_smaller_reads_equal_one_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Large batches are gathered from smaller chunks of the streaming reader (less read ahead in memory).
    import ascolto_core.scale.batches as batches_module

    monkeypatch.setattr(batches_module, "_READ_CHUNK_ROWS", 37)
    source = tmp_path / "synth.csv"
    synthesize(1_200, seed=5).drop("id", "lang").write_csv(source)
    expected, _ = _whole(source)
    run = analyze_file(
        source, tmp_path / "out.parquet", batch_rows=500, engine="embedded", use_cache=False, stream_from_bytes=0
    )
    assert run.batches == 3
    assert pl.read_parquet(tmp_path / "out.parquet").equals(expected)


def test_batched_csv_output_equals_the_app_download(tmp_path: Path) -> None:
    # The CSV written batch by batch is byte for byte export_csv of the whole table.
    expected, _ = _whole(DEMO_CSV)
    analyze_file(
        DEMO_CSV, tmp_path / "out.csv", batch_rows=300, engine="embedded", use_cache=False, stream_from_bytes=0
    )
    assert (tmp_path / "out.csv").read_bytes() == export_csv(expected)


def test_parquet_input_and_folder(tmp_path: Path) -> None:
    # The workspace's format: a Parquet folder of parts (Spark's output) equals the same rows in one file.
    mentions = load_mentions(DEMO_CSV).mentions
    folder = tmp_path / "parts"
    folder.mkdir()
    mentions.head(900).write_parquet(folder / "part-0.parquet")
    mentions.slice(900).write_parquet(folder / "part-1.parquet")
    mentions.write_parquet(tmp_path / "one.parquet")
    expected, _ = _whole(tmp_path / "one.parquet")
    run = analyze_file(folder, tmp_path / "again.parquet", batch_rows=128, engine="embedded", use_cache=False)
    assert run.rows == expected.height
    assert pl.read_parquet(tmp_path / "again.parquet").equals(expected)


def test_summary_is_the_sum_of_batch_summaries(tmp_path: Path) -> None:
    expected, _ = _whole(DEMO_CSV)
    run = analyze_file(
        DEMO_CSV,
        tmp_path / "out.parquet",
        batch_rows=111,
        stream_from_bytes=0,
        engine="embedded",
        use_cache=False,
        summary=tmp_path / "summary.parquet",
    )
    whole = daily_summary(expected)
    assert pl.read_parquet(tmp_path / "summary.parquet").equals(whole)
    assert run.summary_rows == whole.height
    assert whole["mentions"].sum() == expected.height
    assert combine_summaries([]).schema == pl.Schema(SUMMARY_SCHEMA)


def test_summary_guards() -> None:
    # Empty input: an empty, typed summary; a wrong type is a clear error.
    empty = daily_summary(load_demo().head(0))
    assert empty.height == 0 and empty.schema == pl.Schema(SUMMARY_SCHEMA)
    with pytest.raises(TypeError, match="expected polars.DataFrame"):
        daily_summary([1, 2])  # type: ignore[arg-type]


def test_batch_size_and_output_guards(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as bad_rows:
        iter_mention_batches(DEMO_CSV, batch_rows=0)
    assert bad_rows.value.key == "scale.bad_batch_rows"
    with pytest.raises(AscoltoError) as bad_output:
        analyze_file(DEMO_CSV, tmp_path / "out.json", batch_rows=10)
    assert bad_output.value.key == "scale.bad_output"


def test_engine_state_pickles_and_builds_once() -> None:
    # What a Spark executor receives: picklable, and the engine is built once per process.
    state = pickle.loads(pickle.dumps(engine_state("embedded")))
    first = engine_from_state(state)
    again = engine_from_state(pickle.loads(pickle.dumps(state)))
    assert first is again
    assert built_states().count(state.fingerprint) == 1
    texts = pl.Series(["Servizio pessimo", "Ottimo cornetto!"])
    assert first.analyze(texts, pl.Series(["it", "it"]))["sentiment"].to_list() == ["negative", "positive"]


def test_cli_analyze_in_batches_with_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output, summary = tmp_path / "out.parquet", tmp_path / "daily.csv"
    code = main(
        [
            "--lang",
            "en",
            "analyze",
            str(DEMO_CSV),
            "-o",
            str(output),
            "--batch-rows",
            "500",
            "--summary",
            str(summary),
            "--no-progress",
            "--no-cache",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    rows = load_demo().height
    assert f"{rows} rows analysed in {-(-rows // 500)} batches" in out
    assert f"written to {summary}" in out
    expected, _ = _whole(DEMO_CSV)
    assert pl.read_parquet(output).equals(expected)
    daily = pl.read_csv(io.BytesIO(summary.read_bytes()))
    assert daily["mentions"].sum() == expected.height


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # A missing input on the Spark path: the loader's message, before any Spark starts.
        (["--spark", "local[2]"], "does not exist"),
        # A missing input on the batched path.
        ([], "no such file"),
    ],
)
def test_cli_missing_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code = main(
        ["--lang", "en", "analyze", str(tmp_path / "nope.parquet"), "-o", str(tmp_path / "o.parquet"), *argv]
    )
    assert code == 2
    assert expected in capsys.readouterr().err


def test_unclear_columns_ask_for_a_mapping(tmp_path: Path) -> None:
    # Two candidate text columns and no clear one: the same MappingNeeded the loader raises.
    from ascolto_core.loading import MappingNeeded

    source = tmp_path / "unclear.csv"
    source.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    with pytest.raises(MappingNeeded):
        iter_mention_batches(source, batch_rows=10)


def test_unpacked_language_model_gives_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unpacked copy of py3langid's model (start-up speed) answers exactly as the packed one.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from ascolto_core.analysis import language

    monkeypatch.setenv("ASCOLTO_CACHE_DIR", str(tmp_path))
    arrays = language._unpacked_model(MODEL_DIR / MODEL_FILE)
    assert arrays is not None and list(tmp_path.glob("py3langid-model-*.npz"))
    ptc, pc, classes, nextmove, row, output = arrays
    unpacked = LanguageIdentifier(ptc, pc, classes, nextmove, output, tk_row=row)
    packed = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    texts = load_demo()["text"].head(300).to_list() + ["", "ok", "Bonjour à tous", "¿Dónde está?"]
    assert [unpacked.classify(t) for t in texts] == [packed.classify(t) for t in texts]


@pytest.mark.parametrize("stream_from_bytes", [None, 0])  # read by the loader (small file); streamed
def test_small_files_keep_every_loader_rule(tmp_path: Path, stream_from_bytes: int | None) -> None:
    # A row with more cells than the header: the loader reads it and says so; the streamed
    # reader cannot recover mid-file, so it stops with a clear message instead of a traceback.
    source = tmp_path / "ragged.csv"
    source.write_text("testo,data\nCiao,2026-11-24\nBuono,2026-11-25,extra\n", encoding="utf-8")
    if stream_from_bytes is None:
        run = analyze_file(source, tmp_path / "out.parquet", batch_rows=1, engine="embedded", use_cache=False)
        # The shifted row is left out and named by its line (issue 8, item 10).
        assert run.rows == 1
        assert "load.note_malformed_longer" in [key for key, _ in run.report.notes]
    else:
        with pytest.raises(AscoltoError) as error:
            analyze_file(source, tmp_path / "out.parquet", batch_rows=1, stream_from_bytes=0)
        assert error.value.key == "load.unreadable"


def test_a_failing_batch_stops_the_reader_and_keeps_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next batch is read ahead in a thread: an analysis error still surfaces, and nothing hangs."""
    import threading

    import ascolto_core.scale.batches as batches_module

    source = tmp_path / "in.csv"
    synthesize(3_000, seed=3).drop("lang").write_csv(source)
    calls = {"n": 0}

    def failing(mentions: pl.DataFrame, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise AscoltoError("analysis.no_engine")
        return analyze_mentions(mentions, **kwargs)

    monkeypatch.setattr(batches_module, "analyze_mentions", failing)
    with pytest.raises(AscoltoError):
        analyze_file(source, tmp_path / "out.parquet", batch_rows=500, use_cache=False)
    assert calls["n"] == 2
    assert not [t for t in threading.enumerate() if t.name.startswith("ascolto-read")]
    # The first batch was written whole before the error.
    assert pl.read_parquet(tmp_path / "out.parquet").height == 500
