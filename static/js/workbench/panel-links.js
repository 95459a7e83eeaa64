// Links (response.links): the list (click a row to select its `from` annotation, × deletes
// the link), and, for the selected annotation, a link to another one: picked on the canvas or
// chosen from the annotations some rule lets it link to. The task's rules are listed below.
// A link belongs to its `from` annotation: a lock on that one forbids adding or deleting it.

import { allowedLinks } from "../lib/links.js";
import { el, focusKey, note, restoreFocus } from "./attribute-controls.js";
import { EDITS, renderingPanel } from "./panels.js";

const MAX_OPTIONS = 400;

export function linksPanel() {
  return renderingPanel({
    id: "links",
    title: "Links",
    className: "wb-links-panel",
    on: ["select", ...EDITS],

    render() {
      const app = this.app;
      const key = focusKey(this.body);
      const links = app.store.links;
      this.extra.textContent = String(links.length);
      const parts = [this.linkList(links), this.creator(), this.rules()];
      this.body.replaceChildren(...parts.filter(Boolean));
      restoreFocus(this.body, key);
    },

    linkList(links) {
      const app = this.app;
      if (!links.length) return note("No links yet.", "wb-panel-hint");
      const list = el("ul", "wb-links", { "aria-label": "Links" });
      links.forEach((link, index) => {
        const li = el("li", "wb-link");
        li.dataset.focusGroup = `link-${index}`;
        li.dataset.label = link.label;
        li.dataset.from = link.from;
        li.dataset.to = link.to;
        if (app.store.selection.has(link.from) || app.store.selection.has(link.to)) li.classList.add("selected");
        const text = el("button", "wb-link-text", { type: "button", title: "Select the annotation it starts at" });
        text.dataset.role = "select";
        const label = el("span", "wb-link-label");
        label.textContent = link.label;
        const ends = el("span", "wb-link-ends");
        ends.textContent = `${app.describe(link.from)} → ${app.describe(link.to)}`;
        text.append(label, ends);
        text.addEventListener("click", (event) => app.selectFromList(link.from, event.shiftKey));
        const remove = el("button", "wb-link-delete", { type: "button" });
        remove.dataset.role = "unlink";
        remove.textContent = "×";
        const verdict = app.can("edit_attributes", link.from);
        remove.title = verdict.allowed ? "Delete this link" : verdict.reason;
        remove.setAttribute("aria-label", `Delete link ${link.label}`);
        remove.disabled = !verdict.allowed;
        remove.addEventListener("click", () => app.deleteLink(link));
        li.append(text, remove);
        list.append(li);
      });
      return list;
    },

    creator() {
      const app = this.app;
      const uuid = app.store.selected;
      if (app.readOnly) return null;
      if (!uuid) return note("Select an annotation to link it to another.", "wb-panel-hint");
      const box = el("div", "wb-link-new");
      box.dataset.focusGroup = "new-link";
      const title = el("div", "wb-attrs-title");
      title.textContent = `Link from ${app.describe(uuid)}`;
      box.append(title);
      const verdict = app.can("edit_attributes", uuid);
      if (!verdict.allowed) {
        box.append(note(`${verdict.reason}: no link can start from it.`, "wb-attrs-locked"));
        return box;
      }
      const from = app.store.get(uuid);
      const row = el("div", "wb-link-row");
      const pick = el("button", "wb-attr-button", { type: "button", title: "Click the annotation to link to on the canvas" });
      pick.dataset.role = "link-pick";
      pick.textContent = "Pick on canvas";
      pick.addEventListener("click", () => {
        app.startPick({
          prompt: `Click the annotation to link ${app.describe(uuid)} to`,
          from: uuid,
          accept: () => "", // refusals are said by addLink, which also asks for the label
          done: (to) => {
            app.addLink(uuid, to);
          },
        });
      });
      row.append(pick);
      const targets = [];
      for (const [other, a] of app.store.model) {
        if (other !== uuid && allowedLinks(app.linkDefs, from.label, a.label).length) targets.push(other);
        if (targets.length >= MAX_OPTIONS) break;
      }
      const select = el("select", "wb-attr-select", { "aria-label": "Annotation to link to" });
      select.dataset.role = "link-target";
      const none = el("option");
      none.value = "";
      none.textContent = targets.length ? "— or choose —" : "— no rule allows a link from it —";
      select.append(none);
      for (const other of targets) {
        const option = el("option");
        option.value = other;
        option.textContent = app.describe(other);
        select.append(option);
      }
      select.disabled = !targets.length;
      const add = el("button", "wb-attr-button", { type: "button" });
      add.dataset.role = "link-add";
      add.textContent = "Add";
      add.addEventListener("click", () => {
        if (!select.value) {
          app.refuse("Choose the annotation to link to first");
          return;
        }
        app.addLink(uuid, select.value);
      });
      box.append(row, select, add);
      return box;
    },

    rules() {
      const lines = [];
      for (const [label, rules] of Object.entries(this.app.linkDefs)) {
        for (const rule of rules || []) {
          const arrow = rule.is_bidirectional ? "↔" : "→";
          lines.push(`${label}: ${(rule.from_allowed_labels || []).join(", ")} ${arrow} ${(rule.to_allowed_labels || []).join(", ")}`);
        }
      }
      if (!lines.length) return null;
      const details = el("details", "wb-link-rules");
      details.open = Boolean(this.rulesOpen);
      details.addEventListener("toggle", () => {
        this.rulesOpen = details.open;
      });
      const summary = el("summary");
      summary.textContent = "Link rules";
      details.append(summary);
      for (const line of lines) details.append(note(line));
      return details;
    },
  });
}
