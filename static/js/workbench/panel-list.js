// The annotation list: one row per annotation in model order (label path, type, base and
// lock marks, a warning when below the minimum size, "missing" / "invalid" when an attribute
// blocks the submit). Click selects (Shift+click adds),
// hover highlights on the canvas. Virtualised: only the visible rows exist, so 10,000
// annotations cost as little as 20.

const ROW = 28; // px, matches .wb-row in workbench.css

export function annotationListPanel() {
  return {
    id: "annotations",
    title: "Annotations",
    grow: true,
    mount(body, app) {
      this.app = app;
      this.uuids = app.store.uuids();
      this.scroller = document.createElement("div");
      this.scroller.className = "wb-list";
      this.scroller.setAttribute("role", "listbox");
      this.scroller.setAttribute("aria-label", "Annotations");
      this.scroller.setAttribute("aria-multiselectable", "true");
      this.spacer = document.createElement("div");
      this.spacer.className = "wb-list-spacer";
      this.scroller.append(this.spacer);
      this.empty = document.createElement("p");
      this.empty.className = "wb-list-empty";
      this.empty.textContent = app.readOnly ? "No annotations." : "No annotations yet. Pick a tool and draw.";
      body.append(this.empty, this.scroller);
      this.pending = false;
      this.scroller.addEventListener("scroll", () => this.schedule());
      this.scroller.addEventListener("click", (event) => {
        const row = event.target.closest?.(".wb-row");
        if (!row) return;
        app.selectFromList(row.dataset.uuid, event.shiftKey);
      });
      this.scroller.addEventListener("mouseover", (event) => {
        const row = event.target.closest?.(".wb-row");
        app.setHover(row ? row.dataset.uuid : null);
      });
      this.scroller.addEventListener("mouseleave", () => app.setHover(null));
      new ResizeObserver(() => this.schedule()).observe(this.scroller);
      this.refresh();
    },

    update(change) {
      if (change.kind === "apply" || change.kind === "undo" || change.kind === "redo") {
        this.uuids = this.app.store.uuids();
        this.refresh();
      } else if (change.kind === "select") {
        this.revealSelection();
        this.schedule();
      } else if (change.kind === "hover") {
        for (const row of this.spacer.children) {
          row.classList.toggle("hover", row.dataset.uuid === this.app.hover);
        }
      }
    },

    refresh() {
      const n = this.uuids.length;
      this.extra.textContent = String(n);
      this.empty.hidden = n > 0;
      this.spacer.style.height = `${n * ROW}px`;
      this.schedule();
    },

    schedule() {
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.render();
      });
    },

    revealSelection() {
      const uuid = this.app.store.selected;
      if (!uuid) return;
      const i = this.uuids.indexOf(uuid);
      if (i < 0) return;
      const top = i * ROW, bottom = top + ROW;
      const s = this.scroller;
      if (top < s.scrollTop) s.scrollTop = top;
      else if (bottom > s.scrollTop + s.clientHeight) s.scrollTop = bottom - s.clientHeight;
    },

    render() {
      const s = this.scroller;
      const first = Math.max(0, Math.floor(s.scrollTop / ROW) - 5);
      const last = Math.min(this.uuids.length, Math.ceil((s.scrollTop + s.clientHeight) / ROW) + 5);
      const rows = [];
      for (let i = first; i < last; i++) rows.push(this.row(i, this.uuids[i]));
      this.spacer.replaceChildren(...rows);
    },

    row(i, uuid) {
      const app = this.app;
      const a = app.store.get(uuid);
      const meta = app.store.metaOf(uuid);
      const el = document.createElement("div");
      el.className = "wb-row";
      el.dataset.uuid = uuid;
      el.style.top = `${i * ROW}px`;
      el.setAttribute("role", "option");
      const selected = app.store.selection.has(uuid);
      el.setAttribute("aria-selected", selected ? "true" : "false");
      if (selected) el.classList.add("selected");
      if (app.hover === uuid) el.classList.add("hover");
      const index = document.createElement("span");
      index.className = "wb-row-index";
      index.textContent = String(i + 1);
      const swatch = document.createElement("span");
      swatch.className = "wb-swatch";
      swatch.style.background = app.colorOf(a);
      // The leaf always shows; its groups come first and are the part cut off when the row
      // is narrow ("…ad vehicle › Car", the full path in the tooltip): the label is laid out
      // right to left around a left-to-right path, so the overflow falls at its start.
      const label = document.createElement("span");
      label.className = "wb-row-label";
      const text = app.labelPath(a);
      const { groups, leaf } = splitPath(text);
      const path = document.createElement("span");
      path.className = "wb-row-path";
      if (groups) {
        const head = document.createElement("span");
        head.className = "wb-row-groups";
        head.textContent = `${groups} › `;
        path.append(head);
      }
      const tail = document.createElement("span");
      tail.className = "wb-row-leaf";
      tail.textContent = leaf || "(no label)";
      path.append(tail);
      label.append(path);
      if (!text) label.classList.add("muted");
      label.title = text || "";
      const type = document.createElement("span");
      type.className = "wb-row-type";
      type.textContent = a.type;
      el.append(index, swatch, label, type);
      if (app.isBelowMin(a)) el.append(badge("small", "Below the task's minimum size", "danger"));
      if (meta.source === "base") el.append(badge("base", "Base annotation", "base"));
      if (meta.locked) el.append(badge("locked", "Locked: it cannot be changed", "locked"));
      if (app.hooks.hasStyles) { // an extension's marks (review: accepted / rejected, the reason)
        const style = app.hooks.styleOf(a, meta);
        for (const text of style.badges) el.append(badge(text, style.notes.join("; ") || text, `tone-${style.tone || "none"}`));
        if (style.notes.length) el.title = style.notes.join("; ");
      }
      const problems = app.problemsOf(uuid);
      if (problems.length) {
        const title = problems.map((p) => `${p.id} ${p.reason}`).join("; ");
        el.append(badge(problems.some((p) => p.reason === "is required") ? "missing" : "invalid", title, "incomplete"));
        el.classList.add("incomplete");
      }
      return el;
    },
  };
}

/** "Vehicle › Road › Car" → {groups: "Vehicle › Road", leaf: "Car"}. */
export function splitPath(text) {
  const at = (text || "").lastIndexOf(" › ");
  if (at < 0) return { groups: "", leaf: text || "" };
  return { groups: text.slice(0, at), leaf: text.slice(at + 3) };
}

function badge(text, title, kind) {
  const span = document.createElement("span");
  span.className = `wb-badge wb-badge-${kind}`;
  span.textContent = text;
  span.title = title;
  return span;
}
