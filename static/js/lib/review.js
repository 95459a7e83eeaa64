// The review's state in the page, without the DOM (docs/workbench.md, "Review mode"): the
// verdicts of the round (accepted / rejected with a reason), the issues (pins with their
// threads), the ops that change them, the order N walks, whether the task may be sent back,
// and the banner's text. GET /tasks/<id>/data gives the starting state as `quality`:
//
//   {mode: "review" | "rework" | "work", round, banner: {by, comment, at} | null,
//    verdicts: {uuid: {verdict, reason, revised}},
//    issues: [{uuid, x, y, frame, annotation_uuid, status, comments: [{author, text, at}]}]}
//
// The ops (saved per operation like edits, docs/live-sessions.md):
//   {op: "verdict", uuid, before: {verdict, reason} | null, after: {verdict, reason?} | null}
//   {op: "issue", uuid, action: "open", x, y, frame?, annotation_uuid?, text}
//   {op: "issue", uuid, action: "comment" | "resolve" | "close" | "reopen", text?}
// A verdict op is undone by its inverse (before and after swapped); an issue op is part of a
// conversation and is not undone.

/** @typedef {"accepted" | "rejected"} VerdictName */
/** @typedef {{verdict: VerdictName, reason: string, revised: boolean}} Verdict */
/** @typedef {{verdict: VerdictName, reason?: string}} VerdictValue */
/** @typedef {{op: "verdict", uuid: string, before: VerdictValue | null, after: VerdictValue | null}} VerdictOp */
/** @typedef {{author: string | null, text: string, at: string | null}} Comment */
/**
 * @typedef {{uuid: string, x: number | null, y: number | null, frame: number | null,
 *   annotation_uuid: string | null, status: IssueStatus, comments: Comment[]}} Issue
 */
/** @typedef {"open" | "resolved" | "closed"} IssueStatus */
/** @typedef {"open" | "comment" | "resolve" | "close" | "reopen"} IssueAction */
/**
 * @typedef {{op: "issue", uuid: string, action: IssueAction, text?: string, x?: number,
 *   y?: number, frame?: number, annotation_uuid?: string}} IssueOp
 */
/** @typedef {"review" | "rework" | "work"} Mode */

export const VERDICTS = /** @type {const} */ (["accepted", "rejected"]);
export const ISSUE_STATUSES = /** @type {const} */ (["open", "resolved", "closed"]);
export const SEND_BACK_REFUSAL = "Say what to fix: reject an annotation, pin an issue or write a comment";
/** A review of the task as a whole (hooks.setReviewScope("task"): a mask) has no verdicts. */
export const WHOLE_TASK_SEND_BACK_REFUSAL = "Say what to fix: pin an issue (I) or write a comment";
export const WHOLE_TASK_VERDICT_REFUSAL = "A mask is judged as a whole: Shift+Enter accepts the task, Shift+X sends it back";
/** The review commands that judge one annotation: refused in a whole-task review. */
export const PER_ANNOTATION_COMMANDS = Object.freeze(["reviewAccept", "reviewReject", "reviewAcceptRest"]);

/**
 * The Review panel's line in a whole-task review (a mask), on the review or rework page.
 * @param {"review" | "rework"} mode @param {number} open the open issues
 * @returns {string}
 */
export function wholeTaskHint(mode, open) {
  const issues = `${open} open ${open === 1 ? "issue" : "issues"}`;
  if (mode === "review") {
    return `The whole mask is judged, not each label: ${issues}. Shift+Enter accepts it (with your repaint); `
      + "Shift+X sends it back, with an issue pinned (I) or a comment.";
  }
  return `${issues}: repaint where the review says (the Issues panel), then submit again.`;
}

/** Which issue actions each page may take (the server checks the same, docs/quality.md). */
const ACTIONS_BY_MODE = {
  review: new Set(["open", "comment", "resolve", "close", "reopen"]),
  rework: new Set(["comment", "resolve"]),
  work: new Set(),
};

/** The status an action leads to from each status; absent: refused. */
const TRANSITIONS = {
  open: { open: "open" },
  comment: { open: "open", resolved: "resolved", closed: "closed" },
  resolve: { open: "resolved" },
  close: { open: "closed", resolved: "closed" },
  reopen: { resolved: "open", closed: "open" },
};

