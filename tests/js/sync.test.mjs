import { test } from "node:test";
import assert from "node:assert/strict";

import { IdbStore } from "../../static/js/lib/idbstore.js";
import {
  MemoryStore, SocketTransport, stamp, SyncClient, touchedExtras, touchedUuids,
} from "../../static/js/lib/sync.js";
import { fakeIndexedDB } from "./fakeidb.mjs";

// ---------------------------------------------------------------- a fake server and network

const box = (uuid, left = 0, label = "car") => ({
  uuid, type: "box", label, left, top: 0, width: 10, height: 10, attributes: {},
});

/** The server side of docs/live-sessions.md, in memory: sessions, numbers, versions. */
class FakeServer {
  constructor(annotations = []) {
    this.rows = new Map(annotations.map((a) => [a.uuid, { ...a, version: 1 }]));
    this.extras = { global_attributes: {}, links: [] };
    this.sessions = new Map();
    this.applied = [];
    this.editor = null;
  }

  annotations() {
    return [...this.rows.values()].map((a) => structuredClone(a));
  }

  /** Handle one client message from connection `conn`; returns [conn, reply] pairs. */
  handle(conn, message) {
    if (message.type === "hello") return this.hello(conn, message);
    if (message.type === "takeover") return this.takeover(conn);
    if (message.type === "op") return [[conn, this.op(conn, message)]];
    return [];
  }

  hello(conn, message) {
    conn.sessionId = message.session_id;
    const isNew = !this.sessions.has(conn.sessionId);
    if (isNew) this.sessions.set(conn.sessionId, { lastSeq: 0, replies: new Map() });
    if (this.editor && this.editor !== conn && this.editor.open) {
      return [[conn, this.welcome(conn, "readonly", isNew)]];
    }
    this.editor = conn;
    return [[conn, this.welcome(conn, "editor", isNew)]];
  }

  takeover(conn) {
    const previous = this.editor;
    this.editor = conn;
    const out = [[conn, this.welcome(conn, "editor", false)]];
    if (previous && previous !== conn) out.push([previous, { type: "readonly", reason: "taken" }]);
    return out;
  }

  welcome(conn, role, isNew) {
    return { type: "welcome", role, session_id: conn.sessionId, new_session: isNew,
      last_seq: this.sessions.get(conn.sessionId).lastSeq, annotations: this.annotations(),
      extras: structuredClone(this.extras) };
  }

  op(conn, { seq, op }) {
    if (this.editor !== conn) return { type: "readonly", reason: "not the editor" };
    const session = this.sessions.get(conn.sessionId);
    if (seq <= session.lastSeq) return { ...session.replies.get(seq), repeat: true };
    if (seq > session.lastSeq + 1) return { type: "resend", from_seq: session.lastSeq + 1 };
    const reply = this.apply(seq, op);
    session.lastSeq = seq;
    session.replies.set(seq, reply);
    return reply;
  }

  apply(seq, op) {
    const before = new Map([...this.rows].map(([k, v]) => [k, structuredClone(v)]));
    const extrasBefore = structuredClone(this.extras);
    const touched = new Set();
    const sentExtras = {};
    try {
      this.change(op, touched, sentExtras);
    } catch (refusal) {
      this.rows = before;
      this.extras = extrasBefore;
      const annotations = {};
      for (const uuid of touchedUuids(op)) annotations[uuid] = this.rows.get(uuid) ?? null;
      const reply = { type: "reject", seq, kind: refusal.kind, reason: refusal.message,
        uuid: refusal.uuid, annotation: annotations[refusal.uuid] ?? null, annotations };
      const keys = [...touchedExtras(op)];
      if (keys.length) reply.extras = Object.fromEntries(keys.map((k) => [k, this.extras[k]]));
      return reply;
    }
    this.applied.push(seq);
    const versions = {};
    for (const uuid of touched) versions[uuid] = this.rows.get(uuid)?.version ?? null;
    const reply = { type: "ack", seq, versions };
    const rounded = [...touched].filter((u) => this.rows.get(u)?.label === "round");
    if (rounded.length) {
      reply.normalized = Object.fromEntries(rounded.map((u) => [u, this.rows.get(u)]));
    }
    const trimmed = Object.keys(sentExtras).filter((k) => JSON.stringify(sentExtras[k]) !== JSON.stringify(this.extras[k]));
    if (trimmed.length) reply.extras = Object.fromEntries(trimmed.map((k) => [k, this.extras[k]]));
    return reply;
  }

