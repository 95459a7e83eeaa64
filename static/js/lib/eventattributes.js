// The attributes of a video task's events (no DOM), mirroring the server's
// tasks/rules/events.py. "For video tasks, global attributes attach to events": a global
// attribute whose label_condition names an event label (params.events_to_annotate) is an EVENT
// attribute, answered per event; it applies to an event when the event's label is one its
// label_condition names and the event's values meet its attribute_conditions. The other global
// attributes stay task-wide (the "Image attributes" panel, response.global_attributes).
//
// An event attribute is handled as a per-annotation attribute of an annotation whose label is
// the event's (is_global dropped, so the label_condition counts): the same visibility, defaults
// and checks as lib/attributes.js. Values of attributes that do not apply are dropped at once.

import {
  attributeProblems, checkValue, choiceText, isMissing, settleAttributes, shownAttributes, typeOf,
} from "./attributes.js";
import { isGlobal } from "./conditions.js";

/** @typedef {import("./conditions.js").AttributeDef} AttributeDef */
/** @typedef {{label: string, type: string, start: number, end?: number, uuid?: string,
 *   attributes?: Record<string, any>}} VideoEvent */

/** Does a definition describe events (global, its label_condition names an event label)? */
export function isEventAttribute(def, eventLabels) {
  if (!def || !isGlobal(def)) return false;
  const wanted = def.conditions?.label_condition?.label;
  if (wanted === undefined || wanted === null) return false;
  const labels = Array.isArray(wanted) ? wanted : [wanted];
  return labels.some((label) => (eventLabels || []).includes(label));
}

/** The definitions without the event attributes (what the image panels and checks see). */
export function taskAttributeDefs(defs, eventLabels) {
  const result = {};
  for (const [id, def] of Object.entries(defs || {})) if (!isEventAttribute(def, eventLabels)) result[id] = def;
  return result;
}

/**
 * The event attributes as per-annotation definitions (is_global dropped), in definition order:
 * the `defs` the other functions here take.
 * @returns {Record<string, AttributeDef>}
 */
export function eventAttributeDefs(defs, eventLabels) {
  const result = {};
  for (const [id, def] of Object.entries(defs || {})) {
    if (!isEventAttribute(def, eventLabels)) continue;
    const { is_global: _global, ...conditions } = def.conditions || {};
    result[id] = { ...def, conditions };
  }
  return result;
}

function asAnnotation(event) {
  return { uuid: event.uuid || "", type: "event", label: event.label, attributes: event.attributes || {} };
}

/** Ids of the attributes the event shows, in definition order. */
export function shownEventAttributes(defs, event) {
  return shownAttributes(defs, asAnnotation(event));
}

/**
 * The values an event keeps after a change: hidden ones dropped, the `default` of each
 * attribute that came into view filled in (`wasShown`: ids shown before; null: a new event).
 * @param {Set<string> | null} [wasShown]
 */
export function settleEventAttributes(defs, event, wasShown = null) {
  return settleAttributes(defs, asAnnotation(event), wasShown);
}

/** A new event with the defaults of the attributes it shows. */
export function withDefaults(defs, event) {
  return { ...event, attributes: settleEventAttributes(defs, event, null) };
}

/**
 * The event after `changes` (label, frames, attributes): when the label changes, values that
 * no longer apply go and the defaults of the attributes that came into view are filled in.
 * @param {Record<string, AttributeDef>} defs @param {VideoEvent} event @param {object} changes
 */
export function changedEvent(defs, event, changes) {
  const next = { ...event, ...changes };
  if ("attributes" in changes || next.label !== event.label) {
    const wasShown = new Set(shownEventAttributes(defs, event));
    next.attributes = settleEventAttributes(defs, next, wasShown);
  }
  return next;
}

/**
 * The event with attribute `id` set to `value` (undefined or null: cleared), settled; or
 * {error} when the attribute does not apply to it or the value is not one of its values.
 */
export function setEventAttribute(defs, event, id, value) {
  if (!defs[id]) return { error: `${id} is not an attribute of events` };
  const wasShown = new Set(shownEventAttributes(defs, event));
  if (!wasShown.has(id)) return { error: `${id} does not apply to this “${event.label}” event` };
  const reason = isMissing(value) ? "" : checkValue(defs[id], value);
  if (reason) return { error: `${id} ${reason}` };
  const values = { ...(event.attributes || {}) };
  if (isMissing(value)) delete values[id];
  else values[id] = value;
  const next = { ...event, attributes: values };
  return { event: { ...next, attributes: settleEventAttributes(defs, next, wasShown) } };
}

/** What stops the event from being submitted: {id, reason} per missing or invalid value. */
export function eventProblems(defs, event) {
  return attributeProblems(defs, asAnnotation(event), new Map());
}

/** The first event (list order) that stops a submit: {index, event, problems}, or null. */
export function firstEventProblem(defs, events) {
  if (!Object.keys(defs || {}).length) return null;
  for (let index = 0; index < events.length; index++) {
    const problems = eventProblems(defs, events[index]);
    if (problems.length) return { index, event: events[index], problems };
  }
  return null;
}

function valueText(def, value) {
  const one = (item) => (typeOf(def) === "category" ? choiceText(def, item) : String(item));
  return Array.isArray(value) ? value.map(one).join(", ") : one(value);
}

/** The event's answered attributes as [id, text] pairs, in definition order. */
export function eventValues(defs, event) {
  const values = event.attributes || {};
  return shownEventAttributes(defs, event)
    .filter((id) => !isMissing(values[id]))
    .map((id) => [id, valueText(defs[id], values[id])]);
}

/** Short text of the event's values: "lane: left · signal: on" ("" when none). */
export function eventValuesText(defs, event) {
  return eventValues(defs, event).map(([id, text]) => `${id}: ${text}`).join(" · ");
}

/** How the page names an event: “Turning” (frames 4–9) / “Stop” (frame 3), frames from 1. */
export function eventName(event) {
  const where = event.type === "range" ? `frames ${event.start + 1}–${event.end + 1}` : `frame ${event.start + 1}`;
  return `“${event.label}” (${where})`;
}
