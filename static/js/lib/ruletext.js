// The tolerances, limits and messages the page shares with the server: one JSON file both load
// (static/js/lib/rules-constants.json; the server reads it in tasks/rules/constants.py), and the
// two helpers that turn its message templates into text exactly as the server does
// (docs/rules.md). No DOM.

import RULES from "./rules-constants.json" with { type: "json" };

/** @type {{tolerances: Record<string, number>, limits: Record<string, any>, messages: Record<string, string>}} */
export const C = RULES;
export const TOLERANCES = C.tolerances;
export const LIMITS = C.limits;

/**
 * The message `key` with its {name} placeholders filled in (Python's str.format on the server).
 * @param {string} key @param {Record<string, string | number>} [values] @returns {string}
 */
export function message(key, values = {}) {
  const template = C.messages[key];
  if (template === undefined) throw new Error(`unknown rule message ${key}`);
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

/**
 * A number as Python's format(x, "g") writes it (6 significant digits, trailing zeros dropped,
 * an exponent below 1e-4 and from 1e6): the server's messages print numbers that way.
 * @param {number} x @returns {string}
 */
export function g(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const [mantissa, exp] = x.toExponential(5).split("e");
  const exponent = Number(exp);
  const strip = (/** @type {string} */ s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exponent >= -4 && exponent < 6) return strip(x.toFixed(5 - exponent));
  const sign = exponent < 0 ? "-" : "+";
  return `${strip(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}
