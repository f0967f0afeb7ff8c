/* kg report: renders the embedded JSON (#kg-data) into the page.  Vanilla JS, no
   network.  All text from the data goes in through textContent, never as HTML. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg";
  var claims = DATA.claims || [];
  var articles = DATA.articles || {};
  claims.forEach(function (r) {  // the article's title, outlet and date are kept once per article
    var a = articles[r.doc] || {};
    r.title = a.title || null; r.outlet = a.outlet || null; r.published = a.date || null;
  });
  var contradictions = DATA.contradictions || [];
  var meta = DATA.meta || {};

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "cls") node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function plural(n, word, many) { return n + " " + (n === 1 ? word : (many || word + "s")); }
  function fmt(n) { return Number(n || 0).toLocaleString("en"); }
  function sourceOf(r) { return r.outlet || r.title || r.doc || ""; }

  /* ------------------------------------------------------------- contested claims */
  var contradictionsOf = {};  // claim IRI -> [index of contradiction]
  contradictions.forEach(function (c, i) {
    [c.a, c.b].forEach(function (side) {
      if (side && side.claim) (contradictionsOf[side.claim] = contradictionsOf[side.claim] || []).push(i);
    });
  });
  function storyChanges(claimIri) {
    return (contradictionsOf[claimIri] || []).filter(function (i) { return contradictions[i].kind === "change_of_story"; });
  }

  /* ------------------------------------------------------------- header and overview */
  function renderOverview() {
    document.getElementById("subtitle").textContent =
      "store " + (meta.store || "?") + " \u00b7 generated " + (meta.generated || "") + " \u00b7 kg " + (meta.kg_version || "");
    var stats = [
      [fmt(meta.articles), plural(meta.articles, "article").replace(/^\d+ /, "")],
      [fmt(meta.claims), "distinct claims"],
      [fmt(claims.length), "appearances"],
      [fmt((DATA.claimants || []).length), "claimants"],
      [fmt(meta.outlets), plural(meta.outlets, "outlet").replace(/^\d+ /, "")],
      [meta.detector ? fmt(contradictions.length) : "\u2013", "contradictions", contradictions.length > 0]
    ];
    var box = document.getElementById("overview");
    stats.forEach(function (s) {
      box.appendChild(el("div", { cls: "stat" + (s[2] ? " alert" : "") }, el("b", { text: s[0] }), el("span", { text: s[1] })));
    });
    document.getElementById("footer").textContent =
      "Made by kg " + (meta.kg_version || "") + " from store \u201c" + (meta.store || "") + "\u201d (" +
      fmt(meta.triples) + " triples). Self-contained: this file loads nothing from the network.";
  }

  /* ------------------------------------------------------------- claims table */
  function renderClaims() {
    var tbody = document.querySelector("#claims-table tbody");
    var rows = claims.map(function (r, i) {
      var who = el("td", { cls: "who" }, r.claimant || "(unattributed)", r.type ? el("small", { text: r.type }) : null);
      var date = el("td", { cls: "date", text: r.date || "undated" });
      if (r.published && r.published !== r.date) date.title = "published " + r.published;
      var text = el("td", { cls: "text", text: r.text });
      var flags = contradictionsOf[r.claim];
      if (flags) {
        text.appendChild(el("a", { cls: "flag", href: "#contradiction-" + (flags[0] + 1), title: "in " + plural(flags.length, "contradiction") }, "contradicted"));
      }
      var src = el("td", { cls: "src" });
      if (r.outlet || r.title) {
        src.appendChild(document.createTextNode(r.outlet || r.title));
        if (r.outlet && r.title) src.appendChild(el("small", { cls: "title", text: r.title, title: r.title }));
      }
      src.appendChild(el("small", { cls: "doc", text: r.doc, title: r.doc }));
      var tr = el("tr", null, date, who, text, el("td", { cls: "cue", text: r.cue || "" }), src, el("td", { cls: "relay", text: r.relay || "" }));
      var hay = [r.date, r.claimant, r.type, r.text, r.cue, r.outlet, r.title, r.doc, r.relay].join("\u0001").toLowerCase();
      return { tr: tr, data: r, index: i, hay: hay, source: sourceOf(r).toLowerCase() };
    });
    rows.forEach(function (row) { tbody.appendChild(row.tr); });

    var input = document.getElementById("claim-filter");
    var count = document.getElementById("claim-count");
    var empty = document.getElementById("claims-empty");
    function applyFilter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var ok = words.every(function (w) { return row.hay.indexOf(w) !== -1; });
        row.tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = (words.length ? fmt(shown) + " of " : "") + plural(rows.length, "claim").replace(/^\d+/, fmt(rows.length));
      empty.hidden = shown !== 0 || rows.length === 0;
      if (rows.length === 0) { empty.hidden = false; empty.textContent = "No claims in this store."; }
    }
    input.addEventListener("input", applyFilter);
    applyFilter();

    var keyOf = {
      date: function (row) { return row.data.date || "\uffff"; },
      claimant: function (row) { return (row.data.claimant || "\uffff").toLowerCase(); },
      cue: function (row) { return (row.data.cue || "\uffff").toLowerCase(); },
      source: function (row) { return row.source || "\uffff"; },
      relay: function (row) { return (row.data.relay || "\uffff").toLowerCase(); }
    };
    var headers = document.querySelectorAll("#claims-table th.sortable");
    Array.prototype.forEach.call(headers, function (th) {
      th.querySelector("button").addEventListener("click", function () {
        var key = th.getAttribute("data-key");
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var sign = dir === "ascending" ? 1 : -1;
        var f = keyOf[key];
        rows.slice().sort(function (x, y) {
          var a = f(x), b = f(y);
          return a < b ? -sign : a > b ? sign : x.index - y.index;
        }).forEach(function (row) { tbody.appendChild(row.tr); });
      });
    });
  }

  /* ------------------------------------------------------------- timeline */
  function renderTimeline() {
    var list = document.getElementById("claimant-list");
    var view = document.getElementById("timeline-view");
    var filter = document.getElementById("claimant-filter");
    var byClaimant = {};
    claims.forEach(function (r) { if (r.claimant) (byClaimant[r.claimant] = byClaimant[r.claimant] || []).push(r); });
    var claimants = DATA.claimants || [];
    var items = [];
    var selected = null;

    function changedCount(name) {
      return (byClaimant[name] || []).filter(function (r) { return storyChanges(r.claim).length > 0; }).length;
    }
    function select(name) {
      selected = name;
      items.forEach(function (it) { it.li.setAttribute("aria-selected", it.name === name ? "true" : "false"); });
      view.textContent = "";
      var rows = (byClaimant[name] || []).slice().sort(function (a, b) {
        var x = a.date || "\uffff", y = b.date || "\uffff";
        return x < y ? -1 : x > y ? 1 : 0;
      });
      var changed = changedCount(name);
      view.appendChild(el("h3", { text: name }));
      view.appendChild(el("p", { cls: "muted", text: plural(rows.length, "claim") +
        (rows.length ? ", " + (rows[0].date || "undated") + " to " + (rows[rows.length - 1].date || "undated") : "") +
        (changed ? "; the story changed at " + plural(changed, "claim") : "") }));
      var ol = el("ol", { cls: "tl" });
      rows.forEach(function (r) {
        var changes = storyChanges(r.claim);
        var li = el("li", { cls: changes.length ? "changed" : "" },
          el("div", { cls: "when" }, (r.date || "undated") + " \u00b7 " + (r.cue || "said") + " \u00b7 " + sourceOf(r) + (r.relay ? " via " + r.relay : ""),
            changes.length ? el("span", { cls: "flag", text: "story changed" }) : null),
          el("div", { cls: "said", text: r.text }));
        changes.forEach(function (i) {
          var c = contradictions[i];
          li.appendChild(el("div", { cls: "why" }, c.reason || "change of story", " ", el("a", { href: "#contradiction-" + (i + 1), text: "see both sentences" })));
        });
        ol.appendChild(li);
      });
      view.appendChild(ol);
    }
    claimants.forEach(function (c) {
      var changed = changedCount(c.name);
      var li = el("li", { role: "option", "aria-selected": "false", tabindex: "0" },
        el("span", null, c.name, changed ? el("span", { cls: "changed", title: "story changed", text: "\u25cf" }) : null),
        el("span", { cls: "n", text: String(c.claims) }));
      li.addEventListener("click", function () { select(c.name); });
      li.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(c.name); } });
      list.appendChild(li);
      items.push({ li: li, name: c.name, hay: c.name.toLowerCase(), changed: changed });
    });
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase().trim();
      items.forEach(function (it) { it.li.hidden = q !== "" && it.hay.indexOf(q) === -1; });
    });
    if (!claimants.length) { view.appendChild(el("p", { cls: "empty", text: "No attributed claims in this store." })); return; }
    // start with a claimant whose story changed, else the one with most claims
    var first = items.filter(function (it) { return it.changed; })[0] || items[0];
    select(first.name);
  }

  /* ------------------------------------------------------------- contradictions */
  function highlighted(sentence, text) {
    var block = el("blockquote");
    sentence = sentence || "";
    text = text || "";
    var at = text ? sentence.indexOf(text) : -1;
    if (at === -1 && text) at = sentence.toLowerCase().indexOf(text.toLowerCase());
    if (at === -1) {
      if (sentence) block.appendChild(el("p", { text: sentence }));
      if (text) block.appendChild(el("p", null, "Claim: ", el("mark", { text: text })));
      return block;
    }
    block.appendChild(el("p", null, sentence.slice(0, at), el("mark", { text: sentence.slice(at, at + text.length) }), sentence.slice(at + text.length)));
    return block;
  }
  function renderContradictions() {
    var box = document.getElementById("contradiction-list");
    if (!contradictions.length) {
      box.appendChild(el("p", { cls: "empty", text: meta.detector
        ? "No contradictions found between the claims in this store."
        : "This kg has no contradiction detector yet: no contradictions shown." }));
      return;
    }
    contradictions.forEach(function (c, i) {
      var conf = typeof c.confidence === "number" ? c.confidence : null;
      var head = el("div", { cls: "contra-head" },
        el("span", { cls: "kind " + c.kind, text: String(c.kind).replace(/_/g, " ") }),
        conf === null ? null : el("span", { cls: "conf", title: "confidence" }, (function () {
          var bar = el("i"); var fill = el("b"); fill.style.width = Math.round(conf * 100) + "%"; bar.appendChild(fill); return bar;
        })(), conf.toFixed(2)),
        el("span", { cls: "reason", text: c.reason || "" }));
      var sides = el("div", { cls: "sides" });
      [["A", c.a], ["B", c.b]].forEach(function (pair) {
        var s = pair[1] || {};
        sides.appendChild(el("div", { cls: "side" },
          el("div", { cls: "who", text: s.claimant || "(unattributed)" }),
          el("div", { cls: "meta", text: (s.date || "undated") + (s.doc_id ? " \u00b7 " + s.doc_id : "") }),
          highlighted(s.sentence, s.text)));
      });
      box.appendChild(el("article", { cls: "contra", id: "contradiction-" + (i + 1) }, head, sides));
    });
  }

  /* ------------------------------------------------------------- graph */
  function renderGraph() {
    var g = DATA.graph || { nodes: [], edges: [] };
    var root = document.getElementById("graph-svg");
    var tip = document.getElementById("graph-tip");
    var info = document.getElementById("graph-info");
    var note = document.getElementById("graph-note");
    var nodes = g.nodes || [], edges = g.edges || [];
    var nContra = edges.filter(function (e) { return e[2] === "contradicts"; }).length;
    note.textContent = "Claimants, their claims and the entities the claims mention" +
      (nContra ? "; " + plural(nContra, "contradiction") + " in red. " : ". ") +
      (g.capped
        ? "The store is too big to draw whole: this shows " + fmt(nodes.length) + " of its " + fmt(g.total_nodes) + " nodes, the top " +
          fmt(g.shown_claimants) + " of " + fmt(g.total_claimants) + " claimants (those in a contradiction first, then by number of claims)" +
          (g.claims_per_claimant ? " with at most " + g.claims_per_claimant + " claims each" : "") +
          ". The whole graph is in the GraphML export (kg export --format graphml)."
        : plural(nodes.length, "node") + ", " + plural(edges.length, "edge") + ".");

    var legend = document.getElementById("graph-legend");
    [["claimant", "Claimant"], ["claim", "Claim"], ["entity", "Entity mentioned"]].forEach(function (t) {
      var dot = el("i"); dot.style.background = getComputedStyle(document.documentElement).getPropertyValue("--" + t[0]);
      legend.appendChild(el("span", null, dot, t[1]));
    });
    legend.appendChild(el("span", null, el("i", { cls: "edge" }), "Contradiction"));

    var view = svg("g", { id: "graph-view" });
    var edgeLayer = svg("g"), nodeLayer = svg("g"), labelLayer = svg("g");
    view.appendChild(edgeLayer); view.appendChild(nodeLayer); view.appendChild(labelLayer);
    root.appendChild(view);

    var contested = {};
    var neighbours = nodes.map(function () { return []; });
    var edgeEls = edges.map(function (e) {
      var a = nodes[e[0]], b = nodes[e[1]];
      var line = svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "class": e[2] });
      neighbours[e[0]].push(e[1]); neighbours[e[1]].push(e[0]);
      if (e[2] === "contradicts") { contested[e[0]] = true; contested[e[1]] = true; }
      edgeLayer.appendChild(line);
      return line;
    });
    // contradiction edges on top of the others
    edgeEls.forEach(function (line, i) { if (edges[i][2] === "contradicts") edgeLayer.appendChild(line); });
    function radius(n) {
      var base = n.type === "claimant" ? 6 : n.type === "entity" ? 4.5 : 3.5;
      return Math.min(base + 1.6 * Math.sqrt(Math.max(0, n.weight - 1)), 22);
    }
    var circles = nodes.map(function (n, i) {
      var c = svg("circle", { cx: n.x, cy: n.y, r: radius(n).toFixed(1), "class": n.type + (contested[i] ? " contested" : ""), "data-i": i });
      c.setAttribute("aria-label", n.type + ": " + n.label);
      nodeLayer.appendChild(c);
      return c;
    });
    var labels = [];
    nodes.forEach(function (n, i) {
      if (n.type !== "claimant" && !contested[i]) return;
      var t = svg("text", { x: n.x + radius(n) + 2, y: n.y + 3.5 });
      t.textContent = n.label.length > 36 ? n.label.slice(0, 35) + "\u2026" : n.label;
      labelLayer.appendChild(t);
      labels.push([i, t]);
    });

    /* pan and zoom: a transform on the view group, in viewBox units */
    var k = 1, tx = 0, ty = 0;
    function apply() { view.setAttribute("transform", "translate(" + tx.toFixed(2) + " " + ty.toFixed(2) + ") scale(" + k.toFixed(4) + ")"); }
    function toBox(clientX, clientY) {
      var r = root.getBoundingClientRect();
      var vb = root.viewBox.baseVal;
      var s = Math.max(vb.width / r.width, vb.height / r.height);  // preserveAspectRatio meet
      var ox = (r.width * s - vb.width) / 2, oy = (r.height * s - vb.height) / 2;
      return [(clientX - r.left) * s - ox, (clientY - r.top) * s - oy];
    }
    function zoomAt(factor, px, py) {
      var nk = Math.min(12, Math.max(0.3, k * factor));
      tx = px - (px - tx) * (nk / k); ty = py - (py - ty) * (nk / k); k = nk; apply();
    }
    root.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = toBox(e.clientX, e.clientY);
      zoomAt(Math.exp(-e.deltaY * 0.0015), p[0], p[1]);
    }, { passive: false });
    var drag = null;
    root.addEventListener("pointerdown", function (e) {
      if (e.target.tagName === "circle") return;
      drag = { p: toBox(e.clientX, e.clientY), tx: tx, ty: ty, moved: false };
      root.setPointerCapture(e.pointerId); root.classList.add("panning");
    });
    root.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var p = toBox(e.clientX, e.clientY);
      tx = drag.tx + p[0] - drag.p[0]; ty = drag.ty + p[1] - drag.p[1];
      if (Math.abs(p[0] - drag.p[0]) + Math.abs(p[1] - drag.p[1]) > 3) drag.moved = true;
      apply();
    });
    function endDrag(e) {
      if (!drag) return;
      var moved = drag.moved; drag = null; root.classList.remove("panning");
      if (!moved && e.type === "pointerup") clearSelection();
    }
    root.addEventListener("pointerup", endDrag);
    root.addEventListener("pointercancel", endDrag);
    document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(1.4, 500, 320); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(1 / 1.4, 500, 320); });
    document.getElementById("zoom-reset").addEventListener("click", function () { k = 1; tx = 0; ty = 0; apply(); });

    /* hover: a tooltip with the label; click: pin the node, its neighbours and an info box */
    var box = root.parentNode;
    function describe(n) {
      return n.type === "claim" ? (n.text || n.label) : n.label;
    }
    nodeLayer.addEventListener("pointerover", function (e) {
      var i = e.target.getAttribute && e.target.getAttribute("data-i");
      if (i === null || i === undefined) return;
      var n = nodes[+i];
      tip.textContent = "";
      tip.appendChild(el("small", { text: n.type + (n.date ? " \u00b7 " + n.date : "") }));
      tip.appendChild(document.createTextNode(describe(n).length > 220 ? describe(n).slice(0, 219) + "\u2026" : describe(n)));
      tip.hidden = false;
    });
    nodeLayer.addEventListener("pointermove", function (e) {
      var r = box.getBoundingClientRect();
      var x = e.clientX - r.left + 14, y = e.clientY - r.top + 14;
      if (x + 340 > r.width) x = Math.max(4, e.clientX - r.left - 14 - Math.min(340, tip.offsetWidth));
      tip.style.left = x + "px"; tip.style.top = y + "px";
    });
    nodeLayer.addEventListener("pointerout", function () { tip.hidden = true; });

    function clearSelection() {
      info.hidden = true;
      circles.forEach(function (c) { c.classList.remove("dim", "sel"); });
      edgeEls.forEach(function (l) { l.classList.remove("dim"); });
      labels.forEach(function (p) { p[1].classList.remove("dim"); });
    }
    function selectNode(i) {
      var n = nodes[i];
      var near = {}; near[i] = true;
      neighbours[i].forEach(function (j) { near[j] = true; });
      circles.forEach(function (c, j) { c.classList.toggle("dim", !near[j]); c.classList.toggle("sel", j === i); });
      edgeEls.forEach(function (l, j) { l.classList.toggle("dim", edges[j][0] !== i && edges[j][1] !== i); });
      labels.forEach(function (p) { p[1].classList.toggle("dim", !near[p[0]]); });
      info.textContent = "";
      var close = el("button", { cls: "close", type: "button", title: "Close", text: "\u00d7" });
      close.addEventListener("click", clearSelection);
      info.appendChild(close);
      info.appendChild(el("small", { text: n.type + (n.date ? " \u00b7 " + n.date : "") }));
      info.appendChild(el("div", { cls: "label", text: describe(n) }));
      var by = neighbours[i].map(function (j) { return nodes[j]; });
      var whoClaimed = n.type === "claim" ? by.filter(function (m) { return m.type === "claimant"; }).map(function (m) { return m.label; }) : [];
      if (whoClaimed.length) info.appendChild(el("p", { cls: "muted", text: "claimed by " + whoClaimed.join(", ") }));
      if (n.type !== "claim") {
        var nClaims = by.filter(function (m) { return m.type === "claim"; }).length;
        info.appendChild(el("p", { cls: "muted", text: plural(nClaims, "claim") + " linked in this view" }));
      }
      if (contested[i]) info.appendChild(el("p", { cls: "muted", text: "in a contradiction (red edge)" }));
      info.hidden = false;
    }
    nodeLayer.addEventListener("click", function (e) {
      var i = e.target.getAttribute && e.target.getAttribute("data-i");
      if (i !== null && i !== undefined) selectNode(+i);
    });

    /* find: outline the nodes whose label contains the text */
    var find = document.getElementById("graph-find");
    find.addEventListener("input", function () {
      var q = find.value.toLowerCase().trim();
      nodes.forEach(function (n, i) {
        var hit = q !== "" && (n.label.toLowerCase().indexOf(q) !== -1 || (n.text || "").toLowerCase().indexOf(q) !== -1);
        circles[i].classList.toggle("found", hit);
      });
    });
    if (!nodes.length) {
      var empty = svg("text", { x: 500, y: 320, "text-anchor": "middle" });
      empty.textContent = "No claims to draw.";
      root.appendChild(empty);
    }
  }

  renderOverview();
  renderClaims();
  renderTimeline();
  renderContradictions();
  renderGraph();
  document.documentElement.setAttribute("data-rendered", "true");
})();
