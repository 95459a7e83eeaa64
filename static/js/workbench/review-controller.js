// Review and rework in the workbench (docs/workbench.md, "Review mode"). GET /data's
// `quality` says which: in REVIEW the reviewer sees the tasker's annotations with the full
// toolset and judges them (A accepts, X rejects with a reason), pins issues (I), and accepts
// the task (Shift+Enter) or sends it back (Shift+X); in REWORK the tasker sees the banner
// "Sent back by …", the pins, the rejected annotations marked (the accepted ones come locked
// from the server), and answers or resolves the issues.
//
// It joins the Workbench only through app.hooks (hooks.js) and the Workbench's public
// methods, like video-controller.js. Verdicts and issues are ops of their own kinds
// (lib/oplog.js registerOp), saved per operation through the live session (autosave.js).

import { newUuid, opUuids } from "../lib/annotationstore.js";
import { registeredOps, registerOp } from "../lib/oplog.js";
import {
  bannerText, describeIssue, describeVerdict, invertVerdict, issueActionOp, issueRefusal,
  openIssueOp, PER_ANNOTATION_COMMANDS, ReviewState, stepTarget, WHOLE_TASK_VERDICT_REFUSAL,
} from "../lib/review.js";
import { submitTask } from "./api.js";
import { describeRefusal } from "./commands.js";
import { issuesPanel } from "./panel-issues.js";
import { reviewPanel } from "./panel-review.js";
import { matchReview, REVIEW_REWORDED, reviewHelpRows } from "./review-keys.js";

const PIN_RADIUS = 11; // CSS px
const PIN_COLORS = { open: "#ef4444", resolved: "#f59e0b", closed: "#6b7280" };
const FLUSH_TIMEOUT_MS = 20000;
export const CTRL_ENTER_REFUSAL = "In review, Shift+Enter accepts the task";

export class ReviewController {
  /** @param {any} app the Workbench */
  constructor(app) {
    this.app = app;
    const quality = app.data.quality || { mode: app.root.dataset.mode };
    this.state = new ReviewState(quality);
    this.mode = this.state.mode === "work" && app.root.dataset.mode === "review" ? "review" : this.state.mode;
    this.state.mode = this.mode;
    /** The issue shown in the Issues panel and ringed on the canvas. */
    this.focused = null;
    this.prompting = false;
    this.decideUrl = app.root.dataset.decideUrl || `/tasks/${app.data.task_id}/review/decide`;
    app.root.dataset.mode = this.mode;
    app.root.classList.add(`wb-mode-${this.mode}`);
    if (this.mode === "work") return;
    /** "annotations" (a verdict each) or "task" (a mask: judged as a whole), hooks.setReviewScope */
    this.scope = app.hooks.reviewScope;
    app.root.dataset.reviewScope = this.scope;

    this.registerOps();
    app.hooks.addAnnotationStyle((a) => this.styleOf(a));
    app.hooks.addOverlay({
      draw: (ctx, view) => this.drawPins(ctx, view),
      hit: (point) => this.pinAt(point),
      onClick: (uuid) => this.focusIssue(uuid, { reveal: false }),
    });
    this.addCommands();
    app.hooks.addKeyHandler((event) => this.onKey(event));
    app.hooks.addHelpSection("Review", reviewHelpRows(this.mode, this.scope), { first: true });
    if (this.mode === "review") {
      app.hooks.addCommandGuard((command) => (command === "submit" ? this.refuseSubmit() : undefined));
      // a whole-task review has no verdicts: A, X and Shift+A say so
      if (this.scope === "task") {
        app.hooks.addCommandGuard((command) => {
          if (!PER_ANNOTATION_COMMANDS.includes(command)) return undefined;
          app.refuse(WHOLE_TASK_VERDICT_REFUSAL);
          return true;
        });
      }
      for (const [section, keys, row] of REVIEW_REWORDED) app.hooks.replaceHelpRow(section, keys, [...row]);
      if (!app.readOnly) this.reviewToolbar(); // staff watching: nothing to decide
    }
    this.issues = app.hooks.addPanel(issuesPanel(this), { before: "annotations" });
    this.summary = app.hooks.addPanel(reviewPanel(this), { before: "issues" });
    app.store.onChange((change) => this.onStoreChange(change));
    this.showBanner();
    this.publish();
  }

