// The help overlay (?): every shortcut, built from the key map itself (keyboard.js).

import { helpSections } from "./keyboard.js";

export class HelpOverlay {
  /**
   * @param {HTMLElement} container @param {() => void} onClose
   * @param {Map<string, string[][]>} [sections] the rows (a video task has its own keys)
   */
  constructor(container, onClose, sections = helpSections()) {
    this.onClose = onClose;
    this.el = document.createElement("div");
    this.el.className = "wb-help";
    this.el.hidden = true;
    this.el.setAttribute("role", "dialog");
    this.el.setAttribute("aria-modal", "true");
    this.el.setAttribute("aria-labelledby", "wb-help-title");
    const card = document.createElement("div");
    card.className = "wb-help-card";
    const head = document.createElement("div");
    head.className = "wb-help-head";
    const title = document.createElement("h2");
    title.id = "wb-help-title";
    title.textContent = "Keyboard shortcuts";
    this.closeButton = document.createElement("button");
    this.closeButton.type = "button";
    this.closeButton.className = "wb-help-close";
    this.closeButton.textContent = "Close";
    this.closeButton.title = "Close (Esc)";
    this.closeButton.addEventListener("click", () => this.onClose());
    head.append(title, this.closeButton);
    const grid = document.createElement("div");
    grid.className = "wb-help-grid";
    for (const [section, rows] of sections) {
      const block = document.createElement("section");
      const h = document.createElement("h3");
      h.textContent = section;
      const table = document.createElement("table");
      for (const [keys, text] of rows) {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        for (const [i, part] of keys.split(", ").entries()) {
          if (i) th.append(", ");
          const kbd = document.createElement("kbd");
          kbd.textContent = part;
          th.append(kbd);
        }
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(th, td);
        table.append(tr);
      }
      block.append(h, table);
      grid.append(block);
    }
    card.append(head, grid);
    this.el.append(card);
    this.el.addEventListener("mousedown", (event) => {
      if (event.target === this.el) this.onClose();
    });
    container.append(this.el);
  }

  get isOpen() {
    return !this.el.hidden;
  }

  show() {
    this.el.hidden = false;
    this.closeButton.focus();
  }

  hide() {
    this.el.hidden = true;
  }
}
