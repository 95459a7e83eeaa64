// The Workbench's extension points (docs/workbench.md, "Extending the workbench"). A task kind
// that needs more than the image workbench (a video task: video-controller.js) registers
// here instead of replacing the Workbench's methods or fields:
//
//   addCommandGuard(guard)     runs before every command of the key map and the buttons
//   addKeyHandler(handler)     gets the keys before the tool and the key map
//   addHelpSection(...)        rows of the help overlay; replaceHelpRow(...) rewords one
//   addToolbarButton(spec)     a button of the top bar, before the spacer
//   setLayers(shapes)          the read-only layer shapes drawn now
//   addCommand(name, fn)       a command of its own, run through app.run (so guards see it)
//   addPanel(spec, {before})   a side panel (the review's Issues and Review panels)
//   addOverlay(overlay)        marks drawn over the annotations, clickable (review pins)
//   addAnnotationStyle(fn)     an outline tone, list badges and notes per annotation
//   setBanner(banner)          the persistent banner over the canvas (rework: "Sent back by…")
//   pointer()                  the image point under the mouse, or null
//   addHiddenTest(test)        annotations not drawn nor hit (the tasker's hide: aids.js)
//   addEditGuard(guard)        refuse an action on one annotation (the tasker's own lock)
//   addTool(spec)              a tool of the top bar's tool group (the Assist tool)
//   setHistory(source)         undo / redo of the kind's own (the segmentation ops), for the buttons
//   takeShapes(target)         shapes a tool makes (the Assist's) go to the kind, not the store
//   addBeforeDecide(step)      work done before a review decision waits for the saved ops
//                              (the segmentation page's snapshot: the decision reads the base)
//   setStartTool(name)         the tool the page opens on (a mask: the Brush, not Select)
//   hidePanel(id)              a built-in side panel that means nothing for the kind (a mask's
//                              Annotations list)
//   setReviewScope(scope)      "task": the review judges the task as a whole, no verdicts per
//                              annotation (a mask)
//
// This module holds the registries and is DOM-free (tests/js/workbench-hooks.test.mjs); what
// touches the page (the button, the layers) is the Workbench's, passed in as `effects`.

/**
 * A guard's answer: undefined lets the command run; anything else is the command's result
 * (true: handled, the key is consumed; false: it did nothing).
 * @typedef {(command: string, args: any[]) => any} CommandGuard
 */

/**
 * A key handler: true when it took the key (the Workbench then prevents the default). It is
 * called only in the idle mode, with the focus outside text fields and the label picker.
 * @typedef {(event: KeyboardEvent) => boolean} KeyHandler
 */

/** @typedef {[string, string]} HelpRow [keys as shown, what they do] */

/**
 * @typedef {{icon: string, title: string, text?: string, command: string, args?: any[],
 *   pressed?: boolean}} ToolbarButtonSpec icon: an SVG path in a 22 × 22 box
 */

/**
 * A panel of the side column (panels.js): mount(body, app) once, update(change) on every
 * store change.
 * @typedef {{id: string, title: string, mount: (body: HTMLElement, app: any) => void,
 *   update?: (change: any) => void, collapsed?: boolean, grow?: boolean} & Record<string, any>} PanelSpec
 */

/**
 * Marks over the annotations. draw(ctx, view): in CSS pixels of the canvas (the context's
 * transform maps them to device pixels; view.toScreen(p) places an image point); hit(point)
 * with `point` in image pixels: the id of the mark there, or null; onClick(id): a click on it
 * (the click goes no further).
 * @typedef {{draw: (ctx: CanvasRenderingContext2D, view: any) => void,
 *   hit?: (point: {x: number, y: number}) => any, onClick?: (id: any) => void}} Overlay
 */

/**
 * How an annotation looks beside its label colour: `tone` (one of TONES) outlines it, a
 * `badge` marks its row in the list, a `note` goes to its row's tooltip and the Attributes
 * panel. undefined: no change.
 * @typedef {{tone?: string, badge?: string, note?: string}} AnnotationStyle
 * @typedef {(annotation: any, meta: any) => AnnotationStyle | undefined} AnnotationStyler
 */

/** The outline tones, a small fixed palette (so the static layer still batches by colour). */
export const TONES = Object.freeze({
  accepted: "#22c55e",
  rejected: "#ef4444",
  revised: "#f59e0b",
  pending: "#a78bfa",
});

/** @typedef {{text: string, tone?: "info" | "warn" | "error"}} Banner */

