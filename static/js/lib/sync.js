// The workbench's live session with the server (docs/live-sessions.md): the outbox of the
// tasker's operations, numbered and kept in a persistent store until the server answered each,
// sent in order over a pluggable transport, and the save state the page shows.
//
// No DOM: the transport (SocketTransport below, or a fake in the tests) and the store
// (MemoryStore below, IdbStore in idbstore.js) are passed in.
//
// Guarantees:
// * every operation given to push() is written to the store before the page could show it as
//   saved, and is sent until the server answered it (ack or reject); the server applies a
//   number once, so resending is always safe;
// * operations are numbered per session (1, 2, 3...) and sent in that order; a reload or a
//   crash resumes from the store: the server's welcome says which numbers it has, the rest is
//   sent again;
// * each update and delete carries base_version, the version the server will have when it
//   gets there (predicted from the draft's versions and the operations before it), so an
//   operation based on a version someone else changed is refused, and the page reloads that
//   annotation (onConflict).

/** @typedef {{seq: number, op: object}} Entry */
/** @typedef {{sessionId: string, seq: number, acked: number, welcomed: boolean}} Meta */
/**
 * @typedef {object} Store
 * @property {(key: string) => Promise<{meta: Meta | null, ops: Entry[]}>} load
 * @property {(key: string, meta: Meta) => Promise<void>} putMeta
 * @property {(key: string, entry: Entry) => Promise<void>} putOp
 * @property {(key: string, throughSeq: number) => Promise<void>} deleteOps
 * @property {(key: string) => Promise<void>} clear
 */
/**
 * @typedef {object} TransportHandlers
 * @property {() => void} open
 * @property {(message: any) => void} message
 * @property {(info: {code?: number, reason?: string}) => void} close
 */
/**
 * @typedef {object} Transport
 * @property {(handlers: TransportHandlers) => void} connect
 * @property {(message: object) => boolean} send  false when not connected
 * @property {() => void} close  for good: no reconnect
 */
import { opKind } from "./oplog.js";

const FINAL_STATUSES = new Set(["completed", "canceled", "error"]);

/** @typedef {{status: "saved" | "saving" | "offline", unsent: number, text: string}} SaveState */

/** Close codes after which reconnecting is pointless (docs/live-sessions.md). */
export const TERMINAL_CLOSE_CODES = new Set([4403, 4410]);

/** A random id for a session or a tab. */
export function randomId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

// ---------------------------------------------------------------- versions of operations

/** The uuid an add / update / delete names. */
function uuidOf(op) {
  return op.op === "update" ? op.uuid : op.annotation?.uuid;
}

/** Every uuid an operation touches (a set_extras touches none, nor does a registered kind
 * such as a review verdict: lib/oplog.js registerOp). */
export function touchedUuids(op, into = new Set()) {
  if (op.op === "batch") for (const item of op.ops) touchedUuids(item, into);
  else if (op.op !== "set_extras" && !opKind(op.op)) into.add(uuidOf(op));
  return into;
}

/** The draft extras keys (global_attributes, links, ...) an operation sets. */
export function touchedExtras(op, into = new Set()) {
  if (op.op === "batch") for (const item of op.ops) touchedExtras(item, into);
  else if (op.op === "set_extras") into.add(op.key);
  return into;
}

/**
 * The op as sent: without the OpLog's bookkeeping keys, each update and delete with its
 * base_version. `versions` (uuid → version) is advanced as the server will advance it.
 * @param {any} op @param {Map<string, number>} versions @returns {any}
 */
export function stamp(op, versions) {
  const { seq, merge, ...rest } = op;
  if (rest.op === "batch") return { ...rest, ops: rest.ops.map((item) => stamp(item, versions)) };
  if (rest.op === "set_extras") return rest;  // unversioned: the whole value each time
  if (opKind(rest.op)) return rest;  // a registered kind (a verdict, an issue): no version
  const uuid = uuidOf(rest);
  if (rest.op === "add") {
    versions.set(uuid, 1);
    return rest;
  }
  const base = versions.get(uuid) ?? 0;
  if (rest.op === "delete") versions.delete(uuid);
  else versions.set(uuid, base + 1);
  return { ...rest, base_version: base };
}

/** Advance `versions` over an op already stamped (a replay). */
function advance(op, versions) {
  stamp(op, versions);
}

function versionsOf(annotations) {
  return new Map(annotations.map((a) => [a.uuid, a.version]));
}

function sameVersions(a, b) {
  if (a.size !== b.size) return false;
  for (const [uuid, version] of a) if (b.get(uuid) !== version) return false;
  return true;
}

// ---------------------------------------------------------------- the in-memory store

