// The commands of the key map (keyboard.js) and the toolbar: each takes the app and returns
// false when it did nothing, so that the key keeps its usual meaning (Tab moves the focus,
// arrows scroll…). Submit lives here too: its body is the model, as held.

import { clone, deleteOp, diff } from "../lib/oplog.js";
import { redoneText, undoneText } from "../lib/undotext.js";
import { linkedTo, pruneAttributes, pruneGlobals, settleAttributes, shownAttributes } from "../lib/attributes.js";
import { pruneLinks } from "../lib/links.js";
import { newUuid } from "../lib/annotationstore.js";
import { submitTask } from "./api.js";
import { commandTurn, moveShape } from "./cuboid-3d.js";

const PASTE_OFFSET = 10; // px, more at each paste of the same copy

function commandTool(app, name) {
  if (app.mode !== "idle") return true;
  if (!app.tools[name]) {
    app.refuse(app.readOnly ? "This is a read-only view" : `This task does not ask for ${plural(name)}`);
    return true;
  }
  app.setTool(name);
  return true;
}

function commandEscape(app) {
  if (app.tool.cancel()) {
    app.status("Cancelled");
    return true;
  }
  if (app.store.selection.size) {
    app.select([]);
    return true;
  }
  return false;
}

function commandUndo(app) {
  if (app.readOnly) return app.refuse("This is a read-only view"), true;
  if (app.mode !== "idle") return true;
  if (app.tool.busy) {
    app.tool.cancel();
    app.status("Dropped the shape being drawn");
    return true;
  }
  const op = app.store.undo();
  app.lastEdit = "";
  app.status(op ? undoneText(op) : "Nothing to undo");
  return true;
}

function commandRedo(app) {
  if (app.readOnly) return app.refuse("This is a read-only view"), true;
  if (app.mode !== "idle" || app.tool.busy) return true;
  const op = app.store.redo();
  app.lastEdit = "";
  app.status(op ? redoneText(op) : "Nothing to redo");
  return true;
}

function commandDelete(app) {
  const uuids = [...app.store.selection];
  if (!uuids.length) return false;
  for (const uuid of uuids) if (!app.refuseUnless("delete", uuid)) return true;
  const gone = new Set(uuids);
  const ops = uuids.map((uuid) => deleteOp(app.store.model, uuid));
  // linked attributes that pointed at a deleted annotation lose their value (in the same
  // step); an annotation whose attributes may not change keeps its targets alive
  const defs = app.attributeDefs;
  for (const [uuid, a] of app.store.model) {
    if (gone.has(uuid) || !a.attributes) continue;
    const stale = linkedTo(defs, a, gone);
    if (!stale.length) continue;
    const verdict = app.can("edit_attributes", uuid);
    if (!verdict.allowed) {
      app.refuse(`Cannot delete: ${app.describe(uuid)} points at it (${stale.join(", ")}) and cannot change. ${verdict.reason}`);
      return true;
    }
    const wasShown = new Set(shownAttributes(defs, a));
    const values = { ...a.attributes };
    for (const id of stale) delete values[id];
    ops.push(diff(a, { ...a, attributes: settleAttributes(defs, { ...a, attributes: values }, wasShown) }));
  }
  // and the links to or from it go with it
  for (const link of app.store.links) {
    if (gone.has(link.from) || gone.has(link.to)) ops.push({ op: "link_delete", link: { ...link } });
  }
  app.store.seal();
  app.store.apply(ops.length === 1 ? ops[0] : { op: "batch", ops });
  app.lastEdit = "";
  app.setHover(null);
  app.status(uuids.length === 1 ? "Annotation deleted" : `${uuids.length} annotations deleted`);
  return true;
}

async function commandRelabel(app) {
  const uuid = app.store.selected;
  if (!uuid) return false;
  if (!app.refuseUnless("relabel", uuid)) return true;
  const a = app.store.get(uuid);
  const tree = app.trees[a.type] || [];
  if (!tree.length) {
    app.refuse(`The ${a.type} geometry has no labels`);
    return true;
  }
  const choice = await app.askLabel(a.type, a.label ?? null, a, `Label of the selected ${a.type}`);
  if (choice === null || choice === a.label) return true;
  const current = app.store.get(uuid);
  if (!current) return true;
  const next = { ...current, label: choice, attributes: app.relabelAttributes(current, choice) };
  app.commitEdits([[uuid, next]]);
  app.useRecent(a.type, choice);
  app.status(`Label changed to “${app.labelPath(next)}”`);
  return true;
}

function commandCopy(app) {
  if (window.getSelection && String(window.getSelection()).length) return false; // copying text
  const uuids = [...app.store.selection];
  if (!uuids.length) return false;
  app.clipboard = uuids.map((uuid) => clone(app.store.get(uuid)));
  app.pasteCount = 0;
  app.status(uuids.length === 1 ? "Copied 1 annotation" : `Copied ${uuids.length} annotations`);
  return true;
}

