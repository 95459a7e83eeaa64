// The Assist tool's pure logic (docs/workbench.md, "Assist"): the prompt a tasker builds (a
// box, positive and negative points, scissors anchors, a polygon to snap), the request body of
// POST /tasks/<id>/assist (docs/assist.md), the stale-answer rule (only the answer to the
// latest request counts), what each answer means for the tasker, and the conversion of the
// returned shape to what the task's geometries take (polygon or box, within max_vertices).
// DOM-free: tests/js/assist.test.mjs.

import { roundPixel } from "./geometry.js";

/** @typedef {{x: number, y: number}} Point */
/** @typedef {{x: number, y: number, positive: boolean}} PromptPoint */
/** @typedef {"box" | "region" | "scissors"} AssistMode */
/** @typedef {"polygon" | "box"} AssistGeometry */
/**
 * @typedef {{type: "polygon", vertices: Point[]} |
 *   {type: "box", left: number, top: number, width: number, height: number}} AssistShape
 */
/**
 * What the tasker sees of the assist: idle (nothing asked), pending ("Assisting…"), ready (a
 * preview to accept), empty (422: nothing found there), unavailable (503, no endpoint, no
 * network), failed (a refused prompt, a session that ended).
 * @typedef {"idle" | "pending" | "ready" | "empty" | "unavailable" | "failed"} AssistStatus
 */

/** @type {AssistMode[]} */
export const MODES = ["box", "region", "scissors"];

/** @type {Record<AssistMode, string>} */
export const MODE_NAMES = { box: "Box → polygon", region: "Click region", scissors: "Scissors" };

/** The flood tolerance of "click region" (0–100, docs/assist.md), its start and its step. */
export const DEFAULT_TOLERANCE = 20;
export const TOLERANCE_STEP = 5;

/** Scissors need this many anchors before the path is closed into a polygon. */
export const MIN_ANCHORS = 3;

/**
 * What the assist returns for this task: a polygon when polygons are enabled, else a box,
 * else null (the task offers no assist).
 * @param {Record<string, any>} geometries params.geometries @returns {AssistGeometry | null}
 */
export function assistGeometry(geometries) {
  if (geometries && "polygon" in geometries) return "polygon";
  if (geometries && "box" in geometries) return "box";
  return null;
}

/** @param {number} value */
const round = (value) => roundPixel(value);

/** @param {Point} p @returns {Point} */
const roundPoint = (p) => ({ x: round(p.x), y: round(p.y) });

/**
 * A box prompt from two corners, as [x0, y0, x1, y1] with x0 <= x1 and y0 <= y1.
 * @param {Point} a @param {Point} b @returns {[number, number, number, number]}
 */
export function boxPrompt(a, b) {
  return [round(Math.min(a.x, b.x)), round(Math.min(a.y, b.y)),
    round(Math.max(a.x, b.x)), round(Math.max(a.y, b.y))];
}

/**
 * The body of POST /tasks/<id>/assist for a prompt, or null when the prompt is not enough yet
 * (box mode without a box, a region without a positive point, fewer than 3 anchors).
 * @param {{mode: AssistMode, box: number[] | null, points: PromptPoint[], anchors: Point[],
 *   snap: {uuid: string, vertices: Point[]} | null, tolerance: number}} prompt
 * @param {{geometry: AssistGeometry, maxVertices?: number | null}} target
 * @returns {Record<string, any> | null}
 */
export function buildRequest(prompt, { geometry, maxVertices = null }) {
  const limit = Number.isFinite(maxVertices) ? { max_vertices: maxVertices } : {};
  const points = prompt.points.map((p) => ({ ...roundPoint(p), positive: Boolean(p.positive) }));
  if (prompt.snap) {
    if (prompt.snap.vertices.length < 3) return null;
    return { tool: "snap", geometry: "polygon", vertices: prompt.snap.vertices.map(roundPoint), ...limit };
  }
  if (prompt.mode === "box") {
    if (!prompt.box) return null;
    return { tool: "box", geometry, box: [...prompt.box], points, ...limit };
  }
  if (prompt.mode === "region") {
    if (!points.some((p) => p.positive)) return null;
    return { tool: "click", geometry, points, tolerance: prompt.tolerance, ...limit };
  }
  if (prompt.anchors.length < MIN_ANCHORS) return null;
  return {
    tool: "scissors", geometry,
    points: prompt.anchors.map((p) => ({ ...roundPoint(p), positive: true })), ...limit,
  };
}

/**
 * What an answer of the endpoint means: {status, message}. `httpStatus` 0 is a network failure
 * (or an aborted request).
 * @param {number} httpStatus @param {any} payload the JSON body ({} when there was none)
 * @returns {{status: AssistStatus, message: string}}
 */
