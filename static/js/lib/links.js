// Links between annotations (contract §5.1 and Product decisions), mirroring the server's
// validate_links. A task's `links` maps a link label to rules
// {is_bidirectional, from_allowed_labels, to_allowed_labels}; a response link is
// {label, from, to} with annotation uuids.

import { message } from "./ruletext.js";

/** @typedef {{is_bidirectional?: boolean, from_allowed_labels?: string[], to_allowed_labels?: string[]}} LinkRule */
/** @typedef {{label: string, from: string, to: string}} Link */

/**
 * Does one rule allow a link from an annotation labelled `fromLabel` to one labelled
 * `toLabel` (or the reverse, when it is bidirectional)?
 * @param {LinkRule} rule @param {string | null | undefined} fromLabel
 * @param {string | null | undefined} toLabel @returns {boolean}
 */
export function ruleAllows(rule, fromLabel, toLabel) {
  // (widened: an unlabelled annotation's label is missing, and no rule lists a missing label)
  /** @type {Array<string | null | undefined>} */
  const from = rule.from_allowed_labels || [];
  /** @type {Array<string | null | undefined>} */
  const to = rule.to_allowed_labels || [];
  if (from.includes(fromLabel) && to.includes(toLabel)) return true;
  return Boolean(rule.is_bidirectional) && from.includes(toLabel) && to.includes(fromLabel);
}

/**
 * The link labels, in definition order, that allow linking fromLabel → toLabel.
 * @param {Record<string, LinkRule[]> | null | undefined} linkDefs
 * @param {string | null | undefined} fromLabel @param {string | null | undefined} toLabel
 * @returns {string[]}
 */
export function allowedLinks(linkDefs, fromLabel, toLabel) {
  return Object.entries(linkDefs || {})
    .filter(([, rules]) => (rules || []).some((rule) => ruleAllows(rule, fromLabel, toLabel)))
    .map(([label]) => label);
}

/** @param {string | null | undefined} label */
function named(label) {
  return label === null || label === undefined ? "unlabelled" : `"${label}"`;
}

/**
 * Check a new link against the task's link rules, the annotations (Map uuid → annotation)
 * and the links already drawn (no duplicate label + from + to). Returns a human reason when
 * it is not valid.
 * @param {Record<string, LinkRule[]> | null | undefined} linkDefs @param {Link} link
 * @param {Map<string, {label?: string}>} annotations @param {Link[]} [existing]
 * @returns {{valid: boolean, reason: string, field: string}}
 */
export function validateLink(linkDefs, link, annotations, existing = []) {
  // `field`: the part of the link the server's validate_links names ("" for the whole link).
  const fail = (reason, field = "") => ({ valid: false, reason, field });
  const rules = (linkDefs || {})[link.label];
  if (!rules) return fail(`"${link.label}" is not a link of this task`, "label");
  const from = annotations.get(link.from);
  const to = annotations.get(link.to);
  if (!from || !to) return fail("Both ends of a link must be annotations of this task", from ? "to" : "from");
  if (link.from === link.to) return fail("An annotation cannot be linked to itself", "to");
  if (!rules.some((rule) => ruleAllows(rule, from.label, to.label))) {
    return fail(message("link_rule", { label: link.label, from: named(from.label), to: named(to.label) }));
  }
  const same = (l) => l.label === link.label && l.from === link.from && l.to === link.to;
  if (existing.some(same)) return fail("This link already exists");
  return { valid: true, reason: "", field: "" };
}

/**
 * The links whose both ends are still in `annotations` (after deletions).
 * @param {Link[]} links @param {Map<string, object>} annotations @returns {Link[]}
 */
export function pruneLinks(links, annotations) {
  return links.filter((link) => annotations.has(link.from) && annotations.has(link.to));
}
