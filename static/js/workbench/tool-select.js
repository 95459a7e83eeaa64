// V: select and edit. Click selects (Shift+click adds / removes), drag moves the selection,
// handles resize / rotate, vertices drag, a click on a polygon or line edge inserts a vertex
// there (a ghost vertex shows on hover) and Alt+click on a vertex deletes it.
//
// A drag shows previews (app.setPreview) and commits ONE op at pointer up.

import {
  ellipseFromVertices, ellipseToVertices, insertVertex, removeVertex,
  resizeBox, resizeEllipse, rotateBoxTo, rotateEllipseTo,
} from "../lib/geometry.js";
import { dragCuboidVertex, moveShape } from "./cuboid-3d.js";
import { offsetAt } from "../lib/attributes.js";
import { CLICK_SLOP, Tool, screenDistance } from "./tools.js";

const HANDLE_CURSORS = {
  nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize",
  n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize",
};
const SNAP = Math.PI / 12; // Shift while rotating: 15° steps

export class SelectTool extends Tool {
  constructor(app) {
    super(app, "select", "default");
    /** The gesture in progress, or null. */
    this.drag = null;
    /** Where a vertex would be inserted (hover on an edge of the selection), or null. */
    this.ghost = null;
  }

  get busy() {
    return Boolean(this.drag);
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    const app = this.app;
    const store = app.store;
    const selected = store.selected;
    if (selected && !app.readOnly) {
      const hit = app.handleHit(selected, e.image);
      if (hit) {
        this.beginHandle(selected, hit, e);
        return;
      }
      const line = app.attributeLineAt(selected, e.image);
      if (line) {
        // an x_line / y_line attribute: drag it across the box (one undo step)
        const original = store.get(selected);
        this.drag = { kind: "line", uuid: selected, id: line.id, lineKind: line.kind,
          originals: new Map([[selected, original]]), start: e, started: false };
        return;
      }
    }
    const uuid = app.hitTest(e.image);
    if (!uuid) {
      if (!e.shift) app.select([]);
      return;
    }
    if (e.shift) {
      const next = new Set(store.selection);
      if (next.has(uuid)) next.delete(uuid);
      else next.add(uuid);
      app.select(next);
      return;
    }
    if (!store.selection.has(uuid)) app.select([uuid]);
    const originals = new Map([...store.selection].map((u) => [u, store.get(u)]));
    this.drag = { kind: "move", uuid, originals, start: e, started: false };
  }

  beginHandle(uuid, hit, e) {
    const app = this.app;
    const original = app.store.get(uuid);
    const originals = new Map([[uuid, original]]);
    if (hit.kind === "vertex" && e.alt) {
      this.deleteVertex(uuid, original, hit);
      return;
    }
    const verdict = app.can("edit_geometry", uuid);
    if (!verdict.allowed) {
      app.refuse(verdict.reason);
      return;
    }
    if (hit.kind === "edge") {
      const max = app.maxVertices(original.type);
      if (original.vertices.length >= max) {
        app.refuse(`This ${original.type} already has the most vertices allowed (${max})`);
        return;
      }
      const vertices = insertVertex(original.vertices, hit.index + 1, hit.point);
      const inserted = { ...original, vertices };
      // A click inserts the vertex on the edge; dragging on moves it (one undo step).
      this.drag = { kind: "vertex", uuid, originals, index: hit.index + 1, start: e,
        started: false, base: inserted };
      this.ghost = null;
      app.setPreview(uuid, inserted);
      return;
    }
    this.drag = { ...hit, hitKind: hit.kind, kind: hit.kind === "handle" ? "resize" : hit.kind,
      uuid, originals, start: e, started: false };
  }

  deleteVertex(uuid, original, hit) {
    const app = this.app;
    if (original.type === "cuboid") {
      app.refuse("A cuboid always has its six vertices");
      return;
    }
    const verdict = app.can("edit_geometry", uuid);
    if (!verdict.allowed) {
      app.refuse(verdict.reason);
      return;
    }
    const min = app.minVertices(original.type);
    if (original.vertices.length <= min) {
      app.refuse(`A ${original.type} needs at least ${min} vertices here`);
      return;
    }
    app.commitEdits([[uuid, { ...original, vertices: removeVertex(original.vertices, hit.index) }]]);
    app.status(`Vertex ${hit.index + 1} deleted`);
  }

  pointerMove(e) {
    const app = this.app;
    const drag = this.drag;
    if (!drag) {
      this.hover(e);
      return;
    }
    if (!drag.started) {
      if (screenDistance(drag.start.screen, e.screen) < CLICK_SLOP) return;
      const action = drag.kind === "move" ? "move" : drag.kind === "line" ? "edit_attributes" : "edit_geometry";
      for (const uuid of drag.originals.keys()) {
        const verdict = app.can(action, uuid);
        if (!verdict.allowed) {
          app.refuse(verdict.reason);
          this.drag = null;
          return;
        }
      }
      drag.started = true;
    }
    for (const [uuid, next] of this.previewsFor(drag, e)) app.setPreview(uuid, next);
  }