  // ---------------------------------------------------------------- ops

  registerOps() {
    const state = this.state;
    registerOp("verdict", {
      apply: (_model, op) => state.applyVerdict(op),
      invert: invertVerdict,
      describe: describeVerdict,
      uuids: (op) => [op.uuid],
      // another tab's, or a watcher's view of the editor's: as the server stored them
      applyRemote: (message) => {
        const mine = registeredOps(message.op).filter((item) => item.op === "verdict");
        if (!message.verdicts && !mine.length) return;
        for (const item of mine) if (!message.verdicts || !(item.uuid in message.verdicts)) state.applyVerdict(item);
        this.putVerdicts(message.verdicts);
      },
      // what the server stored (a verdict of this page, or revised by a fix in rework)
      acked: (message) => this.putVerdicts(message.verdicts),
      rejected: (op) => {
        state.applyVerdict(invertVerdict(op));
        this.refresh(true);
      },
    });
    registerOp("issue", {
      // a replay of an op this browser had not sent yet (the welcome after a reload)
      apply: (_model, op) => {
        if (!this.alreadyShown(op)) state.applyIssue(op, { author: "you" });
        this.refresh(false);
      },
      describe: describeIssue,
      uuids: (op) => (op.annotation_uuid ? [op.annotation_uuid] : []),
      applyRemote: (message) => {
        const mine = registeredOps(message.op).filter((item) => item.op === "issue");
        for (const item of mine) if (!message.issues?.[item.uuid]) state.applyIssue(item, {});
        this.putIssues(message.issues, mine.length > 0);
      },
      acked: (message) => this.putIssues(message.issues, false),
      rejected: (op, { reason }) => {
        if (op.action === "open") state.dropIssue(op.uuid);
        this.app.status(`Issue not saved: ${reason || "refused by the server"}`, "error");
        this.refresh(false);
      },
    });
  }

  /** Verdicts as the server stored them ({uuid: verdict | null}). */
  putVerdicts(verdicts) {
    if (!verdicts || typeof verdicts !== "object") return;
    for (const [uuid, value] of Object.entries(verdicts)) this.state.putVerdict(uuid, value);
    this.refresh(true);
  }

  /** Issues as the server stored them ({uuid: issue}). */
  putIssues(issues, changed) {
    if (issues && typeof issues === "object") {
      for (const value of Object.values(issues)) this.state.putIssue(value);
      changed = true;
    }
    if (changed) this.refresh(false);
  }

  /** Is this replayed issue op's text already in the thread (the page made it)? */
  alreadyShown(op) {
    const issue = this.state.issues.get(op.uuid);
    if (!issue) return false;
    if (op.action === "open") return true;
    const text = (op.text || "").trim();
    return Boolean(text) && issue.comments.some((c) => c.text === text && c.at === null);
  }

  /** Why this page may not judge or talk now ("" when it may). */
  editRefusal() {
    const app = this.app;
    if (app.readOnly) return "This is a read-only view";
    if (app.editBlock) return app.editBlock;
    if (this.prompting) return "Answer the open question first";
    return "";
  }

  /** Apply verdict ops as ONE undo step (saved through the live session). */
  applyVerdicts(ops) {
    if (!ops.length) return false;
    const app = this.app;
    app.store.seal();
    app.store.apply(ops.length === 1 ? ops[0] : { op: "batch", ops });
    app.store.seal();
    return true;
  }

