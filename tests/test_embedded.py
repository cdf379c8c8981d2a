"""The embedded engine: sentiment, emotion, drivers, robustness, speed shape."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, Engine
from ascolto_core.analysis.embedded import EmbeddedEngine, lexicon_size
from ascolto_core.analysis.text import to_text_series


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return EmbeddedEngine()


def _one(engine: EmbeddedEngine, text: str, lang: str) -> dict:
    return engine.analyze(pl.Series([text]), pl.Series([lang])).to_dicts()[0]


def test_implements_the_engine_protocol(engine: EmbeddedEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.info.name == "embedded"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Il servizio è stato ottimo, personale gentilissimo", "it", "positive"),  # plain praise
        ("Pessimo servizio, mai più", "it", "negative"),  # plain complaint + "mai più"
        ("non è male", "it", "positive"),  # Italian negation: "non male" is positive
        ("non è buono", "it", "negative"),  # negation flips a positive word
        ("buono ma carissimo", "it", "negative"),  # contrast: the clause after "ma" weighs more
        ("caro ma buonissimo", "it", "positive"),  # contrast the other way round
        ("personale poco gentile", "it", "negative"),  # "poco" turns a positive word down
        ("Non vedo l'ora di tornare!", "it", "positive"),  # expression: "non vedo l'ora" is positive
        ("La qualità lascia a desiderare", "it", "negative"),  # expression: "lascia a desiderare"
        ("Ho scritto al servizio clienti", "it", "neutral"),  # "servizio clienti" is neutral
        ("40 minuti di attesa per un caffè", "it", "negative"),  # waiting time is a complaint
        ("consigliatissimo 😍", "it", "positive"),  # slang superlative + emoji
        ("è una truffa, vergogna", "it", "negative"),  # customer-service vocabulary
        ("Gentile cliente, le scriviamo per il suo ordine", "it", "neutral"),  # salutation is not praise
        ("Siete aperti domenica?", "it", "neutral"),  # a question with no judgement
        ("Dolce Sosta ha aperto in centro", "it", "neutral"),  # brand names (config) carry no sentiment
        ("The food was not good", "en", "negative"),  # English negation
        ("I don't like it", "en", "negative"),  # n't contraction negates
        ("not bad at all", "en", "positive"),  # negated negative
        ("great coffee but way too expensive and rude staff", "en", "negative"),  # contrast in English
        ("I love this place!!!", "en", "positive"),  # praise + exclamations
        ("😡😡", "other", "negative"),  # emoji only
        ("", "it", "neutral"),  # empty text
        ("https://example.com", "it", "neutral"),  # only a URL
    ],
)
def test_sentiment(engine: EmbeddedEngine, text: str, lang: str, expected: str) -> None:
    assert _one(engine, text, lang)["sentiment"] == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("complimenti davvero, bravissimi", "it"),  # irony with no complaint word: nothing betrays it
        ("adoro quando il caffè arriva tiepido", "it"),  # ironic praise by a plain verb, not a marker
        ("love paying eight euros for a coffee", "en"),  # irony carried by the situation (price) alone
    ],
)
def test_sarcasm_without_complaint_vocabulary_is_a_documented_limitation(
    engine: EmbeddedEngine, text: str, lang: str
) -> None:
    # Sarcasm is read only when the post also complains in words; otherwise praise reads as praise.
    assert _one(engine, text, lang)["sentiment"] == "positive"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("wow, 40 minuti di ritardo anche oggi, record battuto 🏆", "it", "negative"),  # 🏆 at a delay
        ("Complimenti, pagato due volte e nessuno risponde", "it", "negative"),  # ironic "complimenti"
        ("grazie eh, ordine mai arrivato", "it", "negative"),  # "grazie eh" with an undelivered order
        ("bravi, ancora 30 minuti di attesa 👏👏", "it", "negative"),  # clapping at a wait
        ("che bello, un'altra mattina in fila", "it", "negative"),  # "che bello" about a queue
        ("Great job, charged twice and still waiting", "en", "negative"),  # English ironic praise
        ("the delivery guy brought the wrong bag lol", "en", "negative"),  # "lol" in a complaint is no praise
        ("Complimenti per il servizio!", "it", "positive"),  # no complaint: praise stays praise
        ("bravi, consegna in anticipo 👏", "it", "positive"),  # clapping at good service stays positive
        ("Thanks a lot for the quick refund!", "en", "positive"),  # sincere thanks stay positive
    ],
)
def test_ironic_praise_in_a_complaint_reads_negative(
    engine: EmbeddedEngine, text: str, lang: str, expected: str
) -> None:
    assert _one(engine, text, lang)["sentiment"] == expected


def test_sarcasm_is_explained_and_angry(engine: EmbeddedEngine) -> None:
    # The ironic marker is shown among the negative drivers, and the post reads as anger, not joy.
    result = _one(engine, "complimenti, 45 minuti di ritardo 👏", "it")
    assert result["emotion"] == "anger"
    assert "complimenti" in result["drivers_neg"] and result["drivers_pos"] == []


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Il rider ha consegnato l'ordine", "it", "neutral"),  # "rider" is not "ridere"; delivery is a fact
        ("the rider delivered the order", "en", "neutral"),  # same in English
        ("L'ordine non è stato consegnato", "it", "negative"),  # negated delivery is a complaint
        ("ordine mai arrivato", "it", "negative"),  # "mai arrivato"
        ("my order was never delivered", "en", "negative"),  # "never delivered"
        ("Consegna puntuale, tutto perfetto", "it", "positive"),  # delivery praised by its adjectives
    ],
)
def test_delivery_words_are_neutral_unless_negated(
    engine: EmbeddedEngine, text: str, lang: str, expected: str
) -> None:
    assert _one(engine, text, lang)["sentiment"] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("mi avete addebitato 2 volte l'ordine", "it", "negative"),  # double charge
        ("Mi avete addebitato due volte l'ordine. Cordiali saluti", "it", "negative"),  # manners
        ("l'app non si apre da ieri", "it", "negative"),  # app failure
        ("il servizio a domicilio non esiste più", "it", "negative"),  # "non esiste più"
        ("ordine sbagliato di nuovo", "it", "negative"),  # "di nuovo" is "again", not "new"
        ("I was charged twice, please refund me. Thanks", "en", "negative"),  # thanks in a complaint
        ("terzo giorno senza app e senza risposte", "it", "negative"),  # "senza risposte" not re-negated
        ("l'ordine non è mai arrivato", "it", "negative"),  # Italian double negation stays negative
        ("ho chiesto per l'ennesima volta il rimborso", "it", "negative"),  # repeated request
    ],
)
def test_complaint_vocabulary(engine: EmbeddedEngine, text: str, lang: str, expected: str) -> None:
    assert _one(engine, text, lang)["sentiment"] == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Buongiorno, vorrei sapere se fate torte senza glutine. Grazie", "it"),  # indirect question + thanks
        ("Potete mandarmi la fattura? Grazie mille", "it"),  # request + "grazie mille"
        ("Per la festa di sabato fate le torte?", "it"),  # "festa" in a plain question
        ("could you tell me if you deliver on Sunday? thanks", "en"),  # English request
    ],
)
def test_courtesy_and_plain_questions_are_neither_praise_nor_joy(
    engine: EmbeddedEngine, text: str, lang: str
) -> None:
    result = _one(engine, text, lang)
    assert (result["sentiment"], result["emotion"]) == ("neutral", "none")


def test_thanks_with_real_praise_stay_positive(engine: EmbeddedEngine) -> None:
    # Courtesy is zeroed only in complaints and requests, not in a thank-you note.
    assert _one(engine, "Grazie mille, il personale è stato gentilissimo", "it")["sentiment"] == "positive"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Che gioia, siamo felicissimi!", "it", "joy"),
        ("Sono furioso, una vergogna!", "it", "anger"),
        ("Ho paura che chiudano, sono preoccupata", "it", "fear"),
        ("Che tristezza, hanno chiuso", "it", "sadness"),
        ("non sono felice", "it", "sadness"),  # negated joy reads as sadness
        ("Il negozio apre alle nove", "it", "none"),  # factual
        ("I'm so happy with this", "en", "joy"),
        ("This is outrageous, I'm furious", "en", "anger"),
        ("😱", "other", "fear"),  # emoji carry emotions
        ("mi avete addebitato 2 volte l'ordine", "it", "anger"),  # a complaint without emotion words is anger
        ("Thanks a lot for the quick refund!", "en", "joy"),  # "refund" (anger word) yields to clear praise
        ("Il rider ha consegnato l'ordine", "it", "none"),  # "rider" borrows no joy from "ridere"
    ],
)
def test_emotion(engine: EmbeddedEngine, text: str, lang: str, expected: str) -> None:
    assert _one(engine, text, lang)["emotion"] == expected


def test_drivers_are_surface_terms_strongest_first(engine: EmbeddedEngine) -> None:
    result = _one(engine, "Cornetto buono ma caffè PESSIMO e non è male il pane", "it")
    assert result["drivers_neg"][0] == "pessimo"
    assert "buono" in result["drivers_pos"]
    # A litotes is shown as the reader wrote it.
    assert "non è male" in result["drivers_pos"]


def test_negated_term_is_shown_with_its_negator(engine: EmbeddedEngine) -> None:
    # A negated term is shown with its negator, as a reader would quote it.
    result = _one(engine, "il personale non è mai gentile", "it")
    assert "mai gentile" in result["drivers_neg"]


def test_negation_stops_at_a_subordinate_clause(engine: EmbeddedEngine) -> None:
    # "se" opens a new clause: "male" after it is not negated by the "non" before it.
    result = _one(engine, "non è colpa mia se scrivete male", "it")
    assert result["drivers_neg"] == ["male"] and "non male" not in result["drivers_pos"]


def test_drivers_are_at_most_five(engine: EmbeddedEngine) -> None:
    text = "pessimo orribile schifo vergogna truffa disgustoso terribile"
    result = _one(engine, text, "it")
    assert len(result["drivers_neg"]) == 5 and result["drivers_pos"] == []


def test_output_schema_order_and_length(engine: EmbeddedEngine) -> None:
    texts = pl.Series(["ottimo", None, "", "pessimo", "😍"], dtype=pl.String)
    out = engine.analyze(texts, pl.Series(["it", "it", None, "it", "other"]))
    assert out.schema == pl.Schema(ENGINE_OUTPUT_SCHEMA)
    assert out["sentiment"].to_list() == ["positive", "neutral", "neutral", "negative", "positive"]


def test_empty_input(engine: EmbeddedEngine) -> None:
    out = engine.analyze(pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.String))
    assert out.height == 0 and out.schema == pl.Schema(ENGINE_OUTPUT_SCHEMA)


def test_huge_control_characters_and_lone_surrogates(engine: EmbeddedEngine) -> None:
    # Lone surrogates cannot live in a Polars string; to_text_series replaces them at the boundary.
    texts = to_text_series(
        ["ottimo " * 15_000, "buono\x00\x07\u200b\ufeff pane", "\ud800 pessimo \udfff", "\ud800"]
    )
    out = engine.analyze(texts, pl.Series(["it"] * 4))
    assert out["sentiment"].to_list() == ["positive", "positive", "negative", "neutral"]


def test_mixed_languages_in_one_post(engine: EmbeddedEngine) -> None:
    # Code-switching: Italian post with English loanwords of the lexicon ("top", "wow").
    assert _one(engine, "cornetto top, wow", "it")["sentiment"] == "positive"


def test_progress_is_reported(engine: EmbeddedEngine) -> None:
    calls: list[tuple[int, int]] = []
    engine.analyze(pl.Series(["ok"] * 3), pl.Series(["it"] * 3), progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)


def test_langs_length_mismatch_is_a_caller_bug(engine: EmbeddedEngine) -> None:
    with pytest.raises(ValueError, match="differ in length"):
        engine.analyze(pl.Series(["a", "b"]), pl.Series(["it"]))


def test_lexicon_has_thousands_of_entries() -> None:
    size = lexicon_size()
    assert size["it_words"] >= 2000 and size["en_words"] >= 900
    assert size["it_expressions"] >= 150 and size["en_expressions"] >= 150


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # surrogates cannot be Polars strings
    max_size=200,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.one_of(st.none(), _TEXT), max_size=12),
    lang=st.sampled_from(["it", "en", "other", "xx"]),
)
def test_property_never_raises_in_range_same_length(
    engine: EmbeddedEngine, texts: list[str | None], lang: str
) -> None:
    out = engine.analyze(pl.Series(texts, dtype=pl.String), pl.Series([lang] * len(texts), dtype=pl.String))
    assert out.height == len(texts)
    assert out.schema == pl.Schema(ENGINE_OUTPUT_SCHEMA)
    assert out["sentiment_score"].is_between(-1.0, 1.0).all()
    assert out["sentiment_confidence"].is_between(0.0, 1.0).all()
    assert out["emotion_confidence"].is_between(0.0, 1.0).all()
    assert set(out["sentiment"]) <= {"negative", "neutral", "positive"}
    assert set(out["emotion"]) <= {"joy", "anger", "fear", "sadness", "none"}
    # Order preserved: analysing each text alone gives the same row.
    if texts:
        last = engine.analyze(pl.Series([texts[-1]], dtype=pl.String), pl.Series([lang]))
        # Floats may differ in the last bit (vectorised vs scalar arithmetic), nothing more.
        assert_frame_equal(out.tail(1), last, check_exact=False, rel_tol=1e-9)
