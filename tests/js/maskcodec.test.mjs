import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  base64urlDecode, base64urlEncode, decodePoints, encodePoints, unzigzag, zigzag,
} from "../../static/js/lib/maskcodec.js";

const CASES = JSON.parse(readFileSync(new URL("../fixtures/rules/segmentation_points_cases.json", import.meta.url), "utf8"));

test("zigzag maps 0, -1, 1, -2, 2 to 0, 1, 2, 3, 4 and back", () => {
  assert.deepEqual([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
  for (const n of [0, 1, -1, 63, -64, 64, 2 ** 30, -(2 ** 30)]) assert.equal(unzigzag(zigzag(n)), n);
});

test("the shared cases encode and decode as the fixture says", () => {
  assert.ok(CASES.cases.length >= 6);
  for (const c of CASES.cases) {
    assert.equal(encodePoints(c.points), c.encoded, c.name);
    assert.deepEqual([...decodePoints(c.encoded)], c.points.flat(), c.name);
  }
});

test("the shared invalid cases are refused with a reason", () => {
  for (const c of CASES.invalid) assert.throws(() => decodePoints(c.encoded), /points:/, c.name);
});

test("a flat list encodes like pairs; non-integers are refused", () => {
  assert.equal(encodePoints([1, 2, 3, 4]), encodePoints([[1, 2], [3, 4]]));
  assert.throws(() => encodePoints([1.5, 2]), /integer/);
  assert.throws(() => encodePoints([1, 2, 3]), /odd/);
});

test("base64url round-trips every length and uses - and _", () => {
  for (let n = 0; n < 20; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 250) & 255);
    const text = base64urlEncode(bytes);
    assert.equal(text, Buffer.from(bytes).toString("base64url"));
    assert.deepEqual(base64urlDecode(text), bytes);
  }
});

test("a 200-point stroke of small steps is under 600 characters (an op well under 2 KB)", () => {
  const points = [];
  let x = 1800, y = 1400;
  for (let i = 0; i < 200; i++) {
    x += Math.round(Math.sin(i / 7) * 6);
    y += Math.round(Math.cos(i / 5) * 6);
    points.push([x, y]);
  }
  const text = encodePoints(points);
  assert.ok(text.length <= 600, `${text.length} characters`);
  assert.deepEqual([...decodePoints(text)], points.flat());
});
