// The frame bar under the canvas of a video task: transport buttons, the frame counter, the
// selected track's keyframe tools, and the timeline strip with the playhead, the selected
// tracks' keyframes and in-view ranges, and the events. Positions are percentages of the
// strip, so a resize needs no work; moving the playhead touches one element.

import { eventProblems, eventValues } from "../lib/eventattributes.js";
import { eventRows, frameToX, rangeToSpan, xToFrame } from "../lib/timeline.js";
import { keyframeMarks, visibleRanges } from "../lib/tracks.js";

const pct = (value) => `${value.toFixed(4)}%`;

function el(tag, className = "", attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function button(text, title, onClick, className = "wb-button") {
  const b = el("button", className, { type: "button", title, "aria-label": title });
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

export class Timeline {
  /** @param {any} video the VideoController */
  constructor(video) {
    this.video = video;
    const count = video.count;
    this.root = el("div", "wb-video", { "aria-label": "Frames and timeline" });

    const bar = el("div", "wb-video-bar");
    const transport = el("div", "wb-video-transport");
    this.playButton = button("▶", "Play (K)", () => video.playPause(), "wb-button wb-video-play");
    this.playButton.dataset.action = "play";
    transport.append(
      button("«", "First frame (Home)", () => video.seekEnd(-1)),
      button("‹", "Previous frame (←; Shift: ten)", () => video.step(-1)),
      this.playButton,
      button("›", "Next frame (→; Shift: ten)", () => video.step(1)),
      button("»", "Last frame (End)", () => video.seekEnd(1)),
    );
    this.counter = el("span", "wb-video-counter", { "aria-live": "off" });
    this.speed = el("select", "wb-video-speed", { title: "Playback speed", "aria-label": "Playback speed" });
    for (const fps of [1, 2, 5, 10, 15, 25, 30]) {
      const option = el("option");
      option.value = String(fps);
      option.textContent = `${fps} fps`;
      this.speed.append(option);
    }
    this.speed.value = String(video.fps);
    this.speed.addEventListener("change", () => { video.fps = Number(this.speed.value) || 10; });

    this.trackTools = el("div", "wb-video-track");
    this.keyState = el("span", "wb-video-keystate");
    this.prevKey = button("◆◀", "Previous keyframe of the selected track (,)", () => video.keyframeStep(-1));
    this.nextKey = button("▶◆", "Next keyframe of the selected track (.)", () => video.keyframeStep(1));
    this.removeKey = button("Remove keyframe", "Remove the selected track's keyframe on this frame", () => video.removeKeyframe());
    this.removeKey.dataset.action = "remove-keyframe";
    this.outside = button("Outside from here", "The object leaves the view from this frame on", () => video.toggleOutside());
    this.outside.dataset.action = "outside";
    this.trackTools.append(this.keyState, this.prevKey, this.nextKey, this.removeKey, this.outside);
    bar.append(transport, this.counter, this.speed, this.trackTools);

    this.strip = el("div", "wb-timeline", {
      role: "slider", tabindex: "0", "aria-label": "Frame", "aria-valuemin": "1", "aria-valuemax": String(count),
    });
    this.ranges = el("div", "wb-tl-ranges");
    this.marks = el("div", "wb-tl-marks");
    this.events = el("div", "wb-tl-events");
    this.playhead = el("div", "wb-tl-playhead");
    this.strip.append(this.ranges, this.marks, this.events, this.playhead);
    this.bindStrip();
    this.root.append(bar, this.strip);
  }

  bindStrip() {
    const seekAt = (event) => {
      const rect = this.strip.getBoundingClientRect();
      this.video.seek(xToFrame(event.clientX - rect.left, this.video.count, rect.width));
    };
    this.strip.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      // on an event's mark: that event is selected (the Events panel shows its attributes)
      const mark = /** @type {HTMLElement} */ (event.target).closest?.(".wb-tl-event");
      if (mark) this.video.selectEvent(this.video.events[Number(mark.dataset.index)]?.uuid);
      this.strip.setPointerCapture(event.pointerId);
      this.dragging = true;
      seekAt(event);
    });
    this.strip.addEventListener("pointermove", (event) => {
      if (this.dragging) seekAt(event);
    });
    const end = (event) => {
      this.dragging = false;
      if (this.strip.hasPointerCapture?.(event.pointerId)) this.strip.releasePointerCapture(event.pointerId);
      this.video.app.canvas.focus({ preventScroll: true });
    };
    this.strip.addEventListener("pointerup", end);
    this.strip.addEventListener("pointercancel", end);
  }

  /** The playhead and the counter (every frame change). */
  showFrame(frame, loading) {
    const count = this.video.count;
    this.playhead.style.left = pct(frameToX(frame, count, 100));
    this.counter.textContent = `Frame ${frame + 1} / ${count}${loading ? " · loading…" : ""}`;
    this.strip.setAttribute("aria-valuenow", String(frame + 1));
    this.strip.setAttribute("aria-valuetext", `Frame ${frame + 1} of ${count}`);
    this.video.app.root.dataset.frame = String(frame);
    this.showTrackState();
  }

  showPlaying(playing) {
    this.playButton.textContent = playing ? "▮▮" : "▶";
    this.playButton.title = playing ? "Pause (K)" : "Play (K)";
    this.playButton.setAttribute("aria-label", this.playButton.title);
    this.playButton.dataset.action = playing ? "pause" : "play";
  }

  /** The selected tracks' keyframes and ranges (selection or track changes). */
  showTracks() {
    const { app, count } = this.video;
    const ranges = [], marks = [];
    for (const uuid of app.store.selection) {
      const track = app.store.track(uuid);
      if (!track?.keyframes) continue;
      const color = app.colorOf(track);
      for (const [start, end] of visibleRanges(track, count)) {
        const span = rangeToSpan(start, end, count, 100);
        const bar = el("div", "wb-tl-range");
        bar.style.left = pct(span.left);
        bar.style.width = pct(span.width);
        bar.style.background = color;
        ranges.push(bar);
      }
      for (const mark of keyframeMarks(track)) {
        const diamond = el("div", mark.outside ? "wb-tl-key outside" : "wb-tl-key");
        diamond.style.left = pct(frameToX(mark.frame, count, 100));
        diamond.dataset.frame = String(mark.frame);
        diamond.title = `${mark.outside ? "Outside from" : "Keyframe at"} frame ${mark.frame + 1}`;
        if (!mark.outside) diamond.style.borderColor = color;
        marks.push(diamond);
      }
    }
    this.ranges.replaceChildren(...ranges);
    this.marks.replaceChildren(...marks);
    this.showTrackState();
  }

  /** The keyframe tools for the selected track on the current frame. */
  showTrackState() {
    const state = this.video.trackState();
    const on = Boolean(state);
    for (const b of [this.prevKey, this.nextKey, this.removeKey, this.outside]) b.disabled = !on;
    if (!state) {
      this.keyState.textContent = "Select one track for its keyframes";
      this.keyState.dataset.state = "";
      return;
    }
    this.keyState.dataset.state = state.keyframe ? "keyframe" : state.present ? "interpolated" : "absent";
    this.keyState.textContent = state.keyframe ? (state.present ? "◆ Keyframe" : "◇ Outside from here")
      : state.present ? "Interpolated" : "Not in view";
    this.removeKey.disabled = !state.keyframe;
    this.outside.textContent = state.present ? "Outside from here" : "In view from here";
    this.outside.title = state.present ? "The object leaves the view from this frame on"
      : "The object comes back on this frame, where it was last seen";
  }

  /** The events, in rows without overlaps, each with its label and attribute values (event
   * list or selection changes). */
  showEvents(events) {
    const { count, eventDefs, selectedEvent } = this.video;
    const { placed, rows } = eventRows(events);
    this.events.style.setProperty("--rows", String(Math.max(rows, 1)));
    this.events.replaceChildren(...placed.map(({ event, index, row }) => {
      const node = el("div", event.type === "range" ? "wb-tl-event range" : "wb-tl-event point");
      if (event.type === "range") {
        const span = rangeToSpan(event.start, event.end, count, 100);
        node.style.left = pct(span.left);
        node.style.width = pct(span.width);
      } else {
        node.style.left = pct(frameToX(event.start, count, 100));
      }
      node.style.top = `${row * 16}px`;
      node.textContent = event.label;
      node.dataset.index = String(index);
      const values = eventValues(eventDefs, event);
      if (values.length) {
        const text = el("span", "wb-tl-event-values");
        text.textContent = ` · ${values.map(([, value]) => value).join(", ")}`;
        node.append(text);
      }
      const problems = eventProblems(eventDefs, event);
      node.classList.toggle("incomplete", problems.length > 0);
      node.classList.toggle("selected", Boolean(event.uuid) && event.uuid === selectedEvent);
      const where = event.type === "range" ? `frames ${event.start + 1}–${event.end + 1}` : `frame ${event.start + 1}`;
      node.title = [`${event.label}: ${where}`, ...values.map(([id, value]) => `${id}: ${value}`),
        ...problems.map((p) => `${p.id} ${p.reason}`)].join("\n");
      return node;
    }));
  }
}
