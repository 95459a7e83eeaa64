// A video task in the workbench (GET /data has `video.frames`): the frames (preloaded ahead of
// the playhead), the frame bar and timeline under the canvas, play / pause / step, the
// selected track's keyframe tools and the events. The document is a VideoStore (tracks seen
// through the current frame), so the tools, the undo log, autosave, locks and submit work as
// for an image; everything video-specific stays in the video-*.js modules.

import { newUuid } from "../lib/annotationstore.js";
import { isMissing } from "../lib/attributes.js";
import {
  eventAttributeDefs, eventName, firstEventProblem, setEventAttribute, withDefaults,
} from "../lib/eventattributes.js";
import { clone, extrasOf } from "../lib/oplog.js";
import { clampFrame, makeEvent, nextMark, sortEvents, eventProblem } from "../lib/timeline.js";
import { frameLayerShapes, hasFrameLayers, keyframeAt, markOutside, markVisible, removeKeyframe } from "../lib/tracks.js";
import { FrameLoader } from "./video-frames.js";
import { changedEvents, eventsPanel } from "./video-events.js";
import { addVideoHelp, matchVideo } from "./video-keys.js";
import { Timeline } from "./video-timeline.js";
import { VideoStore } from "./video-store.js";

const DEFAULT_FPS = 10;
const PANEL_REFRESH_MS = 120;

/** The store of a video task (called by the Workbench constructor). */
export function createVideoStore(app, data, extras) {
  return new VideoStore(data.annotations || [], extras, {
    adopt: true,
    frameCount: data.video.frames.length,
    geometries: app.geometries,
    relabel: (track, attributes, label) => app.relabelAttributes({ ...track, attributes }, label),
    can: (action, uuid) => app.can(action, uuid),
    onRefused: (reason) => app.refuse(reason),
  });
}

/**
 * The video part of the workbench. It extends the Workbench only through app.hooks (hooks.js,
 * docs/workbench.md "Extending the workbench") and the Workbench's public methods.
 */
export class VideoController {
  /** @param {any} app the Workbench (its store is a VideoStore) */
  constructor(app) {
    this.app = app;
    const video = app.data.video;
    this.frames = video.frames;
    this.count = this.frames.length;
    this.eventLabels = Array.isArray(video.events_to_annotate) ? video.events_to_annotate : [];
    // the events live in the draft's extras, changed by set_extras ops (undoable, autosaved)
    const extras = extrasOf(app.store.model);
    if (!Array.isArray(extras.events)) extras.events = sortEvents(Array.isArray(video.events) ? clone(video.events) : []);
    this.shownEvents = null;
    // the global attributes whose label_condition names an event label are answered per event
    this.eventDefs = eventAttributeDefs(app.params.annotation_attributes, this.eventLabels);
    /** uuid of the event whose attributes the Events panel shows */
    this.selectedEvent = null;
    this.rangeStart = null;
    this.fps = DEFAULT_FPS;
    this.playing = false;
    this.timer = 0;
    this.loader = new FrameLoader(this.frames, (index) => this.frameLoaded(index));
    app.root.classList.add("wb-video-task");
    app.root.dataset.frames = String(this.count);

    // the read-only layers, one Layer object per frame: the Workbench draws the current frame's
    this.layers = hasFrameLayers(video.layers) ? video.layers : null;
    if (this.layers) this.showLayer(0);

    this.timeline = new Timeline(this);
    app.stage.append(this.timeline.root);
    if (this.eventLabels.length) this.addEventsPanel();
    app.hooks.addCommandGuard((command) => this.guardHidden(command));
    app.hooks.addCommandGuard((command) => this.guardSubmit(command));
    addVideoHelp(app.hooks);
    app.hooks.addKeyHandler((event) => this.onKeyDown(event));
    app.store.onChange((change) => this.onStoreChange(change));
    this.timeline.showTracks();
    this.showEvents();
    this.timeline.showFrame(0, true);
  }

  get frame() {
    return this.app.store.frame;
  }

  get events() {
    const events = this.app.store.model.extras?.events;
    return Array.isArray(events) ? events : [];
  }

