// sync.js's Store in IndexedDB, so that the unsent operations of a task survive a reload, a
// closed tab and a crashed browser. No DOM other than indexedDB / IDBKeyRange (both can be
// passed in).
//
// One database, two object stores:
//   meta: out-of-line key = the outbox key (e.g. "task:<id>") → {sessionId, seq, acked, welcomed}
//   ops:  keyPath [key, seq] → {key, seq, op}
// Every method resolves once its transaction completed, i.e. the data is written.

/** @typedef {import("./sync.js").Entry} Entry */
/** @typedef {import("./sync.js").Meta} Meta */

export const DB_NAME = "annotator-sync";
const DB_VERSION = 1;

/** A request's result as a promise. */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IdbStore {
  /**
   * @param {{indexedDB?: any, IDBKeyRange?: any, name?: string}} [options]
   */
  constructor({ indexedDB = globalThis.indexedDB, IDBKeyRange = globalThis.IDBKeyRange,
    name = DB_NAME } = {}) {
    if (!indexedDB) throw new Error("IndexedDB is not available");
    this.indexedDB = indexedDB;
    this.IDBKeyRange = IDBKeyRange;
    this.name = name;
    this.opening = null;
  }

  /** The open database (opened, and created, on first use). */
  database() {
    if (!this.opening) {
      const request = this.indexedDB.open(this.name, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("ops")) db.createObjectStore("ops", { keyPath: ["key", "seq"] });
      };
      this.opening = done(request);
    }
    return this.opening;
  }

  /**
   * Run `work(stores)` in one transaction; resolves with its result once committed.
   * @template T @param {"readonly" | "readwrite"} mode @param {(stores: any) => T} work
   * @returns {Promise<T>}
   */
  async transaction(mode, work) {
    const db = await this.database();
    const tx = db.transaction(["meta", "ops"], mode);
    const result = work({ meta: tx.objectStore("meta"), ops: tx.objectStore("ops") });
    await new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
    });
    return result;
  }

  /** All the ops of `key` with seq ≤ through. */
  range(key, through = Infinity) {
    return this.IDBKeyRange.bound([key, -Infinity], [key, through]);
  }

  /** @param {string} key @returns {Promise<{meta: Meta | null, ops: Entry[]}>} */
  async load(key) {
    let meta;
    let rows;
    await this.transaction("readonly", (s) => {
      done(s.meta.get(key)).then((value) => { meta = value; });
      done(s.ops.getAll(this.range(key))).then((value) => { rows = value; });
    });
    const ops = (rows || []).map(({ seq, op }) => ({ seq, op }));
    return { meta: meta || null, ops };
  }

  /** @param {string} key @param {Meta} meta */
  putMeta(key, meta) {
    return this.transaction("readwrite", (s) => { s.meta.put(meta, key); });
  }

  /** @param {string} key @param {Entry} entry */
  putOp(key, entry) {
    return this.transaction("readwrite", (s) => { s.ops.put({ key, seq: entry.seq, op: entry.op }); });
  }

  /** @param {string} key @param {number} throughSeq */
  deleteOps(key, throughSeq) {
    return this.transaction("readwrite", (s) => { s.ops.delete(this.range(key, throughSeq)); });
  }

  /** @param {string} key */
  clear(key) {
    return this.transaction("readwrite", (s) => {
      s.meta.delete(key);
      s.ops.delete(this.range(key));
    });
  }
}
