"""Shared fixtures: the real spaCy model, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


#: the run time kg stamps on what it extracts, pinned so that builds are reproducible
PINNED_EPOCH = "1795305600"  # 2026-11-22T00:00:00Z


@pytest.fixture(autouse=True, scope="session")
def _reproducible_run_time():
    """Tests (and the subprocesses they start) build with SOURCE_DATE_EPOCH, as the committed exports/ were."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = PINNED_EPOCH
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


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
