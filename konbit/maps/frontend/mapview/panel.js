// The side panel of one element: type, kind, description, custom fields, degree and neighbours.
import { groupOf } from "./colours.js";

export function fillPanel({ graph, node, words, data, goTo, neighbours }) {
  const a = graph.getNodeAttributes(node);
  document.getElementById("panel-title").textContent = a.label;
  const meta = [a.elementType, words.kinds[a.kind] || a.kind, words.functions[a.fn] || ""].filter(Boolean);
  document.getElementById("panel-meta").textContent = meta.join(" · ");
  const description = document.getElementById("panel-description");
  if (description) {
    description.textContent = a.description;
    description.hidden = !a.description;
  }
  // Degree as on the analysis page and the table: distinct elements it is connected to, either way.
  const degree = document.getElementById("panel-degree");
  if (degree) {
    degree.textContent = `${words.degree}: ${neighbours.size}`;
    degree.title = words.degree_help;
  }
  const fields = document.getElementById("panel-fields");
  if (fields) {
    const rows = [];
    for (const [name, value] of Object.entries(a.fields || {})) {
      const shown = groupOf(value, null, words);
      if (shown === "") continue;
      const term = document.createElement("dt");
      term.textContent = name;
      const detail = document.createElement("dd");
      detail.textContent = shown;
      rows.push(term, detail);
    }
    fields.replaceChildren(...rows);
    fields.hidden = rows.length === 0;
  }
  document.getElementById("panel-tags").textContent = a.tags;
  const list = document.getElementById("panel-neighbours");
  list.replaceChildren(
    ...[...neighbours].slice(0, 30).map((n) => {
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
}
