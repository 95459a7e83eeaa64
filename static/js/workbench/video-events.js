// The Events panel of a video task (params.events_to_annotate): add a point event at the
// playhead or a range (start here, end here), list them, change their label and frames, go to
// them, delete them, and answer the selected event's attributes (the global attributes whose
// label_condition names an event label, lib/eventattributes.js) with the controls of the
// attributes panel. The list lives in the draft's extras ("events"): each change sends the
// whole list as one draft op {op: "set_extras", key: "events", after: [...]}.

import {
  changedEvent, eventName, eventProblems, eventValuesText, shownEventAttributes,
} from "../lib/eventattributes.js";
import { eventProblem, sortEvents } from "../lib/timeline.js";
import { attributeRow, el, focusKey, note, restoreFocus } from "./attribute-controls.js";
import { renderingPanel } from "./panels.js";

function button(text, title, onClick, action = "") {
  const b = el("button", "wb-button", { type: "button", title, "aria-label": title });
  b.textContent = text;
  if (action) b.dataset.action = action;
  b.addEventListener("click", onClick);
  return b;
}

export function eventsPanel(video) {
  return renderingPanel({
    id: "events",
    title: "Events",
    className: "wb-events",
    on: ["events", "editing"],

    render() {
      const app = this.app;
      const key = focusKey(this.body);
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
      const selected = video.events.find((event) => event.uuid && event.uuid === video.selectedEvent);
      if (selected && Object.keys(video.eventDefs).length) parts.push(this.attributes(selected, disabled));
      const incomplete = video.events.filter((event) => eventProblems(video.eventDefs, event).length).length;
      const count = video.events.length ? String(video.events.length) : "";
      this.extra.textContent = incomplete ? `${count} · ${incomplete} to fix` : count;
      this.body.replaceChildren(...parts);
      restoreFocus(this.body, key);
    },

    /** The selected event's attributes: those that apply to it, required ones flagged. */
    attributes(event, disabled) {
      const defs = video.eventDefs;
      const values = event.attributes || {};
      const box = el("div", "wb-event-attrs wb-attrs", { role: "group", "aria-label": `Attributes of ${eventName(event)}` });
      const title = el("div", "wb-event-attrs-title");
      title.textContent = `Attributes of ${eventName(event)}`;
      box.append(title);
      const problems = new Map(eventProblems(defs, event).map((p) => [p.id, p.reason]));
      const shown = shownEventAttributes(defs, event);
      for (const id of shown) {
        box.append(attributeRow(this.app, {
          id,
          def: defs[id],
          value: values[id],
          disabled,
          problem: problems.has(id) ? `${id} ${problems.get(id)}` : "",
          set: (value) => video.setEventAttribute(event.uuid, id, value),
        }));
      }
      if (!shown.length) box.append(note(`No attributes apply to a “${event.label}” event.`, "wb-panel-hint"));
      return box;
    },

    row(event, index, disabled) {
      const li = el("li", "wb-event-row");
      li.dataset.index = String(index);
      li.dataset.type = event.type;
      const selected = Boolean(event.uuid) && event.uuid === video.selectedEvent;
      li.classList.toggle("selected", selected);
      li.setAttribute("aria-current", selected ? "true" : "false");
      // a click beside the controls selects the event (its attributes show below the list)
      li.addEventListener("click", (e) => {
        if (!(/** @type {HTMLElement} */ (e.target)).closest("button, select, input")) video.selectEvent(event.uuid);
      });
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
        button("Go", "Go to this event and show its attributes", () => {
          video.selectEvent(event.uuid);
          video.seek(event.start);
        }, "event-go"),
        button("✕", "Delete this event", () => video.deleteEvent(index), "event-delete"),
      );
      for (const part of parts) if (part.tagName !== "SPAN" && part.dataset.action !== "event-go") part.disabled = disabled;
      li.append(...parts);
      const text = eventValuesText(video.eventDefs, event);
      const problems = eventProblems(video.eventDefs, event);
      if (text || problems.length) {
        const values = el("div", "wb-event-values");
        values.textContent = text;
        if (problems.length) {
          li.classList.add("incomplete");
          const badge = el("span", "wb-event-problem", { title: problems.map((p) => `${p.id} ${p.reason}`).join("; ") });
          badge.textContent = problems.some((p) => p.reason === "is required") ? "missing" : "invalid";
          values.append(badge);
        }
        li.append(values);
      }
      return li;
    },
  });
}

/**
 * The events after one change of event `index`, or {error}. A relabelled event keeps the
 * attribute values that still apply and gets the defaults of those that came into view.
 */
export function changedEvents(events, index, changes, labels, count, defs = {}) {
  const current = events[index];
  if (!current) return { error: "No such event" };
  const next = changedEvent(defs, current, changes);
  const event = next.type === "range" && next.end < next.start ? { ...next, start: next.end, end: next.start } : next;
  const problem = eventProblem(event, labels, count);
  if (problem) return { error: problem };
  return { events: sortEvents(events.map((e, i) => (i === index ? event : e))) };
}
