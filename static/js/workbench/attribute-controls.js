// The controls of one attribute, shared by the attributes panel (the selected annotation's)
// and the global attributes panel:
//   category      buttons (up to 5 flat choices), else the label picker (nested choices, typing
//                 searches); allow_multiple: a checkbox per choice, grouped as in the tree
//   number        a number input (min, max, step); Enter or leaving the field applies it
//   text          a text input, the same way
//   angle         a dial (drag it; arrow keys 1°, Shift 15°) and a number input, 0–360
//   x_line/y_line a number input (px from the left / top edge) and the line itself, dragged on
//                 the canvas; "Place" puts a missing line in the middle
//   linked        a list of the annotations it may point at, and "Pick" on the canvas
// A change goes through binding.set(), which applies it as one undo step or refuses it and
// says why (the control then shows the value as it is). Task text goes in with textContent.

import {
  choiceLeaves, choiceText, choiceTree, isMissing, lineExtent, linkedCandidates, typeOf,
} from "../lib/attributes.js";
import { isLeaf } from "../lib/labeltree.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_BUTTONS = 5;
const MAX_OPTIONS = 400;
let counter = 0;

/**
 * @typedef {object} Binding
 * @property {string} id
 * @property {any} def
 * @property {any} value
 * @property {boolean} disabled
 * @property {string} problem  why the value (or its absence) blocks the submit, or ""
 * @property {(value: any, options?: {merge?: boolean}) => boolean} set
 * @property {any} [annotation]  per-annotation attributes: the annotation
 */

/** One attribute's row: name (* when required), description, control, problem. */
export function attributeRow(app, binding) {
  const { id, def } = binding;
  const row = el("div", "wb-attr");
  row.dataset.attribute = id;
  row.dataset.type = typeOf(def);
  if (binding.problem) row.classList.add("problem");
  const head = el("div", "wb-attr-head");
  const name = el("label", "wb-attr-name");
  name.id = `wb-attr-name-${++counter}`;
  name.textContent = id;
  if (def.required) {
    const star = el("span", "wb-attr-required", { title: "Required", "aria-label": "required" });
    star.textContent = "*";
    name.append(star);
  }
  head.append(name);
  if (!isMissing(binding.value) && !binding.disabled) {
    const clear = el("button", "wb-attr-clear", { type: "button", title: `Clear ${id}`, "aria-label": `Clear ${id}` });
    clear.dataset.role = "clear";
    clear.textContent = "×";
    clear.addEventListener("click", () => binding.set(undefined));
    head.append(clear);
  }
  row.append(head);
  if (def.description) {
    const description = el("div", "wb-attr-description");
    description.textContent = String(def.description);
    row.append(description);
  }
  const control = el("div", "wb-attr-control");
  (CONTROLS[typeOf(def)] || textControl)(app, binding, control, name);
  row.append(control);
  if (binding.problem) {
    const problem = el("div", "wb-attr-problem", { role: "note" });
    problem.textContent = binding.problem;
    row.append(problem);
  }
  return row;
}

/** The focus inside `root` as a key that survives a re-render (see restoreFocus). */
export function focusKey(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active)) return null;
  const row = active.closest("[data-attribute], [data-focus-group]");
  return {
    row: row?.dataset.attribute || row?.dataset.focusGroup || "",
    role: active.dataset.role || "",
    choice: active.dataset.choice || "",
  };
}

/** Give the focus back to the element `focusKey` described, if it is still there. */
export function restoreFocus(root, key) {
  if (!key) return;
  for (const node of root.querySelectorAll("[data-role]")) {
    const row = node.closest("[data-attribute], [data-focus-group]");
    const rowKey = row?.dataset.attribute || row?.dataset.focusGroup || "";
    if (rowKey === key.row && node.dataset.role === key.role && (node.dataset.choice || "") === key.choice) {
      node.focus({ preventScroll: true });
      return;
    }
  }
}

// ---------------------------------------------------------------- the controls

