// What a tasker may do to an annotation, from the task's four can_*_base_annotations flags
// (each defaults to true; null means not given) and the annotation's `source` and `locked`.
//
// Decisions (docs/task-format.md; Scale's documentation leaves them open):
// * `locked: true` forbids every change to that annotation, whatever the flags say.
// * Hypothesis and tasker annotations are ordinary: only `locked` can restrict them.
// * can_add_base_annotations = false forbids new annotations of any kind (drawn or pasted)
//   when the task has base annotations; without base annotations it has no effect.
// * can_edit_base_annotations = false locks a base annotation's geometry, attributes AND
//   label ("all aspects"); can_edit_base_annotation_labels = false locks only its label.
// * can_delete_base_annotations is independent of can_edit_base_annotations.
// * A locked annotation that is not a base annotation was accepted in review before the task
//   was sent back for rework (docs/quality.md): its sentence says so, and `checkAccepted`
//   refuses a response that changes or deletes it, as tasks/rules/locks.py check_accepted.

/** @typedef {"add" | "move" | "edit_geometry" | "relabel" | "edit_attributes" | "delete"} Action */
/** @typedef {{source?: string, locked?: boolean}} Lockable */
/** @typedef {{allowed: boolean, reason: string}} Verdict */

import { TOLERANCES, message } from "./ruletext.js";

export const ACTIONS = ["add", "move", "edit_geometry", "relabel", "edit_attributes", "delete"];

const FLAG_NAMES = {
  canAdd: "can_add_base_annotations",
  canEdit: "can_edit_base_annotations",
  canEditLabels: "can_edit_base_annotation_labels",
  canDelete: "can_delete_base_annotations",
};

/**
 * The four permission flags with their defaults (true) filled in.
 * @param {object | null | undefined} params
 * @returns {{canAdd: boolean, canEdit: boolean, canEditLabels: boolean, canDelete: boolean}}
 */
export function baseFlags(params) {
  const result = /** @type {any} */ ({});
  for (const [key, name] of Object.entries(FLAG_NAMES)) {
    const value = params?.[name];
    result[key] = value === null || value === undefined ? true : Boolean(value);
  }
  return result;
}

/**
 * Does the task have base annotations?
 * @param {Record<string, any> | null | undefined} params @returns {boolean}
 */
export function hasBaseAnnotations(params) {
  return (params?.base_annotations?.annotations?.length || 0) > 0;
}

/** @param {Lockable | null | undefined} annotation @returns {boolean} */
export function isBase(annotation) {
  return annotation?.source === "base";
}

const allow = () => ({ allowed: true, reason: "" });
const deny = (reason) => ({ allowed: false, reason });

// The sentences the server gives too (rules-constants.json, docs/rules.md).
const REASONS = {
  add: message("lock_add"),
  edit: message("lock_edit"),
  relabel: message("lock_relabel"),
  delete: message("lock_delete"),
};

/** The verdict for a base annotation that is not locked. */
function baseVerdict(action, flags) {
  switch (action) {
    case "move":
    case "edit_geometry":
    case "edit_attributes":
      return flags.canEdit ? allow() : deny(REASONS.edit);
    case "relabel":
      if (!flags.canEdit) return deny(REASONS.edit);
      return flags.canEditLabels ? allow() : deny(REASONS.relabel);
    case "delete":
      return flags.canDelete ? allow() : deny(REASONS.delete);
    default:
      return allow();
  }
}

/**
 * May the tasker do `action` to `annotation` (null for "add")?
 * @param {Action} action @param {Lockable | null | undefined} annotation
 * @param {object | null | undefined} params the task's params
 * @returns {Verdict} reason: a sentence for the status bar ("" when allowed)
 */
export function can(action, annotation, params) {
  if (!ACTIONS.includes(action)) throw new Error(`unknown action ${action}`);
  const flags = baseFlags(params);
  if (action === "add") {
    return flags.canAdd || !hasBaseAnnotations(params) ? allow() : deny(REASONS.add);
  }
  if (annotation?.locked) {
    return deny(message(isBase(annotation) ? "locked_base" : "locked"));
  }
  return isBase(annotation) ? baseVerdict(action, flags) : allow();
}

// ---------------------------------------------------------------- video tracks
//
// A track ({uuid, type, label, keyframes}) is edited through its keyframes. Its "geometry" is
// the keyframes without their attributes (adding, moving or removing a keyframe, or marking
// it outside, edits it); its attributes are the keyframes' attributes. The same split as
// tasks/rules/locks.py `track_changes`.

const TOLERANCE = TOLERANCES.same_geometry;

function close(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= TOLERANCE;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && close(a[k], b[k]));
  }
  return a === b;
}