  /** Send an issue op: shown at once, saved through the live session. */
  sendIssue(op) {
    const app = this.app;
    const issue = this.state.issues.get(op.uuid) || null;
    const refusal = this.editRefusal() || issueRefusal(issue, op.action, this.mode, op.text || "");
    if (refusal) {
      app.refuse(refusal);
      return false;
    }
    if (!app.autosave) {
      app.refuse("Issues are saved through the live session, which this page does not have");
      return false;
    }
    const before = issue ? structuredClone(issue) : null;
    this.state.applyIssue(op, { author: "you" });
    if (!app.autosave.push(op)) {
      if (before) this.state.putIssue(before);
      else this.state.dropIssue(op.uuid);
      this.refresh(false);
      return false;
    }
    this.focused = op.uuid;
    this.refresh(false);
    app.status(`Issue #${this.state.issueNumber(op.uuid)} ${describeIssue(op).replace("issue ", "")}`);
    return true;
  }

  // ---------------------------------------------------------------- commands and keys

  addCommands() {
    const add = (name, fn) => this.app.hooks.addCommand(name, fn);
    add("reviewStep", (step) => this.step(step));
    add("reviewIssue", (uuid, action, text) => this.sendIssue(issueActionOp(uuid, action, text || "")));
    if (this.mode !== "review") return;
    add("reviewAccept", () => this.judgeSelection("accepted"));
    add("reviewReject", () => this.judgeSelection("rejected"));
    add("reviewAcceptRest", () => this.acceptRest());
    add("reviewPin", () => this.pin());
    add("reviewAcceptTask", () => this.decide("accept"));
    add("reviewSendBack", () => this.decide("send_back"));
  }

  onKey(event) {
    if (this.prompting) return false;
    const binding = matchReview(event, this.mode);
    if (!binding) return false;
    this.app.run(binding.command, binding.args || []);
    return true;
  }

  refuseSubmit() {
    this.app.refuse(CTRL_ENTER_REFUSAL);
    return true;
  }

  reviewToolbar() {
    const app = this.app;
    app.hooks.addToolbarButton({ icon: "M5 11l4 4 8-9", title: "Accept the task (Shift+Enter)", text: "Accept task", command: "reviewAcceptTask" });
    app.hooks.addToolbarButton({ icon: "M9 6L4 11l5 5M4 11h9a5 5 0 010 10", title: "Send the task back for rework (Shift+X)", text: "Send back", command: "reviewSendBack" });
    if (app.submitButton) app.submitButton.hidden = true; // Shift+Enter / Accept task instead
    const release = app.root.querySelector(".wb-skip button");
    if (release) {
      release.textContent = "Release";
      release.title = "Release: give the review back to the queue";
    }
  }

  async judgeSelection(verdict) {
    const app = this.app;
    const refusal = this.editRefusal();
    if (refusal) return app.refuse(refusal), true;
    const uuids = [...app.store.selection];
    if (!uuids.length) {
      app.refuse(`Select an annotation to ${verdict === "accepted" ? "accept" : "reject"} (Tab walks them)`);
      return true;
    }
    let reason = "";
    if (verdict === "rejected") {
      const what = uuids.length === 1 ? app.describe(uuids[0]) : `${uuids.length} annotations`;
      const answer = await this.ask({ title: `Reject ${what}`, label: "Reason (the tasker sees it)", required: true, confirm: "Reject" });
      if (answer === null) {
        app.status("Not rejected");
        return true;
      }
      reason = answer;
    }
    const after = verdict === "rejected" ? { verdict, reason } : { verdict };
    const ops = uuids.map((uuid) => this.state.verdictOp(uuid, after)).filter(Boolean);
    if (!this.applyVerdicts(ops)) {
      app.status(`Already ${verdict}`);
      return true;
    }
    const named = uuids.length === 1 ? app.describe(uuids[0]) : `${uuids.length} annotations`;
    app.status(`${verdict === "accepted" ? "Accepted" : "Rejected"}: ${named}${reason ? ` (${reason})` : ""}`);
    return true;
  }

  acceptRest() {
    const app = this.app;
    const refusal = this.editRefusal();
    if (refusal) return app.refuse(refusal), true;
    const uuids = this.state.unjudged(app.store.uuids());
    const ops = uuids.map((uuid) => this.state.verdictOp(uuid, { verdict: "accepted" })).filter(Boolean);
    if (!this.applyVerdicts(ops)) app.status("Every annotation has a verdict");
    else app.status(`Accepted ${ops.length} annotation${ops.length === 1 ? "" : "s"} without a verdict`);
    return true;
  }

