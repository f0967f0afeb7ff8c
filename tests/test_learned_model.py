"""The learned attribution tagger: trained here on documents made in the test, saved, hash-checked, loaded.

The real spaCy model parses; the tagger is tiny (width 16) so that training takes seconds.
Sentences are our own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ExitCode
from kg.extract import iter_claims
from kg.extract.cue_classes import CueClass, cue_class
from kg.extract.learned import AttributionTagger, ModelFileError, default_model_dir, load_tagger
from kg.extract.learned.network import TaggerConfig, load_model_dir
from kg.extract.learned.tags import B_CON, B_CUE, B_SRC, I_CON, O, decode, gold_tags, link, token_layout
from kg.extract.learned.train import prepare, train, train_model
from kg.extract.settings import ExtractorSettings, NoModelError
from kg.records import Document

SENTENCES = [
    ("The mayor", "said", "the bridge would reopen on Monday"),
    ("Officials", "said", "the road was closed for repairs"),
    ("The minister", "told", "reporters the budget was balanced"),
    ("A spokesman", "said", "the company had paid its taxes"),
    ("The council", "announced", "that the library would stay open"),
    ("Her lawyer", "said", "she had done nothing wrong"),
]


def gold_document(i: int) -> dict:
    """A gold document in the format kg eval and kg train read, with character spans."""
    text, quotes = "", []
    for k, (source, cue, content) in enumerate(SENTENCES[i:] + SENTENCES[:i]):
        start = len(text)
        sentence = f"{source} {cue} {content}. "
        quotes.append({"speaker_span": [start, start + len(source)],
                       "cue_span": [start + len(source) + 1, start + len(source) + 1 + len(cue)],
                       "content_span": [start + len(source) + len(cue) + 2, start + len(sentence) - 2]})
        text += sentence
        text += "The weather was mild. " if k % 2 else ""
    return {"doc_id": f"g{i}", "text": text.strip(), "quotes": quotes}


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    path.write_text("".join(json.dumps(gold_document(i)) + "\n" for i in range(6)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, gold_file, nlp) -> Path:
    out = tmp_path_factory.mktemp("model") / "tiny"
    train_model(gold_file, out, dev=gold_file, nlp=nlp, config=TaggerConfig(width=16, embed=8, depth=1),
                epochs=30, batch_size=2, learn_rate=0.01)
    return out


def test_gold_spans_become_bio_tags_and_decode_back(nlp):
    gold = gold_document(0)
    doc = nlp(gold["text"])
    tags = gold_tags(doc, gold["quotes"])
    assert tags[0] == B_SRC and doc[2].text == "said" and tags[2] == B_CUE and tags[3] == B_CON
    assert tags[4] == I_CON and O in tags
    spans = decode(np.log(np.eye(7)[tags] * 0.97 + 0.005))
    links = link(spans, *token_layout(doc))
    assert len(links) == len(SENTENCES)
    first = links[0]
    assert doc[first.source[0]:first.source[1]].text == "The mayor" and doc[first.cue[0]:first.cue[1]].text == "said"
    assert doc[first.content[0]:first.content[1]].text == "the bridge would reopen on Monday"


def test_decoding_never_starts_a_span_inside(nlp):
    log_probs = np.log(np.full((4, 7), 0.01))
    log_probs[:, I_CON] = 0.0  # the network says "inside a content" everywhere
    spans = decode(log_probs)
    assert all(s.end > s.start for s in spans) and spans[0].start == 0


def _tagged(doc, spans: dict[str, str]) -> np.ndarray:
    """Near-certain log-probabilities of tags marking each phrase of ``spans`` (phrase -> SRC|CUE|CON)."""
    tags = np.full(len(doc), O)
    begin = {"SRC": B_SRC, "CUE": B_CUE, "CON": B_CON}
    for phrase, label in spans.items():
        start = doc.text.index(phrase)
        span = doc.char_span(start, start + len(phrase))
        tags[span.start] = begin[label]
        tags[span.start + 1:span.end] = begin[label] + 1
    return np.log(np.eye(7)[tags] * 0.97 + 0.005)


def test_a_content_split_around_its_speaker_is_one_attribution_and_two_cues_are_two(nlp):
    split = nlp('"The plan is dead," the senator said, "and it will stay dead."')
    links = link(decode(_tagged(split, {'"The plan is dead,"': "CON", "the senator": "SRC", "said": "CUE",
                                         '"and it will stay dead."': "CON"})), *token_layout(split))
    assert len(links) == 1 and len(links[0].parts) == 2
    two = nlp("The senator mocked the plan, saying it would never pass.")
    links = link(decode(_tagged(two, {"The senator": "SRC", "mocked": "CUE", "the plan": "CON", "saying": "CUE",
                                      "it would never pass": "CON"})), *token_layout(two))
    contents = sorted(two[a.content[0]:a.content[1]].text for a in links)
    assert contents == ["it would never pass", "the plan"]
    assert all(not a.parts for a in links)


def test_a_tiny_training_run_makes_a_model_that_loads_and_finds_the_attributions(tiny_model, nlp):
    tagger = AttributionTagger(tiny_model)
    doc = nlp("The mayor said the bridge would reopen on Monday. The weather was mild.")
    from kg.extract.lexicon import default_lexicon

    found = tagger.candidates(doc, default_lexicon())
    assert found and doc.text[found[0].content_start:found[0].content_end].startswith("the bridge would reopen")
    card = (tiny_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    sha = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))["sha256"]
    assert "trained:" in card and f"SHA-256 {sha}" in card


def test_training_is_seeded_and_predictions_are_deterministic(gold_file, nlp, tiny_model):
    examples = prepare([gold_document(i) for i in range(3)], nlp)
    config = TaggerConfig(width=16, embed=8, depth=1)
    first = train(examples, config=TaggerConfig(**{**config.__dict__}), epochs=2, batch_size=2)
    second = train(examples, config=TaggerConfig(**{**config.__dict__}), epochs=2, batch_size=2)
    assert first.network.to_bytes() == second.network.to_bytes()
    network, _ = load_model_dir(tiny_model)
    inputs = [(examples[0].ids, examples[0].feats)]
    assert np.array_equal(network.predict(inputs)[0], network.predict(inputs)[0])


def test_a_changed_weights_file_is_refused_by_its_hash(tiny_model, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    data = bytearray((copy / "model.bin").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.bin").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="SHA-256"):
        load_model_dir(copy)
    result = CliRunner().invoke(main, ["extract", "-", "--attribution-model", str(copy)],
                                input="The mayor said it.")
    assert result.exit_code == ExitCode.MISSING and "SHA-256" in result.stderr


def test_a_model_of_your_own_is_used_on_every_extracting_command(tiny_model, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("The mayor said the bridge would reopen on Monday.", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(article), "--format", "jsonl", "--date", "2022-03-01",
                                       "--attribution-model", str(tiny_model)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["speaker"]["name"] == "mayor"
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["ingest", str(article), "--date", "2022-03-01", "--store", str(store),
                                       "--extractor", "model", "--attribution-model", str(tiny_model)])
    assert result.exit_code == 0, result.stderr
    from kg.store import ClaimStore

    with ClaimStore.open(store, read_only=True) as st:
        (row,) = st.query("SELECT ?m WHERE { ?run kg:attributionModel ?m }")
    assert row["m"].startswith("kg-attribution-tagger") and "sha256:" in row["m"]


def test_the_rules_alone_when_asked_or_when_no_model_is_installed(nlp, monkeypatch, caplog):
    import kg.extract.learned as learned
    import kg.extract.settings as settings_module

    document = Document(id="d", text="The mayor said the bridge would reopen.", date="2022-03-01")
    rules = dict(iter_claims([document], nlp, settings=ExtractorSettings(extractor="rules")))
    assert [c.content.text for c in rules[document]] == ["the bridge would reopen"]
    monkeypatch.setattr(learned, "shipped_model_available", lambda: False)
    monkeypatch.setattr(settings_module, "_warned_missing", False)
    with caplog.at_level("WARNING"):
        auto = dict(iter_claims([document], nlp, settings=ExtractorSettings(extractor="auto")))
    assert [c.content.text for c in auto[document]] == ["the bridge would reopen"]
    assert "extracting with the rules alone" in caplog.text
    with pytest.raises(NoModelError):
        ExtractorSettings(extractor="model").tagger()


def test_a_belief_is_not_a_claim_by_default_and_is_one_with_all_attributions(nlp):
    document = Document(id="b", text="The senator believes that the bill will pass. The mayor said the bridge "
                                     "would reopen.", date="2022-03-01")
    speech = dict(iter_claims([document], nlp, settings=ExtractorSettings(extractor="rules")))[document]
    assert [c.content.text for c in speech] == ["the bridge would reopen"]
    every = dict(iter_claims([document], nlp, settings=ExtractorSettings(extractor="rules",
                                                                         attributions="all")))[document]
    assert {(c.content.text, c.cue_class) for c in every} == {("that the bill will pass", "belief"),
                                                              ("the bridge would reopen", "speech")}


def test_cue_classes_come_from_the_data_file():
    assert cue_class("say") == CueClass.SPEECH and cue_class("believe") == CueClass.BELIEF
    assert cue_class("intend") == CueClass.INTENTION and cue_class("see") == CueClass.PERCEPTION
    assert cue_class("according to") == CueClass.SPEECH and cue_class("frobnicate") == CueClass.OTHER


def test_the_shipped_model_loads_offline_from_the_package_with_its_hash_checked():
    folder = default_model_dir()
    if not (folder / "model.bin").is_file():
        pytest.fail(f"no model shipped in {folder}")
    tagger = load_tagger()
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert tagger.info.sha256 == config["sha256"]
    assert (folder / "model.bin").stat().st_size < 50 * 1024 * 1024
    assert "command" in (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
