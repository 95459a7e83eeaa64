// The workbench's live session (docs/live-sessions.md, "What the workbench page does"): every
// edit of the AnnotationStore is sent to the server as one operation (SyncClient over a
// WebSocket, the outbox in IndexedDB), the model follows the server's welcome, conflicts,
// normalizations and (in read-only tabs and for watchers) the editor's operations, and the top
// bar shows the save state. Submit then submits the server's draft.
//
// The page's model is changed here WITHOUT the OpLog (and so without pushing) whenever the
// change comes from the server; only the tasker's own apply / undo / redo are pushed.
// Global attributes and links are the draft's too: a change of them is sent as a set_extras
// with the whole new value, through the same outbox, in order with the annotation ops.
// Registered op kinds (lib/oplog.js registerOp: the review's verdicts and issues) travel the
// same way: a verdict through the OpLog (undoable), an issue through push() (a conversation,
// not undone); their kind hears of the server's answers and of other tabs' ops.

import { applyOp, clone, extrasOf, extrasOps, opKind, opKinds, registeredOps } from "../lib/oplog.js";
import { splitMeta } from "../lib/annotationstore.js";
import { MemoryStore, SocketTransport, SyncClient, touchedUuids } from "../lib/sync.js";
import { IdbStore } from "../lib/idbstore.js";
import { continuingText, leaseState } from "../lib/lease.js";
import { submitTask } from "./api.js";

/** Operations the server's draft takes as the page makes them (set_extras ops are rebuilt
 * from the model by extrasOps(), like the page's globals and link ops). */
const DRAFT_OPS = new Set(["add", "update", "delete"]);

/**
 * The annotation part of an op (the page's globals and link ops are dropped, also inside
 * batches; extrasOps() stands for them); null when nothing is left.
 * @param {any} op @returns {any}
 */
export function draftPart(op) {
  if (!op) return null;
  if (op.op === "batch") {
    const ops = op.ops.map(draftPart).filter(Boolean);
    if (!ops.length) return null;
    return ops.length === 1 ? ops[0] : { op: "batch", ops };
  }
  return DRAFT_OPS.has(op.op) || opKind(op.op) ? op : null;
}

/**
 * The operation the server's draft gets for one change of the page's model (call it after
 * the change): its annotation part, then a set_extras with the new whole value of each
 * extras key it changed (after the annotations, so that links find their ends); null when
 * nothing is for the server.
 * @param {any} model @param {any} op @returns {any}
 */
export function serverOp(model, op) {
  const part = draftPart(op);
  const ops = [...(part?.op === "batch" ? part.ops : part ? [part] : []), ...extrasOps(model, op)];
  if (!ops.length) return null;
  return ops.length === 1 ? ops[0] : { op: "batch", ops };
}

