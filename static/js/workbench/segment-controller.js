// A segmentation task's page (docs/workbench.md, "Segmentation tasks"), joined to the
// Workbench through its hooks: the mask (lib/maskops.js) from the draft's base and ops, drawn
// over the image (segment-layer.js), the painting tools (segment-tools.js), the Labels panel
// (segment-panel.js), undo / redo as ops, snapshots, and the submit of the mask PNG.
//
// Every stroke, fill, polygon or lasso is ONE op sent through the live session
// (autosave.push: the outbox survives a reload); undo sends seg.drop, redo the op again. The
// ops are registered kinds (lib/oplog.js registerOp), so the live session sends them
// unversioned and a reload's unsent ops come back through `apply`.

import { instanceProblems, isMissing, pruneAttributes, shownAttributes } from "../lib/attributes.js";
import { registerOp } from "../lib/oplog.js";
import { drawnAlpha, nextOpacity, opacityText } from "../lib/labelopacity.js";
import { encodePoints } from "../lib/maskcodec.js";
import { MaskDocument, MaskHistory, needsImage, paintFill, paintStroke } from "../lib/maskops.js";
import { base64Encode, decodePng, encodeGrayPng } from "../lib/maskpng.js";
import { randomId } from "../lib/sync.js";
import { tileGrid, tileUrl } from "../lib/tiles.js";
import { submitTask } from "./api.js";
import { colorTable, MaskLayer } from "./segment-layer.js";
import { segmentPanel } from "./segment-panel.js";
import { BrushTool, dedupe, FillTool, LassoTool, PolygonMaskTool } from "./segment-tools.js";
import { ASSIST_MODE_KEYS } from "./assist.js";

/** A snapshot (a new base) is sent after this many ops. */
export const SNAPSHOT_EVERY = 200;
const SEG_OPS = ["seg.stroke", "seg.polygon", "seg.fill", "seg.drop", "seg.snapshot", "seg.instance"];
const RADIUS_MIN = 0.5, RADIUS_MAX = 500;
const FLUSH_TIMEOUT_MS = 20000;

/** The help overlay's rows for a segmentation task. */
export const SEGMENT_HELP = [
  ["B", "Brush: press and drag to paint the active label"],
  ["E", "Eraser: press and drag to unlabel"],
  ["G", "Flood fill: a click fills the region of similar image colour (tolerance in the Labels panel)"],
  ["P", "Polygon to mask: click the vertices; Enter or a double-click fills it (Alt+Enter erases it)"],
  ["L", "Lasso: drag round an area; it is filled on release (Alt: erased)"],
  ["[ / ]", "Brush smaller / larger (also Ctrl or Alt + mouse wheel)"],
  ["1–9, 0", "Pick the 1st–9th, 10th label (or click it in the Labels panel); with the Assist active too"],
  ["N", "Paint only unlabeled pixels on / off (protects what is done)"],
  ["Shift+N", "Highlight the unlabeled pixels on / off"],
  ["Ctrl+Z / Ctrl+Y", "Undo / redo the last stroke, fill or polygon"],
];

const TOOL_KEYS = { b: "brush", e: "eraser", g: "fill", p: "polygon-mask", l: "lasso" };

/** The Assist's row of its modes' keys (assist.js ASSIST_HELP), as it reads on a mask page:
 * the number keys pick labels here, W cycles the modes. */
export const ASSIST_MODES_ROW = ["W again", "Next assist mode: box, click region, scissors (1–9 pick labels here, not modes)"];