  change(op, touched, sentExtras) {
    const refuse = (kind, uuid, message) => { throw Object.assign(new Error(message), { kind, uuid }); };
    if (op.op === "batch") {
      for (const item of op.ops) this.change(item, touched, sentExtras);
      return;
    }
    if (op.op === "set_extras") {  // global values are trimmed; "bad" is refused
      if (op.after?.weather === "bad") refuse("rule", null, "weather is bad");
      assert.equal(op.base_version, undefined);
      sentExtras[op.key] = op.after;
      this.extras[op.key] = op.key === "global_attributes"
        ? Object.fromEntries(Object.entries(op.after).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]))
        : structuredClone(op.after);
      return;
    }
    const uuid = op.op === "update" ? op.uuid : op.annotation.uuid;
    touched.add(uuid);
    const row = this.rows.get(uuid);
    if (op.op === "add") {
      if (row) refuse("conflict", uuid, "exists");
      if (op.annotation.label === "bad") refuse("rule", uuid, "label is bad");
      this.rows.set(uuid, { ...structuredClone(op.annotation), version: 1 });
      return;
    }
    if (!row) refuse("conflict", uuid, "gone");
    if (op.base_version !== row.version) refuse("conflict", uuid, "changed meanwhile");
    if (op.op === "delete") {
      this.rows.delete(uuid);
      return;
    }
    if (op.after.label === "bad") refuse("rule", uuid, "label is bad");
    for (const [key, value] of Object.entries(op.after)) {
      if (value === null) delete row[key];
      else row[key] = structuredClone(value);
    }
    row.version += 1;
  }

  /** Someone else edits (another session): the version moves on. */
  editElsewhere(uuid, changes) {
    Object.assign(this.rows.get(uuid), changes);
    this.rows.get(uuid).version += 1;
  }

  /** The draft was replaced (a send-back): drafts and sessions are gone. */
  discard(annotations = []) {
    this.rows = new Map(annotations.map((a) => [a.uuid, { ...a, version: 1 }]));
    this.sessions.clear();
  }
}

/**
 * Connections between clients and the FakeServer, delivering messages only in settle() and
 * able to drop, duplicate and reorder them, and to go offline.
 */
class FakeNetwork {
  constructor(server) {
    this.server = server;
    this.queue = [];  // {to: "server" | conn, conn, message}
    this.online = true;
    this.dropUp = () => false;
    this.dropDown = () => false;
    this.duplicate = false;
    this.reverseReplies = false;
    this.connections = [];
    this.clients = [];
  }

  /** A Transport for one client. */
  transport() {
    const net = this;
    const conn = { open: false, handlers: null, closed: false, sent: [] };
    this.connections.push(conn);
    return {
      conn,
      connect(handlers) {
        conn.handlers = handlers;
        if (net.online) net.open(conn);
      },
      send(message) {
        if (!conn.open) return false;
        conn.sent.push(message);
        net.queue.push({ to: "server", conn, message: structuredClone(message) });
        if (net.duplicate) net.queue.push({ to: "server", conn, message: structuredClone(message) });
        return true;
      },
      close() {
        conn.closed = true;
        if (conn.open) net.drop(conn, 1000);
      },
    };
  }

  open(conn) {
    if (conn.closed || conn.open) return;
    conn.open = true;
    conn.handlers.open();
  }