const ACTION_WORDS = {
  open: "pinned", comment: "answered", resolve: "resolved", close: "closed", reopen: "reopened",
};

/**
 * A verdict as the page keeps it, or null when `value` is none.
 * @param {any} value @returns {Verdict | null}
 */
export function cleanVerdict(value) {
  if (!value || typeof value !== "object" || !VERDICTS.includes(value.verdict)) return null;
  return {
    verdict: value.verdict,
    reason: typeof value.reason === "string" ? value.reason : "",
    revised: Boolean(value.revised),
  };
}

/**
 * An issue as the page keeps it (unknown keys dropped, missing ones filled).
 * @param {any} value @returns {Issue | null}
 */
export function cleanIssue(value) {
  if (!value || typeof value !== "object" || typeof value.uuid !== "string" || !value.uuid) return null;
  const number = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    uuid: value.uuid,
    x: number(value.x),
    y: number(value.y),
    frame: Number.isInteger(value.frame) ? value.frame : null,
    annotation_uuid: typeof value.annotation_uuid === "string" && value.annotation_uuid ? value.annotation_uuid : null,
    status: ISSUE_STATUSES.includes(value.status) ? value.status : "open",
    comments: Array.isArray(value.comments)
      ? value.comments.filter((c) => c && typeof c.text === "string").map((c) => ({
        author: typeof c.author === "string" ? c.author : null,
        text: c.text,
        at: typeof c.at === "string" ? c.at : null,
      }))
      : [],
  };
}

/** The op that undoes a verdict op. @param {VerdictOp} op @returns {VerdictOp} */
export function invertVerdict(op) {
  return { op: "verdict", uuid: op.uuid, before: op.after, after: op.before };
}

/** A few words for the status bar ("accept", "reject", "verdict cleared"). @param {VerdictOp} op */
export function describeVerdict(op) {
  if (!op.after) return "verdict cleared";
  return op.after.verdict === "accepted" ? "accept" : "reject";
}

/** @param {IssueOp} op */
export function describeIssue(op) {
  return `issue ${ACTION_WORDS[op.action] || op.action}`;
}

/**
 * The banner of a task that was sent back: "Sent back by rev1: the fifth box is a van" (by
 * null: the customer). Empty when there is nothing to say.
 * @param {{by?: string | null, comment?: string} | null | undefined} banner @returns {string}
 */
export function bannerText(banner) {
  if (!banner) return "";
  const who = banner.by ? banner.by : "the customer";
  const comment = (banner.comment || "").trim();
  return comment ? `Sent back by ${who}: ${comment}` : `Sent back by ${who}`;
}

/**
 * May the task be sent back? Only with something to fix: a rejected annotation (among those
 * that exist), an open issue, or a comment. `scope` "task" (a mask, no verdicts) words the
 * refusal without annotations.
 * @param {{verdicts: Map<string, Verdict>, issues: Map<string, Issue> | Issue[], comment?: string,
 *   uuids?: Iterable<string>, scope?: "annotations" | "task"}} round
 * @returns {{allowed: boolean, reason: string}}
 */
export function canSendBack({ verdicts, issues, comment = "", uuids, scope = "annotations" }) {
  const present = uuids ? new Set(uuids) : null;
  const rejected = [...verdicts].some(([uuid, v]) => v.verdict === "rejected" && (!present || present.has(uuid)));
  const list = issues instanceof Map ? [...issues.values()] : issues;
  const open = list.some((issue) => issue.status === "open");
  if (rejected || open || comment.trim()) return { allowed: true, reason: "" };
  return { allowed: false, reason: scope === "task" ? WHOLE_TASK_SEND_BACK_REFUSAL : SEND_BACK_REFUSAL };
}

/**
 * Why `action` may not be taken on `issue` in this mode ("" when it may).
 * @param {Issue | null | undefined} issue (null for "open") @param {IssueAction} action
 * @param {Mode} mode @param {string} [text]
 */
export function issueRefusal(issue, action, mode, text = "") {
  if (!ACTIONS_BY_MODE[mode]?.has(action)) {
    return mode === "rework" ? "Only the reviewer opens, closes or reopens issues" : "Issues are for the review";
  }
  if ((action === "open" || action === "comment") && !text.trim()) {
    return action === "open" ? "An issue needs a comment" : "Write a reply first";
  }
  if (action === "open") return issue ? "This issue exists already" : "";
  if (!issue) return "No such issue";
  if (!TRANSITIONS[action][issue.status]) return `This issue is ${issue.status}: it cannot be ${ACTION_WORDS[action]}`;
  return "";
}