  async pin() {
    const app = this.app;
    const refusal = this.editRefusal();
    if (refusal) return app.refuse(refusal), true;
    const point = app.hooks.pointer();
    if (!point) {
      app.refuse("Point at the place first: I pins the issue under the mouse");
      return true;
    }
    const under = app.hitTest(point);
    const annotation = under || app.store.selected || null;
    const title = annotation ? `Issue on ${app.describe(annotation)}` : "Issue at this point";
    const text = await this.ask({ title, label: "Comment (the tasker sees it)", required: true, confirm: "Pin" });
    if (text === null) {
      app.status("No issue pinned");
      return true;
    }
    const frame = app.video ? app.store.frame : null;
    this.sendIssue(openIssueOp({ uuid: newUuid(), x: point.x, y: point.y, frame, annotation_uuid: annotation, text }));
    return true;
  }

  /** N / Shift+N: the next open issue (and in rework the next rejected annotation). */
  step(step) {
    const app = this.app;
    const targets = this.state.targets(app.store.uuids());
    const current = this.focused || app.store.selected;
    const next = stepTarget(targets, (t) => t.uuid === current, step);
    if (!next) {
      app.status(this.mode === "rework" ? "Nothing left to fix: no open issue, no rejected annotation" : "No open issue");
      return true;
    }
    if (next.kind === "issue") this.focusIssue(next.uuid, { reveal: true });
    else {
      this.focused = null;
      app.select([next.uuid]);
      app.reveal(next.uuid);
      const verdict = this.state.verdictOf(next.uuid);
      app.status(`Rejected: ${app.describe(next.uuid)}${verdict?.reason ? `: ${verdict.reason}` : ""}`);
      this.refresh(false);
    }
    return true;
  }

  /** Show an issue: its pin ringed (brought into view), its annotation selected, its thread. */
  focusIssue(uuid, { reveal = true } = {}) {
    const app = this.app;
    const issue = this.state.issues.get(uuid);
    if (!issue) return;
    this.focused = uuid;
    if (issue.annotation_uuid && app.store.get(issue.annotation_uuid)) app.select([issue.annotation_uuid]);
    if (reveal && issue.x !== null && issue.y !== null) {
      const r = 40 / app.view.scale;
      if (app.view.reveal({ minX: issue.x - r, minY: issue.y - r, maxX: issue.x + r, maxY: issue.y + r })) app.invalidate("view");
    }
    const first = issue.comments[0]?.text || "";
    app.status(`Issue #${this.state.issueNumber(uuid)} (${issue.status})${first ? `: ${first}` : ""}`);
    this.refresh(false);
    this.issues?.reveal?.(uuid);
  }

  // ---------------------------------------------------------------- the task's decision

  async decide(decision) {
    const app = this.app;
    const refusal = this.editRefusal();
    if (refusal) return app.refuse(refusal), true;
    if (app.tool.busy) {
      app.refuse("Finish the shape being drawn (Enter) or drop it (Esc) first");
      return true;
    }
    let comment = "";
    if (decision === "send_back") {
      const answer = await this.ask({
        title: "Send the task back for rework", label: "Comment for the tasker (the banner they see)",
        required: false, confirm: "Send back",
        check: (text) => this.state.canSendBack(text, app.store.uuids(), this.scope).reason,
      });
      if (answer === null) {
        app.status("Not sent back");
        return true;
      }
      comment = answer;
    }
    if (this.deciding) return true;
    this.deciding = true;
    app.root.dataset.deciding = decision;
    app.status(decision === "accept" ? "Accepting the task…" : "Sending the task back…");
    try {
      // a kind's own preparation first (a mask's snapshot: the decision reads the base)
      const unprepared = await app.hooks.beforeDecide();
      if (unprepared) {
        app.status(`Not ${decision === "accept" ? "accepted" : "sent back"}: ${unprepared}`, "error");
        return true;
      }
      const flushed = await this.flush();
      if (flushed !== true) {
        app.status(flushed, "error");
        return true;
      }
      const body = decision === "send_back" ? { decision, comment } : { decision };
      const result = await submitTask(this.decideUrl, body);
      if (result.ok) {
        app.leaving = true;
        app.root.dataset.decided = decision;
        app.autosave?.sync.stop();
        await app.autosave?.sync.clear();
        app.status(decision === "accept" ? "Accepted. Opening the next review…" : "Sent back. Opening the next review…");
        window.location.assign(result.nextUrl);
        return true;
      }
      const { message, uuid } = describeRefusal(app, `Not ${decision === "accept" ? "accepted" : "sent back"}`, result);
      if (uuid) {
        app.select([uuid]);
        app.reveal(uuid);
      }
      app.status(message, "error");
      app.showBanner(message);
      app.root.dataset.decideError = result.error;
      return true;
    } finally {
      this.deciding = false;
      delete app.root.dataset.deciding;
    }
  }