  drop(conn, code = 1006) {
    if (!conn.open) return;
    conn.open = false;
    this.queue = this.queue.filter((item) => item.conn !== conn);
    conn.handlers.close({ code });
  }

  goOffline() {
    this.online = false;
    for (const conn of this.connections) this.drop(conn);
  }

  goOnline() {
    this.online = true;
    for (const conn of this.connections) this.open(conn);
  }

  /** Deliver everything (and what that causes) until nothing moves. */
  async settle() {
    for (let round = 0; round < 200; round++) {
      await flushMicrotasks();
      await Promise.all(this.clients.map((c) => c.inbox.then(() => c.writes)));
      await flushMicrotasks();
      if (!this.queue.length) return;
      const batch = this.queue.splice(0);
      const replies = [];
      for (const item of batch) {
        if (!item.conn.open) continue;
        if (item.to === "server") {
          if (this.dropUp(item.message)) continue;
          for (const [conn, reply] of this.server.handle(item.conn, item.message)) {
            replies.push({ conn, message: reply });
            if (this.duplicate) replies.push({ conn, message: reply });
          }
        } else if (!this.dropDown(item.message)) {
          item.conn.handlers.message(structuredClone(item.message));
        }
      }
      if (this.reverseReplies) replies.reverse();
      for (const reply of replies) this.queue.push({ to: reply.conn, conn: reply.conn, message: reply.message });
    }
    throw new Error("the network never settled");
  }
}

async function flushMicrotasks() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Timers that run only when told to. */
class FakeTimers {
  constructor() {
    this.now = 0;
    this.pending = new Map();
    this.next = 1;
  }

  setTimeout(fn, ms) {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(id) {
    this.pending.delete(id);
  }

  setInterval(fn, ms) {
    return this.setTimeout(fn, ms);
  }

  clearInterval(id) {
    this.clearTimeout(id);
  }

  tick(ms) {
    this.now += ms;
    for (const [id, timer] of [...this.pending]) {
      if (timer.at <= this.now) {
        this.pending.delete(id);
        timer.fn();
      }
    }
  }
}

/** A started client on the network; `events` records every callback. */
async function client(net, { store = new MemoryStore(), key = "task:1", timers = new FakeTimers(), ...options } = {}) {
  const events = [];
  const record = (name) => (...args) => events.push([name, ...args]);
  const sync = new SyncClient({
    key, store, timers, transport: net.transport(), ackTimeout: 1000,
    onState: record("state"), onWelcome: record("welcome"), onRole: record("role"),
    onConflict: record("conflict"), onReject: record("reject"), onNormalize: record("normalize"),
    onExtras: record("extras"),
    onRemote: record("remote"), onStatus: record("status"), onReset: record("reset"),
    onError: record("error"), ...options,
  });
  net.clients.push(sync);
  await sync.start();
  await net.settle();
  return { sync, events, store, timers, of: (name) => events.filter((e) => e[0] === name) };
}

const update = (uuid, after) => ({ op: "update", uuid, before: {}, after });

// ---------------------------------------------------------------- stamping

test("stamp numbers versions as the server will: add 1, update +1, delete gone", () => {
  const versions = new Map([["a", 3]]);
  const op = stamp({ op: "batch", seq: 9, ops: [update("a", { left: 1 }), { op: "add", annotation: box("b") },
    update("b", { left: 2 }), { op: "delete", annotation: box("a") }] }, versions);
  assert.equal(op.seq, undefined);
  assert.deepEqual(op.ops.map((o) => o.base_version), [3, undefined, 1, 4]);
  assert.deepEqual([...versions], [["b", 2]]);
});

// ---------------------------------------------------------------- the happy path

test("ops are numbered, sent in order, acked, and the state goes saving → saved", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of, store } = await client(net);
  const [[, welcome]] = of("welcome");
  assert.equal(welcome.role, "editor");
  assert.equal(welcome.rebuild, true);
  assert.deepEqual(welcome.annotations.map((a) => a.uuid), ["a"]);
  assert.equal(sync.state.text, "saved");

