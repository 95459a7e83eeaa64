// The workbench controller: it owns the document (AnnotationStore), the view (Viewport), the
// active tool, the label picker and the panels, routes input to them and runs the commands
// of the key map. Tools and panels talk to the document only through the methods below.
//
// Modes (this.mode):
//   "idle"       pointer input goes to the active tool, keys to the key map
//   "picking"    the label picker is open: it has the keyboard; the canvas only zooms / pans
//   "help"       the help overlay is open: Esc or ? closes it, nothing else runs
//   "submitting" a submit is in flight: edits are refused until it answers

import { bounds, meetsMinSize, roundBoxPixels, roundCoordinates, vertexLimits, withBoxVertices } from "../lib/geometry.js";
import { handleAt, pointHits, SpatialIndex } from "../lib/hittest.js";
import { leaves, parseLabels, pathText, RecentLabels } from "../lib/labeltree.js";
import { can as lockCan } from "../lib/locks.js";
import { clone, diff, globalsOp } from "../lib/oplog.js";
import {
  attributeProblems, checkValue, globalProblems, isMissing, lineHit, settleAttributes,
  settleGlobals, shownAttributes, shownGlobals,
} from "../lib/attributes.js";
import { allowedLinks, pruneLinks, validateLink } from "../lib/links.js";
import { AnnotationStore, newUuid } from "../lib/annotationstore.js";
import { rotationFromValue, rotationValue, Viewport } from "../lib/viewport.js";
import { cameraFromOptions } from "../lib/camera.js";
import { taskAttributeDefs } from "../lib/eventattributes.js";
import { COMMANDS } from "./commands.js";
import { NO_LABEL_COLOR } from "./draw.js";
import { labelColorMap } from "../lib/labelcolors.js";
import { HelpOverlay } from "./help.js";
import { WorkbenchHooks } from "./hooks.js";
import { bindInput } from "./input.js";
import { helpSections } from "./keyboard.js";
import { addToolButton, addToolbarButton, buildLayout, updateActionBar } from "./layout.js";
import { LabelPicker } from "./picker.js";
import { Panels } from "./panels.js";
import { annotationListPanel } from "./panel-list.js";
import { infoPanel } from "./panel-info.js";
import { instructionPanel } from "./panel-instruction.js";
import { attributesPanel } from "./panel-attributes.js";
import { globalsPanel } from "./panel-globals.js";
import { linksPanel } from "./panel-links.js";
import { contextPanel } from "./panel-context.js";
import { PickTool } from "./tool-pick.js";
import { Renderer, ROTATE_OFFSET } from "./renderer.js";
import { TileLayer } from "./tile-layer.js";
import { SelectTool } from "./tool-select.js";
import { BoxTool } from "./tool-box.js";
import { PolylineTool } from "./tool-polyline.js";
import { PointTool } from "./tool-point.js";
import { EllipseTool } from "./tool-ellipse.js";
import { CuboidTool } from "./tool-cuboid.js";
import { RulerTool } from "./tool-ruler.js";
import { createVideoStore, VideoController } from "./video-controller.js";
import { SegmentController } from "./segment-controller.js";

// How long a refusal stays in the status bar at least, before an unrelated action clears it.
const STALE_REFUSAL_MS = 1500;
import { ReviewController } from "./review-controller.js";
import { Aids } from "./aids.js";
import { Assist } from "./assist.js";

export const GEOMETRY_ORDER = ["box", "polygon", "line", "point", "ellipse", "cuboid"];
const HIT_TOLERANCE = 6; // CSS px
const HANDLE_TOLERANCE = 8; // CSS px

