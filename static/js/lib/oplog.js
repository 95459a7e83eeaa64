// Undo / redo as a log of operations (never snapshots of the whole model).
//
// The model is a Map uuid → annotation in the response shape. Annotations in the model are
// treated as immutable: an update replaces the Map entry with a new object (same position).
//
// Operations:
//   {op: "add", annotation, index?}      index: position in the Map order (default: the end)
//   {op: "delete", annotation, index?}   annotation: the full deleted one, to restore it;
//                                        index is recorded when the op is applied
//   {op: "update", uuid, before, after}  only the changed keys; a null value means "no key"
//   {op: "batch", ops: [...]}            applied in order, undone in reverse
//
// The response's other parts live beside the annotations, in `model.extras`
// ({global_attributes, links}, created on first use; see extrasOf):
//   {op: "globals", before, after}       global attribute values: only the changed keys, a
//                                        null value means "no key" (as for update)
//   {op: "link_add", link, index?}       link {label, from, to}; index: position in the list
//   {op: "link_delete", link, index?}    the link as it was; index recorded when applied
//   {op: "set_extras", key, after, before?}  the whole value of one extras key (what the
//                                        server's draft takes; see extrasOps); `before`,
//                                        when given, makes it undoable
//
// Other kinds join through registerOp(kind, spec) (the review's verdict and issue ops,
// docs/workbench.md "Review mode"): they change state of their own (spec.apply), not the
// annotations, travel to the server like edits (sync.js sends them unversioned) and are
// undoable when the spec can invert them.

/**
 * @typedef {{op: "add" | "delete", annotation: object, index?: number, seq?: number}
 *   | {op: "update", uuid: string, before: object, after: object, seq?: number}
 *   | {op: "globals", before: object, after: object, seq?: number}
 *   | {op: "link_add" | "link_delete", link: Link, index?: number, seq?: number}
 *   | {op: "set_extras", key: string, after: any, before?: any, seq?: number}
 *   | {op: "batch", ops: Op[], seq?: number}} Op
 */
/** @typedef {{label: string, from: string, to: string}} Link */
/** @typedef {{global_attributes: Record<string, any>, links: Link[]}} Extras */
/** @typedef {Map<string, object> & {extras?: Extras}} Model */
/** @typedef {{kind: "apply" | "undo" | "redo", op: Op, seq: number}} Change */

/**
 * A registered op kind.
 * apply(model, op): change the state the kind keeps (the page's; not the annotations);
 * invert(op): the op that undoes it (absent: it cannot be undone, e.g. a conversation);
 * describe(op): a few words for the status bar ("accept", "issue #2"); uuids(op): the
 * annotations the page shows differently after it (redrawn, panels updated);
 * applyRemote(message): every remote_op (read-only tabs, watchers: the kind looks for its ops
 * in message.op and for what the server stored beside it); acked(message, op): every ack of
 * this page's ops (what the server stored may ride on an ack of another kind's op: a fix in
 * rework resolves issues); rejected(op, info): the server refused one of this kind's ops.
 * @typedef {{apply?: (model: Model, op: any) => void, invert?: (op: any) => any,
 *   describe?: (op: any) => string, uuids?: (op: any) => string[],
 *   applyRemote?: (message: any) => void, acked?: (message: any, op: any) => void,
 *   rejected?: (op: any, info: {kind?: string, reason?: string}) => void}} OpKind
 */

/** @type {Map<string, OpKind>} */
const OP_KINDS = new Map();
const BUILT_IN = new Set(["add", "delete", "update", "globals", "link_add", "link_delete", "set_extras", "batch"]);

/**
 * Register an op kind (the registration replaces an earlier one of the same kind).
 * @param {string} kind @param {OpKind} spec
 */
export function registerOp(kind, spec) {
  if (BUILT_IN.has(kind)) throw new Error(`${kind} is a built-in op`);
  OP_KINDS.set(kind, spec);
}

/**
 * The registered kind of an op, or undefined (built-in or unknown kinds).
 * @param {string | undefined} kind @returns {OpKind | undefined}
 */
export function opKind(kind) {
  return kind === undefined ? undefined : OP_KINDS.get(kind);
}

/** Every registered kind's spec, in the order registered. @returns {OpKind[]} */
export function opKinds() {
  return [...OP_KINDS.values()];
}

/**
 * Every registered op in `op` (itself, or the items of a batch), in order.
 * @param {any} op @param {any[]} [into] @returns {any[]}
 */
