// Bootstrap: read the shell's data attributes, load the task, start the workbench, and
// expose a small test hook (window.__workbench) with the canvas transform.

import { loadTask } from "./api.js";
import { Workbench } from "./app.js";
import { Autosave } from "./autosave.js";
import { showTraining } from "./training-title.js";

async function start() {
  const root = document.getElementById("workbench");
  if (!root) return;
  let data;
  try {
    data = await loadTask(root.dataset.dataUrl);
  } catch (error) {
    root.replaceChildren();
    const p = document.createElement("p");
    p.className = "wb-fatal";
    p.textContent = error instanceof Error ? error.message : String(error);
    root.append(p);
    root.dataset.error = "load";
    return;
  }
  showTraining(document, data.training); // a training copy: "Training task n of N"
  const app = new Workbench(root, data, {
    submit: root.dataset.submitUrl,
    skip: root.dataset.skipUrl,
    queue: root.dataset.queueUrl || "/",
  });
  // The live session: autosave per operation; editing waits for the server's welcome.
  if (data.socket_url && typeof WebSocket !== "undefined") {
    app.autosave = new Autosave(app, data);
    app.autosave.start().catch((error) => {
      app.status(`The live session could not start: ${error instanceof Error ? error.message : error}`, "error");
    });
  }
  // For tests and debugging: everything is read-only data or the app itself.
  window.__workbench = {
    app,
    toScreen: (p) => app.view.toScreen(p),
    toImage: (p) => app.view.toImage(p),
    /** CSS-pixel position of an image point in the page (for mouse events). */
    toPage: (p) => {
      const s = app.view.toScreen(p);
      const rect = app.canvas.getBoundingClientRect();
      return { x: rect.left + s.x, y: rect.top + s.y };
    },
    /** Image point under a page position (CSS pixels). */
    fromPage: (p) => {
      const rect = app.canvas.getBoundingClientRect();
      return app.view.toImage({ x: p.x - rect.left, y: p.y - rect.top });
    },
    annotations: () => app.store.responseAnnotations(),
    links: () => structuredClone(app.store.links),
    globals: () => structuredClone(app.store.globals),
    selection: () => [...app.store.selection],
    view: () => app.view.snapshot(),
    stats: () => ({ ...app.renderer.stats }),
    /** The live session's save state ({status, unsent, text}) and role, or null. */
    live: () => (app.autosave ? { ...app.autosave.sync.state, role: app.autosave.role } : null),
    /** A segmentation task's mask ({width, height, unlabeled, data: base64}) and its undoable
     * ops, or null (segment-controller.js). */
    mask: () => app.segment?.describeMask() ?? null,
    get ready() {
      return root.dataset.ready === "true";
    },
  };
  root.dataset.started = "true";
}

start();
