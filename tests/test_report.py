"""kg report: one self-contained HTML page, checked as data and in headless Chromium.

The browser tests open the seeds' report through file:// in Debian's chromium,
driven by Playwright (never its own browser download).  They skip when chromium
or playwright is missing on a developer's machine, and fail under CI (CI=true),
where .ci/run installs chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.report import build_report, embed_json, graph_data, render_html, write_report
from kg.report.data import load_contradictions, normalise_contradiction
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PSAKI_SECURITY = "We are not going to go into security issues"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, nlp) -> Path:
    from kg.pipeline import ingest

    path = tmp_path_factory.mktemp("report") / "seeds.kg"
    with ClaimStore.open(path) as store:
        report = ingest([SEEDS], store, nlp=nlp)
    assert report.claims == 22 and not report.problems
    return path


def _side(row: Any) -> dict[str, Any]:
    return {"claim": row.claim, "claimant": row.claimant, "doc_id": row.doc_id, "start": row.start, "end": row.end,
            "text": row.content, "sentence": row.sentence, "date": row.utterance_date or row.date}


@pytest.fixture(scope="module")
def psaki_change(seeds_store) -> dict[str, Any]:
    """A hand-made change-of-story contradiction between Psaki's first and last claims."""
    from kg.query import find_claims

    with ClaimStore.open(seeds_store, read_only=True) as store:
        rows = find_claims(store, by="psaki")
    assert len(rows) == 3
    return {"kind": "change_of_story", "confidence": 0.7,
            "reason": "Psaki urged Americans to leave, then would not go into security issues.",
            "a": _side(rows[0]), "b": _side(rows[-1])}


@pytest.fixture(scope="module")
def report_file(seeds_store, psaki_change, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    with ClaimStore.open(seeds_store, read_only=True) as store:
        written = write_report(store, path, contradictions=[psaki_change])
    assert written.path == path and written.contradictions == 1
    return path


# ----------------------------------------------------------------------------- data and page, no browser
def test_embedded_json_cannot_end_its_script_element_and_reads_back_the_same():
    data = {"text": "</script><script>alert(1)</script> <!-- & \u2028 </SCRIPT", "n": [1, 2.5, None, True]}
    embedded = embed_json(data)
    assert "<" not in embedded and ">" not in embedded and "&" not in embedded and "\u2028" not in embedded
    assert json.loads(embedded) == data


def test_a_hostile_claim_stays_text_in_the_page():
    data = {"meta": {"store": "x</title><script>alert(1)</script>"}, "claims": [], "articles": {},
            "claimants": [], "contradictions": [], "graph": {"nodes": [], "edges": []}}
    page = render_html(data)
    assert page.count("</script>") == 2  # the data block and the script, nothing else
    assert "<script>alert(1)" not in page
    assert page.startswith("<!DOCTYPE html>")


def test_the_page_is_self_contained(report_file):
    page = report_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["claims"]) == 22
    assert any(PSAKI_SECURITY in c["text"] for c in data["claims"])


def test_the_report_is_reproducible(seeds_store, psaki_change):
    with ClaimStore.open(seeds_store, read_only=True) as store:
        first = build_report(store, contradictions=[psaki_change]).html
        second = build_report(store, contradictions=[psaki_change]).html
    assert first == second


def test_the_detector_is_used_when_no_contradictions_are_given(seeds_store):
    with ClaimStore.open(seeds_store, read_only=True) as store:
        found, detector = load_contradictions(store)
        report = build_report(store)
    assert report.contradictions == len(found)
    assert report.detector == detector


def test_a_kg_without_the_detector_reports_no_contradictions(seeds_store, monkeypatch):
    monkeypatch.setitem(sys.modules, "kg.query.contradictions", None)
    with ClaimStore.open(seeds_store, read_only=True) as store:
        assert load_contradictions(store) == ([], False)
        assert build_report(store).detector is False


