// The tasker's own view state of a task (docs/workbench.md, "Aids"): which annotations they
// hid and which they locked. Page-side only: kept per task in the browser's localStorage,
// never sent to the server (the API's `locked` is another thing: lib/locks.js). DOM-free;
// the storage is passed in.

export class AidState {
  /** @param {string} key @param {{getItem: Function, setItem: Function} | null} [storage] */
  constructor(key, storage = null) {
    this.key = key;
    this.storage = storage;
    /** @type {Set<string>} */
    this.hidden = new Set();
    /** @type {Set<string>} */
    this.locked = new Set();
    this.load();
  }

  load() {
    try {
      const data = JSON.parse(this.storage?.getItem(this.key) || "{}");
      this.hidden = new Set(Array.isArray(data.hidden) ? data.hidden.map(String) : []);
      this.locked = new Set(Array.isArray(data.locked) ? data.locked.map(String) : []);
    } catch {
      this.hidden = new Set();
      this.locked = new Set();
    }
  }

  save() {
    try {
      this.storage?.setItem(this.key, JSON.stringify({ hidden: [...this.hidden], locked: [...this.locked] }));
    } catch {
      /* storage full or disabled: the state lasts for this page only */
    }
  }

  /**
   * Toggle `which` ("hidden" or "locked") for `uuids`: when every one has it, all lose it,
   * else all get it. Returns the new state (true: set).
   * @param {"hidden" | "locked"} which @param {Iterable<string>} uuids
   */
  toggle(which, uuids) {
    const set = this[which];
    const list = [...uuids];
    const on = !list.every((u) => set.has(u));
    for (const u of list) {
      if (on) set.add(u);
      else set.delete(u);
    }
    this.save();
    return on;
  }

  /** Hide every one of `uuids` (true), or show every annotation (false). */
  setAllHidden(on, uuids = []) {
    this.hidden = on ? new Set(uuids) : new Set();
    this.save();
  }

  /** Forget uuids no longer in the task. @param {Set<string> | string[]} present */
  prune(present) {
    const keep = new Set(present);
    const before = this.hidden.size + this.locked.size;
    for (const set of [this.hidden, this.locked]) for (const u of [...set]) if (!keep.has(u)) set.delete(u);
    if (this.hidden.size + this.locked.size !== before) this.save();
  }
}

/**
 * The annotations with a missing required or an invalid attribute, in `order`.
 * @param {string[]} order uuids @param {(uuid: string) => any[]} problemsOf
 */
export function problemUuids(order, problemsOf) {
  return order.filter((uuid) => problemsOf(uuid).length > 0);
}

/**
 * The next (or previous, step -1) uuid of `list` after `current` in the task's `order`,
 * wrapping round; null when `list` is empty.
 * @param {string[]} order @param {string[]} list @param {string | null} current @param {number} step
 */
export function stepThrough(order, list, current, step = 1) {
  if (!list.length) return null;
  const at = current ? order.indexOf(current) : -1;
  if (at < 0) return step > 0 ? list[0] : list[list.length - 1];
  const position = new Map(order.map((u, i) => [u, i]));
  const where = (u) => position.get(u) ?? -1;
  if (step > 0) return list.find((u) => where(u) > at) ?? list[0];
  const before = list.filter((u) => where(u) < at);
  return before.length ? before[before.length - 1] : list[list.length - 1];
}

/** "12:05" or "1:02:09": a timer's seconds. @param {number} seconds */
export function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (x) => String(x).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** The CSS filter of the image adjustments (percent, 100 = unchanged); "none" when neutral. */
export function imageFilter({ brightness = 100, contrast = 100, saturation = 100 } = {}) {
  if (brightness === 100 && contrast === 100 && saturation === 100) return "none";
  return `brightness(${brightness}%) contrast(${contrast}%) saturate(${saturation}%)`;
}
