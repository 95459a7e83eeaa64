// The keys of the review page and the rework page, beside the key map of keyboard.js (none
// of them is taken there: R stays the view's rotation, Tab the next annotation). Each runs a
// command the review controller adds (hooks.addCommand), through app.run, so the command
// guards see it. docs/workbench.md, "Review mode".

import { PER_ANNOTATION_COMMANDS } from "../lib/review.js";
import { match } from "./keyboard.js";

/** @type {import("./keyboard.js").Binding[]} */
export const REVIEW_BINDINGS = [
  { combo: "a", command: "reviewAccept", help: ["Review", "A", "Accept the selected annotation(s)"] },
  { combo: "x", command: "reviewReject", help: ["Review", "X", "Reject the selected annotation(s): asks a reason (Enter confirms, Esc cancels)"] },
  { combo: "shift+a", command: "reviewAcceptRest", help: ["Review", "Shift+A", "Accept every annotation without a verdict"] },
  { combo: "i", command: "reviewPin", help: ["Review", "I", "Pin an issue at the pointer: asks a comment (on the annotation under it, else the selected one)"] },
  { combo: "n", command: "reviewStep", args: [1], help: ["Review", "N / Shift+N", "Next / previous open issue"] },
  { combo: "shift+n", command: "reviewStep", args: [-1] },
  { combo: "shift+enter", command: "reviewAcceptTask", help: ["Review", "Shift+Enter", "Accept the task (with your fixes)"] },
  { combo: "shift+x", command: "reviewSendBack", help: ["Review", "Shift+X", "Send the task back for rework: asks a comment"] },
];

/** @type {import("./keyboard.js").Binding[]} */
export const REWORK_BINDINGS = [
  { combo: "n", command: "reviewStep", args: [1], help: ["Review", "N / Shift+N", "Next / previous open issue or rejected annotation"] },
  { combo: "shift+n", command: "reviewStep", args: [-1] },
];

/** Rows of the help overlay that are not keys of the tables. */
const REVIEW_EXTRA_HELP = [
  ["Review", "Click a pin", "Show its issue in the Issues panel"],
];

/** The key map's row that reads otherwise in review (Ctrl+Enter submits elsewhere). */
export const REVIEW_REWORDED = /** @type {const} */ ([
  ["Task", "Ctrl+Enter", ["Ctrl+Enter", "Refused in review: Shift+Enter accepts the task"]],
]);
const REWORK_EXTRA_HELP = [
  ["Review", "Click a pin", "Show its issue: reply or Resolve in the Issues panel"],
];

/** @param {"review" | "rework"} mode */
export function bindingsOf(mode) {
  return mode === "review" ? REVIEW_BINDINGS : REWORK_BINDINGS;
}

/** A whole-task review (a mask): the task's decision reworded, no verdict rows. */
const WHOLE_TASK_HELP = [
  ["Shift+Enter", "Accept the task: the whole mask, with your repaint"],
  ["A / X", "No verdicts on a mask: it is judged as a whole (issues say what to fix)"],
];

/**
 * The rows of the "Review" section of the help overlay; `scope` "task" (hooks.setReviewScope:
 * a mask) leaves out the verdicts per annotation.
 * @param {"review" | "rework"} mode @param {"annotations" | "task"} [scope]
 * @returns {[string, string][]}
 */
export function reviewHelpRows(mode, scope = "annotations") {
  const whole = scope === "task";
  const rows = bindingsOf(mode).filter((b) => b.help && !(whole && PER_ANNOTATION_COMMANDS.includes(b.command)))
    .map((b) => /** @type {[string, string]} */ ([b.help[1], b.help[2]]));
  if (whole && mode === "review") {
    for (const [keys, text] of WHOLE_TASK_HELP) {
      const index = rows.findIndex(([k]) => k === keys);
      if (index >= 0) rows[index] = [keys, text];
      else rows.push([keys, text]);
    }
  }
  const extra = mode === "review" ? REVIEW_EXTRA_HELP : REWORK_EXTRA_HELP;
  return [...rows, ...extra.map(([, keys, text]) => /** @type {[string, string]} */ ([keys, text]))];
}

/** The review binding a key event triggers in `mode`, or null. */
export function matchReview(event, mode) {
  return match(event, bindingsOf(mode));
}
