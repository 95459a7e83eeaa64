// Label colours (docs/workbench.md, "Aids"): a colour per leaf label that depends only on the
// label tree, so the same label has the same colour in every task of a project, and sibling
// labels are spread over their parent's share of the hue circle (never one repeating
// palette). DOM-free.
//
// Siblings (the labels a picker shows together) are spread evenly over the whole hue circle,
// starting from their parent's hue turned by half a step: five children of "Vehicle" are
// 72° apart. The order in which siblings take their places comes from a hash of their paths,
// so it does not depend on the order the task lists them in; the root level is turned by a
// hash of its names, so two projects differ. Lightness steps down with the depth, and a leaf
// whose colour another leaf already has is turned on by a few degrees until it is free.

/** FNV-1a over the string's UTF-16 units: a stable 32-bit hash. @param {string} text */
export function hashText(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A hex colour for a hue (degrees), saturation and lightness (0–1).
 * @param {number} h @param {number} s @param {number} l
 */
export function hslHex(h, s, l) {
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x) => Math.round(x * 255).toString(16).padStart(2, "0");
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/**
 * @typedef {{choice?: string, display?: string, subchoices?: any[], children?: any[]}} Node
 * A label node as lib/labeltree.js parses it (`choice` for a leaf, `subchoices` or
 * `children` for a group).
 */

function childrenOf(node) {
  return node.subchoices || node.children || [];
}

function nameOf(node) {
  return String(node.choice ?? node.display ?? "");
}

/**
 * The hue (degrees) and depth of each leaf choice of `tree`, in a stable order:
 * Map choice → {hue, depth}.
 * @param {Node[]} tree @param {string} [parentPath] @param {number | null} [parentHue]
 * @param {number} [depth] @param {Map<string, {hue: number, depth: number}>} [out]
 */
export function labelHues(tree, parentPath = "", parentHue = null, depth = 0, out = new Map()) {
  const nodes = (tree || []).map((node) => ({ node, path: `${parentPath}/${nameOf(node)}` }));
  nodes.sort((a, b) => hashText(a.path) - hashText(b.path) || (a.path < b.path ? -1 : 1));
  const n = nodes.length;
  if (!n) return out;
  const step = 360 / n;
  const base = parentHue === null ? hashText(nodes.map((x) => x.path).join("|")) % 360 : parentHue + step / 2;
  nodes.forEach(({ node, path }, i) => {
    const hue = ((base + i * step) % 360 + 360) % 360;
    const kids = childrenOf(node);
    if (kids.length) labelHues(kids, path, hue, depth + 1, out);
    else if (node.choice !== undefined && !out.has(node.choice)) out.set(node.choice, { hue, depth });
  });
  return out;
}

/**
 * A colour per leaf label of every geometry's tree (the first geometry that has a choice
 * decides its colour).
 * @param {Record<string, Node[]>} trees @returns {Map<string, string>}
 */
export function labelColorMap(trees) {
  const colors = new Map();
  const used = new Set();
  for (const tree of Object.values(trees)) {
    for (const [choice, { hue, depth }] of labelHues(tree)) {
      if (colors.has(choice)) continue;
      const lightness = Math.max(0.5, 0.62 - depth * 0.05);
      let h = hue, color = hslHex(h, 0.85, lightness);
      for (let tries = 0; used.has(color) && tries < 72; tries++) color = hslHex((h += 5) % 360, 0.85, lightness);
      used.add(color);
      colors.set(choice, color);
    }
  }
  return colors;
}
