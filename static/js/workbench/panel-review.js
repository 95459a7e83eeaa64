// The Review panel. On the review page: the verdict counts (accepted, rejected, without a
// verdict), the open issues, and Accept task / Send back. On the rework page: what the review
// said (the comment, the rejected annotations with their reasons, click to select one).
// A whole-task review (hooks.setReviewScope("task"): a mask) has no verdicts: the panel
// shows the open issues, the decision's buttons and what the decision covers.

import { wholeTaskHint } from "../lib/review.js";

/** @param {any} review the ReviewController */
export function reviewPanel(review) {
  return {
    id: "review",
    title: review.mode === "review" ? "Review" : "Sent back",
    mount(body, app) {
      this.app = app;
      this.body = body;
      body.classList.add("wb-review");
      this.render();
    },

    update(change) {
      if (change.kind === "apply" || change.kind === "undo" || change.kind === "redo") this.render();
    },

    render() {
      if (!this.body) return;
      const app = this.app;
      const state = review.state;
      const uuids = app.store.uuids();
      const counts = state.counts(uuids);
      const open = state.openIssues().length;
      const parts = [];
      if (state.round) this.extra.textContent = `round ${state.round}`;
      if (review.scope === "task") {
        this.body.replaceChildren(...this.wholeTask(open));
        return;
      }
      if (review.mode === "review") {
        const line = div("wb-review-counts");
        line.append(count("accepted", counts.accepted, "accepted"), count("rejected", counts.rejected, "rejected"),
          count("none", counts.none, "without a verdict"), issuesCount(open));
        parts.push(line);
        if (!app.readOnly) {
          parts.push(decisionButtons(app, "Accept the task with your fixes (Shift+Enter)"));
          parts.push(hint(counts.none ? "A accepts the selection, X rejects it, Shift+A accepts the rest, I pins an issue."
            : "Every annotation has a verdict."));
        }
      } else {
        const comment = state.banner?.comment;
        if (comment) parts.push(paragraph("wb-review-comment", comment));
        const rejected = uuids.filter((uuid) => state.verdictOf(uuid)?.verdict === "rejected");
        const list = div("wb-review-rejected");
        for (const uuid of rejected) {
          const verdict = state.verdictOf(uuid);
          const row = document.createElement("button");
          row.type = "button";
          row.className = "wb-review-rejected-row";
          row.dataset.uuid = uuid;
          row.dataset.revised = verdict.revised ? "true" : "false";
          row.textContent = `${app.describe(uuid)}${verdict.reason ? `: ${verdict.reason}` : ""}${verdict.revised ? " (changed)" : ""}`;
          row.addEventListener("click", () => app.selectFromList(uuid, false));
          list.append(row);
        }
        parts.push(hint(`${rejected.length} rejected to fix · ${open} open ${open === 1 ? "issue" : "issues"} · `
          + `${counts.accepted} accepted (locked). N walks them.`));
        if (rejected.length) parts.push(list);
      }
      this.body.replaceChildren(...parts);
    },

    /** The parts of a whole-task review (a mask). @param {number} open @returns {HTMLElement[]} */
    wholeTask(open) {
      const app = this.app;
      const parts = [];
      if (review.mode === "review") {
        const line = div("wb-review-counts");
        line.append(issuesCount(open));
        parts.push(line);
        if (!app.readOnly) parts.push(decisionButtons(app, "Accept the whole mask with your repaint (Shift+Enter)"));
      } else {
        const comment = review.state.banner?.comment;
        if (comment) parts.push(paragraph("wb-review-comment", comment));
      }
      if (!app.readOnly || review.mode !== "review") parts.push(hint(wholeTaskHint(review.mode, open)));
      return parts;
    },
  };
}

function div(className) {
  const el = document.createElement("div");
  el.className = className;
  return el;
}

function paragraph(className, text) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  return p;
}

function hint(text) {
  return paragraph("wb-panel-hint", text);
}

function count(kind, n, text) {
  const el = document.createElement("span");
  el.className = `wb-review-count wb-review-count-${kind}`;
  el.dataset.count = String(n);
  el.textContent = `${n} ${text}`;
  return el;
}

function issuesCount(open) {
  return count("issues", open, open === 1 ? "open issue" : "open issues");
}

/** The reviewer's two decisions on the whole task; `acceptTitle` says what accepting keeps. */
function decisionButtons(app, acceptTitle) {
  const buttons = div("wb-review-buttons");
  buttons.append(
    button("Accept task", acceptTitle, "primary", () => app.run("reviewAcceptTask")),
    button("Send back", "Send the task back for rework (Shift+X)", "", () => app.run("reviewSendBack")));
  return buttons;
}

function button(text, title, kind, onClick) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = `wb-button ${kind}`.trim();
  el.textContent = text;
  el.title = title;
  el.addEventListener("click", onClick);
  return el;
}
