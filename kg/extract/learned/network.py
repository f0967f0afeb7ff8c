"""The attribution tagger's network (thinc, numpy: no torch), and how it is saved and loaded.

    >>> net = build_network(TaggerConfig())
    >>> probs = net.predict([(ids, feats), ...])       # one (n, len(TAGS)) array per document
    >>> save_model(net, config, folder); net, config = load_model_dir(folder)

A hashed embedding of each token's lemma joined to its dense features, a ReLU layer,
residual bidirectional LSTMs over each chunk of the document (runs of whole
sentences, :func:`kg.extract.learned.tags.chunks`), and a softmax over :data:`TAGS`.  A saved
model is a folder: ``model.bin`` (the weights), ``config.json`` (the sizes, the tag
set, the SHA-256 of ``model.bin``) and a ``MODEL_CARD.md``; loading checks the hash,
so a changed or truncated weights file is a clear :class:`ModelFileError`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from thinc.api import LSTM, HashEmbed, Model, Relu, Softmax, chain, residual, with_array, with_padded

from kg.errors import ExitCode, KgError
from kg.extract.learned.features import FEATURE_WIDTH
from kg.extract.learned.tags import TAGS

__all__ = ["ModelFileError", "TaggerConfig", "build_network", "load_model_dir", "save_model", "sha256_of"]

WEIGHTS = "model.bin"
CONFIG = "config.json"
CARD = "MODEL_CARD.md"


class ModelFileError(KgError):
    """An attribution model folder is missing, incomplete, or its weights do not match their recorded hash."""

    exit_code = ExitCode.MISSING


@dataclass
class TaggerConfig:
    """The sizes of the network and what it was trained on (kept in ``config.json``)."""

    width: int = 128
    embed: int = 64
    depth: int = 2
    buckets: int = 5000
    dropout: float = 0.2
    features: int = FEATURE_WIDTH
    tags: tuple[str, ...] = TAGS
    seed: int = 0
    min_confidence: float = 0.0  # proposals the network is less sure of are dropped (chosen on dev data)
    name: str = "kg-attribution-tagger"
    version: str = "0"
    sha256: str = ""
    trained: dict[str, Any] = field(default_factory=dict)  # data, epochs, figures, date, command


def _inputs_forward(model: Model, X: list[tuple[np.ndarray, np.ndarray]], is_train: bool):
    """Each document's lemma embeddings joined to its dense features; backprop goes to the embedding."""
    embed = model.layers[0]
    lengths = [len(ids) for ids, _ in X]
    ids = model.ops.xp.concatenate([i for i, _ in X]) if X else model.ops.alloc2i(0, 1)
    vectors, backprop_embed = embed(ids, is_train)
    out, start = [], 0
    for (_, feats), n in zip(X, lengths):
        out.append(model.ops.xp.concatenate([vectors[start:start + n], feats], axis=1).astype("float32"))
        start += n
    width = vectors.shape[1] if len(vectors.shape) == 2 else embed.get_dim("nO")

    def backprop(d_out: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        if d_out:
            backprop_embed(model.ops.xp.concatenate([d[:, :width] for d in d_out]))
        return []

    return out, backprop


def _inputs_init(model: Model, X: Any = None, Y: Any = None) -> Model:
    model.layers[0].initialize()
    return model


def build_network(config: TaggerConfig) -> Model:
    """The tagger, uninitialised (``initialize`` it on sample inputs, or load weights into it).

    Each BiLSTM layer is residual (its output added to its input), so the token's own
    features reach the softmax directly and training converges like a per-token
    classifier's while the LSTMs add the context (measured on PolNeAR: a plain
    two-layer BiLSTM with dropout stayed at the tag prior for epochs).
    """
    embed = HashEmbed(nO=config.embed, nV=config.buckets, seed=config.seed + 1, column=0)
    inputs = Model("kg_tagger_inputs", _inputs_forward, init=_inputs_init, layers=[embed],
                   dims={"nO": config.embed + config.features})
    layers = [inputs, with_array(Relu(nO=config.width, nI=config.embed + config.features, dropout=config.dropout))]
    for _ in range(config.depth):
        layers.append(residual(with_padded(LSTM(nO=config.width, nI=config.width, bi=True, depth=1))))
    layers.append(with_array(Softmax(nO=len(config.tags), nI=config.width)))
    return chain(*layers)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(network: Model, config: TaggerConfig, folder: Path | str,
               card: str | Callable[[], str] | None = None) -> Path:
    """Write ``model.bin``, ``config.json`` (with the weights' SHA-256) and the model card to ``folder``.

    ``card`` may be a function: it is called once ``config.sha256`` is set, so the card can name it.
    """
    from kg.export.atomic import atomic_path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WEIGHTS) as tmp:
        tmp.write_bytes(network.to_bytes())
    config.sha256 = sha256_of(folder / WEIGHTS)
    data = asdict(config)
    data["tags"] = list(config.tags)
    with atomic_path(folder / CONFIG) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if card is not None:
        with atomic_path(folder / CARD) as tmp:
            tmp.write_text(card() if callable(card) else card, encoding="utf-8")
    return folder


def load_model_dir(folder: Path | str) -> tuple[Model, TaggerConfig]:
    """The network and config saved in ``folder``; raises :class:`ModelFileError` if missing or changed."""
    folder = Path(folder)
    try:
        data = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{folder}: not an attribution model folder (no {CONFIG})") from None
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{folder / CONFIG}: cannot read it: {exc}") from None
    known = set(TaggerConfig.__dataclass_fields__)
    config = TaggerConfig(**{k: v for k, v in data.items() if k in known})
    config.tags = tuple(config.tags)
    if config.tags != TAGS or config.features != FEATURE_WIDTH:
        raise ModelFileError(f"{folder}: the model was trained for other tags or features than this kg's "
                             "(train it again with kg train)")
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise ModelFileError(f"{folder}: no {WEIGHTS}")
    actual = sha256_of(weights)
    if actual != config.sha256:
        raise ModelFileError(f"{weights}: SHA-256 {actual[:16]}… is not the {config.sha256[:16]}… its "
                             f"{CONFIG} records: the weights were changed or damaged (reinstall kg, or train again)")
    network = build_network(config)
    network.initialize()
    try:
        network.from_bytes(weights.read_bytes())
    except Exception as exc:  # thinc raises several kinds on a file of another shape
        raise ModelFileError(f"{weights}: cannot load the weights: {exc}") from None
    return network, config
