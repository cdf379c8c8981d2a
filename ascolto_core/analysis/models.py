"""``python -m ascolto_core models download``: fetch the configured transformer models once.

The sentiment and emotion models named in ``config/analysis.yaml`` (``transformers:``)
are downloaded through ``huggingface_hub.snapshot_download`` into the usual Hugging
Face cache (``$HF_HOME``), with a progress bar; an interrupted transfer resumes
(huggingface_hub retries with an HTTP Range request; files already complete are not
fetched again on a second run). Each model is then verified by loading its config,
tokenizer and weights offline and running one text. From then on ``engine: auto``
finds them in the cache and uses them without network (``allow_download`` stays false).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascolto_core.i18n import t

# Files a sequence-classification model needs (weights, config, tokenizer); no other formats.
MODEL_FILES: tuple[str, ...] = (
    "*.json",
    "*.safetensors",
    "*.txt",
    "*.model",
    "*.tiktoken",
)


@dataclass(frozen=True)
class DownloadOutcome:
    """One model's download.

    Attributes:
        model: the Hugging Face id.
        path: the snapshot folder (``None`` when the download failed).
        error: i18n key of the failure, else ``None``.
        reason: the technical reason (shown after the sentence).
    """

    model: str
    path: Path | None
    error: str | None = None
    reason: str = ""


def configured_models(settings: dict[str, Any]) -> tuple[str, ...]:
    """Hub ids of the configured sentiment/emotion models (local folders are not downloaded)."""
    from ascolto_core.analysis.transformer import is_local_folder

    block = settings.get("transformers") or {}
    models = [block.get("sentiment_model"), block.get("emotion_model")]
    return tuple(dict.fromkeys(str(m) for m in models if m and not is_local_folder(str(m))))


def verify_model(path: Path) -> str | None:
    """Load the model from ``path`` offline and classify one text; ``None`` if usable, else the reason."""
    try:
        from ascolto_core.analysis.transformer import load_classifier, predict_probabilities

        loaded = load_classifier(str(path), local_files_only=True, device="cpu", max_length=32)
        probabilities = predict_probabilities(loaded, ["ok"], batch_size=1)
        if len(probabilities) != 1:
            return "no prediction"
    except Exception as error:  # noqa: BLE001 - any failure means "not usable"; its text is reported
        return f"{type(error).__name__}: {error}"
    return None


def download_model(model: str, *, progress: bool = True) -> DownloadOutcome:
    """Download (or complete) one model into the Hugging Face cache and verify it."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    try:
        folder = snapshot_download(
            repo_id=model,
            allow_patterns=list(MODEL_FILES),
            tqdm_class=None if progress else _silent_tqdm(),
        )
    except (OfflineModeIsEnabled, LocalEntryNotFoundError) as error:
        return DownloadOutcome(model, None, "learning.models.offline", str(error))
    except (HfHubHTTPError, OSError, ValueError) as error:
        return DownloadOutcome(model, None, "learning.models.failed", f"{type(error).__name__}: {error}")
    problem = verify_model(Path(folder))
    if problem is not None:
        return DownloadOutcome(model, Path(folder), "learning.models.invalid", problem)
    return DownloadOutcome(model, Path(folder))


def _silent_tqdm() -> type[Any]:
    """A tqdm class that draws nothing (``--no-progress``) but keeps tqdm's counters."""
    from tqdm.auto import tqdm

    class SilentTqdm(tqdm):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return SilentTqdm


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``models download`` to the router's sub-parsers."""
    models = subparsers.add_parser("models", help="transformer models: download the configured ones")
    actions = models.add_subparsers(dest="models_action", required=True)
    download = actions.add_parser("download", help="download and verify the models of config/analysis.yaml")
    download.add_argument("--no-progress", action="store_true", help="no progress bar")
    download.set_defaults(func=run_download)


def run_download(args: argparse.Namespace) -> int:
    """``models download``: 0 when every model is downloaded and verified, else 1."""
    from ascolto_core.analysis.registry import engine_settings, forget_engines

    models = configured_models(engine_settings())
    if not models:
        print(t("learning.models.none_configured", args.lang), file=sys.stderr)
        return 1
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        print(t("learning.models.offline", args.lang), file=sys.stderr)
        return 1
    failed = False
    for model in models:
        print(t("learning.models.downloading", args.lang, model=model), file=sys.stderr)
        outcome = download_model(model, progress=not args.no_progress)
        if outcome.error:
            failed = True
            print(t(outcome.error, args.lang, model=model, reason=outcome.reason), file=sys.stderr)
        else:
            print(t("learning.models.done", args.lang, model=model, path=outcome.path))
    forget_engines()
    if not failed:
        print(t("learning.models.ready", args.lang))
    return 1 if failed else 0
