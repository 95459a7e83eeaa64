// The Assist tool's place in the workbench (docs/workbench.md, "Assist"): built by the
// Workbench (app.js) when the task can use it, and joined to it through app.hooks (hooks.js)
// only: the tool and its button (addTool), its keys (addKeyHandler), the snap command
// (addCommand) and the `?` rows (addHelpSection). The tool itself is tool-assist.js, its
// pure logic lib/assist.js.

import { assistGeometry, MODE_NAMES } from "../lib/assist.js";
import { match } from "./keyboard.js";
import { AssistTool } from "./tool-assist.js";

/**
 * The keys, free in the key map, the aids, the video and the review pages (tests/js/assist.test.mjs).
 * @type {import("./keyboard.js").Binding[]}
 */
export const ASSIST_BINDINGS = [
  { combo: "w", command: "assistTool", help: ["Assist", "W", "Assist: drag a box round the object; W again: next mode"] },
  { combo: "shift+w", command: "assistSnap", help: ["Assist", "Shift+W", "Snap the selected polygon to the image's edges"] },
];

/** The keys of the modes' row (a kind whose number keys mean more rewords it, hooks.replaceHelpRow). */
export const ASSIST_MODE_KEYS = "1 / 2 / 3";

/** Rows of the `?` overlay for the tool's mouse input and its own keys (kept short: the
 * overlay fits a 1600 × 900 screen, tests/browser/test_small_screens.py). */
export const ASSIST_HELP = [
  [ASSIST_MODE_KEYS, `Modes: ${MODE_NAMES.box}, ${MODE_NAMES.region} ([ ] tolerance), ${MODE_NAMES.scissors}`],
  ["Alt+click, right-click", "Negative point (not the object)"],
  ["Enter / Esc", "Accept the preview / discard it (Backspace: last point)"],
];

const ICON = "M4 18L13 9M13 9l2-5 1 4 4 1-5 2zM6 5v3M4.5 6.5h3M17 15v3M15.5 16.5h3";

export class Assist {
  /**
   * Does this page offer the tool? An editable image task with polygons or boxes.
   * @param {any} app the Workbench
   */
  static offered(app) {
    return !app.readOnly && !app.data.video && assistGeometry(geometriesOf(app)) !== null;
  }

  /** @param {any} app the Workbench */
  constructor(app) {
    this.app = app;
    const geometry = /** @type {"polygon" | "box"} */ (assistGeometry(geometriesOf(app)));
    this.tool = new AssistTool(app, { url: assistUrl(app), geometry });
    app.root.dataset.assist = "idle";
    const hooks = app.hooks;
    hooks.addTool({
      tool: this.tool, title: "Assist", key: "W", icon: ICON,
      hint: "Drag a box · click + · Alt/right-click − · W next mode · Enter accepts · Esc discards",
    });
    hooks.addCommand("assistTool", () => this.toolKey());
    hooks.addCommand("assistSnap", () => this.snapSelected());
    hooks.addKeyHandler((event) => {
      const binding = match(event, ASSIST_BINDINGS);
      if (!binding) return false;
      return app.run(binding.command, binding.args || []) !== false;
    });
    const rows = [...ASSIST_BINDINGS.map((b) => [b.help?.[1], b.help?.[2]]), ...ASSIST_HELP];
    hooks.addHelpSection("Assist", /** @type {any} */ (rows));
  }

  /** W: the Assist tool; pressed again while it is active, its next mode. */
  toolKey() {
    const app = this.app;
    if (app.mode !== "idle") return true;
    if (app.tool !== this.tool) return app.run("tool", ["assist"]);
    this.tool.setMode(this.tool.session.nextMode());
    return true;
  }

  /** Shift+W: the selected polygon, snapped to the image's edges, previewed by the tool. */
  snapSelected() {
    const app = this.app;
    if (app.mode !== "idle") return true;
    const uuid = app.store.selected;
    const a = uuid ? app.store.get(uuid) : null;
    if (!a || a.type !== "polygon") {
      app.refuse("Select one polygon to snap it to the image's edges");
      return true;
    }
    if (!app.refuseUnless("edit_geometry", uuid)) return true;
    if (app.tool !== this.tool) app.run("tool", ["assist"]);
    if (app.tool === this.tool) this.tool.snap(uuid);
    return true;
  }
}

/** POST /tasks/<id>/assist, beside GET /tasks/<id>/data (the page's data-data-url). */
function assistUrl(app) {
  const data = app.root.dataset.dataUrl || "";
  return data.replace(/\/data\/?$/, "/assist");
}

/**
 * The geometries the Assist may answer with: a kind's that takes the shapes (a mask:
 * polygons, hooks.takeShapes), else the task's. @param {any} app
 */
function geometriesOf(app) {
  return app.hooks.shapeTarget ? app.hooks.shapeTarget.geometries : app.geometries;
}
