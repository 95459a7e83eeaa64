// The timeline's arithmetic (no DOM): frames ↔ x positions on a strip `width` px wide, where
// each frame owns an equal cell and a frame's mark sits in the middle of its cell; events.

/** x (px from the strip's left) of the middle of `frame`'s cell. */
export function frameToX(frame, frameCount, width) {
  if (frameCount <= 0) return 0;
  return ((frame + 0.5) * width) / frameCount;
}

/** The frame whose cell holds x (clamped to the strip). */
export function xToFrame(x, frameCount, width) {
  if (frameCount <= 0 || width <= 0) return 0;
  return clampFrame(Math.floor((x * frameCount) / width), frameCount);
}

export function clampFrame(frame, frameCount) {
  return Math.max(0, Math.min(frameCount - 1, Math.round(frame)));
}

/** Left and width (px) of the cells of frames start … end (inclusive). */
export function rangeToSpan(start, end, frameCount, width) {
  if (frameCount <= 0) return { left: 0, width: 0 };
  const cell = width / frameCount;
  const a = Math.min(start, end), b = Math.max(start, end);
  return { left: a * cell, width: (b - a + 1) * cell };
}

/** The keyframe frame after (direction 1) or before (-1) `frame`, or null. */
export function nextMark(frames, frame, direction) {
  const sorted = [...frames].sort((a, b) => a - b);
  if (direction > 0) return sorted.find((f) => f > frame) ?? null;
  return [...sorted].reverse().find((f) => f < frame) ?? null;
}

// ---------------------------------------------------------------- events

/**
 * An event as the draft keeps it: {label, type: "point", start, attributes} or
 * {label, type: "range", start, end, attributes} (start <= end).
 */
export function makeEvent(label, start, end = null, attributes = {}) {
  if (end === null || end === undefined) return { label, type: "point", start, attributes: { ...attributes } };
  const [a, b] = start <= end ? [start, end] : [end, start];
  return { label, type: "range", start: a, end: b, attributes: { ...attributes } };
}

/**
 * Why an event cannot be kept, or null: the field the server names (tasks/rules/events.py,
 * checked in the same order) and the page's sentence.
 * @returns {{field: string, reason: string} | null}
 */
export function eventError(event, labels, frameCount) {
  const fail = (field, reason) => ({ field, reason });
  if (!labels.includes(event.label)) return fail("label", `“${event.label}” is not one of the task's events`);
  if (event.type !== "range" && event.type !== "point") return fail("type", "An event is a point or a range");
  const inside = (f) => Number.isInteger(f) && f >= 0 && f < frameCount;
  if (!inside(event.start)) return fail("start", "The event's start is not a frame of the task");
  if (event.type === "range") {
    if (!inside(event.end)) return fail("end", "The event's end is not a frame of the task");
    if (event.end < event.start) return fail("end", "The event ends before it starts");
  } else if (event.end !== undefined && event.end !== null) {
    return fail("end", "A point event has no end");
  }
  return null;
}

/** Why an event cannot be kept ("" when it can). */
export function eventProblem(event, labels, frameCount) {
  return eventError(event, labels, frameCount)?.reason ?? "";
}

/** Events sorted by start, then end, then label (the list's order). */
export function sortEvents(events) {
  return [...events].sort((a, b) => a.start - b.start || (a.end ?? a.start) - (b.end ?? b.start)
    || String(a.label).localeCompare(String(b.label)));
}

/**
 * Rows for drawing events without overlaps: each event gets the first row where it does not
 * overlap an event already placed. Returns [{event, index, row}] and the row count.
 */
export function eventRows(events) {
  const ends = [];
  const placed = events.map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.start - b.event.start)
    .map((item) => {
      const end = item.event.type === "range" ? item.event.end : item.event.start;
      let row = ends.findIndex((last) => last < item.event.start);
      if (row < 0) {
        row = ends.length;
        ends.push(end);
      } else {
        ends[row] = end;
      }
      return { ...item, row };
    });
  return { placed, rows: ends.length };
}
