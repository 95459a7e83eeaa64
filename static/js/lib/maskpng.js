// Masks as PNG files: an 8-bit grayscale PNG, one index per pixel (docs/workbench.md,
// "Segmentation tasks"). A canvas only makes RGBA PNGs, so the page builds the bytes itself:
// the chunks here, the zlib stream from CompressionStream("deflate") (passed in, so that the
// tests run the same code under node).
//
// decodePng reads what servers and tools write for masks: 8-bit grayscale (with or without
// alpha: the gray value), palette (the palette index is the mask index), RGB / RGBA (the red
// channel), not interlaced.

/** @typedef {(bytes: Uint8Array) => Promise<Uint8Array>} Codec */

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

/** @param {Uint8Array} bytes @param {number} [start] @param {number} [end] @returns {number} */
export function crc32(bytes, start = 0, end = bytes.length) {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Run bytes through a CompressionStream / DecompressionStream of `format`.
 * @param {Uint8Array} bytes @param {"deflate"} format @param {boolean} compress
 * @returns {Promise<Uint8Array>}
 */
async function stream(bytes, format, compress) {
  const transform = compress ? new CompressionStream(format) : new DecompressionStream(format);
  const output = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(output).arrayBuffer());
}

/** zlib compression (what PNG's IDAT holds). @type {Codec} */
export const deflate = (bytes) => stream(bytes, "deflate", true);
/** @type {Codec} */
export const inflate = (bytes) => stream(bytes, "deflate", false);

/**
 * An 8-bit grayscale PNG of the mask (W × H bytes, one index per pixel).
 * @param {Uint8Array} data @param {number} width @param {number} height
 * @param {Codec} [compress] @returns {Promise<Uint8Array>}
 */
export async function encodeGrayPng(data, width, height, compress = deflate) {
  if (data.length !== width * height) throw new Error("png: the data does not match the size");
  const raw = new Uint8Array((width + 1) * height); // filter byte 0 (None) before each row
  for (let j = 0; j < height; j++) raw.set(data.subarray(j * width, (j + 1) * width), j * (width + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, adaptive filters, no interlace
  const chunks = [chunk("IHDR", header), chunk("IDAT", await compress(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((sum, c) => sum + c.length, 0));
  out.set(SIGNATURE, 0);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** @param {string} type @param {Uint8Array} body @returns {Uint8Array} */
function chunk(type, body) {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

const CHANNELS = /** @type {Record<number, number>} */ ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 });

/**
 * The mask in a PNG: {width, height, data} with one index per pixel (see the top).
 * @param {Uint8Array} bytes @param {Codec} [decompress]
 * @returns {Promise<{width: number, height: number, data: Uint8Array}>}
 */
export async function decodePng(bytes, decompress = inflate) {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new Error("png: not a PNG file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8, width = 0, height = 0, colorType = -1;
  /** @type {Uint8Array[]} */
  const idat = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = body[8];
      colorType = body[9];
      if (depth !== 8 || !(colorType in CHANNELS) || body[12] !== 0) {
        throw new Error(`png: only 8-bit, not interlaced masks are read (depth ${depth}, colour type ${colorType})`);
      }
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  if (!width || !height || !idat.length) throw new Error("png: no image data");
  const joined = new Uint8Array(idat.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const c of idat) {
    joined.set(c, offset);
    offset += c.length;
  }
  const raw = await decompress(joined);
  const channels = CHANNELS[colorType];
  const rows = unfilter(raw, width, height, channels);
  const data = new Uint8Array(width * height);
  for (let k = 0; k < data.length; k++) data[k] = rows[k * channels];
  return { width, height, data };
}

/**
 * Undo PNG's per-row filters (bytes per pixel = channels, 8-bit samples).
 * @param {Uint8Array} raw @param {number} width @param {number} height @param {number} bpp
 * @returns {Uint8Array}
 */
export function unfilter(raw, width, height, bpp) {
  const stride = width * bpp;
  if (raw.length < (stride + 1) * height) throw new Error("png: the image data is too short");
  const out = new Uint8Array(stride * height);
  for (let j = 0; j < height; j++) {
    const filter = raw[j * (stride + 1)];
    const src = j * (stride + 1) + 1, row = j * stride, prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = j ? out[prev + i] : 0;
      const c = j && i >= bpp ? out[prev + i - bpp] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) predictor = paeth(a, b, c);
      else if (filter !== 0) throw new Error(`png: unknown filter ${filter}`);
      out[row + i] = (raw[src + i] + predictor) & 0xff;
    }
  }
  return out;
}

/** @param {number} a @param {number} b @param {number} c */
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * Bytes → standard base64 (what the submit's and the snapshot's `png` carry).
 * @param {Uint8Array} bytes @returns {string}
 */
export function base64Encode(bytes) {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}
