// A small in-memory IndexedDB for the tests: the part idbstore.js uses (open with an upgrade,
// object stores with out-of-line keys or an array keyPath, get / put / delete / getAll with
// keys or bound ranges, transactions that complete after their requests), asynchronous like
// the real one.

const later = (fn) => setTimeout(fn, 0);

function typeRank(key) {
  if (Array.isArray(key)) return 3;
  if (typeof key === "string") return 2;
  if (key instanceof Date) return 1;
  return 0;
}

/** IndexedDB's key order: numbers < dates < strings < arrays (element by element). */
export function compareKeys(a, b) {
  const rank = typeRank(a) - typeRank(b);
  if (rank) return Math.sign(rank);
  if (Array.isArray(a)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareKeys(a[i], b[i]);
      if (c) return c;
    }
    return Math.sign(a.length - b.length);
  }
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

class KeyRange {
  constructor(lower, upper) {
    this.lower = lower;
    this.upper = upper;
  }

  static bound(lower, upper) {
    if (compareKeys(lower, upper) > 0) throw new Error("DataError: lower > upper");
    return new KeyRange(lower, upper);
  }

  includes(key) {
    return compareKeys(this.lower, key) <= 0 && compareKeys(key, this.upper) <= 0;
  }
}

const matches = (query, key) => (query instanceof KeyRange ? query.includes(key) : compareKeys(query, key) === 0);

class Request {
  constructor() {
    this.result = undefined;
    this.error = null;
    this.onsuccess = null;
    this.onerror = null;
  }
}

class Transaction {
  constructor(db, names) {
    this.db = db;
    this.names = names;
    this.pending = 0;
    this.oncomplete = null;
    this.onerror = null;
    this.onabort = null;
    later(() => this.maybeComplete());
  }

  objectStore(name) {
    if (!this.names.includes(name)) throw new Error(`NotFoundError: ${name} not in scope`);
    return new StoreHandle(this, this.db.stores.get(name));
  }

  run(work) {
    const request = new Request();
    this.pending += 1;
    later(() => {
      try {
        request.result = work();
        request.onsuccess?.();
      } catch (error) {
        request.error = error;
        request.onerror?.();
        this.onerror?.();
      }
      this.pending -= 1;
      this.maybeComplete();
    });
    return request;
  }

  maybeComplete() {
    if (this.pending || this.completed) return;
    later(() => {
      if (this.pending || this.completed) return;
      this.completed = true;
      this.oncomplete?.();
    });
  }
}

class StoreHandle {
  constructor(tx, store) {
    this.tx = tx;
    this.store = store;
  }

  keyOf(value, key) {
    if (!this.store.keyPath) return key;
    return this.store.keyPath.map((name) => value[name]);
  }

  sorted() {
    return [...this.store.rows].sort((a, b) => compareKeys(a[0], b[0]));
  }

  get(query) {
    return this.tx.run(() => structuredClone(this.sorted().find(([k]) => matches(query, k))?.[1]));
  }

  getAll(query) {
    return this.tx.run(() => this.sorted().filter(([k]) => matches(query, k)).map(([, v]) => structuredClone(v)));
  }

  put(value, key) {
    const storedKey = this.keyOf(value, key);
    return this.tx.run(() => {
      this.store.rows = this.store.rows.filter(([k]) => compareKeys(k, storedKey) !== 0);
      this.store.rows.push([storedKey, structuredClone(value)]);
      return storedKey;
    });
  }

  delete(query) {
    return this.tx.run(() => {
      this.store.rows = this.store.rows.filter(([k]) => !matches(query, k));
    });
  }
}

class Database {
  constructor() {
    this.version = 0;
    this.stores = new Map();
  }

  get objectStoreNames() {
    return { contains: (name) => this.stores.has(name) };
  }

  createObjectStore(name, { keyPath } = {}) {
    this.stores.set(name, { keyPath: keyPath || null, rows: [] });
  }

  transaction(names, mode) {
    return new Transaction(this, Array.isArray(names) ? names : [names], mode);
  }
}

/** {indexedDB, IDBKeyRange} for IdbStore's options; each call is a new, empty browser. */
export function fakeIndexedDB() {
  const databases = new Map();
  const indexedDB = {
    open(name, version) {
      const request = new Request();
      later(() => {
        const db = databases.get(name) || new Database();
        databases.set(name, db);
        request.result = db;
        if (db.version < version) {
          db.version = version;
          request.onupgradeneeded?.();
        }
        request.onsuccess?.();
      });
      return request;
    },
  };
  return { indexedDB, IDBKeyRange: KeyRange };
}