function categoryControl(app, b, body, name) {
  if (b.def.allow_multiple) {
    multipleControl(app, b, body, name);
    return;
  }
  const leaves = choiceLeaves(b.def);
  const flat = choiceTree(b.def).every(isLeaf);
  if (flat && leaves.length <= MAX_BUTTONS) {
    const group = el("div", "wb-attr-choices", { role: "group", "aria-labelledby": name.id });
    for (const leaf of leaves) {
      const button = el("button", "wb-attr-choice", { type: "button" });
      button.dataset.role = "choice";
      button.dataset.choice = leaf.choice;
      button.textContent = leaf.display;
      button.setAttribute("aria-pressed", b.value === leaf.choice ? "true" : "false");
      button.disabled = b.disabled;
      button.addEventListener("click", () => {
        if (b.value !== leaf.choice) b.set(leaf.choice);
      });
      group.append(button);
    }
    body.append(group);
    return;
  }
  const button = el("button", "wb-attr-choose", { type: "button", "aria-haspopup": "dialog" });
  button.dataset.role = "choose";
  button.textContent = isMissing(b.value) ? "Choose…" : choiceText(b.def, b.value);
  if (isMissing(b.value)) button.classList.add("empty");
  button.setAttribute("aria-label", `${b.id}: ${isMissing(b.value) ? "not set" : choiceText(b.def, b.value)}. Choose…`);
  button.title = `Choose ${b.id} (type to search)`;
  button.disabled = b.disabled;
  button.addEventListener("click", async () => {
    const choice = await app.askChoice(b.def.choices, isMissing(b.value) ? null : b.value, b.id);
    if (choice !== null && choice !== b.value) b.set(choice);
    else if (button.isConnected) button.focus({ preventScroll: true });
  });
  body.append(button);
}

function multipleControl(app, b, body, name) {
  const chosen = new Set(Array.isArray(b.value) ? b.value : []);
  const order = choiceLeaves(b.def).map((leaf) => leaf.choice);
  const group = el("div", "wb-attr-multi", { role: "group", "aria-labelledby": name.id });
  const walk = (nodes, depth) => {
    for (const node of nodes) {
      if (!isLeaf(node)) {
        const heading = el("div", "wb-attr-multi-group");
        heading.textContent = node.display;
        heading.dataset.depth = String(depth);
        group.append(heading);
        walk(node.children, depth + 1);
        continue;
      }
      const label = el("label", "wb-attr-check");
      label.dataset.depth = String(depth);
      const box = el("input", "", { type: "checkbox" });
      box.dataset.role = "check";
      box.dataset.choice = node.choice;
      box.checked = chosen.has(node.choice);
      box.disabled = b.disabled;
      box.addEventListener("change", () => {
        const next = new Set(chosen);
        if (box.checked) next.add(node.choice);
        else next.delete(node.choice);
        const value = order.filter((choice) => next.has(choice));
        if (!b.set(value.length ? value : undefined)) box.checked = chosen.has(node.choice);
      });
      const text = el("span");
      text.textContent = node.display;
      label.append(box, text);
      group.append(label);
    }
  };
  walk(choiceTree(b.def), 0);
  body.append(group);
}

/** A number or text input that applies on Enter or when the focus leaves it; Esc reverts. */
function fieldInput(app, b, name, { type, parse, attributes = {} }) {
  const input = el("input", "wb-attr-input", { type, ...attributes });
  input.dataset.role = "value";
  input.id = `wb-attr-input-${++counter}`;
  name.htmlFor = input.id;
  input.value = isMissing(b.value) ? "" : String(b.value);
  input.disabled = b.disabled;
  input.autocomplete = "off";
  const shown = () => (isMissing(b.value) ? "" : String(b.value));
  // A refused value stays in the field, marked, with the reason under it (Esc reverts).
  const error = el("div", "wb-attr-error", { role: "alert" });
  error.hidden = true;
  const explain = (reason) => {
    error.textContent = reason;
    error.hidden = !reason;
    if (reason) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  const apply = () => {
    if (input.value === shown() && !input.validity.badInput) {
      explain("");
      return;
    }
    const parsed = parse(input);
    if (parsed.error) {
      app.refuse(`${b.id} ${parsed.error}`);
      explain(`${b.id} ${parsed.error}`);
      return;
    }
    if (parsed.value === b.value) return;
    app.lastRefusal = "";
    if (!b.set(parsed.value)) explain(app.lastRefusal || `${b.id}: this value is refused`);
    else explain("");
  };
  input.addEventListener("input", () => { if (!error.hidden) explain(""); });
  queueMicrotask(() => input.after(error));
  input.addEventListener("change", apply);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      apply();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.value = shown();
      explain("");
      app.canvas.focus({ preventScroll: true });
    }
  });
  return input;
}

function parseNumber(input) {
  if (input.validity.badInput) return { error: "must be a number" };
  const text = input.value.trim();
  if (!text) return { value: undefined };
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { error: "must be a number" };
}

function numberControl(app, b, body, name) {
  const attributes = { step: b.def.step ? String(b.def.step) : "any" };
  if (b.def.min !== undefined && b.def.min !== null) attributes.min = String(b.def.min);
  if (b.def.max !== undefined && b.def.max !== null) attributes.max = String(b.def.max);
  body.append(fieldInput(app, b, name, { type: "number", parse: parseNumber, attributes }));
  const hint = rangeHint(b.def);
  if (hint) body.append(note(hint));
}