export function registeredOps(op, into = []) {
  if (!op || typeof op !== "object") return into;
  if (op.op === "batch" && Array.isArray(op.ops)) for (const item of op.ops) registeredOps(item, into);
  else if (OP_KINDS.has(op.op)) into.push(op);
  return into;
}

/**
 * A deep copy of a JSON-like value.
 * @template T @param {T} value @returns {T}
 */
export function clone(value) {
  return value === undefined ? value : structuredClone(value);
}

/**
 * Deep equality of JSON-like values (key order ignored).
 * @param {any} a @param {any} b @returns {boolean}
 */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/**
 * An update op with only the keys that differ between two versions of one annotation (uuid
 * excluded), or null when nothing changed. A key missing on one side is null there.
 * @param {Record<string, any>} before @param {Record<string, any>} after @returns {Op | null}
 */
export function diff(before, after) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("uuid");
  /** @type {Record<string, any>} */
  const b = {}, a = {};
  for (const key of keys) {
    if (deepEqual(before[key], after[key])) continue;
    b[key] = key in before ? clone(before[key]) : null;
    a[key] = key in after ? clone(after[key]) : null;
  }
  if (!Object.keys(a).length) return null;
  return { op: "update", uuid: after.uuid ?? before.uuid, before: b, after: a };
}

/**
 * A globals op with only the keys that differ between two global attribute objects, or null.
 * @param {Record<string, any>} before @param {Record<string, any>} after @returns {Op | null}
 */
export function globalsOp(before, after) {
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  const b = {}, a = {};
  for (const key of keys) {
    const was = before?.[key], now = after?.[key];
    if (deepEqual(was ?? null, now ?? null)) continue;
    b[key] = was === undefined ? null : clone(was);
    a[key] = now === undefined ? null : clone(now);
  }
  if (!Object.keys(a).length) return null;
  return { op: "globals", before: b, after: a };
}

/** The extras key each page-side op kind changes. */
const EXTRAS_KEY = { globals: "global_attributes", link_add: "links", link_delete: "links" };

/**
 * The extras keys (global_attributes, links, ...) an op changes, in the order met.
 * @param {Op} op @param {Set<string>} [into] @returns {Set<string>}
 */
export function extrasKeys(op, into = new Set()) {
  if (!op) return into;
  if (op.op === "batch") for (const item of op.ops) extrasKeys(item, into);
  else if (op.op === "set_extras") into.add(op.key);
  else if (EXTRAS_KEY[op.op]) into.add(EXTRAS_KEY[op.op]);
  return into;
}

/**
 * One set_extras op per extras key `op` changed, each with the model's whole value of the
 * key now (call it after applying `op`): how the server's draft takes them.
 * @param {Model} model @param {Op} op @returns {Op[]}
 */
export function extrasOps(model, op) {
  const extras = extrasOf(model);
  return [...extrasKeys(op)].map((key) => ({ op: "set_extras", key, after: clone(extras[key]) }));
}

/**
 * The model's extras (global attributes and links), created empty when missing.
 * @param {Model} model @returns {Extras}
 */
export function extrasOf(model) {
  if (!model.extras) model.extras = { global_attributes: {}, links: [] };
  return model.extras;
}

/** Do two links join the same ends under the same label? */
export function sameLink(a, b) {
  return a.label === b.label && a.from === b.from && a.to === b.to;
}

/**
 * The op that undoes `op`.
 * @param {Op} op @returns {Op}
 */
export function invert(op) {
  switch (op.op) {
    case "add":
      return withIndex({ op: "delete", annotation: op.annotation }, op.index);
    case "delete":
      return withIndex({ op: "add", annotation: op.annotation }, op.index);
    case "update":
      return { op: "update", uuid: op.uuid, before: op.after, after: op.before };
    case "globals":
      return { op: "globals", before: op.after, after: op.before };
    case "link_add":
      return withIndex({ op: "link_delete", link: op.link }, op.index);
    case "link_delete":
      return withIndex({ op: "link_add", link: op.link }, op.index);
    case "set_extras":
      if (!("before" in op)) throw new Error("set_extras without `before` cannot be undone");
      return { op: "set_extras", key: op.key, before: op.after, after: op.before };
    case "batch":
      return { op: "batch", ops: op.ops.map(invert).reverse() };
    default: { // (an op from the page or the network may be of any kind)
      const kind = opKind(/** @type {any} */ (op).op);
      if (kind?.invert) return kind.invert(op);
      if (kind) throw new Error(`a ${/** @type {any} */ (op).op} op cannot be undone`);
      throw new Error(`unknown op ${/** @type {any} */ (op).op}`);
    }
  }
}

