// The Issues panel of the review and rework pages: every pin with its number, status, the
// annotation it names and its thread; a reply box; Resolve (the tasker, and the reviewer),
// Close and Reopen (the reviewer). A click on an issue shows its pin. Each action is an
// issue op (review-controller.js sendIssue), run through app.run so the guards see it.

const STATUS_TEXT = { open: "open", resolved: "resolved", closed: "closed" };

/** @param {any} review the ReviewController */
export function issuesPanel(review) {
  return {
    id: "issues",
    title: "Issues",
    mount(body, app) {
      this.app = app;
      this.body = body;
      body.classList.add("wb-issues");
      this.render();
    },

    update(change) {
      if (change.kind === "select") return;
      if (change.kind === "apply" || change.kind === "undo" || change.kind === "redo") this.render();
    },

    /** Bring an issue's entry into view. @param {string} uuid */
    reveal(uuid) {
      const item = this.body?.querySelector(`.wb-issue[data-uuid="${CSS.escape(uuid)}"]`);
      item?.scrollIntoView({ block: "nearest" });
    },

    render() {
      if (!this.body) return;
      const state = review.state;
      const issues = state.issueList();
      const open = issues.filter((issue) => issue.status === "open").length;
      this.extra.textContent = issues.length ? `${open} open` : "";
      // keep a reply being typed, and the focus, across the re-render
      const typing = this.body.querySelector(".wb-issue-reply:focus");
      const drafts = new Map([...this.body.querySelectorAll(".wb-issue-reply")]
        .map((input) => [input.closest(".wb-issue")?.dataset.uuid, input.value]));
      const items = [];
      if (!issues.length) {
        items.push(note(review.mode === "review"
          ? "No issues. Press I to pin one at the pointer." : "No issues."));
      }
      for (const issue of issues) items.push(this.item(issue, drafts.get(issue.uuid) || ""));
      this.body.replaceChildren(...items);
      if (typing) {
        const uuid = typing.closest(".wb-issue")?.dataset.uuid;
        const again = uuid ? this.body.querySelector(`.wb-issue[data-uuid="${CSS.escape(uuid)}"] .wb-issue-reply`) : null;
        again?.focus();
      }
    },

    item(issue, draft) {
      const app = this.app;
      const state = review.state;
      const el = div("wb-issue");
      el.dataset.uuid = issue.uuid;
      el.dataset.status = issue.status;
      if (issue.uuid === review.focused) el.classList.add("focused");
      const head = document.createElement("button");
      head.type = "button";
      head.className = "wb-issue-head";
      head.title = "Show this issue on the canvas (N walks the open ones)";
      const number = span("wb-issue-number", `#${state.issueNumber(issue.uuid)}`);
      const status = span(`wb-issue-status wb-issue-${issue.status}`, STATUS_TEXT[issue.status]);
      const target = span("wb-issue-target", issue.annotation_uuid
        ? (app.store.get(issue.annotation_uuid) ? app.describe(issue.annotation_uuid) : "a deleted annotation")
        : issue.x === null ? "the whole task" : `at ${Math.round(issue.x)}, ${Math.round(issue.y)}`);
      head.append(number, status, target);
      head.addEventListener("click", () => review.focusIssue(issue.uuid, { reveal: true }));
      el.append(head);
      const thread = div("wb-issue-thread");
      for (const comment of issue.comments) {
        const line = div("wb-issue-comment");
        line.append(span("wb-issue-author", comment.author === null ? "customer" : comment.author),
          span("wb-issue-text", comment.text));
        thread.append(line);
      }
      el.append(thread);
      if (app.readOnly) return el;
      const actions = div("wb-issue-actions");
      const reply = document.createElement("input");
      reply.type = "text";
      reply.className = "wb-issue-reply";
      reply.placeholder = "Reply…";
      reply.setAttribute("aria-label", `Reply to issue #${state.issueNumber(issue.uuid)}`);
      reply.value = draft;
      const send = () => {
        if (!reply.value.trim()) return;
        if (app.run("reviewIssue", [issue.uuid, "comment", reply.value])) reply.value = "";
      };
      reply.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          send();
        } else if (event.key === "Escape") {
          reply.value = "";
          app.canvas.focus({ preventScroll: true });
        }
      });
      actions.append(reply, button("Reply", "Send the reply", send));
      const act = (action) => () => app.run("reviewIssue", [issue.uuid, action, reply.value]) && (reply.value = "");
      if (issue.status === "open") actions.append(button("Resolve", "Mark it fixed (the reply, if any, goes with it)", act("resolve")));
      if (review.mode === "review") {
        if (issue.status !== "closed") actions.append(button("Close", "Close it: nothing left to do", act("close")));
        if (issue.status !== "open") actions.append(button("Reopen", "Open it again", act("reopen")));
      }
      el.append(actions);
      return el;
    },
  };
}

function div(className) {
  const el = document.createElement("div");
  el.className = className;
  return el;
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function note(text) {
  const p = document.createElement("p");
  p.className = "wb-panel-hint";
  p.textContent = text;
  return p;
}

function button(text, title, onClick) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "wb-button";
  el.textContent = text;
  el.title = title;
  el.addEventListener("click", onClick);
  return el;
}