/**
 * A tool an extension adds (tools.js is its contract): `tool.name` is its id (app.run("tool",
 * [name]) activates it); its button joins the tool group, titled `title (key)`; `hint` is the
 * status bar's hint while it is active.
 * @typedef {{tool: {name: string} & Record<string, any>, title: string, key: string,
 *   icon: string, text?: string, hint?: string}} ToolSpec
 */

/** What a review judges: each annotation (verdicts) or the task as a whole (a mask).
 * @typedef {"annotations" | "task"} ReviewScope */

/**
 * @typedef {{addToolbarButton: (spec: ToolbarButtonSpec) => HTMLButtonElement,
 *   setLayers: (shapes: any[]) => void,
 *   addPanel?: (spec: PanelSpec, options: {before?: string}) => PanelSpec,
 *   setBanner?: (banner: Banner | null) => void,
 *   pointer?: () => ({x: number, y: number} | null),
 *   addTool?: (spec: ToolSpec) => HTMLButtonElement,
 *   invalidate?: (what: "overlay" | "static") => void,
 *   refreshToolbar?: () => void,
 *   startTool?: (name: string) => void,
 *   hidePanel?: (id: string) => void}} HookEffects
 */

/**
 * Undo and redo kept by an extension instead of the store's OpLog (its commands take "undo"
 * and "redo" through a command guard); the toolbar's buttons ask it.
 * @typedef {{canUndo: () => boolean, canRedo: () => boolean}} HistorySource
 */

/**
 * Where a tool's finished shape goes when a kind takes them (hooks.takeShapes):
 * `geometries` as the task's `geometries` (the tools' choice of shape), `finish(shape)`
 * takes one shape ({type: "polygon", vertices} …).
 * @typedef {{geometries: Record<string, any>, finish: (shape: any) => void}} ShapeTarget
 */

export class WorkbenchHooks {
  /** @param {HookEffects} effects the Workbench's side of the page-changing hooks */
  constructor(effects) {
    this.effects = effects;
    /** @type {CommandGuard[]} */
    this.commandGuards = [];
    /** @type {KeyHandler[]} */
    this.keyHandlers = [];
    /** @type {Array<{title: string, rows: HelpRow[], first: boolean}>} */
    this.helpAdditions = [];
    /** @type {Array<{section: string, keys: string, row: HelpRow}>} */
    this.helpReplacements = [];
    /** Bumped by every help change: the overlay is rebuilt when it differs. */
    this.helpRevision = 0;
    /** @type {Map<string, (...args: any[]) => any>} */
    this.commands = new Map();
    /** @type {Overlay[]} */
    this.overlays = [];
    /** @type {AnnotationStyler[]} */
    this.stylers = [];
    /** @type {Array<(uuid: string) => boolean>} */
    this.hiddenTests = [];
    /** @type {Array<(action: string, uuid: string) => string>} */
    this.editGuards = [];
    /** @type {HistorySource | null} */
    this.history = null;
    /** @type {Array<() => (string | void | Promise<string | void>)>} */
    this.beforeDecideSteps = [];
    /** @type {ShapeTarget | null} */
    this.shapeTarget = null;
    /** @type {string | null} the tool the page opens on (null: Select) */
    this.startTool = null;
    /** @type {Set<string>} built-in panels hidden by the kind */
    this.hiddenPanels = new Set();
    /** @type {ReviewScope} */
    this.reviewScope = "annotations";
  }

  /**
   * The tool the page opens on instead of Select (a tool of the page's: the kind's own,
   * added with addTool first). The Workbench switches to it at once when it is idle.
   * @param {string} name
   */
  setStartTool(name) {
    this.startTool = name;
    this.effects.startTool?.(name);
  }

  /**
   * Hide a built-in side panel (its id: "annotations", "attributes", …) that means nothing
   * for the kind: a mask has no annotation list.
   * @param {string} id
   */
  hidePanel(id) {
    this.hiddenPanels.add(id);
    this.effects.hidePanel?.(id);
  }

  /**
   * What a review of this kind judges: "annotations" (a verdict each, the default) or "task"
   * (a mask: the decision is for the whole task, with pinned issues and the comment as its
   * reasons). The review controller, built after the kinds, reads it.
   * @param {ReviewScope} scope
   */
  setReviewScope(scope) {
    if (scope !== "annotations" && scope !== "task") throw new Error(`unknown review scope ${scope}`);
    this.reviewScope = scope;
  }

  /**
   * The kind takes the shapes a tool makes (the Assist tool's accepted polygon) instead of
   * the annotation store: the segmentation page paints them into its mask. `geometries`
   * replaces the task's for the tools that ask which shapes they may make.
   * @param {ShapeTarget} target
   */
  takeShapes(target) {
    this.shapeTarget = target;
  }

