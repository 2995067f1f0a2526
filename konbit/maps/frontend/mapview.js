// The WebGL map view: sigma.js renders a graphology graph loaded as compact JSON from the server.
// Bundled by esbuild from the npm packages (package.json) into build/static/maps/mapview.js; the pure
// parts (words and search, colours and legends' groups, data decoding, comparison layers) live in
// ./mapview/ and have unit tests in ./tests/ (npm test).
import Graph from "graphology";
import Sigma from "sigma";
import { NodeSquareProgram } from "@sigma/node-square";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";

import { NONE, OTHER, SIGN_COLOURS, SIGNS, assignColours, assignShapes, groupOf, numberBins } from "./mapview/colours.js";
import { DIMMED_EDGE, LAYER_COLOURS, layerEdges } from "./mapview/compare.js";
import { decodeEdge, decodeNode, fromGraphY } from "./mapview/data.js";
import { renderLegend } from "./mapview/legend.js";
import { fillPanel } from "./mapview/panel.js";
import { countLabel, format, searchLabels } from "./mapview/text.js";

const DIM = "#e6e6e6";
const FUNCTION_COLOURS = { core: "#0172ad", supporting: "#2e7d32", rules: "#8e24aa" };

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    return "";
  }
}

function checkedValues(root, name) {
  return new Set([...root.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value));
}

function readWords() {
  try {
    return JSON.parse(document.getElementById("mapview-text")?.textContent || "{}");
  } catch (error) {
    return {};
  }
}

// A fetch that reports its failure in words on the page instead of leaving it blank.
async function fetchJson(url, options, onError) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch (error) {
    onError("network", null);
    return null;
  }
  if (!response.ok) {
    onError(`${response.status} ${response.statusText}`.trim(), response);
    return null;
  }
  try {
    return { status: response.status, body: await response.json() };
  } catch (error) {
    onError(String(response.status), response);
    return null;
  }
}

