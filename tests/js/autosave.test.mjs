// The DOM-free helpers of the workbench's live session (static/js/workbench/autosave.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { draftPart, serverOp, socketUrl } from "../../static/js/workbench/autosave.js";
import { applyOp, OpLog } from "../../static/js/lib/oplog.js";

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

test("globals and links reach the server as set_extras with the whole new value, after the annotations", () => {
  const model = new Map([["a", add.annotation], ["b", { uuid: "b", type: "point", x: 0, y: 0 }]]);
  model.extras = { global_attributes: { time: "day" }, links: [] };
  const log = new OpLog();
  const sent = [];
  log.onChange = ({ op }) => sent.push(serverOp(model, op));
  log.apply(model, globals);
  log.apply(model, link);
  const del = { op: "delete", annotation: model.get("b") };
  log.apply(model, { op: "batch", ops: [del, { op: "link_delete", link: link.link }] });
  log.undo(model);  // the link comes back before its end in the page's inverse: not for the server
  log.undo(model);
  log.redo(model);
  assert.deepEqual(sent, [
    { op: "set_extras", key: "global_attributes", after: { time: "day", weather: "rain" } },
    { op: "set_extras", key: "links", after: [link.link] },
    { op: "batch", ops: [{ ...del, index: 1 }, { op: "set_extras", key: "links", after: [] }] },
    { op: "batch", ops: [{ op: "add", annotation: del.annotation, index: 1 },
      { op: "set_extras", key: "links", after: [link.link] }] },
    { op: "set_extras", key: "links", after: [] },
    { op: "set_extras", key: "links", after: [link.link] },
  ]);
  assert.equal(serverOp(model, { op: "batch", ops: [] }), null);
  // replaying what was sent (a reload with unsent ops) gives the same model
  const replay = new Map([["a", add.annotation], ["b", del.annotation]]);
  replay.extras = { global_attributes: { time: "day" }, links: [] };
  for (const op of sent) applyOp(replay, op);
  assert.deepEqual(replay.extras, model.extras);
  assert.deepEqual([...replay.keys()], [...model.keys()]);
});

test("socket URLs follow the page's scheme", () => {
  assert.equal(socketUrl("/ws/tasks/x/", { protocol: "http:", host: "h:8000" }), "ws://h:8000/ws/tasks/x/");
  assert.equal(socketUrl("/ws/tasks/x/", { protocol: "https:", host: "h" }), "wss://h/ws/tasks/x/");
  assert.equal(socketUrl("wss://o/ws/", { protocol: "http:", host: "h" }), "wss://o/ws/");
});

test("a set_extras the page makes itself (video events) is sent once, without its before", () => {
  const model = { order: [], byUuid: new Map() };
  const events = [{ label: "Turning", type: "point", start: 3, attributes: {} }];
  applyOp(model, { op: "set_extras", key: "events", before: [], after: events });
  const sent = serverOp(model, { op: "set_extras", key: "events", before: [], after: events });
  assert.deepEqual(sent, { op: "set_extras", key: "events", after: events });
});