  addEventsPanel() {
    const panel = this.app.panels.add(eventsPanel(this));
    // before the annotation list, which takes the rest of the column
    const list = this.app.side.querySelector(".wb-panel-annotations");
    if (list) list.before(panel.section);
  }

  /**
   * A command guard: the commands that need the selection's shape on this frame refuse a
   * track not in view.
   */
  guardHidden(command) {
    const app = this.app;
    if (!["copy", "enter", "nudge"].includes(command)) return undefined;
    if (![...app.store.selection].some((uuid) => app.store.hidden(uuid))) return undefined;
    app.refuse(`The selected object is not in view on frame ${this.frame + 1}`);
    return true;
  }

  // ---------------------------------------------------------------- layers

  /** The Workbench draws the shapes of this frame's layer (the layers button stays, even when empty). */
  showLayer(frame) {
    this.app.hooks.setLayers(frameLayerShapes(this.layers, frame));
  }

  // ---------------------------------------------------------------- frames

  /** Show frame 0 (the Workbench's loadImage for a video task). */
  loadFirstFrame() {
    const app = this.app;
    const first = this.frames[0];
    if (first) app.imageSize = { width: first.width || 1000, height: first.height || 1000 };
    app.panels.update({ kind: "image", size: app.imageSize });
    app.fit();
    this.loader.load(0).then((image) => {
      if (image) this.showImage(image, 0);
      else {
        app.imageFailed = true;
        app.status("The first frame could not be loaded. The annotations are still shown.", "error");
      }
      app.root.dataset.ready = "true";
      this.timeline.showFrame(this.frame, !image);
    });
    this.loader.focus(0);
  }

  showImage(image, index) {
    const app = this.app;
    app.image = image;
    app.imageReady = true;
    app.imageFailed = false;
    const frame = this.frames[index];
    const width = image.width || frame.width, height = image.height || frame.height;
    if (width !== app.imageSize.width || height !== app.imageSize.height) {
      app.imageSize = { width, height };
      app.panels.update({ kind: "image", size: app.imageSize });
    }
    this.shownImage = index;
    app.invalidate("overlay");
  }

  frameLoaded(index) {
    if (index === this.frame && this.shownImage !== index) {
      const image = this.loader.image(index);
      if (image) this.showImage(image, index);
      this.timeline.showFrame(this.frame, !image);
    }
  }

  /** Go to a frame; refused while a shape is being drawn or dragged, or the picker is open. */
  seek(frame, { quiet = false } = {}) {
    const app = this.app;
    const target = clampFrame(frame, this.count);
    if (app.mode !== "idle" || app.tool.busy || app.gesture) {
      if (!quiet) app.refuse("Finish the shape being drawn (or Esc) before changing the frame");
      return false;
    }
    if (!app.store.setFrame(target)) return false;
    if (this.layers) this.showLayer(target);
    app.lastEdit = ""; // a nudge run ends with the frame
    app.store.seal();
    const image = this.loader.image(target);
    if (image) this.showImage(image, target);
    this.loader.focus(target);
    app.setHover(null);
    app.invalidate("static");
    this.timeline.showFrame(target, !image);
    this.schedulePanels();
    return true;
  }

  step(delta) {
    this.pause();
    return this.seek(this.frame + delta) || true;
  }

  seekEnd(direction) {
    this.pause();
    this.seek(direction < 0 ? 0 : this.count - 1);
    return true;
  }

  /** The attribute panel and list follow the frame, at most every PANEL_REFRESH_MS. */
  schedulePanels() {
    if (this.panelTimer) return;
    this.panelTimer = setTimeout(() => {
      this.panelTimer = 0;
      if (this.app.store.selection.size) this.app.panels.update({ kind: "select", op: null, uuids: new Set() });
    }, PANEL_REFRESH_MS);
  }

  // ---------------------------------------------------------------- playback

  playPause() {
    if (this.playing) this.pause();
    else this.play();
    return true;
  }

