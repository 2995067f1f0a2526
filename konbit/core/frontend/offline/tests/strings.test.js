import assert from "node:assert/strict";
import { test } from "node:test";

import { tally, entryText } from "../outbox-view.js";
import { fill } from "../strings.js";

test("placeholders are filled; unknown ones stay visible", () => {
  assert.equal(fill("{n} waiting", { n: 3 }), "3 waiting");
  assert.equal(fill("{n} of {m}", { n: 1 }), "1 of {m}");
});

test("the indicator tells entries that go by themselves from those that need the person", () => {
  const entries = ["pending", "sending", "signed_out", "refused", "conflict", "failed"].map((status) => ({ status }));
  assert.deepEqual(tally(entries), { waiting: 3, attention: 3 });
});

test("an entry copies out as plain text with its programme", () => {
  const entry = { title: "Logged interaction", programName: "Alpha", lines: [["Notes", "They want credit"], ["", "A: Attended"]] };
  assert.equal(entryText(entry), "Logged interaction — Alpha\nNotes: They want credit\nA: Attended");
});