export class SegmentController {
  /** @param {any} app the Workbench */
  constructor(app) {
    this.app = app;
    const seg = app.data.segmentation || {};
    /** @type {Array<{label: string, path?: string[], index: number, color: string, instance?: boolean}>} */
    this.labels = (seg.labels || []).filter((l) => Number.isInteger(l?.index) && l.index > 0 && l.index < 256);
    this.allowUnlabeled = Boolean(seg.allow_unlabeled);
    this.activeIndex = this.labels[0]?.index ?? 1;
    this.radius = 8;
    this.tolerance = 24;
    this.protect = false;
    this.highlight = false;
    this.opacity = 0.55;
    /** @type {Set<number>} indices hidden */
    this.hidden = new Set();
    /** index → the label's own opacity 0..1 (1 when absent), times the global one @type {Map<number, number>} */
    this.labelOpacity = new Map();
    /** @type {MaskDocument | null} */
    this.doc = null;
    /** @type {MaskLayer | null} */
    this.layer = null;
    /** ops that arrived (a reload's unsent ones) before the mask was loaded @type {any[]} */
    this.early = [];
    this.history = new MaskHistory();
    /** image RGBA for fills, loaded on first need @type {Promise<any> | null} */
    this.pixelsPromise = null;
    this.pixels = null;
    /** ops made while a snapshot is being encoded: sent after it @type {any[] | null} */
    this.held = null;
    this.submitting = false;
    this.registerOps();
    this.joinHooks();
    this.load().catch((error) => {
      app.status(`The mask could not be loaded: ${error instanceof Error ? error.message : error}`, "error");
      app.root.dataset.maskError = String(error);
    });
  }

  // ---------------------------------------------------------------- wiring

  registerOps() {
    for (const kind of SEG_OPS) {
      registerOp(kind, {
        // a reload's unsent ops (the live session's welcome replays them)
        apply: (_model, op) => this.replay(op),
        describe: (op) => op.op.slice(4),
        rejected: (op, info) => this.rejected(op, info),
      });
    }
  }

  joinHooks() {
    const app = this.app, hooks = app.hooks;
    hooks.addOverlay({ draw: (ctx, view) => this.layer?.draw(ctx, view) });
    hooks.addCommandGuard((command) => {
      if (command === "undo") return this.undo();
      if (command === "redo") return this.redo();
      // in review the review's guard refuses Ctrl+Enter (Shift+Enter decides)
      if (command === "submit" && app.root.dataset.mode !== "review") {
        this.submit();
        return true;
      }
      return undefined;
    });
    // the Assist tool's accepted polygon fills the mask with the active label
    hooks.takeShapes({ geometries: { polygon: {} }, finish: (shape) => this.fillShape(shape) });
    // a review decision reads the draft's base: the repaint is saved as a snapshot first
    hooks.addBeforeDecide(() => this.snapshotBeforeDecide());
    hooks.addKeyHandler((event) => this.onKey(event));
    hooks.addHelpSection("Segmentation", SEGMENT_HELP.map(([k, t]) => [k, t]), { first: true });
    hooks.replaceHelpRow("Assist", ASSIST_MODE_KEYS, /** @type {[string, string]} */ ([...ASSIST_MODES_ROW]));
    // a mask has no annotations: no list of them, and a review judges the whole mask
    hooks.hidePanel("annotations");
    hooks.setReviewScope("task");
    hooks.setHistory({ canUndo: () => this.history.canUndo, canRedo: () => this.history.canRedo });
    if (!app.readOnly) {
      const tools = [
        [new BrushTool(this, "brush"), "M4 18c3 0 4-2 4-4l8-8 2 2-8 8c-2 0-2 2-6 2z", "Brush", "B", "Brush"],
        [new BrushTool(this, "eraser"), "M7 18h11M4 14l7-7 6 6-5 5H8z", "Eraser", "E", "Eraser"],
        [new FillTool(this), "M5 11l6-6 7 7-6 6zM18 14s2 2.5 2 4a2 2 0 0 1-4 0c0-1.5 2-4 2-4z", "Flood fill", "G", "Fill"],
        [new PolygonMaskTool(this), "M4 17l3-12 11 3-3 10z", "Polygon to mask", "P", "Polygon"],
        [new LassoTool(this), "M11 4c5 0 8 2.5 8 5.5S16 15 11 15s-8-2.5-8-5.5S6 4 11 4zM6 14l-1 5", "Lasso", "L", "Lasso"],
      ];
      for (const [tool, icon, title, key, text] of tools) {
        hooks.addTool({ tool, icon, title, key, text });
      }
      hooks.setStartTool("brush"); // Select's drag and handles mean nothing on a mask
    }
    this.panel = hooks.addPanel(segmentPanel(this), { before: "annotations" });
    // Ctrl / Alt + wheel sizes the brush (before the canvas zooms: capture on its parent)
    app.stage.addEventListener("wheel", (event) => this.onWheel(event), { capture: true, passive: false });
  }

  // ---------------------------------------------------------------- loading