  play() {
    if (this.playing) return;
    if (this.frame >= this.count - 1) this.seek(0, { quiet: true });
    this.playing = true;
    this.app.root.dataset.playing = "true";
    this.timeline.showPlaying(true);
    this.tick();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    clearTimeout(this.timer);
    delete this.app.root.dataset.playing;
    this.timeline.showPlaying(false);
  }

  /** Next frame once it is loaded (playback waits for a frame rather than skipping it). */
  tick() {
    if (!this.playing) return;
    const next = this.frame + 1;
    if (next >= this.count) {
      this.pause();
      return;
    }
    if (this.loader.image(next) || this.loader.failed.has(next)) {
      if (!this.seek(next, { quiet: true })) {
        this.pause();
        return;
      }
    } else {
      this.loader.focus(next);
    }
    this.timer = setTimeout(() => this.tick(), 1000 / this.fps);
  }

  // ---------------------------------------------------------------- keys

  /**
   * The key handler (hooks.addKeyHandler; the Workbench calls it only in the idle mode,
   * outside text fields and the picker): true when it took the key.
   */
  onKeyDown(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    // the panels' own keys (the angle dial's arrows), but a panel's button does not keep them
    if (target?.closest?.(".wb-side") && target.tagName !== "BUTTON") return false;
    const binding = matchVideo(event);
    if (!binding) return false;
    this[binding.command](...(binding.args || []));
    return true;
  }

  // ---------------------------------------------------------------- tracks

  /** The single selected track on this frame: {uuid, track, keyframe, present}, or null. */
  trackState() {
    const store = this.app.store;
    const uuid = store.selected;
    const track = uuid ? store.track(uuid) : null;
    if (!track?.keyframes) return null;
    return { uuid, track, keyframe: keyframeAt(track, this.frame), present: !store.hidden(uuid) };
  }

  keyframeStep(direction) {
    const state = this.trackState();
    if (!state) {
      this.app.refuse("Select one track to go to its keyframes");
      return true;
    }
    const frame = nextMark(state.track.keyframes.map((k) => k.frame), this.frame, direction);
    if (frame === null) this.app.status(direction > 0 ? "No keyframe after this frame" : "No keyframe before this frame");
    else {
      this.pause();
      this.seek(frame);
    }
    return true;
  }

  /** Replace the selected track's keyframes (one undo step). */
  commitKeyframes(state, result, message) {
    const app = this.app;
    if (result.error) {
      app.refuse(result.error);
      return false;
    }
    app.store.seal();
    app.store.apply({
      op: "update", uuid: state.uuid,
      before: { keyframes: clone(state.track.keyframes) }, after: { keyframes: result.keyframes },
    });
    app.lastEdit = "";
    app.status(message);
    return true;
  }

  removeKeyframe() {
    const state = this.trackState();
    if (!state || !this.app.refuseUnless("edit_geometry", state.uuid)) return false;
    return this.commitKeyframes(state, removeKeyframe(state.track, this.frame),
      `Keyframe at frame ${this.frame + 1} removed`);
  }

  /** In view: it leaves the view from here. Not in view: it comes back here. */
  toggleOutside() {
    const state = this.trackState();
    if (!state || !this.app.refuseUnless("edit_geometry", state.uuid)) return false;
    if (state.present) {
      return this.commitKeyframes(state, markOutside(state.track, this.frame, this.app.geometries),
        `The object is outside from frame ${this.frame + 1}`);
    }
    return this.commitKeyframes(state, markVisible(state.track, this.frame, this.app.geometries),
      `The object is in view again from frame ${this.frame + 1}`);
  }

  onStoreChange(change) {
    if (change.kind === "hover") return;
    this.timeline.showTracks();
    if (this.events !== this.shownEvents) this.showEvents();
  }

  showEvents() {
    // events of a draft rebuilt from a response file have no uuid: the selection needs one
    for (const event of this.events) if (event && !event.uuid) event.uuid = newUuid();
    this.shownEvents = this.events;
    this.timeline.showEvents(this.events);
    this.app.panels.update({ kind: "events" });
    this.app.root.dataset.events = String(this.events.length);
  }

