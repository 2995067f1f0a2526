// Colour and shape by a property of the elements, and the groups a legend lists.

// Orange and magenta come last: the comparison layers draw connections in them.
export const PALETTE = [
  "#0172ad", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41", "#c62828",
  "#558b2f", "#3949ab", "#f9a825", "#ad1457", "#e65100",
];
export const OTHER_COLOUR = "#9e9e9e";
export const NONE_COLOUR = "#cfd8dc";
export const OTHER = "\u0000other"; // the group of values beyond the palette
export const NONE = ""; // elements without a value

// A connection's colour by its sign: + reinforces, − weakens, ? unknown, "" none stated.
export const SIGN_COLOURS = { "+": "#2e7d32", "-": "#c62828", "?": "#f9a825", "": "#b0bec5" };
export const SIGNS = ["+", "-", "?", ""];

// Numbers are grouped in up to `bins` ranges of equal width, labelled "low – high".
export function numberBins(values, bins = 5) {
  const numbers = values.filter((v) => typeof v === "number" && Number.isFinite(v));
  if (!numbers.length) return null;
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const distinct = new Set(numbers).size;
  if (distinct <= bins) return { low, high, count: 0, exact: true };
  return { low, high, count: bins, exact: false };
}

function round(value) {
  return Number.parseFloat(value.toPrecision(3));
}

// The group of one value: the text it shows as ("yes"/"no", a number range, list items joined).
export function groupOf(value, bins, words = { yes: "yes", no: "no" }) {
  if (value === null || value === undefined || value === "") return NONE;
  if (typeof value === "boolean") return value ? words.yes : words.no;
  if (typeof value === "number") {
    if (!bins || bins.exact) return String(value);
    const width = (bins.high - bins.low) / bins.count;
    const index = Math.min(bins.count - 1, Math.floor((value - bins.low) / width));
    return `${round(bins.low + index * width)} – ${round(bins.low + (index + 1) * width)}`;
  }
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : NONE;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// Groups with their counts, most common first ("no value" last); those beyond the palette become one
// "other" group. Returns [{value, count, colour}] and a lookup value → colour.
export function assignColours(values, { order = null, fixed = {} } = {}) {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) || 0) + 1);
  let groups = [...counts.entries()].map(([value, count]) => ({ value, count }));
  const rank = order ? (v) => (order.includes(v) ? order.indexOf(v) : order.length) : () => 0;
  groups.sort(
    (a, b) =>
      (a.value === NONE) - (b.value === NONE) ||
      rank(a.value) - rank(b.value) ||
      b.count - a.count ||
      String(a.value).localeCompare(String(b.value), undefined, { numeric: true }),
  );
  const named = groups.filter((g) => g.value !== NONE);
  const none = groups.filter((g) => g.value === NONE);
  const colourOf = new Map();
  let free = PALETTE.filter((c) => !Object.values(fixed).includes(c));
  const kept = [];
  let other = 0;
  for (const group of named) {
    const colour = fixed[group.value] || free.shift();
    if (colour) {
      colourOf.set(group.value, colour);
      kept.push({ ...group, colour });
    } else {
      colourOf.set(group.value, OTHER_COLOUR);
      other += group.count;
    }
  }
  groups = kept;
  if (other) groups.push({ value: OTHER, count: other, colour: OTHER_COLOUR });
  for (const group of none) {
    colourOf.set(NONE, NONE_COLOUR);
    groups.push({ ...group, colour: NONE_COLOUR });
  }
  return { groups, colourOf: (value) => colourOf.get(value) || OTHER_COLOUR, isOther: (value) => !colourOf.has(value) || colourOf.get(value) === OTHER_COLOUR };
}

// Shapes: sigma draws circles, and squares with @sigma/node-square. Two groups at most get a shape
// each (the first a circle); a property with more values is not offered as a shape.
export function assignShapes(values) {
  const distinct = [...new Set(values.filter((v) => v !== NONE))].sort();
  if (distinct.length > 2) return null;
  const shapes = new Map(distinct.map((value, i) => [value, i === 0 ? "circle" : "square"]));
  return { groups: distinct.map((value) => ({ value, shape: shapes.get(value) })), shapeOf: (v) => shapes.get(v) || "circle" };
}