  async load() {
    const app = this.app, seg = app.data.segmentation || {};
    const { width, height } = await this.imageSize();
    let base = null;
    if (seg.base) {
      const response = await fetch(seg.base, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`the base mask answered HTTP ${response.status}`);
      const png = await decodePng(new Uint8Array(await response.arrayBuffer()));
      if (png.width !== width || png.height !== height) {
        throw new Error(`the base mask is ${png.width} × ${png.height}, the image ${width} × ${height}`);
      }
      base = png.data;
    }
    this.doc = new MaskDocument(width, height, base);
    for (const item of seg.instances || []) this.doc.instances.set(item.index, { label: item.label, attributes: item.attributes || {} });
    const ops = [...(seg.ops || [])];
    if (needsImage(ops) || needsImage(this.early)) await this.imagePixels();
    for (const op of ops) this.doc.apply(op, this.pixels);
    for (const op of this.early.splice(0)) this.doc.apply(op, this.pixels);
    this.layer = new MaskLayer(this.doc.mask);
    this.recolor();
    app.root.dataset.mask = "ready";
    this.changed();
    // the Workbench's greeting counted annotations, which a mask has none of
    if (/annotations loaded/.test(app.statusMessage?.textContent || "")) {
      app.status(app.readOnly ? "Read-only view: you can look, not change." : "Mask loaded. Press ? for every shortcut.");
    }
  }

  /** The image's size, once the Workbench knows it (GET /data's, else the loaded image's). */
  async imageSize() {
    const app = this.app;
    const given = app.data.image;
    if (given?.width > 0 && given?.height > 0) return { width: given.width, height: given.height };
    while (!app.imageReady && !app.tileLayer && !app.imageFailed) await new Promise((r) => setTimeout(r, 30));
    return { ...app.imageSize };
  }

  /**
   * The image's RGBA pixels at full size (what a fill compares), loaded once: from the image
   * the page shows, or for a tiled image from the tiles of level 0.
   * @returns {Promise<any>}
   */
  imagePixels() {
    if (!this.pixelsPromise) {
      this.pixelsPromise = this.readPixels().then((pixels) => {
        this.pixels = pixels;
        return pixels;
      });
    }
    return this.pixelsPromise;
  }

  async readPixels() {
    const app = this.app;
    const { width, height } = await this.imageSize();
    while (!app.imageReady && !app.tileLayer && !app.imageFailed) await new Promise((r) => setTimeout(r, 30));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
    if (app.tileLayer) await drawTiles(ctx, app.data.tiles);
    else if (app.image) ctx.drawImage(app.image, 0, 0, width, height);
    else throw new Error("the image is not loaded: a fill cannot see its colours");
    const image = ctx.getImageData(0, 0, width, height);
    return { width, height, data: image.data };
  }

  /** A replayed op (the welcome's unsent ones); before the mask is loaded they wait. */
  replay(op) {
    if (!this.doc) {
      this.early.push(op);
      return;
    }
    if (op.op === "seg.fill" && !this.pixels) {
      this.imagePixels().then(() => this.replay(op));
      return;
    }
    const dirty = this.doc.apply(op, this.pixels);
    this.layer?.update(dirty);
    this.changed();
  }

  // ---------------------------------------------------------------- painting

  /** May the tasker paint now? Says why not in the status bar. */
  mayPaint() {
    if (!this.doc || !this.layer) {
      this.app.refuse("The mask is still loading");
      return false;
    }
    if (this.submitting) {
      this.app.refuse("Submitting… wait for the answer");
      return false;
    }
    return this.app.refuseUnless("add");
  }

  /**
   * A pointer position as op coordinates: whole image pixels, within 0..W and 0..H (what
   * the server takes).
   * @param {{x: number, y: number}} p @returns {[number, number]}
   */
  pixel(p) {
    const { width, height } = this.doc?.mask || this.app.imageSize;
    return [Math.min(width, Math.max(0, Math.round(p.x))), Math.min(height, Math.max(0, Math.round(p.y)))];
  }

  /** The value a tool writes. @param {string} tool */
  valueFor(tool) {
    return tool === "eraser" ? 0 : this.activeIndex;
  }

