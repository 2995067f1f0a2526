// The map's compact JSON (konbit/maps/views/maps.py _map_data) decoded into graph attributes.

// Positions are stored in screen convention, y growing downward as in Kumu; sigma's y grows upward,
// so y is negated when loaded and negated back when saved.
export function toGraphY(y) {
  return y === null || y === undefined ? y : -y;
}
export const fromGraphY = toGraphY;

export function decodeNode(row) {
  const [key, label, kind, fn, type, tags, x, y, org, perspectives, pk, description, fields] = row;
  return {
    key,
    label,
    kind,
    fn: fn || "",
    elementType: type || "", // "type" is sigma's name for the drawing program
    tags: (tags || "").toLowerCase(),
    org,
    pk,
    perspectives: new Set(perspectives),
    description: description || "",
    fields: fields || {},
    x: x ?? null,
    y: toGraphY(y ?? null),
  };
}

export function decodeEdge(row) {
  const [source, target, direction, sign, type, perspective, strength] = row;
  return { source, target, direction, sign: sign || "", connectionType: type, perspective, strength };
}
