// The label picker: a floating panel with a search field over the nested label tree.
//
// open() shows it with the search field focused and resolves with the picked leaf `choice`,
// or null when the tasker pressed Esc. Typing filters every leaf of the tree by display text
// and choice (results show their path, "Pedestrian › Adult"); ↑/↓ move, Enter picks the
// highlighted leaf, a click picks; Alt+1–9 pick a recent label (typed digits always search).
// Groups are headings only: they cannot be picked. Task text goes in with textContent only.

import { isLeaf, recentKeyIndex, search } from "../lib/labeltree.js";

let counter = 0;

export class LabelPicker {
  /** @param {HTMLElement} container the element the picker floats in (position: relative) */
  constructor(container) {
    this.container = container;
    this.id = `wb-picker-${++counter}`;
    this.el = document.createElement("div");
    this.el.className = "wb-picker";
    this.el.hidden = true;
    this.el.setAttribute("role", "dialog");
    this.el.setAttribute("aria-label", "Choose a label");
    this.titleEl = document.createElement("div");
    this.titleEl.className = "wb-picker-title";
    this.input = document.createElement("input");
    this.input.type = "text";
    this.input.className = "wb-picker-search";
    this.input.placeholder = "Search labels…";
    this.input.autocomplete = "off";
    this.input.spellcheck = false;
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-expanded", "true");
    this.input.setAttribute("aria-controls", `${this.id}-list`);
    this.input.setAttribute("aria-label", "Search labels");
    this.list = document.createElement("ul");
    this.list.className = "wb-picker-list";
    this.list.id = `${this.id}-list`;
    this.list.setAttribute("role", "listbox");
    const hint = document.createElement("div");
    hint.className = "wb-picker-hint";
    hint.textContent = "↑↓ move · Enter pick · Alt+1–9 recent · Esc cancel";
    this.el.append(this.titleEl, this.input, this.list, hint);
    container.append(this.el);
    /** @type {{choice: string, el: HTMLElement}[]} */
    this.options = [];
    this.highlighted = -1;
    this.resolve = null;
    this.state = null;
    this.input.addEventListener("input", () => this.render());
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
    this.list.addEventListener("click", (event) => {
      const li = /** @type {HTMLElement} */ (event.target).closest?.("[data-index]");
      if (li) this.pick(Number(li.dataset.index));
    });
    this.list.addEventListener("mousemove", (event) => {
      const li = /** @type {HTMLElement} */ (event.target).closest?.("[data-index]");
      if (li) this.setHighlight(Number(li.dataset.index), false);
    });
  }

  get isOpen() {
    return !this.el.hidden;
  }