export function outcomeOf(httpStatus, payload) {
  const detail = payload && typeof payload.error === "string" ? payload.error : "";
  if (httpStatus === 200) {
    return payload && payload.shape ? { status: "ready", message: "Enter accepts · Esc discards" }
      : { status: "empty", message: "No shape found" };
  }
  if (httpStatus === 422) return { status: "empty", message: "No shape found" };
  if (httpStatus === 0 || httpStatus === 404 || httpStatus === 405 || httpStatus >= 500) {
    return { status: "unavailable", message: "Assist unavailable: draw by hand" };
  }
  if (httpStatus === 403) return { status: "failed", message: "Your session has ended: log in again" };
  return { status: "failed", message: detail ? `Assist refused: ${detail}` : `Assist refused (HTTP ${httpStatus})` };
}

/**
 * Twice the area of the triangle a, b, c (the cost of dropping b).
 * @param {Point} a @param {Point} b @param {Point} c
 */
function triangleArea(a, b, c) {
  return Math.abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y));
}

/**
 * A closed ring with at most `max` vertices: the vertex whose triangle with its neighbours is
 * smallest goes first (Visvalingam–Whyatt), until `max` are left. The server simplifies
 * already (docs/assist.md); this keeps the page within the task's limit whatever a backend
 * sends.
 * @param {Point[]} vertices @param {number} max @returns {Point[]}
 */
export function simplifyRing(vertices, max) {
  const ring = vertices.map((v) => ({ x: v.x, y: v.y }));
  const keep = Math.max(3, Math.floor(max));
  while (ring.length > keep) {
    let best = 0, bestArea = Infinity;
    for (let i = 0; i < ring.length; i++) {
      const area = triangleArea(ring[(i - 1 + ring.length) % ring.length], ring[i], ring[(i + 1) % ring.length]);
      if (area < bestArea) {
        best = i;
        bestArea = area;
      }
    }
    ring.splice(best, 1);
  }
  return ring;
}

/** @param {any} v @returns {v is Point} */
const isPoint = (v) => Boolean(v) && Number.isFinite(v.x) && Number.isFinite(v.y);

/**
 * The returned shape as the task takes it: a polygon (rounded, at most `maxVertices`, at least
 * 3 vertices) or a box (a polygon becomes its bounding box; a box becomes a 4-vertex polygon).
 * null when the shape is malformed or degenerate.
 * @param {any} shape the answer's `shape` @param {AssistGeometry} geometry
 * @param {number | null} [maxVertices]
 * @returns {AssistShape | null}
 */
export function shapeForTask(shape, geometry, maxVertices = null) {
  if (!shape || typeof shape !== "object") return null;
  /** @type {Point[]} */
  let vertices;
  if (shape.type === "polygon" && Array.isArray(shape.vertices) && shape.vertices.every(isPoint)) {
    vertices = shape.vertices;
  } else if (shape.type === "box" && ["left", "top", "width", "height"].every((k) => Number.isFinite(shape[k]))) {
    const { left, top, width, height } = shape;
    vertices = [{ x: left, y: top }, { x: left + width, y: top }, { x: left + width, y: top + height }, { x: left, y: top + height }];
  } else {
    return null;
  }
  if (vertices.length < 3) return null;
  if (geometry === "box") {
    const xs = vertices.map((v) => v.x), ys = vertices.map((v) => v.y);
    const left = round(Math.min(...xs)), top = round(Math.min(...ys));
    const width = round(Math.max(...xs) - left), height = round(Math.max(...ys) - top);
    return width > 0 && height > 0 ? { type: "box", left, top, width, height } : null;
  }
  const limited = Number.isFinite(maxVertices) && vertices.length > /** @type {number} */ (maxVertices)
    ? simplifyRing(vertices, /** @type {number} */ (maxVertices)) : vertices;
  return { type: "polygon", vertices: limited.map(roundPoint) };
}

/**
 * The prompt state machine of the Assist tool. Each change of the prompt may send a request
 * (`request()` gives it a sequence number); an answer counts only when its number is the
 * latest one sent and the prompt has not been cleared since (`answer()` returns false for a
 * stale one, which the page ignores).
 */
export class AssistSession {
  /** @param {{mode?: AssistMode, tolerance?: number}} [options] */
  constructor({ mode = "box", tolerance = DEFAULT_TOLERANCE } = {}) {
    /** @type {AssistMode} */
    this.mode = mode;
    this.tolerance = tolerance;
    /** @type {number[] | null} [x0, y0, x1, y1] */
    this.box = null;
    /** @type {PromptPoint[]} */
    this.points = [];
    /** @type {Point[]} scissors anchors */
    this.anchors = [];
    /** @type {{uuid: string, vertices: Point[]} | null} the polygon being snapped */
    this.snap = null;
    /** @type {AssistStatus} */
    this.status = "idle";
    this.message = "";
    /** @type {AssistShape | null} */
    this.preview = null;
    /** The number of the latest request; answers to any other are stale. */
    this.seq = 0;
    /** Extras of the latest answer: its source and model version. */
    this.source = "";
  }

