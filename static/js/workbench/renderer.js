// The canvas renderer: immediate-mode Canvas2D, one pass per animation frame, only when
// something changed.
//
// Three layers, bottom to top, all on one visible canvas:
//   1. the image and its padding (drawn every frame; a single drawImage);
//   2. the STATIC layer: read-only layers and every annotation that is not selected, culled
//      with the spatial index and batched by style (one stroke per colour). It is rendered
//      into an offscreen canvas a margin larger than the view and blitted. While the view pans
//      or zooms and the static layer is expensive (> STATIC_BUDGET_MS), the old bitmap is
//      blitted with the relative transform and re-rendered once the view settles;
//   3. the OVERLAY: hover, selection with its handles, drag previews, the shape being drawn
//      and whatever the tool draws. It is cheap and redrawn every dirty frame.
//
// Contract: call invalidate("overlay") when only layer 3 changed (hover, previews, tool
// state), invalidate("static") when annotations, the selection, colours or layer visibility
// changed, invalidate("view") after the Viewport moved. Nothing else draws on the canvas.

import {
  bounds, boxHandlePoints, ellipseFromVertices, ellipseToBox, rotateHandlePoint,
} from "../lib/geometry.js";
import { intersects } from "../lib/hittest.js";
import { box3dOf, wireframe } from "../lib/camera.js";
import { drawWireframe } from "./cuboid-3d.js";
import { connectionSegments, lineSegment, shownAttributes } from "../lib/attributes.js";
import { TONES } from "./hooks.js";
import {
  ACCENT_COLOR, DANGER_COLOR, LAYER_COLOR, POINT_RADIUS, arrow, isArea, roundHandle, squareHandle, tag,
  traceFill, traceShape, withAlpha,
} from "./draw.js";

const STATIC_BUDGET_MS = 12;
const SETTLE_MS = 140;
const CACHE_MARGIN = 192; // CSS px rendered around the view in the static cache
const MAX_CACHE_SIDE = 8192;
const LABEL_TAGS_UP_TO = 150; // draw label tags on the static layer when this few are visible
// Level of detail: with more shapes than this in view, the static layer draws 1-device-pixel
// outlines and no fills. Without a GPU, Chrome rasterised 10,000 shapes with 1.6 px strokes
// and fills in ~400 ms; hairlines take ~40 ms (bench/README.md).
const DENSE_SHAPES = 1500;
export const HANDLE_SIZE = 9; // screen px
export const ROTATE_OFFSET = 26; // screen px above the top edge
export const LINK_COLOR = "#ffd166";
const LINE_ATTRIBUTE_COLOR = "#7cf0ff";
const LINK_TAGS_UP_TO = 60; // label every link on the canvas when there are this few

/** Where links and linked attributes attach: a point itself, else the centre of the bounds. */
export function anchorOf(a) {
  if (a.type === "point") return { x: a.x, y: a.y };
  const b = bounds(a);
  return { x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2 };
}

/** Image pixels → device pixels of the canvas (offset by `margin` CSS px: the static cache). */
function setImageTransform(ctx, view, dpr, margin = 0) {
  const [a, b, c, d, e, f] = view.matrix();
  ctx.setTransform(dpr * a, dpr * b, dpr * c, dpr * d, dpr * (e + margin), dpr * (f + margin));
}

