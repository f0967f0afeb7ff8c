"""Extract attributed claims from documents (spaCy parse + rules)."""

from kg.extract.lexicon import CueLexicon, load_lexicon
from kg.extract.model import ModelInfo, ModelNotFoundError, load_model, model_info
from kg.extract.pipeline import extract_claims, iter_claims

__all__ = [
    "CueLexicon",
    "ModelInfo",
    "ModelNotFoundError",
    "extract_claims",
    "iter_claims",
    "load_lexicon",
    "load_model",
    "model_info",
]