function commandPaste(app) {
  if (!app.clipboard.length) {
    app.status("Nothing to paste: copy a selection first (Ctrl+C)");
    return true;
  }
  if (!app.refuseUnless("add")) return true;
  for (const a of app.clipboard) {
    if (!(a.type in app.geometries)) {
      app.refuse(`This task does not ask for ${plural(a.type)}`);
      return true;
    }
  }
  app.pasteCount += 1;
  const offset = PASTE_OFFSET * app.pasteCount;
  const added = app.clipboard.map((a) => app.finalize({ ...moveShape(app, clone(a), offset, offset), uuid: newUuid() }));
  app.store.seal();
  const ops = added.map((annotation) => ({ op: "add", annotation }));
  app.store.apply(ops.length === 1 ? ops[0] : { op: "batch", ops });
  app.lastEdit = "";
  app.select(added.map((a) => a.uuid));
  app.status(added.length === 1 ? "Pasted 1 annotation" : `Pasted ${added.length} annotations`);
  return true;
}

function commandNudge(app, dx, dy) {
  const uuids = [...app.store.selection];
  if (!uuids.length) return false;
  if (app.tool.busy) return true;
  for (const uuid of uuids) if (!app.refuseUnless("move", uuid)) return true;
  const edits = uuids.map((uuid) => [uuid, app.finalize(moveShape(app, app.store.get(uuid), dx, dy))]);
  app.commitEdits(edits, { merge: true, kind: `nudge:${uuids.join(",")}` });
  return true;
}

function commandSelectStep(app, step) {
  const all = app.store.uuids();
  if (!all.length) return false;
  const current = app.store.selected;
  const index = current ? all.indexOf(current) : -1;
  // past either end: clear the selection and let Tab move the focus on (no keyboard trap)
  if ((step > 0 && index === all.length - 1) || (step < 0 && index === 0)) {
    app.select([]);
    return false;
  }
  const next = index < 0 ? (step > 0 ? all[0] : all[all.length - 1]) : all[index + step];
  app.select([next]);
  app.reveal(next);
  const a = app.store.get(next);
  app.status(`${index < 0 ? (step > 0 ? 1 : all.length) : index + step + 1} of ${all.length}: ${a.type}${app.labelPath(a) ? ` “${app.labelPath(a)}”` : ""}`);
  return true;
}

function commandZoom(app, factor) {
  if (app.view.zoomCentre(factor)) app.viewChanged();
  return true;
}

function commandToggleLayers(app) {
  if (!app.hasLayers) {
    app.status("This task has no read-only layers");
    return true;
  }
  return flipLayers(app);
}

/** Show the read-only layers if hidden, else hide them; the button and status follow. */
function flipLayers(app) {
  app.layersVisible = !app.layersVisible;
  app.layersButton?.setAttribute("aria-pressed", app.layersVisible ? "true" : "false");
  app.layersButton?.classList.toggle("active", app.layersVisible);
  app.status(app.layersVisible ? "Layers shown" : "Layers hidden (H shows them)");
  app.invalidate("static");
  return true;
}

/**
 * The body of POST /tasks/<id>/submit: the annotations as held, each without the values of
 * attributes it does not show (those of annotations the tasker may not change are sent as
 * loaded), the global attributes shown, and the links whose both ends exist.
 */
export function responseBody(app) {
  const defs = app.attributeDefs;
  const annotations = app.store.responseAnnotations().map((a) => (
    app.canEditAttributes(a.uuid) ? { ...a, attributes: pruneAttributes(defs, a) } : a));
  const body = { annotations };
  const globals = app.store.globals;
  if (app.hasGlobals || Object.keys(globals).length) body.global_attributes = clone(pruneGlobals(defs, globals));
  const links = app.store.links;
  if (Object.keys(app.linkDefs).length || links.length) body.links = clone(pruneLinks(links, app.store.model));
  return body;
}

/**
 * What must be fixed before a submit: the first annotation (in list order) with a missing
 * required or invalid attribute, else the global attributes'; null when nothing.
 */
export function submitBlocker(app) {
  for (const uuid of app.store.uuids()) {
    const problems = app.problemsOf(uuid);
    if (problems.length) return { uuid, problems };
  }
  const problems = app.globalProblems();
  return problems.length ? { uuid: null, problems } : null;
}