  /** "Paint only unlabeled pixels" protects labels from being painted over, not from an
   * eraser (which would then erase nothing). @param {number} value */
  protects(value) {
    return this.protect && value !== 0;
  }

  /**
   * Paint a growing stroke from point `from` on (the tool calls it on every new point).
   * @param {{name: string}} tool @param {number[]} points @param {number} from
   */
  paintStroke(tool, points, from) {
    if (!this.doc) return;
    const value = this.valueFor(tool.name);
    const dirty = paintStroke(this.doc.mask, points, this.radius, value, this.protects(value), from);
    this.layer?.update(dirty);
    this.app.invalidate("overlay");
  }

  /** The stroke is released: ONE op. @param {string} tool @param {number[]} points */
  commitStroke(tool, points) {
    const op = {
      op: "seg.stroke", id: randomOpId(), tool, index: this.valueFor(tool),
      radius: this.radius, protect: this.protects(this.valueFor(tool)), points: encodePoints(points),
    };
    this.doc?.record(op);
    this.afterOp(op, tool === "eraser" ? "Erased" : `Painted “${this.labelName(this.activeIndex)}”`);
  }

  /** A polygon or lasso (erase: index 0). @param {number[]} points @param {boolean} erase */
  commitPolygon(points, erase) {
    if (!this.doc) return;
    const index = erase ? 0 : this.activeIndex;
    const op = { op: "seg.polygon", id: randomOpId(), index, protect: this.protects(index), points: encodePoints(points) };
    this.layer?.update(this.doc.apply(op, this.pixels));
    this.afterOp(op, erase ? "Polygon erased" : `Polygon filled with “${this.labelName(this.activeIndex)}”`);
  }

  /**
   * A shape a tool made (the Assist's accepted polygon): ONE seg.polygon op with the active
   * label and the protect flag, its vertices rounded to whole pixels.
   * @param {{type: string, vertices?: Array<{x: number, y: number}>}} shape
   */
  fillShape(shape) {
    if (!this.mayPaint()) return;
    if (shape.type !== "polygon" || !shape.vertices) {
      this.app.refuse("Only a polygon can fill the mask");
      return;
    }
    const points = dedupe(shape.vertices.flatMap((v) => this.pixel(v)));
    if (points.length < 6) {
      this.app.refuse("The shape is too small to fill a pixel");
      return;
    }
    this.commitPolygon(points, false);
  }

  /** A flood fill from pixel (x, y). @param {number} x @param {number} y */
  async fillAt(x, y) {
    if (!this.doc) return;
    const { width, height } = this.doc.mask;
    if (x < 0 || y < 0 || x >= width || y >= height) {
      this.app.refuse("Fill inside the image");
      return;
    }
    if (!this.pixels) {
      this.app.status("Reading the image's colours…");
      await this.imagePixels();
    }
    const op = { op: "seg.fill", id: randomOpId(), index: this.activeIndex, x, y, tolerance: this.tolerance, protect: this.protect };
    this.layer?.update(paintFill(this.doc.mask, this.pixels, x, y, op.tolerance, op.index, op.protect));
    this.doc.record(op);
    this.afterOp(op, `Filled with “${this.labelName(this.activeIndex)}”`);
  }

  /** An op made: undoable, sent, maybe a snapshot after it. @param {any} op @param {string} text */
  afterOp(op, text) {
    this.history.push(op);
    this.send(op);
    this.app.status(text);
    this.changed();
    if (this.doc && this.doc.sinceSnapshot >= SNAPSHOT_EVERY) {
      this.snapshot().catch((error) => this.app.status(`The snapshot failed: ${error instanceof Error ? error.message : error}`, "error"));
    }
  }

  /** Through the live session (in order, after a snapshot being encoded). @param {any} op */
  send(op) {
    if (this.held) {
      this.held.push(op);
      return;
    }
    this.app.autosave?.push(op);
  }

  /**
   * A new base: the mask as it is now, as an 8-bit gray PNG. The ops made while it is
   * encoded wait and follow it. Ops before it can no longer be undone.
   * @returns {Promise<void>}
   */
  async snapshot() {
    if (!this.doc || this.held) return;
    const { width, height } = this.doc.mask;
    const data = this.doc.mask.data.slice();
    this.doc.rebase();
    this.history.snapshotTaken();
    this.held = [];
    try {
      const png = base64Encode(await encodeGrayPng(data, width, height));
      this.app.autosave?.push({ op: "seg.snapshot", id: randomOpId(), png });
    } finally {
      const held = this.held;
      this.held = null;
      for (const op of held) this.send(op);
      this.changed();
    }
  }

