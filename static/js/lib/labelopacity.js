// Each label's own opacity on the segmentation page (docs/workbench.md, "Segmentation
// tasks"): a label row's opacity button cycles through OPACITY_STEPS, and what a label's
// pixels are drawn with is the mask's (global) opacity times the label's own, times its
// instance label's for an instance; a hidden label is not drawn at all.

/** The steps a label's opacity button cycles through: 100, 60, 30 and 0 %. */
export const OPACITY_STEPS = Object.freeze([1, 0.6, 0.3, 0]);

/**
 * The step after `current` (the first step below it, from 0 % back to 100 %).
 * @param {number} current 0..1 @returns {number}
 */
export function nextOpacity(current) {
  const next = OPACITY_STEPS.find((step) => step < current - 1e-9);
  return next === undefined ? OPACITY_STEPS[0] : next;
}

/**
 * The alpha a label's pixels are drawn with, 0..1.
 * @param {{global: number, own?: number, parent?: number, hidden?: boolean}} parts
 *   `global` the mask's opacity, `own` the label's (default 1), `parent` its instance
 *   label's for an instance (default 1), `hidden` the label's show box unticked
 * @returns {number}
 */
export function drawnAlpha({ global, own = 1, parent = 1, hidden = false }) {
  if (hidden) return 0;
  return clamp01(global) * clamp01(own) * clamp01(parent);
}

/** "100 %", "60 %", "0 %" @param {number} opacity 0..1 */
export function opacityText(opacity) {
  return `${Math.round(clamp01(opacity) * 100)} %`;
}

/** @param {number} value */
function clamp01(value) {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1;
}
