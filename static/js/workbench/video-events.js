// The Events panel of a video task (params.events_to_annotate): add a point event at the
// playhead or a range (start here, end here), list them, change their label and frames, go to
// them, delete them. The list lives in the draft's extras ("events"): each change sends the
// whole list as one draft op {op: "set_extras", key: "events", after: [...]}.

import { eventProblem, makeEvent, sortEvents } from "../lib/timeline.js";
import { el, note } from "./attribute-controls.js";

function button(text, title, onClick, action = "") {
  const b = el("button", "wb-button", { type: "button", title, "aria-label": title });
  b.textContent = text;
  if (action) b.dataset.action = action;
  b.addEventListener("click", onClick);
  return b;
}

export function eventsPanel(video) {
  return {
    id: "events",
    title: "Events",
    mount(body, app) {
      this.app = app;
      this.body = body;
      body.classList.add("wb-events");
      this.render();
    },

    update(change) {
      if (change.kind === "events" || change.kind === "editing") this.render();
    },

    render() {
      const app = this.app;
      const labels = video.eventLabels;
      const disabled = !app.can("edit_attributes").allowed;
      const head = el("div", "wb-events-add");
      this.labelSelect = el("select", "wb-events-label", { "aria-label": "Event label" });
      for (const label of labels) {
        const option = el("option");
        option.value = label;
        option.textContent = label;
        this.labelSelect.append(option);
      }
      if (this.lastLabel && labels.includes(this.lastLabel)) this.labelSelect.value = this.lastLabel;
      this.labelSelect.addEventListener("change", () => { this.lastLabel = this.labelSelect.value; });
      const pending = video.rangeStart;
      if (pending === null) {
        head.append(this.labelSelect,
          button("Point here", "Add a point event at the playhead", () => video.addPointEvent(this.labelSelect.value), "event-point"),
          button("Range from here", "Start a range event at the playhead; then go to its end", () => video.startRange(this.labelSelect.value), "event-range-start"));
      } else {
        const text = el("span", "wb-events-pending");
        text.textContent = `${pending.label} from frame ${pending.start + 1}…`;
        head.append(text,
          button("End range here", "End the range event at the playhead", () => video.endRange(), "event-range-end"),
          button("Cancel", "Drop the range being marked", () => video.cancelRange(), "event-range-cancel"));
      }
      for (const control of head.querySelectorAll("button, select")) control.disabled = disabled;
      const list = el("ol", "wb-events-list");
      video.events.forEach((event, index) => list.append(this.row(event, index, disabled)));
      const parts = [head];
      if (!video.events.length) parts.push(note("No events yet.", "wb-panel-hint"));
      parts.push(list);
      this.extra.textContent = video.events.length ? String(video.events.length) : "";
      this.body.replaceChildren(...parts);
    },

    row(event, index, disabled) {
      const li = el("li", "wb-event-row");
      li.dataset.index = String(index);
      li.dataset.type = event.type;
      const label = el("select", "wb-event-label", { "aria-label": "Label of the event" });
      for (const choice of video.eventLabels) {
        const option = el("option");
        option.value = choice;
        option.textContent = choice;
        label.append(option);
      }
      label.value = event.label;
      label.addEventListener("change", () => video.changeEvent(index, { label: label.value }));
      const frame = (value, name, key) => {
        const input = el("input", "wb-event-frame", {
          type: "number", min: "1", max: String(video.count), step: "1", "aria-label": name, title: name,
        });
        input.value = String(value + 1);
        input.dataset.key = key;
        input.addEventListener("change", () => {
          const n = Number(input.value);
          if (!Number.isInteger(n)) {
            input.value = String(value + 1);
            return;
          }
          video.changeEvent(index, { [key]: n - 1 });
        });
        return input;
      };
      const parts = [label, frame(event.start, event.type === "range" ? "Start frame" : "Frame", "start")];
      if (event.type === "range") parts.push(el("span", "wb-event-dash"), frame(event.end, "End frame", "end"));
      parts.push(
        button("Go", "Go to this event", () => video.seek(event.start), "event-go"),
        button("✕", "Delete this event", () => video.deleteEvent(index), "event-delete"),
      );
      for (const part of parts) if (part.tagName !== "SPAN" && part.dataset.action !== "event-go") part.disabled = disabled;
      li.append(...parts);
      return li;
    },
  };
}

/** The events after one change of event `index`, or {error}. */
export function changedEvents(events, index, changes, labels, count) {
  const current = events[index];
  if (!current) return { error: "No such event" };
  const next = { ...current, ...changes };
  const event = next.type === "range" ? makeEvent(next.label, next.start, next.end, next.attributes)
    : makeEvent(next.label, next.start, null, next.attributes);
  const problem = eventProblem(event, labels, count);
  if (problem) return { error: problem };
  return { events: sortEvents(events.map((e, i) => (i === index ? event : e))) };
}
