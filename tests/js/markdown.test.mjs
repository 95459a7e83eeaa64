import { test } from "node:test";
import assert from "node:assert/strict";

import { parseInline, parseMarkdown, safeHref } from "../../static/js/lib/markdown.js";

/** Every text of a tree, joined: what the page would show. */
function text(nodes) {
  return nodes.map((n) => n.text ?? (n.children ? text(n.children) : n.inline ? text(n.inline)
    : n.items ? n.items.map(text).join("|") : "")).join("");
}

test("blocks: headings, paragraphs, lists, code, quotes, rules", () => {
  const blocks = parseMarkdown("# Title\n\nFirst line\nsecond line\n\n- a\n- b\n\n1. one\n2. two\n\n```\n<b>x</b>\n```\n> quoted\n\n---");
  assert.deepEqual(blocks.map((b) => b.type), ["heading", "paragraph", "list", "list", "code", "quote", "hr"]);
  assert.equal(blocks[0].level, 1);
  assert.equal(text(blocks[1].inline), "First line second line");
  assert.equal(blocks[2].ordered, false);
  assert.equal(blocks[3].ordered, true);
  assert.equal(blocks[4].text, "<b>x</b>");
});

test("inline: strong, em, code, links", () => {
  assert.deepEqual(parseInline("**bold** and *it* and `c`"), [
    { type: "strong", children: [{ type: "text", text: "bold" }] },
    { type: "text", text: " and " },
    { type: "em", children: [{ type: "text", text: "it" }] },
    { type: "text", text: " and " },
    { type: "code", text: "c" },
  ]);
  const [link] = parseInline("[guide](https://example.com/a)");
  assert.deepEqual(link, { type: "link", href: "https://example.com/a", children: [{ type: "text", text: "guide" }] });
  const bare = parseInline("see https://example.com/x.");
  assert.equal(bare[1].href, "https://example.com/x");
  assert.equal(bare[2].text, ".");
});

test("raw HTML stays text and unsafe links lose their URL", () => {
  const nodes = parseInline("<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](data:text/html,hi)");
  assert.ok(nodes.every((n) => n.type === "text"), JSON.stringify(nodes));
  assert.equal(text(nodes), "<img src=x onerror=alert(1)> x y");
  assert.equal(safeHref(" JavaScript:alert(1)"), null);
  assert.equal(safeHref("mailto:a@b.c"), "mailto:a@b.c");
});

test("snake_case words are not emphasis; escapes are literal", () => {
  assert.equal(text(parseInline("use ped_adult_x here")), "use ped_adult_x here");
  assert.ok(parseInline("use ped_adult_x here").every((n) => n.type === "text"));
  assert.equal(text(parseInline("\\*not em\\*")), "*not em*");
});

test("null and empty input parse to nothing", () => {
  assert.deepEqual(parseMarkdown(null), []);
  assert.deepEqual(parseMarkdown("\n\n  \n"), []);
});