  assert.equal(sync.push({ op: "add", annotation: box("b") }), 1);
  assert.equal(sync.push(update("a", { left: 5 })), 2);
  assert.equal(sync.push(update("a", { left: 6 })), 3);
  assert.equal(sync.state.text, "saving");
  await net.settle();
  assert.equal(sync.state.text, "saved");
  assert.deepEqual(server.applied, [1, 2, 3]);
  assert.equal(server.rows.get("a").left, 6);
  assert.equal(server.rows.get("a").version, 3);
  const saved = await store.load("task:1");
  assert.deepEqual(saved.ops, []);
  assert.equal(saved.meta.acked, 3);
  assert.deepEqual(of("state").map((e) => e[1].text),
    ["offline (0 unsent)", "saved", "saving", "saved"]);
});

test("offline edits are counted, kept in the store, and sent in order once back online", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, store } = await client(net);
  net.goOffline();
  sync.role === "editor" || assert.fail("still the editor while offline");
  sync.push(update("a", { left: 1 }));
  sync.push({ op: "add", annotation: box("b") });
  sync.push(update("b", { left: 2 }));
  assert.equal(sync.state.text, "offline (3 unsent)");
  await net.settle();
  assert.deepEqual((await store.load("task:1")).ops.map((e) => e.seq), [1, 2, 3]);
  assert.deepEqual(server.applied, []);

  net.goOnline();
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3]);
  assert.equal(sync.state.text, "saved");
  assert.equal(server.rows.get("b").left, 2);
});

test("a reconnect that changed nothing on the server does not ask for a rebuild", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push(update("a", { left: 1 }));
  await net.settle();
  net.goOffline();
  sync.push(update("a", { left: 2 }));
  net.goOnline();
  await net.settle();
  const welcomes = of("welcome").map((e) => e[1]);
  assert.deepEqual(welcomes.map((w) => w.rebuild), [true, false]);
  assert.deepEqual(welcomes[1].pending.map((p) => p.seq), [2]);
  // Someone else changed the draft while this tab was away: rebuild.
  net.goOffline();
  server.editElsewhere("a", { left: 50 });
  net.goOnline();
  await net.settle();
  assert.equal(of("welcome").at(-1)[1].rebuild, true);
});

// ---------------------------------------------------------------- a bad network

test("a dropped op makes the server ask for a resend; each op is applied once", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync } = await client(net);
  let dropped = false;
  net.dropUp = (m) => m.type === "op" && m.seq === 2 && !dropped && (dropped = true);
  for (let i = 1; i <= 4; i++) sync.push(update("a", { left: i }));
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3, 4]);
  assert.equal(server.rows.get("a").left, 4);
  assert.equal(sync.state.text, "saved");
});

test("lost acks are recovered by the ack timeout without applying anything twice", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, timers } = await client(net);
  net.dropDown = (m) => m.type === "ack" && !m.repeat;
  sync.push(update("a", { left: 1 }));
  sync.push(update("a", { left: 2 }));
  await net.settle();
  assert.equal(sync.state.text, "saving");
  assert.deepEqual(server.applied, [1, 2]);
  timers.tick(1000);
  await net.settle();
  assert.equal(sync.state.text, "saved");
  assert.deepEqual(server.applied, [1, 2]);
  sync.push(update("a", { left: 3 }));  // the base version is still right
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3]);
});

test("duplicated messages both ways are applied once and answered once", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  net.duplicate = true;
  sync.push({ op: "add", annotation: box("b") });
  sync.push(update("b", { left: 3 }));
  sync.push({ op: "delete", annotation: box("a") });
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3]);
  assert.equal(sync.state.text, "saved");
  assert.deepEqual(of("conflict"), []);
  assert.deepEqual([...server.rows.keys()], ["b"]);
});