function keyframeGeometry(keyframe) {
  const result = {};
  for (const [key, value] of Object.entries(keyframe || {})) {
    if (key !== "attributes" && key !== "outside" && value !== undefined) result[key] = value;
  }
  result.outside = Boolean(keyframe?.outside);
  return result;
}

function keyframeAttributes(keyframes) {
  const result = {};
  for (const k of keyframes) if (k?.attributes && Object.keys(k.attributes).length) result[k.frame] = k.attributes;
  return result;
}

/**
 * What changing a track's keyframes from `before` to `after` edits: "keyframes" (its geometry)
 * and / or "attributes" (a keyframe's attributes).
 * @param {any[] | null | undefined} before @param {any[] | null | undefined} after (not a list: none)
 * @returns {Set<string>}
 */
export function trackChanges(before, after) {
  before = Array.isArray(before) ? before : [];
  after = Array.isArray(after) ? after : [];
  const changed = new Set();
  if (before.length !== after.length || !before.every((k, i) => close(keyframeGeometry(k), keyframeGeometry(after[i])))) {
    changed.add("keyframes");
  }
  if (!close(keyframeAttributes(before), keyframeAttributes(after))) changed.add("attributes");
  return changed;
}

/**
 * The actions an update of a track (its `keyframes` and / or `label`) amounts to.
 * @param {any} track the track as it is @param {{keyframes?: any[], label?: any}} after
 * @returns {Action[]}
 */
export function trackUpdateActions(track, after) {
  const actions = [];
  if ("label" in after && (after.label ?? null) !== (track?.label ?? null)) actions.push("relabel");
  if ("keyframes" in after) {
    const changed = trackChanges(track?.keyframes, after.keyframes);
    if (changed.has("attributes")) actions.push("edit_attributes");
    if (changed.has("keyframes")) actions.push("edit_geometry");
  }
  return actions;
}

// ---------------------------------------------------------------- accepted in review
//
// A task sent back by a reviewer comes back with the annotations they accepted locked. The
// server refuses a response that deletes or changes one of them (tasks/rules/locks.py
// check_accepted); so does `checkAccepted`, with the same sentences
// (tests/fixtures/rules/review_lock_cases.json pins both).

const NOT_GEOMETRY = new Set(["uuid", "type", "label", "attributes", "locked"]);

/** The same geometry within the tolerance (every key but uuid, type, label, attributes). */
export function sameGeometry(a, b) {
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  return [...keys].every((k) => NOT_GEOMETRY.has(k) || close(a?.[k], b?.[k]));
}

function sameJson(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}

/**
 * What a response does to an annotation accepted in review, in the server's words.
 * @param {any} original the annotation as accepted @param {any} annotation the response's
 * @param {string} path its path in the response @returns {{path: string, message: string} | null}
 */
function acceptedChange(original, annotation, path) {
  const noun = `annotation ${original.uuid}`;
  const why = message("accepted_in_review");
  if (annotation.type !== original.type) return { path: `${path}.type`, message: `of ${noun} cannot change` };
  if (Array.isArray(original.keyframes)) {
    const changed = trackChanges(original.keyframes, annotation.keyframes);
    if (changed.has("keyframes")) return { path: `${path}.keyframes`, message: `change the geometry of ${noun}, which ${why}` };
    if (changed.has("attributes")) return { path: `${path}.keyframes`, message: `change the attributes of ${noun}, which ${why}` };
  } else if (!sameGeometry(original, annotation)) {
    return { path, message: `changes the geometry of ${noun}, which ${why}` };
  }
  if (!sameJson(original.attributes || {}, annotation.attributes || {})) {
    return { path: `${path}.attributes`, message: `of ${noun} cannot change: it ${why}` };
  }
  if ((original.label ?? null) !== (annotation.label ?? null)) {
    return { path: `${path}.label`, message: `of ${noun} cannot change: it ${why}` };
  }
  return null;
}

/**
 * The first way `annotations` (a response's) deletes or changes one of `accepted` (the
 * annotations a reviewer accepted before sending the task back), or null.
 * @param {any[]} annotations @param {any[]} accepted @param {string} [path]
 * @returns {{path: string, message: string, annotation_uuid: string} | null}
 */
export function checkAccepted(annotations, accepted, path = "annotations") {
  const submitted = new Map(annotations.map((a, i) => [a.uuid, i]));
  for (const original of accepted || []) {
    const index = submitted.get(original.uuid);
    const problem = index === undefined
      ? { path, message: `must keep annotation ${original.uuid}: it ${message("accepted_in_review")}` }
      : acceptedChange(original, annotations[index], `${path}[${index}]`);
    if (problem) return { ...problem, annotation_uuid: original.uuid };
  }
  return null;
}