function withIndex(op, index) {
  return index === undefined || index === null ? op : { ...op, index };
}

/** Position of `uuid` in the Map's order, or -1. */
function indexOf(model, uuid) {
  let i = 0;
  for (const key of model.keys()) {
    if (key === uuid) return i;
    i++;
  }
  return -1;
}

/** Insert an entry at `index` of the Map order (rebuilds the Map when not at the end). */
function insertAt(model, uuid, annotation, index) {
  if (index === undefined || index === null || index >= model.size) {
    model.set(uuid, annotation);
    return;
  }
  const entries = [...model];
  entries.splice(index, 0, [uuid, annotation]);
  model.clear();
  for (const [key, value] of entries) model.set(key, value);
}

function applyAdd(model, op) {
  const uuid = op.annotation.uuid;
  if (model.has(uuid)) throw new Error(`add: ${uuid} already exists`);
  insertAt(model, uuid, clone(op.annotation), op.index);
  return { ...op };
}

function applyDelete(model, op) {
  const uuid = op.annotation.uuid;
  const index = indexOf(model, uuid);
  if (index < 0) throw new Error(`delete: no annotation ${uuid}`);
  model.delete(uuid);
  return { ...op, index };
}

function applyUpdate(model, op) {
  const current = model.get(op.uuid);
  if (!current) throw new Error(`update: no annotation ${op.uuid}`);
  const next = { ...current };
  for (const [key, value] of Object.entries(op.after)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = clone(value);
  }
  model.set(op.uuid, next);
  return { ...op };
}

function applyGlobals(model, op) {
  const extras = extrasOf(model);
  const next = { ...extras.global_attributes };
  for (const [key, value] of Object.entries(op.after)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = clone(value);
  }
  extras.global_attributes = next;
  return { ...op };
}

function applyLinkAdd(model, op) {
  const extras = extrasOf(model);
  if (extras.links.some((link) => sameLink(link, op.link))) {
    throw new Error(`link_add: ${op.link.label} ${op.link.from} → ${op.link.to} already exists`);
  }
  const links = [...extras.links];
  const link = { label: op.link.label, from: op.link.from, to: op.link.to };
  const index = op.index ?? null;
  if (index === null || index >= links.length) links.push(link);
  else links.splice(index, 0, link);
  extras.links = links;
  return { ...op };
}

function applyLinkDelete(model, op) {
  const extras = extrasOf(model);
  const index = extras.links.findIndex((link) => sameLink(link, op.link));
  if (index < 0) throw new Error(`link_delete: no link ${op.link.label} ${op.link.from} → ${op.link.to}`);
  extras.links = extras.links.filter((_, i) => i !== index);
  return { ...op, index };
}

/**
 * Apply one op to the model (no undo bookkeeping). Returns the op as applied: a delete gets
 * the `index` it had, so that its inverse puts it back in place.
 * @param {Model} model @param {Op} op @returns {Op}
 */
export function applyOp(model, op) {
  switch (op.op) {
    case "add":
      return applyAdd(model, op);
    case "delete":
      return applyDelete(model, op);
    case "update":
      return applyUpdate(model, op);
    case "globals":
      return applyGlobals(model, op);
    case "link_add":
      return applyLinkAdd(model, op);
    case "link_delete":
      return applyLinkDelete(model, op);
    case "set_extras":
      extrasOf(model)[op.key] = clone(op.after);
      return { ...op };
    case "batch":
      return { op: "batch", ops: applyBatch(model, op.ops) };
    default: { // (an op from the page or the network may be of any kind)
      const kind = opKind(/** @type {any} */ (op).op);
      if (!kind) throw new Error(`unknown op ${/** @type {any} */ (op).op}`);
      kind.apply?.(model, op);
      return { .../** @type {any} */ (op) };
    }
  }
}

/** Apply ops in order; when one fails, undo those already applied and rethrow. */
function applyBatch(model, ops) {
  const done = [];
  try {
    for (const item of ops) done.push(applyOp(model, item));
  } catch (error) {
    for (const item of done.reverse()) applyOp(model, invert(item));
    throw error;
  }
  return done;
}