test("acks arriving in reverse order still settle every op and keep versions right", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  net.reverseReplies = true;
  sync.push(update("a", { left: 1 }));
  sync.push(update("a", { left: 2 }));
  sync.push(update("a", { left: 3 }));
  await net.settle();
  assert.equal(sync.state.text, "saved");
  sync.push(update("a", { left: 4 }));
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3, 4]);
  assert.equal(server.rows.get("a").version, 5);
  assert.deepEqual(of("reject"), []);
});

test("at most `window` ops are in flight", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync } = await client(net, { window: 2 });
  const conn = net.connections[0];
  for (let i = 1; i <= 5; i++) sync.push(update("a", { left: i }));
  assert.deepEqual(conn.sent.filter((m) => m.type === "op").map((m) => m.seq), [1, 2]);
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3, 4, 5]);
});

// ---------------------------------------------------------------- conflicts and rules

test("an op on a version changed elsewhere is refused and the annotation reloaded", async () => {
  const server = new FakeServer([box("a"), box("b")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  server.editElsewhere("a", { left: 99 });
  sync.push(update("a", { left: 1 }));
  sync.push(update("b", { left: 1 }));
  await net.settle();
  const [[, uuid, annotation, info]] = of("conflict");
  assert.equal(uuid, "a");
  assert.equal(annotation.left, 99);
  assert.equal(info.kind, "conflict");
  assert.equal(sync.state.text, "saved");
  sync.push(update("a", { left: 2 }));  // now based on the reloaded version
  await net.settle();
  assert.equal(server.rows.get("a").left, 2);
  assert.deepEqual(server.applied, [2, 3]);
});

test("a refused op refuses the ops built on it; the last refusal carries the server's state", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push(update("a", { label: "bad" }));
  sync.push(update("a", { left: 7 }));
  sync.push({ op: "batch", ops: [{ op: "add", annotation: box("c") }, { op: "add", annotation: box("d", 0, "bad") }] });
  await net.settle();
  assert.deepEqual(of("reject").map((e) => [e[1].seq, e[1].kind]), [[1, "rule"], [2, "conflict"], [3, "rule"]]);
  assert.deepEqual(of("conflict").map((e) => [e[1], e[2]?.version ?? null]),
    [["a", 1], ["a", 1], ["c", null], ["d", null]]);
  sync.push(update("a", { left: 8 }));
  await net.settle();
  assert.equal(server.rows.get("a").left, 8);
});

test("an annotation the server normalized is handed back to the page", async () => {
  const server = new FakeServer([]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push({ op: "add", annotation: box("r", 1.4, "round") });
  await net.settle();
  assert.deepEqual(of("normalize").map((e) => e[1]), ["r"]);
});

// ---------------------------------------------------------------- reloads and crashes

test("a reload resumes from the store: the server gets exactly the ops it lacks", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const store = new MemoryStore();
  const first = await client(net, { store });
  first.sync.push(update("a", { left: 1 }));
  await net.settle();
  net.goOffline();
  first.sync.push({ op: "add", annotation: box("b") });
  first.sync.push(update("a", { left: 2 }));
  await flushMicrotasks();
  // The tab crashes (no stop()); the page is opened again.
  net.connections = [];
  net.goOnline();
  const second = await client(net, { store });
  assert.equal(second.sync.sessionId, first.sync.sessionId);
  const [[, welcome]] = second.of("welcome");
  assert.equal(welcome.rebuild, true);
  assert.deepEqual(welcome.annotations.map((a) => [a.uuid, a.left]), [["a", 1]]);
  assert.deepEqual(welcome.pending.map((p) => [p.seq, p.op.op]), [[2, "add"], [3, "update"]]);
  assert.equal(welcome.pending[1].op.base_version, 2);
  assert.deepEqual(server.applied, [1, 2, 3]);
  assert.equal(second.sync.push(update("b", { left: 9 })), 4);
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3, 4]);
});