  // ---------------------------------------------------------------- events

  addPointEvent(label) {
    return this.addEvent(makeEvent(label, this.frame));
  }

  startRange(label) {
    if (!this.app.refuseUnless("edit_attributes")) return;
    this.rangeStart = { label, start: this.frame };
    this.app.status(`Range “${label}” from frame ${this.frame + 1}: go to its last frame and press End range here`);
    this.app.panels.update({ kind: "events" });
  }

  endRange() {
    const pending = this.rangeStart;
    if (!pending) return;
    this.rangeStart = null;
    if (!this.addEvent(makeEvent(pending.label, pending.start, this.frame))) this.app.panels.update({ kind: "events" });
  }

  cancelRange() {
    this.rangeStart = null;
    this.app.panels.update({ kind: "events" });
  }

  addEvent(made) {
    const event = withDefaults(this.eventDefs, { ...made, uuid: newUuid() });
    const problem = eventProblem(event, this.eventLabels, this.count);
    if (problem) {
      this.app.refuse(problem);
      return false;
    }
    const added = this.setEvents(sortEvents([...this.events, event]));
    if (added) {
      this.selectedEvent = event.uuid;
      this.showEvents();
      const where = event.type === "range" ? `frames ${event.start + 1}–${event.end + 1}` : `frame ${event.start + 1}`;
      this.app.status(`Event “${event.label}” added (${where})`);
    }
    return added;
  }

  changeEvent(index, changes) {
    const result = changedEvents(this.events, index, changes, this.eventLabels, this.count, this.eventDefs);
    if (result.error) {
      this.app.refuse(result.error);
      this.app.panels.update({ kind: "events" });
      return false;
    }
    return this.setEvents(result.events);
  }

  deleteEvent(index) {
    const event = this.events[index];
    if (!event) return false;
    const done = this.setEvents(this.events.filter((_, i) => i !== index));
    if (done) this.app.status(`Event “${event.label}” deleted`);
    return done;
  }

  /** Show the attributes of the event `uuid` in the Events panel (null: none). */
  selectEvent(uuid) {
    this.selectedEvent = uuid || null;
    this.showEvents();
  }

  /** Set (or clear) one attribute of the event `uuid`: one undo step, as a label change. */
  setEventAttribute(uuid, id, value) {
    const index = this.events.findIndex((event) => event.uuid === uuid);
    if (index < 0) return false;
    const result = setEventAttribute(this.eventDefs, this.events[index], id, value);
    if (result.error) {
      this.app.refuse(result.error);
      this.app.panels.update({ kind: "events" });
      return false;
    }
    if (JSON.stringify(result.event) === JSON.stringify(this.events[index])) return true; // no change
    const done = this.setEvents(this.events.map((event, i) => (i === index ? result.event : event)));
    if (done) this.app.status(isMissing(value) ? `${id} cleared` : `${id} set`);
    return done;
  }

  /** A command guard: a submit waits until every event's required attributes are answered. */
  guardSubmit(command) {
    const app = this.app;
    if (command !== "submit" || app.readOnly || app.mode !== "idle") return undefined;
    const blocker = firstEventProblem(this.eventDefs, this.events);
    if (!blocker) return undefined;
    const what = blocker.problems.map((p) => `${p.id} ${p.reason}`).join("; ");
    this.selectEvent(blocker.event.uuid);
    app.root.querySelector(".wb-panel-events")?.scrollIntoView({ block: "nearest" });
    const message = `Not submitted: event ${eventName(blocker.event)}: ${what}`;
    app.status(message, "error");
    app.showBanner(message);
    app.root.dataset.submitError = what;
    return true;
  }

  /** The new event list, as ONE undo step: a set_extras op the live session sends as is. */
  setEvents(events) {
    const app = this.app;
    if (!app.refuseUnless("edit_attributes")) return false;
    app.store.seal();
    const entry = app.store.apply({ op: "set_extras", key: "events", before: clone(this.events), after: clone(events) });
    app.lastEdit = "";
    return Boolean(entry);
  }
}
