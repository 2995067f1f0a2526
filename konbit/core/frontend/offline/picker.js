/* The organisation picker without a connection: the quick log's search-as-you-type asks the server
 * (htmx); offline, it searches the programme's organisations kept in the browser instead. */
import { organizations } from "./db.js";
import { fill, strings } from "./strings.js";

export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/** Like the server's search: name or acronym contains the query (accents and case ignored), at
 * least two letters, partners first, then by name; chosen ones left out. */
export function searchOrganizations(list, query, chosen = new Set(), limit = 20) {
  const wanted = fold(query.trim());
  if (wanted.length < 2) return [];
  return list
    .filter((o) => !chosen.has(String(o.id)) && (fold(o.name).includes(wanted) || fold(o.acronym).includes(wanted)))
    .sort((a, b) => Number(b.partner) - Number(a.partner) || a.name.localeCompare(b.name))
    .slice(0, limit);
}

function option(organization, badge) {
  const label = document.createElement("label");
  const box = document.createElement("input");
  Object.assign(box, { type: "checkbox", name: "organizations", value: String(organization.id) });
  label.append(box, ` ${organization.name}`);
  if (organization.acronym) {
    const small = document.createElement("small");
    small.textContent = `(${organization.acronym})`;
    label.append(" ", small);
  }
  if (organization.partner && badge) {
    const span = document.createElement("span");
    span.className = "badge";
    span.textContent = badge;
    label.append(" ", span);
  }
  return label;
}

export function initPicker(picker, program) {
  const input = picker.querySelector("input[name=org_q]");
  const results = picker.querySelector("#org-results");
  if (!input || !results) return;
  const text = strings();

  async function searchHere() {
    const list = (await organizations.get(program)) ?? null;
    let box = results.querySelector(".picker-results");
    if (!box) {
      box = document.createElement("div");
      box.className = "picker-results";
      results.replaceChildren(box);
    }
    const kept = [...box.querySelectorAll("input[name=organizations]:checked")].map((i) => i.closest("label"));
    const chosen = new Set(kept.map((label) => label.querySelector("input").value));
    const found = list ? searchOrganizations(list, input.value, chosen) : [];
    const children = [...kept, ...found.map((o) => option(o, text.partnerBadge))];
    if (!list) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = text.noList;
      children.push(p);
    } else if (!found.length && input.value.trim().length >= 2) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = fill(text.noMatch, { query: input.value.trim() });
      children.push(p);
    }
    box.replaceChildren(...children);
  }

  // Offline: do not ask the server at all; a request that fails anyway falls back too.
  input.addEventListener("htmx:beforeRequest", (event) => {
    if (!navigator.onLine) {
      event.preventDefault();
      searchHere();
    }
  });
  input.addEventListener("htmx:sendError", searchHere);
  if (!globalThis.htmx) input.addEventListener("input", searchHere);
}
