import { test } from "node:test";
import assert from "node:assert/strict";

import { EMBED_SANDBOX, parseMarkdown, safeEmbedSrc } from "../../static/js/lib/markdown.js";

test("an iframe block becomes an embed with only its src and title", () => {
  const blocks = parseMarkdown([
    "Read the guide first.",
    '<iframe src="https://docs.google.com/document/d/e/2PACX/pub?embedded=true&amp;x=1" title="Guide" onload="alert(1)" allow="camera" srcdoc="<script>alert(1)</script>"></iframe>',
    "",
    "Then draw.",
  ].join("\n"));
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "embed", "paragraph"]);
  assert.deepEqual(blocks[1], {
    type: "embed",
    src: "https://docs.google.com/document/d/e/2PACX/pub?embedded=true&x=1",
    title: "Guide",
  });
});

test("the tag may span lines, close itself, or use single quotes; the title has a default", () => {
  const blocks = parseMarkdown("<iframe\n  width='600'\n  src='https://example.com/doc.html'>\n</iframe>\n\n<iframe src=https://example.org/b />");
  assert.deepEqual(blocks, [
    { type: "embed", src: "https://example.com/doc.html", title: "Embedded document" },
    { type: "embed", src: "https://example.org/b", title: "Embedded document" },
  ]);
});

test("an iframe with an unsafe or relative src, or with more on its line, stays text", () => {
  for (const source of [
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe src="/static/x.html"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://example.com/a"></iframe> <script>alert(1)</script>',
  ]) {
    const blocks = parseMarkdown(source);
    assert.ok(blocks.every((b) => b.type === "paragraph"), `${source}: ${JSON.stringify(blocks)}`);
    assert.ok(!blocks.some((b) => b.type === "embed"));
  }
});

test("an iframe line ends the paragraph before it", () => {
  const blocks = parseMarkdown('Intro\n<iframe src="https://example.com/a"></iframe>');
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "embed"]);
});

test("the sandbox lets scripts run only in an opaque origin and never navigates the page", () => {
  const tokens = EMBED_SANDBOX.split(/\s+/);
  assert.ok(!tokens.includes("allow-same-origin"));
  assert.ok(!tokens.some((t) => t.startsWith("allow-top-navigation")));
  assert.ok(!tokens.includes("allow-modals"));
});

test("safeEmbedSrc keeps absolute http(s) URLs only", () => {
  assert.equal(safeEmbedSrc(" https://example.com/x?a=1 "), "https://example.com/x?a=1");
  assert.equal(safeEmbedSrc("http://127.0.0.1:8080/doc"), "http://127.0.0.1:8080/doc");
  assert.equal(safeEmbedSrc("//example.com/x"), null);
  assert.equal(safeEmbedSrc("https:///x"), null);
  assert.equal(safeEmbedSrc("javascript:alert(1)"), null);
  assert.equal(safeEmbedSrc('https://example.com/"onload="x'), null);
});
