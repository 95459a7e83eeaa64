// The workbench's DOM: top bar, canvas stage, side column and status bar. Builds the elements
// and stores the ones the app updates on it (app.canvas, app.stage, app.side, app.toolButtons,
// app.statusMessage, …). Task-provided text never goes through innerHTML.

import { csrfToken } from "./api.js";

const SVG_NS = "http://www.w3.org/2000/svg";

const TOOL_META = {
  select: { key: "V", title: "Select / edit", icon: "M5 3l12 7-5 1.5L9 17z" },
  box: { key: "B", title: "Box", icon: "M4 5h14v12H4z" },
  polygon: { key: "P", title: "Polygon", icon: "M6 4l11 3-2 10-10-2z" },
  line: { key: "L", title: "Line", icon: "M3 16l5-7 5 4 6-9" },
  point: { key: "O", title: "Point", icon: "M11 8a3 3 0 110 6 3 3 0 010-6z" },
  ellipse: { key: "E", title: "Ellipse", icon: "M11 5c5 0 8 2.7 8 6s-3 6-8 6-8-2.7-8-6 3-6 8-6z" },
  cuboid: { key: "C", title: "Cuboid", icon: "M4 8h10v10H4zM4 8l4-4h10v10l-4 4M14 8l4-4" },
  ruler: { key: "M", title: "Ruler", icon: "M3 15L15 3l4 4L7 19zM7 11l2 2M10 8l2 2M13 5l2 2" },
};