export class Workbench {
  /**
   * @param {HTMLElement} root #workbench
   * @param {any} data GET /tasks/<id>/data
   * @param {{submit: string, skip: string, queue: string}} urls
   */
  constructor(root, data, urls) {
    this.root = root;
    this.data = data;
    this.urls = urls;
    /** The extension points (hooks.js): a video task registers its commands, keys and help there. */
    this.hooks = new WorkbenchHooks({
      addToolbarButton: (spec) => addToolbarButton(this, spec),
      setLayers: (shapes) => showLayers(this, shapes),
      addPanel: (spec, options) => addPanel(this, spec, options),
      setBanner: (banner) => showPersistentBanner(this, banner),
      pointer: () => (this.lastPointer ? { ...this.lastPointer.image } : null),
      invalidate: (what) => this.renderer?.invalidate(what),
      addTool: (spec) => registerTool(this, spec),
      refreshToolbar: () => this.updateToolbar(),
      startTool: (name) => startOn(this, name),
      hidePanel: (id) => hideBuiltinPanel(this, id),
    });
    /** Status bar hints of the tools the hooks added (hooks.addTool). */
    this.toolHints = {};
    this.params = data.params || {};
    this.readOnly = Boolean(data.read_only);
    this.geometries = this.params.geometries || {};
    this.geometryNames = GEOMETRY_ORDER.filter((name) => name in this.geometries);
    /** The 3D cuboids' camera (lib/camera.js), or null: cuboids are then 2D. */
    this.camera = cameraFromOptions(this.geometries.cuboid);
    /** @type {Record<string, any[]>} */
    this.trees = {};
    for (const name of this.geometryNames) {
      this.trees[name] = parseLabels(this.geometries[name]?.objects_to_annotate);
    }
    // stable per label path across the project's tasks, siblings spread (lib/labelcolors.js)
    this.colors = labelColorMap(this.trees);
    /** leaf choice → {display, path} of the first geometry that has it */
    this.labelInfo = new Map();
    for (const tree of Object.values(this.trees)) {
      for (const leaf of leaves(tree)) {
        if (!this.labelInfo.has(leaf.choice)) {
          this.labelInfo.set(leaf.choice, { display: leaf.display, path: pathText(leaf) });
        }
      }
    }
    this.attributeDefs = this.params.annotation_attributes || {};
    // a video task's event attributes are the Events panel's (video-events.js), not the image's
    if (data.video) this.attributeDefs = taskAttributeDefs(this.attributeDefs, data.video.events_to_annotate);
    this.linkDefs = this.params.links || {};
    this.hasGlobals = Object.values(this.attributeDefs).some((def) => def?.conditions?.is_global);
    // adopt: the annotations were just parsed from GET /data and nothing else changes them
    // a video task (video-controller.js): tracks, seen through the current frame
    this.store = data.video ? createVideoStore(this, data, startingExtras(data, this.params))
      : new AnnotationStore(data.annotations || [], startingExtras(data, this.params), { adopt: true });
    this.view = new Viewport();
    this.followRotationGlobal();
    this.padding = { x: data.padding?.x || 0, y: data.padding?.y || 0 };
    this.imageSize = { width: data.image?.width || 0, height: data.image?.height || 0 };
    this.image = null;
    this.imageReady = false;
    /** The read-only layer shapes drawn now and their index: set through hooks.setLayers. */
    this.layers = [];
    this.layerIndex = new SpatialIndex({ cellSize: 256 });
    /** Has the task read-only layers at all (H toggles them)? */
    this.hasLayers = false;
    this.layersVisible = true;
    this.connections = (this.geometries.point?.connections || []).filter((c) => c?.pair?.length === 2);
    this.resolution = validResolution(this.params.image_metadata?.resolution);
    /** @type {Map<string, any>} */
    this.previews = new Map();
    this.hover = null;
    this.draft = null;
    this.mode = "idle";
    this.clipboard = [];
    this.pasteCount = 0;
    this.lastEdit = "";
    this.spaceHeld = false;
    this.pan = null;
    /** The tool that got the current press (see gestureTool), until the release. */
    this.gesture = null;
    this.leaving = false;
    /** The tool to return to when a pick on the canvas ends (see startPick). */
    this.pickReturn = null;
    /** uuid → position in the list (describe()); rebuilt after each change. */
    this.positions = null;
    this.recent = loadRecent(this.recentKey());

    buildLayout(this);
    this.renderer = new Renderer(this.canvas, this);
    this.tools = this.makeTools();
    this.tool = this.tools.select;
    this.picker = new LabelPicker(this.stage);
    /** The help overlay, built when first opened (and again after a hook changed its rows). */
    this.help = null;
    this.helpRevision = -1;
    this.panels = new Panels(this.side, this);
    this.panels.add(instructionPanel());
    if (data.context?.length) this.panels.add(contextPanel());
    this.panels.add(infoPanel());
    // (a segmentation task's attributes are its instances': the Labels panel edits them)
    if (!data.segmentation && Object.values(this.attributeDefs).some((def) => def && !def.conditions?.is_global)) {
      this.panels.add(attributesPanel());
    }
    if (this.hasGlobals) this.panels.add(globalsPanel());
    if (Object.keys(this.linkDefs).length) this.panels.add(linksPanel());
    this.panels.add(annotationListPanel());
    this.store.onChange((change) => this.onStoreChange(change));
    bindInput(this);
    const imageLayers = collectLayers(this.params);
    if (imageLayers.length) this.hooks.setLayers(imageLayers);
    this.setTool("select");
    this.updateToolbar();
    if (data.video) this.video = new VideoController(this);
    // a segmentation task (segment-controller.js): the mask, its tools and panels
    if (data.segmentation) this.segment = new SegmentController(this);
    // review and rework (GET /data's `quality`): verdicts, pins, the banner
    if (data.quality) this.review = new ReviewController(this);
    // the tasker's aids: hide / lock, display, snapping, problems, timer (aids.js)
    this.aids = new Aids(this);
    // the Assist tool (assist.js): prompts answered by POST /tasks/<id>/assist
    if (Assist.offered(this)) this.assist = new Assist(this);
    this.loadImage();
    const sizes = new ResizeObserver(() => {
      const first = this.view.width <= 1;
      this.renderer.resize();
      if (first || this.fitPending) this.fit();
    });
    sizes.observe(this.stage);
    sizes.observe(this.canvas); // smaller than the stage under a persistent banner
    this.canvas.focus({ preventScroll: true });
    if (this.readOnly) this.status("Read-only view: you can look, not change.", "info");
    else this.status(`${this.store.size} annotations loaded. Press ? for every shortcut.`);
  }

  makeTools() {
    const tools = {
      select: new SelectTool(this),
      ruler: new RulerTool(this),
      pick: new PickTool(this),
    };
    const makers = {
      box: () => new BoxTool(this),
      polygon: () => new PolylineTool(this, "polygon"),
      line: () => new PolylineTool(this, "line"),
      point: () => new PointTool(this),
      ellipse: () => new EllipseTool(this),
      cuboid: () => new CuboidTool(this),
    };
    if (!this.readOnly) for (const name of this.geometryNames) tools[name] = makers[name]();
    return tools;
  }

