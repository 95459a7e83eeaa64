// The tasker's aids (docs/workbench.md, "Aids"): hide and lock annotations for oneself, the
// image adjustments and fill opacity, fullscreen, vertex snapping and border tracing, the
// next problem and "show only problems", and the task timer. Built by the Workbench (app.js)
// and joined to it through app.hooks (hooks.js) only: its keys, commands, help rows, toolbar
// buttons, list badges, hidden test and edit guard; the tools ask app.aids.snap().
//
// The hide and the lock are page-side (lib/aidstate.js, localStorage per task): they are
// never sent, and the API's `locked` (lib/locks.js) is another thing.

import { AidState, clockText, imageFilter, problemUuids, stepThrough } from "../lib/aidstate.js";
import { attributeProblems } from "../lib/attributes.js";
import { can as lockCan } from "../lib/locks.js";
import { borderBetween, nearestVertex } from "../lib/snap.js";
import { match } from "./keyboard.js";

const SNAP_RADIUS = 10; // CSS px

/** @type {import("./keyboard.js").Binding[]} */
export const AIDS_BINDINGS = [
  { combo: "shift+h", command: "aidHide", help: ["Aids", "Shift+H", "Hide / show the selected annotation(s) (for you only)"] },
  { combo: "shift+u", command: "aidHideAll", args: [true], help: ["Aids", "Shift+U / U", "Hide all / show all annotations"] },
  { combo: "u", command: "aidHideAll", args: [false] },
  { combo: "shift+l", command: "aidLock", help: ["Aids", "Shift+L", "Lock / unlock the selected annotation(s) for yourself (not the task's lock)"] },
  { combo: "q", command: "aidProblem", args: [1], help: ["Aids", "Q / Shift+Q", "Next / previous problem: an annotation with a missing or invalid attribute"] },
  { combo: "shift+q", command: "aidProblem", args: [-1] },
  { combo: "shift+p", command: "aidOnlyProblems", help: ["Aids", "Shift+P", "Show only the problems / everything"] },
  { combo: "s", command: "aidSnap", help: ["Aids", "S", "Snapping on / off: a vertex or box corner drawn or dragged near a vertex of another shape joins it"] },
  { combo: "t", command: "aidTrace", help: ["Aids", "T", "Tracing on / off: a new polygon clicked on two vertices of an existing polygon follows its border between them"] },
  { combo: "d", command: "aidDisplay", help: ["Aids", "D", "Display: brightness, contrast, saturation of the image, fill opacity"] },
  { combo: "shift+f", command: "aidFullscreen", help: ["Aids", "Shift+F", "Fullscreen on / off"] },
];

const AIDS_EXTRA_HELP = [
  ["Aids", "Status bar: Time", "Time spent on this task in this browser (paused while the tab is hidden)"],
];

const DISPLAY_DEFAULTS = Object.freeze({ brightness: 100, contrast: 100, saturation: 100, fill: 14 });
const DISPLAY_FIELDS = [
  ["brightness", "Brightness", 0, 300, "%"],
  ["contrast", "Contrast", 0, 300, "%"],
  ["saturation", "Saturation", 0, 300, "%"],
  ["fill", "Fill opacity", 0, 100, "%"],
];