export class Renderer {
  /** @param {HTMLCanvasElement} canvas @param {any} app */
  constructor(canvas, app) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    this.app = app;
    this.dpr = 1;
    this.cache = document.createElement("canvas");
    this.cacheCtx = /** @type {CanvasRenderingContext2D} */ (this.cache.getContext("2d"));
    /** The view the cache was rendered at: {scale, x, y, margin} or null. */
    this.cacheView = null;
    this.staticDirty = true;
    this.pending = false;
    this.lastViewChange = 0;
    this.settleTimer = 0;
    this.stats = {
      frames: 0, staticRenders: 0, lastStaticMs: 0, lastFrameMs: 0, drawn: 0, firstFrameAt: 0,
    };
    this.imageComplete = false;
  }

  /** Ask for a frame. @param {"overlay" | "static" | "view"} what */
  invalidate(what = "overlay") {
    if (what === "static") this.staticDirty = true;
    if (what === "view") this.lastViewChange = performance.now();
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.frame();
    });
  }

  /** Match the backing store to the element's CSS size and the device pixel ratio. */
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width * this.dpr));
    const h = Math.max(1, Math.round(rect.height * this.dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const changed = this.app.view.setSize(rect.width, rect.height);
    this.staticDirty = true;
    this.invalidate("view");
    return changed;
  }

  frame() {
    if ((window.devicePixelRatio || 1) !== this.dpr) this.resize(); // moved to another screen
    const t0 = performance.now();
    const { ctx, app } = this;
    const view = app.view;
    const dpr = this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#1b1f26";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawImage(view, dpr);

    const exact = this.cacheMatches(view);
    if (this.staticDirty || !exact) {
      const moving = t0 - this.lastViewChange < SETTLE_MS;
      const cheap = this.stats.lastStaticMs <= STATIC_BUDGET_MS;
      if (!this.staticDirty && moving && !cheap && this.cacheUsable(view)) {
        this.blitScaled(view, dpr);
        this.scheduleSettle();
      } else {
        const r0 = performance.now();
        this.renderStatic(view, dpr);
        this.blitExact();
        // The blit makes Chrome rasterise the cache now: its cost is the static layer's too,
        // and decides whether the next moving frames redraw it or blit it scaled.
        this.stats.lastStaticMs = performance.now() - r0;
      }
    } else {
      this.blitExact();
    }
    this.drawOverlay(view, dpr);
    this.stats.frames++;
    this.stats.lastFrameMs = performance.now() - t0;
    if (!this.stats.firstFrameAt && this.imageComplete && this.cacheMatches(view)) {
      // The first complete frame: the whole image and every annotation in view drawn, at
      // rest. performance.now() counts from the navigation (bench/browser.py reads it).
      this.stats.firstFrameAt = performance.now();
      performance.mark("workbench:first-frame");
    }
  }

  scheduleSettle() {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      if (performance.now() - this.lastViewChange >= SETTLE_MS) this.invalidate("overlay");
      else this.scheduleSettle();
    }, SETTLE_MS);
  }

  cacheMatches(view) {
    const c = this.cacheView;
    return Boolean(c) && c.scale === view.scale && c.x === view.x && c.y === view.y
      && c.width === view.width && c.height === view.height && c.dpr === this.dpr
      && c.rotation === view.rotation;
  }

  cacheUsable(view) {
    const c = this.cacheView;
    if (!c || c.dpr !== this.dpr || c.rotation !== view.rotation) return false;
    const k = view.scale / c.scale;
    return k > 0.2 && k < 5;
  }

  // ------------------------------------------------------------------ image

  drawImage(view, dpr) {
    const { ctx, app } = this;
    const { width, height } = app.imageSize;
    const pad = app.padding;
    setImageTransform(ctx, view, dpr);
    ctx.fillStyle = "#2a3039";
    ctx.fillRect(-pad.x, -pad.y, width + 2 * pad.x, height + 2 * pad.y);
    ctx.imageSmoothingEnabled = view.scale < 3;
    if (app.tileLayer) {
      // a large image: the tiles on screen (tile-layer.js)
      ctx.fillStyle = "#3a414c";
      ctx.fillRect(0, 0, width, height);
      // the image adjustments (aids.js): the tile layer draws filtered copies of its tiles
      app.tileLayer.setFilter(app.aids?.imageFilterCss || "");
      this.imageComplete = app.tileLayer.draw(ctx, view, dpr);
    } else if (app.image && app.imageReady) {
      // the image adjustments (aids.js) come as a filtered copy made once per change, not a
      // filter per frame; until it is ready (or for a new video frame) the draw filters
      let source = app.image;
      const aids = app.aids;
      if (aids?.imageFilterCss) {
        const copy = aids.filtered;
        if (copy?.source === app.image && copy.filter === aids.imageFilterCss) source = copy.bitmap;
        else {
          ctx.filter = aids.imageFilterCss;
          aids.refilter();
        }
      }
      ctx.drawImage(source, 0, 0, width, height);
      ctx.filter = "none";
      this.imageComplete = true;
    } else {
      ctx.fillStyle = "#3a414c";
      ctx.fillRect(0, 0, width, height);
      this.imageComplete = Boolean(app.imageFailed);
    }
    if (pad.x || pad.y) {
      ctx.strokeStyle = "rgba(255,255,255,0.35)";
      ctx.lineWidth = 1 / view.scale;
      ctx.setLineDash([4 / view.scale, 4 / view.scale]);
      ctx.strokeRect(0, 0, width, height);
      ctx.setLineDash([]);
    }
  }

  // ------------------------------------------------------------------ static layer

  renderStatic(view, dpr) {
    const t0 = performance.now();
    const margin = CACHE_MARGIN;
    let w = Math.round((view.width + 2 * margin) * dpr);
    let h = Math.round((view.height + 2 * margin) * dpr);
    w = Math.min(w, MAX_CACHE_SIDE);
    h = Math.min(h, MAX_CACHE_SIDE);
    if (this.cache.width !== w || this.cache.height !== h) {
      this.cache.width = w;
      this.cache.height = h;
    } else {
      this.cacheCtx.setTransform(1, 0, 0, 1, 0, 0);
      this.cacheCtx.clearRect(0, 0, w, h);
    }
    const ctx = this.cacheCtx;
    const s = view.scale;
    setImageTransform(ctx, view, dpr, margin);
    const area = view.visibleRect(margin);
    const app = this.app;

    if (app.layersVisible && app.layers.length) {
      const ids = app.layerIndex.query(area);
      ctx.globalAlpha = 0.75;
      ctx.setLineDash([5 / s, 4 / s]);
      ctx.beginPath();
      for (const i of ids) traceShape(ctx, app.layers[i], s);
      ctx.strokeStyle = LAYER_COLOR;
      ctx.lineWidth = 1.25 / s;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    }

    const store = app.store;
    const visible = store.index.query(area);
    const groups = new Map();
    // outline tones of hooks.addAnnotationStyle (review verdicts): one path per tone
    const styled = app.hooks.hasStyles;
    /** @type {Map<string, any[]>} */
    const tones = new Map();
    let drawn = 0;
    const hides = app.hooks.hasHiddenTests; // the tasker's hide (aids.js)
    for (const uuid of visible) {
      if (store.selection.has(uuid) || app.previews.has(uuid)) continue;
      if (hides && app.hooks.isHidden(uuid)) continue;
      const a = store.get(uuid);
      const meta = store.metaOf(uuid);
      if (styled) {
        const tone = app.hooks.styleOf(a, meta).tone;
        if (tone) {
          if (!tones.has(tone)) tones.set(tone, []);
          tones.get(tone).push(a);
        }
      }
      const bad = app.isBelowMin(a);
      const color = bad ? DANGER_COLOR : app.colorOf(a);
      const dashed = meta.source === "base" || bad;
      const key = `${color}|${dashed ? 1 : 0}|${a.type === "point" ? "p" : isArea(a.type) ? "a" : "l"}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { color, dashed, kind: key.slice(-1), items: [] }));
      group.items.push(a);
      drawn++;
    }
    this.drawConnections(ctx, s);
    for (const [tone, items] of tones) this.drawTone(ctx, tone, items, s);
    const hairline = drawn > DENSE_SHAPES ? 1 / (s * dpr) : 0;
    for (const group of groups.values()) this.drawGroup(ctx, group, s, hairline);
    this.drawLinks(ctx, s);
    if (drawn <= LABEL_TAGS_UP_TO) this.drawTags(ctx, groups, view, dpr, margin);
    this.cacheView = { ...view.snapshot(), margin, dpr };
    this.staticDirty = false;
    this.stats.staticRenders++;
    this.stats.drawn = drawn;
    this.stats.lastStaticMs = performance.now() - t0;
  }

  /** A wide outline in a tone's colour under the shapes' own (hooks.TONES). */
  drawTone(ctx, tone, items, s, width = 5) {
    ctx.beginPath();
    for (const a of items) traceShape(ctx, a, s, POINT_RADIUS + 2.5);
    ctx.strokeStyle = TONES[tone];
    ctx.lineWidth = width / s;
    ctx.setLineDash([]);
    ctx.globalAlpha = 0.85;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** One style's shapes. `hairline` (image px, or 0): dense mode's line width, no fills. */
  drawGroup(ctx, group, s, hairline = 0) {
    if (group.kind === "p") {
      ctx.beginPath();
      for (const a of group.items) traceShape(ctx, a, s);
      ctx.fillStyle = group.color;
      ctx.fill();
      ctx.strokeStyle = "rgba(12,14,18,0.9)";
      ctx.lineWidth = hairline || 1.25 / s;
      ctx.stroke();
      return;
    }
    if (group.kind === "a" && !hairline) {
      ctx.beginPath();
      for (const a of group.items) traceFill(ctx, a, s);
      ctx.fillStyle = withAlpha(group.color, this.app.aids?.fillOpacity ?? 0.14);
      ctx.fill("evenodd");
    }
    ctx.beginPath();
    for (const a of group.items) traceShape(ctx, a, s);
    ctx.strokeStyle = group.color;
    ctx.lineWidth = hairline || 1.6 / s;
    ctx.setLineDash(group.dashed ? [7 / s, 4 / s] : []);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /**
   * Skeleton lines between keypoints (geometries.point.connections): every pair of points
   * whose labels form a `pair`, within each group of the connection_attribute's value (or
   * all points when it is not given). See connectionSegments.
   */
  drawConnections(ctx, s) {
    const pairs = this.app.connections;
    if (!pairs.length) return;
    const store = this.app.store;
    const segments = connectionSegments(pairs, store.frameShapes ? store.frameShapes() : store.model.values());
    this.stats.connections = segments.length;
    if (!segments.length) return;
    ctx.beginPath();
    for (const [a, b] of segments) {
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
    ctx.strokeStyle = "rgba(255,255,255,0.7)";
    ctx.lineWidth = 1.5 / s;
    ctx.stroke();
  }

  /** Links (response.links) as arrows from their `from` to their `to` annotation. */
  drawLinks(ctx, s) {
    const { store } = this.app;
    const links = store.links;
    this.stats.links = 0;
    if (!links.length) return;
    ctx.beginPath();
    for (const link of links) {
      const a = store.get(link.from), b = store.get(link.to);
      if (!a || !b || store.hidden?.(link.from) || store.hidden?.(link.to)) continue;
      try {
        arrow(ctx, anchorOf(a), anchorOf(b), s);
        this.stats.links++;
      } catch {
        /* malformed geometry */
      }
    }
    ctx.strokeStyle = LINK_COLOR;
    ctx.lineWidth = 1.6 / s;
    ctx.setLineDash([]);
    ctx.stroke();
  }

  drawTags(ctx, groups, view, dpr, margin) {
    ctx.setTransform(dpr, 0, 0, dpr, dpr * margin, dpr * margin);
    for (const group of groups.values()) {
      for (const a of group.items) {
        const text = this.app.labelText(a);
        if (!text) continue;
        let b;
        try {
          b = bounds(a);
        } catch {
          continue;
        }
        const p = view.toScreen({ x: b.minX, y: b.minY });
        tag(ctx, text, { x: p.x, y: p.y - 17 }, group.color);
      }
    }
  }

  blitExact() {
    const { ctx } = this;
    const m = this.cacheView.margin * this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.cache, -m, -m);
  }

  blitScaled(view, dpr) {
    const c = this.cacheView;
    const k = view.scale / c.scale;
    const { ctx } = this;
    ctx.setTransform(k, 0, 0, k, dpr * (view.x - (c.margin + c.x) * k),
      dpr * (view.y - (c.margin + c.y) * k));
    ctx.drawImage(this.cache, 0, 0);
  }

  // ------------------------------------------------------------------ overlay

  drawOverlay(view, dpr) {
    const { ctx, app } = this;
    const s = view.scale;
    const store = app.store;
    const imageTransform = () => setImageTransform(ctx, view, dpr);
    const screenTransform = () => ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const area = view.visibleRect(40);

    // hover highlight (not selected)
    // (a video track not in view on this frame is not drawn: store.hidden)
    const hover = app.hover && !store.selection.has(app.hover) && !store.hidden?.(app.hover) ? store.get(app.hover) : null;
    if (hover) {
      imageTransform();
      ctx.beginPath();
      traceShape(ctx, hover, s, POINT_RADIUS + 1.5);
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      ctx.lineWidth = 3 / s;
      ctx.stroke();
      ctx.strokeStyle = app.colorOf(hover);
      ctx.lineWidth = 1.6 / s;
      ctx.stroke();
    }

    // selection (previews replace the model's version while a drag is in progress)
    for (const uuid of store.selection) {
      const a = app.previews.get(uuid) || store.get(uuid);
      if (!a || (!app.previews.has(uuid) && store.hidden?.(uuid))) continue;
      this.drawSelected(a, uuid, view, dpr, area);
    }
    for (const [uuid, a] of app.previews) {
      if (!store.selection.has(uuid)) this.drawSelected(a, uuid, view, dpr, area);
    }

    // a new shape waiting for its label
    if (app.draft) {
      imageTransform();
      ctx.beginPath();
      traceShape(ctx, app.draft, s);
      if (isArea(app.draft.type)) {
        ctx.fillStyle = "rgba(255,255,255,0.12)";
        ctx.fill("evenodd");
      }
      ctx.strokeStyle = ACCENT_COLOR;
      ctx.lineWidth = 2 / s;
      ctx.setLineDash([6 / s, 4 / s]);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    screenTransform();
    this.drawLinkTags(view);
    const single = store.selected;
    if (single && !store.hidden?.(single)) this.drawAttributeOverlay(app.previews.get(single) || store.get(single), view);
    app.hooks.drawOverlays(ctx, view); // an extension's marks (review pins)
    screenTransform();
    app.tool?.drawOverlay?.(ctx, view);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
  }

  /** Link labels at the middle of their arrows: all of them when few, else the selection's. */
  drawLinkTags(view) {
    const { ctx, app } = this;
    const store = app.store;
    const links = store.links;
    if (!links.length) return;
    const all = links.length <= LINK_TAGS_UP_TO;
    for (const link of links) {
      const mine = store.selection.has(link.from) || store.selection.has(link.to);
      if (!all && !mine) continue;
      const a = store.get(link.from), b = store.get(link.to);
      if (!a || !b || store.hidden?.(link.from) || store.hidden?.(link.to)) continue;
      let p, q;
      try {
        p = view.toScreen(anchorOf(a));
        q = view.toScreen(anchorOf(b));
      } catch {
        continue;
      }
      if (mine) {
        ctx.beginPath();
        arrow(ctx, p, q, 1, 11);
        ctx.strokeStyle = LINK_COLOR;
        ctx.lineWidth = 3;
        ctx.stroke();
      }
      tag(ctx, link.label, { x: (p.x + q.x) / 2 + 4, y: (p.y + q.y) / 2 - 8 }, LINK_COLOR);
    }
  }

  /**
   * For the single selected annotation: its x_line / y_line attributes as lines across it,
   * and dotted pointers to the annotations its linked attributes name (screen space).
   */
  drawAttributeOverlay(a, view) {
    if (!a || !a.attributes) return;
    const { ctx, app } = this;
    const defs = app.attributeDefs;
    let shown;
    try {
      shown = shownAttributes(defs, a);
    } catch {
      return;
    }
    for (const id of shown) {
      const kind = defs[id].type;
      const value = a.attributes[id];
      if ((kind === "x_line" || kind === "y_line") && typeof value === "number") {
        let ends;
        try {
          ends = lineSegment(a, kind, value).map((p) => view.toScreen(p));
        } catch {
          continue;
        }
        ctx.beginPath();
        ctx.moveTo(ends[0].x, ends[0].y);
        ctx.lineTo(ends[1].x, ends[1].y);
        ctx.strokeStyle = "rgba(10,12,16,0.85)";
        ctx.lineWidth = 4;
        ctx.setLineDash([]);
        ctx.stroke();
        ctx.strokeStyle = LINE_ATTRIBUTE_COLOR;
        ctx.lineWidth = 2;
        ctx.setLineDash([6, 3]);
        ctx.stroke();
        ctx.setLineDash([]);
        tag(ctx, id, { x: ends[0].x + 4, y: ends[0].y + 4 }, LINE_ATTRIBUTE_COLOR);
      } else if (kind === "linked" && typeof value === "string") {
        const target = app.store.get(value);
        if (!target) continue;
        let p, q;
        try {
          p = view.toScreen(anchorOf(a));
          q = view.toScreen(anchorOf(target));
        } catch {
          continue;
        }
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.lineTo(q.x, q.y);
        ctx.strokeStyle = "rgba(255,255,255,0.8)";
        ctx.lineWidth = 1.5;
        ctx.setLineDash([2, 4]);
        ctx.stroke();
        ctx.setLineDash([]);
        tag(ctx, id, { x: (p.x + q.x) / 2 + 4, y: (p.y + q.y) / 2 + 2 }, "#ffffff");
      }
    }
  }

  drawSelected(a, uuid, view, dpr, area) {
    const { ctx, app } = this;
    const s = view.scale;
    let b;
    try {
      b = bounds(a);
    } catch {
      return;
    }
    if (!intersects(b, area)) return;
    const bad = app.isBelowMin(a);
    const color = bad ? DANGER_COLOR : app.colorOf(a);
    setImageTransform(ctx, view, dpr);
    const tone = app.hooks.hasStyles ? app.hooks.styleOf(a, app.store.metaOf(uuid)).tone : null;
    if (tone) this.drawTone(ctx, tone, [a], s, 10); // wider: the selection's dark edge covers 4.5 px
    if (isArea(a.type)) {
      ctx.beginPath();
      traceFill(ctx, a, s);
      ctx.fillStyle = withAlpha(color, Math.min(1, 2 * (this.app.aids?.fillOpacity ?? 0.14)));
      ctx.fill("evenodd");
    }
    ctx.beginPath();
    traceShape(ctx, a, s, POINT_RADIUS + 1.5);
    if (a.type === "point") {
      ctx.fillStyle = color;
      ctx.fill();
    }
    ctx.strokeStyle = "rgba(10,12,16,0.85)";
    ctx.lineWidth = 4.5 / s;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.25 / s;
    ctx.setLineDash(app.store.metaOf(uuid).source === "base" ? [7 / s, 4 / s] : []);
    ctx.stroke();
    ctx.setLineDash([]);

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const text = app.labelText(a);
    if (text) {
      const p = view.toScreen({ x: b.minX, y: b.minY });
      tag(ctx, text, { x: p.x, y: p.y - 19 }, color);
    }
    const box = a.type === "cuboid" && app.camera ? box3dOf(a) : null;
    if (box) drawWireframe(ctx, view, wireframe(app.camera, box), "rgba(255,255,255,0.8)", [4, 3]);
    if (app.store.selection.size === 1 && !app.readOnly) this.drawHandles(a, view);
  }

  drawHandles(a, view) {
    const { ctx, app } = this;
    const toScreen = (p) => view.toScreen(p);
    const fill = "#ffffff", stroke = "#1b1f26";
    if (a.type === "box" || a.type === "ellipse") {
      const box = a.type === "box" ? a : ellipseToBox(ellipseFromVertices(a.vertices));
      const rotatable = a.type === "ellipse" || app.canRotateBox(a);
      if (rotatable) {
        const top = toScreen(boxHandlePoints(box).n);
        const knob = toScreen(rotateHandlePoint(box, ROTATE_OFFSET / view.scale));
        ctx.beginPath();
        ctx.moveTo(top.x, top.y);
        ctx.lineTo(knob.x, knob.y);
        ctx.strokeStyle = "rgba(255,255,255,0.85)";
        ctx.lineWidth = 1.5;
        ctx.stroke();
        roundHandle(ctx, knob, 5.5, "#ffd166", stroke);
      }
      for (const p of Object.values(boxHandlePoints(box))) {
        squareHandle(ctx, toScreen(p), HANDLE_SIZE, fill, stroke);
      }
      return;
    }
    if (a.type === "polygon" || a.type === "line" || a.type === "cuboid") {
      for (const v of a.vertices || []) roundHandle(ctx, toScreen(v), 4.5, fill, stroke);
    }
  }
}