  loadImage() {
    if (this.video) {
      this.video.loadFirstFrame();
      return;
    }
    if (this.data.tiles) {
      this.loadTiles(this.data.tiles);
      return;
    }
    const url = this.data.image?.url;
    if (!url) {
      this.status("This task has no image.", "error");
      return;
    }
    const loaded = (image) => {
      this.image = image;
      this.imageReady = true;
      this.imageSize = { width: image.width, height: image.height };
      this.panels.update({ kind: "image", size: this.imageSize });
      this.fit();
      this.root.dataset.ready = "true";
    };
    const failed = () => {
      this.imageFailed = true;
      if (!this.imageSize.width) this.imageSize = { width: 1000, height: 1000 };
      this.panels.update({ kind: "image", size: this.imageSize });
      this.fit();
      this.status("The image could not be loaded. The annotations are still shown.", "error");
      this.root.dataset.ready = "true";
    };
    // Our own copy is fetched (the page preloads it while the task data loads) and decoded by
    // createImageBitmap off the main thread: drawing an <img> first decodes it again in the
    // frame (80 ms for 12 megapixels). An image not fetched yet redirects to its original,
    // which an <img> loads as before.
    const element = () => {
      const image = new Image();
      image.decoding = "async";
      image.onload = () => loaded(image);
      image.onerror = failed;
      image.src = url;
    };
    fetch(url, { credentials: "same-origin", redirect: "manual" })
      .then((response) => (response.ok ? response.blob() : Promise.reject(new Error("redirect"))))
      .then((blob) => createImageBitmap(blob))
      .then(loaded, element);
    if (!this.imageSize.width) this.imageSize = { width: 1000, height: 1000 };
  }

  /** A large image comes as a tile pyramid: the renderer draws what is on screen. */
  loadTiles(pyramid) {
    this.tileLayer = new TileLayer(pyramid, () => this.invalidate("overlay"));
    this.imageSize = { width: pyramid.width, height: pyramid.height };
    this.panels.update({ kind: "image", size: this.imageSize });
    this.fit();
    this.root.dataset.ready = "true";
  }

  // ---------------------------------------------------------------- geometry options

  /** The normalized options of a geometry ({} when it is not enabled). */
  options(type) {
    return this.geometries[type] || {};
  }

  minVertices(type) {
    return vertexLimits(type, this.options(type)).min;
  }

  maxVertices(type) {
    return vertexLimits(type, this.options(type)).max;
  }

  canRotateBox() {
    return Boolean(this.options("box").can_rotate);
  }

  /** The annotation as it would be stored: box rotation keys, integer pixels, and pixel
   * coordinates to two decimals (docs/task-format.md "Coordinates"). */
  finalize(a) {
    if (a.type !== "box") return roundCoordinates(a);
    let box = a;
    if (this.canRotateBox() && !("rotation" in box)) box = { ...box, rotation: 0 };
    if ("rotation" in box) box = withBoxVertices(roundCoordinates(box));
    if (this.options("box").integer_pixels && !box.rotation) box = roundBoxPixels(box);
    return roundCoordinates(box);
  }

  /** Is a box or cuboid below the task's min_width / min_height? */
  isBelowMin(a) {
    if (a.type !== "box" && a.type !== "cuboid") return false;
    const options = this.options(a.type);
    if (!options.min_width && !options.min_height) return false;
    try {
      return !meetsMinSize(a, options);
    } catch {
      return false;
    }
  }

  colorOf(a) {
    return (a.label !== undefined && this.colors.get(a.label)) || NO_LABEL_COLOR;
  }

  /** The label's display text (layers: their free-text label). */
  labelText(a) {
    if (a.label === undefined || a.label === null) return "";
    return this.labelInfo.get(a.label)?.display ?? String(a.label);
  }

  /** The label's display path, e.g. "Pedestrian › Adult". */
  labelPath(a) {
    if (a.label === undefined || a.label === null) return "";
    return this.labelInfo.get(a.label)?.path ?? String(a.label);
  }

  paddedRect() {
    const { width, height } = this.imageSize;
    return { minX: -this.padding.x, minY: -this.padding.y, maxX: width + this.padding.x, maxY: height + this.padding.y };
  }

  // ---------------------------------------------------------------- permissions and messages

  /** May the tasker do `action` to annotation `uuid` (null for "add")? */
  can(action, uuid = null) {
    if (this.readOnly) return { allowed: false, reason: "This is a read-only view" };
    // the live session (autosave.js): connecting, read-only tab, session ended
    if (this.editBlock) return { allowed: false, reason: this.editBlock };
    if (this.mode === "submitting") return { allowed: false, reason: "Submitting… wait for the answer" };
    const verdict = lockCan(action, uuid ? this.store.lockable(uuid) : null, this.params);
    if (!verdict.allowed || !uuid || action === "add") return verdict;
    // the tasker's own lock (aids.js), never the API's `locked`
    const reason = this.hooks.editRefusal(action, uuid);
    return reason ? { allowed: false, reason } : verdict;
  }

  /** can(), saying why in the status bar when refused. */
  refuseUnless(action, uuid = null) {
    const verdict = this.can(action, uuid);
    if (!verdict.allowed) this.refuse(verdict.reason);
    return verdict.allowed;
  }

  refuse(reason) {
    this.lastRefusal = reason;  // a field that asked shows it beside itself
    this.status(reason, "warn");
  }

