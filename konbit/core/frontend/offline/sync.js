/* Sends what waits in the outbox, one entry at a time, oldest first. One tab sends at a time (Web
 * Locks); if two ever did, the server would still save each entry once. */
import { outbox } from "./db.js";
import { send } from "./send.js";

/** Entries that go by themselves; the others (failed, refused, conflict) wait for the person. */
export const AUTOMATIC = ["pending", "sending", "signed_out"];

/** Store what a send's outcome means for the entry; returns the entry (null once it is saved). */
export async function settle(entry, result) {
  if (result.outcome === "saved") {
    await outbox.delete(entry.id);
    return null;
  }
  const waiting = ["offline", "retry"].includes(result.outcome);
  Object.assign(entry, {
    status: waiting ? "pending" : result.outcome,
    message: result.message ?? "",
    rows: result.rows ?? [],
    errors: result.errors ?? {},
    lastTriedAt: result.tried === false ? entry.lastTriedAt : Date.now(),
  });
  await outbox.put(entry);
  return entry;
}

async function withLock(task) {
  if (navigator.locks) return navigator.locks.request("konbit-outbox", task);
  return task();
}

/** Send every waiting entry of this person; stops at the first network failure. */
export function syncAll(user, onChange = () => {}) {
  if (!navigator.onLine) return Promise.resolve();
  return withLock(async () => {
    for (const entry of await outbox.list(user)) {
      if (!AUTOMATIC.includes(entry.status)) continue;
      entry.status = "sending";
      entry.attempts = (entry.attempts ?? 0) + 1;
      await outbox.put(entry);
      onChange();
      const result = await send(entry);
      await settle(entry, result);
      onChange();
      if (result.outcome === "offline") break;
    }
  });
}