export function buildLayout(app) {
  const root = app.root;
  root.replaceChildren();
  root.classList.add("wb");
  if (app.readOnly) root.classList.add("wb-read-only");

  const toolbar = el("div", "wb-toolbar", { role: "toolbar", "aria-label": "Workbench tools" });
  app.toolButtons = {};
  const tools = el("div", "wb-group");
  const names = app.readOnly ? ["select", "ruler"] : ["select", ...app.geometryNames, "ruler"];
  for (const name of names) {
    const meta = TOOL_META[name];
    tools.append(toolButton(app, name, { ...meta, text: name === "select" ? "" : meta.title }));
  }
  app.toolGroup = tools;
  toolbar.append(tools);

  if (!app.readOnly) {
    const history = el("div", "wb-group");
    app.undoButton = iconButton("M8 7H4V3M4.5 7A8 8 0 1 1 5 15", "Undo (Ctrl+Z)");
    app.redoButton = iconButton("M14 7h4V3M17.5 7A8 8 0 1 0 17 15", "Redo (Ctrl+Shift+Z)");
    app.undoButton.addEventListener("click", () => app.run("undo"));
    app.redoButton.addEventListener("click", () => app.run("redo"));
    history.append(app.undoButton, app.redoButton);
    toolbar.append(history);
  }

  const zoom = el("div", "wb-group");
  const zoomOut = iconButton("M5 11h12", "Zoom out (-)");
  const zoomIn = iconButton("M5 11h12M11 5v12", "Zoom in (+)");
  const fit = iconButton("M4 8V4h4M14 4h4v4M18 14v4h-4M8 18H4v-4", "Fit the image (F)");
  app.zoomLabel = el("span", "wb-zoom", { "aria-live": "off", title: "Zoom" });
  zoomOut.addEventListener("click", () => app.run("zoom", [0.8]));
  zoomIn.addEventListener("click", () => app.run("zoom", [1.25]));
  fit.addEventListener("click", () => app.run("fit"));
  const turn = iconButton("M17 11a6 6 0 1 1-2-4.5M17 3v4h-4", "Turn the view 90° (R)");
  turn.dataset.command = "rotateView";
  turn.addEventListener("click", () => app.run("rotateView", [1]));
  zoom.append(zoomOut, app.zoomLabel, zoomIn, fit, turn);
  toolbar.append(zoom);

  toolbar.append(el("div", "wb-spacer"));
  // below about 1,200 px the side column folds away; this button shows it (workbench.css)
  app.sideToggle = el("button", "wb-button wb-side-toggle", {
    type: "button", title: "Show / hide the panels", "aria-expanded": "false",
  });
  app.sideToggle.textContent = "Panels";
  app.sideToggle.addEventListener("click", () => toggleSide(app));
  toolbar.append(app.sideToggle);
  const helpButton = el("button", "wb-button", { type: "button", title: "Keyboard shortcuts (?)" });
  helpButton.textContent = "?";
  helpButton.addEventListener("click", () => app.run("help"));
  toolbar.append(helpButton);
  if (!app.readOnly) {
    // Skip asks for an optional reason (shown to managers); the draft is kept on the server
    // and the task comes back to this tasker only after the rest of their queue
    // (docs/live-sessions.md "Leases").
    const skip = el("form", "wb-skip", { method: "post", action: app.urls.skip });
    const token = el("input", "", { type: "hidden", name: "csrfmiddlewaretoken" });
    token.value = csrfToken();
    const skipButton = el("button", "wb-button", { type: "button", title: "Skip: give the task back to the queue", "aria-expanded": "false" });
    skipButton.textContent = "Skip";
    const ask = el("div", "wb-skip-ask", { role: "dialog", "aria-label": "Skip this task" });
    ask.hidden = true;
    const question = el("label", "wb-skip-question");
    question.textContent = "Why? (optional, seen by the managers)";
    const reason = el("input", "wb-skip-reason", { type: "text", name: "reason", maxlength: "500", autocomplete: "off" });
    question.append(reason);
    const note = el("div", "wb-skip-note");
    note.textContent = "Your saved edits stay with the task. You get it again only once the rest of your queue is done.";
    // inputs, not buttons: `.wb-skip button` stays the one Skip (Release) button. The confirm
    // looks primary (workbench.css) without the `primary` class: the toolbar's one primary
    // button is Submit.
    const confirm = /** @type {HTMLInputElement} */ (el("input", "wb-button wb-skip-confirm", { type: "submit", value: "Skip task" }));
    const cancel = el("input", "wb-button", { type: "button", value: "Cancel" });
    ask.append(question, note, confirm, cancel);
    skip.append(token, skipButton, ask);
    const showAsk = (open) => {
      ask.hidden = !open;
      skipButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        confirm.value = skipButton.textContent === "Skip" ? "Skip task" : skipButton.textContent || "Skip task";
        reason.focus();
      } else app.canvas?.focus();
    };
    skipButton.addEventListener("click", () => showAsk(ask.hidden));
    cancel.addEventListener("click", () => showAsk(false));
    ask.addEventListener("keydown", (event) => {
      event.stopPropagation();  // typing a reason is not a shortcut
      if (event.key === "Escape") {
        event.preventDefault();
        showAsk(false);
      }
    });
    skip.addEventListener("submit", () => {
      token.value = csrfToken();
      app.leaving = true;
    });
    app.submitButton = el("button", "wb-button primary", { type: "button", title: "Submit (Ctrl+Enter)" });
    app.submitButton.textContent = "Submit";
    app.submitButton.addEventListener("click", () => app.run("submit"));
    toolbar.append(skip, app.submitButton);
  } else {
    const badge = el("span", "wb-readonly-badge");
    badge.textContent = "Read-only";
    toolbar.append(badge);
  }

  const main = el("div", "wb-main");
  app.stage = el("div", "wb-stage");
  app.canvas = el("canvas", "wb-canvas", {
    tabindex: "0",
    role: "application",
    "aria-label": "Image canvas. Press ? for the keyboard shortcuts.",
  });
  app.banner = el("div", "wb-banner", { role: "alert" });
  app.banner.hidden = true;
  app.stage.append(app.canvas, app.banner);
  if (!app.readOnly) app.stage.append(buildActionBar(app));
  const coarse = typeof window.matchMedia === "function" && window.matchMedia("(pointer: coarse)").matches;
  if (coarse || navigator.maxTouchPoints > 0) root.dataset.touch = "true";
  app.side = el("aside", "wb-side", { "aria-label": "Task panels" });
  main.append(app.stage, app.side);

  const statusbar = el("div", "wb-statusbar");
  app.statusMessage = el("span", "wb-status-message", { role: "status", "aria-live": "polite" });
  app.statusHint = el("span", "wb-status-hint");
  app.statusPosition = el("span", "wb-status-position", { title: "Cursor position in image pixels" });
  app.statusZoom = el("span", "wb-status-zoom");
  statusbar.append(app.statusMessage, app.statusHint, app.statusPosition, app.statusZoom);

  root.append(toolbar, main, statusbar);
  // the tools' names only while the toolbar keeps to one row: a page with many tools in a
  // window under ~1400 px (segmentation's seven) shows their icons, each with its title.
  // Measured after the frame, so that the class's own change of size settles in one step.
  new ResizeObserver(() => requestAnimationFrame(() => fitToolbar(toolbar))).observe(toolbar);
}

/** Hide the tools' names (`wb-toolbar-compact`) when, shown, they would wrap the toolbar. */
function fitToolbar(toolbar) {
  toolbar.classList.remove("wb-toolbar-compact");
  const shown = [...toolbar.children].filter((child) => child.getClientRects().length > 0);
  if (!shown.length) return;
  // a second row starts below the whole first item (items of one row differ in height)
  const firstBottom = shown[0].getBoundingClientRect().bottom;
  if (shown.some((child) => child.getBoundingClientRect().top >= firstBottom)) {
    toolbar.classList.add("wb-toolbar-compact");
  }
}

