/* Forms that work without a connection (form[data-offline-form]): the quick log and the attendance
 * sheet. What is typed is kept as a draft until it is saved; Save puts the entry in the outbox first
 * and then tries to send it, so nothing typed is lost to a dropped connection (decision 9). */
import { drafts, outbox } from "./db.js";
import { send } from "./send.js";
import { settle } from "./sync.js";
import { fill, strings } from "./strings.js";

const NOT_SENT = new Set(["csrfmiddlewaretoken", "client_uuid", "org_q"]);

/** The form's fields as [name, value] pairs, without what the outbox adds itself. */
export function formFields(form) {
  return [...new FormData(form)].filter(([name, value]) => !NOT_SENT.has(name) && typeof value === "string");
}

function firstText(element) {
  const node = element?.childNodes[0];
  return node?.nodeType === 3 ? node.textContent.trim() : (element?.textContent ?? "").trim();
}

/** What the entry says, as [label, text] lines, for the outbox page and for copying it out. */
export function describe(form) {
  const lines = new Map();
  for (const element of form.elements) {
    if (!element.name || NOT_SENT.has(element.name) || element.disabled) continue;
    if (["hidden", "submit", "button"].includes(element.type)) continue;
    const choice = element.type === "radio" || element.type === "checkbox";
    if ((choice && !element.checked) || !element.value.trim()) continue;
    // A field that only means something with another one (the driver's category with its subject).
    const partner = element.dataset.offlineWith && form.elements.namedItem(element.dataset.offlineWith);
    if (partner && !partner.value) continue;
    let label;
    let text;
    if (element.getAttribute("aria-label") && choice) {
      [label, text] = [form.dataset.offlineLinesLabel ?? "", element.getAttribute("aria-label")];
    } else if (choice) {
      label = (element.closest("fieldset")?.querySelector("legend")?.textContent ?? "").trim();
      text = ownText(element.closest("label")) || element.value;
    } else {
      label = firstText(element.labels?.[0]);
      text = element.tagName === "SELECT" ? element.selectedOptions[0]?.text ?? element.value : element.value;
    }
    lines.set(label, lines.has(label) ? `${lines.get(label)}, ${text}` : text);
  }
  return [...lines];
}

/** A choice's own words: the text of its label without badges and notes (elements inside it). */
export function ownText(label) {
  return [...(label?.childNodes ?? [])]
    .filter((node) => node.nodeType === 3)
    .map((node) => node.textContent)
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

function chosenOrganizations(form) {
  return [...form.querySelectorAll("input[name=organizations]:checked")].map((box) => ({
    id: box.value,
    name: ownText(box.closest("label")) || box.value,
  }));
}

function draftKey(form, body) {
  return `${body.dataset.offlineUser}:${form.getAttribute("action") || location.pathname}`;
}

function notice(form, text, kind = "info", link = null) {
  let box = form.parentElement.querySelector(".offline-notice");
  if (!box) {
    box = document.createElement("p");
    box.setAttribute("role", "status");
    form.before(box);
  }
  box.className = `offline-notice message message-${kind}`;
  box.textContent = text;
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    box.append(" ", a);
  }
  box.scrollIntoView({ block: "nearest" });
}

function restore(form, fields, chosen) {
  const results = form.querySelector("#org-results .picker-results");
  if (results) {
    results.replaceChildren(
      ...chosen.map(({ id, name }) => {
        const label = document.createElement("label");
        label.className = "chosen";
        const box = document.createElement("input");
        Object.assign(box, { type: "checkbox", name: "organizations", value: id, checked: true });
        label.append(box, ` ${name}`);
        return label;
      }),
    );
  }
  const values = new Map();
  for (const [name, value] of fields) values.set(name, [...(values.get(name) ?? []), value]);
  for (const element of form.elements) {
    if (!element.name || NOT_SENT.has(element.name) || element.name === "organizations") continue;
    if (element.type === "hidden" && element.name.startsWith("seen-")) continue;
    const given = values.get(element.name) ?? [];
    if (element.type === "radio" || element.type === "checkbox") element.checked = given.includes(element.value);
    else if (given.length) element.value = given[0];
  }
}

export function initCapture(form, { body, onQueued }) {
  const text = strings();
  const kind = form.dataset.offlineForm;
  const uuidInput = form.querySelector("input[name=client_uuid]");
  const key = draftKey(form, body);
  const newId = () => {
    uuidInput.value = crypto.randomUUID();
  };
  newId();

  // Opened from the outbox ("Open" on an entry): the entry fills the form and saving replaces it.
  const fromOutbox = new URLSearchParams(location.search).get("outbox");
  const ready = (async () => {
    if (fromOutbox) {
      const entry = await outbox.get(fromOutbox);
      if (entry) {
        restore(form, entry.fields, entry.organizations ?? []);
        uuidInput.value = entry.id;
        return;
      }
    }
    const draft = await drafts.get(key);
    if (draft && kind === "interaction") {
      restore(form, draft.fields, draft.organizations ?? []);
      notice(form, text.draftRestored);
    }
  })();

  let timer;
  const keepDraft = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      drafts.put({ key, fields: formFields(form), organizations: chosenOrganizations(form), savedAt: Date.now() });
    }, 300);
  };
  if (kind === "interaction") {
    form.addEventListener("input", keepDraft);
    form.addEventListener("change", keepDraft);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await ready;
    clearTimeout(timer);
    if (kind === "interaction" && !form.querySelector("input[name=organizations]:checked")) {
      notice(form, text.chooseOrganization, "error");
      return;
    }
    const entry = {
      id: uuidInput.value,
      kind,
      user: body.dataset.offlineUser,
      program: body.dataset.offlineProgram,
      programName: body.dataset.offlineProgramName,
      url: form.getAttribute("action") || location.pathname,
      page: location.pathname,
      title: form.dataset.offlineTitle || document.title,
      fields: formFields(form),
      organizations: chosenOrganizations(form),
      lines: describe(form),
      status: "pending",
      createdAt: Date.now(),
    };
    await outbox.put(entry);
    await drafts.delete(key);
    const result = navigator.onLine ? await send(entry, { foreground: true }) : { outcome: "offline", tried: false };
    if (result.outcome === "saved") {
      await outbox.delete(entry.id);
      location.assign(result.url);
      return;
    }
    if (result.outcome === "failed") {
      // Online and the server found a mistake: the form still holds everything; nothing is queued.
      await outbox.delete(entry.id);
      keepDraft();
      const details = Object.entries(result.errors ?? {}).map(([field, errors]) => `${field}: ${errors.join(" ")}`);
      notice(form, [result.message, ...details].join(" "), "error");
      return;
    }
    await settle(entry, result);
    const queued = ["offline", "retry"].includes(result.outcome);
    const reason = { refused: text.refused, signed_out: text.signedOut }[result.outcome] ?? (result.message || text.conflict);
    notice(form, queued ? text.queued : fill(text.notSent, { reason }), queued ? "info" : "error", {
      href: body.dataset.outboxUrl,
      text: text.seeOutbox,
    });
    if (kind === "interaction") {
      form.reset();
      form.querySelector("#org-results .picker-results")?.replaceChildren();
    } else {
      // The next save of this sheet starts from what was just queued.
      for (const radio of form.querySelectorAll("input[type=radio]:checked")) {
        const seen = form.querySelector(`input[name="seen-${radio.name.replace("status-", "")}"]`);
        if (seen) seen.value = radio.value;
      }
    }
    newId();
    onQueued();
  });
}
