// Words: search that ignores case, accents, spacing and punctuation; "%(name)s" templates filled in.

// The text a label is compared by: no accents, lower case, no spaces or punctuation, so that
// "trust in fin" finds "Trust  in Finance" and "cooperative" finds "Coopérative".
export function compact(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "");
}

// Labels matching a query, best first: the whole label, then its start, then the start of a word,
// then anywhere. items: [{key, label}]; returns {matches: [{key, label}], more: count left out}.
export function searchLabels(items, query, limit = 8) {
  const wanted = compact(query);
  if (!wanted) return { matches: [], more: 0 };
  const scored = [];
  for (const item of items) {
    const text = compact(item.label);
    const at = text.indexOf(wanted);
    if (at < 0) continue;
    let rank = 3;
    if (text === wanted) rank = 0;
    else if (at === 0) rank = 1;
    else if (wordStarts(item.label).has(at)) rank = 2;
    scored.push({ rank, length: text.length, item });
  }
  scored.sort((a, b) => a.rank - b.rank || a.length - b.length || a.item.label.localeCompare(b.item.label));
  return { matches: scored.slice(0, limit).map((s) => s.item), more: Math.max(0, scored.length - limit) };
}

// Positions in the compacted label where a word of the label starts.
function wordStarts(label) {
  const starts = new Set();
  let position = 0;
  for (const word of String(label).split(/[\s\p{P}\p{S}]+/u)) {
    const length = compact(word).length;
    if (length) starts.add(position);
    position += length;
  }
  return starts;
}

// "%(count)s elements" with {count: 3} → "3 elements" (Django's named placeholders).
export function format(template, values) {
  return String(template ?? "").replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// "40 elements · 40 connections", or "Showing 12 of 40 elements · 9 of 40 connections" under a filter.
export function countLabel(words, nodes, edges) {
  if (nodes.shown === nodes.total && edges.shown === edges.total) {
    return `${format(words.elements, { count: nodes.total })} · ${format(words.connections, { count: edges.total })}`;
  }
  return (
    `${format(words.showing_elements, { shown: nodes.shown, count: nodes.total })} · ` +
    `${format(words.showing_connections, { shown: edges.shown, count: edges.total })}`
  );
}
