// Legends: a swatch, a label and a count per group; clicking a group hides or shows it.

function swatch(colour, shape = "circle") {
  const mark = document.createElement("span");
  mark.className = `legend-swatch legend-${shape}`;
  mark.style.background = colour;
  mark.setAttribute("aria-hidden", "true");
  return mark;
}

// entries: [{value, label, count, colour, shape}]; hidden: Set of values; onToggle(value) or null.
export function renderLegend(container, title, entries, { hidden = new Set(), onToggle = null, help = "" } = {}) {
  if (!container) return;
  if (!entries.length) {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  const heading = document.createElement("p");
  heading.className = "legend-title";
  heading.textContent = title;
  const list = document.createElement("ul");
  list.className = "legend-list";
  for (const entry of entries) {
    const item = document.createElement("li");
    const content = [swatch(entry.colour, entry.shape)];
    const text = document.createElement("span");
    text.className = "legend-label";
    text.textContent = entry.label;
    content.push(text);
    if (entry.count !== undefined && entry.count !== null) {
      const count = document.createElement("span");
      count.className = "legend-count";
      count.textContent = String(entry.count);
      content.push(count);
    }
    if (onToggle) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "legend-entry";
      button.title = help;
      button.setAttribute("aria-pressed", String(!hidden.has(entry.value)));
      button.append(...content);
      button.addEventListener("click", () => onToggle(entry.value));
      item.append(button);
    } else {
      item.className = "legend-entry";
      item.append(...content);
    }
    list.append(item);
  }
  container.replaceChildren(heading, list);
  container.hidden = false;
}
