"""Tiny local transformer models for tests: random weights, real code paths.

A WordPiece tokenizer trained with ``tokenizers`` on a few sentences and a
BERT with a hidden size of 16, saved with ``save_pretrained`` to a folder, so
the engine loads them exactly as it loads a user's model (no hub involved).
A ``bias_towards`` label makes the prediction deterministic (the classifier
bias dominates the random logits), which lets tests check label mapping.
"""

from __future__ import annotations

from pathlib import Path

SENTENCES: tuple[str, ...] = (
    "il servizio è stato ottimo e veloce",
    "attesa lunghissima, personale scortese",
    "the staff was kind and the bread was great",
    "refund still not received after two weeks",
    "buongiorno, a che ora aprite domenica?",
    "pane buonissimo, torneremo sicuramente",
    "ordine arrivato in ritardo e rotto",
    "what time do you open on sunday?",
)

# Position limit of the tiny models: anything longer must be truncated by the engine.
MAX_POSITIONS = 64


def build_tokenizer(folder: Path) -> None:
    """Train a small WordPiece tokenizer and save it as a BERT fast tokenizer."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(SENTENCES, trainers.WordPieceTrainer(vocab_size=200, special_tokens=special))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")), ("[SEP]", tokenizer.token_to_id("[SEP]"))],
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_POSITIONS - 2)
    fast.save_pretrained(folder)


def build_classifier(folder: Path, labels: list[str], *, bias_towards: str | None = None, seed: int = 0) -> Path:
    """Save a tiny random ``BertForSequenceClassification`` plus tokenizer in ``folder``.

    Args:
        folder: where to write (created).
        labels: the model's label names by class index (e.g. ``["negative", "neutral", "positive"]``).
        bias_towards: a label whose logit gets +10, so every text predicts it.
        seed: torch seed for the random weights.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    build_tokenizer(folder)
    vocab_size = BertTokenizerFast.from_pretrained(folder).vocab_size
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=MAX_POSITIONS,
        initializer_range=0.5,  # large random weights: different texts get clearly different outputs
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: index for index, label in enumerate(labels)},
    )
    model = BertForSequenceClassification(config)
    if bias_towards is not None:
        with torch.no_grad():
            model.classifier.bias.zero_()
            model.classifier.bias[labels.index(bias_towards)] = 10.0
    model.save_pretrained(folder)
    return folder