  status(message, kind = "info") {
    this.statusMessage.textContent = message;
    this.statusMessage.dataset.kind = kind;
    this.statusAt = Date.now();
  }

  /** A refusal or an error in the status bar goes with the next unrelated action (a
   * selection, a tool) once it has been shown for a moment; a submit's error keeps its
   * banner until the next edit. */
  clearStaleRefusal() {
    const kind = this.statusMessage?.dataset.kind;
    if ((kind === "warn" || kind === "error") && Date.now() - (this.statusAt || 0) > STALE_REFUSAL_MS) {
      this.status("");
    }
  }

  showBanner(message) {
    this.banner.textContent = message;
    this.banner.hidden = !message;
  }

  // ---------------------------------------------------------------- view state for tools

  invalidate(what = "overlay") {
    this.renderer.invalidate(what);
  }

  setCursor(cursor) {
    if (this.spaceHeld || this.pan) return;
    this.canvas.style.cursor = cursor;
  }

  setPreview(uuid, annotation) {
    const had = this.previews.has(uuid);
    this.previews.set(uuid, annotation);
    this.invalidate(had ? "overlay" : "static");
  }

  clearPreviews() {
    if (!this.previews.size) return;
    this.previews.clear();
    this.invalidate("static");
  }

  setHover(uuid) {
    if (this.hover === uuid) return;
    this.hover = uuid;
    this.panels.update({ kind: "hover" });
    this.invalidate("overlay");
  }

  select(uuids) {
    if (this.store.select(uuids)) {
      this.lastEdit = "";
      this.clearStaleRefusal();
    }
  }

  selectFromList(uuid, add) {
    if (add) {
      const next = new Set(this.store.selection);
      if (next.has(uuid)) next.delete(uuid);
      else next.add(uuid);
      this.select(next);
    } else {
      this.select([uuid]);
      this.reveal(uuid);
    }
    this.canvas.focus({ preventScroll: true });
  }

  /** Pan `uuid` into view; `top`: canvas pixels covered at the top (an error banner). */
  reveal(uuid, top = 0) {
    const a = this.store.get(uuid);
    if (!a) return;
    try {
      if (this.view.reveal(bounds(a), 40, top)) this.invalidate("view");
    } catch {
      /* malformed geometry */
    }
  }

  /** The annotation under an image point: the one with the smallest bounds wins. */
  hitTest(point) {
    const tolerance = HIT_TOLERANCE / this.view.scale;
    let best = null, bestArea = Infinity;
    const hides = this.hooks.hasHiddenTests;
    for (const uuid of this.store.index.queryPoint(point, tolerance)) {
      if (hides && this.hooks.isHidden(uuid)) continue; // hidden by the tasker (aids.js)
      const a = this.store.get(uuid);
      let hit = false;
      try {
        hit = pointHits(a, point, tolerance);
      } catch {
        hit = false;
      }
      if (!hit) continue;
      const r = this.store.index.items.get(uuid).rect;
      const area = (r.maxX - r.minX) * (r.maxY - r.minY);
      if (area <= bestArea) {
        best = uuid;
        bestArea = area;
      }
    }
    return best;
  }

  /**
   * The x_line / y_line of annotation `uuid` (shown and set) under an image point:
   * {id, kind} or null.
   */
  attributeLineAt(uuid, point) {
    const a = this.store.get(uuid);
    if (!a || (a.type !== "box" && a.type !== "cuboid")) return null;
    const tolerance = HIT_TOLERANCE / this.view.scale;
    for (const id of shownAttributes(this.attributeDefs, a)) {
      const kind = this.attributeDefs[id].type;
      const value = a.attributes?.[id];
      if ((kind !== "x_line" && kind !== "y_line") || typeof value !== "number") continue;
      try {
        if (lineHit(a, kind, value, point, tolerance)) return { id, kind };
      } catch {
        return null;
      }
    }
    return null;
  }

