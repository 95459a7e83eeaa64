import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";

import { base64Encode, crc32, decodePng, encodeGrayPng } from "../../static/js/lib/maskpng.js";

// A 6 × 5 mask saved by Pillow in four modes (L, P with the identity palette, RGB and RGBA
// whose red channel is the index), and by hand with every row filter (None, Sub, Up, Average,
// Paeth) in turn.
const EXPECTED = [0, 1, 1, 2, 2, 7, 0, 0, 3, 3, 2, 2, 5, 5, 5, 0, 0, 0, 9, 8, 7, 6, 5, 4, 255, 254, 0, 1, 2, 3];
const PNGS = {
  L: "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAAAAABDM8I6AAAAI0lEQVR42gXBsQ0AIAzAsATUgf/PZUhtERnhEg588FVlHXUBZuYJFrDQK6AAAAAASUVORK5CYII=",
  RGB: "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAIAAADpOgqxAAAAPElEQVR42j3GsQ2EMAAEMF8gxU+NWJomgqNA+sZyVAppMNeIwnYHDexzDWDN50t+195o+jd1NMZzptKkXuggGQw0lfm8AAAAAElFTkSuQmCC",
  RGBA: "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAYAAABmWJ3mAAAAS0lEQVR42j2NuxGAUAzD5JBQsDIV2zERBeGeKfi4UqGThdllAJAFQHUQABbEEJ/QNcjq4FvX+DnzCiywzHxOWMaCPJb1TW3Iz48MNym9G9n+H/UQAAAAAElFTkSuQmCC",
  filters: "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAAAAABDM8I6AAAAJklEQVR4nAXBwREAIAgDwVwiQ//N+hPclcBupGjlKr+ZNMQ+dw18VV4GKbJ2m3EAAAAASUVORK5CYII=",
};
const PALETTE = "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAMAAABRhm3UAAADAFBMVEUAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v/2UN+3AAAAJklEQVR42g3GyQEAIAzDMCclFPbfl0MvgWQ3UGWT5Je9emZwD3I9EFgCUXXl+NYAAAAASUVORK5CYII=";

const bytesOf = (b64) => new Uint8Array(Buffer.from(b64, "base64"));

test("Pillow's masks (gray, palette, RGB, RGBA) and every row filter decode to the indices", async () => {
  for (const [name, b64] of Object.entries({ ...PNGS, P: PALETTE })) {
    const { width, height, data } = await decodePng(bytesOf(b64));
    assert.equal(width, 6, name);
    assert.equal(height, 5, name);
    assert.deepEqual([...data], EXPECTED, name);
  }
});

test("encodeGrayPng makes an 8-bit grayscale PNG that decodes back, with valid CRCs", async () => {
  const data = Uint8Array.from({ length: 37 * 11 }, (_, k) => (k * 31) % 256);
  const png = await encodeGrayPng(data, 37, 11);
  assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]);
  assert.equal(png[24], 8, "bit depth");
  assert.equal(png[25], 0, "colour type: grayscale");
  // every chunk's CRC is right (what a strict reader like libpng checks)
  const view = new DataView(png.buffer);
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    assert.equal(view.getUint32(at + 8 + length), crc32(png, at + 4, at + 8 + length));
    at += 12 + length;
  }
  // the IDAT is a zlib stream node's own zlib reads
  const idatLength = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  assert.equal(raw.length, 38 * 11);
  const back = await decodePng(png);
  assert.deepEqual(back, { width: 37, height: 11, data });
});

test("a size mismatch and a non-PNG are refused", async () => {
  await assert.rejects(encodeGrayPng(new Uint8Array(5), 2, 2), /size/);
  await assert.rejects(decodePng(new Uint8Array(20)), /not a PNG/);
});

test("base64Encode matches node's base64", () => {
  const bytes = Uint8Array.from({ length: 70000 }, (_, k) => k % 251);
  assert.equal(base64Encode(bytes), Buffer.from(bytes).toString("base64"));
});