/**
 * A tool's button: `title (key)`, pressed while it is active (app.setTool); a click activates
 * it through app.run, so the command guards see it.
 * @param {any} app @param {string} name @param {{title: string, key: string, icon: string, text?: string}} meta
 */
function toolButton(app, name, meta) {
  const button = iconButton(meta.icon, `${meta.title} (${meta.key})`, meta.text ?? meta.title);
  button.dataset.tool = name;
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", () => app.run("tool", [name]));
  app.toolButtons[name] = button;
  return button;
}

/**
 * hooks.addTool: an extension's tool button, in the tool group before the ruler.
 * @param {any} app @param {string} name @param {import("./hooks.js").ToolSpec} spec
 */
export function addToolButton(app, name, spec) {
  const button = toolButton(app, name, spec);
  app.toolGroup.insertBefore(button, app.toolButtons.ruler || null);
  return button;
}

/** Show or hide the folded side column (narrow windows). @param {any} app @param {boolean} [open] */
export function toggleSide(app, open) {
  const next = open ?? !app.root.classList.contains("wb-side-open");
  app.root.classList.toggle("wb-side-open", next);
  app.sideToggle.setAttribute("aria-expanded", next ? "true" : "false");
  app.sideToggle.classList.toggle("active", next);
}

const ACTIONS = [
  { command: "delete", text: "Delete", needs: "selection", icon: "M5 7h12M9 7V4h4v3M7 7l1 11h6l1-11" },
  { command: "copy", text: "Copy", needs: "selection", icon: "M8 8h9v10H8zM5 14V4h9" },
  { command: "paste", text: "Paste", needs: "clipboard", icon: "M7 5H5v14h12V5h-2M8 3h6v4H8z" },
  { command: "enter", text: "Relabel", needs: "one", icon: "M4 11l7-7h7v7l-7 7zM14 7.5h.01" },
  { command: "finish", text: "Finish", needs: "drawing", icon: "M5 11l4 4 8-9" },
];

/**
 * The floating action bar for touch (docs/workbench.md, "Tablets and touch"): what a tasker
 * without a keyboard needs; shown on touch devices (the root's data-touch, workbench.css).
 */
function buildActionBar(app) {
  const bar = el("div", "wb-actionbar", { role: "toolbar", "aria-label": "Actions" });
  app.actionButtons = {};
  for (const action of ACTIONS) {
    const button = iconButton(action.icon, action.text, action.text);
    button.dataset.action = action.command;
    button.dataset.needs = action.needs;
    // the canvas keeps the focus: a tap on the bar must not take the keyboard from it
    button.addEventListener("pointerdown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      app.run(action.command);
      updateActionBar(app);
    });
    bar.append(button);
    app.actionButtons[action.command] = button;
  }
  app.actionBar = bar;
  return bar;
}

/** Enable the action bar's buttons for the selection, the clipboard and the tool's state. */
export function updateActionBar(app) {
  if (!app.actionButtons) return;
  const selected = app.store.selection.size;
  const ready = {
    selection: selected > 0,
    one: selected === 1,
    clipboard: app.clipboard.length > 0,
    drawing: Boolean(app.tool?.busy && typeof app.tool.finish === "function"),
  };
  for (const button of Object.values(app.actionButtons)) {
    button.disabled = app.readOnly || !ready[button.dataset.needs];
  }
}

/**
 * hooks.addToolbarButton: a button in a group of its own, before the spacer; a click runs
 * `spec.command` through app.run (so the command guards see it).
 * @param {any} app @param {import("./hooks.js").ToolbarButtonSpec} spec
 */
export function addToolbarButton(app, spec) {
  const button = iconButton(spec.icon, spec.title, spec.text || "");
  if (spec.pressed !== undefined) button.setAttribute("aria-pressed", spec.pressed ? "true" : "false");
  button.addEventListener("click", () => app.run(spec.command, spec.args || []));
  const group = el("div", "wb-group");
  group.append(button);
  const toolbar = app.root.querySelector(".wb-toolbar");
  toolbar.insertBefore(group, toolbar.querySelector(".wb-spacer"));
  return button;
}

function el(tag, className = "", attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function iconButton(path, title, text = "") {
  const button = el("button", "wb-button wb-icon", { type: "button", title, "aria-label": title });
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 22 22");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(SVG_NS, "path");
  p.setAttribute("d", path);
  svg.append(p);
  button.append(svg);
  if (text) {
    const span = el("span", "wb-button-text");
    span.textContent = text;
    button.append(span);
  }
  return button;
}
