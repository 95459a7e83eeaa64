// The Labels panel of a segmentation task (docs/workbench.md, "Segmentation tasks"): the
// palette (a click or its number key picks the label painted), each label's share of the
// image, its visibility and its own opacity (a button cycling 100/60/30/0 %, times the
// mask's opacity: static/js/lib/labelopacity.js), the mask's opacity, the unlabeled area (count, percent, a
// highlight), "paint only unlabeled pixels", the brush radius and the fill tolerance.
// Task-provided text never goes through innerHTML.

import { opacityText } from "../lib/labelopacity.js";
import { attributeRow, focusKey, restoreFocus } from "./attribute-controls.js";

/** @param {string} tag @param {string} [className] @param {string} [text] */
function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/**
 * A label row's opacity button: a click (or Enter / Space on it) cycles the label's own
 * opacity; refresh() writes its text.
 * @param {any} segment @param {number} index @param {string} name
 */
function opacityButton(segment, index, name) {
  const button = /** @type {HTMLButtonElement} */ (el("button", "wb-seg-alpha"));
  button.type = "button";
  button.title = `Opacity of “${name}” (100, 60, 30, 0 %), times the mask's`;
  button.addEventListener("click", () => segment.cycleLabelOpacity(index));
  return button;
}

/** @param {number} n pixels @param {number} total */
function percent(n, total) {
  if (!total) return "0 %";
  const p = (100 * n) / total;
  return `${p < 0.1 && n > 0 ? "< 0.1" : p.toFixed(1)} %`;
}

/**
 * @param {any} segment the SegmentController
 * @returns {import("./hooks.js").PanelSpec}
 */
