// The document of a video task (no DOM): an AnnotationStore whose model holds TRACKS (the
// draft's annotations, as the server, the OpLog and autosave know them), seen through the
// current frame. get(uuid) gives the track's flat shape on that frame (interpolated between
// keyframes), so the tools, the renderer, hit testing and the panels work as for an image;
// the spatial index holds only the tracks in view on that frame. apply() turns the ops the
// tools make on flat shapes into track ops (lib/tracks.js), so one edit = one op =
// one undo step, as for images.
//
// A track that is absent on the current frame (before its first keyframe, or outside) is
// still listed and may stay selected: get() gives its held shape (marked, see hidden()) so the
// panels can name it, but it is not indexed, not drawn, and edits of its shape are refused.

import { AnnotationStore } from "../lib/annotationstore.js";
import { bounds } from "../lib/geometry.js";
import { trackUpdateActions } from "../lib/locks.js";
import { clone } from "../lib/oplog.js";
import { frameOpToTrackOp, heldShape, isTrack, trackAt } from "../lib/tracks.js";

export class VideoStore extends AnnotationStore {
  /**
   * @param {object[]} items tracks as GET /data gives them
   * @param {object} extras
   * @param {{adopt?: boolean, frameCount: number, geometries?: object,
   *   relabel?: (track: any, attributes: object, label: any) => object,
   *   can?: (action: string, uuid: string) => {allowed: boolean, reason: string},
   *   onRefused?: (reason: string) => void}} options can: the workbench's lock verdict, asked
   *   again for what each track op amounts to (lib/locks.js trackUpdateActions)
   */
  constructor(items, extras, options) {
    super(items, extras, options);
    this.frame = 0;
    this.frameCount = options.frameCount;
    this.geometries = options.geometries || {};
    this.relabel = options.relabel || null;
    this.onRefused = options.onRefused || (() => {});
    this.can = options.can || (() => ({ allowed: true, reason: "" }));
    /** uuid → {track, frame, shape, present} */
    this.shapes = new Map();
    for (const uuid of this.model.keys()) this.indexOne(uuid);
  }

  /** The track's flat shape on the current frame (its held shape when absent). */
  get(uuid) {
    const entry = this.entry(uuid);
    return entry ? entry.shape : undefined;
  }

  /** The track itself (keyframes), as the draft holds it. */
  track(uuid) {
    return this.model.get(uuid);
  }

  /** Is the track absent on the current frame (not drawn, not editable)? */
  hidden(uuid) {
    const entry = this.entry(uuid);
    return Boolean(entry) && !entry.present;
  }

  entry(uuid) {
    const track = this.model.get(uuid);
    if (!track) return null;
    let entry = this.shapes.get(uuid);
    if (entry && entry.track === track && entry.frame === this.frame) return entry;
    if (!isTrack(track)) {
      entry = { track, frame: this.frame, shape: track, present: true };
    } else {
      let shape = null;
      try {
        shape = trackAt(track, this.frame, this.geometries);
      } catch {
        shape = null; // malformed keyframes: listed, not drawn
      }
      const present = Boolean(shape);
      if (!shape) {
        try {
          shape = heldShape(track, this.frame, this.geometries);
        } catch {
          shape = null;
        }
      }
      shape = shape || { uuid, type: track.type, ...(track.label !== undefined ? { label: track.label } : {}), attributes: {} };
      entry = { track, frame: this.frame, shape, present };
    }
    this.shapes.set(uuid, entry);
    return entry;
  }

  indexOne(uuid) {
    if (!this.shapes) return; // during super(): indexed once the frame is known
    if (!this.model.has(uuid) || this.hidden(uuid)) {
      if (!this.model.has(uuid)) this.shapes.delete(uuid);
      this.index.remove(uuid);
      return;
    }
    try {
      this.index.update(uuid, bounds(this.get(uuid)));
    } catch {
      this.index.remove(uuid); // malformed geometry: not hit-testable, still listed
    }
  }

  /**
   * Show another frame: the shapes and the index follow. Returns whether it changed. Listeners
   * are not told (the video controller redraws what depends on the frame).
   */
  setFrame(frame) {
    const next = Math.max(0, Math.min(this.frameCount - 1, frame));
    if (next === this.frame) return false;
    this.frame = next;
    for (const uuid of this.model.keys()) this.indexOne(uuid);
    return true;
  }

  /** An edit: tool ops on flat shapes become track ops; null when it cannot apply here. */
  apply(op, options = {}) {
    if (op.op === "set_extras") {
      // the events: the whole list as one op (the base store only knows annotation ops)
      const entry = this.log.apply(this.model, op, options);
      this.after("apply", entry);
      return entry;
    }
    const trackOp = frameOpToTrackOp(this.model, op, {
      frame: this.frame,
      geometries: this.geometries,
      relabel: this.relabel,
    });
    if (!trackOp) {
      this.onRefused(`The object is not in view on frame ${this.frame + 1}: bring it back here first`);
      return null;
    }
    const refusal = this.lockRefusal(trackOp);
    if (refusal) {
      this.onRefused(refusal);
      return null;
    }
    return super.apply(trackOp, options);
  }

  /**
   * Why a track op is not allowed ("" when it is): every per-frame edit becomes a change of
   * keyframes, which the base-annotation locks judge as geometry and / or attributes.
   */
  lockRefusal(op) {
    if (op.op === "batch") {
      for (const item of op.ops) {
        const reason = this.lockRefusal(item);
        if (reason) return reason;
      }
      return "";
    }
    const track = op.op === "update" || op.op === "delete" ? this.model.get(op.uuid ?? op.annotation?.uuid) : null;
    if (!track || !isTrack(track)) return "";
    const actions = op.op === "delete" ? ["delete"] : trackUpdateActions(track, op.after || {});
    for (const action of actions) {
      const verdict = this.can(action, track.uuid);
      if (!verdict.allowed) return verdict.reason;
    }
    return "";
  }

  after(kind, op) {
    if (op?.op === "set_extras") this.emit(kind, op, new Set());
    else super.after(kind, op);
  }

  /** The tracks as the draft holds them (deep copies, in model order). */
  responseAnnotations() {
    return this.list().map((track) => clone(track));
  }

  /** The flat shapes in view on the current frame (skeleton connections). */
  *frameShapes() {
    for (const uuid of this.model.keys()) if (!this.hidden(uuid)) yield this.get(uuid);
  }

  /** Every track in model order (not the frame's shapes). */
  list() {
    return [...this.model.values()];
  }
}
