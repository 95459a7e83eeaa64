import { test } from "node:test";
import assert from "node:assert/strict";

import { parseInline, parseMarkdown, safeImageSrc, tableCells } from "../../static/js/lib/markdown.js";

const text = (nodes) => nodes.map((n) => n.text ?? (n.children ? text(n.children) : "")).join("");

test("a pipe table: header, alignment, body rows with inline markdown", () => {
  const blocks = parseMarkdown("Before\n\n| Label | Min px |  Note |\n|:---|---:|:-:|\n| car | 20 | **wheels** |\n| bus | 40 |\n\nAfter");
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "table", "paragraph"]);
  const table = blocks[1];
  assert.deepEqual(table.align, ["left", "right", "center"]);
  assert.deepEqual(table.head.map(text), ["Label", "Min px", "Note"]);
  assert.equal(table.rows.length, 2);
  assert.deepEqual(table.rows[0].map(text), ["car", "20", "wheels"]);
  assert.equal(table.rows[0][2][0].type, "strong");
  assert.deepEqual(table.rows[1].map(text), ["bus", "40", ""], "a short row is padded");
});

test("a table right after a paragraph line starts a table, without outer pipes too", () => {
  const blocks = parseMarkdown("Sizes:\na | b\n--- | ---\n1 | 2");
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "table"]);
  assert.deepEqual(blocks[1].rows[0].map(text), ["1", "2"]);
});

test("not a table: a pipe without a delimiter row, or a delimiter of another width", () => {
  assert.deepEqual(parseMarkdown("a | b\nc | d").map((b) => b.type), ["paragraph"]);
  assert.deepEqual(parseMarkdown("| a | b |\n| --- |\n| 1 | 2 |").map((b) => b.type), ["paragraph"]);
});

test("an escaped pipe stays in its cell", () => {
  assert.deepEqual(tableCells("| a \\| b | c |"), ["a | b", "c"]);
});

test("raw HTML in a cell stays text", () => {
  const [table] = parseMarkdown("| x |\n| --- |\n| <img src=x onerror=alert(1)> |");
  assert.equal(table.rows[0][0][0].type, "text");
  assert.equal(text(table.rows[0][0]), "<img src=x onerror=alert(1)>");
});

test("images: http(s) and this server's paths; anything else is its alt text", () => {
  const nodes = parseInline("![car](https://cdn.example/car.png) ![own](/media/a.png) ![js](javascript:alert(1)) ![proto](//evil.example/x.png) ![data](data:image/png;base64,AAAA)");
  const images = nodes.filter((n) => n.type === "image");
  assert.deepEqual(images, [
    { type: "image", src: "https://cdn.example/car.png", alt: "car" },
    { type: "image", src: "/media/a.png", alt: "own" },
  ]);
  assert.equal(text(nodes).replace(/\s+/g, " ").trim(), "js proto data");
  assert.equal(safeImageSrc("https://a.example/x\".png"), null);
  assert.equal(safeImageSrc("  https://a.example/x.png "), "https://a.example/x.png");
});

test("a link is not taken for an image, and an image inside a table cell parses", () => {
  assert.equal(parseInline("[car](https://a.example)")[0].type, "link");
  const [table] = parseMarkdown("| Example |\n| --- |\n| ![bus](https://a.example/bus.png) |");
  assert.equal(table.rows[0][0][0].type, "image");
});
