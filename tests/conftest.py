"""Shared fixtures: the real spaCy model, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from kg.extract import load_model

    return load_model()


@pytest.fixture(scope="session")
def seed_claims(nlp):
    """Claims of the two seed articles, keyed by the article date."""
    from kg.extract import iter_claims
    from kg.read import read_documents

    documents, problems = read_documents([SEEDS])
    assert not problems
    return {doc.date: claims for doc, claims in iter_claims(documents, nlp)}
