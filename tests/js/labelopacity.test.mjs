import { test } from "node:test";
import assert from "node:assert/strict";

import { drawnAlpha, nextOpacity, OPACITY_STEPS, opacityText } from "../../static/js/lib/labelopacity.js";

test("the opacity button cycles 100, 60, 30, 0 % and back", () => {
  const seen = [1];
  for (let i = 0; i < 4; i++) seen.push(nextOpacity(seen[seen.length - 1]));
  assert.deepEqual(seen, [1, 0.6, 0.3, 0, 1]);
  assert.deepEqual([...OPACITY_STEPS], [1, 0.6, 0.3, 0]);
});

test("a value between steps goes to the next step below it", () => {
  assert.equal(nextOpacity(0.8), 0.6);
  assert.equal(nextOpacity(0.45), 0.3);
  assert.equal(nextOpacity(0.1), 0);
  assert.equal(nextOpacity(1.5), 1);
});

test("the drawn alpha is the global opacity times the label's and its instance label's", () => {
  assert.equal(drawnAlpha({ global: 0.5 }), 0.5);
  assert.equal(drawnAlpha({ global: 0.5, own: 0.6 }), 0.3);
  assert.ok(Math.abs(drawnAlpha({ global: 0.5, own: 0.6, parent: 0.3 }) - 0.09) < 1e-12);
  assert.equal(drawnAlpha({ global: 0.55, own: 0 }), 0);
  assert.equal(drawnAlpha({ global: 1, own: 1, hidden: true }), 0);
});

test("out-of-range parts are clamped; a missing number counts as 1", () => {
  assert.equal(drawnAlpha({ global: 2, own: -1 }), 0);
  assert.equal(drawnAlpha({ global: 0.4, own: Number.NaN }), 0.4);
});

test("the button's text", () => {
  assert.equal(opacityText(1), "100 %");
  assert.equal(opacityText(0.6), "60 %");
  assert.equal(opacityText(0), "0 %");
});
