/* Translated text comes from the page (Django renders it in data attributes), never from this code. */

/** The data attributes of the element with this id, e.g. data-waiting → strings.waiting. */
export function strings(id = "offline-strings", root = globalThis.document) {
  const element = root?.getElementById(id);
  return element ? { ...element.dataset } : {};
}

/** "{n} waiting" + {n: 3} → "3 waiting". Unknown placeholders are left as they are. */
export function fill(text, values = {}) {
  return String(text ?? "").replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}
