import assert from "node:assert/strict";
import { test } from "node:test";

import { searchOrganizations } from "../picker.js";

const list = [
  { id: 1, name: "Coopérative Agricole du Nord", acronym: "CAN", partner: false },
  { id: 2, name: "Banque Rurale", acronym: "", partner: true },
  { id: 3, name: "Agro Nord Traders", acronym: "ANT", partner: true },
];

test("accents and case are ignored, partners come first", () => {
  assert.deepEqual(
    searchOrganizations(list, "NORD").map((o) => o.id),
    [3, 1],
  );
  assert.deepEqual(
    searchOrganizations(list, "cooperative").map((o) => o.id),
    [1],
  );
});

test("acronyms match, one letter does not search, chosen ones are left out", () => {
  assert.deepEqual(
    searchOrganizations(list, "ant").map((o) => o.id),
    [3],
  );
  assert.deepEqual(searchOrganizations(list, "a"), []);
  assert.deepEqual(
    searchOrganizations(list, "nord", new Set(["3"])).map((o) => o.id),
    [1],
  );
});