  /**
   * Before a review decision: a snapshot when anything changed since the base (the server
   * refuses, 409, a decision over a draft with ops after its last snapshot). Returns a
   * refusal reason, or "".
   * @returns {Promise<string>}
   */
  async snapshotBeforeDecide() {
    if (!this.doc) return "the mask is still loading";
    if (this.app.tool.busy) this.app.tool.cancel();
    if (this.doc.sinceSnapshot > 0) await this.snapshot();
    return "";
  }

  /** The server refused an op: it is taken off the page's mask too. */
  rejected(op, { reason } = {}) {
    if (!this.doc || !op?.id) return;
    this.history.forget(op.id);
    this.layer?.update(this.doc.drop([op.id], this.pixels));
    this.changed();
    this.app.status(`Not saved (refused by the server): ${reason || op.op}. It was undone on this page.`, "error");
  }

  // ---------------------------------------------------------------- undo / redo

  undo() {
    const app = this.app;
    if (app.readOnly) return app.refuse("This is a read-only view"), true;
    if (app.mode !== "idle" || !this.doc) return true;
    if (app.tool.busy) {
      app.tool.cancel();
      return true;
    }
    if (!app.refuseUnless("add")) return true;
    const step = this.history.undo();
    if (!step) {
      app.status("Nothing to undo");
      return true;
    }
    this.send(step.send);
    this.layer?.update(this.doc.apply(step.send, this.pixels));
    app.status(`Undone: ${describeOp(step.op)}`);
    this.changed();
    return true;
  }

  redo() {
    const app = this.app;
    if (app.readOnly) return app.refuse("This is a read-only view"), true;
    if (app.mode !== "idle" || !this.doc || app.tool.busy) return true;
    if (!app.refuseUnless("add")) return true;
    const op = this.history.redo();
    if (!op) {
      app.status("Nothing to redo");
      return true;
    }
    this.send(op);
    this.layer?.update(this.doc.apply(op, this.pixels));
    app.status(`Redone: ${describeOp(op)}`);
    this.changed();
    return true;
  }

  // ---------------------------------------------------------------- keys, labels, display

  /** @param {KeyboardEvent} event @returns {boolean} */
  onKey(event) {
    if (event.ctrlKey || event.metaKey) return false;
    const key = event.key.toLowerCase();
    if (!event.altKey && !event.shiftKey && TOOL_KEYS[key] && this.app.tools[TOOL_KEYS[key]]) {
      this.app.run("tool", [TOOL_KEYS[key]]);
      return true;
    }
    if ((event.key === "[" || event.key === "]") && this.app.tool?.name !== "assist") {
      this.setRadius(this.radius * (event.key === "]" ? 1.25 : 0.8));
      return true;
    }
    if (/^[0-9]$/.test(event.key) && !event.altKey) {
      const label = this.labels[event.key === "0" ? 9 : Number(event.key) - 1];
      if (label) this.pickLabel(label);
      // with the Assist active a number never falls through to its modes (W cycles them)
      else if (this.app.tool?.name === "assist") this.app.refuse(`No label ${event.key}: here 1–9 pick labels; W changes the assist's mode`);
      return Boolean(label) || this.app.tool?.name === "assist";
    }
    if (key === "n" && !event.altKey) {
      if (event.shiftKey) this.setHighlight(!this.highlight);
      else this.setProtect(!this.protect);
      return true;
    }
    return false;
  }

  /** @param {WheelEvent} event */
  onWheel(event) {
    const tool = this.app.tool?.name;
    if (!(event.ctrlKey || event.altKey) || (tool !== "brush" && tool !== "eraser")) return;
    event.preventDefault();
    event.stopPropagation();
    this.setRadius(this.radius * (event.deltaY < 0 ? 1.15 : 1 / 1.15));
  }

