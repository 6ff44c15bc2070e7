/* crmgraph explorer: an interactive network of the knowledge graph, drawn with vis-network.
 *
 * The page carries its data in <script type="application/json" id="crmgraph-data"> (written by
 * crmgraph.network.explorer_data): nodes with precomputed positions, facts and sources; edges; styles.
 * Physics is off — positions come from the server — so the first frame is the usable view.
 * Nothing from the data is ever written as HTML: every text goes through textContent.
 */
(function () {
  "use strict";
  const started = performance.now();

  // -- the data: packed by the server (views/wire.py), in the page or fetched once the page is on screen --
  // unpack gives back the shape network.explorer_data made (the same as wire.unpack in Python)
  function unpack(p) {
    if (p.schema !== 2) return p;
    const base = p.base, strings = p.strings;
    const text = i => (i < 0 ? null : strings[i]);
    const abs = t => (t.includes(":") ? t : base + t);
    const href = (code, iri) => (code === 0 ? null : code === 1 ? "/id/" + iri.slice(base.length) : code === 2 ? iri : code);
    const refs = p.refs.map(([si, loc, ci, cloc]) => [si < 0 ? null : si, text(loc), ci < 0 ? null : ci, text(cloc)]);
    const statements = p.statements.map(([iri, kind, body, status, rs]) =>
      ({iri: abs(iri), kind: text(kind), text: body, status: text(status), refs: rs.map(r => refs[r])}));
    const nodes = p.nodes.map(([rel, label, style, x, y, h, types, facts, sts, count, sources], id) => {
      const iri = abs(rel);
      const n = {id, iri, label, style, href: href(h, iri)};
      if (x !== null) { n.x = x; n.y = y; }
      n.types = types.map(([t, inf]) => ({label: strings[t], inferred: !!inf}));
      n.facts = facts.map(([pr, o, inf, status, rs, target, fh]) => {
        const f = {p: text(pr), o: o >= 0 ? text(o) : p.nodes[target][1], inferred: !!inf, status: text(status), refs: rs.map(r => refs[r])};
        if (target >= 0) { f.node = target; const link = href(fh, abs(p.nodes[target][0])); if (link !== null) f.href = link; }
        else if (fh) f.href = fh;
        return f;
      });
      n.statements = sts.map(k => statements[k]);
      n.statementCount = count; n.sources = sources;
      return n;
    });
    const edges = p.edges.map(([from, to, kind, label, status, sources, count, rs, sts]) =>
      ({from, to, kind: text(kind), label: text(label), status: text(status), sources, count,
        refs: rs.map(r => refs[r]), statements: sts.map(k => statements[k].iri)}));
    return {schema: 1, title: p.title, note: p.note, built: p.built, styles: p.styles, edgeKinds: p.edgeKinds,
            sources: p.sources, nodes, edges, indicators: p.indicators, view: p.view};
  }
  const loading = document.getElementById("loading");
  const inline = document.getElementById("crmgraph-data");
  const src = document.getElementById("network").dataset.src;
  (inline ? Promise.resolve(JSON.parse(inline.textContent))
          : fetch(src, {headers: {Accept: "application/json"}}).then(async r => {
              if (!r.ok) { const body = await r.json().catch(() => ({})); throw new Error(body.message || body.error || `HTTP ${r.status}`); }
              return r.json();
            }))
    .then(packed => { if (loading) loading.remove(); start(unpack(packed)); })
    .catch(err => {
      if (!loading) throw err;
      loading.textContent = `The graph could not be loaded: ${err.message}. Reload the page to try again.`;
      loading.className = "error";
      window.crmgraphExplorer = {error: err.message};
      document.body.dataset.ready = "error";
    });

  function start(data) {
  const EXPAND_CAP = 50;           // most neighbours one click on "show" adds
  const nodes = data.nodes, edges = data.edges, sources = data.sources;
  const styleOf = Object.fromEntries(data.styles.map(s => [s.key, s]));
  const EDGE_STYLE = {
    fact: {color: "#8a8a8a"}, inferred: {color: "#b07d2b", dashes: [4, 4]}, entry: {color: "#8B4513"},
    figure: {color: "#2b7bb9"}, claim: {color: "#cc79a7", dashes: [6, 3]}, denial: {color: "#c00000", dashes: [2, 3]},
    result: {color: "#555555", width: 2},
  };

  // adjacency: node id → [edge index]
  const adjacent = nodes.map(() => []);
  edges.forEach((e, i) => { adjacent[e.from].push(i); if (e.to !== e.from) adjacent[e.to].push(i); });
  const neighbours = id => [...new Set(adjacent[id].map(i => edges[i].from === id ? edges[i].to : edges[i].from))];

  // -- state ---------------------------------------------------------------------------------
  const shown = new Set(data.view);                    // nodes on screen (before filters)
  // entities of the first view with no link to another entity of it: hidden at first (with a count and
  // a toggle), so the explorer opens on the connected graph, fitted to the screen
  const isolated = new Set(data.view.filter(id => !neighbours(id).some(x => x !== id && shown.has(x))));
  let hideIsolated = isolated.size > 0 && isolated.size < data.view.length;
  // opens on the connected graph fitted to the screen: the largest group of linked entities sets the
  // zoom, and the server's positions are scaled so that this is about 1 (node sizes and labels in pixels)
  function componentsOf(ids) {
    const inSet = new Set(ids), seen = new Set(), out = [];
    for (const start of ids) {
      if (seen.has(start)) continue;
      const comp = [start]; seen.add(start);
      for (let k = 0; k < comp.length; k++) {
        for (const x of neighbours(comp[k])) if (inSet.has(x) && !seen.has(x)) { seen.add(x); comp.push(x); }
      }
      out.push(comp);
    }
    return out.sort((a, b) => b.length - a.length);
  }
  const mainComponent = componentsOf(data.view.filter(id => !isolated.has(id)))[0] || data.view;
  (function scaleToScreen() {
    const box = document.getElementById("network");
    const placed = mainComponent.map(id => nodes[id]).filter(n => n.x !== undefined);
    if (!placed.length || !box) return;
    const xs = placed.map(n => n.x), ys = placed.map(n => n.y);
    const w = Math.max(...xs) - Math.min(...xs), h = Math.max(...ys) - Math.min(...ys);
    const factor = 0.9 * Math.min((box.clientWidth || 1000) / Math.max(w, 1), (box.clientHeight || 700) / Math.max(h, 1));
    if (!isFinite(factor) || factor <= 0) return;
    for (const n of nodes) if (n.x !== undefined) { n.x *= factor; n.y *= factor; }
  })();
  // labels decluttered by zoom: the best-linked entities are named first, and a name is drawn only where it
  // overlaps no name already drawn — a crowded cluster (the materials) shows a few names at the opening
  // zoom and more as one zooms in; a hovered node is always named (its tooltip has the full name and class)
  const LABEL_FONT = 13, LABEL_MAX_CHARS = 30;
  const labelRank = new Map(nodes.map(n => n.id).sort((a, b) => adjacent[b].length - adjacent[a].length).map((id, r) => [id, r]));
  const shortLabel = t => (t.length > LABEL_MAX_CHARS ? t.slice(0, LABEL_MAX_CHARS - 1).trimEnd() + "\u2026" : t);
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = `${LABEL_FONT}px arial`;
  const textWidth = new Map();
  const widthOf = id => { if (!textWidth.has(id)) textWidth.set(id, measure.measureText(shortLabel(nodes[id].label)).width); return textWidth.get(id); };
  let named = new Set(), hovered = null;
  const labelAbove = new Set();   // names drawn above their node (below was taken)
  const labelOf = id => (named.has(id) || id === hovered ? shortLabel(nodes[id].label) : "");
  // where vis-network puts the name: below the node, or moved up above it
  // names keep one size on screen at any zoom (LABEL_FONT px): zooming in makes room for more of them
  let labelScale = 1;
  const labelFont = id => ({size: LABEL_FONT / labelScale, strokeWidth: 3 / labelScale, strokeColor: "#ffffff",
                            vadjust: labelAbove.has(id) ? -(2 * nodeSize(id) + (LABEL_FONT + 8) / labelScale) : 0});
  const nodeSize = id => 6 + Math.min(6, Math.sqrt(adjacent[id].length) * 0.9);   // (7–16 made the materials touch)
  const hiddenStyles = new Set();                      // classes unticked in the legend
  let focusCountry = null, focusMaterial = null, focusSource = null;
  const $ = id => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v; else if (k === "onclick") e.addEventListener("click", v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function safeHref(h) { return (typeof h === "string" && /^(https?:\/\/|\/)/.test(h) && !h.startsWith("//")) ? h : null; }

  // -- colouring by an indicator (views/indicators.py) -------------------------------------------
  // Nodes the indicator applies to are coloured by their value in five equal steps; those without a
  // value are grey ("no data", never 0); nodes of another kind are faded.
  const APPLIES = {material: new Set(["crm", "material", "grade"]), country: new Set(["central-asia", "eu-member", "country"])};
  const RAMP = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"], NO_DATA = "#b0b0b0", FADED = "#f1f1f1";
  const indicators = data.indicators || [];
  let colourBy = null, steps = [];
  const fmt = v => Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : (+v.toPrecision(3)).toLocaleString("en");
  function indicatorOf(key) { return indicators.find(i => i.key === key) || null; }
  function indicatorColour(n) {
    if (!colourBy) return null;
    if (!APPLIES[colourBy.applies].has(n.style)) return {fill: FADED, border: "#cccccc", what: `not a ${colourBy.applies}`};
    const v = colourBy.values[n.id];
    if (v === undefined) return {fill: NO_DATA, border: "#666666", what: "no data"};
    const k = steps.findIndex(b => v <= b + 1e-9);
    return {fill: RAMP[k < 0 ? RAMP.length - 1 : k], border: "#333333",
            what: `${fmt(v)}${colourBy.unit === "%" ? " %" : ""}` + (colourBy.details[n.id] ? ` (${colourBy.details[n.id]})` : "")};
  }

  // -- vis-network data ------------------------------------------------------------------------
  function visNode(n) {
    const s = styleOf[n.style] || {color: "#ccc", shape: "dot"};
    const ic = indicatorColour(n);
    const fill = ic ? ic.fill : s.color, border = ic ? ic.border : "#333";
    return {id: n.id, shape: s.shape, x: n.x, y: n.y,
            title: `${n.label} — ${s.label}` + (ic ? ` — ${colourBy.label}: ${ic.what}` : ""),
            color: {background: fill, border, highlight: {background: fill, border: "#000"}},
            size: nodeSize(n.id), label: labelOf(n.id), font: labelFont(n.id)};
  }
  function visEdge(e, i) {
    const st = EDGE_STYLE[e.kind] || {};
    return {id: i, from: e.from, to: e.to, title: e.label + (e.kind === "inferred" ? " (inferred)" : ""),
            arrows: {to: {enabled: true, scaleFactor: 0.4}}, color: {color: st.color, opacity: 0.4},
            dashes: st.dashes || false, width: st.width || 1};
  }
  function allowed(n) {
    // (a country, material or source filter shows everything it selects, linked or not)
    if (hideIsolated && isolated.has(n.id) && focusCountry === null && focusMaterial === null && focusSource === null) return false;
    if (hiddenStyles.has(n.style)) return false;
    if (focusCountry !== null && n.id !== focusCountry && !countryNeighbours.has(n.id)) return false;
    if (focusMaterial !== null && n.id !== focusMaterial && !materialNeighbours.has(n.id)) return false;
    if (focusSource !== null && !n.sources.includes(focusSource) && !sourceEnds.has(n.id)) return false;
    return true;
  }
  let countryNeighbours = new Set(), materialNeighbours = new Set(), sourceEnds = new Set();
  const nodeSet = new vis.DataSet(data.view.map(i => visNode(nodes[i])));
  const edgeSet = new vis.DataSet();
  const nodeView = new vis.DataView(nodeSet, {filter: item => allowed(nodes[item.id])});
  const edgeView = new vis.DataView(edgeSet, {filter: item => {
    const e = edges[item.id];
    if (focusSource !== null && !e.sources.includes(focusSource)) return false;
    return allowed(nodes[e.from]) && allowed(nodes[e.to]);
  }});
  function syncEdges() {
    const want = [];
    edges.forEach((e, i) => { if (shown.has(e.from) && shown.has(e.to) && !edgeSet.get(i)) want.push(visEdge(e, i)); });
    if (want.length) edgeSet.add(want);
  }
  syncEdges();

  // the toggle for the unlinked entities, in the header beside the counts
  let isolatedToggle = null;
  if (isolated.size > 0 && isolated.size < data.view.length) {
    const box = el("input", {type: "checkbox", id: "show-isolated"});
    box.checked = !hideIsolated;
    box.addEventListener("change", () => { hideIsolated = !box.checked; refresh(); fit(); writeState(); });
    isolatedToggle = el("label", {id: "isolated-toggle", title: "entities with no link to another entity on screen"}, box, " ");
    $("counts").after(isolatedToggle);
  }
  const network = new vis.Network($("network"), {nodes: nodeView, edges: edgeView}, {
    physics: false, layout: {improvedLayout: false},
    interaction: {hover: true, hideEdgesOnDrag: edges.length > 3000, hideEdgesOnZoom: edges.length > 3000,
                  tooltipDelay: 150, navigationButtons: false, keyboard: false},
    edges: {smooth: false, selectionWidth: 2},
    nodes: {borderWidth: 1, scaling: {label: {drawThreshold: 1}}},
  });
  network.fit({nodes: mainComponent.filter(id => nodeView.get(id)), animation: false});
  // the label box of a name on screen (CSS pixels): below the node, above it (`above`), or inside a shape
  // vis-network writes its name in
  const INSIDE = ["box", "ellipse", "circle", "database", "text"];
  function labelBox(id, pos, scale, above) {
    const p = network.canvasToDOM(pos), s = styleOf[nodes[id].style], w = widthOf(id) + 6, h = LABEL_FONT + 4;
    const top = s && INSIDE.includes(s.shape) ? p.y - h / 2
      : above ? p.y - (nodeSize(id) + 2) * scale - h : p.y + (nodeSize(id) + 2) * scale;
    return {x0: p.x - w / 2, x1: p.x + w / 2, y0: top, y1: top + h};
  }
  function chooseLabels() {
    const scale = labelScale = network.getScale();
    const ids = nodeView.getIds().sort((a, b) => labelRank.get(a) - labelRank.get(b));
    const positions = network.getPositions(ids), cell = 60, grid = new Map(), out = new Set();
    const cellsOf = b => {
      const cells = [];
      for (let gx = Math.floor(b.x0 / cell); gx <= Math.floor(b.x1 / cell); gx++)
        for (let gy = Math.floor(b.y0 / cell); gy <= Math.floor(b.y1 / cell); gy++) cells.push(gx + "," + gy);
      return cells;
    };
    const put = b => { for (const c of cellsOf(b)) { if (!grid.has(c)) grid.set(c, []); grid.get(c).push(b); } };
    // the nodes' cores are obstacles too: a name is not drawn across another entity's mark
    for (const id of ids) {
      const p = network.canvasToDOM(positions[id]), r = 0.6 * nodeSize(id) * scale;
      put({x0: p.x - r, x1: p.x + r, y0: p.y - r, y1: p.y + r, id});
    }
    const free = (id, b) => !cellsOf(b).some(c => (grid.get(c) || []).some(o => o.id !== id && o.x0 < b.x1 && b.x0 < o.x1 && o.y0 < b.y1 && b.y0 < o.y1));
    labelAbove.clear();
    for (const id of ids) {
      let b = labelBox(id, positions[id], scale, false);
      if (!free(id, b)) {
        b = labelBox(id, positions[id], scale, true);
        if (!free(id, b) || INSIDE.includes((styleOf[nodes[id].style] || {}).shape)) continue;
        labelAbove.add(id);
      }
      put(b);
      out.add(id);
    }
    named = out;
  }
  let declutterQueued = false;
  function declutter() {
    if (declutterQueued) return;
    declutterQueued = true;
    requestAnimationFrame(() => {
      declutterQueued = false;
      const before = named, beforeAbove = new Set(labelAbove), beforeScale = labelScale;
      chooseLabels();
      const changed = nodeSet.getIds().filter(id => labelScale !== beforeScale || before.has(id) !== named.has(id)
                                                    || beforeAbove.has(id) !== labelAbove.has(id));
      if (changed.length) nodeSet.update(changed.map(id => ({id, label: labelOf(id), font: labelFont(id)})));
    });
  }
  chooseLabels();
  nodeSet.update(nodeSet.getIds().map(id => ({id, label: labelOf(id), font: labelFont(id)})));
  network.on("zoom", declutter);
  network.on("animationFinished", declutter);
  network.on("hoverNode", params => { hovered = params.node; nodeSet.update({id: hovered, label: labelOf(hovered), font: labelFont(hovered)}); });
  network.on("blurNode", params => { const was = hovered; hovered = null; if (nodeSet.get(was)) nodeSet.update({id: was, label: labelOf(was)}); });
  network.once("afterDrawing", () => {
    const ms = performance.now();
    window.crmgraphExplorer.readyMs = ms;          // since navigation start
    window.crmgraphExplorer.drawMs = ms - started; // since this script started
    document.body.dataset.ready = "true";
  });
  // the "colour by" menu and its legend; an indicator the store has no value of (built without the
  // outside datasets) is listed disabled, and the note below the menu says which dataset it needs and how
  for (const applies of ["material", "country"]) {
    const group = el("optgroup", {label: applies === "material" ? "materials" : "countries"});
    for (const i of indicators.filter(i => i.applies === applies)) {
      group.append(el("option", {value: i.key, disabled: i.unavailable ? "disabled" : null, title: i.unavailable || i.about,
                                 text: i.label + (i.unavailable ? " (unavailable: no data in this store)" : "")}));
    }
    if (group.children.length) $("colour-by").append(group);
  }
  const missing = indicators.filter(i => i.unavailable);
  if (!indicators.length) $("colour-by").append(el("option", {disabled: "disabled", text: "no indicators in this data"}));
  if (missing.length) {
    const datasets = [...new Set(missing.flatMap(i => i.needs || []))];
    $("indicator-legend").before(el("p", {id: "colour-note", class: "count", role: "note",
      text: `${missing.length === indicators.length ? "No" : `${missing.length} of ${indicators.length}`} indicators available: ` +
            `they need the ${datasets.join(" and the ")} datasets, and this store was built without them. ` +
            "Run `crmgraph build` (it imports the datasets of data/) and restart the server." +
            " (Hover over an indicator for the command that imports its dataset alone.)"}));
  }
  function applyColours(key) {
    colourBy = key ? indicatorOf(key) : null;
    if (colourBy && colourBy.unavailable) colourBy = null;   // (a URL may ask for one)
    const legend = $("indicator-legend");
    legend.replaceChildren();
    legend.hidden = !colourBy;
    if (colourBy) {
      const values = Object.values(colourBy.values);
      const lo = Math.min(...values), hi = Math.max(...values);
      steps = RAMP.map((_, k) => lo + (hi - lo) * (k + 1) / RAMP.length);
      const counts = RAMP.map(() => 0);
      let missing = 0;
      for (const n of nodes) {
        if (!APPLIES[colourBy.applies].has(n.style)) continue;
        const v = colourBy.values[n.id];
        if (v === undefined) { missing += 1; continue; }
        const k = steps.findIndex(b => v <= b + 1e-9);
        counts[k < 0 ? RAMP.length - 1 : k] += 1;
      }
      legend.append(el("p", {class: "count", text: colourBy.about}));
      RAMP.forEach((colour, k) => {
        const from = k === 0 ? lo : steps[k - 1], to = steps[k];
        legend.append(el("span", {class: "legend-item", "data-step": k},
          el("span", {class: "swatch", style: `background:${colour}`}),
          ` ${fmt(from)} – ${fmt(to)}${colourBy.unit === "%" ? " %" : ""} `, el("span", {class: "count", text: `(${counts[k]})`})));
      });
      legend.append(el("span", {class: "legend-item", id: "no-data"}, el("span", {class: "swatch", style: `background:${NO_DATA}`}),
        " no data ", el("span", {class: "count", text: `(${missing})`})));
      legend.append(el("span", {class: "legend-item"}, el("span", {class: "swatch", style: `background:${FADED};border-color:#ccc`}),
        ` not a ${colourBy.applies}`));
    }
    nodeSet.update(nodeSet.getIds().map(id => ({...visNode(nodes[id]), label: labelOf(id)})));
  }
  $("colour-by").addEventListener("change", ev => { applyColours(ev.target.value); writeState(); });

  window.crmgraphExplorer = {network, data, shown, isolated, mainComponent, colourBy: key => applyColours(key),
                             nodeColour: id => nodeSet.get(id).color.background, labelled: () => nodeSet.get().filter(n => n.label).length, named: () => [...named], select: id => openPanel(id), selectEdge: i => openEdgePanel(i),
                             visibleNodeIds: () => nodeView.getIds(),
                             visibleEdgeIds: () => edgeView.getIds()};

  function refresh() {
    nodeView.refresh(); edgeView.refresh();
    $("counts").textContent = `${nodeView.length.toLocaleString("en")} of ${nodes.length.toLocaleString("en")} entities, ` +
      `${edgeView.length.toLocaleString("en")} links on screen`;
    if (isolatedToggle) isolatedToggle.lastChild.textContent = hideIsolated
      ? ` show ${isolated.size.toLocaleString("en")} unlinked entities (hidden)` : ` unlinked entities shown (${isolated.size.toLocaleString("en")})`;
    updateLegendCounts();
    declutter();
  }

  // -- showing more --------------------------------------------------------------------------
  function place(id, near) {
    const n = nodes[id];
    if (n.x !== undefined) return;
    let anchor = network.getViewPosition();
    if (near !== undefined) { try { anchor = network.getPosition(near); } catch (e) { /* near is filtered out */ } }
    const angle = (id * 2.399963) % (2 * Math.PI);  // golden angle: neighbours spread around the anchor
    const r = 80 + 12 * Math.sqrt(id % 97);
    n.x = anchor.x + r * Math.cos(angle); n.y = anchor.y + r * Math.sin(angle);
  }
  function show(ids, near) {
    const add = [];
    for (const id of ids) if (!shown.has(id)) { place(id, near); shown.add(id); add.push(visNode(nodes[id])); }
    if (add.length) { nodeSet.add(add); syncEdges(); }
    refresh();
    return add.length;
  }
  // a node's neighbours: on screen, addable (not shown yet, and the filters let them through, most
  // linked first), and hidden by the filters (adding those would show nothing: they stay counted apart)
  function neighbourhood(id) {
    const all = neighbours(id), onScreen = [], addable = [], filtered = [];
    for (const x of all) (!allowed(nodes[x]) ? filtered : shown.has(x) ? onScreen : addable).push(x);
    addable.sort((a, b) => adjacent[b].length - adjacent[a].length);
    return {all, onScreen, addable, filtered};
  }
  function expand(id) {
    show(neighbourhood(id).addable.slice(0, EXPAND_CAP), id);
    openPanel(id);
  }
  function focusOn(id) {
    if (hideIsolated && isolated.has(id)) {  // asked for by name: show the unlinked entities
      hideIsolated = false;
      if ($("show-isolated")) $("show-isolated").checked = true;
    }
    if (!shown.has(id)) {
      const near = neighbours(id).find(x => shown.has(x));
      show([id], near);
    }
    if (!allowed(nodes[id])) clearFilters();
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: {duration: 300}});
    openPanel(id);
  }

  // -- the side panel ------------------------------------------------------------------------
  // statuses as words with a mark (the portal's legend: web/html.py STATUSES)
  const STATUS = {
    Verified: ["verified", "\u2714", "seen in a source: an official text or a reputable report of it"],
    SecondHand: ["second-hand", "\u25D0", "seen only as a quotation in a compilation; re-check the primary"],
    Unverified: ["unverified", "?", "not confirmed in any source seen"],
    Contradicted: ["contradicted", "\u2716", "contradicted by an official source; kept as its source's claim"],
    Derived: ["derived", "\u2234", "derived by comparing verified facts (e.g. two list editions)"],
  };
  function statusMark(status) {
    if (!status) return null;
    const st = STATUS[status];
    if (!st) return el("span", {class: "st", text: status});
    return el("span", {class: "st st-" + st[0], title: st[2], text: `${st[1]} ${st[0]}`});
  }
  // a finding's references as readable citations, one per source: "Short citation, locator, locator"
  // linked to the source's page (full title and the compilation it was cited in as a tooltip), with a
  // link to the source itself where its URL or DOI is known; never a bare key
  function refs(list) {
    const groups = new Map();
    for (const [si, loc, ci, cloc] of list) {
      const key = si === null || si === undefined ? "?" : si;
      if (!groups.has(key)) groups.set(key, {si, locs: [], via: []});
      const g = groups.get(key);
      if (loc && !g.locs.includes(loc)) g.locs.push(loc);
      if (ci !== null && ci !== undefined) {
        const c = sources[ci];
        const v = (c ? c.short || c.key : "?") + (cloc ? ", " + cloc : "");
        if (!g.via.includes(v)) g.via.push(v);
      }
    }
    const span = el("span", {class: "refs cite"});
    let first = true;
    for (const g of groups.values()) {
      if (!first) span.append("; ");
      first = false;
      const s = g.si !== null && g.si !== undefined ? sources[g.si] : null;
      const out = el("span", {class: "ref"});
      if (s) {
        const tip = [s.title || s.key, s.date].filter(Boolean).join(", ") + (g.via.length ? " \u2014 as cited in " + g.via.join("; ") : "");
        out.append(el("a", {href: safeHref(s.href), title: tip, text: s.short || s.title || s.key, "data-source": g.si}));
        if (safeHref(s.link)) out.append(el("a", {class: "ext", href: safeHref(s.link), rel: "external", title: "the source itself", text: "\u2197"}));
      } else out.append("source not recorded");
      for (const loc of g.locs) out.append(", " + loc);
      span.append(out);
    }
    return span;
  }
  let openNode = null;                                 // the entity whose panel is open
  function openPanel(id) {
    openNode = id;
    writeState();
    const n = nodes[id], s = styleOf[n.style];
    const panel = $("panel");
    panel.replaceChildren();
    panel.hidden = false;
    panel.append(el("button", {class: "close", title: "close", text: "×", onclick: () => { panel.hidden = true; openNode = null; writeState(); }}));
    panel.append(el("h2", {text: n.label}));
    panel.append(el("p", {class: "iri", text: n.iri}));
    const typeLine = el("p", {class: "types"}, el("span", {class: "swatch " + (s ? s.shape : "dot"), style: `background:${s ? s.color : "#ccc"}`}));
    n.types.forEach((t, i) => { typeLine.append((i ? ", " : " ") + t.label);
                                if (t.inferred) typeLine.append(" ", el("span", {class: "inferred", text: "inferred"})); });
    panel.append(typeLine);
    if (n.href) panel.append(el("p", {}, el("a", {href: safeHref(n.href), text: "Open its page", target: "_blank"}),
                                n.href.startsWith("/") ? " (all facts, RDF downloads)" : ""));
    // neighbourhood, with counts before anything is added
    const {all, onScreen, addable, filtered} = neighbourhood(id);
    const nb = el("p", {class: "neighbourhood", id: "neighbourhood"},
      `${all.length} linked entit${all.length === 1 ? "y" : "ies"}: ${onScreen.length} on screen, ${addable.length} not shown` +
      (filtered.length ? `, ${filtered.length} hidden by the filters` : "") + ". ");
    if (addable.length) nb.append(el("button", {id: "expand", onclick: () => expand(id),
      text: addable.length > EXPAND_CAP ? `Show ${EXPAND_CAP} of the ${addable.length} (most linked first)` : `Show ${addable.length}`}));
    panel.append(nb);
    if (n.facts.length) {
      panel.append(el("h3", {text: `Facts (${n.facts.length})`}));
      const table = el("table", {class: "facts"});
      for (const f of n.facts) {
        const value = f.node !== undefined
          ? el("a", {href: "#", text: f.o, onclick: ev => { ev.preventDefault(); focusOn(f.node); }})
          : f.href ? el("a", {href: safeHref(f.href), text: f.o, target: "_blank"}) : document.createTextNode(f.o);
        const where = f.inferred ? el("span", {class: "inferred", text: "inferred"}) : refs(f.refs);
        const status = statusMark(f.status);
        table.append(el("tr", {}, el("th", {text: f.p}), el("td", {}, value), el("td", {}, where, status ? " " : null, status)));
      }
      panel.append(table);
    }
    if (n.statements.length) {
      const count = Math.max(n.statementCount || 0, n.statements.length);  // the data carries at most 200
      panel.append(el("h3", {text: `Figures, claims and list entries (${count.toLocaleString("en")})`}));
      if (count > n.statements.length) {
        const page = safeHref(n.href);
        panel.append(el("p", {class: "count", id: "statements-cut"}, `The first ${n.statements.length} are listed here` +
          (page ? "; all of them are on " : "."), page ? el("a", {href: page, target: "_blank", text: "its page"}) : null));
      }
      const list = el("ul", {class: "statements"});
      for (const st of n.statements) {
        list.append(el("li", {class: "statement " + st.kind}, el("span", {class: "kind", text: st.kind}), " ", st.text, " ",
          statusMark(st.status) || "", el("br"), refs(st.refs)));
      }
      panel.append(list);
    }
  }

  // a link: what it says, between whom, on whose word (a click on an edge)
  function openEdgePanel(i) {
    const e = edges[i], panel = $("panel");
    openNode = null;
    writeState();
    panel.replaceChildren();
    panel.hidden = false;
    panel.append(el("button", {class: "close", title: "close", text: "×", onclick: () => { panel.hidden = true; }}));
    const end = id => el("a", {href: "#", text: nodes[id].label, onclick: ev => { ev.preventDefault(); focusOn(id); }});
    panel.append(el("h2", {id: "edge-title"}, end(e.from), ` — ${e.label} → `, end(e.to)));
    panel.append(el("p", {class: "types"}, el("span", {class: "kind", text: (data.edgeKinds[e.kind] || e.kind)}),
      e.status ? " " : "", statusMark(e.status) || ""));
    if (e.kind === "inferred") panel.append(el("p", {}, el("span", {class: "inferred", text: "inferred"}),
      " by the reasoner from the ontology and the stated facts; no source states it as such."));
    const texts = Object.fromEntries([...nodes[e.from].statements, ...nodes[e.to].statements].map(st => [st.iri, st]));
    if (e.statements && e.statements.length) {
      panel.append(el("h3", {text: `${e.statements.length} statement${e.statements.length === 1 ? "" : "s"}`}));
      const list = el("ul", {class: "statements"});
      for (const iri of e.statements) {
        const st = texts[iri];
        list.append(st ? el("li", {class: "statement " + st.kind}, el("span", {class: "kind", text: st.kind}), " ", st.text, " ",
                             statusMark(st.status) || "", el("br"), refs(st.refs))
                       : el("li", {text: iri}));
      }
      panel.append(list);
    } else if (e.refs && e.refs.length) {
      panel.append(el("h3", {text: "Sources"}), refs(e.refs));
    } else if (e.kind !== "inferred") {
      panel.append(el("p", {class: "count", text: "No source is recorded for this link."}));
    }
  }

  // -- controls ------------------------------------------------------------------------------
  function fillSelect(select, items) {
    for (const [value, label] of items) select.append(el("option", {value, text: label}));
  }
  const byLabel = (a, b) => nodes[a].label.localeCompare(nodes[b].label);
  const countries = nodes.filter(n => ["central-asia", "eu-member", "country", "union"].includes(n.style)).map(n => n.id).sort(byLabel);
  const materials = nodes.filter(n => ["crm", "material", "grade"].includes(n.style)).map(n => n.id).sort(byLabel);
  fillSelect($("filter-country"), countries.map(i => [i, nodes[i].label]));
  fillSelect($("filter-material"), materials.map(i => [i, nodes[i].label]));
  fillSelect($("filter-source"), sources.map((s, i) => [i, s.short || s.key]).sort((a, b) => a[1].localeCompare(b[1])));

  function neighbourhoodOf(id) { return new Set(neighbours(id)); }
  $("filter-country").addEventListener("change", ev => {
    focusCountry = ev.target.value === "" ? null : +ev.target.value;
    countryNeighbours = focusCountry === null ? new Set() : neighbourhoodOf(focusCountry);
    if (focusCountry !== null) show([focusCountry, ...countryNeighbours]);
    refresh(); fit(); writeState();
  });
  $("filter-material").addEventListener("change", ev => {
    focusMaterial = ev.target.value === "" ? null : +ev.target.value;
    materialNeighbours = focusMaterial === null ? new Set() : neighbourhoodOf(focusMaterial);
    if (focusMaterial !== null) show([focusMaterial, ...materialNeighbours]);
    refresh(); fit(); writeState();
  });
  $("filter-source").addEventListener("change", ev => {
    focusSource = ev.target.value === "" ? null : +ev.target.value;
    sourceEnds = new Set();
    if (focusSource !== null) edges.forEach(e => { if (e.sources.includes(focusSource)) { sourceEnds.add(e.from); sourceEnds.add(e.to); } });
    if (focusSource !== null) show([...sourceEnds, ...nodes.filter(n => n.sources.includes(focusSource)).map(n => n.id)]);
    refresh(); fit(); writeState();
  });
  function fit() { network.fit({animation: false}); declutter(); }
  function clearFilters() {
    focusCountry = focusMaterial = focusSource = null;
    countryNeighbours = new Set(); materialNeighbours = new Set(); sourceEnds = new Set();
    for (const id of ["filter-country", "filter-material", "filter-source"]) $(id).value = "";
    hiddenStyles.clear();
    document.querySelectorAll("#legend input[type=checkbox]").forEach(c => { c.checked = true; });
    refresh(); writeState();
  }
  $("reset").addEventListener("click", () => { clearFilters(); fit(); });

  // legend: one checkbox per class
  const legendCounts = {};
  for (const s of data.styles) {
    const box = el("input", {type: "checkbox", checked: "checked", "data-style": s.key});
    box.addEventListener("change", () => { if (box.checked) hiddenStyles.delete(s.key); else hiddenStyles.add(s.key); refresh(); writeState(); });
    legendCounts[s.key] = el("span", {class: "count"});
    $("legend").append(el("label", {class: "legend-item", title: `shape: ${s.shape}`}, box,
      el("span", {class: "swatch " + s.shape, style: `background:${s.color}`}), " " + s.label + " ", legendCounts[s.key]));
  }
  function updateLegendCounts() {
    const counts = {};
    for (const id of nodeView.getIds()) counts[nodes[id].style] = (counts[nodes[id].style] || 0) + 1;
    for (const [k, span] of Object.entries(legendCounts)) span.textContent = `(${counts[k] || 0})`;
  }
  for (const [kind, label] of Object.entries(data.edgeKinds)) {
    const st = EDGE_STYLE[kind] || {};
    $("edge-legend").append(el("span", {class: "edge-item"},
      el("span", {class: "line", style: `border-top: 2px ${st.dashes ? "dashed" : "solid"} ${st.color}`}), " " + label));
  }

  // search: the portal's suggestions (/search.json: labels, aliases, ISO codes, case- and accent-blind)
  // when served; in a file opened from disk, by label over the data. A hit focuses and selects its node.
  const search = $("search"), results = $("search-results");
  const nodeByIri = new Map(nodes.map(n => [n.iri, n.id]));
  const fold = t => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const index = nodes.map(n => [fold(n.label), n.id]);
  const suggestUrl = search.dataset.find && location.protocol.startsWith("http") ? search.dataset.find : null;
  let searchSeq = 0, active = -1;
  function localHits(q) {
    const f = fold(q);
    return index.filter(([l]) => l.includes(f))
      .sort((a, b) => (a[0].indexOf(f) - b[0].indexOf(f)) || (a[0].length - b[0].length) || a[0].localeCompare(b[0]))
      .slice(0, 20).map(([, id]) => ({id, label: nodes[id].label, matched: null}));
  }
  async function remoteHits(q) {
    const response = await fetch(`${suggestUrl}?q=${encodeURIComponent(q)}&limit=20`, {headers: {Accept: "application/json"}});
    if (!response.ok) throw new Error(response.status);
    const body = await response.json();
    return body.results.filter(r => nodeByIri.has(r.iri))
      .map(r => ({id: nodeByIri.get(r.iri), label: r.label,
                  matched: r.matched && !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(r.matched) ? r.matched : null}));  // an alias, not a slug
  }
  function choose(id) { focusOn(id); results.replaceChildren(); active = -1; }
  function showHits(hits) {
    results.replaceChildren();
    active = -1;
    for (const h of hits) {
      const s = styleOf[nodes[h.id].style];
      results.append(el("li", {}, el("button", {type: "button", "data-node": h.id, onclick: () => choose(h.id)},
        el("span", {class: "swatch " + (s ? s.shape : "dot"), style: `background:${s ? s.color : "#ccc"}`}), " " + h.label,
        h.matched ? el("span", {class: "count", text: ` (${h.matched})`}) : null,
        s ? el("span", {class: "count", text: ` \u2014 ${s.label}`}) : null)));
    }
    if (!hits.length) results.append(el("li", {class: "none", text: "no entity of the graph by that name"}));
  }
  search.addEventListener("input", async () => {
    const q = search.value.trim(), seq = ++searchSeq;
    if (q.length < 2) { results.replaceChildren(); return; }
    let hits;
    try { hits = suggestUrl ? await remoteHits(q) : localHits(q); } catch (e) { hits = localHits(q); }
    if (seq === searchSeq) showHits(hits);
  });
  search.addEventListener("keydown", ev => {
    const buttons = [...results.querySelectorAll("button")];
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!buttons.length) return;
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length;
      buttons.forEach((b, i) => b.classList.toggle("active", i === active));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      const b = buttons[active >= 0 ? active : 0];
      if (b) b.click();
    } else if (ev.key === "Escape") { results.replaceChildren(); active = -1; }
  });

  network.on("click", params => {
    if (params.nodes.length) openPanel(params.nodes[0]);
    else if (params.edges.length === 1) openEdgePanel(params.edges[0]);
  });
  network.on("doubleClick", params => { if (params.nodes.length) expand(params.nodes[0]); });
  if (data.note) $("note").textContent = data.note;
  if (data.built) $("built").textContent = `graph built ${data.built.modified.replace("T", " ").replace("Z", " UTC")}` +
    (data.built.builtWith ? ` with ${data.built.builtWith}` : "");
  refresh();

  // -- the view in the URL: filters and the open entity, so a view can be bookmarked and shared --------
  // ?country=IRI&material=IRI&source=KEY&hide=style,style&focus=IRI (next to the server's ?query=… or ?sparql=…)
  let restoring = false;
  function writeState() {
    if (restoring) return;
    const params = new URLSearchParams(location.search);
    const put = (key, value) => { if (value === null || value === "") params.delete(key); else params.set(key, value); };
    put("country", focusCountry === null ? null : nodes[focusCountry].iri);
    put("material", focusMaterial === null ? null : nodes[focusMaterial].iri);
    put("source", focusSource === null ? null : sources[focusSource].key);
    put("hide", [...hiddenStyles].sort().join(","));
    put("isolated", isolatedToggle && !hideIsolated ? "show" : null);
    put("focus", openNode === null ? null : nodes[openNode].iri);
    put("colour", colourBy ? colourBy.key : null);
    const query = params.toString();
    try { history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash); }
    catch (e) { /* a file opened from disk may refuse; the view still works */ }
  }
  function readState() {
    const params = new URLSearchParams(location.search);
    const byIri = iri => nodes.findIndex(n => n.iri === iri);
    restoring = true;
    if (params.get("isolated") === "show" && isolatedToggle) {
      const box = $("show-isolated"); box.checked = true; box.dispatchEvent(new Event("change"));
    }
    for (const key of (params.get("hide") || "").split(",").filter(Boolean)) {
      const box = document.querySelector(`#legend input[data-style="${CSS.escape(key)}"]`);
      if (box) { box.checked = false; box.dispatchEvent(new Event("change")); }
    }
    const choose = (select, value) => {
      if (value < 0 || ![...$(select).options].some(o => o.value === String(value))) return;
      $(select).value = String(value); $(select).dispatchEvent(new Event("change"));
    };
    if (params.get("country")) choose("filter-country", byIri(params.get("country")));
    if (params.get("material")) choose("filter-material", byIri(params.get("material")));
    if (params.get("source")) choose("filter-source", sources.findIndex(s => s.key === params.get("source")));
    if (params.get("colour") && indicatorOf(params.get("colour")) && !indicatorOf(params.get("colour")).unavailable) { $("colour-by").value = params.get("colour"); applyColours(params.get("colour")); }
    restoring = false;
    const focus = params.get("focus");
    if (focus) { const i = byIri(focus); if (i >= 0) focusOn(i); }
  }
  readState();
  }
})();
