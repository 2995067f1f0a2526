// The WebGL map view: sigma.js renders a graphology graph loaded as compact JSON from the server.
// Bundled by esbuild from the npm packages (package.json) into build/static/maps/mapview.js.
import Graph from "graphology";
import Sigma from "sigma";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";

const FUNCTION_COLORS = { core: "#0172ad", supporting: "#2e7d32", rules: "#8e24aa", "": "#607d8b" };
const FACTOR_COLOR = "#b26a00";
const SIGN_COLORS = { "+": "#4caf50", "-": "#e53935", "": "#b0bec5" };
const DIM = "#e6e6e6";

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

async function start() {
  const root = document.getElementById("mapview");
  if (!root) return;
  const container = document.getElementById("map-canvas");
  const status = document.getElementById("map-status");
  const started = performance.now();
  const response = await fetch(root.dataset.src, { credentials: "same-origin" });
  if (!response.ok) {
    status.textContent = `${response.status} ${response.statusText}`;
    return;
  }
  const data = await response.json();
  if (!data.nodes.length) {
    status.textContent = root.dataset.labelEmpty;
    return;
  }

  const graph = new Graph({ type: "directed", multi: false });
  let missing = 0;
  const keys = [];
  data.nodes.forEach(([key, label, kind, fn, type, tags, x, y, org, perspectives, pk], i) => {
    keys.push(key);
    if (x === null || y === null) missing += 1;
    const angle = (i / data.nodes.length) * 2 * Math.PI;
    graph.addNode(key, {
      label,
      kind,
      fn: fn || "",
      elementType: type, // "type" is sigma's name for the drawing program
      tags: (tags || "").toLowerCase(),
      org,
      pk,
      perspectives: new Set(perspectives),
      x: x ?? Math.cos(angle) * 100 + (i % 7),
      y: y ?? Math.sin(angle) * 100 + (i % 11),
      color: kind === "factor" ? FACTOR_COLOR : FUNCTION_COLORS[fn || ""] || FUNCTION_COLORS[""],
      size: 4,
    });
  });
  data.edges.forEach(([s, t, direction, sign, type, perspective]) => {
    const source = keys[s];
    const target = keys[t];
    if (source === target) return;
    const attributes = {
      color: SIGN_COLORS[sign] || SIGN_COLORS[""],
      size: 1,
      type: direction === "directed" ? "arrow" : "line",
      perspective,
      sign,
      connectionType: type,
    };
    if (graph.hasEdge(source, target)) {
      graph.updateEdgeAttribute(source, target, "count", (n) => (n || 1) + 1);
    } else {
      graph.addEdge(source, target, attributes);
    }
  });

  const sizeBy = document.getElementById("map-size");
  const colourBy = document.getElementById("map-colour");
  let metrics = null; // figures from the analysis, fetched the first time they are asked for
  async function loadMetrics() {
    if (metrics || !root.dataset.metrics) return metrics;
    status.textContent = "…";
    const result = await fetch(root.dataset.metrics, { credentials: "same-origin" });
    if (!result.ok) return null;
    const raw = await result.json();
    if (result.status === 202) {
      // A big map's analysis is still running in the background: say so, and ask again next time.
      status.textContent = raw.message;
      return null;
    }
    metrics = {};
    raw.keys.forEach((key, i) => {
      metrics[key] = { betweenness: raw.betweenness[i], pagerank: raw.pagerank[i], community: raw.community[i] };
    });
    status.textContent = `${graph.order} · ${graph.size}`;
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
  const PALETTE = ["#0172ad", "#2e7d32", "#8e24aa", "#b26a00", "#c62828", "#00838f", "#6d4c41", "#ad1457", "#558b2f", "#37474f"];
  async function applyColours() {
    const byCommunity = colourBy && colourBy.value === "community";
    if (byCommunity) await loadMetrics();
    graph.forEachNode((node, a) => {
      let colour = a.kind === "factor" ? FACTOR_COLOR : FUNCTION_COLORS[a.fn] || FUNCTION_COLORS[""];
      if (byCommunity && metrics && metrics[node] && metrics[node].community !== null) {
        colour = PALETTE[metrics[node].community % PALETTE.length];
      }
      graph.setNodeAttribute(node, "color", colour);
    });
  }
  await applySizes();

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
    if (filters.perspectives && attributes.perspectives.size) {
      let any = false;
      attributes.perspectives.forEach((p) => {
        if (filters.perspectives.has(String(p))) any = true;
      });
      if (!any) return false;
    }
    return true;
  }
  readFilters();
  const state = { focus: null, neighbours: new Set() };
  const renderer = new Sigma(graph, container, {
    labelRenderedSizeThreshold: big ? 12 : 7,
    hideEdgesOnMove: big,
    zIndex: true,
    nodeReducer(node, attributes) {
      const visible = isVisible(node, attributes);
      if (!visible) return { ...attributes, hidden: true };
      if (state.focus && node !== state.focus && !state.neighbours.has(node)) {
        return { ...attributes, color: DIM, label: "", zIndex: 0 };
      }
      if (node === state.focus) return { ...attributes, highlighted: true, zIndex: 2 };
      return attributes;
    },
    edgeReducer(edge, attributes) {
      const [source, target] = graph.extremities(edge);
      if (!isVisible(source, graph.getNodeAttributes(source)) || !isVisible(target, graph.getNodeAttributes(target))) {
        return { ...attributes, hidden: true };
      }
      if (filters.perspectives && attributes.perspective >= 0 && !filters.perspectives.has(String(attributes.perspective))) {
        return { ...attributes, hidden: true };
      }
      if (state.focus && source !== state.focus && target !== state.focus) return { ...attributes, hidden: true };
      return attributes;
    },
  });

  root.querySelectorAll(".map-controls input[type=checkbox]").forEach((input) =>
    input.addEventListener("change", () => {
      readFilters();
      renderer.refresh();
    }),
  );
  document.getElementById("map-tag")?.addEventListener("input", () => {
    readFilters();
    renderer.refresh();
  });
  sizeBy?.addEventListener("change", async () => {
    await applySizes();
    renderer.refresh();
  });
  colourBy?.addEventListener("change", async () => {
    await applyColours();
    renderer.refresh();
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
    const a = graph.getNodeAttributes(node);
    document.getElementById("panel-title").textContent = a.label;
    document.getElementById("panel-meta").textContent = [a.elementType, a.fn, `${graph.degree(node)} ↔`].filter(Boolean).join(" · ");
    document.getElementById("panel-tags").textContent = a.tags;
    const list = document.getElementById("panel-neighbours");
    list.replaceChildren(
      ...[...state.neighbours].slice(0, 30).map((n) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = graph.getNodeAttribute(n, "label");
        button.addEventListener("click", () => goTo(n));
        item.append(button);
        return item;
      }),
    );
    const partner = document.getElementById("panel-partner");
    if (a.org) {
      partner.href = data.partner_url.replace("{id}", a.org);
      partner.hidden = false;
    } else {
      partner.hidden = true;
    }
    const edit = document.getElementById("panel-edit");
    if (edit) edit.href = data.element_url.replace("{id}", a.pk);
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
    readFilters();
    focus(null);
    renderer.getCamera().animatedReset();
  });

  // Search: a datalist of labels; choosing one focuses the element.
  const byLabel = new Map();
  graph.forEachNode((node, attributes) => byLabel.set(attributes.label.toLowerCase(), node));
  const datalist = document.getElementById("map-labels");
  if (datalist) {
    const labels = [...byLabel.keys()].slice(0, 5000);
    datalist.replaceChildren(
      ...labels.map((label) => {
        const option = document.createElement("option");
        option.value = graph.getNodeAttribute(byLabel.get(label), "label");
        return option;
      }),
    );
  }
  document.getElementById("map-search")?.addEventListener("change", (event) => {
    const node = byLabel.get(event.target.value.trim().toLowerCase());
    if (node) goTo(node);
  });

  // Layout in a web worker; positions can then be saved for everyone.
  const saveButton = document.getElementById("map-save");
  let layout = null;
  function stopLayout() {
    if (layout) {
      layout.stop();
      layout.kill();
      layout = null;
      document.getElementById("map-layout").textContent = document.getElementById("map-layout").dataset.label;
      if (saveButton) saveButton.disabled = false;
    }
  }
  const layoutButton = document.getElementById("map-layout");
  layoutButton.dataset.label = layoutButton.textContent;
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
      positions[node] = [Math.round(attributes.x * 100) / 100, Math.round(attributes.y * 100) / 100];
    });
    const result = await fetch(root.dataset.positions, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ positions }),
    });
    status.textContent = result.ok ? `✓ ${(await result.json()).saved}` : `${result.status}`;
    saveButton.disabled = result.ok;
  });
  if (missing > 0 && big) layoutButton.click();

  // Sigma draws its first frame while it is constructed; the next animation frame is on screen.
  requestAnimationFrame(() => {
    const elapsed = Math.round(performance.now() - started);
    root.dataset.firstRenderMs = String(elapsed);
    status.textContent = `${graph.order} · ${graph.size}`;
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