/** The Store interface in memory (tests, and pages without IndexedDB). */
export class MemoryStore {
  constructor() {
    /** @type {Map<string, {meta: Meta | null, ops: Map<number, Entry>}>} */
    this.records = new Map();
  }

  record(key) {
    let record = this.records.get(key);
    if (!record) {
      record = { meta: null, ops: new Map() };
      this.records.set(key, record);
    }
    return record;
  }

  async load(key) {
    const record = this.record(key);
    const ops = [...record.ops.values()].sort((a, b) => a.seq - b.seq);
    return structuredClone({ meta: record.meta, ops });
  }

  async putMeta(key, meta) {
    this.record(key).meta = structuredClone(meta);
  }

  async putOp(key, entry) {
    this.record(key).ops.set(entry.seq, structuredClone(entry));
  }

  async deleteOps(key, throughSeq) {
    const ops = this.record(key).ops;
    for (const seq of [...ops.keys()]) if (seq <= throughSeq) ops.delete(seq);
  }

  async clear(key) {
    this.records.delete(key);
  }
}

// ---------------------------------------------------------------- the client

const noop = () => {};

/**
 * One page's session with the server for one task.
 *
 * Callbacks (all optional):
 * * onState(state): the save state changed ({status, unsent, text}).
 * * onWelcome({role, annotations, extras, pending, rebuild, reason, status}): the server's draft
 *   (annotations with versions, and its extras: {global_attributes, links, ...}). With
 *   `rebuild`, the page replaces its model with `annotations` and `extras` and applies
 *   `pending` (the ops the server does not have yet, in order) on top; without it, its model
 *   already is that.
 * * onRole(role, reason): "editor" | "readonly" | "watcher" changed (readonly: show the notice
 *   and a "Take over" button; editing stays refused until role is editor).
 * * onConflict(uuid, annotation | null, info): the server refused an op on this annotation;
 *   replace it in the model with `annotation` (null: remove it). info: {seq, kind, reason}.
 * * onReject({seq, kind, reason, op, annotations}): once per refused op (for the status bar).
 * * onNormalize(uuid, annotation): the server stored this annotation slightly differently
 *   (rounding, computed fields): replace it in the model, without an undo step.
 * * onExtras(key, value, info): the server holds this value of a draft extra (it stored the
 *   sent one differently, or refused it; info: {seq, kind, reason} on a refusal): replace it
 *   in the model, without an undo step. Only when no later op of this page set that key.
 * * onRemote(message): a remote_op (read-only tabs and watchers): apply message.annotations.
 * * onStatus(status, event): the task is no longer editable here ("completed", "canceled",
 *   "error", "lease_lost"); the session has ended.
 * * onReset(): the server discarded this session's draft (its lease lapsed); the unsent ops
 *   were dropped and a rebuilding welcome follows.
 * * onError(message): the server or the store complained.
 * * onAck(message, op): the server took one of this page's ops (after the above).
 */
export class SyncClient {
  /**
   * @param {{key: string, transport: Transport, store?: Store, tabId?: string,
   *   ackTimeout?: number, window?: number, timers?: {setTimeout: Function,
   *   clearTimeout: Function}} & Record<string, any>} options
   */
  constructor({ key, transport, store = new MemoryStore(), tabId = randomId(),
    ackTimeout = 5000, window = 64, timers = globalThis, ...callbacks }) {
    this.key = key;
    this.transport = transport;
    this.store = store;
    this.tabId = tabId;
    this.ackTimeout = ackTimeout;
    this.window = window;
    this.timers = timers;
    /** @type {Record<string, (...args: any[]) => void>} */
    this.on = {
      state: noop, welcome: noop, role: noop, conflict: noop, reject: noop, normalize: noop,
      extras: noop, remote: noop, status: noop, reset: noop, error: noop, ack: noop,
    };
    for (const [name, fn] of Object.entries(callbacks)) {
      if (name.startsWith("on") && typeof fn === "function") {
        this.on[name[2].toLowerCase() + name.slice(3)] = fn;
      }
    }
    /** @type {Meta} set by start(), before the transport or the page call anything else */
    this.meta = /** @type {any} */ (null);
    /** @type {(Entry & {sent: boolean, done: boolean})[]} */
    this.entries = [];
    /** @type {Map<string, number>} the versions the server will have after every entry */
    this.versions = new Map();
    /** @type {Map<string, number>} uuid → the last seq that touched it */
    this.lastTouch = new Map();
    /** @type {Map<string, number>} extras key → the last seq that set it */
    this.lastExtras = new Map();
    this.role = null;
    this.connected = false;
    this.welcomed = false;
    this.ended = false;
    this.timer = null;
    this.writes = Promise.resolve();
    this.inbox = Promise.resolve();
    this.lastState = "";
    this.waiters = [];
  }

