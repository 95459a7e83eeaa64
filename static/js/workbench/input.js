// Input routing: pointer, wheel and keys go to the view (pan, zoom), the active tool or the
// key map, depending on the app's mode (see app.js) and where the focus is.

import { Fingers, TAP_SLOP } from "../lib/gestures.js";
import { match } from "./keyboard.js";
import { updateActionBar } from "./layout.js";

/** Listen to the canvas, the document and the window for the app. */
export function bindInput(app) {
  const canvas = app.canvas;
  /** The fingers on the canvas (touch pointers): two pinch-zoom and pan the view. */
  app.fingers = new Fingers();
  app.pinching = false;
  canvas.addEventListener("pointerdown", (event) => onPointerDown(app, event));
  canvas.addEventListener("pointermove", (event) => onPointerMove(app, event));
  canvas.addEventListener("pointerup", (event) => {
    onPointerUp(app, event);
    updateActionBar(app); // a shape being drawn enables Finish
  });
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
  if (event.pointerType === "touch" && touchDown(app, event, input)) return;
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
  if (app.mode !== "idle") return;
  // a tool that asks for it (tool-assist.js: a negative point) gets the right button too
  const secondary = event.button === 2 && Boolean(app.tool.secondaryButton);
  if (event.button !== 0 && !secondary) return;
  // a mark an extension draws over the annotations (hooks.addOverlay: review pins) takes the click
  if (!secondary && !app.tool.busy && app.hooks.clickOverlay(input.image)) return;
  app.canvas.setPointerCapture(event.pointerId);
  app.gesture = secondary ? app.tool : gestureTool(app, input);
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
  if (event.pointerType === "touch" && touchMove(app, event, input)) return;
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

// ---------------------------------------------------------------- touch (docs/workbench.md)

/**
 * A finger touched the canvas: true when the touch handling took the press. A second finger
 * drops whatever the first one started (a box being dragged) and starts a pinch; one finger
 * pans the view when no tool draws and nothing editable is under it.
 */
function touchDown(app, event, input) {
  app.root.dataset.touch = "true"; // the floating action bar shows from the first touch
  app.fingers.down(event.pointerId, input.screen);
  if (app.fingers.count >= 2) {
    if (app.gesture || app.tool.busy) app.tool.cancel();
    app.gesture = null;
    app.pan = null;
    app.pinching = true;
    app.canvas.setPointerCapture(event.pointerId);
    app.invalidate("overlay");
    return true;
  }
  if (app.mode === "picking" || app.mode === "help") return false;
  if (app.mode === "idle" && !app.tool.busy && panByFinger(app, input)) {
    app.pan = { id: event.pointerId, last: input.screen, start: input.screen, touch: true };
    app.canvas.setPointerCapture(event.pointerId);
    return true;
  }
  return false;
}

/** One finger pans with the select tool off any annotation (or its handles), and in a read-only view. */
function panByFinger(app, input) {
  if (app.readOnly) return true;
  if (app.tool.name !== "select") return false;
  if (app.hooks.overlayAt(input.image)) return false;
  const selected = app.store.selected;
  if (selected && app.handleHit(selected, input.image)) return false;
  return app.hitTest(input.image) === null;
}

/** A finger moved: true when the pinch took it. */
function touchMove(app, event, input) {
  const step = app.fingers.move(event.pointerId, input.screen);
  if (!app.pinching) return false;
  if (step) {
    const panned = app.view.panBy(step.dx, step.dy);
    const zoomed = step.factor !== 1 && app.view.zoomAt(step.centre, step.factor);
    if (panned || zoomed) app.viewChanged();
  }
  return true;
}

/** A finger lifted: true when it ended a pinch or a one-finger pan (a tap there deselects). */
function touchUp(app, event) {
  app.fingers.up(event.pointerId);
  if (app.pinching) {
    if (app.fingers.count === 0) app.pinching = false;
    return true;
  }
  if (app.pan?.touch) {
    const { start, last } = app.pan;
    app.pan = null;
    const tap = Math.hypot(last.x - start.x, last.y - start.y) < TAP_SLOP;
    if (tap && app.mode === "idle" && app.store.selection.size) app.select([]);
    return true;
  }
  return false;
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
  if (event.pointerType === "touch" && touchUp(app, event)) return;
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
