// The key map: one table, used both to dispatch keys and to build the help overlay, so the
// help always lists exactly what the keys do.
//
// A binding: {combo, command, help?} where combo is "ctrl+shift+z", "?", "arrowleft", …
// (ctrl means Ctrl or Cmd). Letters and named keys must match Shift exactly; symbol keys
// (?, +, -, =) ignore Shift because it is how they are typed.

/** @typedef {{combo: string, command: string, args?: any[], help?: [string, string, string]}} Binding */
// help: [section, keys as shown, what it does]; bindings without help share a row with another.

/** @type {Binding[]} */
export const BINDINGS = [
  { combo: "v", command: "tool", args: ["select"], help: ["Tools", "V", "Select / edit"] },
  { combo: "b", command: "tool", args: ["box"], help: ["Tools", "B", "Box: press, drag, release"] },
  { combo: "p", command: "tool", args: ["polygon"], help: ["Tools", "P", "Polygon: click each vertex; Enter, double-click or a click on the first vertex closes it"] },
  { combo: "l", command: "tool", args: ["line"], help: ["Tools", "L", "Line: click each vertex; Enter or double-click ends it"] },
  { combo: "o", command: "tool", args: ["point"], help: ["Tools", "O", "Point: click"] },
  { combo: "e", command: "tool", args: ["ellipse"], help: ["Tools", "E", "Ellipse: drag its box; rotate it afterwards"] },
  { combo: "c", command: "tool", args: ["cuboid"], help: ["Tools", "C", "Cuboid: drag the front face, release, move for the depth, click. With a camera: drag the footprint on the ground, release, move up or down for the height, click"] },
  { combo: "m", command: "tool", args: ["ruler"], help: ["Tools", "M", "Ruler (resolution units when the image has them)"] },

  { combo: "escape", command: "escape", help: ["Drawing", "Esc", "Cancel the shape being drawn; otherwise clear the selection"] },
  { combo: "backspace", command: "backspace", help: ["Drawing", "Backspace", "While drawing a polygon or line: remove the last vertex (otherwise: delete the selection)"] },
  { combo: "enter", command: "enter", help: ["Drawing", "Enter", "Finish the polygon / line; on a selection: change its label"] },

  { combo: "delete", command: "delete", help: ["Editing", "Delete", "Delete the selected annotation(s)"] },
  { combo: "ctrl+z", command: "undo", help: ["Editing", "Ctrl+Z", "Undo"] },
  { combo: "ctrl+shift+z", command: "redo", help: ["Editing", "Ctrl+Shift+Z", "Redo"] },
  { combo: "ctrl+y", command: "redo", help: ["Editing", "Ctrl+Y", "Redo"] },
  { combo: "ctrl+c", command: "copy", help: ["Editing", "Ctrl+C", "Copy the selected annotation(s)"] },
  { combo: "ctrl+v", command: "paste", help: ["Editing", "Ctrl+V", "Paste (offset by 10 px)"] },
  { combo: "arrowleft", command: "nudge", args: [-1, 0], help: ["Editing", "← ↑ → ↓", "Nudge the selection 1 px"] },
  { combo: "arrowright", command: "nudge", args: [1, 0] },
  { combo: "arrowup", command: "nudge", args: [0, -1] },
  { combo: "arrowdown", command: "nudge", args: [0, 1] },
  { combo: "shift+arrowleft", command: "nudge", args: [-10, 0], help: ["Editing", "Shift+← ↑ → ↓", "Nudge the selection 10 px"] },
  { combo: "shift+arrowright", command: "nudge", args: [10, 0] },
  { combo: "shift+arrowup", command: "nudge", args: [0, -10] },
  { combo: "shift+arrowdown", command: "nudge", args: [0, 10] },
  { combo: "[", command: "turn", args: [-15], help: ["Editing", "[ ]", "Turn the 3D cuboid (selected or being drawn) by 15°; { } by 1°"] },
  { combo: "]", command: "turn", args: [15] },
  { combo: "shift+{", command: "turn", args: [-1] },
  { combo: "shift+}", command: "turn", args: [1] },
  { combo: "tab", command: "selectStep", args: [1], help: ["Editing", "Tab", "Select the next annotation"] },
  { combo: "shift+tab", command: "selectStep", args: [-1], help: ["Editing", "Shift+Tab", "Select the previous annotation"] },

  { combo: "+", command: "zoom", args: [1.25], help: ["View", "+", "Zoom in"] },
  { combo: "=", command: "zoom", args: [1.25] },
  { combo: "-", command: "zoom", args: [0.8], help: ["View", "-", "Zoom out"] },
  { combo: "f", command: "fit", help: ["View", "F", "Fit the image"] },
  { combo: "h", command: "toggleLayers", help: ["View", "H", "Hide / show the read-only layers"] },
  { combo: "r", command: "rotateView", args: [1], help: ["View", "R / Shift+R", "Turn the view 90° clockwise / counter-clockwise (annotations keep image coordinates)"] },
  { combo: "shift+r", command: "rotateView", args: [-1] },

  { combo: "ctrl+enter", command: "submit", help: ["Task", "Ctrl+Enter", "Submit"] },
  { combo: "?", command: "help", help: ["Task", "?", "Show every shortcut"] },
];

