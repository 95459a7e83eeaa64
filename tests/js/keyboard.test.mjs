import { test } from "node:test";
import assert from "node:assert/strict";

import { BINDINGS, helpSections, match, parseCombo } from "../../static/js/workbench/keyboard.js";

const key = (k, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

test("combos parse", () => {
  assert.deepEqual(parseCombo("ctrl+shift+z"), { key: "z", ctrl: true, shift: true, alt: false });
  assert.deepEqual(parseCombo("+"), { key: "+", ctrl: false, shift: false, alt: false });
});

test("letters match Shift and Ctrl exactly; Cmd counts as Ctrl", () => {
  assert.equal(match(key("z", { ctrlKey: true })).command, "undo");
  assert.equal(match(key("Z", { ctrlKey: true, shiftKey: true })).command, "redo");
  assert.equal(match(key("z", { metaKey: true })).command, "undo");
  assert.equal(match(key("y", { ctrlKey: true })).command, "redo");
  assert.equal(match(key("B", { shiftKey: true })), null, "Shift+B is not B");
  assert.deepEqual(match(key("b")).args, ["box"]);
  assert.equal(match(key("b", { altKey: true })), null);
});

test("symbol keys ignore the Shift that types them", () => {
  assert.equal(match(key("?", { shiftKey: true })).command, "help");
  assert.deepEqual(match(key("+", { shiftKey: true })).args, [1.25]);
  assert.deepEqual(match(key("-")).args, [0.8]);
});

test("arrows nudge 1 px, with Shift 10 px; Tab walks both ways", () => {
  assert.deepEqual(match(key("ArrowLeft")).args, [-1, 0]);
  assert.deepEqual(match(key("ArrowDown", { shiftKey: true })).args, [0, 10]);
  assert.deepEqual(match(key("Tab")).args, [1]);
  assert.deepEqual(match(key("Tab", { shiftKey: true })).args, [-1]);
  assert.equal(match(key("Enter", { ctrlKey: true })).command, "submit");
  assert.equal(match(key("Enter")).command, "enter");
});

test("every command has a help row (directly or through its group)", () => {
  const sections = helpSections();
  const keys = [...sections.values()].flat().map(([k]) => k);
  for (const needed of ["V", "B", "P", "L", "O", "E", "C", "M", "Esc", "Backspace", "Delete",
    "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+C", "Ctrl+V", "Tab", "Shift+Tab", "H",
    "Ctrl+Enter", "?", "+", "-", "F", "Enter", "Alt+1–9"]) {
    assert.ok(keys.includes(needed), `help lacks ${needed}`);
  }
  const commands = new Set(BINDINGS.map((b) => b.command));
  const helped = new Set(BINDINGS.filter((b) => b.help).map((b) => b.command));
  for (const command of commands) assert.ok(helped.has(command), `${command} has no help row`);
});
