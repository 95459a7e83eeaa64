// The workbench's document: the annotations in the response shape (docs/task-format.md), what the server
// said about each (source, locked, version), the undo log, a spatial index of their bounds,
// and the selection. No DOM: the page listens with onChange().
//
// Invariants:
// * `model` (Map uuid → annotation) holds EXACTLY the response shape: what is drawn is what
//   is submitted. The server's extra keys live in `meta`, which outlives deletions (so that an
//   undone delete of a base annotation is still a base annotation).
// * Every edit goes through apply() / undo() / redo(), i.e. through the OpLog; the index and
//   the selection follow each change.

import { bounds } from "./geometry.js";
import { SpatialIndex } from "./hittest.js";
import { OpLog, clone, extrasOf, opKind } from "./oplog.js";

/** Keys the server adds to each annotation of GET /tasks/<id>/data, kept out of the model. */
export const META_KEYS = ["source", "locked", "version"];

/** @typedef {{source: string, locked: boolean, version: number}} Meta */
/** @typedef {{kind: string, op: any, uuids: Set<string>}} StoreChange */

/** The uuids an op touches (a link op: its two ends; a globals op: none; a registered kind,
 * such as a review verdict: those its spec names, redrawn and listed again). */
export function opUuids(op, into = new Set()) {
  const kind = opKind(op.op);
  if (kind) for (const uuid of kind.uuids?.(op) || []) into.add(uuid);
  else if (op.op === "batch") for (const item of op.ops) opUuids(item, into);
  else if (op.op === "globals" || op.op === "set_extras") return into;
  else if (op.op === "link_add" || op.op === "link_delete") into.add(op.link.from).add(op.link.to);
  else into.add(op.op === "update" ? op.uuid : op.annotation.uuid);
  return into;
}

/** Does the op (or one of a batch) have one of these kinds? */
export function opHas(op, kinds) {
  if (!op) return false;
  if (op.op === "batch") return op.ops.some((item) => opHas(item, kinds));
  return kinds.includes(op.op);
}

/**
 * Split a server annotation into the response-shape annotation and its meta. `copy`: deep
 * copies of the values (false: the item's own, for items nobody else holds).
 */
export function splitMeta(item, copy = true) {
  const annotation = {};
  for (const [key, value] of Object.entries(item)) {
    if (!META_KEYS.includes(key)) annotation[key] = copy ? clone(value) : value;
  }
  const meta = {
    source: item.source || "tasker",
    locked: Boolean(item.locked),
    version: Number.isFinite(item.version) ? item.version : 0,
  };
  return { annotation, meta };
}