  /** @param {number} radius */
  setRadius(radius) {
    let r = Math.round(radius * 2) / 2; // half pixels
    if (r === this.radius) r += radius > this.radius ? 0.5 : -0.5; // a small brush still changes
    this.radius = Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, r));
    this.app.status(`Brush radius ${this.radius} px`);
    this.app.invalidate("overlay");
    this.panel?.refresh?.();
  }

  /**
   * A label picked (a click in the palette, its number key). An instance label paints its
   * instances, never itself: its newest instance is picked, or a first one made.
   * @param {{index: number, label: string, instance?: boolean}} label
   */
  pickLabel(label) {
    if (!label.instance) {
      this.setActive(label.index);
      return;
    }
    const own = this.instancesOf(label.label);
    if (own.length) this.setActive(own[own.length - 1]);
    else this.newInstance(label);
  }

  /** Indices of the instances of an instance label, in order. @param {string} name @returns {number[]} */
  instancesOf(name) {
    return [...(this.doc?.instances || [])].filter(([, v]) => v.label === name).map(([index]) => index).sort((a, b) => a - b);
  }

  /**
   * A new instance of an instance label (seg.instance), the index after every index in use;
   * it becomes the one painted. @param {{index: number, label: string}} label
   */
  newInstance(label) {
    if (!this.doc || !this.mayPaint()) return;
    const used = [...this.labels.map((l) => l.index), ...this.doc.instances.keys()];
    const index = Math.max(0, ...used) + 1;
    if (index > 255) {
      this.app.refuse("A mask holds at most 255 labels and instances");
      return;
    }
    const op = { op: "seg.instance", index, label: label.label, attributes: {} };
    this.doc.apply(op, null);
    this.send(op);
    this.recolor();
    this.setActive(index);
    this.app.status(`New instance ${this.labelName(index)}`);
  }

  // ---------------------------------------------------------------- instance attributes

  /** The task's attribute definitions (annotation_attributes: they apply to instances). */
  get attributeDefs() {
    return this.app.attributeDefs || {};
  }

  /**
   * The attributes an instance shows (their conditions hold for its label and values), in
   * definition order. @param {number} index @returns {string[]}
   */
  shownInstanceAttributes(index) {
    const instance = this.doc?.instances.get(index);
    if (!instance) return [];
    return shownAttributes(this.attributeDefs, /** @type {any} */ ({ type: "mask", label: instance.label, attributes: instance.attributes }));
  }

  /**
   * One attribute of an instance set (undefined clears it): ONE seg.instance op with the
   * instance's whole attributes (those whose conditions no longer hold are dropped).
   * @param {number} index @param {string} id @param {any} value @returns {boolean}
   */
  setInstanceAttribute(index, id, value) {
    const instance = this.doc?.instances.get(index);
    if (!instance || !this.mayPaint()) return false;
    const wanted = { ...instance.attributes };
    if (isMissing(value)) delete wanted[id];
    else wanted[id] = value;
    const attributes = pruneAttributes(this.attributeDefs, /** @type {any} */ ({ type: "mask", label: instance.label, attributes: wanted }));
    const op = { op: "seg.instance", index, label: instance.label, attributes };
    /** @type {MaskDocument} */ (this.doc).apply(op, null);
    this.send(op);
    this.app.status(`${this.labelName(index)}: ${id} ${isMissing(value) ? "cleared" : "set"}`);
    this.changed();
    return true;
  }

  /** The instances a submit carries: those with pixels (the others are left out). */
  paintedInstances() {
    const doc = /** @type {MaskDocument} */ (this.doc);
    return [...doc.instances].filter(([index]) => doc.mask.counts[index] > 0);
  }

  /** What stops the painted instances' attributes from being submitted. */
  instanceProblems() {
    return instanceProblems(this.attributeDefs, this.paintedInstances());
  }

  /** @param {number} index */
  setActive(index) {
    this.activeIndex = index;
    this.app.status(`Painting “${this.labelName(index)}”`);
    this.app.invalidate("overlay");
    this.panel?.refresh?.();
  }

  /** @param {boolean} on */
  setProtect(on) {
    this.protect = on;
    this.app.status(on ? "Painting only unlabeled pixels" : "Painting over everything");
    this.panel?.refresh?.();
  }

  /** @param {boolean} on */
  setHighlight(on) {
    this.highlight = on;
    this.recolor();
    this.app.status(on ? "Unlabeled pixels highlighted" : "Highlight off");
    this.panel?.refresh?.();
  }

  /** @param {number} index @param {boolean} visible */
  setVisible(index, visible) {
    if (visible) this.hidden.delete(index);
    else this.hidden.add(index);
    this.recolor();
  }

  /** @param {number} opacity 0..1 */
  setOpacity(opacity) {
    this.opacity = opacity;
    this.recolor();
  }

  /** A label's (or instance's) own opacity. @param {number} index */
  ownOpacity(index) {
    return this.labelOpacity.get(index) ?? 1;
  }

  /** @param {number} index @param {number} opacity 0..1 */
  setLabelOpacity(index, opacity) {
    if (opacity >= 1) this.labelOpacity.delete(index);
    else this.labelOpacity.set(index, opacity);
    this.recolor();
    this.app.status(`${this.labelName(index)}: opacity ${opacityText(opacity)}`);
    this.panel?.refresh?.();
  }

  /** The label row's opacity button: 100 → 60 → 30 → 0 % → 100. @param {number} index */
  cycleLabelOpacity(index) {
    this.setLabelOpacity(index, nextOpacity(this.ownOpacity(index)));
  }

  /** The alpha an index's pixels are drawn with (docs/workbench.md, "Segmentation tasks"). @param {number} index */
  alphaOf(index) {
    const label = this.doc?.instances.get(index)?.label;
    const parent = label === undefined ? 1 : this.ownOpacity(this.labels.find((l) => l.label === label)?.index ?? -1);
    return drawnAlpha({ global: this.opacity, own: this.ownOpacity(index), parent, hidden: this.hidden.has(index) });
  }

  recolor() {
    if (!this.layer) return;
    const entries = [...this.labels];
    for (const index of this.doc?.instances.keys() || []) entries.push({ index, color: indexColor(index) });
    this.layer.setColors(colorTable(entries, (index) => this.alphaOf(index), this.highlight));
    this.app.invalidate("overlay");
  }

  /** The colour an index is painted in. @param {number} index */
  colorOf(index) {
    return this.labels.find((l) => l.index === index)?.color || indexColor(index);
  }

  activeColor() {
    const label = this.labels.find((l) => l.index === this.activeIndex);
    return label ? label.color : this.doc?.instances.has(this.activeIndex) ? indexColor(this.activeIndex) : "#ffffff";
  }

  /** @param {number} index */
  labelName(index) {
    if (index === 0) return "unlabeled";
    const label = this.labels.find((l) => l.index === index);
    if (label) return label.path?.length ? label.path.join(" › ") : label.label;
    const instance = this.doc?.instances.get(index);
    return instance ? `${instance.label} #${index}` : `#${index}`;
  }

  /** After every change of the mask: the panel's figures, the toolbar, the test hook. */
  changed() {
    this.app.updateToolbar();
    this.panel?.refresh?.();
    const mask = this.doc?.mask;
    if (mask) this.app.root.dataset.unlabeled = String(mask.unlabeled);
    this.app.invalidate("overlay");
  }

  /** The mask for the test hook (window.__workbench.mask()), or null before it loaded. */
  describeMask() {
    const mask = this.doc?.mask;
    if (!mask) return null;
    return {
      width: mask.width, height: mask.height, unlabeled: mask.unlabeled,
      data: base64Encode(mask.data), undoable: this.history.done.map((op) => ({ ...op })),
      radius: this.radius, activeIndex: this.activeIndex, protect: this.protect,
    };
  }

  // ---------------------------------------------------------------- submit

  /** The submit: the mask as an 8-bit gray PNG (the server checks it: allow_unlabeled). */
  async submit() {
    const app = this.app;
    if (app.readOnly) return app.refuse("This is a read-only view: there is nothing to submit");
    if (app.editBlock) return app.refuse(app.editBlock);
    if (app.mode !== "idle" || this.submitting) return undefined;
    if (!this.doc) return app.refuse("The mask is still loading");
    if (app.tool.busy) app.tool.cancel();
    const problem = this.instanceProblems()[0];
    if (problem) {
      this.setActive(problem.index);
      const message = `Not submitted: ${this.labelName(problem.index)}: ${problem.id} ${problem.reason} (the Labels panel's instance attributes)`;
      app.root.dataset.submitError = message;
      return app.refuse(message);
    }
    this.submitting = true;
    app.submitButton.disabled = true;
    app.root.dataset.submitting = "true";
    app.status("Submitting…");
    try {
      const result = await this.sendSubmit();
      if (result.ok) {
        app.leaving = true;
        app.status("Submitted. Opening the next task…");
        app.root.dataset.submitted = "true";
        window.location.assign(result.nextUrl);
        return undefined;
      }
      const message = `Not submitted: ${result.error}`;
      app.status(message, "error");
      app.showBanner(message);
      app.root.dataset.submitError = result.error;
      if (!this.allowUnlabeled && this.doc.mask.unlabeled > 0 && !this.highlight) this.setHighlight(true);
    } finally {
      this.submitting = false;
      app.submitButton.disabled = false;
      delete app.root.dataset.submitting;
    }
    return undefined;
  }

  /** A snapshot (so a reload after a refused submit is fast), every op answered, the POST. */
  async sendSubmit() {
    const doc = /** @type {MaskDocument} */ (this.doc);
    const autosave = this.app.autosave;
    if (autosave && doc.sinceSnapshot > 0) await this.snapshot();
    if (autosave) {
      const flushed = await Promise.race([
        autosave.sync.flush(),
        new Promise((resolve) => setTimeout(() => resolve(null), FLUSH_TIMEOUT_MS)),
      ]);
      if (flushed === null) return { ok: false, error: `${autosave.sync.state.unsent} strokes are not saved yet (offline?). Nothing was lost: try again once the page says Saved.` };
      if (!flushed) return { ok: false, error: "The live session has ended: this task can no longer be submitted here." };
    }
    const { width, height, data } = doc.mask;
    const mask = base64Encode(await encodeGrayPng(data, width, height));
    const instances = this.paintedInstances().map(([index, v]) => ({ index, label: v.label, attributes: v.attributes }));
    const result = await submitTask(this.app.urls.submit, { mask, instances });
    if (result.ok && autosave) {
      autosave.sync.stop();
      await autosave.sync.clear();
    }
    return result;
  }
}