/**
 * A delete op for the annotation `uuid` of the model.
 * @param {Model} model @param {string} uuid @returns {Op}
 */
export function deleteOp(model, uuid) {
  const annotation = model.get(uuid);
  if (!annotation) throw new Error(`no annotation ${uuid}`);
  return { op: "delete", annotation: clone(annotation) };
}

/** Can `next` be folded into `last` (same kind, same uuids, same changed keys)? */
function mergeable(last, next) {
  if (last.op !== next.op) return false;
  if (last.op === "batch") {
    return last.ops.length === next.ops.length
      && last.ops.every((op, i) => mergeable(op, next.ops[i]));
  }
  if (last.op !== "update" || last.uuid !== next.uuid) return false;
  const keys = Object.keys(last.after);
  const nextKeys = Object.keys(next.after);
  return keys.length === nextKeys.length && nextKeys.every((key) => key in last.after);
}

/**
 * `last` then `next` as one op: the first `before`, the latest `after`.
 * @param {any} last @param {any} next two ops that are mergeable() @returns {Op}
 */
function merged(last, next) {
  if (last.op === "batch") {
    return { op: "batch", ops: last.ops.map((op, i) => merged(op, next.ops[i])) };
  }
  return { op: "update", uuid: last.uuid, before: last.before, after: next.after };
}

function stripSeq(op) {
  const { seq, merge, ...rest } = /** @type {any} */ (op);
  return rest;
}

/**
 * The undo / redo log. Every change of the model (apply, undo, redo) gets the next `seq` and
 * is reported to `onChange({kind, op, seq})`, where `op` is what was applied to the model (for
 * an undo: the inverse), ready to be sent to the server.
 */
export class OpLog {
  /** @param {{onChange?: (change: Change) => void}} [options] */
  constructor({ onChange } = {}) {
    /** @type {Op[]} */
    this.undoStack = [];
    /** @type {Op[]} */
    this.redoStack = [];
    this.seq = 0;
    /** @type {((change: Change) => void) | null} */
    this.onChange = onChange || null;
    this.mergeOpen = false;
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /**
   * Apply a new op and record it; the redo stack is cleared. With `merge` (option, or
   * `op.merge`) an update (or batch of updates) of the same uuids and keys as the op recorded
   * just before, with no undo or redo since, is folded into it: one drag = one undo step.
   * @param {Model} model @param {Op} op @param {{merge?: boolean}} [options]
   * @returns {Op} the recorded entry
   */
  apply(model, op, { merge = Boolean(/** @type {any} */ (op).merge) } = {}) {
    const applied = applyOp(model, clone(stripSeq(op)));
    const seq = this.seq + 1;
    const last = this.undoStack[this.undoStack.length - 1];
    const fold = merge && this.mergeOpen && last && mergeable(last, applied);
    const entry = { ...(fold ? merged(last, applied) : applied), seq };
    if (fold) this.undoStack.pop();
    this.undoStack.push(entry);
    this.redoStack = [];
    this.mergeOpen = true;
    this.emit("apply", applied);
    return entry;
  }

  /**
   * Undo the latest op; returns the inverse op applied, or null when there is none.
   * @param {Model} model @returns {Op | null}
   */
  undo(model) {
    const entry = this.undoStack[this.undoStack.length - 1];
    if (!entry) return null;
    const applied = applyOp(model, invert(stripSeq(entry)));
    this.undoStack.pop();
    this.redoStack.push(entry);
    this.mergeOpen = false;
    return { ...applied, seq: this.emit("undo", applied) };
  }

  /**
   * Redo the latest undone op; returns it, or null when there is none.
   * @param {Model} model @returns {Op | null}
   */
  redo(model) {
    const entry = this.redoStack[this.redoStack.length - 1];
    if (!entry) return null;
    const applied = applyOp(model, stripSeq(entry));
    this.redoStack.pop();
    this.undoStack.push({ ...applied, seq: this.seq + 1 });
    this.mergeOpen = false;
    return { ...applied, seq: this.emit("redo", applied) };
  }

  /** End the current gesture: the next op is never merged into the previous one. */
  seal() {
    this.mergeOpen = false;
  }

  /** Forget every op (the seq counter keeps counting). */
  clear() {
    this.undoStack = [];
    this.redoStack = [];
    this.mergeOpen = false;
  }

  emit(kind, op) {
    this.seq += 1;
    if (this.onChange) this.onChange({ kind, op, seq: this.seq });
    return this.seq;
  }
}
