// Attribute conditionality (docs/task-format.md), mirroring the server's
// tasks/rules/conditions.py.
//
// `label_condition` and `attribute_conditions` must both hold. `attribute_conditions` is an OR
// of ANDs: one object holds when every one of its keys holds; the array holds when any object
// holds (an empty or missing array always holds). A condition value is a string or number
// (equality) or a list of them (membership). When the attribute's value is a list (category
// with allow_multiple) the condition holds if any chosen value matches; a missing value, null
// or an empty list matches nothing. Strings only equal strings and numbers only numbers;
// booleans never match. Global attributes ignore `label_condition`.

/**
 * @typedef {object} Conditions
 * @property {{label: string | string[]}} [label_condition]
 * @property {Array<Record<string, any>>} [attribute_conditions]
 * @property {boolean} [is_global]
 */
/** @typedef {{type?: string, conditions?: Conditions | null, [key: string]: any}} AttributeDef */

/**
 * Is the attribute global (conditions.is_global)?
 * @param {AttributeDef} definition @returns {boolean}
 */
export function isGlobal(definition) {
  return Boolean(definition?.conditions?.is_global);
}

/** [value] for a scalar, the list itself for a list. */
function asList(value) {
  return Array.isArray(value) ? value : [value];
}

function same(a, b) {
  if (typeof a === "boolean" || typeof b === "boolean") return false;
  if (typeof a === "string" || typeof b === "string") return a === b;
  return typeof a === "number" && typeof b === "number" && Number.isFinite(a) && a === b;
}

function valueMatches(actual, wanted) {
  if (actual === null || actual === undefined) return false;
  const accepted = asList(wanted);
  return asList(actual).some((item) => accepted.some((target) => same(item, target)));
}

function clauseHolds(clause, values) {
  return Object.entries(clause).every(([key, wanted]) => valueMatches(values[key], wanted));
}

function labelHolds(conditions, label) {
  const condition = conditions.label_condition;
  if (!condition) return true;
  return label !== null && label !== undefined && asList(condition.label).includes(label);
}

/**
 * Does the attribute apply to an annotation with `label` and attribute `values`?
 * @param {AttributeDef} definition @param {string | null | undefined} label
 * @param {Record<string, any>} values @returns {boolean}
 */
export function attributeApplies(definition, label, values) {
  const conditions = definition?.conditions || {};
  if (!isGlobal(definition) && !labelHolds(conditions, label)) return false;
  const clauses = conditions.attribute_conditions || [];
  return !clauses.length || clauses.some((clause) => clauseHolds(clause, values || {}));
}

/** Ids of the definitions in scope: global ones or per-annotation ones. */
function scopeIds(defs, global) {
  return Object.keys(defs).filter((id) => defs[id] && isGlobal(defs[id]) === global);
}

/** `values` restricted to the ids in `keep`. */
function pick(values, keep) {
  const result = {};
  for (const id of keep) if (values && id in values) result[id] = values[id];
  return result;
}

/**
 * Ids of the attributes shown, in definition order. An attribute is shown when it applies
 * given the values of the SHOWN attributes only, so one that depends on a hidden attribute is
 * hidden too (iterated to a fixed point). `global`: the global attributes (label ignored)
 * instead of the per-annotation ones.
 * @param {Record<string, AttributeDef>} defs @param {string | null | undefined} label
 * @param {Record<string, any>} values @param {{global?: boolean}} [options]
 * @returns {string[]}
 */
export function visibleAttributes(defs, label, values, { global = false } = {}) {
  let visible = scopeIds(defs || {}, global);
  for (;;) {
    const shown = pick(values, visible);
    const next = visible.filter((id) => attributeApplies(defs[id], label, shown));
    if (next.length === visible.length) return next;
    visible = next;
  }
}

/**
 * `values` keeping only the shown attributes of the scope (see visibleAttributes): hidden,
 * unknown and out-of-scope keys are dropped. A new object.
 * @param {Record<string, AttributeDef>} defs @param {string | null | undefined} label
 * @param {Record<string, any>} values @param {{global?: boolean}} [options]
 * @returns {Record<string, any>}
 */
export function pruneHidden(defs, label, values, options = {}) {
  return pick(values, visibleAttributes(defs, label, values, options));
}