async function start() {
  const root = document.getElementById("mapview");
  if (!root) return;
  const words = readWords();
  const container = document.getElementById("map-canvas");
  const status = document.getElementById("map-status");
  const started = performance.now();
  function showError(message) {
    status.textContent = message;
    status.classList.add("map-error");
  }
  function clearError() {
    status.classList.remove("map-error");
  }
  const loaded = await fetchJson(root.dataset.src, {}, (problem) => {
    const message = problem === "network" ? words.network_error : format(words.error, { status: problem });
    showError(message);
    const note = document.createElement("p");
    note.className = "map-error map-canvas-message";
    note.textContent = message;
    container.replaceChildren(note);
  });
  if (!loaded) return;
  const data = loaded.body;
  if (!data.nodes.length) {
    status.textContent = root.dataset.labelEmpty;
    return;
  }

  const graph = new Graph({ type: "directed", multi: false });
  let missing = 0;
  const keys = [];
  data.nodes.forEach((row, i) => {
    const node = decodeNode(row);
    keys.push(node.key);
    if (node.x === null || node.y === null) missing += 1;
    const angle = (i / data.nodes.length) * 2 * Math.PI;
    graph.addNode(node.key, {
      ...node,
      x: node.x ?? Math.cos(angle) * 100 + (i % 7),
      y: node.y ?? Math.sin(angle) * 100 + (i % 11),
      color: DIM,
      size: 4,
    });
  });
  let totalEdges = 0;
  data.edges.forEach((row) => {
    const edge = decodeEdge(row);
    const source = keys[edge.source];
    const target = keys[edge.target];
    if (source === target) return;
    totalEdges += 1;
    if (graph.hasEdge(source, target)) {
      graph.updateEdgeAttribute(source, target, "count", (n) => (n || 1) + 1);
      return;
    }
    graph.addEdge(source, target, {
      color: SIGN_COLOURS[edge.sign] || SIGN_COLOURS[""],
      size: 1,
      type: edge.direction === "directed" ? "arrow" : "line",
      perspective: edge.perspective,
      sign: edge.sign,
      connectionType: edge.connectionType,
      count: 1,
    });
  });

  const sizeBy = document.getElementById("map-size");
  const colourBy = document.getElementById("map-colour");
  const shapeBy = document.getElementById("map-shape");
  const fieldKinds = data.fields || {};
  // Custom fields join the colour and shape choices (a shape only for a field with two values).
  if (colourBy && Object.keys(fieldKinds).length) {
    const group = document.createElement("optgroup");
    group.label = colourBy.dataset.fieldsLabel || "";
    for (const name of Object.keys(fieldKinds)) group.append(new Option(name, `field:${name}`));
    colourBy.append(group);
  }
  if (shapeBy) {
    for (const [name, kind] of Object.entries(fieldKinds)) {
      if (kind === "bool") shapeBy.append(new Option(name, `field:${name}`));
    }
  }
  let hasTypes = false;
  graph.forEachNode((node, a) => {
    if (a.elementType) hasTypes = true;
  });
  if (colourBy && !hasTypes && colourBy.value === "type") colourBy.value = "function";

  let metrics = null; // figures from the analysis, fetched the first time they are asked for
  async function loadMetrics() {
    if (metrics || !root.dataset.metrics) return metrics;
    status.textContent = "…";
    const result = await fetchJson(root.dataset.metrics, {}, (problem) =>
      showError(format(words.metrics_error, { status: problem })),
    );
    if (!result) return null;
    if (result.status === 202) {
      // A big map's analysis is still running in the background: say so, and ask again next time.
      status.textContent = result.body.message;
      return null;
    }
    const raw = result.body;
    metrics = {};
    raw.keys.forEach((key, i) => {
      metrics[key] = { betweenness: raw.betweenness[i], pagerank: raw.pagerank[i], community: raw.community[i] };
    });
    return metrics;
  }
  function value(node, by) {
    if (by === "degree") return graph.degree(node);
    return (metrics && metrics[node] && metrics[node][by]) || 0;
  }
  async function applySizes() {
    const by = sizeBy ? sizeBy.value : "degree";
    if (by === "betweenness" || by === "pagerank") await loadMetrics();
    let max = 0;
    graph.forEachNode((node) => {
      max = Math.max(max, value(node, by));
    });
    graph.forEachNode((node) => {
      const size = by === "none" || max === 0 ? 4 : 3 + 12 * Math.sqrt(value(node, by) / max);
      graph.setNodeAttribute(node, "size", size);
    });
  }

  // Colour (and shape) by a property: each element gets a group, the legend lists the groups.
  const colouring = { by: null, groupOf: () => NONE, hidden: new Set() };
  function propertyGroups(by) {
    if (by === "kind") return { of: (n, a) => a.kind, label: (v) => words.kinds[v] || v };
    if (by === "function") {
      return { of: (n, a) => a.fn, label: (v) => words.functions[v] || v, fixed: FUNCTION_COLOURS, order: Object.keys(words.functions) };
    }
    if (by === "type") return { of: (n, a) => a.elementType, label: (v) => v };
    if (by === "community") {
      return {
        of: (n) => (metrics && metrics[n] && metrics[n].community !== null ? String(metrics[n].community + 1) : NONE),
        label: (v) => `${words.community || "#"} ${v}`,
      };
    }
    if (by && by.startsWith("field:")) {
      const name = by.slice(6);
      const values = [];
      graph.forEachNode((n, a) => values.push(a.fields[name]));
      const bins = fieldKinds[name] === "number" ? numberBins(values) : null;
      return { of: (n, a) => groupOf(a.fields[name], bins, words), label: (v) => v };
    }
    return null;
  }
  async function applyColours() {
    const by = colourBy ? colourBy.value : "function";
    if (by === "community") await loadMetrics();
    const property = propertyGroups(by);
    if (colouring.by !== by) colouring.hidden = new Set();
    colouring.by = by;
    const groupByNode = new Map();
    graph.forEachNode((node, a) => groupByNode.set(node, property ? property.of(node, a) || NONE : NONE));
    const { groups, colourOf, isOther } = assignColours([...groupByNode.values()], {
      fixed: property?.fixed || {},
      order: property?.order || null,
    });
    colouring.groupOf = (node) => {
      const group = groupByNode.get(node);
      return isOther(group) && group !== NONE ? OTHER : group;
    };
    graph.forEachNode((node) => graph.setNodeAttribute(node, "color", colourOf(groupByNode.get(node))));
    colouring.legend = groups.map((g) => ({
      value: g.value,
      label: g.value === NONE ? words.none : g.value === OTHER ? words.other : property ? property.label(g.value) : g.value,
      count: g.count,
      colour: g.colour,
    }));
  }
  function applyShapes() {
    const by = shapeBy ? shapeBy.value : "none";
    const property = by === "none" ? null : propertyGroups(by);
    const groupByNode = new Map();
    graph.forEachNode((node, a) => groupByNode.set(node, property ? property.of(node, a) || NONE : NONE));
    const shapes = property ? assignShapes([...groupByNode.values()]) : null;
    graph.forEachNode((node) => graph.setNodeAttribute(node, "type", shapes ? shapes.shapeOf(groupByNode.get(node)) : "circle"));
    renderLegend(
      document.getElementById("map-legend-shapes"),
      shapeBy?.selectedOptions[0]?.textContent || "",
      shapes ? shapes.groups.map((g) => ({ value: g.value, label: property.label(g.value), colour: "#607d8b", shape: g.shape })) : [],
    );
  }
  function drawColourLegend() {
    renderLegend(document.getElementById("map-legend"), colourBy?.selectedOptions[0]?.textContent || "", colouring.legend || [], {
      hidden: colouring.hidden,
      help: words.hide_show,
      onToggle: (value) => {
        if (colouring.hidden.has(value)) colouring.hidden.delete(value);
        else colouring.hidden.add(value);
        drawColourLegend();
        refresh();
      },
    });
  }
  await applySizes();
  await applyColours();
  applyShapes();

  const big = graph.order > 2000;
  if (missing > 0 && !big) {
    forceAtlas2.assign(graph, { iterations: 150, settings: forceAtlas2.inferSettings(graph) });
  }

  const filters = { kinds: null, functions: null, perspectives: null, tag: "" };
  function readFilters() {
    filters.kinds = checkedValues(root, "kind");
    filters.functions = checkedValues(root, "function");
    filters.perspectives = root.querySelector('input[name="perspective"]') ? checkedValues(root, "perspective") : null;
    filters.tag = (document.getElementById("map-tag")?.value || "").trim().toLowerCase();
  }
  function isVisible(node, attributes) {
    if (filters.kinds && !filters.kinds.has(attributes.kind)) return false;
    if (filters.functions && !filters.functions.has(attributes.fn)) return false;
    if (filters.tag && !attributes.tags.includes(filters.tag)) return false;
    if (colouring.hidden.size && colouring.hidden.has(colouring.groupOf(node))) return false;
    if (filters.perspectives && attributes.perspectives.size) {
      let any = false;
      attributes.perspectives.forEach((p) => {
        if (filters.perspectives.has(String(p))) any = true;
      });
      if (!any) return false;
    }
    return true;
  }
  function isEdgeVisible(edge, attributes) {
    const [source, target] = graph.extremities(edge);
    if (!isVisible(source, graph.getNodeAttributes(source)) || !isVisible(target, graph.getNodeAttributes(target))) return false;
    if (filters.perspectives && attributes.perspective >= 0 && !filters.perspectives.has(String(attributes.perspective))) return false;
    return true;
  }
  readFilters();
  const state = { focus: null, neighbours: new Set(), layer: null };
  const renderer = new Sigma(graph, container, {
    labelRenderedSizeThreshold: big ? 12 : 7,
    hideEdgesOnMove: big,
    zIndex: true,
    nodeProgramClasses: { square: NodeSquareProgram },
    nodeReducer(node, attributes) {
      if (!isVisible(node, attributes)) return { ...attributes, hidden: true };
      if (state.focus && node !== state.focus && !state.neighbours.has(node)) {
        return { ...attributes, color: DIM, label: "", zIndex: 0 };
      }
      if (node === state.focus) return { ...attributes, highlighted: true, zIndex: 2 };
      return attributes;
    },
    edgeReducer(edge, attributes) {
      if (!isEdgeVisible(edge, attributes)) return { ...attributes, hidden: true };
      const [source, target] = graph.extremities(edge);
      if (state.focus && source !== state.focus && target !== state.focus) return { ...attributes, hidden: true };
      if (state.layer) {
        return state.layer.edges.has(edge)
          ? { ...attributes, color: state.layer.colour, size: 2.5, zIndex: 1 }
          : { ...attributes, color: DIMMED_EDGE, zIndex: 0 };
      }
      return attributes;
    },
  });

  // Counts that follow the filters: "Showing 40 of 136 elements · 52 of 324 connections".
  function updateStatus() {
    let shownNodes = 0;
    let shownEdges = 0;
    graph.forEachNode((node, a) => {
      if (isVisible(node, a)) shownNodes += 1;
    });
    graph.forEachEdge((edge, a) => {
      if (isEdgeVisible(edge, a)) shownEdges += a.count || 1;
    });
    clearError();
    status.textContent = countLabel(words, { shown: shownNodes, total: graph.order }, { shown: shownEdges, total: totalEdges });
  }
  function refresh() {
    renderer.refresh();
    updateStatus();
  }

  // Connection colours by sign, with their legend (counts of the connections drawn).
  function drawSignLegend() {
    const counts = { "+": 0, "-": 0, "?": 0, "": 0 };
    graph.forEachEdge((edge, a) => {
      counts[a.sign in counts ? a.sign : ""] += a.count || 1;
    });
    renderLegend(
      document.getElementById("map-legend-signs"),
      words.signs_title,
      SIGNS.filter((sign) => counts[sign]).map((sign) => ({ value: sign, label: words.signs[sign], count: counts[sign], colour: SIGN_COLOURS[sign], shape: "line" })),
    );
  }
  drawColourLegend();
  drawSignLegend();

  root.querySelectorAll(".map-controls input[type=checkbox]").forEach((input) =>
    input.addEventListener("change", () => {
      readFilters();
      refresh();
    }),
  );
  document.getElementById("map-tag")?.addEventListener("input", () => {
    readFilters();
    refresh();
  });
  sizeBy?.addEventListener("change", async () => {
    await applySizes();
    refresh();
  });
  colourBy?.addEventListener("change", async () => {
    await applyColours();
    drawColourLegend();
    refresh();
  });
  shapeBy?.addEventListener("change", () => {
    applyShapes();
    refresh();
  });

  // Side panel and focus on an element and its neighbours.
  const panel = document.getElementById("map-panel");
  function focus(node) {
    state.focus = node;
    state.neighbours = new Set(node ? graph.neighbors(node) : []);
    renderer.refresh();
    if (!node) {
      panel.hidden = true;
      return;
    }
    fillPanel({ graph, node, words, data, goTo, neighbours: state.neighbours });
    panel.hidden = false;
  }
  function goTo(node) {
    focus(node);
    const position = renderer.getNodeDisplayData(node);
    if (position) renderer.getCamera().animate({ x: position.x, y: position.y, ratio: 0.25 }, { duration: 400 });
  }
  renderer.on("clickNode", ({ node }) => focus(node));
  renderer.on("clickStage", () => focus(null));
  document.getElementById("panel-close")?.addEventListener("click", () => focus(null));
  document.getElementById("map-reset")?.addEventListener("click", () => {
    root.querySelectorAll(".map-controls input[type=checkbox]").forEach((input) => {
      input.checked = true;
    });
    const tag = document.getElementById("map-tag");
    if (tag) tag.value = "";
    colouring.hidden = new Set();
    drawColourLegend();
    readFilters();
    focus(null);
    updateStatus();
    renderer.getCamera().animatedReset();
  });

  // Search: ignores case, accents and spacing, matches parts of labels; a list of results to jump to.
  const items = [];
  graph.forEachNode((node, a) => items.push({ key: node, label: a.label }));
  const search = document.getElementById("map-search");
  const results = document.getElementById("map-results");
  function showResults() {
    if (!results) return;
    const query = search.value;
    const { matches, more } = searchLabels(items, query);
    if (!query.trim()) {
      results.replaceChildren();
      results.hidden = true;
      return;
    }
    const entries = matches.map((match) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = match.label;
      button.addEventListener("click", () => {
        results.hidden = true;
        goTo(match.key);
      });
      item.append(button);
      return item;
    });
    if (!matches.length || more) {
      const note = document.createElement("li");
      note.className = "map-results-note";
      note.textContent = matches.length ? format(words.more_matches, { count: more }) : words.no_match;
      entries.push(note);
    }
    results.replaceChildren(...entries);
    results.hidden = false;
  }
  search?.addEventListener("input", showResults);
  search?.addEventListener("change", () => {
    const { matches } = searchLabels(items, search.value, 1);
    if (matches.length) {
      if (results) results.hidden = true;
      goTo(matches[0].key);
    }
  });
  search?.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && results) results.hidden = true;
  });

  // The comparison of perspectives as a layer: consensus, blind spots or disagreements coloured.
  const compareSelect = document.getElementById("map-compare");
  const thresholdInput = document.getElementById("map-threshold");
  let comparison = null;
  async function applyComparison(reload = false) {
    const mode = compareSelect ? compareSelect.value : "";
    const legend = document.getElementById("map-legend-compare");
    if (!mode) {
      state.layer = null;
      renderLegend(legend, "", []);
      refresh();
      return;
    }
    if (!comparison || reload) {
      const url = new URL(root.dataset.compare, window.location.href);
      if (thresholdInput?.value) url.searchParams.set("threshold", thresholdInput.value);
      status.textContent = "…";
      const result = await fetchJson(url, {}, (problem) => showError(format(words.compare_error, { status: problem })));
      if (!result) {
        compareSelect.value = "";
        state.layer = null;
        renderer.refresh();
        return;
      }
      comparison = result.body;
      if (thresholdInput) {
        thresholdInput.max = String(Math.max(1, comparison.total));
        thresholdInput.value = String(comparison.threshold);
      }
    }
    const edges = layerEdges(comparison[mode], (a, b) => (graph.hasNode(a) && graph.hasNode(b) && graph.hasEdge(a, b) ? graph.edge(a, b) : null));
    state.layer = { edges, colour: LAYER_COLOURS[mode] };
    const title = mode === "consensus" ? format(words.consensus, { threshold: comparison.threshold, total: comparison.total }) : words[mode];
    let others = 0;
    graph.forEachEdge((edge) => {
      if (!edges.has(edge)) others += 1;
    });
    renderLegend(legend, words.comparison_title, [
      { value: mode, label: title, count: comparison[mode].length, colour: LAYER_COLOURS[mode], shape: "line" },
      { value: "others", label: words.others, count: others, colour: DIMMED_EDGE, shape: "line" },
    ]);
    refresh();
  }
  compareSelect?.addEventListener("change", () => applyComparison());
  thresholdInput?.addEventListener("change", () => {
    if (compareSelect && !compareSelect.value) compareSelect.value = "consensus";
    applyComparison(true);
  });

  // Layout in a web worker; positions can then be saved for everyone.
  const saveButton = document.getElementById("map-save");
  let layout = null;
  const layoutButton = document.getElementById("map-layout");
  layoutButton.dataset.label = layoutButton.textContent;
  function stopLayout() {
    if (layout) {
      layout.stop();
      layout.kill();
      layout = null;
      layoutButton.textContent = layoutButton.dataset.label;
      if (saveButton) saveButton.disabled = false;
    }
  }
  layoutButton.addEventListener("click", () => {
    if (layout) {
      stopLayout();
      return;
    }
    const settings = forceAtlas2.inferSettings(graph);
    layout = new FA2Layout(graph, { settings: { ...settings, barnesHutOptimize: graph.order > 500 } });
    layout.start();
    layoutButton.textContent = "■";
    setTimeout(stopLayout, big ? 15000 : 5000);
  });
  saveButton?.addEventListener("click", async () => {
    const positions = {};
    graph.forEachNode((node, attributes) => {
      // Stored in screen convention (y downward), as Kumu and the imports write it.
      positions[node] = [Math.round(attributes.x * 100) / 100, Math.round(fromGraphY(attributes.y) * 100) / 100];
    });
    const result = await fetchJson(
      root.dataset.positions,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ positions }),
      },
      (problem) => showError(format(words.save_error, { status: problem })),
    );
    if (result) {
      clearError();
      status.textContent = `✓ ${format(words.saved, { count: result.body.saved })}`;
      saveButton.disabled = true;
    }
  });
  if (missing > 0 && big) layoutButton.click();

  // Sigma draws its first frame while it is constructed; the next animation frame is on screen.
  requestAnimationFrame(() => {
    const elapsed = Math.round(performance.now() - started);
    root.dataset.firstRenderMs = String(elapsed);
    updateStatus();
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