test("ops applied whose acks were lost before a reload are not applied again", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const store = new MemoryStore();
  const first = await client(net, { store });
  net.dropDown = (m) => m.type === "ack";
  first.sync.push(update("a", { left: 1 }));
  first.sync.push({ op: "add", annotation: box("b") });
  await net.settle();
  assert.equal(first.sync.state.text, "saving");
  net.dropDown = () => false;
  net.drop(net.connections[0]);  // the tab crashes
  net.connections = [];
  const second = await client(net, { store });
  const [[, welcome]] = second.of("welcome");
  assert.deepEqual(welcome.pending, []);
  assert.equal(second.sync.state.text, "saved");
  assert.deepEqual(server.applied, [1, 2]);
  assert.deepEqual((await store.load("task:1")).ops, []);
});

test("when the server discarded the draft, the outbox is dropped and numbering restarts", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push(update("a", { left: 1 }));
  await net.settle();
  net.goOffline();
  sync.push(update("a", { left: 2 }));
  server.discard([box("a")]);
  net.goOnline();
  await net.settle();
  assert.equal(of("reset").length, 1);
  assert.equal(of("welcome").at(-1)[1].rebuild, true);
  assert.equal(sync.state.text, "saved");
  assert.equal(sync.push(update("a", { left: 3 })), 1);
  await net.settle();
  assert.equal(server.rows.get("a").left, 3);
});

// ---------------------------------------------------------------- tabs, takeover, end

test("a second tab is read-only until it takes over; the first then stops editing", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const store = new MemoryStore();
  const first = await client(net, { store, tabId: "tab-1" });
  const second = await client(net, { store, tabId: "tab-2" });
  assert.equal(first.sync.canEdit, true);
  assert.equal(second.sync.canEdit, false);
  assert.deepEqual(second.of("role").map((e) => e[1]), ["readonly"]);
  assert.throws(() => second.sync.push(update("a", { left: 1 })), /cannot edit/);

  net.goOffline();
  first.sync.push(update("a", { left: 1 }));  // in the shared store, not sent yet
  await flushMicrotasks();
  net.connections = net.connections.filter((c) => c !== net.connections[0]);
  net.online = true;
  net.open(net.connections[0]);
  await net.settle();
  second.sync.takeOver();
  await net.settle();
  assert.equal(second.sync.canEdit, true);
  assert.deepEqual(server.applied, [1]);  // the first tab's unsent op, sent by the second
  second.sync.push(update("a", { left: 2 }));
  await net.settle();
  assert.equal(server.rows.get("a").left, 2);
  assert.equal(second.sync.state.text, "saved");
});

test("a takeover elsewhere makes this tab read-only", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const first = await client(net, { key: "k1" });
  const second = await client(net, { key: "k2" });
  second.sync.takeOver();
  await net.settle();
  assert.equal(first.sync.canEdit, false);
  assert.deepEqual(first.of("role").map((e) => e[1]), ["editor", "readonly"]);
});

test("a status ends the session: no more edits, no reconnect, flush answers false", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push(update("a", { left: 1 }));
  const flushed = sync.flush();
  net.dropUp = () => true;
  await net.settle();
  net.connections[0].handlers.message({ type: "status", status: "lease_lost", event: "expired" });
  assert.equal(await flushed, false);
  assert.deepEqual(of("status")[0].slice(1), ["lease_lost", "expired"]);
  assert.equal(sync.canEdit, false);
  assert.equal(net.connections[0].closed, true);
});

test("flush resolves once everything was answered", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync } = await client(net);
  assert.equal(await sync.flush(), true);
  sync.push(update("a", { left: 1 }));
  const flushed = sync.flush();
  await net.settle();
  assert.equal(await flushed, true);
});

// ---------------------------------------------------------------- draft extras

const setExtras = (key, after) => ({ op: "set_extras", key, after });