/** The server's first colours (tasks/rules/segmentation.py `color`), then golden-ratio hues. */
const FIRST_COLORS = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0",
  "#f032e6", "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
  "#808000", "#ffd8b1", "#000075", "#808080"];

/**
 * The colour of an index as the server gives it (an instance made on the page has no colour
 * from GET /data yet). @param {number} index @returns {string}
 */
export function indexColor(index) {
  if (index <= 0) return "#000000";
  if (index <= FIRST_COLORS.length) return FIRST_COLORS[index - 1];
  const hue = (index * 0.618033988749895) % 1;
  const s = 0.65 + 0.3 * (index % 2), v = 0.95;
  const i = Math.floor(hue * 6), f = hue * 6 - i;
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return `#${[r, g, b].map((c) => Math.round(c * 255).toString(16).padStart(2, "0")).join("")}`;
}

/** A few words for the status bar. @param {any} op */
function describeOp(op) {
  if (op.op === "seg.stroke") return op.tool === "eraser" ? "eraser stroke" : "brush stroke";
  if (op.op === "seg.fill") return "fill";
  return op.index === 0 ? "erased polygon" : "polygon";
}

/** A 16-character op id. */
function randomOpId() {
  return randomId().replace(/[^A-Za-z0-9]/g, "").slice(0, 16).padEnd(16, "0");
}

/**
 * Every tile of level 0 drawn into ctx (a tiled image's full-size pixels, for fills).
 * @param {CanvasRenderingContext2D} ctx @param {any} pyramid
 */
async function drawTiles(ctx, pyramid) {
  const { cols, rows } = tileGrid(pyramid, 0);
  const jobs = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      jobs.push(async () => {
        const response = await fetch(tileUrl(pyramid, { level: 0, x, y }), { credentials: "same-origin" });
        const bitmap = await createImageBitmap(await response.blob());
        ctx.drawImage(bitmap, x * pyramid.tile_size, y * pyramid.tile_size);
        bitmap.close();
      });
    }
  }
  for (let i = 0; i < jobs.length; i += 6) await Promise.all(jobs.slice(i, i + 6).map((job) => job()));
}
