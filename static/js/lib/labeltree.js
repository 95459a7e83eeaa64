// LabelDescription trees (docs/task-format.md): `objects_to_annotate` and category `choices`.
// An entry is a string (a leaf) or {choice, subchoices?, display?}; a node with subchoices is a
// group for navigation only. Only leaves can be picked, and the response holds the leaf choice.

/** Separator of display paths, e.g. "Pedestrian › Adult". */
export const PATH_SEPARATOR = " › ";

/**
 * @typedef {object} LabelNode
 * @property {string} choice the value sent in responses
 * @property {string} display the text shown (defaults to choice)
 * @property {LabelNode[]} children empty for a leaf
 * @property {string[]} path display texts from the root down to this node
 */

/**
 * Parse a list of strings and/or LabelDescription objects (null / undefined: empty tree).
 * @param {Array<string | object> | null | undefined} objects @returns {LabelNode[]}
 */
export function parseLabels(objects) {
  return parseList(objects || [], []);
}

function parseList(items, parentPath) {
  return items.map((item) => parseItem(item, parentPath));
}

function parseItem(item, parentPath) {
  if (typeof item === "string") {
    return { choice: item, display: item, children: [], path: [...parentPath, item] };
  }
  const display = item.display ?? item.choice;
  const path = [...parentPath, display];
  const children = Array.isArray(item.subchoices) ? parseList(item.subchoices, path) : [];
  return { choice: item.choice, display, children, path };
}

/**
 * Is the node a pickable leaf?
 * @param {LabelNode} node @returns {boolean}
 */
export function isLeaf(node) {
  return node.children.length === 0;
}

/**
 * Every leaf, in tree order (depth first).
 * @param {LabelNode[]} tree @returns {LabelNode[]}
 */
export function leaves(tree) {
  const result = [];
  const walk = (nodes) => {
    for (const node of nodes) {
      if (isLeaf(node)) result.push(node);
      else walk(node.children);
    }
  };
  walk(tree);
  return result;
}

/**
 * The leaf whose choice is `choice`, or null.
 * @param {LabelNode[]} tree @param {string} choice @returns {LabelNode | null}
 */
export function findLeaf(tree, choice) {
  return leaves(tree).find((node) => node.choice === choice) ?? null;
}

/**
 * A node's display path as text, e.g. "Pedestrian › Adult".
 * @param {LabelNode} node @returns {string}
 */
export function pathText(node) {
  return node.path.join(PATH_SEPARATOR);
}

/** The query's words, lower case. */
function words(query) {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/** 0 exact, 1 prefix, 2 substring (every word in display, or every word in choice), 3 every
 * word in the leaf's path (its groups' names with its own: "car" finds every leaf of Car),
 * -1 none. */
function rank(node, queryWords) {
  const texts = [node.display.toLowerCase(), node.choice.toLowerCase()];
  const has = (text) => queryWords.every((word) => text.includes(word));
  if (!texts.some(has)) return has(node.path.join(" ").toLowerCase()) ? 3 : -1;
  const phrase = queryWords.join(" ");
  if (texts.some((text) => text === phrase)) return 0;
  if (texts.some((text) => text.startsWith(phrase))) return 1;
  return 2;
}

/**
 * @typedef {object} SearchResult
 * @property {LabelNode} node
 * @property {string} choice
 * @property {string} display
 * @property {string} path display path as text, e.g. "Pedestrian › Adult"
 */

/**
 * Leaves matching `query`, case-insensitively: the leaf's display or its choice contains every
 * whitespace-separated word, or its path does (the names of its groups with its own, so a
 * group's name finds all its leaves). Ranked: exact match of the whole query first, then
 * prefix, then substring, then matches through the path; ties in tree order. An empty query returns every leaf in tree order.
 * @param {LabelNode[]} tree @param {string} query @returns {SearchResult[]}
 */
export function search(tree, query) {
  const queryWords = words(query || "");
  const ranked = [];
  leaves(tree).forEach((node, order) => {
    const r = queryWords.length ? rank(node, queryWords) : 2;
    if (r >= 0) ranked.push({ node, r, order });
  });
  ranked.sort((a, b) => a.r - b.r || a.order - b.order);
  return ranked.map(({ node }) => ({
    node,
    choice: node.choice,
    display: node.display,
    path: pathText(node),
  }));
}

/**
 * Which recent label (0-based) a key press in the picker picks, or -1: Alt with a digit 1–9
 * (by `code`, as Alt+digit types other characters on some layouts). A plain digit always goes
 * to the search field, so labels like "120" can be typed (docs/workbench.md "Labels").
 * @param {{key?: string, code?: string, altKey?: boolean, ctrlKey?: boolean,
 *   metaKey?: boolean}} event @returns {number}
 */
export function recentKeyIndex(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey) return -1;
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
  const digit = match ? match[1] : /^[1-9]$/.test(event.key || "") ? event.key : null;
  return digit ? Number(digit) - 1 : -1;
}

/**
 * The most recently used labels per geometry, most recent first, at most `max` (9: keys 1–9).
 */
export class RecentLabels {
  /**
   * @param {{max?: number, data?: Record<string, string[]>}} [options] data as from toJSON()
   */
  constructor({ max = 9, data = {} } = {}) {
    this.max = max;
    /** @type {Map<string, string[]>} */
    this.byGeometry = new Map();
    for (const [geometry, list] of Object.entries(data)) {
      this.byGeometry.set(geometry, list.slice(0, max));
    }
  }

  /**
   * Record that `choice` was just used for `geometry`.
   * @param {string} geometry @param {string} choice
   */
  use(geometry, choice) {
    const list = (this.byGeometry.get(geometry) || []).filter((c) => c !== choice);
    this.byGeometry.set(geometry, [choice, ...list].slice(0, this.max));
  }

  /**
   * Recent choices of a geometry, most recent first; with `allowed`, only those in it.
   * @param {string} geometry @param {Iterable<string>} [allowed] @returns {string[]}
   */
  list(geometry, allowed) {
    const list = this.byGeometry.get(geometry) || [];
    if (!allowed) return [...list];
    const keep = new Set(allowed);
    return list.filter((choice) => keep.has(choice));
  }

  /**
   * The choice for key `digit` (1 = most recent), or null.
   * @param {string} geometry @param {number} digit @param {Iterable<string>} [allowed]
   * @returns {string | null}
   */
  pick(geometry, digit, allowed) {
    return this.list(geometry, allowed)[digit - 1] ?? null;
  }

  /** @returns {Record<string, string[]>} a plain object for storage */
  toJSON() {
    return Object.fromEntries([...this.byGeometry].map(([g, list]) => [g, [...list]]));
  }
}