/**
 * The next (step 1) or previous (step -1) of `targets` after `current`, wrapping round;
 * null when there are none. `current` not among them: the first (or the last).
 * @template T @param {T[]} targets @param {(t: T) => boolean} isCurrent @param {number} step
 * @returns {T | null}
 */
export function stepTarget(targets, isCurrent, step) {
  if (!targets.length) return null;
  const i = targets.findIndex(isCurrent);
  if (i < 0) return step > 0 ? targets[0] : targets[targets.length - 1];
  return targets[(i + step + targets.length) % targets.length];
}

export class ReviewState {
  /** @param {any} quality GET /data's `quality` (or nothing) */
  constructor(quality = {}) {
    const q = quality && typeof quality === "object" ? quality : {};
    /** @type {Mode} */
    this.mode = q.mode === "review" || q.mode === "rework" ? q.mode : "work";
    this.round = Number.isInteger(q.round) ? q.round : null;
    this.banner = q.banner && typeof q.banner === "object" ? q.banner : null;
    /** @type {Map<string, Verdict>} */
    this.verdicts = new Map();
    for (const [uuid, value] of Object.entries(q.verdicts || {})) {
      const verdict = cleanVerdict(value);
      if (verdict) this.verdicts.set(uuid, verdict);
    }
    /** @type {Map<string, Issue>} in the order they were opened (their numbers) */
    this.issues = new Map();
    for (const value of Array.isArray(q.issues) ? q.issues : []) {
      const issue = cleanIssue(value);
      if (issue) this.issues.set(issue.uuid, issue);
    }
  }

  /** @param {string} uuid @returns {Verdict | null} */
  verdictOf(uuid) {
    return this.verdicts.get(uuid) || null;
  }

  /**
   * The op that gives `uuid` the verdict `after` (null: none), or null when it has it already.
   * @param {string} uuid @param {VerdictValue | null} after @returns {VerdictOp | null}
   */
  verdictOp(uuid, after) {
    const current = this.verdictOf(uuid);
    const before = current ? (current.reason ? { verdict: current.verdict, reason: current.reason } : { verdict: current.verdict }) : null;
    const next = after ? (after.reason ? { verdict: after.verdict, reason: after.reason } : { verdict: after.verdict }) : null;
    if ((before?.verdict ?? null) === (next?.verdict ?? null) && (before?.reason || "") === (next?.reason || "")) return null;
    return { op: "verdict", uuid, before, after: next };
  }

  /** Apply a verdict op (the page's, a replay or another tab's). @param {VerdictOp} op */
  applyVerdict(op) {
    const after = cleanVerdict(op.after);
    if (!after) {
      this.verdicts.delete(op.uuid);
      return;
    }
    after.revised = Boolean(op.after && /** @type {any} */ (op.after).revised);
    this.verdicts.set(op.uuid, after);
  }

  /**
   * Apply an issue op; `comment` is the author and time of its text. Returns the issue.
   * @param {IssueOp} op @param {{author?: string | null, at?: string | null}} [comment]
   * @returns {Issue | null}
   */
  applyIssue(op, { author = null, at = null } = {}) {
    let issue = this.issues.get(op.uuid) || null;
    if (op.action === "open") {
      if (issue) return issue; // a replay
      issue = /** @type {Issue} */ (cleanIssue({ ...op, status: "open", comments: [] }));
      if (!issue) return null;
      this.issues.set(issue.uuid, issue);
    }
    if (!issue) return null;
    const next = TRANSITIONS[op.action]?.[issue.status];
    if (next) issue.status = /** @type {IssueStatus} */ (next);
    if (typeof op.text === "string" && op.text.trim()) issue.comments.push({ author, text: op.text.trim(), at });
    return issue;
  }

  /**
   * Set a verdict as the server holds it (null: none). @param {string} uuid @param {any} value
   */
  putVerdict(uuid, value) {
    const verdict = cleanVerdict(value);
    if (verdict) this.verdicts.set(uuid, verdict);
    else this.verdicts.delete(uuid);
  }

