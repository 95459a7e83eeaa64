// What the status bar says after an undo or a redo: the step undone or redone, named as the
// tasker did it ("Undone: new box", not the inverse the undo applied). DOM-free.

import { invert, opKind } from "./oplog.js";

/** A step as the tasker made it: "new box", "delete polygon", "label change"… */
export function describe(op) {
  const kind = opKind(op.op);
  if (kind) return kind.describe ? kind.describe(op) : op.op;
  if (op.op === "batch" && op.ops.length && op.ops.every((item) => opKind(item.op)?.describe)) {
    return op.ops.length === 1 ? describe(op.ops[0]) : `${op.ops.length} × ${describe(op.ops[0])}`;
  }
  if (op.op === "batch") return op.ops.length === 1 ? describe(op.ops[0]) : `${op.ops.length} changes`;
  if (op.op === "add") return `new ${op.annotation.type}`;
  if (op.op === "delete") return `delete ${op.annotation.type}`;
  if (op.op === "globals") return "global attribute change";
  if (op.op === "link_add") return `link “${op.link.label}”`;
  if (op.op === "link_delete") return `unlink “${op.link.label}”`;
  const keys = Object.keys(op.after || {});
  if (keys.includes("label")) return "label change";
  if (keys.length === 1 && keys[0] === "attributes") return "attribute change";
  // a video track's keyframes: added, removed, moved, outside or in view from a frame
  if (keys.length === 1 && keys[0] === "keyframes") return "keyframe change";
  return "edit";
}

/** `applied`: the op the undo applied (the inverse of the step). */
export function undoneText(applied) {
  let step = applied;
  try {
    step = invert(applied);
  } catch {
    /* a kind that cannot invert back: name what was applied */
  }
  return `Undone: ${describe(step)}`;
}

/** `applied`: the op the redo applied (the step itself). */
export function redoneText(applied) {
  return `Redone: ${describe(applied)}`;
}
