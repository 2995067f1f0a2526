import assert from "node:assert/strict";
import { test } from "node:test";

import { classify, csrfToken, formBody } from "../send.js";

test("a first save and a repeated one both empty the entry", () => {
  assert.equal(classify({ status: 201, body: { status: "saved", url: "/p/a/" } }).outcome, "saved");
  const again = classify({ status: 200, body: { status: "already_saved", url: "/p/a/" } });
  assert.equal(again.outcome, "saved");
  assert.equal(again.again, true);
});

test("a 200 that is not the outbox's answer (a login page) is not taken for a save", () => {
  assert.equal(classify({ status: 200, body: null }).outcome, "failed");
});

test("a removed member is refused, and keeps the entry", () => {
  assert.equal(classify({ status: 404, body: null }).outcome, "refused");
});

test("a deleted event or a merged partner is a conflict, with its message", () => {
  assert.deepEqual(classify({ status: 404, body: { status: "gone", message: "deleted" } }), {
    outcome: "conflict",
    message: "deleted",
  });
  const rows = [{ organization: 3, name: "A", now: "excused", yours: "attended" }];
  assert.deepEqual(classify({ status: 409, body: { status: "conflict", message: "m", rows } }).rows, rows);
});

test("signed out: redirected to the login page, or the CSRF cookie no longer matches", () => {
  assert.equal(classify({ status: 0, type: "opaqueredirect", body: null }).outcome, "signed_out");
  assert.equal(classify({ status: 403, body: null }).outcome, "signed_out");
});

test("server trouble is retried later; a mistake in the entry waits for the person", () => {
  assert.equal(classify({ status: 502, body: null }).outcome, "retry");
  assert.equal(classify({ status: 429, body: null }).outcome, "retry");
  const failed = classify({ status: 400, body: { status: "invalid", message: "fix", errors: { Date: ["bad"] } } });
  assert.deepEqual(failed, { outcome: "failed", message: "fix", errors: { Date: ["bad"] } });
});

test("the CSRF token is read from its cookie", () => {
  assert.equal(csrfToken("lang=fr; csrftoken=abc%3D; other=1"), "abc=");
  assert.equal(csrfToken("lang=fr"), "");
});

test("the body carries every field, repeated ones too, the client id and force when chosen", () => {
  const body = formBody({ id: "u-1", fields: [["organizations", "1"], ["organizations", "2"], ["notes", "é"]], force: true });
  assert.deepEqual(body.getAll("organizations"), ["1", "2"]);
  assert.equal(body.get("client_uuid"), "u-1");
  assert.equal(body.get("force"), "1");
  assert.equal(formBody({ id: "u-2", fields: [] }).get("force"), null);
});