  // -- the page's side

  /** Load the outbox from the store and connect. */
  async start() {
    const { meta, ops } = await this.store.load(this.key);
    this.meta = meta || { sessionId: randomId(), seq: 0, acked: 0, welcomed: false };
    this.meta.seq = Math.max(this.meta.seq, this.meta.acked, ...ops.map((e) => e.seq));
    this.entries = ops.map((e) => ({ ...e, sent: false, done: false }));
    if (!meta) await this.write((s) => s.putMeta(this.key, this.meta));
    this.emitState();
    this.transport.connect({
      open: () => this.opened(),
      message: (m) => this.enqueue(() => this.received(m)),
      close: (info) => this.closed(info || {}),
    });
  }

  get sessionId() {
    return this.meta?.sessionId;
  }

  /** May the page edit now? */
  get canEdit() {
    return this.role === "editor" && !this.ended;
  }

  /** The ops the server has not answered yet, in order. */
  pending() {
    return this.entries.filter((e) => !e.done).map(({ seq, op }) => ({ seq, op }));
  }

  /**
   * Queue one op (from OpLog's onChange: {kind, op}); returns its number.
   * @param {object} op @returns {number}
   */
  push(op) {
    if (!this.canEdit) throw new Error("This tab cannot edit the task now");
    this.meta.seq += 1;
    const entry = { seq: this.meta.seq, op: stamp(op, this.versions) };
    this.touch(entry);
    this.entries.push({ ...entry, sent: false, done: false });
    const meta = { ...this.meta };
    this.write((s) => s.putOp(this.key, entry).then(() => s.putMeta(this.key, meta)));
    this.pump();
    this.emitState();
    return entry.seq;
  }

  /** Remember that `entry` is the latest to touch its annotations and extras keys. */
  touch(entry) {
    for (const uuid of touchedUuids(entry.op)) this.lastTouch.set(uuid, entry.seq);
    for (const key of touchedExtras(entry.op)) this.lastExtras.set(key, entry.seq);
  }

  /** Ask the server for the editing session (from a read-only tab). */
  takeOver() {
    this.transport.send({ type: "takeover" });
  }