  /**
   * @param {{title: string, tree: any[], recent: string[], current?: string | null,
   *   anchor?: {x: number, y: number}, colorOf: (choice: string) => string,
   *   displayOf: (choice: string) => string}} options
   * @returns {Promise<string | null>}
   */
  open(options) {
    if (this.resolve) this.close(null);
    this.state = options;
    this.titleEl.textContent = options.title;
    this.input.value = "";
    this.el.hidden = false;
    this.render();
    this.place(options.anchor);
    this.input.focus();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  place(anchor) {
    const box = this.container.getBoundingClientRect();
    const w = this.el.offsetWidth || 300, h = this.el.offsetHeight || 320;
    const a = anchor || { x: box.width / 2 - w / 2, y: 60 };
    const x = Math.max(8, Math.min(a.x + 12, box.width - w - 8));
    const y = Math.max(8, Math.min(a.y, box.height - h - 8));
    this.el.style.left = `${x}px`;
    this.el.style.top = `${y}px`;
  }

  close(value) {
    const resolve = this.resolve;
    this.resolve = null;
    this.el.hidden = true;
    this.state = null;
    this.options = [];
    this.list.replaceChildren();
    if (resolve) resolve(value);
  }

  pick(index) {
    const option = this.options[index];
    if (option) this.close(option.choice);
  }

  onKey(event) {
    event.stopPropagation();
    const key = event.key;
    if (key === "Escape") {
      event.preventDefault();
      this.close(null);
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (!this.options.length) return;
      const step = key === "ArrowDown" ? 1 : -1;
      const n = this.options.length;
      this.setHighlight((this.highlighted + step + n) % n, true);
    } else if (key === "Enter") {
      event.preventDefault();
      if (this.highlighted >= 0) this.pick(this.highlighted);
    } else if (key === "Tab") {
      event.preventDefault();
    } else if (recentKeyIndex(event) >= 0) {
      event.preventDefault();  // Alt+digit never types into the search
      const choice = this.state.recent[recentKeyIndex(event)];
      if (choice) this.close(choice);
    }
  }

  setHighlight(index, scroll) {
    const previous = this.options[this.highlighted];
    if (previous) {
      previous.el.classList.remove("active");
      previous.el.setAttribute("aria-selected", "false");
    }
    this.highlighted = index;
    const option = this.options[index];
    if (!option) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    option.el.classList.add("active");
    option.el.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", option.el.id);
    if (scroll) option.el.scrollIntoView({ block: "nearest" });
  }

  render() {
    const state = this.state;
    if (!state) return;
    const query = this.input.value.trim();
    this.options = [];
    const items = [];
    if (query) {
      const results = search(state.tree, query);
      if (!results.length) items.push(this.note(`No label matches “${query}”`));
      for (const r of results) {
        items.push(this.option(r.choice, r.display, r.node.path.length > 1 ? r.path : ""));
      }
    } else {
      if (state.recent.length) {
        items.push(this.heading("Recent", 0));
        state.recent.forEach((choice, i) => {
          items.push(this.option(choice, state.displayOf(choice), "", i + 1));
        });
        items.push(this.heading("All labels", 0));
      }
      const walk = (nodes, depth) => {
        for (const node of nodes) {
          if (isLeaf(node)) items.push(this.option(node.choice, node.display, "", 0, depth));
          else {
            items.push(this.heading(node.display, depth));
            walk(node.children, depth + 1);
          }
        }
      };
      walk(state.tree, 0);
    }
    this.list.replaceChildren(...items);
    let start = 0;
    if (!query && state.current) {
      const i = this.options.findIndex((o) => o.choice === state.current && !o.recent);
      if (i >= 0) start = i;
    }
    this.highlighted = -1;
    this.setHighlight(this.options.length ? start : -1, true);
  }

  option(choice, display, path, recentKey = 0, depth = 0) {
    const li = document.createElement("li");
    const index = this.options.length;
    li.id = `${this.id}-opt-${index}`;
    li.className = "wb-picker-option";
    li.dataset.index = String(index);
    li.dataset.choice = choice;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.style.paddingLeft = `${10 + depth * 14}px`;
    if (recentKey) {
      const key = document.createElement("kbd");
      key.textContent = `Alt+${recentKey}`;
      li.append(key);
    }
    const swatch = document.createElement("span");
    swatch.className = "wb-swatch";
    swatch.style.background = this.state.colorOf(choice);
    const name = document.createElement("span");
    name.className = "wb-picker-name";
    name.textContent = display;
    li.append(swatch, name);
    if (path && path !== display) {
      const where = document.createElement("span");
      where.className = "wb-picker-path";
      where.textContent = path;
      li.append(where);
    }
    if (this.state.current === choice) li.classList.add("current");
    this.options.push({ choice, el: li, recent: Boolean(recentKey) });
    return li;
  }

  heading(text, depth) {
    const li = document.createElement("li");
    li.className = "wb-picker-group";
    li.setAttribute("role", "presentation");
    li.style.paddingLeft = `${10 + depth * 14}px`;
    li.textContent = text;
    return li;
  }

  note(text) {
    const li = document.createElement("li");
    li.className = "wb-picker-note";
    li.textContent = text;
    return li;
  }
}

