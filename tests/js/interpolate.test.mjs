import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  frameGeometry, keyframeAttributes, keyframeIndexAt, lerpAngle, roundHalfUp, trackFrames,
} from "../../static/js/lib/interpolate.js";

const CASES = JSON.parse(readFileSync(new URL("../fixtures/rules/interpolation.json", import.meta.url), "utf8"));

test("the shared fixture has cases", () => {
  assert.ok(CASES.length >= 10);
});

/** Deep equality with numbers within 1e-6 (cos / sin may differ in the last bit). */
function near(actual, expected, path) {
  if (typeof expected === "number") {
    assert.ok(typeof actual === "number" && Math.abs(actual - expected) <= 1e-6, `${path}: ${actual} != ${expected}`);
  } else if (expected && typeof expected === "object") {
    assert.ok(actual && typeof actual === "object", `${path}: ${JSON.stringify(actual)} is not an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path} keys`);
    for (const key of Object.keys(expected)) near(actual[key], expected[key], `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

for (const item of CASES) {
  test(`fixture: ${item.name}`, () => {
    const frames = trackFrames(item.track, item.frame_count, item.geometries || {});
    assert.equal(frames.length, item.expected.length);
    frames.forEach((got, f) => near(got, item.expected[f], `frame ${f}`));
  });
}

const box = (frame, left, extra = {}) => ({ frame, left, top: 0, width: 10, height: 10, ...extra });

test("roundHalfUp rounds halves up, also negative ones", () => {
  assert.equal(roundHalfUp(1.005 * 1000 / 1000, 2), Math.floor(1.005 * 100 + 0.5) / 100);
  assert.equal(roundHalfUp(2.5, 0), 3);
  assert.equal(roundHalfUp(-2.5, 0), -2);
  assert.equal(roundHalfUp(0.125, 2), 0.13);
});

test("lerpAngle takes the short way round", () => {
  const a = 3, b = -3; // 0.28 rad apart across pi
  const mid = lerpAngle(a, b, 0.5);
  assert.ok(Math.abs(Math.cos(mid) - Math.cos(Math.PI)) < 1e-3);
  assert.ok(Math.abs(lerpAngle(0, 1, 0.25) - 0.25) < 1e-12);
});

test("keyframeIndexAt finds the last keyframe at or before a frame", () => {
  const kfs = [{ frame: 2 }, { frame: 5 }, { frame: 9 }];
  assert.equal(keyframeIndexAt(kfs, 0), -1);
  assert.equal(keyframeIndexAt(kfs, 2), 0);
  assert.equal(keyframeIndexAt(kfs, 8), 1);
  assert.equal(keyframeIndexAt(kfs, 99), 2);
});

test("frameGeometry: absent before, linear between, held after, absent while outside", () => {
  const track = { type: "box", keyframes: [box(2, 0), box(6, 40), { frame: 8, outside: true }, box(10, 100)] };
  assert.equal(frameGeometry(track, 1), null);
  assert.equal(frameGeometry(track, 4).left, 20);
  assert.equal(frameGeometry(track, 7).left, 40); // no interpolation towards outside
  assert.equal(frameGeometry(track, 9), null);
  assert.equal(frameGeometry(track, 50).left, 100);
});

test("attributes merge key by key and outside keyframes give none", () => {
  const kfs = [box(0, 0, { attributes: { a: 1, b: 1 } }), { frame: 1, outside: true, attributes: { a: 9 } }, box(2, 0, { attributes: { b: 2 } })];
  assert.deepEqual(keyframeAttributes(kfs), [{ a: 1, b: 1 }, { a: 1, b: 1 }, { a: 1, b: 2 }]);
  const track = { type: "box", keyframes: kfs };
  assert.deepEqual(frameGeometry(track, 5).attributes, { a: 1, b: 2 });
});

test("a frame's attributes are a copy: changing them leaves the track alone", () => {
  const track = { type: "point", keyframes: [{ frame: 0, x: 1, y: 2, attributes: { a: 1 } }] };
  frameGeometry(track, 0).attributes.a = 5;
  assert.equal(track.keyframes[0].attributes.a, 1);
});