  /** Replace an issue as the server holds it. @param {any} value */
  putIssue(value) {
    const issue = cleanIssue(value);
    if (issue) this.issues.set(issue.uuid, issue);
    return issue;
  }

  /** Forget an issue the server refused to open. @param {string} uuid */
  dropIssue(uuid) {
    this.issues.delete(uuid);
  }

  /** The issue's number (1, 2, …: the order they were opened), or 0. @param {string} uuid */
  issueNumber(uuid) {
    let n = 0;
    for (const key of this.issues.keys()) {
      n += 1;
      if (key === uuid) return n;
    }
    return 0;
  }

  /** @returns {Issue[]} in number order */
  issueList() {
    return [...this.issues.values()];
  }

  /** The open issues, in number order. */
  openIssues() {
    return this.issueList().filter((issue) => issue.status === "open");
  }

  /**
   * Verdict counts over the annotations `uuids` (those without one: `none`).
   * @param {Iterable<string>} uuids @returns {{accepted: number, rejected: number, none: number}}
   */
  counts(uuids) {
    const counts = { accepted: 0, rejected: 0, none: 0 };
    for (const uuid of uuids) {
      const verdict = this.verdicts.get(uuid);
      if (verdict) counts[verdict.verdict] += 1;
      else counts.none += 1;
    }
    return counts;
  }

  /** The annotations of `uuids` without a verdict, in their order. @param {Iterable<string>} uuids */
  unjudged(uuids) {
    return [...uuids].filter((uuid) => !this.verdicts.has(uuid));
  }

  /**
   * What N walks, in order: the open issues (by number), then, in rework, the rejected
   * annotations among `uuids` (in list order) that were not revised.
   * @param {string[]} uuids the annotations in list order
   * @returns {Array<{kind: "issue" | "annotation", uuid: string}>}
   */
  targets(uuids) {
    /** @type {Array<{kind: "issue" | "annotation", uuid: string}>} */
    const targets = this.openIssues().map((issue) => ({ kind: "issue", uuid: issue.uuid }));
    if (this.mode === "rework") {
      for (const uuid of uuids) {
        const verdict = this.verdicts.get(uuid);
        if (verdict?.verdict === "rejected" && !verdict.revised) targets.push({ kind: "annotation", uuid });
      }
    }
    return targets;
  }

  /**
   * In rework, a change to annotations `uuids`: rejected ones become revised, and open issues
   * naming them resolved (as the server does: a fix answers the issue). Returns whether
   * anything changed.
   * @param {Iterable<string>} uuids
   */
  revise(uuids) {
    if (this.mode !== "rework") return false;
    let changed = false;
    for (const uuid of uuids) {
      const verdict = this.verdicts.get(uuid);
      if (verdict?.verdict === "rejected" && !verdict.revised) {
        verdict.revised = true;
        changed = true;
      }
      for (const issue of this.issues.values()) {
        if (issue.annotation_uuid === uuid && issue.status === "open") {
          issue.status = "resolved";
          changed = true;
        }
      }
    }
    return changed;
  }

  /**
   * May the task be sent back with this comment? (canSendBack over this state.)
   * @param {string} [comment] @param {Iterable<string>} [uuids] the annotations there are
   * @param {"annotations" | "task"} [scope]
   */
  canSendBack(comment = "", uuids, scope = "annotations") {
    return canSendBack({ verdicts: this.verdicts, issues: this.issues, comment, uuids, scope });
  }
}

/**
 * The op that opens an issue.
 * @param {{uuid: string, x: number, y: number, frame?: number | null,
 *   annotation_uuid?: string | null, text: string}} issue @returns {IssueOp}
 */
export function openIssueOp({ uuid, x, y, frame = null, annotation_uuid = null, text }) {
  /** @type {IssueOp} */
  const op = { op: "issue", uuid, action: "open", x: round2(x), y: round2(y), text: text.trim() };
  if (frame !== null && frame !== undefined) op.frame = frame;
  if (annotation_uuid) op.annotation_uuid = annotation_uuid;
  return op;
}

/**
 * The op of an action on an existing issue.
 * @param {string} uuid @param {Exclude<IssueAction, "open">} action @param {string} [text]
 * @returns {IssueOp}
 */
export function issueActionOp(uuid, action, text = "") {
  /** @type {IssueOp} */
  const op = { op: "issue", uuid, action };
  if (text.trim()) op.text = text.trim();
  return op;
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
