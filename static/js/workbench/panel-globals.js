// The image's global attributes (conditions.is_global), returned in
// response.global_attributes: only those whose attribute conditions hold, with the same
// controls as the annotations' attributes. Every change is one undo step (app.setGlobal).

import { shownGlobals } from "../lib/attributes.js";
import { attributeRow, focusKey, note, restoreFocus } from "./attribute-controls.js";
import { EDITS, renderingPanel } from "./panels.js";

export function globalsPanel() {
  return renderingPanel({
    id: "globals",
    title: "Image attributes",
    className: "wb-attrs",
    on: EDITS,

    render() {
      const app = this.app;
      const key = focusKey(this.body);
      const values = app.store.globals;
      const defs = app.attributeDefs;
      const disabled = !app.can("edit_attributes").allowed;
      const problems = new Map(app.globalProblems().map((p) => [p.id, p.reason]));
      const rows = shownGlobals(defs, values).map((id) => attributeRow(app, {
        id,
        def: defs[id],
        value: values[id],
        disabled,
        problem: problems.has(id) ? `${id} ${problems.get(id)}` : "",
        set: (value) => app.setGlobal(id, value),
      }));
      if (!rows.length) rows.push(note("No image attributes apply.", "wb-panel-hint"));
      this.extra.textContent = problems.size ? `${problems.size} to fix` : "";
      this.body.replaceChildren(...rows);
      restoreFocus(this.body, key);
    },
  });
}