  /** Wait until every op was answered: true, or why not. */
  async flush() {
    const autosave = this.app.autosave;
    if (!autosave) return true;
    const flushed = await Promise.race([
      autosave.sync.flush(),
      new Promise((resolve) => setTimeout(() => resolve(null), FLUSH_TIMEOUT_MS)),
    ]);
    if (flushed === null) return `${autosave.sync.state.unsent} edits are not saved yet (offline?). Nothing was lost: try again once the page says Saved.`;
    return flushed ? true : "The live session has ended: this review can no longer be decided here.";
  }

  // ---------------------------------------------------------------- what the page shows

  styleOf(a) {
    const verdict = this.state.verdictOf(a.uuid);
    if (!verdict) return undefined;
    if (verdict.verdict === "accepted") return { tone: "accepted", badge: "accepted" };
    const note = `Rejected${verdict.reason ? `: ${verdict.reason}` : ""}`;
    if (verdict.revised) return { tone: "revised", badge: "revised", note: `${note} (changed since)` };
    return { tone: "rejected", badge: "rejected", note };
  }

  /** The pins of this frame (a video: those on the current frame, or on none). */
  visibleIssues() {
    const frame = this.app.video ? this.app.store.frame : null;
    return this.state.issueList().filter((issue) => issue.x !== null && issue.y !== null
      && (frame === null || issue.frame === null || issue.frame === frame));
  }

