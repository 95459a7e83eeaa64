// The Workbench's extension points (static/js/workbench/hooks.js) and the rule that goes with
// them: nothing outside app.js replaces a Workbench method or a field the hooks own
// (docs/workbench.md, "Extending the workbench").
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { TONES, WorkbenchHooks } from "../../static/js/workbench/hooks.js";
import { BINDINGS, EXTRA_HELP, helpSections } from "../../static/js/workbench/keyboard.js";
import { addVideoHelp, VIDEO_BINDINGS } from "../../static/js/workbench/video-keys.js";

const STATIC_JS = fileURLToPath(new URL("../../static/js/", import.meta.url));
const APP_JS = join(STATIC_JS, "workbench", "app.js");

function noEffects() {
  return { addToolbarButton: () => assert.fail("no button expected"), setLayers: () => assert.fail("no layers expected") };
}

test("command guards run in order; the first answer that is not undefined wins", () => {
  const hooks = new WorkbenchHooks(noEffects());
  const seen = [];
  hooks.addCommandGuard((command) => {
    seen.push(`a:${command}`);
    return command === "copy" ? true : undefined;
  });
  hooks.addCommandGuard((command, args) => {
    seen.push(`b:${command}:${args.join(",")}`);
    return command === "submit" ? false : undefined;
  });
  assert.equal(hooks.guardCommand("copy", []), true);
  assert.equal(hooks.guardCommand("submit", []), false);
  assert.equal(hooks.guardCommand("nudge", [1, 0]), undefined);
  assert.deepEqual(seen, ["a:copy", "a:submit", "b:submit:", "a:nudge", "b:nudge:1,0"]);
});

test("a key goes to the handlers until one takes it", () => {
  const hooks = new WorkbenchHooks(noEffects());
  assert.equal(hooks.handleKey({ key: "k" }), false);
  const got = [];
  hooks.addKeyHandler((event) => got.push(`1:${event.key}`) && event.key === "k");
  hooks.addKeyHandler((event) => got.push(`2:${event.key}`) && event.key === "j");
  assert.equal(hooks.handleKey({ key: "k" }), true);
  assert.equal(hooks.handleKey({ key: "j" }), true);
  assert.equal(hooks.handleKey({ key: "x" }), false);
  assert.deepEqual(got, ["1:k", "1:j", "2:j", "1:x", "2:x"]);
});

test("help sections: added first or last, appended to a section of the same name, rows reworded", () => {
  const hooks = new WorkbenchHooks(noEffects());
  const base = new Map([["Tools", [["V", "Select"]]], ["View", [["F", "Fit"], ["H", "Layers"]]]]);
  const revision = hooks.helpRevision;
  hooks.addHelpSection("Video", [["K", "Play"]], { first: true });
  hooks.addHelpSection("View", [["Wheel", "Zoom"]]);
  hooks.addHelpSection("Extra", [["X", "Something"]]);
  hooks.addHelpSection("Video", [["Timeline", "Seek"]]);
  hooks.replaceHelpRow("View", "F", ["F, Home", "Fit"]);
  hooks.replaceHelpRow("View", "no such keys", ["?", "ignored"]);
  assert.ok(hooks.helpRevision > revision, "a help change bumps the revision (the overlay is rebuilt)");
  const sections = hooks.helpSections(base);
  assert.deepEqual([...sections.keys()], ["Video", "Tools", "View", "Extra"]);
  assert.deepEqual(sections.get("Video"), [["K", "Play"], ["Timeline", "Seek"]]);
  assert.deepEqual(sections.get("View"), [["F, Home", "Fit"], ["H", "Layers"], ["Wheel", "Zoom"]]);
  assert.deepEqual(base.get("View"), [["F", "Fit"], ["H", "Layers"]], "the base sections are not changed");
});