  /** The handle of annotation `uuid` under an image point, or null. */
  handleHit(uuid, point) {
    const a = this.store.get(uuid);
    if (!a || this.store.hidden?.(uuid)) return null; // (a video track not on this frame)
    const tolerance = HANDLE_TOLERANCE / this.view.scale;
    try {
      return handleAt(a, point, tolerance, {
        canRotate: a.type === "box" ? this.canRotateBox() : true,
        rotateOffset: ROTATE_OFFSET / this.view.scale,
      });
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- edits

  /**
   * Record edits of existing annotations as ONE undo step.
   * @param {Array<[string, any]>} edits [uuid, new annotation]
   * @param {{merge?: boolean, kind?: string}} [options]
   */
  commitEdits(edits, { merge = false, kind = "edit" } = {}) {
    const ops = [];
    for (const [uuid, next] of edits) {
      const current = this.store.get(uuid);
      if (!current) continue;
      const op = merge ? stableUpdate(current, next) : diff(current, next);
      if (op) ops.push(op);
    }
    if (!ops.length) return null;
    if (!merge || this.lastEdit !== kind) this.store.seal();
    const op = ops.length === 1 ? ops[0] : { op: "batch", ops };
    const entry = this.store.apply(op, { merge });
    this.lastEdit = merge ? kind : "";
    return entry;
  }

  /** Attribute values of a new annotation of `type` with `label`: the defaults that apply. */
  defaultAttributes(label, type) {
    return settleAttributes(this.attributeDefs, { uuid: "", type, label: label ?? undefined, attributes: {} });
  }

  /**
   * The values an annotation keeps when relabelled: those still shown stay (or stay cleared),
   * the others go, and the attributes that come into view get their defaults.
   */
  relabelAttributes(annotation, label) {
    const wasShown = new Set(shownAttributes(this.attributeDefs, annotation));
    return settleAttributes(this.attributeDefs, { ...annotation, label }, wasShown);
  }

  // ---------------------------------------------------------------- attributes, globals, links

  /** May the tasker change this annotation's attributes (and links from it)? */
  canEditAttributes(uuid) {
    return this.can("edit_attributes", uuid).allowed;
  }

  /** What stops an annotation from being submitted ([] when it may not be edited). */
  problemsOf(uuid) {
    const a = this.store.get(uuid);
    if (!a || !this.canEditAttributes(uuid)) return [];
    return attributeProblems(this.attributeDefs, a, this.store.model);
  }

  /**
   * Set (or, with a missing value, clear) one attribute of an annotation: one undo step.
   * Refused with the reason in the status bar when a lock forbids it or the value breaks a
   * rule. Returns whether it was applied.
   * @param {{merge?: boolean}} [options] merge: fold into the previous step (dial keys)
   */
  setAttribute(uuid, id, value, { merge = false } = {}) {
    if (!this.refuseUnless("edit_attributes", uuid)) return false;
    const a = this.store.get(uuid);
    const def = this.attributeDefs[id];
    if (!a || !def) return false;
    if (!isMissing(value)) {
      const reason = checkValue(def, value, { annotation: a, model: this.store.model });
      if (reason) {
        this.refuse(`${id} ${reason}`);
        return false;
      }
    }
    const wasShown = new Set(shownAttributes(this.attributeDefs, a));
    const values = { ...(a.attributes || {}) };
    if (isMissing(value)) delete values[id];
    else values[id] = clone(value);
    const attributes = settleAttributes(this.attributeDefs, { ...a, attributes: values }, wasShown);
    const entry = this.commitEdits([[uuid, { ...a, attributes }]], { merge, kind: `attribute:${uuid}:${id}` });
    if (entry) this.status(isMissing(value) ? `${id} cleared` : `${id} set`);
    return true;
  }

  /** Set (or clear) one global attribute: one undo step. */
  setGlobal(id, value) {
    if (!this.refuseUnless("edit_attributes")) return false;
    const def = this.attributeDefs[id];
    if (!def) return false;
    if (!isMissing(value)) {
      const reason = checkValue(def, value);
      if (reason) {
        this.refuse(`${id} ${reason}`);
        return false;
      }
    }
    const before = this.store.globals;
    const wasShown = new Set(shownGlobals(this.attributeDefs, before));
    const values = { ...before };
    if (isMissing(value)) delete values[id];
    else values[id] = clone(value);
    const op = globalsOp(before, settleGlobals(this.attributeDefs, values, wasShown));
    if (!op) return true;
    this.store.seal();
    this.store.apply(op);
    this.lastEdit = "";
    this.status(isMissing(value) ? `${id} cleared` : `${id} set`);
    return true;
  }

  globalProblems() {
    return globalProblems(this.attributeDefs, this.store.globals);
  }

  /** Why a link from → to cannot be drawn ("" when some rule allows it). */
  linkRefusal(from, to) {
    const verdict = this.can("edit_attributes", from);
    if (!verdict.allowed) return verdict.reason;
    const a = this.store.get(from), b = this.store.get(to);
    if (!a || !b) return "Both ends of a link must be annotations of this task";
    if (from === to) return "An annotation cannot be linked to itself";
    const labels = allowedLinks(this.linkDefs, a.label, b.label);
    if (!labels.length) {
      return `No link rule allows linking ${this.describe(from)} to ${this.describe(to)}`;
    }
    const free = labels.filter((label) => validateLink(this.linkDefs, { label, from, to }, this.store.model, this.store.links).valid);
    return free.length ? "" : "These two annotations are already linked";
  }

  /**
   * Link `from` to `to` (one undo step). When several link labels allow it, the picker asks
   * which. Returns whether a link was added.
   */
  async addLink(from, to) {
    const refusal = this.linkRefusal(from, to);
    if (refusal) {
      this.refuse(refusal);
      return false;
    }
    const a = this.store.get(from), b = this.store.get(to);
    const labels = allowedLinks(this.linkDefs, a.label, b.label)
      .filter((label) => validateLink(this.linkDefs, { label, from, to }, this.store.model, this.store.links).valid);
    let label = labels[0];
    if (labels.length > 1) {
      label = await this.askChoice(labels.map((choice) => ({ choice })), null, "Link label");
      if (label === null) return false;
    }
    const link = { label, from, to };
    const check = validateLink(this.linkDefs, link, this.store.model, this.store.links);
    if (!check.valid) {
      this.refuse(check.reason);
      return false;
    }
    this.store.seal();
    this.store.apply({ op: "link_add", link });
    this.lastEdit = "";
    this.status(`Linked ${this.describe(from)} → ${this.describe(to)} (${label})`);
    return true;
  }

  deleteLink(link) {
    if (!this.refuseUnless("edit_attributes", link.from)) return false;
    this.store.seal();
    this.store.apply({ op: "link_delete", link: { label: link.label, from: link.from, to: link.to } });
    this.lastEdit = "";
    this.status(`Link “${link.label}” deleted`);
    return true;
  }

  /** "box “Car” (#3)": an annotation as the status bar and the panels name it. */
  describe(uuid) {
    const a = this.store.get(uuid);
    if (!a) return "a deleted annotation";
    if (!this.positions) this.positions = new Map(this.store.uuids().map((u, i) => [u, i]));
    const index = (this.positions.get(uuid) ?? -1) + 1;
    const text = this.labelPath(a);
    return `${a.type}${text ? ` “${text}”` : ""} (#${index})`;
  }

  /**
   * Wait for a click on an annotation of the canvas (the pick tool). `accept(uuid)` returns
   * why that one cannot be picked ("" when it can); `done(uuid)` gets the one picked. Esc or
   * another tool cancels.
   * @param {{prompt: string, from?: string, accept: (uuid: string) => string,
   *   done: (uuid: string) => void, cancelled?: () => void}} request
   */
  startPick(request) {
    if (this.mode !== "idle") return;
    if (this.tool.name !== "pick") this.pickReturn = this.tool.name;
    this.setTool("pick");
    this.tools.pick.start(request);
    this.status(`${request.prompt} (Esc cancels)`);
    this.canvas.focus({ preventScroll: true });
  }

  /** The pick ended: back to the tool that was active before it. */
  endPick() {
    const previous = this.pickReturn && this.tools[this.pickReturn] ? this.pickReturn : "select";
    this.pickReturn = null;
    if (this.tool.name === "pick") this.setTool(previous);
  }

  /** Open the picker over a category's choices; resolves with a leaf choice or null. */
  async askChoice(choices, current, title) {
    if (this.mode !== "idle") return null;
    this.mode = "picking";
    this.tool.cancel();
    const tree = parseLabels(choices);
    const box = this.stage.getBoundingClientRect();
    try {
      return await this.picker.open({
        title,
        tree,
        recent: [],
        current,
        anchor: { x: Math.max(8, box.width - 330), y: 56 },
        colorOf: () => NO_LABEL_COLOR,
        displayOf: (choice) => choice,
      });
    } finally {
      this.mode = "idle";
    }
  }

  /**
   * A drawing tool finished a shape: ask for its label, then record it (one undo step).
   * Esc in the picker discards the new shape.
   */
  async finishShape(shape) {
    if (!this.refuseUnless("add")) return;
    const { type, ...geometry } = shape;
    const uuid = newUuid();
    const tree = this.trees[type] || [];
    const build = (label) => this.finalize({
      uuid, type, ...(label === null ? {} : { label }), ...geometry,
      attributes: this.defaultAttributes(label, type),
    });
    if (!tree.length) {
      this.commitNew(build(null));
      return;
    }
    this.draft = build(null);
    this.invalidate("overlay");
    const choice = await this.askLabel(type, null, this.draft, `Label for the new ${type}`);
    this.draft = null;
    this.invalidate("overlay");
    if (choice === null) {
      this.status(`New ${type} discarded: no label was picked`, "warn");
      return;
    }
    this.commitNew(build(choice));
  }

  commitNew(annotation) {
    this.store.seal();
    this.store.apply({ op: "add", annotation });
    this.lastEdit = "";
    this.select([annotation.uuid]);
    if (annotation.label !== undefined) this.useRecent(annotation.type, annotation.label);
    const text = this.labelPath(annotation);
    this.status(`Added ${annotation.type}${text ? ` “${text}”` : ""}`);
    this.warnIfBelowMin(annotation);
  }

  /** Say so when a box or cuboid just drawn or resized is below the task's minimum size. */
  warnIfBelowMin(annotation) {
    if (!this.isBelowMin(annotation)) return;
    const o = this.options(annotation.type);
    this.status(`This ${annotation.type} is smaller than the task's minimum ${o.min_width || 0} × ${o.min_height || 0} px: the submit will refuse it`, "warn");
  }

  /** Open the picker for `type`; resolves with a leaf choice or null. */
  async askLabel(type, current, shape, title) {
    this.mode = "picking";
    this.tool.cancel();
    let anchor = null;
    try {
      const b = bounds(shape);
      anchor = this.view.toScreen({ x: b.maxX, y: b.minY });
    } catch {
      anchor = null;
    }
    const allowed = leaves(this.trees[type]).map((leaf) => leaf.choice);
    try {
      return await this.picker.open({
        title,
        tree: this.trees[type],
        recent: this.recent.list(type, allowed),
        current,
        anchor,
        colorOf: (choice) => this.colors.get(choice) || NO_LABEL_COLOR,
        displayOf: (choice) => this.labelInfo.get(choice)?.display ?? choice,
      });
    } finally {
      this.mode = "idle";
      this.canvas.focus({ preventScroll: true });
    }
  }

  useRecent(type, choice) {
    this.recent.use(type, choice);
    try {
      localStorage.setItem(this.recentKey(), JSON.stringify(this.recent.toJSON()));
    } catch {
      /* storage full or disabled: recent labels last for this page only */
    }
  }

  recentKey() {
    return `annotator.recent-labels.${this.data.project || "-"}`;
  }

  // ---------------------------------------------------------------- commands (the key map)

  /** Run a command of the key map (commands.js); false when it did nothing (the key goes on). */
  run(command, args = []) {
    const own = COMMANDS[command];
    const added = own ? null : this.hooks.command(command); // an extension's (hooks.addCommand)
    if (!own && !added) throw new Error(`unknown command ${command}`);
    const guarded = this.hooks.guardCommand(command, args);
    if (guarded !== undefined) return guarded;
    return own ? own(this, ...args) : added(...args);
  }

  setTool(name) {
    if (this.tool && this.tool.name !== name) this.tool.deactivate();
    this.tool = this.tools[name];
    this.tool.activate();
    for (const [toolName, button] of Object.entries(this.toolButtons)) {
      const on = toolName === name;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    this.root.dataset.tool = name;
    this.canvas.style.cursor = this.tool.cursor;
    // a read-only view gets no editing hints (docs/workbench.md)
    this.statusHint.textContent = this.readOnly ? ""
      : TOOL_HINTS[name === "cuboid" && this.camera ? "cuboid3d" : name] || this.toolHints[name] || "";
    this.clearStaleRefusal();
    if (name !== "select") this.setHover(null);
    this.invalidate("overlay");
  }

  fit() {
    if (this.view.width <= 1) {
      this.fitPending = true;
      return true;
    }
    this.fitPending = false;
    this.view.fit(this.paddedRect(), 16);
    this.viewChanged();
    return true;
  }

  viewChanged() {
    this.invalidate("view");
    const percent = `${Math.round(this.view.scale * 100)}%`;
    this.zoomLabel.textContent = percent;
    this.statusZoom.textContent = `Zoom ${percent}`;
  }

  /**
   * The image rotation tool: turn the view by quarter turns (clockwise on screen); the
   * annotations keep their image coordinates. A global attribute `image_rotation` follows it
   * (docs/task-format.md) through setGlobal, and the view follows that attribute
   * (followRotationGlobal).
   */
  rotateView(quarterTurns) {
    if (this.mode !== "idle" || !this.view.rotateBy(quarterTurns)) return true;
    this.fit(); // the turned image is fitted again: a wide image turned upright stays whole
    const def = this.attributeDefs.image_rotation;
    const value = def?.conditions?.is_global ? rotationValue(def, this.view.rotation) : null;
    const current = this.store.globals?.image_rotation;
    if (value !== null && rotationFromValue(def, current) !== this.view.rotation && this.can("edit_attributes").allowed) {
      this.setGlobal("image_rotation", value);
    }
    this.status(`View turned to ${this.view.rotation * 90}°`);
    return true;
  }

  /** Turn the view to the global attribute `image_rotation` when it names a quarter turn. */
  followRotationGlobal() {
    const def = this.attributeDefs.image_rotation;
    if (!def?.conditions?.is_global) return;
    const turns = rotationFromValue(def, this.store.globals?.image_rotation);
    if (turns !== null && this.view.setRotation(turns) && this.renderer) this.fit();
  }

  openHelp() {
    if (this.mode === "help") {
      this.closeHelp();
      return true;
    }
    if (this.mode !== "idle") return true;
    this.tool.cancel();
    this.mode = "help";
    this.helpOverlay().show();
    return true;
  }

  closeHelp() {
    this.help?.hide();
    if (this.mode === "help") this.mode = "idle";
    this.canvas.focus({ preventScroll: true });
  }

  /** The help overlay of the key map and the rows the hooks added (rebuilt when they changed). */
  helpOverlay() {
    if (this.help && this.helpRevision === this.hooks.helpRevision) return this.help;
    this.help?.el.remove();
    this.help = new HelpOverlay(this.root, () => this.closeHelp(), this.hooks.helpSections(helpSections()));
    this.helpRevision = this.hooks.helpRevision;
    return this.help;
  }

  // ---------------------------------------------------------------- store → view

  onStoreChange(change) {
    if (change.kind !== "select") {
      this.showBanner("");
      this.positions = null; // list positions, for describe()
      this.followRotationGlobal();
    }
    this.invalidate("static");
    this.updateToolbar();
    this.panels.update(change);
  }

  updateToolbar() {
    const history = this.hooks.history; // an extension's own undo (hooks.setHistory)
    if (this.undoButton) this.undoButton.disabled = !(history ? history.canUndo() : this.store.log.canUndo);
    if (this.redoButton) this.redoButton.disabled = !(history ? history.canRedo() : this.store.log.canRedo);
    this.root.dataset.dirty = this.store.dirty ? "true" : "false";
    updateActionBar(this);
  }


}

const TOOL_HINTS = {
  select: "Click to select · drag to move · handles resize · Enter relabels",
  box: "Press and drag to draw a box",
  polygon: "Click each vertex · Enter or double-click closes · Backspace removes the last",
  line: "Click each vertex · Enter or double-click ends · Backspace removes the last",
  point: "Click to place a point",
  ellipse: "Press and drag the ellipse's box",
  cuboid: "Drag the front face, release, move for the depth, click",
  cuboid3d: "Drag the footprint on the ground, release, move for the height, click · [ ] turn",
  ruler: "Drag (or click twice) to measure",
  pick: "Click an annotation · Esc cancels",
};

/** Geometry keys of an annotation's type (those a move changes). */
const GEOMETRY_KEYS = {
  box: ["left", "top", "width", "height", "rotation", "vertices"],
  point: ["x", "y"],
  polygon: ["vertices"],
  line: ["vertices"],
  ellipse: ["vertices"],
  cuboid: ["vertices", "edges", "position", "dimensions", "yaw"],
};

/**
 * An update op over every geometry key of the type (plus whatever else changed), so that
 * consecutive nudges have the same keys and the OpLog folds them into one undo step.
 */
function stableUpdate(current, next) {
  const changed = diff(current, next);
  if (!changed) return null;
  const keys = new Set([...Object.keys(changed.after),
    ...(GEOMETRY_KEYS[current.type] || []).filter((key) => key in current || key in next)]);
  const before = {}, after = {};
  for (const key of keys) {
    before[key] = key in current ? clone(current[key]) : null;
    after[key] = key in next ? clone(next[key]) : null;
  }
  return { op: "update", uuid: current.uuid, before, after };
}

/**
 * hooks.setLayers: draw `shapes` as the read-only layers (dimmed, never hit). The first call
 * adds the toolbar's layers button.
 */
function showLayers(app, shapes) {
  if (!app.hasLayers) {
    app.hasLayers = true;
    app.layersButton = app.hooks.addToolbarButton({
      icon: "M11 4l8 4-8 4-8-4zM3 12l8 4 8-4M3 16l8 4 8-4", title: "Hide / show layers (H)",
      text: "Layers", command: "toggleLayers", pressed: app.layersVisible,
    });
  }
  app.layers = shapes;
  app.layerIndex = new SpatialIndex({ cellSize: 256 });
  shapes.forEach((shape, i) => {
    try {
      app.layerIndex.insert(i, bounds(shape));
    } catch {
      /* malformed layer shape: not drawn */
    }
  });
  app.root.dataset.layerShapes = String(shapes.length);
  app.invalidate("static");
}

/** hooks.addTool: a tool of an extension, with its button in the tool group and its hint. */
function registerTool(app, spec) {
  const name = spec.tool.name;
  if (app.tools[name]) throw new Error(`tool ${name} exists`);
  app.tools[name] = spec.tool;
  if (spec.hint) app.toolHints[name] = spec.hint;
  return addToolButton(app, name, spec);
}

/** hooks.setStartTool: open on this tool, unless the tasker already chose one. */
function startOn(app, name) {
  if (app.tools?.[name] && app.mode === "idle" && (!app.tool || app.tool.name === "select")) app.setTool(name);
}

/** hooks.hidePanel: a built-in side panel the kind has no use for is not shown. */
function hideBuiltinPanel(app, id) {
  const section = app.side?.querySelector(`.wb-panel-${id}`);
  if (section) section.hidden = true;
}

/** hooks.addPanel: a side panel at the end of the column, or before the panel `before`. */
function addPanel(app, spec, { before } = {}) {
  const panel = app.panels.add(spec);
  const target = before ? app.side.querySelector(`.wb-panel-${before}`) : null;
  if (target) target.before(panel.section);
  return panel;
}

/**
 * hooks.setBanner: the persistent banner over the canvas (null: none). The transient one
 * (showBanner: a refused submit) shows below it.
 */
function showPersistentBanner(app, banner) {
  if (!app.persistentBanner) {
    app.persistentBanner = document.createElement("div");
    app.persistentBanner.className = "wb-persistent-banner";
    app.persistentBanner.setAttribute("role", "status");
    app.stage.append(app.persistentBanner);
    // the banner takes its own row: the canvas starts below it, whatever its height
    // (a long comment wraps), so it never covers the image (static/css/review.css)
    new ResizeObserver(() => reserveBannerRow(app)).observe(app.persistentBanner);
  }
  const el = app.persistentBanner;
  el.hidden = !banner;
  el.textContent = banner ? banner.text : "";
  el.dataset.tone = banner?.tone || "info";
  app.stage.classList.toggle("has-persistent-banner", Boolean(banner));
  reserveBannerRow(app);
}

/** The room the persistent banner needs above the canvas: its height and its margins. */
function reserveBannerRow(app) {
  const el = app.persistentBanner;
  const height = el && !el.hidden ? el.offsetHeight : 0;
  app.stage.style.setProperty("--wb-banner-row", height ? `${height + 16}px` : "0px");
}

/** Layer shapes of params.layer and params.layers (both accepted), with their `type`. */
function collectLayers(params) {
  const types = { boxes: "box", polygons: "polygon", lines: "line", cuboids: "cuboid", points: "point", ellipses: "ellipse" };
  const result = [];
  for (const source of [params.layer, params.layers]) {
    if (!source || typeof source !== "object") continue;
    for (const [key, list] of Object.entries(source)) {
      if (!Array.isArray(list)) continue;
      for (const a of list) if (a && typeof a === "object") result.push({ type: types[key], ...a });
    }
  }
  return result;
}

function validResolution(resolution) {
  if (!resolution) return null;
  const ratio = Number(resolution.resolution_ratio);
  if (!(ratio > 0) || !resolution.resolution_unit) return null;
  return { resolution_ratio: ratio, resolution_unit: String(resolution.resolution_unit) };
}

function loadRecent(key) {
  try {
    const data = JSON.parse(localStorage.getItem(key) || "{}");
    return new RecentLabels({ data: data && typeof data === "object" ? data : {} });
  } catch {
    return new RecentLabels();
  }
}

/** The draft's global attributes and links (GET /data), else the hypothesis'. */
function startingExtras(data, params) {
  const hypothesis = params.hypothesis || {};
  const annotations = new Map((data.annotations || []).map((a) => [a.uuid, a]));
  const links = Array.isArray(data.links) ? data.links : hypothesis.links || [];
  return {
    global_attributes: data.global_attributes || hypothesis.global_attributes || {},
    links: pruneLinks(links.filter((link) => link && typeof link === "object"), annotations),
  };
}
