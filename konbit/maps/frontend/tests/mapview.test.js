import assert from "node:assert/strict";
import { test } from "node:test";

import { NONE, OTHER, OTHER_COLOUR, PALETTE, assignColours, assignShapes, groupOf, numberBins } from "../mapview/colours.js";
import { layerEdges } from "../mapview/compare.js";
import { decodeNode, fromGraphY } from "../mapview/data.js";
import { compact, countLabel, format, searchLabels } from "../mapview/text.js";

const labels = [
  { key: "a", label: "Trust  in Finance" },
  { key: "b", label: "Coopérative du Nord" },
  { key: "c", label: "Finance" },
  { key: "d", label: "Microfinance institutions" },
];

test("search ignores case, accents and spacing and matches parts of labels", () => {
  assert.deepEqual(searchLabels(labels, "trust in fin").matches.map((m) => m.key), ["a"]);
  assert.deepEqual(searchLabels(labels, "COOPERATIVE").matches.map((m) => m.key), ["b"]);
  assert.equal(compact(" Trust \u00a0in-Finance "), "trustinfinance");
});

test("search ranks the whole label, then its start, then a word start, then anywhere", () => {
  assert.deepEqual(searchLabels(labels, "finance").matches.map((m) => m.key), ["c", "a", "d"]);
  const { matches, more } = searchLabels(labels, "n", 2);
  assert.equal(matches.length, 2);
  assert.equal(more, 2);
  assert.deepEqual(searchLabels(labels, "   ").matches, []);
});

test("count labels say what is shown out of what", () => {
  const words = {
    elements: "%(count)s elements",
    connections: "%(count)s connections",
    showing_elements: "Showing %(shown)s of %(count)s elements",
    showing_connections: "%(shown)s of %(count)s connections",
  };
  assert.equal(countLabel(words, { shown: 136, total: 136 }, { shown: 324, total: 324 }), "136 elements · 324 connections");
  assert.equal(
    countLabel(words, { shown: 40, total: 136 }, { shown: 52, total: 324 }),
    "Showing 40 of 136 elements · 52 of 324 connections",
  );
  assert.equal(format("%(a)s and %(b)s", { a: 1 }), "1 and %(b)s");
});

test("colours go to the most common groups first, the rest is one grey group, no value last", () => {
  const values = ["x", "y", "y", NONE, ...Array.from({ length: 12 }, (_, i) => `t${i}`)];
  const { groups, colourOf } = assignColours(values);
  assert.equal(groups[0].value, "y");
  assert.equal(groups[0].colour, PALETTE[0]);
  assert.equal(groups.at(-1).value, NONE);
  const other = groups.find((g) => g.value === OTHER);
  assert.equal(other.count, 13 - PALETTE.length + 1);
  assert.equal(groups.reduce((sum, g) => sum + g.count, 0), values.length);
  assert.equal(colourOf("t11"), OTHER_COLOUR);
  // Fixed colours stay with their value whatever the counts.
  assert.equal(assignColours(["a", "b", "b"], { fixed: { a: "#123456" } }).colourOf("a"), "#123456");
});

test("values become groups: yes/no, number ranges, lists", () => {
  assert.equal(groupOf(true), "yes");
  assert.equal(groupOf(null), NONE);
  assert.equal(groupOf(["a", "b"]), "a, b");
  const bins = numberBins([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]);
  assert.equal(groupOf(0, bins), "0 – 2");
  assert.equal(groupOf(10, bins), "8 – 10");
  assert.equal(groupOf(3, numberBins([1, 3])), "3");
});

test("two groups get a circle and a square; more are not given shapes", () => {
  const shapes = assignShapes(["factor", "actor", "actor"]);
  assert.equal(shapes.shapeOf("actor"), "circle");
  assert.equal(shapes.shapeOf("factor"), "square");
  assert.equal(assignShapes(["a", "b", "c"]), null);
});

test("positions are stored with y downward and drawn with y upward", () => {
  const node = decodeNode(["k", "A", "actor", "", "T", "", 10, 25, null, [], 1, "About A", { n: 1 }]);
  assert.equal(node.y, -25);
  assert.equal(fromGraphY(node.y), 25);
  assert.equal(node.description, "About A");
  assert.equal(decodeNode(["k", "A", "actor", "", "", "", null, null, null, [], 1]).y, null);
});

test("a comparison layer finds undirected connections drawn either way round", () => {
  const edges = new Set(["a>b", "c>d"]);
  const find = (s, t) => (edges.has(`${s}>${t}`) ? `${s}>${t}` : null);
  const found = layerEdges([["a", "b", true, 2], ["d", "c", false, 3], ["b", "a", true, 1]], find);
  assert.deepEqual([...found.keys()], ["a>b", "c>d"]);
});
