// Attribute values (docs/task-format.md "Attributes"), mirroring the server's
// tasks/rules/attributes.py: which attributes an annotation shows, their defaults, the check of
// one value, what is missing before a submit, x_line / y_line offsets on the canvas, and the
// skeleton lines of point connections. No DOM.
//
// Decisions (the same on the server):
// * x_line / y_line describe boxes and cuboids only: other geometries never show them. The
//   value is an offset in image pixels from the box's left (top) edge, or the cuboid front
//   face's; it must lie inside: 0 … width (height). A rotated box measures along its own
//   (unrotated) sides.
// * A number with `step` must be `min` (0 without one) plus a whole number of steps; without
//   `step` any number in range is valid (the input still steps by 1).
// * `default` fills an attribute when it comes into view (the annotation is created or
//   relabelled, or another value makes its conditions hold) and has no value yet; a value the
//   tasker cleared stays cleared while the attribute stays in view.
// * Values of attributes that are not shown are dropped at once (the model is the response).

import { isGlobal, visibleAttributes } from "./conditions.js";
import { cuboidFace, fromBoxFrame, toBoxFrame } from "./geometry.js";
import { leaves, parseLabels } from "./labeltree.js";
import { clone } from "./oplog.js";
import { LIMITS, TOLERANCES, g, message } from "./ruletext.js";

export const LINE_TYPES = ["x_line", "y_line"];
export const LINE_GEOMETRIES = ["box", "cuboid"];
// Shared with the server (rules-constants.json, docs/rules.md).
export const MAX_TEXT_LENGTH = LIMITS.max_text_length;
const STEP_TOLERANCE = TOLERANCES.number_step;
const EDGE_TOLERANCE = TOLERANCES.line_offset;

/** @typedef {import("./conditions.js").AttributeDef} AttributeDef */
/** @typedef {{uuid: string, type: string, label?: string, attributes?: Record<string, any>}} Annotation */

/** The definition's type ("category" when omitted). @param {AttributeDef} def */
export function typeOf(def) {
  return def?.type || "category";
}

