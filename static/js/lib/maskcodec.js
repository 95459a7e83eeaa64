// The `points` encoding of the segmentation draft operations (docs/workbench.md,
// "Segmentation tasks"): integer image coordinates x0, y0, dx1, dy1, dx2, dy2, … (each point after the
// first as the difference to the one before it), each as a zigzag LEB128 varint, the bytes as
// base64url without padding. A 200-point brush stroke is 400–600 characters.
//
// The server decodes the same bytes to check shape and bounds (tasks/segmentation/); both test
// suites read tests/fixtures/rules/segmentation_points_cases.json.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** @type {Int16Array} character code → 6-bit value, -1 for a character not in the alphabet */
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Largest coordinate magnitude the encoding takes (the server's bound is the image's). */
export const MAX_COORDINATE = 2 ** 30;

/** @param {number} n a signed integer @returns {number} its zigzag form (0, -1, 1, -2 → 0, 1, 2, 3) */
export function zigzag(n) {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

/** @param {number} z @returns {number} */
export function unzigzag(z) {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * Bytes → base64url without padding.
 * @param {Uint8Array} bytes @returns {string}
 */
export function base64urlEncode(bytes) {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63];
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63];
  }
  return out;
}

/**
 * base64url (padding tolerated) → bytes; throws on a character outside the alphabet or a
 * length no encoding makes.
 * @param {string} text @returns {Uint8Array}
 */
export function base64urlDecode(text) {
  const body = text.replace(/=+$/, "");
  if (body.length % 4 === 1) throw new Error("points: not base64url (bad length)");
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0, bits = 0, n = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    const v = code < 128 ? DECODE[code] : -1;
    if (v < 0) throw new Error(`points: not base64url (character ${JSON.stringify(body[i])})`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (acc >> bits) & 0xff;
    }
  }
  return bytes;
}

/**
 * Encode points ([x, y] pairs, or a flat [x0, y0, x1, y1, …] list) of integers.
 * @param {ArrayLike<number> | Array<[number, number]>} points @returns {string}
 */
export function encodePoints(points) {
  const flat = flatten(points);
  if (flat.length % 2) throw new Error("points: an odd number of coordinates");
  /** @type {number[]} */
  const bytes = [];
  let px = 0, py = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const x = flat[i], y = flat[i + 1];
    checkCoordinate(x);
    checkCoordinate(y);
    pushVarint(bytes, zigzag(i ? x - px : x));
    pushVarint(bytes, zigzag(i ? y - py : y));
    px = x;
    py = y;
  }
  return base64urlEncode(Uint8Array.from(bytes));
}

/**
 * Decode to a flat Int32Array [x0, y0, x1, y1, …]; throws on anything malformed (a truncated
 * varint, an odd number of values, a coordinate beyond MAX_COORDINATE).
 * @param {string} text @returns {Int32Array}
 */
export function decodePoints(text) {
  if (typeof text !== "string") throw new Error("points: not a string");
  const bytes = base64urlDecode(text);
  /** @type {number[]} */
  const values = [];
  let i = 0;
  while (i < bytes.length) {
    let value = 0, scale = 1, byte = 0;
    do {
      if (i >= bytes.length) throw new Error("points: a truncated number");
      byte = bytes[i++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 35) throw new Error("points: a number too large");
    } while (byte & 0x80);
    values.push(unzigzag(value));
  }
  if (values.length % 2) throw new Error("points: an odd number of coordinates");
  const out = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = k < 2 ? values[k] : out[k - 2] + values[k];
    checkCoordinate(v);
    out[k] = v;
  }
  return out;
}

/** @param {any} points @returns {ArrayLike<number>} */
function flatten(points) {
  if (points.length && Array.isArray(points[0])) return /** @type {number[][]} */ (points).flat();
  return points;
}

/** @param {number} v */
function checkCoordinate(v) {
  if (!Number.isInteger(v) || Math.abs(v) > MAX_COORDINATE) {
    throw new Error(`points: ${v} is not an integer coordinate`);
  }
}

/** @param {number[]} bytes @param {number} value a non-negative integer */
function pushVarint(bytes, value) {
  let v = value;
  while (v >= 128) {
    bytes.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
}
