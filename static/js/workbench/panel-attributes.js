// The selected annotation's attributes (annotation_attributes): only those whose conditions
// hold for its label and values (lib/attributes.js shownAttributes; x_line / y_line only on
// boxes and cuboids), each with its control (attribute-controls.js). Missing required values
// and invalid ones are flagged here and in the annotation list; a lock or a base-annotation
// flag disables the controls and says why. Every change is one undo step (app.setAttribute).

import { shownAttributes } from "../lib/attributes.js";
import { attributeRow, el, focusKey, note, restoreFocus } from "./attribute-controls.js";
import { EDITS, renderingPanel } from "./panels.js";

export function attributesPanel() {
  return renderingPanel({
    id: "attributes",
    title: "Attributes",
    className: "wb-attrs",
    on: ["select", ...EDITS],

    render() {
      const app = this.app;
      const body = this.body;
      const key = focusKey(body);
      const uuid = app.store.selected;
      const parts = [];
      this.extra.textContent = "";
      if (!uuid) {
        const n = app.store.selection.size;
        parts.push(note(n ? `${n} annotations selected: select one to see its attributes.`
          : "Select an annotation to see its attributes.", "wb-panel-hint"));
        body.dataset.uuid = "";
        body.replaceChildren(...parts);
        return;
      }
      const a = app.store.get(uuid);
      body.dataset.uuid = uuid;
      const title = el("div", "wb-attrs-title");
      title.textContent = app.describe(uuid);
      parts.push(title);
      for (const text of app.hooks.hasStyles ? app.hooks.styleOf(a, app.store.metaOf(uuid)).notes : []) {
        const mark = note(text, "wb-attrs-style-note"); // an extension's note (review: the reason)
        mark.setAttribute("role", "note");
        parts.push(mark);
      }
      const defs = app.attributeDefs;
      const verdict = app.can("edit_attributes", uuid);
      if (!verdict.allowed) {
        const locked = note(`${verdict.reason}: its attributes cannot change.`, "wb-attrs-locked");
        locked.setAttribute("role", "note");
        parts.push(locked);
      }
      const shown = shownAttributes(defs, a);
      if (!shown.length) {
        parts.push(note("No attributes for this annotation.", "wb-panel-hint"));
      }
      const problems = new Map(app.problemsOf(uuid).map((p) => [p.id, p.reason]));
      for (const id of shown) {
        const problem = problems.get(id);
        parts.push(attributeRow(app, {
          id,
          def: defs[id],
          value: a.attributes?.[id],
          disabled: !verdict.allowed,
          problem: problem ? `${id} ${problem}` : "",
          annotation: a,
          set: (value, options) => app.setAttribute(uuid, id, value, options),
        }));
      }
      if (problems.size) this.extra.textContent = `${problems.size} to fix`;
      body.replaceChildren(...parts);
      restoreFocus(body, key);
    },
  });
}