  /**
   * Resolves with true once every op was answered (wait for it before a submit), with false
   * when the session ended first.
   * @returns {Promise<boolean>}
   */
  flush() {
    if (this.ended) return Promise.resolve(false);
    if (!this.unsent() && this.state.status === "saved") return Promise.resolve(true);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forget the outbox (after the task was submitted). */
  async clear() {
    this.entries = [];
    await this.write((s) => s.clear(this.key));
  }

  /** Close for good. */
  stop() {
    this.ended = true;
    this.stopTimer();
    this.transport.close();
  }

  /** @returns {SaveState} */
  get state() {
    const unsent = this.unsent();
    if (!this.connected || !this.welcomed) {
      return { status: "offline", unsent, text: `offline (${unsent} unsent)` };
    }
    if (unsent) return { status: "saving", unsent, text: "saving" };
    return { status: "saved", unsent: 0, text: "saved" };
  }

  // -- the transport's side

  opened() {
    this.connected = true;
    this.welcomed = false;
    for (const entry of this.entries) entry.sent = false;
    this.transport.send({ type: "hello", session_id: this.meta.sessionId, tab_id: this.tabId,
      last_seq: this.meta.acked });
  }

  /** @param {{code?: number, reason?: string}} info */
  closed({ code }) {
    this.connected = false;
    this.welcomed = false;
    this.stopTimer();
    if (code !== undefined && TERMINAL_CLOSE_CODES.has(code)) this.ended = true;
    this.emitState();
  }

  enqueue(task) {
    this.inbox = this.inbox.then(task).catch((error) => this.on.error(String(error)));
    return this.inbox;
  }

  async received(message) {
    const handler = {
      welcome: () => this.welcome(message), ack: () => this.acked(message),
      reject: () => this.rejected(message), resend: () => this.resend(message.from_seq),
      readonly: () => this.demoted(message.reason), status: () => this.statusChanged(message),
      remote_op: () => this.on.remote(message), error: () => this.on.error(message.message),
    }[message?.type];
    if (handler) await handler();
  }

  // -- server messages

  async welcome(message) {
    const wasEditor = this.role === "editor";
    const firstWelcome = !this.lastWelcome;
    this.lastWelcome = message;
    if (message.role !== "editor") {
      this.entries = [];  // the store keeps them for whichever tab edits
      this.setRole(message.role, message.reason);
      this.on.welcome({ role: message.role, annotations: message.annotations,
        extras: message.extras || null, pending: [], rebuild: true,
        reason: message.reason || "", status: message.status || null });
      this.welcomed = true;
      this.emitState();
      return;
    }
    await this.writes;
    const reset = await this.reloadOutbox(message);
    const expected = this.versions;
    this.versions = versionsOf(message.annotations);
    this.lastTouch = new Map();
    this.lastExtras = new Map();
    for (const entry of this.entries) {
      advance(entry.op, this.versions);
      this.touch(entry);
    }
    const rebuild = firstWelcome || !wasEditor || reset || !sameVersions(expected, this.versions);
    this.setRole("editor", "");
    this.welcomed = true;
    this.on.welcome({ role: "editor", annotations: message.annotations,
      extras: message.extras || null, pending: this.pending(), rebuild, reason: "",
      status: message.status || null });
    this.pump();
    this.emitState();
  }

  /** Take the outbox from the store again (another tab may have edited with it) and drop
   * what the server has; returns true when the server had discarded this session's draft. */
  async reloadOutbox(message) {
    const last = message.last_seq;
    const stored = await this.store.load(this.key);
    const ops = stored.ops;
    if (stored.meta?.sessionId === this.meta.sessionId) this.meta = { ...stored.meta };
    const reset = Boolean(this.meta.welcomed && message.new_session
      && (ops.length || this.meta.seq > last));
    let entries = reset ? [] : ops.filter((e) => e.seq > last);
    // Numbers the server will take next: last + 1, last + 2... (renumbered if the server lost
    // some, e.g. a database restored from a backup: the edits are kept).
    const renumber = !entries.every((e, i) => e.seq === last + 1 + i);
    if (renumber) entries = entries.map((e, i) => ({ seq: last + 1 + i, op: e.op }));
    this.entries = entries.map((e) => ({ ...e, sent: false, done: false }));
    this.meta = { ...this.meta, seq: last + entries.length, acked: last, welcomed: true };
    const meta = { ...this.meta };
    await this.write(async (store) => {
      await store.deleteOps(this.key, reset || renumber ? Infinity : last);
      if (renumber) for (const entry of entries) await store.putOp(this.key, entry);
      await store.putMeta(this.key, meta);
    });
    if (reset) this.on.reset();
    return reset;
  }

  acked(message) {
    const entry = this.resolve(message.seq);
    if (!entry) return;
    for (const [uuid, version] of Object.entries(message.versions || {})) {
      if (this.lastTouch.get(uuid) !== message.seq) continue;
      if (version === null) this.versions.delete(uuid);
      else this.versions.set(uuid, version);
    }
    for (const [uuid, annotation] of Object.entries(message.normalized || {})) {
      if (this.lastTouch.get(uuid) === message.seq) this.on.normalize(uuid, annotation);
    }
    this.serverExtras(message, null);
    this.on.ack(message, entry.op);
  }

  /** Hand the page the server's value of each extras key this op was the last to set. */
  serverExtras(message, info) {
    for (const [key, value] of Object.entries(message.extras || {})) {
      if (this.lastExtras.get(key) === message.seq) this.on.extras(key, value, info);
    }
  }

  rejected(message) {
    const entry = this.resolve(message.seq);
    if (!entry) return;
    const annotations = message.annotations || {};
    for (const [uuid, annotation] of Object.entries(annotations)) {
      if (this.lastTouch.get(uuid) === message.seq) {
        if (annotation) this.versions.set(uuid, annotation.version);
        else this.versions.delete(uuid);
      }
    }
    const info = { seq: message.seq, kind: message.kind, reason: message.reason };
    this.on.reject({ ...info, op: entry.op, annotations });
    for (const [uuid, annotation] of Object.entries(annotations)) {
      this.on.conflict(uuid, annotation, info);
    }
    this.serverExtras(message, info);
  }

  /** Mark an entry answered; drop the answered prefix from the store. */
  resolve(seq) {
    if (this.role !== "editor") return null;  // the tab that edits now gets its own answer
    const entry = this.entries.find((e) => e.seq === seq && !e.done);
    if (!entry) return null;
    entry.done = true;
    this.restartTimer();
    let acked = this.meta.acked;
    while (this.entries.length && this.entries[0].done) acked = /** @type {Entry} */ (this.entries.shift()).seq;
    if (acked !== this.meta.acked) {
      this.meta.acked = acked;
      const meta = { ...this.meta };
      this.write((s) => s.deleteOps(this.key, acked).then(() => s.putMeta(this.key, meta)));
    }
    this.pump();
    this.emitState();
    return entry;
  }

  resend(fromSeq) {
    for (const entry of this.entries) if (entry.seq >= fromSeq) entry.sent = false;
    this.pump();
  }

  demoted(reason) {
    this.entries = [];  // still in the store, for the tab that took over
    this.setRole("readonly", reason || "");
    this.stopTimer();
    this.emitState();
  }

  statusChanged(message) {
    // Watchers hear of every change (claimed, released, ...); only a final one ends watching.
    if (this.role === "watcher" && !FINAL_STATUSES.has(message.status)) {
      this.on.status(message.status, message.event);
      return;
    }
    this.ended = true;
    this.setRole(null, "");
    this.stopTimer();
    for (const resolve of this.waiters.splice(0)) resolve(false);
    this.on.status(message.status, message.event);
    this.transport.close();
  }

  // -- sending

  pump() {
    if (!this.connected || !this.welcomed || this.role !== "editor" || this.ended) return;
    const open = this.entries.filter((e) => !e.done);
    const limit = (open[0]?.seq ?? 0) + this.window;
    for (const entry of open) {
      if (entry.seq >= limit) break;
      if (entry.sent) continue;
      if (!this.transport.send({ type: "op", seq: entry.seq, op: entry.op })) return;
      entry.sent = true;
    }
    if (open.length && !this.timer) this.restartTimer();
  }

  /** Without an answer for ackTimeout, send every unanswered op again. */
  restartTimer() {
    this.stopTimer();
    if (!this.entries.some((e) => !e.done)) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      for (const entry of this.entries) entry.sent = false;
      this.pump();
    }, this.ackTimeout);
  }

  stopTimer() {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  // -- small things

  unsent() {
    return this.entries.filter((e) => !e.done).length;
  }

  setRole(role, reason) {
    if (role === this.role) return;
    this.role = role;
    this.on.role(role, reason);
  }

  emitState() {
    const state = this.state;
    if (state.status === "saved") for (const resolve of this.waiters.splice(0)) resolve(true);
    if (state.text === this.lastState) return;
    this.lastState = state.text;
    this.on.state(state);
  }

  /** Chain store writes so they happen in order; a failing store is reported, not fatal. */
  write(action) {
    this.writes = this.writes.then(() => action(this.store))
      .catch((error) => this.on.error(`The browser could not keep the edits: ${error}`));
    return this.writes;
  }
}

