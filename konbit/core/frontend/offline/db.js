/* The browser's store (IndexedDB through idb): the outbox of entries waiting to be sent, drafts of
 * forms being typed, and each programme's organisations for searching offline. */
import { openDB } from "idb";

let opened;

function db() {
  opened ??= openDB("konbit-offline", 1, {
    upgrade(database) {
      database.createObjectStore("outbox", { keyPath: "id" });
      database.createObjectStore("drafts", { keyPath: "key" });
      database.createObjectStore("organizations", { keyPath: "program" });
    },
  });
  return opened;
}

export const outbox = {
  put: async (entry) => (await db()).put("outbox", entry),
  get: async (id) => (await db()).get("outbox", id),
  delete: async (id) => (await db()).delete("outbox", id),
  /** Entries of one person, oldest first (sent in the order they were written). */
  async list(user) {
    const all = await (await db()).getAll("outbox");
    return all.filter((entry) => entry.user === user).sort((a, b) => a.createdAt - b.createdAt);
  },
};

export const drafts = {
  put: async (draft) => (await db()).put("drafts", draft),
  get: async (key) => (await db()).get("drafts", key),
  delete: async (key) => (await db()).delete("drafts", key),
};

export const organizations = {
  put: async (program, list) => (await db()).put("organizations", { program, list, savedAt: Date.now() }),
  get: async (program) => (await (await db()).get("organizations", program))?.list,
};

/** Everything this browser kept, for sign-out (the server's Clear-Site-Data does it too). */
export async function wipe() {
  const database = await db();
  await Promise.all(["outbox", "drafts", "organizations"].map((store) => database.clear(store)));
}