  /** Something is prompted or previewed (Esc has something to discard). */
  get busy() {
    return Boolean(this.box || this.points.length || this.anchors.length || this.snap || this.preview
      || this.status === "pending");
  }

  /** Drop the prompt and its preview; an answer still on its way becomes stale. */
  clear() {
    this.box = null;
    this.points = [];
    this.anchors = [];
    this.snap = null;
    this.preview = null;
    this.status = "idle";
    this.message = "";
    this.seq += 1;
  }

  /** @param {AssistMode} mode @returns {boolean} whether it changed (the prompt is dropped) */
  setMode(mode) {
    if (!MODES.includes(mode) || mode === this.mode) return false;
    this.clear();
    this.mode = mode;
    return true;
  }

  /** The next mode, round the list (W). */
  nextMode() {
    return MODES[(MODES.indexOf(this.mode) + 1) % MODES.length];
  }

  /** A new box prompt (a drag): it replaces the prompt; box mode. @param {Point} a @param {Point} b */
  setBox(a, b) {
    this.clear();
    this.mode = "box";
    this.box = boxPrompt(a, b);
  }

  /**
   * A clicked point. In box mode it refines the box (refused without one: returns false); in
   * region mode a positive one adds its region (a seed) and a negative one excludes (refused
   * before a seed); scissors take it as the next anchor (its sign is ignored).
   * @param {Point} point @param {boolean} positive @returns {boolean}
   */
  addPoint(point, positive) {
    if (this.snap) this.clear();
    if (this.mode === "box" && !this.box) return false;
    if (this.mode === "region" && !positive && !this.points.some((p) => p.positive)) return false;
    if (this.mode === "scissors") this.anchors.push(roundPoint(point));
    else this.points.push({ ...roundPoint(point), positive });
    return true;
  }

  /** Snap an existing polygon's edges to the image (the prompt is its vertices). @param {string} uuid @param {Point[]} vertices */
  startSnap(uuid, vertices) {
    this.clear();
    this.snap = { uuid, vertices: vertices.map(roundPoint) };
  }

  /**
   * Take back the last prompt element (Backspace): a point, an anchor, else the box or the
   * snap. Returns false when there was nothing.
   */
  removeLast() {
    if (this.mode === "scissors" && this.anchors.length) this.anchors.pop();
    else if (this.points.length) this.points.pop();
    else if (this.box || this.snap || this.preview) {
      this.clear();
      return true;
    } else return false;
    this.preview = null;
    this.status = "idle";
    this.message = "";
    this.seq += 1;
    return true;
  }

  /** Change the region tolerance by `delta`, within 0–100; returns the new value. @param {number} delta */
  stepTolerance(delta) {
    this.tolerance = Math.min(100, Math.max(0, this.tolerance + delta));
    return this.tolerance;
  }

  /**
   * The request for the current prompt, numbered, or null (not enough prompt: the status goes
   * back to idle). A request makes every earlier one stale and drops the old preview.
   * @param {{geometry: AssistGeometry, maxVertices?: number | null}} target
   * @returns {{seq: number, body: Record<string, any>} | null}
   */
  request(target) {
    this.seq += 1;
    this.preview = null;
    const body = buildRequest(this, target);
    if (!body) {
      this.status = "idle";
      this.message = "";
      return null;
    }
    this.status = "pending";
    this.message = "Assisting…";
    return { seq: this.seq, body };
  }

  /** Is `seq` the request whose answer still counts? @param {number} seq */
  isCurrent(seq) {
    return seq === this.seq && this.status === "pending";
  }

  /**
   * The answer to request `seq`: false when it is stale (ignored). Otherwise the status, the
   * message and the preview follow it.
   * @param {number} seq @param {number} httpStatus (0: network failure) @param {any} payload
   * @param {{geometry: AssistGeometry, maxVertices?: number | null}} target
   * @returns {boolean}
   */
  answer(seq, httpStatus, payload, target) {
    if (!this.isCurrent(seq)) return false;
    let { status, message } = outcomeOf(httpStatus, payload);
    /** @type {AssistShape | null} */
    let preview = null;
    if (status === "ready") {
      const geometry = this.snap ? "polygon" : target.geometry;
      preview = shapeForTask(payload.shape, geometry, target.maxVertices ?? null);
      if (!preview) ({ status, message } = { status: "empty", message: "No shape found" });
    }
    this.status = status;
    this.message = message;
    this.preview = preview;
    this.source = typeof payload?.source === "string" ? payload.source : "";
    return true;
  }

  /**
   * Enter: the previewed shape and, for a snap, the polygon it replaces; the prompt is
   * cleared. null when nothing is previewed.
   * @returns {{shape: AssistShape, snapOf: string | null} | null}
   */
  accept() {
    if (!this.preview || this.status !== "ready") return null;
    const result = { shape: this.preview, snapOf: this.snap ? this.snap.uuid : null };
    this.clear();
    return result;
  }
}
