// The Workbench's extension points (docs/workbench.md, "Extending the workbench"). A task kind
// that needs more than the image workbench (a video task: video-controller.js) registers
// here instead of replacing the Workbench's methods or fields:
//
//   addCommandGuard(guard)     runs before every command of the key map and the buttons
//   addKeyHandler(handler)     gets the keys before the tool and the key map
//   addHelpSection(...)        rows of the help overlay; replaceHelpRow(...) rewords one
//   addToolbarButton(spec)     a button of the top bar, before the spacer
//   setLayers(shapes)          the read-only layer shapes drawn now
//
// This module holds the registries and is DOM-free (tests/js/workbench-hooks.test.mjs); what
// touches the page (the button, the layers) is the Workbench's, passed in as `effects`.

/**
 * A guard's answer: undefined lets the command run; anything else is the command's result
 * (true: handled, the key is consumed; false: it did nothing).
 * @typedef {(command: string, args: any[]) => any} CommandGuard
 */

/**
 * A key handler: true when it took the key (the Workbench then prevents the default). It is
 * called only in the idle mode, with the focus outside text fields and the label picker.
 * @typedef {(event: KeyboardEvent) => boolean} KeyHandler
 */

/** @typedef {[string, string]} HelpRow [keys as shown, what they do] */

/**
 * @typedef {{icon: string, title: string, text?: string, command: string, args?: any[],
 *   pressed?: boolean}} ToolbarButtonSpec icon: an SVG path in a 22 × 22 box
 */

/**
 * @typedef {{addToolbarButton: (spec: ToolbarButtonSpec) => HTMLButtonElement,
 *   setLayers: (shapes: any[]) => void}} HookEffects
 */

export class WorkbenchHooks {
  /** @param {HookEffects} effects the Workbench's side of the page-changing hooks */
  constructor(effects) {
    this.effects = effects;
    /** @type {CommandGuard[]} */
    this.commandGuards = [];
    /** @type {KeyHandler[]} */
    this.keyHandlers = [];
    /** @type {Array<{title: string, rows: HelpRow[], first: boolean}>} */
    this.helpAdditions = [];
    /** @type {Array<{section: string, keys: string, row: HelpRow}>} */
    this.helpReplacements = [];
    /** Bumped by every help change: the overlay is rebuilt when it differs. */
    this.helpRevision = 0;
  }

  /** @param {CommandGuard} guard guards run in the order they were added */
  addCommandGuard(guard) {
    this.commandGuards.push(guard);
  }

  /**
   * The first guard's answer that is not undefined (undefined: run the command).
   * @param {string} command @param {any[]} args @returns {any}
   */
  guardCommand(command, args) {
    for (const guard of this.commandGuards) {
      const answer = guard(command, args);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** @param {KeyHandler} handler handlers run in the order they were added */
  addKeyHandler(handler) {
    this.keyHandlers.push(handler);
  }

  /** Did a handler take the key? @param {KeyboardEvent} event @returns {boolean} */
  handleKey(event) {
    return this.keyHandlers.some((handler) => handler(event));
  }

  /**
   * Rows of the help overlay under `title` (appended to a section of that name if there is
   * one); `first` puts a new section before the others.
   * @param {string} title @param {HelpRow[]} rows @param {{first?: boolean}} [options]
   */
  addHelpSection(title, rows, { first = false } = {}) {
    this.helpAdditions.push({ title, rows, first });
    this.helpRevision += 1;
  }

  /**
   * Reword the row of `section` whose keys read `keys` (e.g. when a kind takes some of them).
   * @param {string} section @param {string} keys @param {HelpRow} row
   */
  replaceHelpRow(section, keys, row) {
    this.helpReplacements.push({ section, keys, row });
    this.helpRevision += 1;
  }

  /**
   * The help overlay's sections: the workbench's own (keyboard.js helpSections) with the
   * registered rows.
   * @param {Map<string, HelpRow[]>} base @returns {Map<string, HelpRow[]>}
   */
  helpSections(base) {
    const sections = new Map([...base].map(([title, rows]) => [title, [...rows]]));
    for (const { section, keys, row } of this.helpReplacements) {
      const rows = sections.get(section);
      const index = rows ? rows.findIndex(([k]) => k === keys) : -1;
      if (rows && index >= 0) rows[index] = row;
    }
    const firsts = new Map();
    for (const { title, rows, first } of this.helpAdditions) {
      const target = sections.get(title) || firsts.get(title);
      if (target) target.push(...rows);
      else if (first) firsts.set(title, [...rows]);
      else sections.set(title, [...rows]);
    }
    return new Map([...firsts, ...sections]);
  }

  /** @param {ToolbarButtonSpec} spec @returns {HTMLButtonElement} */
  addToolbarButton(spec) {
    return this.effects.addToolbarButton(spec);
  }

  /**
   * The read-only layer shapes to draw now (dimmed, never hit), each with its `type`; the
   * first call adds the layers button and makes H toggle them, even when `shapes` is empty
   * (a video's frame may have none).
   * @param {any[]} shapes
   */
  setLayers(shapes) {
    this.effects.setLayers(shapes);
  }
}