// ---------------------------------------------------------------- the WebSocket transport

/**
 * A Transport over a WebSocket that reconnects with a growing delay (not after 4403 / 4410,
 * nor after close()), and pings now and then so that a dead connection is noticed.
 */
export class SocketTransport {
  /**
   * @param {string} url ws:// or wss:// URL of /ws/tasks/<id>/
   * @param {{WebSocket?: any, timers?: any, minDelay?: number, maxDelay?: number,
   *   pingEvery?: number}} [options]
   */
  constructor(url, { WebSocket = globalThis.WebSocket, timers = globalThis, minDelay = 500,
    maxDelay = 15000, pingEvery = 25000 } = {}) {
    this.url = url;
    this.WebSocket = WebSocket;
    this.timers = timers;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.pingEvery = pingEvery;
    /** @type {TransportHandlers} set by connect() */
    this.handlers = { open: noop, message: noop, close: noop };
    this.delay = minDelay;
    this.socket = null;
    this.stopped = false;
    this.retry = null;
    this.ping = null;
  }

  /** @param {TransportHandlers} handlers */
  connect(handlers) {
    this.handlers = handlers;
    this.stopped = false;
    this.open();
  }

  open() {
    const socket = new this.WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.delay = this.minDelay;
      this.ping = this.timers.setInterval(() => this.send({ type: "ping" }), this.pingEvery);
      this.handlers.open();
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handlers.message(message);
    };
    socket.onclose = (event) => this.lost(socket, event);
  }

  lost(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.timers.clearInterval(this.ping);
    this.handlers.close({ code: event.code, reason: event.reason });
    if (this.stopped || TERMINAL_CLOSE_CODES.has(event.code)) return;
    this.retry = this.timers.setTimeout(() => this.open(), this.delay);
    this.delay = Math.min(this.delay * 2, this.maxDelay);
  }

  /** Try again at once (e.g. when the browser says it is back online). */
  reconnectNow() {
    if (this.socket || this.stopped) return;
    this.timers.clearTimeout(this.retry);
    this.open();
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close() {
    this.stopped = true;
    this.timers.clearTimeout(this.retry);
    this.timers.clearInterval(this.ping);
    if (this.socket) this.socket.close(1000);
  }
}
