// Input routing: pointer, wheel and keys go to the view (pan, zoom), the active tool or the
// key map, depending on the app's mode (see app.js) and where the focus is.

import { match } from "./keyboard.js";

/** Listen to the canvas, the document and the window for the app. */
export function bindInput(app) {
  const canvas = app.canvas;
  canvas.addEventListener("pointerdown", (event) => onPointerDown(app, event));
  canvas.addEventListener("pointermove", (event) => onPointerMove(app, event));
  canvas.addEventListener("pointerup", (event) => onPointerUp(app, event));
  canvas.addEventListener("pointercancel", (event) => onPointerUp(app, event));
  canvas.addEventListener("pointerleave", () => {
    app.statusPosition.textContent = "";
    app.lastPointer = null; // hooks.pointer(): the mouse is not over the canvas
    if (app.tool.name === "select" && !app.tool.busy) app.setHover(null);
  });
  canvas.addEventListener("dblclick", (event) => {
    if (app.mode === "idle") app.tool.doubleClick(pointerInput(app, event));
  });
  canvas.addEventListener("wheel", (event) => onWheel(app, event), { passive: false });
  canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  document.addEventListener("keydown", (event) => onKeyDown(app, event));
  document.addEventListener("keyup", (event) => onKeyUp(app, event));
  window.addEventListener("blur", () => {
    app.spaceHeld = false;
  });
  window.addEventListener("beforeunload", (event) => {
    // with a live session: only when edits have not reached the server yet
    const atRisk = app.autosave ? app.autosave.atRisk() : app.store.dirty;
    if (app.leaving || app.readOnly || !atRisk) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

function pointerInput(app, event) {
  const rect = app.canvas.getBoundingClientRect();
  const screen = { x: event.clientX - rect.left, y: event.clientY - rect.top };
  return {
    screen,
    image: app.view.toImage(screen),
    button: event.button,
    shift: event.shiftKey,
    alt: event.altKey,
    ctrl: event.ctrlKey || event.metaKey,
  };
}

function onPointerDown(app, event) {
  // No default focus change: the canvas is focused here, and a press that opens the label
  // picker (a point, the end of a cuboid) must leave the keyboard with the picker.
  event.preventDefault();
  const input = pointerInput(app, event);
  if (app.mode === "picking" && event.button !== 1) {
    app.picker.input.focus(); // the picker keeps the keyboard
    return;
  }
  if (app.mode !== "picking") app.canvas.focus({ preventScroll: true });
  if (event.button === 1 || (event.button === 0 && app.spaceHeld)) {
    app.pan = { id: event.pointerId, last: input.screen };
    app.canvas.setPointerCapture(event.pointerId);
    app.canvas.style.cursor = "grabbing";
    return;
  }
  if (app.mode !== "idle" || event.button !== 0) return;
  // a mark an extension draws over the annotations (hooks.addOverlay: review pins) takes the click
  if (!app.tool.busy && app.hooks.clickOverlay(input.image)) return;
  app.canvas.setPointerCapture(event.pointerId);
  app.gesture = gestureTool(app, input);
  app.gesture.pointerDown(input);
}

/**
 * The tool a press goes to: the active one, except that a drawing tool lets the select
 * tool take a press on the resize or rotation handles of the selected box or ellipse (so
 * a shape just drawn can be adjusted at once, as the ellipse's rotation handle promises),
 * and on its x_line / y_line attribute lines.
 */
function gestureTool(app, input) {
  const tool = app.tool;
  const selected = app.store.selected;
  if (tool.name === "select" || tool.name === "pick" || tool.busy || !selected || app.readOnly) return tool;
  const hit = app.handleHit(selected, input.image);
  if (hit && (hit.kind === "handle" || hit.kind === "rotate")) return app.tools.select;
  return app.attributeLineAt(selected, input.image) ? app.tools.select : tool;
}

function onPointerMove(app, event) {
  const input = pointerInput(app, event);
  app.lastPointer = input;
  const p = input.image;
  app.statusPosition.textContent = `x ${p.x.toFixed(1)}  y ${p.y.toFixed(1)} px`;
  if (app.pan) {
    if (app.view.panBy(input.screen.x - app.pan.last.x, input.screen.y - app.pan.last.y)) app.viewChanged();
    app.pan.last = input.screen;
    return;
  }
  if (app.mode !== "idle") return;
  (app.gesture || app.tool).pointerMove(input);
  if (!app.gesture && app.tool.name !== "select" && app.tool.name !== "pick" && !app.tool.busy) handleCursor(app, input);
}

/** Drawing tools show the resize / rotate cursors over the selection's handles. */
function handleCursor(app, input) {
  const selected = app.store.selected;
  const hit = selected && !app.readOnly ? app.handleHit(selected, input.image) : null;
  if (hit && (hit.kind === "handle" || hit.kind === "rotate")) app.tools.select.hover(input);
  else if (selected && !app.readOnly && app.attributeLineAt(selected, input.image)) app.tools.select.hover(input);
  else app.setCursor(app.tool.cursor);
}

function onPointerUp(app, event) {
  if (app.canvas.hasPointerCapture?.(event.pointerId)) app.canvas.releasePointerCapture(event.pointerId);
  if (app.pan) {
    app.pan = null;
    app.canvas.style.cursor = app.spaceHeld ? "grab" : app.tool.cursor;
    return;
  }
  const gesture = app.gesture;
  app.gesture = null;
  if (app.mode !== "idle" || !gesture) return;
  gesture.pointerUp(pointerInput(app, event));
}

function onWheel(app, event) {
  event.preventDefault();
  const input = pointerInput(app, event);
  const unit = event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1;
  const factor = Math.exp(-event.deltaY * unit * 0.0015);
  if (app.view.zoomAt(input.screen, factor)) app.viewChanged();
  if (app.mode === "idle" && !app.pan) app.tool.pointerMove(pointerInput(app, event));
}

function onKeyDown(app, event) {
  if (event.defaultPrevented) return;
  if (app.mode === "help") {
    if (event.key === "Escape" || event.key === "?") {
      event.preventDefault();
      app.closeHelp();
    }
    return;
  }
  if (app.mode === "picking" || app.picker.isOpen) return;
  const target = /** @type {HTMLElement} */ (event.target);
  if (isEditable(target)) return;
  // the keys a task kind registered (hooks.addKeyHandler: a video's frame keys) come first
  if (app.mode === "idle" && app.hooks.handleKey(event)) {
    event.preventDefault();
    return;
  }
  if (event.key === " " && !isActivatable(target)) {
    event.preventDefault();
    if (!app.spaceHeld) {
      app.spaceHeld = true;
      if (!app.pan) app.canvas.style.cursor = "grab";
    }
    return;
  }
  if (app.mode === "idle" && app.tool.keyDown(event)) {
    event.preventDefault();
    return;
  }
  const binding = match(event);
  if (!binding) return;
  if (isActivatable(target) && binding.combo === "enter") return; // the button's own Enter
  if (binding.combo.endsWith("tab") && target !== app.canvas && target !== document.body) return;
  const result = app.run(binding.command, binding.args || []);
  if (result !== false) event.preventDefault();
}

function onKeyUp(app, event) {
  if (event.key === " ") {
    app.spaceHeld = false;
    if (!app.pan) app.canvas.style.cursor = app.tool.cursor;
  }
}

function isEditable(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

function isActivatable(target) {
  if (!target || !target.tagName) return false;
  return target.tagName === "BUTTON" || target.tagName === "A" || target.tagName === "SUMMARY";
}