  /** The annotations as they would be with the pointer at `e`. */
  previewsFor(drag, e) {
    const app = this.app;
    const p = e.image;
    const result = [];
    if (drag.kind === "move") {
      const dx = p.x - drag.start.image.x, dy = p.y - drag.start.image.y;
      for (const [uuid, a] of drag.originals) result.push([uuid, app.finalize(moveShape(app, a, dx, dy))]);
      return result;
    }
    const a = drag.originals.get(drag.uuid);
    if (drag.kind === "line") {
      const attributes = { ...(a.attributes || {}), [drag.id]: offsetAt(a, drag.lineKind, p) };
      return [[drag.uuid, { ...a, attributes }]];
    }
    let next = a;
    if (drag.kind === "resize") {
      if (a.type === "box") next = resizeBox(a, drag.handle, p);
      else next = { ...a, vertices: ellipseToVertices(resizeEllipse(ellipseFromVertices(a.vertices), drag.handle, p)) };
    } else if (drag.kind === "rotate") {
      const options = e.shift ? { snap: SNAP } : {};
      if (a.type === "box") next = rotateBoxTo(a, p, options);
      else next = { ...a, vertices: ellipseToVertices(rotateEllipseTo(ellipseFromVertices(a.vertices), p, options)) };
    } else if (drag.kind === "vertex") {
      if (a.type === "cuboid") {
        next = dragCuboidVertex(app, a, drag.description, p);
      } else {
        const base = drag.base || a;
        // snapping (aids.js): the vertex joins a vertex of another shape near it
        const q = app.aids && a.type !== "ellipse" ? app.aids.snap(p, drag.uuid).point : p;
        const vertices = base.vertices.map((v, i) => (i === drag.index ? { x: q.x, y: q.y } : v));
        next = { ...base, vertices };
      }
    }
    result.push([drag.uuid, app.finalize(next)]);
    return result;
  }

  pointerUp(e) {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    const app = this.app;
    if (!drag.started) {
      app.clearPreviews();
      if (drag.base) {
        app.commitEdits([[drag.uuid, app.finalize(drag.base)]]);
        app.status(`Vertex inserted (${drag.base.vertices.length} vertices)`);
      }
      return;
    }
    const edits = this.previewsFor(drag, e);
    app.clearPreviews();
    if (drag.kind === "line") {
      app.setAttribute(drag.uuid, drag.id, edits[0][1].attributes[drag.id]);
    } else {
      app.commitEdits(edits);
      if (drag.kind === "resize") app.warnIfBelowMin(edits[0][1]);
    }
    this.hover(e);
  }

  hover(e) {
    const app = this.app;
    const selected = app.store.selected;
    let cursor = "default";
    let ghost = null;
    let hoverUuid = null;
    let line = null;
    const hit = selected && !app.readOnly ? app.handleHit(selected, e.image) : null;
    if (hit) {
      hoverUuid = selected;
      if (hit.kind === "handle") cursor = handleCursor(hit.handle, app.store.get(selected), app.view.rotation);
      else if (hit.kind === "rotate") cursor = "grab";
      else if (hit.kind === "vertex") cursor = e.alt ? "not-allowed" : "move";
      else if (hit.kind === "edge") {
        cursor = "copy";
        ghost = hit.point;
      }
    } else if (selected && !app.readOnly && (line = app.attributeLineAt(selected, e.image))) {
      hoverUuid = selected;
      cursor = line.kind === "x_line" ? "ew-resize" : "ns-resize";
    } else {
      hoverUuid = app.hitTest(e.image);
      if (hoverUuid) cursor = app.readOnly ? "pointer" : "move";
    }
    app.setHover(hoverUuid);
    app.setCursor(cursor);
    const changed = (ghost === null) !== (this.ghost === null)
      || (ghost && (ghost.x !== this.ghost.x || ghost.y !== this.ghost.y));
    this.ghost = ghost;
    if (changed) app.invalidate("overlay");
  }

  cancel() {
    if (!this.drag) return false;
    this.drag = null;
    this.app.clearPreviews();
    return true;
  }

  deactivate() {
    this.cancel();
    this.ghost = null;
  }

  drawOverlay(ctx, view) {
    if (!this.ghost || this.drag) return;
    const p = view.toScreen(this.ghost);
    ctx.beginPath();
    ctx.arc(p.x, p.y, 5, 0, 2 * Math.PI);
    ctx.fillStyle = "rgba(255,255,255,0.35)";
    ctx.fill();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([2, 2]);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** The resize cursor of a handle, turned with the box and the view (in 45° steps). */
function handleCursor(handle, a, viewTurns = 0) {
  const order = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];
  let rotation = 0;
  if (a?.type === "box") rotation = a.rotation || 0;
  else if (a?.type === "ellipse") rotation = ellipseFromVertices(a.vertices).rotation || 0;
  const steps = Math.round(rotation / (Math.PI / 4)) + 2 * viewTurns;
  const index = (order.indexOf(handle) + steps + 8 * 4) % 8;
  return HANDLE_CURSORS[order[index]];
}