test("set_extras goes through the outbox in order, unversioned, and comes back in the welcome", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const store = new MemoryStore();
  const first = await client(net, { store });
  assert.deepEqual(first.of("welcome")[0][1].extras, { global_attributes: {}, links: [] });
  net.goOffline();
  first.sync.push({ op: "add", annotation: box("b") });
  first.sync.push({ op: "batch", ops: [update("b", { left: 3 }),
    setExtras("links", [{ label: "tows", from: "a", to: "b" }])] });
  first.sync.push(setExtras("global_attributes", { weather: "sun" }));
  await flushMicrotasks();
  assert.equal(first.sync.state.text, "offline (3 unsent)");
  net.connections = [];  // the tab crashes; reopened online
  net.goOnline();
  const second = await client(net, { store });
  const [[, welcome]] = second.of("welcome");
  assert.deepEqual(welcome.pending.map((p) => p.seq), [1, 2, 3]);
  await net.settle();
  assert.deepEqual(server.applied, [1, 2, 3]);
  assert.deepEqual(server.extras, { global_attributes: { weather: "sun" },
    links: [{ label: "tows", from: "a", to: "b" }] });
  assert.equal(server.rows.get("b").left, 3);
  const third = await client(net, { store: new MemoryStore() });
  assert.deepEqual(third.of("welcome")[0][1].extras, server.extras);
  assert.deepEqual([...touchedExtras({ op: "batch", ops: [setExtras("links", []), update("a", {})] })], ["links"]);
});

test("the server's value of an extra is handed back unless a later op set it again", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { sync, of } = await client(net);
  sync.push(setExtras("global_attributes", { weather: " sun " }));
  await net.settle();
  assert.deepEqual(of("extras").map((e) => e.slice(1)), [["global_attributes", { weather: "sun" }, null]]);
  net.goOffline();
  sync.push(setExtras("global_attributes", { weather: " rain " }));
  sync.push(setExtras("global_attributes", { weather: "fog" }));
  net.goOnline();
  await net.settle();
  assert.equal(of("extras").length, 1);  // the trimmed rain was overtaken by fog
  sync.push(setExtras("global_attributes", { weather: "bad" }));
  await net.settle();
  const [, key, value, info] = of("extras")[1];
  assert.deepEqual([key, value, info.kind], ["global_attributes", { weather: "fog" }, "rule"]);
  assert.equal(of("reject").length, 1);
  assert.equal(of("conflict").length, 0);
});

test("remote ops are handed to the page", async () => {
  const server = new FakeServer([box("a")]);
  const net = new FakeNetwork(server);
  const { of } = await client(net);
  net.connections[0].handlers.message({ type: "remote_op", seq: 3, op: {}, annotations: { a: null } });
  await flushMicrotasks();
  assert.deepEqual(of("remote")[0][1].annotations, { a: null });
});

// ---------------------------------------------------------------- the WebSocket transport

class FakeSocket {
  static made = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.made.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }

  accept() {
    this.readyState = 1;
    this.onopen();
  }
}

test("the socket transport reconnects with a growing delay, but not after 4403 / 4410", () => {
  FakeSocket.made = [];
  const timers = new FakeTimers();
  const log = [];
  const transport = new SocketTransport("ws://x/ws/tasks/1/", { WebSocket: FakeSocket, timers, minDelay: 100, maxDelay: 400 });
  transport.connect({ open: () => log.push("open"), message: (m) => log.push(m.type), close: (i) => log.push(i.code) });
  assert.equal(transport.send({ type: "ping" }), false);
  FakeSocket.made[0].accept();
  assert.equal(transport.send({ type: "hello" }), true);
  FakeSocket.made[0].onmessage({ data: "{not json" });
  FakeSocket.made[0].onmessage({ data: '{"type": "ack"}' });
  FakeSocket.made[0].close(1006);
  timers.tick(99);
  assert.equal(FakeSocket.made.length, 1);
  timers.tick(1);
  assert.equal(FakeSocket.made.length, 2);
  FakeSocket.made[1].close(1006);  // never opened: the delay doubles
  timers.tick(200);
  assert.equal(FakeSocket.made.length, 3);
  FakeSocket.made[2].accept();
  FakeSocket.made[2].close(4410);
  timers.tick(10_000);
  assert.equal(FakeSocket.made.length, 3);
  assert.deepEqual(log, ["open", "ack", 1006, 1006, "open", 4410]);
});