function rangeHint(def) {
  const parts = [];
  const has = (key) => def[key] !== undefined && def[key] !== null;
  if (has("min") && has("max")) parts.push(`${def.min}–${def.max}`);
  else if (has("min")) parts.push(`≥ ${def.min}`);
  else if (has("max")) parts.push(`≤ ${def.max}`);
  if (def.step) parts.push(`steps of ${def.step}`);
  return parts.join(", ");
}

function textControl(app, b, body, name) {
  const parse = (input) => ({ value: input.value === "" ? undefined : input.value });
  body.append(fieldInput(app, b, name, { type: "text", parse, attributes: { maxlength: "10000", spellcheck: "false" } }));
}

function angleControl(app, b, body, name) {
  const wrap = el("div", "wb-attr-angle");
  const input = fieldInput(app, b, name, {
    type: "number", parse: parseNumber, attributes: { min: "0", max: "360", step: "any" },
  });
  wrap.append(makeDial(app, b, input), input, note("°"));
  body.append(wrap);
}

/** A dial: 0° up, clockwise. Drag to turn it (Shift: 15° steps); arrow keys 1° (Shift 15°). */
function makeDial(app, b, input) {
  const size = 56, c = size / 2, r = size / 2 - 5;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("class", "wb-dial");
  svg.setAttribute("role", "slider");
  svg.setAttribute("aria-label", `${b.id} in degrees`);
  svg.setAttribute("aria-valuemin", "0");
  svg.setAttribute("aria-valuemax", "360");
  svg.dataset.role = "dial";
  if (!b.disabled) svg.setAttribute("tabindex", "0");
  else svg.setAttribute("aria-disabled", "true");
  const face = svgEl("circle", { cx: c, cy: c, r, class: "wb-dial-face" });
  svg.append(face);
  for (let deg = 0; deg < 360; deg += 45) {
    const long = deg % 90 === 0;
    const t = (deg * Math.PI) / 180;
    const inner = r - (long ? 6 : 3);
    svg.append(svgEl("line", {
      x1: c + Math.sin(t) * inner, y1: c - Math.cos(t) * inner,
      x2: c + Math.sin(t) * r, y2: c - Math.cos(t) * r, class: "wb-dial-tick",
    }));
  }
  const needle = svgEl("line", { x1: c, y1: c, x2: c, y2: c - r + 3, class: "wb-dial-needle" });
  const knob = svgEl("circle", { cx: c, cy: c - r + 3, r: 3.5, class: "wb-dial-knob" });
  const hub = svgEl("circle", { cx: c, cy: c, r: 2.5, class: "wb-dial-hub" });
  svg.append(needle, knob, hub);
  const show = (deg) => {
    const missing = deg === undefined || deg === null;
    needle.setAttribute("visibility", missing ? "hidden" : "visible");
    knob.setAttribute("visibility", missing ? "hidden" : "visible");
    if (!missing) {
      needle.setAttribute("transform", `rotate(${deg} ${c} ${c})`);
      knob.setAttribute("transform", `rotate(${deg} ${c} ${c})`);
      svg.setAttribute("aria-valuenow", String(deg));
    } else {
      svg.removeAttribute("aria-valuenow");
    }
  };
  show(typeof b.value === "number" ? b.value : null);
  if (b.disabled) return svg;

  const angleAt = (event) => {
    const rect = svg.getBoundingClientRect();
    const dx = event.clientX - (rect.left + rect.width / 2);
    const dy = event.clientY - (rect.top + rect.height / 2);
    let deg = (Math.atan2(dx, -dy) * 180) / Math.PI;
    if (deg < 0) deg += 360;
    deg = event.shiftKey ? Math.round(deg / 15) * 15 : Math.round(deg);
    return deg >= 360 ? 0 : deg;
  };
  let dragging = null;
  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    svg.focus({ preventScroll: true });
    svg.setPointerCapture(event.pointerId);
    dragging = angleAt(event);
    show(dragging);
    input.value = String(dragging);
  });
  svg.addEventListener("pointermove", (event) => {
    if (dragging === null) return;
    dragging = angleAt(event);
    show(dragging);
    input.value = String(dragging);
  });
  const end = (event) => {
    if (dragging === null) return;
    const deg = dragging;
    dragging = null;
    if (svg.hasPointerCapture?.(event.pointerId)) svg.releasePointerCapture(event.pointerId);
    if (deg === b.value) return;
    if (!b.set(deg)) {
      show(typeof b.value === "number" ? b.value : null);
      input.value = isMissing(b.value) ? "" : String(b.value);
    }
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  svg.addEventListener("keydown", (event) => {
    const steps = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 15, PageDown: -15 };
    let next;
    if (event.key in steps) {
      const current = typeof b.value === "number" ? b.value : 0;
      next = (((current + steps[event.key] * (event.shiftKey ? 15 : 1)) % 360) + 360) % 360;
    } else if (event.key === "Home") {
      next = 0;
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    b.set(next, { merge: true });
  });
  return svg;
}