/** Is a value "not answered" (absent, null or an empty list)? */
export function isMissing(value) {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** Can an attribute of this definition apply to an annotation of `geometry`? */
export function fitsGeometry(def, geometry) {
  return !LINE_TYPES.includes(typeOf(def)) || LINE_GEOMETRIES.includes(geometry);
}

/** The per-annotation definitions that can apply to `geometry` (global ones left out). */
export function scopeDefs(defs, geometry) {
  const result = {};
  for (const [id, def] of Object.entries(defs || {})) {
    if (def && !isGlobal(def) && fitsGeometry(def, geometry)) result[id] = def;
  }
  return result;
}

/** The global definitions. */
export function globalDefs(defs) {
  const result = {};
  for (const [id, def] of Object.entries(defs || {})) if (def && isGlobal(def)) result[id] = def;
  return result;
}

/**
 * Ids of the attributes the annotation shows, in definition order.
 * @param {Record<string, AttributeDef>} defs @param {Annotation} annotation @returns {string[]}
 */
export function shownAttributes(defs, annotation) {
  return visibleAttributes(scopeDefs(defs, annotation.type), annotation.label, annotation.attributes || {});
}

/** Ids of the global attributes shown, given their values. */
export function shownGlobals(defs, values) {
  return visibleAttributes(globalDefs(defs), null, values || {}, { global: true });
}

function settle(scoped, label, values, wasShown, options) {
  const result = { ...(values || {}) };
  for (let round = 0; round < 16; round++) {
    let changed = false;
    for (const id of visibleAttributes(scoped, label, result, options)) {
      if (wasShown && wasShown.has(id)) continue;
      const def = scoped[id];
      if (isMissing(result[id]) && def.default !== undefined && def.default !== null) {
        result[id] = clone(def.default);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const keep = visibleAttributes(scoped, label, result, options);
  const pruned = {};
  for (const id of keep) if (id in result && result[id] !== null && result[id] !== undefined) pruned[id] = result[id];
  return pruned;
}

/**
 * The values an annotation keeps after a change: hidden ones dropped, the `default` of every
 * attribute that came into view filled in. `wasShown`: the ids shown before the change (null:
 * a new annotation, every shown attribute is new).
 * @param {Record<string, AttributeDef>} defs @param {Annotation} annotation
 * @param {Set<string> | null} [wasShown] @returns {Record<string, any>}
 */
export function settleAttributes(defs, annotation, wasShown = null) {
  return settle(scopeDefs(defs, annotation.type), annotation.label, annotation.attributes, wasShown, {});
}

/**
 * settleAttributes for the global attributes.
 * @param {Record<string, AttributeDef>} defs @param {Record<string, any>} values
 * @param {Set<string> | null} [wasShown] @returns {Record<string, any>}
 */
export function settleGlobals(defs, values, wasShown = null) {
  return settle(globalDefs(defs), null, values, wasShown, { global: true });
}

// ---------------------------------------------------------------- category choices

const TREES = new WeakMap();

/** The parsed `choices` of a category definition (memoized). */
export function choiceTree(def) {
  let tree = TREES.get(def);
  if (!tree) {
    tree = parseLabels(def.choices || []);
    TREES.set(def, tree);
  }
  return tree;
}

/** The leaf choices of a category definition, in tree order. */
export function choiceLeaves(def) {
  return leaves(choiceTree(def));
}

/** The display path of a choice ("Occluded › Partly"), or the choice itself. */
export function choiceText(def, choice) {
  const leaf = choiceLeaves(def).find((node) => node.choice === choice);
  return leaf ? leaf.path.join(" › ") : String(choice);
}

// ---------------------------------------------------------------- one value

/** The server's "must be a number …" message for these bounds (tasks/rules/values.py). */
function numberMessage(min, max) {
  const low = min !== undefined && min !== null;
  const high = max !== undefined && max !== null;
  if (low && high) return message("number_between", { min: g(min), max: g(max) });
  if (low) return message("number_at_least", { min: g(min) });
  if (high) return message("number_at_most", { max: g(max) });
  return message("number");
}

/** A number within optional bounds: "" or the server's message. */
function numberProblem(value, min, max) {
  const number = typeof value === "number" && Number.isFinite(value);
  const outside = !number || (min !== undefined && min !== null && value < min)
    || (max !== undefined && max !== null && value > max);
  return outside ? numberMessage(min, max) : "";
}

/** The server's "must be one of the choices: …" (the first few leaves). */
function choicesMessage(def) {
  const all = choiceLeaves(def).map((leaf) => `"${leaf.choice}"`);
  const shown = all.slice(0, LIMITS.shown_choices).join(", ");
  return message("choice", { choices: all.length > LIMITS.shown_choices ? `${shown}, ...` : shown });
}

/**
 * Why `value` is not a valid value of `def`, or "" when it is. `context.annotation` (for
 * x_line / y_line and linked) and `context.model` (Map uuid → annotation, for linked).
 * @param {AttributeDef} def @param {any} value
 * @param {{annotation?: Annotation, model?: Map<string, Annotation>}} [context]
 * @returns {string}
 */
export function checkValue(def, value, context = {}) {
  const kind = typeOf(def);
  switch (kind) {
    case "category": {
      const allowed = new Set(choiceLeaves(def).map((leaf) => leaf.choice));
      if (!def.allow_multiple) return allowed.has(value) ? "" : choicesMessage(def);
      if (!Array.isArray(value)) return message("choice_list");
      if (value.some((item) => !allowed.has(item))) return choicesMessage(def);
      return new Set(value).size === value.length ? "" : message("choice_repeated");
    }
    case "number": {
      const outside = numberProblem(value, def.min, def.max);
      if (outside) return outside;
      if (def.step) {
        const origin = def.min ?? 0;
        const steps = (value - origin) / def.step;
        if (Math.abs(steps - Math.round(steps)) > STEP_TOLERANCE) {
          return origin ? message("number_step_from", { step: g(def.step), origin: g(origin) })
            : message("number_step", { step: g(def.step) });
        }
      }
      return "";
    }
    case "angle":
      return numberProblem(value, LIMITS.angle_min, LIMITS.angle_max);
    case "text":
      if (typeof value !== "string") return message("string");
      return value.length <= MAX_TEXT_LENGTH ? "" : message("text_too_long", { max: MAX_TEXT_LENGTH });
    case "x_line":
    case "y_line": {
      const outside = numberProblem(value, -LIMITS.max_line_offset, LIMITS.max_line_offset);
      if (outside) return outside;
      const a = context.annotation;
      if (!a) return "";
      if (!LINE_GEOMETRIES.includes(a.type)) return message("line_geometry", { type: kind });
      const extent = lineExtent(a, kind);
      if (value < -EDGE_TOLERANCE || value > extent + EDGE_TOLERANCE) {
        const shape = a.type === "box" ? "box" : "cuboid's front face";
        const edge = kind === "x_line" ? "left" : "top";
        return message("line_offset_inside", { shape, edge, extent: g(extent) });
      }
      return "";
    }
    case "linked": {
      const model = context.model;
      if (typeof value !== "string") return message("linked_unknown");
      if (context.annotation && value === context.annotation.uuid) return message("linked_self");
      if (!model) return "";
      const target = model.get(value);
      if (!target) return message("linked_unknown");
      const allowed = def.allowed_labels;
      if (allowed && !allowed.includes(target.label)) return message("linked_label", { labels: allowed.join(", ") });
      return "";
    }
    default:
      return "is not a known attribute type";
  }
}

/**
 * What stops the annotation's attributes from being submitted: each shown attribute that is
 * required and missing, or whose value is invalid, as {id, reason}.
 * @param {Record<string, AttributeDef>} defs @param {Annotation} annotation
 * @param {Map<string, Annotation>} model @returns {{id: string, reason: string}[]}
 */
export function attributeProblems(defs, annotation, model) {
  const values = annotation.attributes || {};
  const problems = [];
  for (const id of shownAttributes(defs, annotation)) {
    const def = defs[id];
    if (isMissing(values[id])) {
      if (def.required) problems.push({ id, reason: message("required") });
      continue;
    }
    const reason = checkValue(def, values[id], { annotation, model });
    if (reason) problems.push({ id, reason });
  }
  return problems;
}

/**
 * A segmentation task's instances (docs/segmentation.md): what stops them from being
 * submitted, as {index, id, reason}, in index order. An instance is checked as an annotation
 * of its label (the line and linked types do not apply to a mask).
 * @param {Record<string, AttributeDef>} defs
 * @param {Iterable<[number, {label: string, attributes?: Record<string, any>}]>} instances
 * @returns {{index: number, id: string, reason: string}[]}
 */
export function instanceProblems(defs, instances) {
  const problems = [];
  const sorted = [...instances].sort(([a], [b]) => a - b);
  for (const [index, instance] of sorted) {
    const annotation = /** @type {any} */ ({ type: "mask", label: instance.label, attributes: instance.attributes || {} });
    for (const problem of attributeProblems(defs, annotation, new Map())) problems.push({ index, ...problem });
  }
  return problems;
}

/** attributeProblems for the global attributes. */
export function globalProblems(defs, values) {
  const problems = [];
  for (const id of shownGlobals(defs, values)) {
    const def = defs[id];
    const value = (values || {})[id];
    if (isMissing(value)) {
      if (def.required) problems.push({ id, reason: message("required") });
      continue;
    }
    const reason = checkValue(def, value);
    if (reason) problems.push({ id, reason });
  }
  return problems;
}

/**
 * The annotations a linked attribute of `annotation` may point to: another annotation whose
 * label is in `allowed_labels` (any label when absent), in model order.
 * @param {AttributeDef} def @param {Annotation} annotation @param {Map<string, Annotation>} model
 * @returns {string[]}
 */
export function linkedCandidates(def, annotation, model) {
  const allowed = def.allowed_labels ? new Set(def.allowed_labels) : null;
  const result = [];
  for (const [uuid, a] of model) {
    if (uuid !== annotation.uuid && (!allowed || allowed.has(a.label))) result.push(uuid);
  }
  return result;
}

/** Linked attribute values (id → uuid) of `annotation` that point at one of `uuids`. */
export function linkedTo(defs, annotation, uuids) {
  const result = [];
  for (const [id, value] of Object.entries(annotation.attributes || {})) {
    if (typeOf(defs?.[id]) === "linked" && uuids.has(value)) result.push(id);
  }
  return result;
}

// ---------------------------------------------------------------- x_line / y_line

/**
 * The frame offsets are measured in: the box (its own axes when rotated) or the cuboid's
 * front face (axis-aligned bounds of its 4 face corners).
 * @param {any} annotation @returns {{width: number, height: number,
 *   toLocal: (p: {x: number, y: number}) => {x: number, y: number},
 *   toImage: (p: {x: number, y: number}) => {x: number, y: number}}}
 */
export function lineFrame(annotation) {
  if (annotation.type === "box") {
    const box = annotation;
    return {
      width: box.width,
      height: box.height,
      toLocal: (p) => {
        const q = toBoxFrame(box, p);
        return { x: q.x + box.width / 2, y: q.y + box.height / 2 };
      },
      toImage: (p) => fromBoxFrame(box, { x: p.x - box.width / 2, y: p.y - box.height / 2 }),
    };
  }
  if (annotation.type === "cuboid") {
    const face = cuboidFace(annotation.vertices);
    return {
      width: face.width,
      height: face.height,
      toLocal: (p) => ({ x: p.x - face.left, y: p.y - face.top }),
      toImage: (p) => ({ x: p.x + face.left, y: p.y + face.top }),
    };
  }
  throw new Error(`${annotation.type} has no line frame`);
}

/** The largest offset of an x_line (the width) or a y_line (the height). */
export function lineExtent(annotation, kind) {
  const frame = lineFrame(annotation);
  return kind === "x_line" ? frame.width : frame.height;
}

/** The line's two ends in image pixels: across the whole box (face). */
export function lineSegment(annotation, kind, offset) {
  const frame = lineFrame(annotation);
  if (kind === "x_line") return [frame.toImage({ x: offset, y: 0 }), frame.toImage({ x: offset, y: frame.height })];
  return [frame.toImage({ x: 0, y: offset }), frame.toImage({ x: frame.width, y: offset })];
}

/** The offset of the line through an image point, kept inside the box (face); 0.1 px steps. */
export function offsetAt(annotation, kind, point) {
  const frame = lineFrame(annotation);
  const local = frame.toLocal(point);
  const extent = kind === "x_line" ? frame.width : frame.height;
  const value = kind === "x_line" ? local.x : local.y;
  return Math.min(extent, Math.max(0, Math.round(value * 10) / 10));
}

/**
 * Is an image point on the line (within `tolerance` image px across it, and between its
 * ends)?
 */
export function lineHit(annotation, kind, offset, point, tolerance) {
  const frame = lineFrame(annotation);
  const local = frame.toLocal(point);
  const across = kind === "x_line" ? local.x - offset : local.y - offset;
  const along = kind === "x_line" ? local.y : local.x;
  const length = kind === "x_line" ? frame.height : frame.width;
  return Math.abs(across) <= tolerance && along >= -tolerance && along <= length + tolerance;
}

// ---------------------------------------------------------------- point connections

/**
 * The skeleton lines of geometries.point.connections: for each {pair: [A, B],
 * connection_attribute?}, a line from every point labelled A to every point labelled B of the
 * same group. With `connection_attribute` (a linked attribute) the points are grouped by its
 * value (the instance they belong to) and points without a value join no group; without it,
 * all the points form one group.
 * @param {Array<{pair: string[], connection_attribute?: string}>} connections
 * @param {Iterable<any>} annotations
 * @returns {Array<[any, any]>} pairs of point annotations
 */
export function connectionSegments(connections, annotations) {
  const valid = (connections || []).filter((c) => Array.isArray(c?.pair) && c.pair.length === 2);
  if (!valid.length) return [];
  const points = [];
  for (const a of annotations) if (a?.type === "point") points.push(a);
  const segments = [];
  for (const c of valid) {
    const [labelA, labelB] = c.pair;
    const attr = c.connection_attribute;
    /** @type {Map<any, {a: any[], b: any[]}>} */
    const groups = new Map();
    for (const p of points) {
      if (p.label !== labelA && p.label !== labelB) continue;
      const key = attr ? p.attributes?.[attr] : "*";
      if (key === undefined || key === null) continue;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { a: [], b: [] }));
      if (p.label === labelA) group.a.push(p);
      if (p.label === labelB) group.b.push(p);
    }
    for (const group of groups.values()) {
      for (const a of group.a) for (const b of group.b) if (a !== b) segments.push([a, b]);
    }
  }
  return segments;
}

/**
 * The annotation's values restricted to the attributes it shows (no defaults added): what is
 * submitted.
 * @param {Record<string, AttributeDef>} defs @param {Annotation} annotation
 * @returns {Record<string, any>}
 */
export function pruneAttributes(defs, annotation) {
  return settleAttributes(defs, annotation, new Set(Object.keys(defs || {})));
}

/** pruneAttributes for the global attributes. */
export function pruneGlobals(defs, values) {
  return settleGlobals(defs, values, new Set(Object.keys(defs || {})));
}