const ICONS = {
  display: "M11 3v2M11 17v2M3 11h2M17 11h2M5.3 5.3l1.4 1.4M15.3 15.3l1.4 1.4M5.3 16.7l1.4-1.4M15.3 6.7l1.4-1.4M11 7a4 4 0 100 8 4 4 0 000-8z",
  fullscreen: "M3 8V3h5M14 3h5v5M19 14v5h-5M8 19H3v-5",
};

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class Aids {
  /** @param {any} app the Workbench */
  constructor(app) {
    this.app = app;
    const task = app.data.task_id ?? app.data.id ?? "-";
    this.state = new AidState(`annotator.aids.${task}`, storage());
    this.state.prune(app.store.uuids());
    this.timerKey = `annotator.aids.timer.${task}`;
    this.displayKey = `annotator.aids.display.${app.data.project || "-"}`;
    this.onlyProblems = false;
    this.snapping = false;
    this.tracing = false;
    /** The vertex the last snapped click joined ({uuid, index}), for tracing. */
    this.lastSnap = null;
    this.display = { ...DISPLAY_DEFAULTS, ...this.loadDisplay() };
    /** The view settings the renderer reads (app.aids): fill opacity 0–1, the image's CSS
     * filter ("" when neutral) and its filtered copy. */
    this.fillOpacity = DISPLAY_DEFAULTS.fill / 100;
    this.imageFilterCss = "";
    /** @type {{source: any, bitmap: any, filter: string} | null} */
    this.filtered = null;
    this.filtering = null;

    const hooks = app.hooks;
    hooks.addHiddenTest((uuid) => this.hides(uuid));
    hooks.addEditGuard((action, uuid) => (this.state.locked.has(uuid)
      ? "Locked by you: Shift+L unlocks it" : ""));
    hooks.addAnnotationStyle((a) => {
      const hidden = this.state.hidden.has(a.uuid), locked = this.state.locked.has(a.uuid);
      if (!hidden && !locked) return undefined;
      return { badge: [hidden ? "hidden" : "", locked ? "my lock" : ""].filter(Boolean).join(" · ") };
    });
    for (const [name, fn] of Object.entries(this.commands())) hooks.addCommand(name, fn);
    hooks.addKeyHandler((event) => {
      const binding = match(event, AIDS_BINDINGS);
      if (!binding) return false;
      return app.run(binding.command, binding.args || []) !== false;
    });
    const rows = [...AIDS_BINDINGS.filter((b) => b.help).map((b) => [b.help[1], b.help[2]]),
      ...AIDS_EXTRA_HELP.map(([, keys, text]) => [keys, text])];
    hooks.addHelpSection("Aids", /** @type {any} */ (rows));
    hooks.addOverlay({ draw: (ctx, view) => this.drawSnapMark(ctx, view) });
    this.displayButton = hooks.addToolbarButton({ icon: ICONS.display, title: "Display: brightness, contrast, saturation, fill opacity (D)", text: "Display", command: "aidDisplay", pressed: false });
    this.displayButton.classList.add("wb-aids-display-button");
    this.fullscreenButton = hooks.addToolbarButton({ icon: ICONS.fullscreen, title: "Fullscreen (Shift+F)", command: "aidFullscreen", pressed: false });
    this.fullscreenButton.classList.add("wb-aids-fullscreen-button");
    document.addEventListener("fullscreenchange", () => {
      const on = Boolean(document.fullscreenElement);
      this.fullscreenButton.setAttribute("aria-pressed", on ? "true" : "false");
      app.root.dataset.fullscreen = on ? "true" : "false";
    });
    app.root.dataset.aidsHidden = String(this.state.hidden.size);
    app.root.dataset.aidsLocked = String(this.state.locked.size);
    this.buildDisplayPanel();
    this.applyDisplay();
    this.startTimer();
  }

  commands() {
    return {
      aidHide: () => this.hideSelection(),
      aidHideAll: (on) => this.hideAll(on),
      aidLock: () => this.lockSelection(),
      aidProblem: (step) => this.stepProblem(step),
      aidOnlyProblems: () => this.toggleOnlyProblems(),
      aidSnap: () => this.toggle("snapping", "Snapping"),
      aidTrace: () => this.toggle("tracing", "Tracing"),
      aidDisplay: () => this.toggleDisplayPanel(),
      aidFullscreen: () => this.toggleFullscreen(),
    };
  }

  // ------------------------------------------------------------------ hide and lock

  hides(uuid) {
    return this.state.hidden.has(uuid) || (this.onlyProblems && !this.problemsOf(uuid).length);
  }

  changed() {
    const app = this.app;
    app.root.dataset.aidsHidden = String(this.state.hidden.size);
    app.root.dataset.aidsLocked = String(this.state.locked.size);
    app.invalidate("static");
    app.panels.update({ kind: "select" }); // the list's rows redraw with their badges
  }

  hideSelection() {
    const app = this.app;
    const uuids = [...app.store.selection];
    if (!uuids.length) {
      app.status("Select the annotation(s) to hide first");
      return true;
    }
    const on = this.state.toggle("hidden", uuids);
    if (on) app.select([]);
    this.changed();
    app.status(on ? `${uuids.length} hidden (U shows all)` : `${uuids.length} shown`);
    return true;
  }

  hideAll(on) {
    const app = this.app;
    this.state.setAllHidden(on, app.store.uuids());
    if (on) app.select([]);
    this.changed();
    app.status(on ? "Every annotation hidden (U shows them)" : "Every annotation shown");
    return true;
  }

  lockSelection() {
    const app = this.app;
    const uuids = [...app.store.selection];
    if (!uuids.length) {
      app.status("Select the annotation(s) to lock first");
      return true;
    }
    const on = this.state.toggle("locked", uuids);
    this.changed();
    app.status(on ? `${uuids.length} locked by you (Shift+L unlocks)` : `${uuids.length} unlocked`);
    return true;
  }

  // ------------------------------------------------------------------ problems

  /** The attribute problems of an annotation the task lets the tasker edit ([] otherwise). */
  problemsOf(uuid) {
    const app = this.app;
    const a = app.store.get(uuid);
    if (!a) return [];
    if (!lockCan("edit_attributes", app.store.lockable(uuid), app.params).allowed) return [];
    return attributeProblems(app.attributeDefs, a, app.store.model);
  }

  stepProblem(step) {
    const app = this.app;
    const order = app.store.uuids();
    const list = problemUuids(order, (uuid) => this.problemsOf(uuid));
    const next = stepThrough(order, list, app.store.selected, step);
    if (!next) {
      app.status("No problems: every annotation's attributes are complete");
      return true;
    }
    if (this.state.hidden.has(next)) {
      this.state.toggle("hidden", [next]);
      this.changed();
    }
    app.select([next]);
    app.reveal(next);
    const problems = this.problemsOf(next).map((p) => `${p.id} ${p.reason}`).join("; ");
    app.status(`Problem ${list.indexOf(next) + 1} of ${list.length}: ${app.describe(next)}: ${problems}`, "warn");
    return true;
  }

  toggleOnlyProblems() {
    const app = this.app;
    this.onlyProblems = !this.onlyProblems;
    app.root.dataset.aidsOnlyProblems = this.onlyProblems ? "true" : "false";
    this.changed();
    const n = problemUuids(app.store.uuids(), (uuid) => this.problemsOf(uuid)).length;
    app.status(this.onlyProblems ? `Showing only the ${n} problem(s) (Shift+P shows everything)` : "Showing every annotation");
    return true;
  }

  // ------------------------------------------------------------------ snapping and tracing

  toggle(field, name) {
    this[field] = !this[field];
    this.lastSnap = null;
    this.app.root.dataset[field === "snapping" ? "aidsSnap" : "aidsTrace"] = this[field] ? "true" : "false";
    this.app.status(`${name} ${this[field] ? "on" : "off"}`);
    this.app.invalidate("overlay");
    return true;
  }

  /**
   * The point a tool should use for `point` (image px): a vertex of another shape within the
   * snap radius when snapping or tracing is on, else `point`. {point, hit} (hit: the vertex
   * joined, or null).
   * @param {{x: number, y: number}} point @param {string | null} [exclude]
   */
  snap(point, exclude = null) {
    if (!this.snapping && !this.tracing) return { point, hit: null };
    const app = this.app;
    const radius = SNAP_RADIUS / app.view.scale;
    const near = [];
    for (const uuid of app.store.index.queryPoint(point, radius)) {
      if (uuid === exclude || app.hooks.isHidden(uuid)) continue;
      near.push(app.store.get(uuid));
    }
    const hit = nearestVertex(point, near, radius, exclude);
    return hit ? { point: { x: hit.x, y: hit.y }, hit } : { point, hit: null };
  }

  /**
   * A polygon tool's click: the vertices to add. With tracing on, a click that joins a vertex
   * of the polygon the previous click joined adds that polygon's border between them first.
   * @param {{x: number, y: number}} point @param {boolean} first the shape's first vertex
   * @returns {{x: number, y: number}[]}
   */
  verticesForClick(point, first) {
    const { point: p, hit } = this.snap(point);
    const previous = first ? null : this.lastSnap;
    this.lastSnap = hit ? { uuid: hit.uuid, index: hit.index } : null;
    if (!this.tracing || !hit || !previous || previous.uuid !== hit.uuid) return [p];
    const shape = this.app.store.get(hit.uuid);
    if (!shape || shape.type !== "polygon") return [p];
    const border = borderBetween(shape.vertices, previous.index, hit.index);
    if (border.length) this.app.status(`Traced ${border.length} vertices along ${this.app.describe(hit.uuid)}`);
    return [...border, p];
  }

  /** The vertex the last click joined is no longer the shape's last one (Backspace, Esc). */
  forgetTrace() {
    this.lastSnap = null;
  }

  /** The ring at the vertex the pointer would snap to. */
  drawSnapMark(ctx, view) {
    if (!this.snapping && !this.tracing) return;
    const app = this.app;
    const pointer = app.lastPointer?.image;
    if (!pointer || app.mode !== "idle") return;
    const { hit } = this.snap(pointer, app.tool.name === "select" ? app.store.selected : null);
    if (!hit) return;
    const s = view.toScreen(hit);
    ctx.beginPath();
    ctx.arc(s.x, s.y, 7, 0, 2 * Math.PI);
    ctx.strokeStyle = this.tracing ? "#f59e0b" : "#22d3ee";
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  // ------------------------------------------------------------------ display

  loadDisplay() {
    try {
      const data = JSON.parse(storage()?.getItem(this.displayKey) || "{}");
      const out = {};
      for (const [key, , min, max] of DISPLAY_FIELDS) {
        const v = Number(data[key]);
        if (Number.isFinite(v)) out[key] = Math.min(max, Math.max(min, v));
      }
      return out;
    } catch {
      return {};
    }
  }

  buildDisplayPanel() {
    const panel = document.createElement("div");
    panel.className = "wb-aids-display";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Display");
    this.inputs = {};
    for (const [key, text, min, max] of DISPLAY_FIELDS) {
      const label = document.createElement("label");
      const name = document.createElement("span");
      name.textContent = text;
      const input = document.createElement("input");
      input.type = "range";
      input.min = String(min);
      input.max = String(max);
      input.step = "1";
      input.name = key;
      input.value = String(this.display[key]);
      const value = document.createElement("output");
      value.textContent = `${this.display[key]}%`;
      input.addEventListener("input", () => {
        this.display[key] = Number(input.value);
        value.textContent = `${input.value}%`;
        this.applyDisplay();
      });
      label.append(name, input, value);
      panel.append(label);
      this.inputs[key] = { input, value };
    }
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "wb-button";
    reset.textContent = "Reset";
    reset.addEventListener("click", () => {
      this.display = { ...DISPLAY_DEFAULTS };
      for (const [key, { input, value }] of Object.entries(this.inputs)) {
        input.value = String(this.display[key]);
        value.textContent = `${this.display[key]}%`;
      }
      this.applyDisplay();
    });
    panel.append(reset);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.toggleDisplayPanel(false);
      }
    });
    this.app.stage.append(panel);
    this.displayPanel = panel;
  }

  toggleDisplayPanel(open = this.displayPanel.hidden) {
    this.displayPanel.hidden = !open;
    this.displayButton.setAttribute("aria-pressed", open ? "true" : "false");
    if (open) this.inputs.brightness.input.focus();
    else this.app.canvas.focus({ preventScroll: true });
    return true;
  }

  applyDisplay() {
    const app = this.app;
    this.fillOpacity = this.display.fill / 100;
    this.imageFilterCss = imageFilter(this.display) === "none" ? "" : imageFilter(this.display);
    app.root.dataset.imageFilter = this.imageFilterCss || "none";
    try {
      storage()?.setItem(this.displayKey, JSON.stringify(this.display));
    } catch {
      /* storage full or disabled */
    }
    this.refilter();
    app.invalidate("static");
  }

  /**
   * The filtered copy of the image the renderer draws (one filter pass per change, not per
   * frame). Until it is ready the renderer filters the image as it draws it.
   */
  refilter() {
    const app = this.app;
    const filter = this.imageFilterCss;
    if (!filter) {
      this.filtered = null;
      return;
    }
    if (this.filtered && this.filtered.source === app.image && this.filtered.filter === filter) return;
    clearTimeout(this.filtering);
    this.filtering = setTimeout(() => {
      const source = app.image;
      if (!source || !app.imageReady || app.tileLayer || typeof OffscreenCanvas === "undefined") return;
      const { width, height } = app.imageSize;
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext("2d");
      ctx.filter = this.imageFilterCss;
      ctx.drawImage(source, 0, 0, width, height);
      this.filtered = { source, bitmap: canvas.transferToImageBitmap(), filter: this.imageFilterCss };
      app.invalidate("overlay");
    }, 80);
  }

  // ------------------------------------------------------------------ fullscreen

  toggleFullscreen() {
    const app = this.app;
    if (document.fullscreenElement) {
      document.exitFullscreen?.().catch(() => {});
      return true;
    }
    const target = document.documentElement;
    if (!target.requestFullscreen) {
      app.refuse("This browser has no fullscreen");
      return true;
    }
    target.requestFullscreen().catch(() => app.refuse("The browser refused fullscreen"));
    return true;
  }

  // ------------------------------------------------------------------ timer

  startTimer() {
    const app = this.app;
    const statusbar = app.root.querySelector(".wb-statusbar");
    this.timerEl = document.createElement("span");
    this.timerEl.className = "wb-status-timer";
    this.timerEl.title = "Time on this task in this browser (paused while the tab is hidden)";
    statusbar?.insertBefore(this.timerEl, app.statusPosition || null);
    let seconds = 0;
    try {
      seconds = Number(storage()?.getItem(this.timerKey)) || 0;
    } catch {
      seconds = 0;
    }
    this.seconds = seconds;
    this.showTime();
    this.timer = setInterval(() => {
      if (document.hidden) return;
      this.seconds += 1;
      this.showTime();
      try {
        storage()?.setItem(this.timerKey, String(this.seconds));
      } catch {
        /* storage full or disabled */
      }
    }, 1000);
  }

  showTime() {
    this.timerEl.textContent = `Time ${clockText(this.seconds)}`;  // a word: not every font has ⏱
    this.app.root.dataset.taskSeconds = String(this.seconds);
  }
}