test("the video help: its section first, the nudge rows say that ← → step frames", () => {
  const hooks = new WorkbenchHooks(noEffects());
  addVideoHelp(hooks);
  const sections = hooks.helpSections(helpSections());
  assert.equal([...sections.keys()][0], "Video");
  const video = sections.get("Video").map(([keys]) => keys);
  for (const b of VIDEO_BINDINGS) if (b.help) assert.ok(video.includes(b.help[1]), `${b.help[1]} listed`);
  assert.ok(video.includes("Click or drag the timeline"));
  const editing = new Map(sections.get("Editing"));
  assert.equal(editing.get("↑ ↓"), "Nudge the selection 1 px (← → step frames)");
  assert.equal(editing.get("Shift+↑ ↓"), "Nudge the selection 10 px");
  assert.ok(!editing.has("← ↑ → ↓") && !editing.has("Shift+← ↑ → ↓"));
  // every other row of the image help is still there
  const image = helpSections(BINDINGS, EXTRA_HELP);
  for (const [section, rows] of image) {
    if (section === "Editing") continue;
    assert.deepEqual(sections.get(section), rows, section);
  }
});

test("the page-changing hooks go to the Workbench's effects", () => {
  const calls = [];
  const button = { fake: "button" };
  const hooks = new WorkbenchHooks({
    addToolbarButton: (spec) => calls.push(["button", spec.command]) && button,
    setLayers: (shapes) => calls.push(["layers", shapes.length]),
  });
  assert.equal(hooks.addToolbarButton({ icon: "M0 0", title: "T", command: "fit" }), button);
  hooks.setLayers([{ type: "box" }, { type: "point" }]);
  hooks.setLayers([]);
  assert.deepEqual(calls, [["button", "fit"], ["layers", 2], ["layers", 0]]);
});

test("an extension's own undo history goes to the Workbench's toolbar", () => {
  const calls = [];
  const hooks = new WorkbenchHooks({
    addToolbarButton: () => null,
    setLayers: () => {},
    refreshToolbar: () => calls.push(["refresh"]),
  });
  assert.equal(hooks.history, null, "no extension history: the store's OpLog");
  let undoable = false;
  hooks.setHistory({ canUndo: () => undoable, canRedo: () => false });
  undoable = true;
  assert.equal(hooks.history.canUndo(), true);
  assert.deepEqual(calls, [["refresh"]]);
});

test("before-decide steps run in order, awaited; the first refusal (or throw) stops them", async () => {
  const hooks = new WorkbenchHooks(noEffects());
  assert.equal(await hooks.beforeDecide(), "", "no step: nothing to refuse");
  const seen = [];
  hooks.addBeforeDecide(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    seen.push("snapshot");
  });
  hooks.addBeforeDecide(() => {
    seen.push("check");
    return seen.length > 2 ? "still encoding" : undefined;
  });
  assert.equal(await hooks.beforeDecide(), "");
  assert.deepEqual(seen, ["snapshot", "check"], "the async step finished before the next ran");
  assert.equal(await hooks.beforeDecide(), "still encoding");
  hooks.beforeDecideSteps.unshift(() => {
    throw new Error("the PNG could not be made");
  });
  assert.equal(await hooks.beforeDecide(), "the PNG could not be made");
});

