// The side panels: a column of collapsible sections. Each panel is an object
// {id, title, mount(body, app), update?(change)}; update() is called with every store change
// ({kind: "apply" | "undo" | "redo" | "select" | "hover", …}). Issue 5's panels (attributes,
// global attributes, links, context images) plug in with add().

export class Panels {
  /** @param {HTMLElement} container @param {any} app */
  constructor(container, app) {
    this.container = container;
    this.app = app;
    /** @type {any[]} */
    this.panels = [];
  }

  /**
   * @param {{id: string, title: string, mount: (body: HTMLElement, app: any) => void,
   *   update?: (change: any) => void, collapsed?: boolean, grow?: boolean}} panel
   */
  add(panel) {
    const section = document.createElement("section");
    section.className = `wb-panel wb-panel-${panel.id}`;
    if (panel.grow) section.classList.add("grow");
    section.dataset.panel = panel.id;
    const heading = document.createElement("h2");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "wb-panel-toggle";
    toggle.setAttribute("aria-expanded", panel.collapsed ? "false" : "true");
    const title = document.createElement("span");
    title.textContent = panel.title;
    const extra = document.createElement("span");
    extra.className = "wb-panel-extra";
    toggle.append(title, extra);
    heading.append(toggle);
    const body = document.createElement("div");
    body.className = "wb-panel-body";
    body.id = `wb-panel-body-${panel.id}`;
    toggle.setAttribute("aria-controls", body.id);
    body.hidden = Boolean(panel.collapsed);
    toggle.addEventListener("click", () => {
      body.hidden = !body.hidden;
      toggle.setAttribute("aria-expanded", body.hidden ? "false" : "true");
      section.classList.toggle("collapsed", body.hidden);
    });
    section.classList.toggle("collapsed", body.hidden);
    section.append(heading, body);
    this.container.append(section);
    panel.section = section;
    panel.extra = extra;
    panel.mount(body, this.app);
    this.panels.push(panel);
    return panel;
  }

  update(change) {
    for (const panel of this.panels) panel.update?.(change);
  }
}

/** Change kinds of the store that edit the model. */
export const EDITS = ["apply", "undo", "redo"];

/**
 * A side panel that renders itself whole: on mount, then on each change whose kind is in
 * `on`. `spec` holds id, title, the body's class, and render() with any helpers it calls.
 * @param {{id: string, title: string, className: string, on: string[], render: Function}
 *   & Record<string, any>} spec
 */
export function renderingPanel({ className, on, ...spec }) {
  return {
    ...spec,
    mount(body, app) {
      this.app = app;
      this.body = body;
      body.classList.add(className);
      this.render();
    },
    update(change) {
      if (on.includes(change.kind)) this.render();
    },
  };
}