/** Rows of the help overlay that are not single keys of the table. */
export const EXTRA_HELP = [
  ["View", "Mouse wheel", "Zoom about the cursor"],
  ["View", "Space + drag, middle button drag", "Pan"],
  ["View", "Two fingers (touch)", "Pinch to zoom; move them together to pan"],
  ["View", "One finger (touch)", "Pans off the annotations with the select tool; the action bar deletes, copies, pastes, relabels, finishes"],
  ["Editing", "Drag a shape", "Move it (the whole selection)"],
  ["Editing", "Drag a handle", "Resize; the round knob above rotates (Shift: 15° steps)"],
  ["Editing", "Drag a vertex", "Move the vertex"],
  ["Editing", "Click on an edge", "Insert a vertex there (a ghost vertex shows on hover)"],
  ["Editing", "Alt+click a vertex", "Delete the vertex"],
  ["Editing", "3D cuboid (with a camera)", "Drag it: move on the ground; a top vertex: height; a bottom vertex: the footprint"],
  ["Editing", "Shift+click", "Add to / remove from the selection"],
  ["Labels", "Type", "Search the labels by name, in the whole tree"],
  ["Labels", "↑ ↓, Enter", "Move, pick the highlighted label"],
  ["Labels", "Alt+1–9", "Pick a recent label (a typed digit always searches: labels like 120)"],
  ["Labels", "Esc", "Keep the previous label; a new shape is discarded"],
];

/** Parse "ctrl+shift+z" into {key, ctrl, shift, alt}. */
export function parseCombo(combo) {
  const parts = combo === "+" ? ["+"] : combo.toLowerCase().split("+");
  const key = parts.pop();
  return {
    key,
    ctrl: parts.includes("ctrl"),
    shift: parts.includes("shift"),
    alt: parts.includes("alt"),
  };
}

const SYMBOLS = new Set(["?", "+", "-", "=", "_"]);

/**
 * The binding a keyboard event triggers, or null.
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, shiftKey?: boolean, altKey?: boolean}} event
 * @param {Binding[]} [bindings]
 */
export function match(event, bindings = BINDINGS) {
  const key = (event.key || "").toLowerCase();
  const ctrl = Boolean(event.ctrlKey || event.metaKey);
  const shift = Boolean(event.shiftKey);
  const alt = Boolean(event.altKey);
  for (const binding of bindings) {
    const c = parseCombo(binding.combo);
    if (c.key !== key || c.ctrl !== ctrl || c.alt !== alt) continue;
    if (!SYMBOLS.has(c.key) && c.shift !== shift) continue;
    return binding;
  }
  return null;
}

/** Help rows grouped by section, in table order: Map section → [keys, text][]. */
export function helpSections(bindings = BINDINGS, extra = EXTRA_HELP) {
  const sections = new Map();
  const add = ([section, keys, text]) => {
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section).push([keys, text]);
  };
  for (const b of bindings) if (b.help) add(b.help);
  for (const row of extra) add(row);
  return sections;
}
