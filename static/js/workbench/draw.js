// Canvas2D path builders and the colour scheme. No state: every function draws what it is
// given. Paths are traced in IMAGE coordinates (the caller sets the view transform), so one
// stroke() per style draws thousands of shapes; sizes given in screen pixels are divided by
// `scale`.

import {
  boxCorners,
  cuboidVertexMap,
  ellipseFromVertices,
} from "../lib/geometry.js";

export const NO_LABEL_COLOR = "#d0d5dc";
/** Radius of a point annotation, screen px. */
export const POINT_RADIUS = 4.5;
export const LAYER_COLOR = "#aab4c2";
export const DANGER_COLOR = "#ff4d4f";
export const ACCENT_COLOR = "#ffffff";

/** Does the type enclose an area (filled) rather than being a stroke only? */
export function isArea(type) {
  return type === "box" || type === "polygon" || type === "ellipse" || type === "cuboid";
}

/**
 * Add an annotation's outline to the current path (image coordinates).
 * `scale` is the view's (screen px per image px): points get a radius of `pointPx` screen
 * pixels and ellipses as many segments as their size on screen needs. Malformed geometry
 * draws nothing.
 * @param {CanvasRenderingContext2D} ctx @param {any} a @param {number} scale
 * @param {number} [pointPx]
 */
export function traceShape(ctx, a, scale, pointPx = POINT_RADIUS) {
  const pointRadius = pointPx / scale;
  switch (a.type) {
    case "box":
      if (a.rotation) {
        ring(ctx, boxCorners(a), true);
      } else {
        ctx.rect(a.left, a.top, a.width, a.height);
      }
      break;
    case "polygon":
      ring(ctx, a.vertices, true);
      break;
    case "line":
      ring(ctx, a.vertices, false);
      break;
    case "ellipse":
      traceEllipse(ctx, a, scale);
      break;
    case "cuboid":
      traceCuboid(ctx, a);
      break;
    case "point":
      ctx.moveTo(a.x + pointRadius, a.y);
      ctx.arc(a.x, a.y, pointRadius, 0, 2 * Math.PI);
      break;
    default:
      break;
  }
}

/** The region that is filled for an area type (a cuboid: its front face only). */
export function traceFill(ctx, a, scale) {
  if (a.type === "cuboid") {
    const m = safeCuboidMap(a);
    if (m) ring(ctx, [m["face-topleft"], m["face-topright"], m["face-bottomright"],
      m["face-bottomleft"]], true);
    return;
  }
  traceShape(ctx, a, scale);
}

// Rings are closed with a lineTo back to the first point, never closePath(): Chrome's
// closePath() costs time proportional to the whole path, so one path of 5,000 closed
// polygons took 330 ms instead of 5 ms. For the same reason ellipses are traced as polygons
// (ctx.ellipse() in a long path is 15 times slower).
function ring(ctx, points, closed) {
  if (!points || !points.length) return;
  ctx.moveTo(points[0].x, points[0].y);
  for (let i = 1; i < points.length; i++) ctx.lineTo(points[i].x, points[i].y);
  if (closed && points.length > 2) ctx.lineTo(points[0].x, points[0].y);
}

/** An ellipse as a polygon fine enough for its size on screen. */
function traceEllipse(ctx, a, scale) {
  if (!a.vertices || a.vertices.length !== 4) return;
  const e = ellipseFromVertices(a.vertices);
  const cos = Math.cos(e.rotation || 0), sin = Math.sin(e.rotation || 0);
  const screenRadius = Math.max(e.rx, e.ry) * scale;
  const n = Math.max(24, Math.min(180, Math.ceil(screenRadius / 3)));
  for (let i = 0; i <= n; i++) {
    const t = (2 * Math.PI * i) / n;
    const ux = e.rx * Math.cos(t), uy = e.ry * Math.sin(t);
    const x = e.cx + ux * cos - uy * sin, y = e.cy + ux * sin + uy * cos;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
}

function safeCuboidMap(a) {
  try {
    return cuboidVertexMap(a.vertices);
  } catch {
    return null;
  }
}

function traceCuboid(ctx, a) {
  const m = safeCuboidMap(a);
  if (!m) return;
  const tl = m["face-topleft"], tr = m["face-topright"];
  const bl = m["face-bottomleft"], br = m["face-bottomright"];
  const st = m["side-topcorner"], sb = m["side-bottomcorner"];
  ring(ctx, [tl, tr, br, bl], true);
  const faceX = (tl.x + tr.x + bl.x + br.x) / 4;
  const right = (st.x + sb.x) / 2 > faceX;
  const nearTop = right ? tr : tl, nearBottom = right ? br : bl;
  ring(ctx, [nearTop, st, sb, nearBottom], false);
}

/** Draw a square handle centred on a screen point (screen coordinates). */
export function squareHandle(ctx, p, size, fill, stroke) {
  const h = size / 2;
  ctx.fillStyle = fill;
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.fillRect(p.x - h, p.y - h, size, size);
  ctx.strokeRect(p.x - h, p.y - h, size, size);
}

/** Draw a round handle centred on a screen point (screen coordinates). */
export function roundHandle(ctx, p, radius, fill, stroke) {
  ctx.beginPath();
  ctx.arc(p.x, p.y, radius, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

/** A small text tag with a dark background, its top-left corner at `p` (screen). */
export function tag(ctx, text, p, color) {
  ctx.font = "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const w = ctx.measureText(text).width + 8;
  ctx.fillStyle = "rgba(17, 20, 26, 0.82)";
  ctx.fillRect(p.x, p.y, w, 16);
  ctx.fillStyle = color;
  ctx.fillRect(p.x, p.y, 3, 16);
  ctx.fillStyle = "#f2f5f8";
  ctx.textBaseline = "middle";
  ctx.fillText(text, p.x + 6, p.y + 8.5);
  return w;
}

/** `#rrggbb` → `rgba(r, g, b, alpha)`. */
export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Add an arrow from `a` to `b` to the current path: the shaft and a head of `headPx` screen
 * pixels at `b` (coordinates in the current transform; `scale` screen px per unit).
 */
export function arrow(ctx, a, b, scale, headPx = 9) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  if (length < 1e-9) return;
  const head = headPx / scale;
  const ux = dx / length, uy = dy / length;
  const back = { x: b.x - ux * head, y: b.y - uy * head };
  ctx.moveTo(back.x - uy * head * 0.5, back.y + ux * head * 0.5);
  ctx.lineTo(b.x, b.y);
  ctx.lineTo(back.x + uy * head * 0.5, back.y - ux * head * 0.5);
}