  drawPins(ctx, view) {
    const issues = this.visibleIssues();
    if (!issues.length) return;
    ctx.save();
    ctx.font = "bold 11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const issue of issues) {
      const p = view.toScreen({ x: issue.x, y: issue.y });
      const focused = issue.uuid === this.focused;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x - 5, p.y - PIN_RADIUS - 2);
      ctx.lineTo(p.x + 5, p.y - PIN_RADIUS - 2);
      ctx.closePath();
      ctx.fillStyle = PIN_COLORS[issue.status];
      ctx.fill();
      ctx.beginPath();
      ctx.arc(p.x, p.y - PIN_RADIUS - 6, PIN_RADIUS, 0, Math.PI * 2);
      ctx.fill();
      ctx.lineWidth = focused ? 3 : 1.5;
      ctx.strokeStyle = focused ? "#ffffff" : "rgba(10,12,16,0.9)";
      ctx.stroke();
      ctx.fillStyle = "#ffffff";
      ctx.fillText(String(this.state.issueNumber(issue.uuid)), p.x, p.y - PIN_RADIUS - 6);
    }
    ctx.restore();
  }

  /** The pin whose round marker (above its point) is under an image point, or null. */
  pinAt(point) {
    const view = this.app.view;
    const s = view.toScreen(point);
    let found = null;
    for (const issue of this.visibleIssues()) {
      const p = view.toScreen({ x: issue.x, y: issue.y });
      const cy = p.y - PIN_RADIUS - 6;
      // the round marker only: its tip stays free, so the annotation under it can be dragged
      if (Math.hypot(s.x - p.x, s.y - cy) <= PIN_RADIUS + 2) found = issue.uuid;
    }
    return found;
  }

  showBanner() {
    const state = this.state;
    if (this.mode === "rework") {
      const text = bannerText(state.banner);
      this.app.hooks.setBanner(text ? { text, tone: "warn" } : null);
      return;
    }
    const before = bannerText(state.banner);
    this.app.hooks.setBanner(state.round && state.round > 1 && before
      ? { text: `Review round ${state.round}. ${before}`, tone: "info" } : null);
  }

  onStoreChange(change) {
    if (!["apply", "undo", "redo"].includes(change.kind)) return;
    // a fix in rework revises the rejected annotation and resolves its issues (as the server
    // does); only the page's own edits count (a server-made change comes as an empty batch)
    if (this.mode === "rework" && change.op && this.state.revise(opUuids(change.op))) {
      this.refresh(true);
      return;
    }
    this.refresh(false);
  }

  /** Panels, pins and (`restyle`) the annotations' outlines follow the state. */
  refresh(restyle) {
    const app = this.app;
    if (restyle) {
      // outlines, list badges and the attributes panel's note: as after a server-made change
      app.store.emit("apply", { op: "batch", ops: [] }, new Set());
    }
    this.issues?.render?.();
    this.summary?.render?.();
    app.invalidate("overlay");
    this.publish();
  }

  /** The state as data attributes (tests, styles). */
  publish() {
    const root = this.app.root;
    const counts = this.state.counts(this.app.store.uuids());
    root.dataset.verdicts = `${counts.accepted}/${counts.rejected}/${counts.none}`;
    root.dataset.openIssues = String(this.state.openIssues().length);
  }

  // ---------------------------------------------------------------- the question box

  /**
   * Ask for a text over the canvas (Enter confirms, Shift+Enter a new line, Esc cancels):
   * the text, or null when cancelled. `check(text)` says why a text may not be confirmed.
   * @param {{title: string, label: string, required?: boolean, confirm?: string,
   *   check?: (text: string) => string}} question
   * @returns {Promise<string | null>}
   */
  ask({ title, label, required = true, confirm = "OK", check }) {
    const app = this.app;
    this.prompting = true;
    app.tool.cancel?.();
    return new Promise((resolve) => {
      const box = document.createElement("div");
      box.className = "wb-ask";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-modal", "true");
      const heading = document.createElement("h2");
      heading.className = "wb-ask-title";
      heading.id = `wb-ask-${Date.now()}`;
      heading.textContent = title;
      box.setAttribute("aria-labelledby", heading.id);
      const field = document.createElement("textarea");
      field.className = "wb-ask-text";
      field.rows = 3;
      field.setAttribute("aria-label", label);
      field.placeholder = label;
      const problem = document.createElement("p");
      problem.className = "wb-ask-problem";
      problem.setAttribute("role", "alert");
      const buttons = document.createElement("div");
      buttons.className = "wb-ask-buttons";
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "wb-button";
      cancel.textContent = "Cancel";
      cancel.title = "Cancel (Esc)";
      const ok = document.createElement("button");
      ok.type = "button";
      ok.className = "wb-button primary";
      ok.textContent = confirm;
      ok.title = `${confirm} (Enter)`;
      buttons.append(cancel, ok);
      box.append(heading, field, problem, buttons);
      const done = (value) => {
        box.remove();
        this.prompting = false;
        app.canvas.focus({ preventScroll: true });
        resolve(value);
      };
      const submit = () => {
        const text = field.value.trim();
        const why = required && !text ? `${label.replace(/ \(.*\)$/, "")} is required` : check ? check(text) : "";
        if (why) {
          problem.textContent = why;
          field.focus();
          return;
        }
        done(text);
      };
      box.addEventListener("keydown", (event) => {
        event.stopPropagation(); // the workbench's keys wait
        if (event.key === "Escape") {
          event.preventDefault();
          done(null);
        } else if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();
          submit();
        }
      });
      cancel.addEventListener("click", () => done(null));
      ok.addEventListener("click", submit);
      app.stage.append(box);
      field.focus();
    });
  }
}
