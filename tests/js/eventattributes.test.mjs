import { test } from "node:test";
import assert from "node:assert/strict";

import {
  changedEvent, eventAttributeDefs, eventName, eventProblems, eventValuesText, firstEventProblem,
  isEventAttribute, setEventAttribute, shownEventAttributes, taskAttributeDefs, withDefaults,
} from "../../static/js/lib/eventattributes.js";
import { makeEvent } from "../../static/js/lib/timeline.js";

const LABELS = ["Turning", "Stop"];
const DEFS = {
  moving: { type: "category", choices: ["yes", "no"] },
  weather: { type: "category", choices: ["sun", "rain"], conditions: { is_global: true } },
  lane: {
    type: "category", choices: ["left", "right"], required: true, default: "right",
    conditions: { is_global: true, label_condition: { label: "Turning" } },
  },
  signal: {
    type: "category", choices: [{ choice: "on", display: "On" }, "off"], default: "on",
    conditions: { is_global: true, label_condition: { label: ["Turning"] }, attribute_conditions: [{ lane: "left" }] },
  },
  hard: {
    type: "number", min: 0, max: 5, required: true,
    conditions: { is_global: true, label_condition: { label: ["Stop", "Turning"] } },
  },
};
const EVENTS = eventAttributeDefs(DEFS, LABELS);

test("a global attribute whose label_condition names an event label is an event attribute", () => {
  assert.ok(isEventAttribute(DEFS.lane, LABELS));
  assert.ok(!isEventAttribute(DEFS.weather, LABELS), "no label_condition: task-wide");
  assert.ok(!isEventAttribute(DEFS.moving, LABELS), "not global");
  assert.ok(!isEventAttribute(DEFS.lane, []), "an image task has no events");
  assert.deepEqual(Object.keys(EVENTS), ["lane", "signal", "hard"]);
  assert.deepEqual(Object.keys(taskAttributeDefs(DEFS, LABELS)), ["moving", "weather"]);
  assert.equal(EVENTS.lane.conditions.is_global, undefined, "the label condition counts");
  assert.equal(DEFS.lane.conditions.is_global, true, "the task's definitions are not changed");
});

test("the attributes shown follow the event's label and values", () => {
  const turning = makeEvent("Turning", 3, 8, { lane: "right" });
  assert.deepEqual(shownEventAttributes(EVENTS, turning), ["lane", "hard"]);
  assert.deepEqual(shownEventAttributes(EVENTS, { ...turning, attributes: { lane: "left" } }), ["lane", "signal", "hard"]);
  assert.deepEqual(shownEventAttributes(EVENTS, makeEvent("Stop", 2)), ["hard"]);
});

test("a new event gets the defaults of the attributes it shows", () => {
  assert.deepEqual(withDefaults(EVENTS, makeEvent("Turning", 1, 4)).attributes, { lane: "right" });
  assert.deepEqual(withDefaults(EVENTS, makeEvent("Stop", 1)).attributes, {});
  // lane "left" brings signal into view, with its default
  const changed = setEventAttribute(EVENTS, withDefaults(EVENTS, makeEvent("Turning", 1, 4)), "lane", "left");
  assert.deepEqual(changed.event.attributes, { lane: "left", signal: "on" });
});

test("setting a value: checked, hidden values dropped, attributes that do not apply refused", () => {
  const turning = makeEvent("Turning", 1, 4, { lane: "left", signal: "off", hard: 2 });
  assert.deepEqual(setEventAttribute(EVENTS, turning, "lane", "right").event.attributes, { lane: "right", hard: 2 });
  assert.deepEqual(setEventAttribute(EVENTS, turning, "hard", undefined).event.attributes, { lane: "left", signal: "off" });
  assert.equal(setEventAttribute(EVENTS, turning, "hard", 9).error, "hard must be a number >= 0 and <= 5");
  assert.equal(setEventAttribute(EVENTS, makeEvent("Stop", 2), "lane", "left").error, "lane does not apply to this “Stop” event");
  assert.equal(setEventAttribute(EVENTS, turning, "weather", "sun").error, "weather is not an attribute of events");
});

test("a relabelled event keeps what still applies and gets the new defaults", () => {
  const stop = makeEvent("Stop", 2, null, { hard: 3 });
  assert.deepEqual(changedEvent(EVENTS, stop, { label: "Turning" }).attributes, { lane: "right", hard: 3 });
  const turning = makeEvent("Turning", 2, 5, { lane: "left", signal: "off", hard: 1 });
  assert.deepEqual(changedEvent(EVENTS, turning, { label: "Stop" }).attributes, { hard: 1 });
  // a frame change leaves the values alone
  assert.deepEqual(changedEvent(EVENTS, turning, { start: 3 }), { ...turning, start: 3 });
});

test("required and invalid values stop the submit, naming the first event", () => {
  const good = makeEvent("Turning", 1, 4, { lane: "left", hard: 0 });
  const missing = makeEvent("Stop", 6);
  assert.deepEqual(eventProblems(EVENTS, good), []);
  assert.deepEqual(eventProblems(EVENTS, missing), [{ id: "hard", reason: "is required" }]);
  assert.deepEqual(eventProblems(EVENTS, makeEvent("Turning", 1, 2, { hard: 1 })), [{ id: "lane", reason: "is required" }]);
  const blocker = firstEventProblem(EVENTS, [good, missing]);
  assert.equal(blocker.index, 1);
  assert.equal(eventName(blocker.event), "“Stop” (frame 7)");
  assert.equal(firstEventProblem(EVENTS, [good]), null);
  assert.equal(firstEventProblem({}, [missing]), null, "a task without event attributes");
});

test("the values as short text, in definition order, choices by their display", () => {
  const turning = makeEvent("Turning", 1, 4, { hard: 2, signal: "on", lane: "left" });
  assert.equal(eventValuesText(EVENTS, turning), "lane: left · signal: On · hard: 2");
  assert.equal(eventValuesText(EVENTS, makeEvent("Stop", 1)), "");
  assert.equal(eventName(turning), "“Turning” (frames 2–5)");
});

test("the panel's change of one event keeps its uuid, settles its values and keeps the order", async () => {
  const { changedEvents } = await import("../../static/js/workbench/video-events.js");
  const events = [
    { ...makeEvent("Turning", 1, 4, { lane: "left", signal: "off", hard: 2 }), uuid: "a" },
    { ...makeEvent("Stop", 6), uuid: "b" },
  ];
  const relabelled = changedEvents(events, 0, { label: "Stop" }, LABELS, 10, EVENTS);
  assert.deepEqual(relabelled.events[0], { label: "Stop", type: "range", start: 1, end: 4, attributes: { hard: 2 }, uuid: "a" });
  const swapped = changedEvents(events, 0, { start: 8 }, LABELS, 10, EVENTS);
  assert.deepEqual(swapped.events.map((e) => [e.uuid, e.start, e.end]), [["a", 4, 8], ["b", 6, undefined]]);
  const moved = changedEvents(events, 1, { start: 0 }, LABELS, 10, EVENTS);
  assert.deepEqual(moved.events.map((e) => [e.uuid, e.start]), [["b", 0], ["a", 1]]);
  assert.equal(changedEvents(events, 1, { start: 12 }, LABELS, 10, EVENTS).error, "The event's start is not a frame of the task");
});