test("review hooks: commands, panels, overlays, annotation styles, the banner and the pointer", () => {
  const calls = [];
  const hooks = new WorkbenchHooks({
    addToolbarButton: () => assert.fail("no button expected"),
    setLayers: () => assert.fail("no layers expected"),
    addPanel: (spec, options) => calls.push(["panel", spec.id, options.before]) && spec,
    setBanner: (banner) => calls.push(["banner", banner && banner.text]),
    pointer: () => ({ x: 3, y: 4 }),
    invalidate: (what) => calls.push(["invalidate", what]),
  });
  hooks.addCommand("reviewAccept", (n) => n * 2);
  assert.equal(hooks.command("reviewAccept")(21), 42);
  assert.equal(hooks.command("nothing"), undefined);
  assert.throws(() => hooks.addCommand("reviewAccept", () => 0), /exists/);
  const panel = { id: "issues", title: "Issues", mount() {} };
  assert.equal(hooks.addPanel(panel, { before: "annotations" }), panel);
  // overlays: the topmost mark under a point takes the click
  const clicked = [];
  hooks.addOverlay({ draw: () => calls.push(["draw", 1]), hit: (p) => (p.x < 10 ? "low" : null), onClick: (id) => clicked.push(`a:${id}`) });
  hooks.addOverlay({ draw: () => calls.push(["draw", 2]), hit: (p) => (p.x < 5 ? "top" : null), onClick: (id) => clicked.push(`b:${id}`) });
  hooks.drawOverlays(/** @type {any} */ ({}), {});
  assert.equal(hooks.clickOverlay({ x: 1, y: 0 }), true);
  assert.equal(hooks.clickOverlay({ x: 7, y: 0 }), true);
  assert.equal(hooks.clickOverlay({ x: 70, y: 0 }), false);
  assert.deepEqual(clicked, ["b:top", "a:low"]);
  // styles: the first known tone, every badge and note
  assert.equal(hooks.hasStyles, false);
  hooks.addAnnotationStyle((a) => (a.uuid === "r" ? { tone: "rejected", badge: "rejected", note: "Rejected: van" } : undefined));
  hooks.addAnnotationStyle((a) => ({ tone: "no-such-tone", badge: a.uuid === "r" ? "issue" : undefined }));
  assert.equal(hooks.hasStyles, true);
  assert.deepEqual(hooks.styleOf({ uuid: "r" }, {}), { tone: "rejected", badges: ["rejected", "issue"], notes: ["Rejected: van"] });
  assert.deepEqual(hooks.styleOf({ uuid: "a" }, {}), { tone: null, badges: [], notes: [] });
  assert.ok(TONES.rejected && TONES.accepted);
  hooks.setBanner({ text: "Sent back by rev1: fix it", tone: "warn" });
  hooks.setBanner({ text: "" });
  assert.deepEqual(hooks.pointer(), { x: 3, y: 4 });
  assert.deepEqual(calls, [
    ["panel", "issues", "annotations"], ["invalidate", "overlay"], ["invalidate", "overlay"],
    ["draw", 1], ["draw", 2], ["invalidate", "static"], ["invalidate", "static"],
    ["banner", "Sent back by rev1: fix it"], ["banner", null],
  ]);
  assert.equal(new WorkbenchHooks(noEffects()).pointer(), null, "no pointer effect: no point");
});

