// The comparison of perspectives drawn on the map: which connections a layer colours.

export const LAYER_COLOURS = { consensus: "#0d47a1", blind_spots: "#ef6c00", disagreements: "#d500f9" };
export const DIMMED_EDGE = "#eceff1";

// rows: [[from, to, directed, …]] from layer.json; findEdge(a, b) → the map's edge or null.
// A connection that is not directed may be drawn either way round. Returns Map edge → row.
export function layerEdges(rows, findEdge) {
  const edges = new Map();
  for (const row of rows || []) {
    const [from, to, directed] = row;
    const edge = findEdge(from, to) ?? (directed ? null : findEdge(to, from));
    if (edge !== null && edge !== undefined && !edges.has(edge)) edges.set(edge, row);
  }
  return edges;
}
