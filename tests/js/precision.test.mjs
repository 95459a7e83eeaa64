import test from "node:test";
import assert from "node:assert/strict";
import { roundCoordinates, roundPixel } from "../../static/js/lib/geometry.js";

test("pixel coordinates are rounded to two decimals, sizes stay above 0", () => {
  assert.equal(roundPixel(1199.999998873877, "left"), 1200);
  assert.equal(roundPixel(10.126, "x"), 10.13);
  assert.equal(roundPixel(0.001, "width"), 0.01);
  assert.equal(roundPixel(-0.001, "left"), 0);
  assert.equal(roundPixel(7, "top"), 7);
});

test("roundCoordinates rounds the geometry, never attributes, rotations nor 3D keys", () => {
  const a = {
    uuid: "a", type: "cuboid", label: "car",
    vertices: [{ x: 1.23456, y: 2.34567, type: "vertex" }],
    rotation: 0.123456, attributes: { speed: 12.3456 },
  };
  assert.deepEqual(roundCoordinates(a), {
    uuid: "a", type: "cuboid", label: "car",
    vertices: [{ x: 1.23, y: 2.35, type: "vertex" }],
    rotation: 0.123456, attributes: { speed: 12.3456 },
  });
  // a 3D cuboid is kept whole: its vertices project its position, dimensions and yaw
  const solid = { ...a, position: { x: 1.23456, y: 2, z: 3 }, yaw: 1.23456 };
  assert.equal(roundCoordinates(solid), solid);
});