export function segmentPanel(segment) {
  /** @type {Map<number, {row: HTMLElement, area: HTMLElement, alpha: HTMLButtonElement}>} */
  const rows = new Map();
  /** @type {Record<string, any>} */
  const parts = {};
  /** instance label → the list of its instances @type {Map<string, HTMLElement>} */
  const instanceLists = new Map();

  /** The instances' rows, when the instances changed. */
  function listInstances() {
    for (const [name, sub] of instanceLists) {
      const indices = segment.instancesOf(name);
      if (sub.dataset.indices !== indices.join(",")) {
        sub.dataset.indices = indices.join(",");
        sub.replaceChildren(...indices.map((index) => instanceRow(index)));
      }
    }
  }

  /** @param {number} index */
  function instanceRow(index) {
    const row = el("li", "wb-seg-label wb-seg-instance");
    row.dataset.index = String(index);
    const pick = /** @type {HTMLButtonElement} */ (el("button", "wb-seg-pick"));
    pick.type = "button";
    const swatch = el("span", "wb-seg-swatch");
    swatch.style.background = segment.colorOf(index);
    pick.append(swatch, el("span", "wb-seg-name", segment.labelName(index)));
    pick.addEventListener("click", () => segment.setActive(index));
    const area = el("span", "wb-seg-area");
    const eye = /** @type {HTMLInputElement} */ (el("input"));
    eye.type = "checkbox";
    eye.checked = !segment.hidden.has(index);
    eye.setAttribute("aria-label", `Show ${segment.labelName(index)}`);
    eye.addEventListener("change", () => segment.setVisible(index, eye.checked));
    const alpha = opacityButton(segment, index, segment.labelName(index));
    row.append(pick, area, alpha, eye);
    rows.set(index, { row, area, alpha });
    return row;
  }
  /** The active instance's attributes (annotation_attributes), re-rendered when they change. */
  function renderInstanceAttributes() {
    const box = parts.instanceAttributes;
    if (!box) return;
    const index = segment.activeIndex;
    const instance = segment.doc?.instances.get(index);
    const ids = instance ? segment.shownInstanceAttributes(index) : [];
    const problems = new Map(instance ? segment.instanceProblems().filter((p) => p.index === index).map((p) => [p.id, p.reason]) : []);
    const key = JSON.stringify([index, ids, instance?.attributes, [...problems], segment.app.readOnly]);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    const focus = focusKey(box);
    if (!ids.length) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const defs = segment.attributeDefs;
    const rows = ids.map((id) => attributeRow(segment.app, {
      id, def: defs[id], value: instance.attributes?.[id], disabled: Boolean(segment.app.readOnly),
      problem: problems.has(id) ? `${id} ${problems.get(id)}` : "",
      set: (value) => segment.setInstanceAttribute(index, id, value),
    }));
    box.replaceChildren(el("div", "wb-seg-instance-title", `Attributes of ${segment.labelName(index)}`), ...rows);
    restoreFocus(box, focus);
  }

  const spec = {
    id: "segmentation",
    title: "Labels",
    grow: false,
    mount(/** @type {HTMLElement} */ body) {
      body.classList.add("wb-seg");
      const list = el("ol", "wb-seg-labels");
      list.setAttribute("aria-label", "Labels: a click picks the one painted");
      segment.labels.forEach((label, i) => {
        const row = el("li", "wb-seg-label");
        row.dataset.index = String(label.index);
        const pick = /** @type {HTMLButtonElement} */ (el("button", "wb-seg-pick"));
        pick.type = "button";
        const swatch = el("span", "wb-seg-swatch");
        swatch.style.background = label.color;
        const key = i < 10 ? String((i + 1) % 10) : "";
        const name = el("span", "wb-seg-name", label.path?.length ? label.path.join(" › ") : label.label);
        pick.append(swatch, el("kbd", "", key), name);
        pick.title = `Paint “${label.label}”${key ? ` (${key})` : ""}`;
        pick.addEventListener("click", () => segment.pickLabel(label));
        const area = el("span", "wb-seg-area");
        const eye = /** @type {HTMLInputElement} */ (el("input"));
        eye.type = "checkbox";
        eye.checked = true;
        eye.title = `Show “${label.label}”`;
        eye.setAttribute("aria-label", `Show ${label.label}`);
        eye.addEventListener("change", () => segment.setVisible(label.index, eye.checked));
        const alpha = opacityButton(segment, label.index, label.label);
        row.append(pick, area, alpha, eye);
        list.append(row);
        rows.set(label.index, { row, area, alpha });
        if (label.instance) {
          // an instance label paints its instances: "+" makes a new one, listed below
          const add = /** @type {HTMLButtonElement} */ (el("button", "wb-seg-add", "+"));
          add.type = "button";
          add.title = `A new “${label.label}” instance`;
          add.addEventListener("click", () => segment.newInstance(label));
          area.before(add);
          row.classList.add("instance-label");
          const sub = el("ol", "wb-seg-instances");
          list.append(sub);
          instanceLists.set(label.label, sub);
        }
      });

      parts.instanceAttributes = el("div", "wb-seg-instance-attributes wb-attrs");
      parts.instanceAttributes.hidden = true;
      const unlabeled = el("div", "wb-seg-unlabeled");
      parts.unlabeledText = el("span", "wb-seg-unlabeled-text");
      parts.highlight = /** @type {HTMLButtonElement} */ (el("button", "wb-button", "Highlight"));
      parts.highlight.type = "button";
      parts.highlight.title = "Highlight the unlabeled pixels (Shift+N)";
      parts.highlight.addEventListener("click", () => segment.setHighlight(!segment.highlight));
      unlabeled.append(parts.unlabeledText, parts.highlight);

      parts.protect = checkbox("Paint only unlabeled pixels (N)", (on) => segment.setProtect(on));
      parts.opacity = slider("Opacity", 0, 100, Math.round(segment.opacity * 100), (v) => segment.setOpacity(v / 100));
      parts.tolerance = slider("Fill tolerance", 0, 255, segment.tolerance, (v) => { segment.tolerance = v; });
      parts.radius = el("div", "wb-seg-radius");
      body.append(list, parts.instanceAttributes, unlabeled, parts.protect.label, parts.opacity.label, parts.tolerance.label, parts.radius);
      spec.refresh();
    },
    update() {},
    refresh() {
      listInstances();
      renderInstanceAttributes();
      const mask = segment.doc?.mask;
      const total = mask ? mask.width * mask.height : 0;
      for (const [index, { row, area, alpha }] of rows) {
        row.classList.toggle("active", index === segment.activeIndex);
        const own = segment.ownOpacity(index);
        alpha.textContent = opacityText(own);
        alpha.setAttribute("aria-label", `Opacity of ${segment.labelName(index)}: ${opacityText(own)}`);
        alpha.classList.toggle("dimmed", own < 1);
        row.querySelector("button")?.setAttribute("aria-pressed", index === segment.activeIndex ? "true" : "false");
        area.textContent = mask ? percent(mask.counts[index], total) : "";
      }
      if (!parts.unlabeledText) return;
      const n = mask ? mask.unlabeled : 0;
      parts.unlabeledText.textContent = mask
        ? `Unlabeled: ${n.toLocaleString("en")} px (${percent(n, total)})${n && !segment.allowUnlabeled ? " — every pixel needs a label" : ""}`
        : "Loading the mask…";
      parts.unlabeledText.dataset.count = String(n);
      parts.highlight.setAttribute("aria-pressed", segment.highlight ? "true" : "false");
      parts.highlight.classList.toggle("active", segment.highlight);
      parts.protect.input.checked = segment.protect;
      parts.radius.textContent = `Brush radius: ${segment.radius} px ([ ] or Ctrl+wheel)`;
      if (spec.extra) spec.extra.textContent = mask ? `${percent(n, total)} unlabeled` : "";
    },
  };
  return spec;
}

/** @param {string} text @param {(on: boolean) => void} change */
function checkbox(text, change) {
  const label = el("label", "wb-seg-option");
  const input = /** @type {HTMLInputElement} */ (el("input"));
  input.type = "checkbox";
  input.addEventListener("change", () => change(input.checked));
  label.append(input, document.createTextNode(` ${text}`));
  return { label, input };
}

/**
 * @param {string} text @param {number} min @param {number} max @param {number} value
 * @param {(value: number) => void} change
 */
function slider(text, min, max, value, change) {
  const label = el("label", "wb-seg-option");
  const input = /** @type {HTMLInputElement} */ (el("input"));
  input.type = "range";
  input.min = String(min);
  input.max = String(max);
  input.value = String(value);
  const shown = el("span", "wb-seg-value", String(value));
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    change(Number(input.value));
  });
  label.append(document.createTextNode(`${text} `), input, shown);
  return { label, input };
}