/** The Workbench's methods and getters, read from the class in app.js. */
function workbenchMembers() {
  const source = readFileSync(APP_JS, "utf8");
  const body = source.slice(source.indexOf("export class Workbench"), source.indexOf("\n}\n", source.indexOf("export class Workbench")));
  const names = new Set();
  for (const m of body.matchAll(/^ {2}(?:async |get |set |static )?(#?\w+)\s*\([^)]*\)\s*\{/gm)) names.add(m[1]);
  return names;
}

/** Fields the hooks own: set only by app.js (hooks.setLayers, the help overlay). */
const HOOK_FIELDS = ["hooks", "help", "layers", "layerIndex", "hasLayers", "layersButton", "tools", "toolHints"];

const ASSIGNMENT = /\b(?:app|workbench)\s*(?:\.\s*(\w+)|\[\s*["'`](\w+)["'`]\s*\])\s*(?:=(?!=)|[-+*/|&?]{1,2}=)/g;
const WHOLESALE = /Workbench\.prototype|Object\.(?:assign|defineProperty|defineProperties|setPrototypeOf)\(\s*(?:this\.)?app\b/g;

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

/** `file:line: text` of each place that replaces a protected member of the Workbench. */
function patches(source, file, protectedNames) {
  const found = [];
  source.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(ASSIGNMENT)) {
      const name = m[1] || m[2];
      if (protectedNames.has(name)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    }
    for (const _ of line.matchAll(WHOLESALE)) found.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

test("the method list is read from app.js", () => {
  const members = workbenchMembers();
  for (const name of ["run", "openHelp", "closeHelp", "setTool", "can", "status", "helpOverlay"]) {
    assert.ok(members.has(name), `${name} found among ${[...members].join(", ")}`);
  }
});

test("the patch finder sees the forms it looks for", () => {
  const names = new Set(["run", "help", "layers"]);
  const sample = [
    "app.run = (command) => run(command);",
    "this.app.help = new HelpOverlay();",
    'app["layers"] = [];',
    "app.layers ||= [];",
    "Object.assign(app, { run() {} });",
    "Workbench.prototype.run = function () {};",
    "if (app.run === other) x();",
    "app.mode = 'idle';",
  ].join("\n");
  assert.equal(patches(sample, "sample.js", names).length, 6);
});

test("nothing outside app.js replaces a Workbench method or a hook-owned field", () => {
  const names = new Set([...workbenchMembers(), ...HOOK_FIELDS]);
  const found = [];
  for (const file of jsFiles(STATIC_JS)) {
    if (file === APP_JS) continue;
    found.push(...patches(readFileSync(file, "utf8"), relative(STATIC_JS, file), names));
  }
  assert.deepEqual(found, [], "extend the Workbench through app.hooks (hooks.js) instead");
});

test("hidden tests and edit guards: any test hides, the first guard's reason refuses", () => {
  const invalidated = [];
  const hooks = new WorkbenchHooks({ addToolbarButton: () => null, setLayers: () => {}, invalidate: (what) => invalidated.push(what) });
  assert.equal(hooks.hasHiddenTests, false);
  assert.equal(hooks.isHidden("a"), false);
  hooks.addHiddenTest((uuid) => uuid === "a");
  hooks.addHiddenTest((uuid) => uuid === "b");
  assert.equal(hooks.hasHiddenTests, true);
  assert.deepEqual(["a", "b", "c"].map((u) => hooks.isHidden(u)), [true, true, false]);
  assert.deepEqual(invalidated, ["static", "static"]);
  assert.equal(hooks.editRefusal("move", "a"), "");
  hooks.addEditGuard((action, uuid) => (uuid === "a" ? "mine" : ""));
  hooks.addEditGuard((action) => (action === "delete" ? "never" : ""));
  assert.equal(hooks.editRefusal("move", "a"), "mine");
  assert.equal(hooks.editRefusal("delete", "a"), "mine");
  assert.equal(hooks.editRefusal("delete", "b"), "never");
  assert.equal(hooks.editRefusal("move", "b"), "");
});

test("addTool hands the tool to the Workbench and returns its button; a nameless tool is refused", () => {
  const added = [];
  const hooks = new WorkbenchHooks({ ...noEffects(), addTool: (spec) => (added.push(spec.tool.name), "button") });
  const spec = { tool: { name: "assist" }, title: "Assist", key: "W", icon: "M0 0" };
  assert.equal(hooks.addTool(spec), "button");
  assert.deepEqual(added, ["assist"]);
  assert.throws(() => hooks.addTool({ ...spec, tool: /** @type {any} */ ({}) }), /needs a name/);
  assert.throws(() => new WorkbenchHooks(noEffects()).addTool(spec), /takes no tools/);
});

test("a kind sets the starting tool, hides a built-in panel and the review's scope", () => {
  const seen = [];
  const hooks = new WorkbenchHooks({ ...noEffects(), startTool: (name) => seen.push(`tool:${name}`), hidePanel: (id) => seen.push(`hide:${id}`) });
  assert.equal(hooks.startTool, null);
  assert.equal(hooks.reviewScope, "annotations");
  hooks.setStartTool("brush");
  hooks.hidePanel("annotations");
  hooks.setReviewScope("task");
  assert.deepEqual(seen, ["tool:brush", "hide:annotations"]);
  assert.equal(hooks.startTool, "brush");
  assert.ok(hooks.hiddenPanels.has("annotations"));
  assert.equal(hooks.reviewScope, "task");
  assert.throws(() => hooks.setReviewScope("labels"), /unknown review scope/);
});

test("a row another extension added can be reworded, whichever was registered first", () => {
  const hooks = new WorkbenchHooks(noEffects());
  hooks.replaceHelpRow("Assist", "1 / 2 / 3", ["W again", "Next mode (1–9 pick labels here)"]);
  hooks.addHelpSection("Assist", [["W", "Assist"], ["1 / 2 / 3", "Modes"]]);
  const rows = hooks.helpSections(new Map()).get("Assist");
  assert.deepEqual(rows, [["W", "Assist"], ["W again", "Next mode (1–9 pick labels here)"]]);
});