/** A fresh v4 uuid (crypto.randomUUID where there is one). */
export function newUuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const hex = [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16], 16) & 3) | 8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export class AnnotationStore {
  /**
   * @param {object[]} items annotations as GET /data returns them (with meta keys)
   * @param {{global_attributes?: object, links?: object[]}} [extras] the draft's global
   *   attributes and links (GET /data)
   * @param {{adopt?: boolean}} [options] adopt: the items are fresh (just parsed) and their
   *   values become the model's own instead of being copied (copying 10,000 annotations
   *   took 200 ms of the workbench's first load)
   */
  constructor(items = [], extras = {}, { adopt = false } = {}) {
    /** @type {Map<string, any> & {extras?: any}} */
    this.model = new Map();
    this.model.extras = {
      global_attributes: clone(extras.global_attributes || {}),
      links: clone(extras.links || []),
    };
    /** @type {Map<string, Meta>} */
    this.meta = new Map();
    this.index = new SpatialIndex({ cellSize: 128 });
    /** @type {Set<string>} */
    this.selection = new Set();
    /** @type {Array<(change: StoreChange) => void>} */
    this.listeners = [];
    this.log = new OpLog();
    for (const item of items) {
      const { annotation, meta } = splitMeta(item, !adopt);
      this.model.set(annotation.uuid, annotation);
      this.meta.set(annotation.uuid, meta);
      this.indexOne(annotation.uuid);
    }
  }

  /** @param {(change: StoreChange) => void} fn */
  onChange(fn) {
    this.listeners.push(fn);
  }

  emit(kind, op, uuids) {
    for (const fn of this.listeners) fn({ kind, op, uuids });
  }

  get size() {
    return this.model.size;
  }

  /** @param {string} uuid */
  get(uuid) {
    return this.model.get(uuid);
  }

  /** @param {string} uuid @returns {Meta} */
  metaOf(uuid) {
    return this.meta.get(uuid) || { source: "tasker", locked: false, version: 0 };
  }

  /** The annotation with its meta keys, as locks.can() wants it. */
  lockable(uuid) {
    const annotation = this.model.get(uuid);
    return annotation ? { ...annotation, ...this.metaOf(uuid) } : null;
  }

  /** Annotations in model order. */
  list() {
    return [...this.model.values()];
  }

  /** uuids in model order. */
  uuids() {
    return [...this.model.keys()];
  }

  /** Has anything changed since load (undoing everything counts as unchanged)? */
  get dirty() {
    return this.log.canUndo;
  }

  indexOne(uuid) {
    const annotation = this.model.get(uuid);
    if (!annotation) {
      this.index.remove(uuid);
      return;
    }
    try {
      this.index.update(uuid, bounds(annotation));
    } catch {
      this.index.remove(uuid); // malformed geometry: not hit-testable, still listed
    }
  }

  after(kind, op) {
    const uuids = opUuids(op);
    for (const uuid of uuids) {
      this.indexOne(uuid);
      if (!this.model.has(uuid)) this.selection.delete(uuid);
    }
    this.emit(kind, op, uuids);
  }

  /**
   * Apply and record an edit. New annotations get meta {source: "tasker"} unless set before.
   * @param {any} op @param {{merge?: boolean}} [options]
   */
  apply(op, options = {}) {
    const entry = this.log.apply(this.model, op, options);
    for (const uuid of opUuids(op)) {
      if (!this.meta.has(uuid)) this.meta.set(uuid, { source: "tasker", locked: false, version: 0 });
    }
    this.after("apply", entry);
    return entry;
  }

  /** Undo the latest edit; null when there is none. */
  undo() {
    const op = this.log.undo(this.model);
    if (op) this.after("undo", op);
    return op;
  }

  /** Redo the latest undone edit; null when there is none. */
  redo() {
    const op = this.log.redo(this.model);
    if (op) this.after("redo", op);
    return op;
  }

  /** End a gesture: the next apply() is never merged into the previous one. */
  seal() {
    this.log.seal();
  }

  /**
   * Replace the selection (uuids not in the model are ignored).
   * @param {Iterable<string>} uuids
   */
  select(uuids) {
    const next = new Set([...uuids].filter((uuid) => this.model.has(uuid)));
    const same = next.size === this.selection.size && [...next].every((u) => this.selection.has(u));
    if (same) return false;
    this.selection = next;
    this.emit("select", null, new Set());
    return true;
  }

  /** The single selected uuid, or null when none or several are selected. */
  get selected() {
    return this.selection.size === 1 ? [...this.selection][0] : null;
  }

  /**
   * The uuid after (step 1) or before (step -1) `uuid` in model order among `candidates`
   * (default: all), wrapping round; null when there are none.
   */
  neighbour(uuid, step, candidates = this.uuids()) {
    if (!candidates.length) return null;
    const i = candidates.indexOf(uuid);
    if (i < 0) return step > 0 ? candidates[0] : candidates[candidates.length - 1];
    return candidates[(i + step + candidates.length) % candidates.length];
  }

  /** The global attribute values (treat as read-only). */
  get globals() {
    return extrasOf(this.model).global_attributes;
  }

  /** The links {label, from, to}, in order (treat as read-only). */
  get links() {
    return extrasOf(this.model).links;
  }

  /** The response's annotations: deep copies, in model order. */
  responseAnnotations() {
    return this.list().map((annotation) => clone(annotation));
  }
}
