// The DOM-free helpers of the workbench's live session (static/js/workbench/autosave.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { draftPart, socketUrl } from "../../static/js/workbench/autosave.js";

const add = { op: "add", annotation: { uuid: "a", type: "point", x: 1, y: 2 } };
const link = { op: "link_add", link: { label: "l", from: "a", to: "b" } };
const globals = { op: "globals", before: {}, after: { weather: "rain" } };

test("annotation ops go to the draft as they are", () => {
  assert.deepEqual(draftPart(add), add);
  const update = { op: "update", uuid: "a", before: { x: 1 }, after: { x: 3 } };
  assert.deepEqual(draftPart(update), update);
});

test("link and global ops stay in the page, also inside batches", () => {
  assert.equal(draftPart(link), null);
  assert.equal(draftPart(globals), null);
  assert.equal(draftPart({ op: "batch", ops: [link, globals] }), null);
  assert.deepEqual(draftPart({ op: "batch", ops: [add, link] }), add);
  const del = { op: "delete", annotation: { uuid: "b" } };
  assert.deepEqual(draftPart({ op: "batch", ops: [add, { op: "batch", ops: [link, del] }] }),
    { op: "batch", ops: [add, del] });
});

test("socket URLs follow the page's scheme", () => {
  assert.equal(socketUrl("/ws/tasks/x/", { protocol: "http:", host: "h:8000" }), "ws://h:8000/ws/tasks/x/");
  assert.equal(socketUrl("/ws/tasks/x/", { protocol: "https:", host: "h" }), "wss://h/ws/tasks/x/");
  assert.equal(socketUrl("wss://o/ws/", { protocol: "http:", host: "h" }), "wss://o/ws/");
});