  /**
   * A step run before a review decision (review-controller.js) waits for every op to be
   * saved: it may send ops of its own (the segmentation page's seg.snapshot, since the
   * server decides on the draft's base mask). It returns (or resolves to) a refusal reason,
   * or nothing to let the decision go on.
   * @param {() => (string | void | Promise<string | void>)} step
   */
  addBeforeDecide(step) {
    this.beforeDecideSteps.push(step);
  }

  /**
   * Run the before-decide steps in the order added: the first refusal reason, or "".
   * A step that throws refuses with its message.
   * @returns {Promise<string>}
   */
  async beforeDecide() {
    for (const step of this.beforeDecideSteps) {
      try {
        const reason = await step();
        if (reason) return reason;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    }
    return "";
  }

  /**
   * The extension keeps undo and redo (the segmentation ops): the toolbar's buttons are
   * enabled by `source`; call it again (same source) after each change to refresh them.
   * @param {HistorySource} source
   */
  setHistory(source) {
    this.history = source;
    this.effects.refreshToolbar?.();
  }

  /**
   * Annotations the page does not draw and the pointer does not hit while `test(uuid)` is
   * true (the tasker's hide, aids.js). Call invalidate("static") when its answer changes.
   * @param {(uuid: string) => boolean} test
   */
  addHiddenTest(test) {
    this.hiddenTests.push(test);
    this.effects.invalidate?.("static");
  }

  get hasHiddenTests() {
    return this.hiddenTests.length > 0;
  }

  /** Is the annotation hidden by a registered test? @param {string} uuid */
  isHidden(uuid) {
    return this.hiddenTests.some((test) => test(uuid));
  }

  /**
   * A guard of the actions on one annotation (lib/locks.js ACTIONS but "add"): it returns
   * the reason it refuses, or "" to let the action through (app.can asks it after the
   * task's own locks allow the action).
   * @param {(action: string, uuid: string) => string} guard
   */
  addEditGuard(guard) {
    this.editGuards.push(guard);
  }

  /** The first guard's refusal reason, or "". @param {string} action @param {string} uuid */
  editRefusal(action, uuid) {
    for (const guard of this.editGuards) {
      const reason = guard(action, uuid);
      if (reason) return reason;
    }
    return "";
  }

  /**
   * A command of the extension: app.run(name, args) runs it (after the command guards), as
   * its keys and toolbar buttons do; fn(...args) returns as a command does (false: it did
   * nothing). The key map's own commands (commands.js) keep their names.
   * @param {string} name @param {(...args: any[]) => any} fn
   */
  addCommand(name, fn) {
    if (this.commands.has(name)) throw new Error(`command ${name} exists`);
    this.commands.set(name, fn);
  }

  /** @param {string} name @returns {((...args: any[]) => any) | undefined} */
  command(name) {
    return this.commands.get(name);
  }

  /**
   * A side panel, at the end of the column or before the panel whose id is `before`.
   * @param {PanelSpec} spec @param {{before?: string}} [options] @returns {PanelSpec}
   */
  addPanel(spec, options = {}) {
    if (!this.effects.addPanel) throw new Error("this workbench has no side panels");
    return this.effects.addPanel(spec, options);
  }

  /** @param {Overlay} overlay drawn in the order added, above the annotations */
  addOverlay(overlay) {
    this.overlays.push(overlay);
    this.effects.invalidate?.("overlay");
  }

  /** Draw every overlay (the renderer's overlay pass). @param {CanvasRenderingContext2D} ctx @param {any} view */
  drawOverlays(ctx, view) {
    for (const overlay of this.overlays) overlay.draw(ctx, view);
  }

  /**
   * The topmost overlay mark at an image point: {overlay, id}, or null.
   * @param {{x: number, y: number}} point @returns {{overlay: Overlay, id: any} | null}
   */
  overlayAt(point) {
    for (let i = this.overlays.length - 1; i >= 0; i--) {
      const overlay = this.overlays[i];
      const id = overlay.hit ? overlay.hit(point) : null;
      if (id !== null && id !== undefined) return { overlay, id };
    }
    return null;
  }

  /**
   * A click at an image point: true when an overlay mark took it.
   * @param {{x: number, y: number}} point @returns {boolean}
   */
  clickOverlay(point) {
    const found = this.overlayAt(point);
    if (!found) return false;
    found.overlay.onClick?.(found.id);
    return true;
  }

  /** @param {AnnotationStyler} styler asked for every annotation drawn or listed */
  addAnnotationStyle(styler) {
    this.stylers.push(styler);
    this.effects.invalidate?.("static");
  }

  get hasStyles() {
    return this.stylers.length > 0;
  }

  /**
   * The styles of an annotation: the first tone given, every badge and note.
   * @param {any} annotation @param {any} meta
   * @returns {{tone: string | null, badges: string[], notes: string[]}}
   */
  styleOf(annotation, meta) {
    /** @type {{tone: string | null, badges: string[], notes: string[]}} */
    const style = { tone: null, badges: [], notes: [] };
    for (const styler of this.stylers) {
      const one = styler(annotation, meta);
      if (!one) continue;
      if (one.tone && !style.tone && Object.hasOwn(TONES, one.tone)) style.tone = one.tone;
      if (one.badge) style.badges.push(one.badge);
      if (one.note) style.notes.push(one.note);
    }
    return style;
  }

  /** The persistent banner over the canvas; null takes it away. @param {Banner | null} banner */
  setBanner(banner) {
    this.effects.setBanner?.(banner && banner.text ? banner : null);
  }

  /** The image point (px) under the mouse while it is over the canvas, else null. */
  pointer() {
    return this.effects.pointer ? this.effects.pointer() : null;
  }

  /**
   * A tool beside the workbench's own (tools.js): its button joins the tool group, and
   * app.run("tool", [spec.tool.name]) activates it. Returns its button.
   * @param {ToolSpec} spec @returns {HTMLButtonElement}
   */
  addTool(spec) {
    if (!this.effects.addTool) throw new Error("this workbench takes no tools");
    if (!spec.tool?.name) throw new Error("a tool needs a name");
    return this.effects.addTool(spec);
  }

  /** @param {CommandGuard} guard guards run in the order they were added */
  addCommandGuard(guard) {
    this.commandGuards.push(guard);
  }

  /**
   * The first guard's answer that is not undefined (undefined: run the command).
   * @param {string} command @param {any[]} args @returns {any}
   */
  guardCommand(command, args) {
    for (const guard of this.commandGuards) {
      const answer = guard(command, args);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** @param {KeyHandler} handler handlers run in the order they were added */
  addKeyHandler(handler) {
    this.keyHandlers.push(handler);
  }

  /** Did a handler take the key? @param {KeyboardEvent} event @returns {boolean} */
  handleKey(event) {
    return this.keyHandlers.some((handler) => handler(event));
  }

  /**
   * Rows of the help overlay under `title` (appended to a section of that name if there is
   * one); `first` puts a new section before the others.
   * @param {string} title @param {HelpRow[]} rows @param {{first?: boolean}} [options]
   */
  addHelpSection(title, rows, { first = false } = {}) {
    this.helpAdditions.push({ title, rows, first });
    this.helpRevision += 1;
  }

  /**
   * Reword the row of `section` whose keys read `keys` (e.g. when a kind takes some of them):
   * a row of keyboard.js or one an extension added, whenever it is added.
   * @param {string} section @param {string} keys @param {HelpRow} row
   */
  replaceHelpRow(section, keys, row) {
    this.helpReplacements.push({ section, keys, row });
    this.helpRevision += 1;
  }

  /**
   * The help overlay's sections: the workbench's own (keyboard.js helpSections) with the
   * registered rows.
   * @param {Map<string, HelpRow[]>} base @returns {Map<string, HelpRow[]>}
   */
  helpSections(base) {
    const sections = new Map([...base].map(([title, rows]) => [title, [...rows]]));
    const firsts = new Map();
    for (const { title, rows, first } of this.helpAdditions) {
      const target = sections.get(title) || firsts.get(title);
      if (target) target.push(...rows);
      else if (first) firsts.set(title, [...rows]);
      else sections.set(title, [...rows]);
    }
    const merged = new Map([...firsts, ...sections]);
    // after the additions: a kind may reword a row another extension added (the Assist's)
    for (const { section, keys, row } of this.helpReplacements) {
      const rows = merged.get(section);
      const index = rows ? rows.findIndex(([k]) => k === keys) : -1;
      if (rows && index >= 0) rows[index] = row;
    }
    return merged;
  }

  /** @param {ToolbarButtonSpec} spec @returns {HTMLButtonElement} */
  addToolbarButton(spec) {
    return this.effects.addToolbarButton(spec);
  }

  /**
   * The read-only layer shapes to draw now (dimmed, never hit), each with its `type`; the
   * first call adds the layers button and makes H toggle them, even when `shapes` is empty
   * (a video's frame may have none).
   * @param {any[]} shapes
   */
  setLayers(shapes) {
    this.effects.setLayers(shapes);
  }
}