test("the socket transport pings while open and stops for good on close()", () => {
  FakeSocket.made = [];
  const timers = new FakeTimers();
  const transport = new SocketTransport("ws://x/", { WebSocket: FakeSocket, timers, pingEvery: 50 });
  transport.connect({ open() {}, message() {}, close() {} });
  FakeSocket.made[0].accept();
  timers.tick(50);
  assert.deepEqual(FakeSocket.made[0].sent, [{ type: "ping" }]);
  transport.close();
  timers.tick(100_000);
  assert.equal(FakeSocket.made.length, 1);
  transport.reconnectNow();
  assert.equal(FakeSocket.made.length, 1);
});

// ---------------------------------------------------------------- the stores

for (const [name, makeStore] of [
  ["MemoryStore", () => new MemoryStore()],
  ["IdbStore", () => new IdbStore(fakeIndexedDB())],
]) {
  test(`${name} keeps meta and ops per key, in order, and deletes through a seq`, async () => {
    const store = makeStore();
    assert.deepEqual(await store.load("k"), { meta: null, ops: [] });
    const meta = { sessionId: "s", seq: 3, acked: 0, welcomed: true };
    await store.putMeta("k", meta);
    for (const seq of [3, 1, 2, 10]) await store.putOp("k", { seq, op: { op: "add", n: seq } });
    await store.putOp("other", { seq: 1, op: { op: "x" } });
    let loaded = await store.load("k");
    assert.deepEqual(loaded.meta, meta);
    assert.deepEqual(loaded.ops.map((e) => e.seq), [1, 2, 3, 10]);
    assert.deepEqual(loaded.ops[0], { seq: 1, op: { op: "add", n: 1 } });
    await store.deleteOps("k", 2);
    loaded = await store.load("k");
    assert.deepEqual(loaded.ops.map((e) => e.seq), [3, 10]);
    await store.deleteOps("k", Infinity);
    assert.deepEqual((await store.load("k")).ops, []);
    await store.clear("k");
    assert.deepEqual(await store.load("k"), { meta: null, ops: [] });
    assert.deepEqual((await store.load("other")).ops.map((e) => e.seq), [1]);
  });

  test(`a SyncClient on ${name} survives a reload`, async () => {
    const server = new FakeServer([box("a")]);
    const net = new FakeNetwork(server);
    const store = makeStore();
    const first = await client(net, { store });
    net.goOffline();
    first.sync.push(update("a", { left: 4 }));
    await flushMicrotasks();
    net.connections = [];
    net.goOnline();
    await client(net, { store });
    assert.equal(server.rows.get("a").left, 4);
  });
}

test("a watcher keeps watching through claims and releases; a final status ends it", () => {
  let closed = 0;
  const statuses = [];
  const transport = { close() { closed += 1; }, send() {}, connect() {}, on() {} };
  const sync = new SyncClient({ key: "task:w", store: new MemoryStore(), transport,
    onStatus: (status, event) => statuses.push([status, event]) });
  sync.role = "watcher";
  sync.statusChanged({ status: "pending", event: "claimed" });
  sync.statusChanged({ status: "pending", event: "released" });
  assert.equal(closed, 0);
  assert.equal(sync.ended, false);
  sync.statusChanged({ status: "completed", event: "completed" });
  assert.equal(closed, 1);
  assert.equal(sync.ended, true);
  assert.deepEqual(statuses.map((s) => s[1]), ["claimed", "released", "completed"]);
});