/** ws(s):// URL of a socket path of this server. */
export function socketUrl(path, loc = globalThis.location) {
  if (/^wss?:\/\//.test(path)) return path;
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}`;
}

const ACTIVE_EVERY_MS = 30000;

const SAVE_TEXT = {
  saved: () => "Saved",
  saving: () => "Saving…",
  offline: (unsent) => `Offline — ${unsent} unsent`,
};

export class Autosave {
  /**
   * @param {any} app the Workbench
   * @param {any} data GET /tasks/<id>/data
   * @param {{transport?: any, store?: any}} [options] (tests)
   */
  constructor(app, data, options = {}) {
    this.app = app;
    this.data = data;
    this.key = `task:${data.task_id}`;
    this.applying = false;  // a server-made change: not pushed
    this.role = null;
    this.ended = false;
    this.welcomed = false;
    this.watcher = Boolean(app.readOnly);
    this.store = options.store || this.makeStore();
    this.transport = options.transport || new SocketTransport(socketUrl(data.socket_url));
    this.holdWhileOffline(this.transport);
    this.buildUi();
    this.block("Connecting to the server… editing starts once it answers");
    this.hookStore();
    this.sync = new SyncClient({
      key: this.key,
      transport: this.transport,
      store: this.store,
      onState: (state) => this.showState(state),
      onWelcome: (welcome) => this.welcome(welcome),
      onRole: (role, reason) => this.roleChanged(role, reason),
      onConflict: (uuid, annotation) => this.replace(uuid, annotation),
      onReject: (info) => this.rejected(info),
      onNormalize: (uuid, annotation) => this.replace(uuid, annotation, { quiet: true }),
      onExtras: (key, value, info) => this.replaceExtras({ [key]: value }, { quiet: !info }),
      onRemote: (message) => this.remote(message),
      onStatus: (status) => this.statusChanged(status),
      onReset: () => {
        // never a lapsed lease nor a Skip, which keep the draft (docs/live-sessions.md "Leases")
        this.app.status("The server restarted this task's draft (it was sent back): the unsent edits of this browser no longer apply", "warn");
      },
      onError: (message) => this.app.status(String(message), "error"),
      onAck: (message, op) => {
        for (const kind of opKinds()) kind.acked?.(message, op);
      },
    });
    this.watchLease(data);
    this.onOnline = () => this.transport.reconnectNow?.();
    window.addEventListener("online", this.onOnline);
    // The browser says the network is gone: an open socket may linger for minutes before it
    // notices, so drop it now (edits then wait in the outbox; "online" reconnects).
    window.addEventListener("offline", () => this.dropConnection());
  }

  /** The lease's end, warned of before it comes (docs/live-sessions.md "Leases"), and whose
   * draft this is when another tasker made it. */
  watchLease(data) {
    if (this.watcher) return;
    this.leaseSeconds = Number(data.lease_seconds) || 1800;
    this.lastConnectedAt = Date.now();
    this.lastActiveAt = Date.now();
    this.heartbeatSeconds = Number(data.heartbeat_seconds) || 60;
    this.expiresAt = data.lease_expires_at ? Date.parse(data.lease_expires_at) : null;
    const by = continuingText(data.draft_by);
    if (by) {
      this.draftBy.textContent = by;
      this.draftBy.hidden = false;
      this.app.root.dataset.draftBy = data.draft_by;
    }
    this.leaseTimer = setInterval(() => this.checkLease(), 1000);
    // The server renews the lease only while the tasker works: say so, at most every 30 s.
    let said = 0;
    const active = () => {
      const now = Date.now();
      this.lastActiveAt = now;
      if (now - said < ACTIVE_EVERY_MS) return;
      if (this.transport.send?.({ type: "active" })) said = now;
    };
    for (const type of ["pointerdown", "keydown", "wheel"]) {
      window.addEventListener(type, active, { capture: true, passive: true });
    }
  }

  checkLease() {
    if (this.ended || !this.sync) {
      this.leaseBox.hidden = true;
      return;
    }
    const connected = this.sync.state.status !== "offline";
    if (connected) this.lastConnectedAt = Date.now();
    const state = leaseState({ leaseSeconds: this.leaseSeconds, lastConnectedAt: this.lastConnectedAt,
      lastActiveAt: this.lastActiveAt, heartbeatSeconds: this.heartbeatSeconds,
      expiresAt: this.expiresAt, connected, now: Date.now() });
    this.leaseBox.hidden = !state.warn;
    this.leaseBox.textContent = state.text;
  }

  makeStore() {
    if (this.watcher) return new MemoryStore();  // watchers never have an outbox
    try {
      if (globalThis.indexedDB) {
        this.persistent = true;
        return new IdbStore();
      }
    } catch {
      /* fall through */
    }
    this.persistent = false;
    return new MemoryStore();
  }

  start() {
    return this.sync.start();
  }

  /** No connection attempts while the browser knows it is offline (each one fails and logs
   * an error); the "online" event reconnects, and a slow retry covers a missed event. */
  holdWhileOffline(transport) {
    if (typeof transport.open !== "function") return;
    const open = transport.open.bind(transport);
    transport.open = () => {
      if (globalThis.navigator?.onLine !== false) {
        open();
        return;
      }
      transport.timers.clearTimeout(transport.retry);
      transport.retry = transport.timers.setTimeout(() => transport.open(), transport.maxDelay);
    };
  }

  dropConnection() {
    const transport = this.transport;
    const socket = transport.socket;
    if (!socket || typeof transport.lost !== "function") return;
    transport.lost(socket, { code: 3000, reason: "offline" });  // reconnects with a delay
    try {
      socket.close(3000, "offline");
    } catch {
      /* already closing */
    }
  }

  // ---------------------------------------------------------------- the page's edits

  /** Push each apply / undo / redo; refuse edits while this tab may not edit. */
  hookStore() {
    const store = this.app.store;
    const log = store.log;
    log.onChange = ({ op }) => {
      if (this.applying) return;
      const part = serverOp(store.model, op);
      if (!part) return;
      try {
        this.sync.push(part);
      } catch (error) {
        this.app.status(`This edit was not saved: ${error instanceof Error ? error.message : error}`, "error");
      }
    };
    // A safety net under app.can(): undo, redo and every other edit path.
    for (const name of ["apply", "undo", "redo"]) {
      const original = store[name].bind(store);
      store[name] = (...args) => {
        if (this.applying || !this.app.editBlock) return original(...args);
        this.app.refuse(this.app.editBlock);
        return null;
      };
    }
  }

  /**
   * Send an op that is not an edit of the model's undo log (a registered kind that cannot be
   * undone, e.g. a review issue's comment): ordered with the edits, kept in the outbox until
   * the server answered. Returns false (saying why) when this tab may not send now.
   * @param {any} op
   */
  push(op) {
    if (this.app.editBlock) {
      this.app.refuse(this.app.editBlock);
      return false;
    }
    try {
      this.sync.push(op);
      return true;
    } catch (error) {
      this.app.status(`Not saved: ${error instanceof Error ? error.message : error}`, "error");
      return false;
    }
  }

  /** Editing refused with `reason` ("" allows it again). While it is refused the page is on
   * Select; when it is allowed again the tool it was on comes back (a mask page's Brush,
   * hooks.setStartTool, after the connection's welcome). */
  block(reason) {
    const app = this.app;
    app.editBlock = reason;
    app.root.dataset.editing = reason ? "false" : "true";
    if (reason) {
      if (this.toolBeforeBlock === undefined) this.toolBeforeBlock = app.tool?.name ?? null;
      app.tool?.cancel?.();
      app.setTool?.("select");
      return;
    }
    const before = this.toolBeforeBlock;
    this.toolBeforeBlock = undefined;
    if (before && before !== "select" && app.tool?.name === "select" && app.tools?.[before] && app.mode === "idle") app.setTool(before);
  }

  // ---------------------------------------------------------------- server → model

  /** Run `fn` as a server-made change: not pushed, and editing is not refused. */
  serverChange(fn) {
    const was = this.applying;
    this.applying = true;
    try {
      return fn();
    } finally {
      this.applying = was;
    }
  }

  welcome({ role, annotations, extras, pending, rebuild, status }) {
    this.welcomed = true;
    if (status) this.taskStatus = status;
    if (rebuild) {
      this.serverChange(() => {
        const store = this.app.store;
        store.model.clear();
        store.meta.clear();
        store.index.clear();
        store.selection.clear();
        for (const item of annotations || []) {
          const { annotation, meta } = splitMeta(item);
          store.model.set(annotation.uuid, annotation);
          store.meta.set(annotation.uuid, meta);
        }
        if (extras) {
          store.model.extras = {
            ...clone(extras),
            global_attributes: clone(extras.global_attributes || {}),
            links: clone(extras.links || []),
          };
        }
        for (const { op } of pending || []) {
          try {
            applyOp(store.model, op);
            for (const uuid of touchedUuids(op)) {
              if (!store.meta.has(uuid)) store.meta.set(uuid, { source: "tasker", locked: false, version: 0 });
            }
          } catch (error) {
            this.app.status(`An unsent edit no longer applies: ${error instanceof Error ? error.message : error}`, "warn");
          }
        }
        // links to annotations that are gone are dropped
        if (store.model.extras?.links) {
          store.model.extras.links = store.model.extras.links.filter(
            (link) => store.model.has(link.from) && store.model.has(link.to));
        }
        for (const uuid of store.model.keys()) store.indexOne(uuid);
        store.log.clear();
        store.emit("apply", { op: "batch", ops: [] }, new Set(store.model.keys()));
      });
    }
    this.roleChanged(role, "");
    if (rebuild && pending?.length) this.app.status(`${pending.length} unsent edits restored from this browser; sending them now`);
    this.app.root.dataset.live = role || "";
  }

  roleChanged(role, reason) {
    this.role = role;
    this.app.root.dataset.live = role || "";
    if (this.sync) this.showState(this.sync.state);
    if (this.ended) return;
    if (role === "editor") {
      this.block("");
      this.notice("");
      return;
    }
    if (role === "readonly") {
      this.block("This tab is read-only: the task is being edited elsewhere. Take over to edit here.");
      this.notice(reason || "This task is open for editing in another tab or window. This one is read-only.", { takeOver: true });
      this.app.store.log.clear();
      this.app.updateToolbar?.();
      return;
    }
    if (role === "watcher") {
      this.block("This is a read-only view");
      this.notice("");
    }
  }

  /** Replace (null: remove) one annotation as the server has it, without an undo step. */
  replace(uuid, item, { quiet = false, index = null } = {}) {
    this.serverChange(() => {
      const store = this.app.store;
      if (!item) {
        store.model.delete(uuid);
        store.selection.delete(uuid);
      } else {
        const { annotation, meta } = splitMeta(item);
        if (store.model.has(uuid)) store.model.set(uuid, annotation);
        else insertAt(store.model, uuid, annotation, index);
        store.meta.set(uuid, meta);
      }
      store.indexOne(uuid);
      if (!quiet) {
        store.log.clear();
        this.app.updateToolbar?.();
      }
      store.emit("apply", { op: "batch", ops: [] }, new Set([uuid]));
    });
  }

  /** Replace draft extras ({key: value}) as the server has them, without an undo step. */
  replaceExtras(values, { quiet = false } = {}) {
    this.serverChange(() => {
      const store = this.app.store;
      const extras = extrasOf(store.model);
      for (const [key, value] of Object.entries(values || {})) extras[key] = clone(value);
      if (!quiet) {
        store.log.clear();
        this.app.updateToolbar?.();
      }
      store.emit("apply", { op: "batch", ops: [] }, new Set());
    });
  }

  rejected({ kind, reason, op }) {
    for (const item of registeredOps(op)) opKind(item.op)?.rejected?.(item, { kind, reason });
    const what = kind === "conflict" ? "changed elsewhere" : "refused by the server";
    const reloaded = op && !touchedUuids(op).size
      ? (registeredOps(op).length ? "It was undone on this page" : "It was reloaded")
      : "The annotation was reloaded";
    const message = `Not saved (${what}): ${reason}. ${reloaded}; undo history cleared.`;
    this.app.status(message, "error");
    this.app.root.dataset.conflict = reason || kind || "";
  }

  remote(message) {
    const { op, annotations, extras } = message;
    for (const kind of opKinds()) kind.applyRemote?.(message);
    const index = op?.op === "add" && Number.isInteger(op.index) ? op.index : null;
    for (const [uuid, item] of Object.entries(annotations || {})) {
      this.replace(uuid, item, { quiet: true, index });
    }
    if (extras && Object.keys(extras).length) this.replaceExtras(extras, { quiet: true });
  }

  statusChanged(status) {
    if (status === "pending") {  // a watcher hears of claims and releases: watching goes on
      this.app.status("The task changed hands; still watching.", "info");
      return;
    }
    this.ended = true;
    const text = {
      completed: "This task was submitted",
      canceled: "This task was canceled",
      error: "This task ended in an error",
      lease_lost: "This task is no longer leased to you",
    }[status] || `This task is now ${status}`;
    this.block(`${text}: it can no longer be edited here`);
    this.app.leaving = true;
    this.notice(`${text}. It can no longer be edited here.`, { queue: true });
    this.app.status(`${text}.`, "warn");
    this.app.root.dataset.live = "ended";
  }

  // ---------------------------------------------------------------- submit

  /**
   * Submit the server's draft (annotations, global attributes, links) once every op was
   * answered; what the page holds (`_body`) is not sent: the server has it. Resolves like
   * submitTask().
   */
  async submit(_body = null, { timeout = 20000 } = {}) {
    const unsent = this.sync.state.unsent;
    if (unsent) this.app.status(`Saving ${unsent} edits before the submit…`);
    const flushed = await Promise.race([
      this.sync.flush(),
      new Promise((resolve) => setTimeout(() => resolve(null), timeout)),
    ]);
    if (flushed === null) {
      return { ok: false, status: 0, error: `${this.sync.state.unsent} edits are not saved yet (offline?). Nothing was lost: try again once the page says Saved.` };
    }
    if (!flushed) return { ok: false, status: 0, error: "The live session has ended: this task can no longer be submitted here." };
    const result = await submitTask(this.app.urls.submit, { from_draft: true });
    if (result.ok) {
      this.app.leaving = true;
      this.sync.stop();
      await this.sync.clear();
    }
    return result;
  }

  /** Should leaving the page be confirmed? Only when edits have not reached the server. */
  atRisk() {
    return !this.ended && this.sync.state.unsent > 0;
  }

  // ---------------------------------------------------------------- the UI

  buildUi() {
    const root = this.app.root;
    const toolbar = root.querySelector(".wb-toolbar");
    this.indicator = document.createElement("span");
    this.indicator.className = "wb-save-state";
    this.indicator.setAttribute("role", "status");
    this.indicator.setAttribute("aria-live", "polite");
    this.indicator.dataset.state = "offline";
    this.indicator.textContent = "Connecting…";
    const spacer = toolbar?.querySelector(".wb-spacer");
    if (spacer) spacer.after(this.indicator);
    else toolbar?.append(this.indicator);

    this.noticeBox = document.createElement("div");
    this.noticeBox.className = "wb-live-notice";
    this.noticeBox.setAttribute("role", "alert");
    this.noticeBox.hidden = true;
    this.noticeText = document.createElement("span");
    this.takeOverButton = document.createElement("button");
    this.takeOverButton.type = "button";
    this.takeOverButton.className = "wb-button primary";
    this.takeOverButton.textContent = "Take over";
    this.takeOverButton.addEventListener("click", () => {
      this.takeOverButton.disabled = true;
      this.sync.takeOver();
      setTimeout(() => { this.takeOverButton.disabled = false; }, 2000);
    });
    this.queueLink = document.createElement("a");
    this.queueLink.className = "wb-button";
    this.queueLink.href = this.app.urls.queue || "/";
    this.queueLink.textContent = "Back to the queue";
    this.noticeBox.append(this.noticeText, this.takeOverButton, this.queueLink);
    this.leaseBox = document.createElement("div");
    this.leaseBox.className = "wb-lease-warning";
    this.leaseBox.setAttribute("role", "alert");
    this.leaseBox.hidden = true;
    this.draftBy = document.createElement("span");
    this.draftBy.className = "wb-draft-by";
    this.draftBy.hidden = true;
    this.draftBy.title = "Another tasker worked on this task before you: their saved edits are kept";
    this.indicator.after(this.draftBy);
    (this.app.stage || root).append(this.leaseBox);
    // over the top of the canvas (the page's grid has three rows)
    (this.app.stage || root).append(this.noticeBox);
  }

  notice(text, { takeOver = false, queue = false } = {}) {
    this.noticeBox.hidden = !text;
    this.noticeText.textContent = text;
    this.takeOverButton.hidden = !takeOver;
    this.queueLink.hidden = !queue;
  }

  showState(state) {
    let text = SAVE_TEXT[state.status](state.unsent);
    if (this.watcher || (this.role && this.role !== "editor")) {
      text = state.status === "offline" ? "Offline" : this.watcher ? watcherText(this.taskStatus) : "Read-only";
    }
    if (this.ended) text = "Session ended";
    this.indicator.textContent = text;
    this.indicator.dataset.state = state.status;
    this.indicator.dataset.unsent = String(state.unsent);
    this.indicator.title = state.status === "offline"
      ? "Not connected: edits are kept in this browser and sent when the connection is back"
      : state.status === "saving" ? "Sending edits to the server" : "Every edit is on the server";
  }
}

/** What a watcher's indicator says: live only while the task can still change. */
function watcherText(status) {
  if (!status || status === "pending") return "Watching live";
  return `Read-only: ${status}`;
}

function insertAt(model, uuid, annotation, index) {
  if (index === null || index === undefined || index >= model.size) {
    model.set(uuid, annotation);
    return;
  }
  const entries = [...model];
  entries.splice(Math.max(0, index), 0, [uuid, annotation]);
  model.clear();
  for (const [key, value] of entries) model.set(key, value);
}

