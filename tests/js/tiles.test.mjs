import { test } from "node:test";
import assert from "node:assert/strict";

import {
  chooseLevel, levelSize, LruKeys, standIn, tile, tileGrid, tilesForView, tilesIn, tileUrl,
} from "../../static/js/lib/tiles.js";
import { Viewport } from "../../static/js/lib/viewport.js";

// 20,000 × 12,000 in 512 px tiles: levels down to one tile (40 × 24 tiles … 1 × 1).
const P = {
  levels: 7, tile_size: 512, width: 20000, height: 12000,
  url_template: "/tasks/t1/tiles/{level}/{x}_{y}.jpg?v=b1",
};

test("levels halve (rounding up) until one tile holds the image", () => {
  assert.deepEqual(levelSize(P, 0), { width: 20000, height: 12000 });
  assert.deepEqual(levelSize(P, 1), { width: 10000, height: 6000 });
  assert.deepEqual(levelSize(P, 6), { width: 313, height: 188 });
  assert.deepEqual(tileGrid(P, 0), { cols: 40, rows: 24 });
  assert.deepEqual(tileGrid(P, 5), { cols: 2, rows: 1 });
  assert.deepEqual(tileGrid(P, 6), { cols: 1, rows: 1 });
});

test("the level keeps at least one image pixel per device pixel", () => {
  assert.equal(chooseLevel(P, 4), 0); // zoomed in
  assert.equal(chooseLevel(P, 1), 0);
  assert.equal(chooseLevel(P, 0.75), 0); // 1.33 image px per screen px: level 1 would blur
  assert.equal(chooseLevel(P, 0.5), 1);
  assert.equal(chooseLevel(P, 0.3), 1);
  assert.equal(chooseLevel(P, 0.25), 2);
  assert.equal(chooseLevel(P, 0.25, 2), 1); // HiDPI wants twice the pixels
  assert.equal(chooseLevel(P, 0.001), 6); // never past the last level
  assert.equal(chooseLevel(P, 0), 6);
});

test("a tile covers its span of image pixels, clipped at the image's edge", () => {
  assert.deepEqual(tile(P, 0, 1, 2), {
    level: 0, x: 1, y: 2, left: 512, top: 1024, width: 512, height: 512, key: "0/1_2",
  });
  const corner = tile(P, 2, 9, 5); // span 2048: covers [18432, 20000) × [10240, 12000)
  assert.equal(corner.left, 18432);
  assert.equal(corner.width, 1568);
  assert.equal(corner.height, 1760);
  assert.equal(tileUrl(P, corner), "/tasks/t1/tiles/2/9_5.jpg?v=b1");
});

test("only the tiles meeting the rectangle, nearest its centre first", () => {
  const tiles = tilesIn(P, 0, { minX: 600, minY: 100, maxX: 1600, maxY: 500 });
  assert.deepEqual(tiles.map((t) => t.key).sort(), ["0/1_0", "0/2_0", "0/3_0"]);
  assert.equal(tiles[0].key, "0/2_0"); // the middle one first
  // a rectangle ending exactly on a tile edge does not take the next tile
  assert.deepEqual(tilesIn(P, 0, { minX: 0, minY: 0, maxX: 512, maxY: 512 }).map((t) => t.key),
    ["0/0_0"]);
  // outside the image: nothing, and never negative indices
  assert.deepEqual(tilesIn(P, 0, { minX: -900, minY: -900, maxX: -10, maxY: -10 }), []);
  assert.deepEqual(tilesIn(P, 3, { minX: -5000, minY: -5000, maxX: 1e9, maxY: 1e9 }).length, 5 * 3);
});

test("a fitted view of 20,000 px takes one small level; a 4× zoom a few full-size tiles", () => {
  const v = new Viewport();
  v.setSize(1400, 900);
  v.fit({ minX: 0, minY: 0, maxX: P.width, maxY: P.height }, 16);
  const fitted = tilesForView(P, v, 1);
  // scale 0.0684: a device pixel spans 14.6 image pixels, a level-3 pixel 8, a level-4 one 16
  assert.equal(fitted.level, 3);
  assert.equal(fitted.tiles.length, 15); // all of level 3: 2,500 × 1,500 px
  v.set(4, -30000, -20000);
  const zoomed = tilesForView(P, v, 1);
  assert.equal(zoomed.level, 0);
  assert.ok(zoomed.tiles.length <= 4, zoomed.tiles.length); // 350 × 225 image px
  assert.ok(zoomed.tiles.every((t) => t.left <= 7500 + 350 && t.left + t.width >= 7500));
});

test("a missing tile is stood in for by its nearest loaded ancestor, cropped", () => {
  const t = tile(P, 0, 5, 3); // covers [2560, 3072) × [1536, 2048)
  const loaded = new Set(["2/1_0", "6/0_0"]);
  const s = standIn(P, t, (key) => loaded.has(key));
  assert.equal(s.tile.key, "2/1_0"); // level 2 tile (1, 0) covers [2048, 4096) × [0, 2048)
  assert.deepEqual([s.sx, s.sy, s.sw, s.sh], [128, 384, 128, 128]);
  assert.deepEqual(standIn(P, t, (key) => key === "0/5_3"), { tile: t, sx: 0, sy: 0, sw: 512, sh: 512 });
  assert.equal(standIn(P, t, () => false), null);
  assert.equal(standIn(P, t, (key) => key === "6/0_0").tile.key, "6/0_0");
});

test("LruKeys evicts the least recently used, never the ones on screen", () => {
  const lru = new LruKeys(2);
  assert.deepEqual(lru.touch("a"), []);
  assert.deepEqual(lru.touch("b"), []);
  assert.deepEqual(lru.touch("a"), []);
  assert.deepEqual(lru.touch("c"), ["b"]);
  assert.deepEqual(lru.touch("d", new Set(["a", "c"])), []); // over capacity while on screen
  assert.equal(lru.size, 3);
  assert.deepEqual(lru.touch("e"), ["a", "c"]);
  lru.delete("d");
  assert.equal(lru.size, 1);
});
