/* Sending one outbox entry, and what its answer means. The server keys each entry by its client id,
 * so sending again after a lost answer or a reload never saves it twice (decision 9). */

/** What an answer means for an entry. `response` is {status, type, body} (body: the JSON, or null).
 * Outcomes: saved (remove it), offline / retry (keep it and send later), signed_out (keep it; it goes
 * once the person signs in again), and failed / refused / conflict (keep it and show why). */
export function classify(response) {
  const { status, type, body } = response;
  const message = body?.message ?? "";
  if (type === "opaqueredirect" || (status >= 300 && status < 400)) return { outcome: "signed_out" };
  if ((status === 200 || status === 201) && ["saved", "already_saved"].includes(body?.status)) {
    return { outcome: "saved", url: body.url, message, again: body.status === "already_saved" };
  }
  if (status === 403) return { outcome: "signed_out" }; // the session or its CSRF cookie changed
  if (status === 404 && body?.status === "gone") return { outcome: "conflict", message };
  if (status === 404) return { outcome: "refused" }; // not (or no longer) a member who may log here
  if (status === 409) return { outcome: "conflict", message, rows: body?.rows ?? [] };
  if (status === 400) return { outcome: "failed", message, errors: body?.errors ?? {} };
  if (status === 429 || status >= 500 || status === 0) return { outcome: "retry" };
  return { outcome: "failed", message };
}

export function csrfToken(cookie = globalThis.document?.cookie ?? "") {
  const match = cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** The body an entry is posted with: its form fields, its client id and, when the person chose to
 * overwrite a conflict, `force`. */
export function formBody(entry) {
  const body = new URLSearchParams();
  for (const [name, value] of entry.fields) body.append(name, value);
  body.set("client_uuid", entry.id);
  if (entry.force) body.set("force", "1");
  return body;
}

export async function send(entry, { foreground = false } = {}) {
  let response;
  try {
    response = await fetch(entry.url, {
      method: "POST",
      body: formBody(entry),
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Konbit-Outbox": foreground ? "foreground" : "background",
      },
    });
  } catch {
    return { outcome: "offline" };
  }
  let body = null;
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    body = await response.json().catch(() => null);
  }
  return classify({ status: response.status, type: response.type, body });
}