def test_a_partial_contradiction_is_filled_with_nones():
    c = normalise_contradiction({"kind": "numbers", "a": {"claim": "x", "text": "3 dead"}, "b": None})
    assert c["confidence"] is None and c["reason"] == ""
    assert c["a"]["text"] == "3 dead" and c["a"]["sentence"] is None
    assert c["b"] == dict.fromkeys(c["a"])


def _network(n_claimants: int, claims_each: int) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for i in range(n_claimants):
        who = f"who/{i:03d}"
        G.add_node(who, type="claimant", label=f"Claimant {i}", weight=float(claims_each + i))
        for j in range(claims_each + i):
            claim = f"claim/{i:03d}/{j:03d}"
            G.add_node(claim, type="claim", label=f"claim {i}.{j}", text=f"claim {i}.{j}", weight=1.0)
            G.add_edge(who, claim, type="claimed")
            G.add_node(f"entity/{j % 5}", type="entity", label=f"E{j % 5}", weight=1.0)
            G.add_edge(claim, f"entity/{j % 5}", type="about")
    return G


def test_a_big_graph_is_cut_to_whole_top_claimants_those_in_a_contradiction_first():
    G = _network(40, 6)
    contra = normalise_contradiction({"kind": "polarity", "a": {"claim": "claim/002/000"}, "b": {"claim": "claim/003/001"}})
    g = graph_data(G, [contra], max_nodes=120)
    assert len(g["nodes"]) <= 120 and g["capped"] and g["total_claimants"] == 40
    labels = [n["label"] for n in g["nodes"] if n["type"] == "claimant"]
    assert labels[:2] == ["Claimant 2", "Claimant 3"] or {"Claimant 2", "Claimant 3"} <= set(labels)
    assert "Claimant 39" in labels  # then the claimant with most claims
    assert "Claimant 0" not in labels
    kinds = [e[2] for e in g["edges"]]
    assert kinds.count("contradicts") == 1
    assert all(0 <= n["x"] <= 1000 and 0 <= n["y"] <= 640 for n in g["nodes"])
    assert graph_data(G, [contra], max_nodes=120) == g  # the layout is deterministic


def test_a_small_graph_is_drawn_whole():
    g = graph_data(_network(3, 2), max_nodes=300)
    assert not g["capped"] and g["claims_per_claimant"] is None
    assert len(g["nodes"]) == g["total_nodes"]


def test_kg_report_writes_the_page_and_says_what_is_in_it(seeds_store, tmp_path):
    out = tmp_path / "out" / "r.html"
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--store", str(seeds_store)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and "22 claims" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]  # no temporary file left


def test_kg_report_without_a_store_exits_3(tmp_path):
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r.html"), "--store", str(tmp_path / "none")])
    assert result.exit_code == 3
    assert not (tmp_path / "r.html").exists()


