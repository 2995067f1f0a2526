/* What the person sees of the outbox: the indicator in the header and the outbox page, where each
 * entry shows its state and why it was not sent, can be copied out, opened again, retried or removed. */
import { outbox } from "./db.js";
import { AUTOMATIC } from "./sync.js";
import { fill, strings } from "./strings.js";

/** Counts for the indicator: entries that will go by themselves, and those that need the person. */
export function tally(entries) {
  const waiting = entries.filter((e) => AUTOMATIC.includes(e.status)).length;
  return { waiting, attention: entries.length - waiting };
}

/** The entry as plain text, to paste elsewhere (e.g. when the programme refused it). */
export function entryText(entry) {
  return [
    `${entry.title} — ${entry.programName ?? entry.program}`,
    ...entry.lines.map(([label, text]) => (label ? `${label}: ${text}` : text)),
  ].join("\n");
}

export async function renderIndicator(indicator, user) {
  const { waiting, attention } = tally(await outbox.list(user));
  const text = strings();
  const parts = [];
  if (waiting) parts.push(fill(text.waiting, { n: waiting }));
  if (attention) parts.push(fill(text.attention, { n: attention }));
  indicator.textContent = parts.join(" · ");
  indicator.hidden = parts.length === 0;
  indicator.classList.toggle("outbox-attention", attention > 0);
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function why(entry, text) {
  if (entry.status === "refused") return text.refused;
  if (entry.status === "signed_out") return text.signedOut;
  if (entry.status === "sending") return text.sending;
  if (entry.status === "pending") return entry.lastTriedAt ? text.pendingTried : text.pending;
  return entry.message || text.failed;
}

function conflictRows(entry, text) {
  if (!entry.rows?.length) return [];
  return [
    element(
      "ul",
      { class: "conflict-rows" },
      ...entry.rows.map((row) =>
        element("li", { text: row.gone ? fill(text.rowGone, row) : fill(text.rowChanged, { ...row, now: text[`att_${row.now}`] ?? row.now, yours: text[`att_${row.yours}`] ?? row.yours }) }),
      ),
    ),
  ];
}

export async function renderOutbox(list, user, { onRetry }) {
  const text = strings();
  const entries = await outbox.list(user);
  const empty = document.getElementById("outbox-empty");
  if (empty) empty.hidden = entries.length > 0;
  list.replaceChildren(
    ...entries.map((entry) => {
      const buttons = [];
      const button = (label, action, cls = "secondary") =>
        element("button", { type: "button", class: cls, "data-action": action, "data-id": entry.id, text: label });
      if (!AUTOMATIC.includes(entry.status) || entry.status === "signed_out") buttons.push(button(text.retry, "retry"));
      if (entry.status === "conflict" && entry.kind === "attendance" && entry.rows?.some((r) => !r.gone)) {
        buttons.push(button(text.overwrite, "overwrite"));
      }
      if (entry.kind === "interaction") {
        buttons.push(element("a", { role: "button", class: "secondary outline", href: `${entry.page}?outbox=${entry.id}`, text: text.open }));
      }
      buttons.push(button(text.copy, "copy", "secondary outline"));
      buttons.push(button(text.remove, "remove", "outline danger"));
      return element(
        "article",
        { class: `outbox-entry outbox-${entry.status}`, "data-id": entry.id },
        element("header", {}, element("strong", { text: entry.title }), " ", element("small", { text: `${entry.programName ?? entry.program} · ${new Date(entry.createdAt).toLocaleString(document.documentElement.lang)}` })),
        element("p", { class: "outbox-status" }, element("span", { class: "badge", text: text[`status_${entry.status}`] ?? entry.status }), " ", why(entry, text)),
        ...conflictRows(entry, text),
        element("pre", { class: "outbox-text", text: entryText(entry) }),
        element("div", { class: "actions" }, ...buttons),
      );
    }),
  );
  list.onclick = async (event) => {
    const target = event.target.closest("button[data-action]");
    if (!target) return;
    const entry = await outbox.get(target.dataset.id);
    if (!entry) return;
    const action = target.dataset.action;
    if (action === "copy") {
      await navigator.clipboard?.writeText(entryText(entry)).catch(() => {});
      target.textContent = text.copied;
      return;
    }
    if (action === "remove") {
      if (!confirm(text.removeConfirm)) return;
      await outbox.delete(entry.id);
    } else {
      Object.assign(entry, { status: "pending", force: action === "overwrite" || entry.force });
      await outbox.put(entry);
      onRetry();
    }
    renderOutbox(list, user, { onRetry });
  };
}