function lineControl(app, b, body, name) {
  const kind = typeOf(b.def);
  let extent = null;
  try {
    extent = b.annotation ? lineExtent(b.annotation, kind) : null;
  } catch {
    extent = null;
  }
  const attributes = { step: "any", min: "0" };
  if (extent !== null) attributes.max = String(Math.round(extent * 100) / 100);
  const wrap = el("div", "wb-attr-line");
  wrap.append(fieldInput(app, b, name, { type: "number", parse: parseNumber, attributes }), note("px"));
  if (isMissing(b.value) && !b.disabled && extent !== null) {
    const place = el("button", "wb-attr-button", { type: "button", title: "Put the line in the middle, then drag it on the canvas" });
    place.dataset.role = "place";
    place.textContent = "Place";
    place.addEventListener("click", () => b.set(Math.round((extent / 2) * 10) / 10));
    wrap.append(place);
  }
  body.append(wrap);
  const edge = kind === "x_line" ? "left" : "top";
  if (extent !== null) body.append(note(`From the ${edge} edge, 0–${Math.round(extent * 10) / 10} px · drag the line on the canvas`));
}

function linkedControl(app, b, body, name) {
  const a = b.annotation;
  const wrap = el("div", "wb-attr-linked");
  const select = el("select", "wb-attr-select");
  select.dataset.role = "linked";
  select.id = `wb-attr-input-${++counter}`;
  name.htmlFor = select.id;
  select.disabled = b.disabled;
  const none = el("option");
  none.value = "";
  none.textContent = "— none —";
  select.append(none);
  const candidates = a ? linkedCandidates(b.def, a, app.store.model) : [];
  const listed = candidates.slice(0, MAX_OPTIONS);
  if (typeof b.value === "string" && !listed.includes(b.value)) listed.unshift(b.value);
  for (const uuid of listed) {
    const option = el("option");
    option.value = uuid;
    option.textContent = app.store.get(uuid) ? app.describe(uuid) : `missing annotation ${uuid.slice(0, 8)}`;
    select.append(option);
  }
  select.value = typeof b.value === "string" ? b.value : "";
  select.addEventListener("change", () => {
    if (!b.set(select.value || undefined)) select.value = typeof b.value === "string" ? b.value : "";
  });
  wrap.append(select);
  if (!b.disabled && a) {
    const pick = el("button", "wb-attr-button", { type: "button", title: `Click on the canvas the annotation ${b.id} points at` });
    pick.dataset.role = "pick";
    pick.textContent = "Pick";
    pick.addEventListener("click", () => {
      app.startPick({
        prompt: `Click the annotation “${b.id}” points at`,
        from: a.uuid,
        accept: (uuid) => {
          if (uuid === a.uuid) return "An annotation cannot point at itself";
          const allowed = b.def.allowed_labels;
          const target = app.store.get(uuid);
          if (allowed && !allowed.includes(target?.label)) {
            return `${b.id} must point at an annotation labelled ${allowed.join(", ")}, not ${app.describe(uuid)}`;
          }
          return "";
        },
        done: (uuid) => {
          if (app.store.get(a.uuid)) app.setAttribute(a.uuid, b.id, uuid);
        },
      });
    });
    wrap.append(pick);
  }
  body.append(wrap);
  if (b.def.allowed_labels) body.append(note(`Points at: ${b.def.allowed_labels.join(", ")}`));
  if (candidates.length > MAX_OPTIONS) body.append(note(`${candidates.length} candidates: the list shows ${MAX_OPTIONS}, pick on the canvas for the others`));
}

const CONTROLS = {
  category: categoryControl,
  number: numberControl,
  text: textControl,
  angle: angleControl,
  x_line: lineControl,
  y_line: lineControl,
  linked: linkedControl,
};

// ---------------------------------------------------------------- DOM helpers

export function el(tag, className = "", attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

export function note(text, className = "wb-attr-note") {
  const node = el("div", className);
  node.textContent = text;
  return node;
}

function svgEl(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}