# ----------------------------------------------------------------------------- in the browser
def _chromium() -> str | None:
    for name in (os.environ.get("KG_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium on PATH (apt-get install chromium; .ci/run does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


class Page:
    """A loaded page and everything that went wrong while it loaded."""

    def __init__(self, browser, path: Path) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-rendered=true]", timeout=15000)


@pytest.fixture(scope="module")
def page(browser, report_file):
    loaded = Page(browser, report_file)
    yield loaded
    loaded.page.close()


def _visible_rows(pg) -> list[str]:
    return pg.locator("#claims-table tbody tr:visible").all_inner_texts()


def test_the_page_loads_with_no_error_and_fetches_nothing(page, report_file):
    assert page.problems == []
    assert page.requests == [report_file.as_uri()]


def test_the_claims_table_shows_the_seed_claims(page):
    rows = _visible_rows(page.page)
    assert len(rows) == 22
    assert any(PSAKI_SECURITY in r and "Jen Psaki" in r and "told" in r for r in rows)
    assert page.page.get_by_text(PSAKI_SECURITY).first.is_visible()


def test_the_filter_box_filters_rows_live_and_sorting_by_date_reverses_them(page):
    pg = page.page
    pg.fill("#claim-filter", "GO INTO security")  # any case
    rows = _visible_rows(pg)
    assert len(rows) == 1 and PSAKI_SECURITY in rows[0]
    assert "1 of 22" in pg.inner_text("#claim-count")
    pg.fill("#claim-filter", "zelensky 2022-02-26")  # every word must match
    assert 0 < len(_visible_rows(pg)) < 22
    pg.fill("#claim-filter", "no such words anywhere")
    assert _visible_rows(pg) == [] and pg.is_visible("#claims-empty")
    pg.fill("#claim-filter", "")
    assert len(_visible_rows(pg)) == 22

    def dates() -> list[str]:
        return pg.locator("#claims-table tbody tr:visible td.date").all_inner_texts()

    assert dates() == sorted(dates())
    pg.click("#claims-table th[data-key=date] button")
    assert dates() == sorted(dates(), reverse=True) and dates()[0] == "2022-02-26"
    pg.click("#claims-table th[data-key=date] button")
    assert dates() == sorted(dates())


def test_the_timeline_marks_where_the_story_changed(page):
    pg = page.page
    assert pg.inner_text("#timeline-view h3") == "Jen Psaki"  # a claimant whose story changed comes first
    items = pg.locator("#timeline-view .tl li")
    assert items.count() == 3
    whens = items.locator(".when").all_inner_texts()
    assert [w[:10] for w in whens] == sorted(w[:10] for w in whens)
    assert pg.locator("#timeline-view .tl li.changed").count() == 2
    pg.click("#claimant-list li:has-text('John Kirby')")
    assert pg.inner_text("#timeline-view h3") == "John Kirby"
    assert pg.locator("#timeline-view .tl li").count() == 2
    assert pg.locator("#timeline-view .tl li.changed").count() == 0


def test_a_contradiction_shows_both_sentences_side_by_side_with_the_claims_highlighted(page, psaki_change):
    pg = page.page
    card = pg.locator("#contradictions .contra")
    assert card.count() == 1
    assert "change of story" in card.locator(".kind").inner_text().lower()
    assert psaki_change["reason"] in card.inner_text()
    sides = card.locator(".side")
    assert sides.count() == 2
    a, b = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert a["x"] + a["width"] <= b["x"] + 1 and abs(a["y"] - b["y"]) < 2  # side by side
    assert sides.nth(0).locator("mark").inner_text() == psaki_change["a"]["text"]
    assert sides.nth(1).locator("mark").inner_text() == psaki_change["b"]["text"]
    assert PSAKI_SECURITY in sides.nth(1).inner_text() and "Jen Psaki" in sides.nth(1).inner_text()


def test_the_graph_has_nodes_a_highlighted_contradiction_labels_on_hover_and_zoom(page):
    pg = page.page
    circles = pg.locator("#graph-svg circle")
    assert circles.count() == 51  # 14 claimants, 22 claims, 15 entities: nothing cut
    assert pg.locator("#graph-svg line.contradicts").count() == 1
    assert pg.locator("#graph-svg circle.claimant").count() >= 10
    psaki = pg.locator("#graph-svg circle[aria-label='claimant: Jen Psaki']")
    psaki.scroll_into_view_if_needed()
    psaki.hover()
    assert pg.is_visible("#graph-tip") and "Jen Psaki" in pg.inner_text("#graph-tip")
    psaki.click()
    assert pg.is_visible("#graph-info") and "Jen Psaki" in pg.inner_text("#graph-info")
    assert pg.locator("#graph-svg circle.dim").count() > 0  # the rest fades
    before = pg.get_attribute("#graph-view", "transform")
    pg.click("#zoom-in")
    assert pg.get_attribute("#graph-view", "transform") != before
    pg.mouse.move(300, 300)
    box = pg.locator("#graph-svg").bounding_box()
    pg.mouse.move(box["x"] + 40, box["y"] + 40)
    pg.mouse.wheel(0, -300)
    pg.click("#zoom-reset")
    assert pg.get_attribute("#graph-view", "transform") == "translate(0.00 0.00) scale(1.0000)"
    assert page.problems == []