function showBlocker(app, blocker) {
  const what = blocker.problems.map((p) => `${p.id} ${p.reason}`).join("; ");
  let message;
  if (blocker.uuid) {
    message = `Not submitted: ${app.describe(blocker.uuid)}: ${what}`;
  } else {
    message = `Not submitted: global attributes: ${what}`;
    app.root.querySelector(".wb-panel-globals")?.scrollIntoView({ block: "nearest" });
  }
  app.status(message, "error");
  app.showBanner(message);
  if (blocker.uuid) {  // selected and panned into view below the banner
    app.setTool("select");
    app.select([blocker.uuid]);
    app.reveal(blocker.uuid, coveredTop(app));
  }
  app.root.dataset.submitError = what;
}

async function commandSubmit(app) {
  if (app.readOnly) {
    app.refuse("This is a read-only view: there is nothing to submit");
    return true;
  }
  if (app.editBlock) return app.refuse(app.editBlock), true;
  if (app.mode !== "idle") return true;
  if (app.tool.busy) {
    app.refuse("Finish the shape being drawn (Enter) or drop it (Esc) first");
    return true;
  }
  const blocker = submitBlocker(app);
  if (blocker) {
    showBlocker(app, blocker);
    return true;
  }
  app.mode = "submitting";
  app.submitButton.disabled = true;
  app.root.dataset.submitting = "true";
  app.status("Submitting…");
  // with a live session the server's draft is submitted, once every edit was answered
  const result = app.autosave ? await app.autosave.submit(responseBody(app))
    : await submitTask(app.urls.submit, responseBody(app));
  app.mode = "idle";
  app.submitButton.disabled = false;
  delete app.root.dataset.submitting;
  if (result.ok) {
    app.leaving = true;
    app.status(`${submittedText(result.outcome)} Opening the next task…`);
    app.root.dataset.submitted = "true";
    window.location.assign(result.nextUrl);
    return true;
  }
  showSubmitError(app, result);
  return true;
}

/** Canvas pixels the banners over the canvas cover at its top. */
function coveredTop(app) {
  const canvas = app.canvas?.getBoundingClientRect?.();
  if (!canvas) return 0;
  let bottom = canvas.top;
  for (const el of [app.banner, app.persistentBanner]) {
    if (el && !el.hidden) bottom = Math.max(bottom, el.getBoundingClientRect().bottom);
  }
  return bottom - canvas.top;
}

/** What the status line says after a submit the server took (its `status`). */
export function submittedText(outcome) {
  return outcome === "review" ? "Submitted for review." : "Submitted.";
}

/**
 * The refusal's message as the page shows it: `<verb>: box “Vehicle › Car” (#3): <error>`
 * when the server named an annotation that is on the page (its `annotation_uuid`), else
 * `<verb>: <error>`; and that annotation's uuid, or null.
 * @param {any} app @param {string} verb @param {{error: string, annotationUuid?: string|null}} result
 * @returns {{message: string, uuid: string|null}}
 */
export function describeRefusal(app, verb, result) {
  const uuid = result.annotationUuid && app.store.get(result.annotationUuid) ? result.annotationUuid : null;
  if (!uuid) return { message: `${verb}: ${result.error}`, uuid };
  const a = app.store.get(uuid);
  const index = app.store.uuids().indexOf(uuid) + 1;
  const name = `${a.type}${app.labelPath(a) ? ` “${app.labelPath(a)}”` : ""} (#${index})`;
  return { message: `${verb}: ${name}: ${result.error}`, uuid };
}

function showSubmitError(app, result) {
  const { message, uuid } = describeRefusal(app, "Not submitted", result);
  app.status(message, "error");
  app.showBanner(message);
  if (uuid) {
    // selected, listed and panned into view below the banner (docs/workbench.md)
    app.setTool("select");
    app.select([uuid]);
    app.reveal(uuid, coveredTop(app));
  }
  app.root.dataset.submitError = result.error;
}

function plural(type) {
  return { box: "boxes", polygon: "polygons", line: "lines", point: "points", ellipse: "ellipses", cuboid: "cuboids" }[type] || type;
}

/** Finish the shape being drawn (a polygon or line: as Enter does); the touch action bar's. */
function commandFinish(app) {
  if (app.mode !== "idle" || !app.tool.busy || typeof app.tool.finish !== "function") return false;
  app.tool.finish();
  return true;
}

/** Command name → function(app, ...args). */
export const COMMANDS = {
  tool: commandTool,
  escape: commandEscape,
  backspace: commandDelete,
  enter: commandRelabel,
  delete: commandDelete,
  undo: commandUndo,
  redo: commandRedo,
  copy: commandCopy,
  paste: commandPaste,
  nudge: commandNudge,
  selectStep: commandSelectStep,
  zoom: commandZoom,
  fit: (app) => app.fit(),
  toggleLayers: commandToggleLayers,
  turn: commandTurn,
  rotateView: (app, turns) => app.rotateView(turns),
  submit: commandSubmit,
  finish: commandFinish,
  help: (app) => app.openHelp(),
};
