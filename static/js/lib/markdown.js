// A safe markdown subset for task instructions, parsed to a tree (no DOM, no HTML strings).
//
// Blocks: paragraphs, ATX headings (# … ######), bullet and numbered lists (one level),
// fenced code (```), block quotes (>), rules (---), pipe tables (a header row, a delimiter
// row `| --- | :-: |`, body rows). Inline: **strong** / __strong__, *em* / _em_, `code`,
// [text](url), bare http(s) URLs and images ![alt](url) (http(s) or a path of this server;
// the page shows only those of the task's own or allowed origins, the others as links:
// panel-instruction.js, tasks/workbench/csp.py). Raw HTML is NOT interpreted: it
// stays text, and the page renders every text node with textContent. Links keep only
// http:, https: and mailto: URLs; any other link becomes its text.
//
// Embedded documents (Scale's "embedded Google-Doc iframe"): a block that is exactly one
// <iframe … src="https://…" …></iframe> tag (it may span lines) becomes an "embed" block with
// only its http(s) src and its title; every other attribute is dropped. The page shows it in
// an <iframe sandbox="EMBED_SANDBOX">: its scripts run in an opaque origin, so they cannot
// reach the workbench page, its storage or its cookies, nor navigate it. An iframe tag with
// any other src (javascript:, data:, relative…) stays text like any raw HTML.

/**
 * @typedef {{type: "text", text: string} | {type: "code", text: string} | {type: "br"}
 *   | {type: "image", src: string, alt: string}
 *   | {type: "strong" | "em", children: Inline[]}
 *   | {type: "link", href: string, children: Inline[]}} Inline
 * @typedef {{type: "paragraph" | "quote", inline: Inline[]}
 *   | {type: "heading", level: number, inline: Inline[]}
 *   | {type: "list", ordered: boolean, items: Inline[][]}
 *   | {type: "code", text: string} | {type: "hr"}
 *   | {type: "embed", src: string, title: string}
 *   | {type: "table", align: Array<"left" | "center" | "right" | null>, head: Inline[][],
 *      rows: Inline[][][]}} Block
 */

/** The sandbox of an embedded document: scripts, but never with allow-same-origin. */
export const EMBED_SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox";
const EMBED_START = /^\s{0,3}<iframe\b/i;
const EMBED_TAG = /^\s*<iframe\b((?:[^>"']|"[^"]*"|'[^']*')*)>\s*(<\/iframe\s*>)?\s*$/i;
const ATTRIBUTE = /([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;

const SAFE_SCHEMES = /^(https?:|mailto:)/i;

/** The URL when it is safe to link to, else null. */
export function safeHref(url) {
  const trimmed = String(url).trim();
  return SAFE_SCHEMES.test(trimmed) ? trimmed : null;
}

/**
 * @param {string | null | undefined} source @returns {Block[]}
 */
export function parseMarkdown(source) {
  const lines = String(source || "").replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    if (/^\s*```/.test(line)) {
      const body = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      blocks.push({ type: "code", text: body.join("\n") });
      continue;
    }
    const embed = EMBED_START.test(line) ? embedBlock(lines, i) : null;
    if (embed) {
      blocks.push(embed.block);
      i = embed.next;
      continue;
    }
    const table = tableBlock(lines, i);
    if (table) {
      blocks.push(table.block);
      i = table.next;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push({ type: "heading", level: heading[1].length, inline: parseInline(heading[2]) });
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ type: "hr" });
      i++;
      continue;
    }
    const item = listItem(line);
    if (item) {
      const items = [];
      const ordered = item.ordered;
      while (i < lines.length) {
        const next = listItem(lines[i]);
        if (next && next.ordered === ordered) {
          items.push([next.text]);
          i++;
        } else if (lines[i].trim() && /^\s+/.test(lines[i]) && items.length) {
          items[items.length - 1].push(lines[i].trim()); // a continuation line
          i++;
        } else {
          break;
        }
      }
      blocks.push({ type: "list", ordered, items: items.map((t) => parseInline(t.join(" "))) });
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i])) {
        body.push(lines[i].replace(/^\s{0,3}>\s?/, ""));
        i++;
      }
      blocks.push({ type: "quote", inline: parseInline(body.join("\n")) });
      continue;
    }
    const body = [lines[i++]]; // (an iframe line that is not an embed is text)
    while (i < lines.length && lines[i].trim() && !startsBlock(lines[i]) && !tableBlock(lines, i)) {
      body.push(lines[i++]);
    }
    blocks.push({ type: "paragraph", inline: parseInline(body.join("\n")) });
  }
  return blocks;
}

const DELIMITER_CELL = /^\s*(:?)-+(:?)\s*$/;

/** The cells of a table row: split on `|` (not `\|`), without the outer pipes. */
export function tableCells(line) {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/**
 * The pipe table starting at line `i` (a header row with a pipe, then a delimiter row of as
 * many cells), or null. Rows run to the first blank line or line without a pipe; a short row
 * is padded, extra cells are dropped.
 * @param {string[]} lines @param {number} i @returns {{block: Block, next: number} | null}
 */
function tableBlock(lines, i) {
  const header = lines[i];
  const delimiter = lines[i + 1];
  if (!header?.includes("|") || delimiter === undefined || !delimiter.includes("-")) return null;
  const head = tableCells(header);
  const marks = tableCells(delimiter);
  if (marks.length !== head.length || !marks.every((cell) => DELIMITER_CELL.test(cell))) return null;
  const align = marks.map((cell) => {
    const m = /** @type {RegExpExecArray} */ (DELIMITER_CELL.exec(cell));
    return m[1] && m[2] ? "center" : m[2] ? "right" : m[1] ? "left" : null;
  });
  const rows = [];
  let next = i + 2;
  while (next < lines.length && lines[next].trim() && lines[next].includes("|")) {
    const cells = tableCells(lines[next++]);
    rows.push(head.map((_, n) => parseInline(cells[n] ?? "")));
  }
  return { block: { type: "table", align, head: head.map((cell) => parseInline(cell)), rows }, next };
}

/**
 * An image's src when it is an absolute http(s) URL or a path of this server ("/…", not
 * "//…"), else null.
 */
export function safeImageSrc(url) {
  const trimmed = String(url).trim();
  if (/[\s<>"'\\]/.test(trimmed)) return null;
  if (/^https?:\/\/[^\s/?#]+/i.test(trimmed)) return trimmed;
  return /^\/(?!\/)/.test(trimmed) ? trimmed : null;
}

/**
 * The embed block starting at line `i` (its tag may run over several lines, up to a blank
 * one), or null when those lines are not exactly one iframe tag with a safe src.
 * @param {string[]} lines @param {number} i @returns {{block: Block, next: number} | null}
 */
function embedBlock(lines, i) {
  let text = lines[i];
  let next = i + 1;
  const closed = (t) => /<\/iframe\s*>\s*$/i.test(t) || /\/>\s*$/.test(t);
  while (!closed(text) && next < lines.length && lines[next].trim()) text += `\n${lines[next++]}`;
  const tag = EMBED_TAG.exec(text.replace(/\s*\/>\s*$/, ">"));
  if (!tag) return null;
  const attributes = {};
  for (const m of tag[1].matchAll(ATTRIBUTE)) {
    const name = m[1].toLowerCase();
    if (!(name in attributes)) attributes[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  const src = attributes.src === undefined ? null : safeEmbedSrc(attributes.src);
  if (!src) return null;
  const title = (attributes.title || "").trim() || "Embedded document";
  return { block: { type: "embed", src, title }, next };
}

/** An embed's src when it is an absolute http(s) URL, else null. */
export function safeEmbedSrc(url) {
  const trimmed = String(url).trim();
  return /^https?:\/\/[^\s/?#]+/i.test(trimmed) && !/[\s<>"']/.test(trimmed) ? trimmed : null;
}

/** The few character references an attribute value needs (&amp; in query strings…). */
function decodeEntities(text) {
  const named = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|apos|lt|gt);/gi, (all, ref) => {
    const key = ref.toLowerCase();
    if (key in named) return named[key];
    const code = key.startsWith("#x") ? parseInt(key.slice(2), 16) : parseInt(key.slice(1), 10);
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
  });
}

function listItem(line) {
  const bullet = /^\s{0,3}[-*+]\s+(.*)$/.exec(line);
  if (bullet) return { ordered: false, text: bullet[1] };
  const numbered = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/.exec(line);
  if (numbered) return { ordered: true, text: numbered[1] };
  return null;
}

function startsBlock(line) {
  return /^\s*```/.test(line) || /^\s{0,3}#{1,6}\s/.test(line) || Boolean(listItem(line))
    || EMBED_START.test(line)
    || /^\s{0,3}>/.test(line) || /^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line);
}

/**
 * Inline markdown → nodes. A line break inside a paragraph is a space, except after two
 * trailing spaces or a backslash (a hard break).
 * @param {string} text @returns {Inline[]}
 */
export function parseInline(text) {
  const out = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push({ type: "text", text: buffer });
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length && /[\\`*_[\]()#>!-]/.test(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "\n") {
      if (/( {2,}|\\)$/.test(buffer)) {
        buffer = buffer.replace(/( {2,}|\\)$/, "");
        flush();
        out.push({ type: "br" });
      } else {
        buffer += " ";
      }
      i++;
      continue;
    }
    if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i) {
        flush();
        out.push({ type: "code", text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (ch === "!" && text[i + 1] === "[") {
      const image = /^!\[([^\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (image) {
        flush();
        const src = safeImageSrc(image[2]);
        out.push(src ? { type: "image", src, alt: image[1] } : { type: "text", text: image[1] });
        i += image[0].length;
        continue;
      }
    }
    if (ch === "[") {
      const link = /^\[([^\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (link) {
        flush();
        const href = safeHref(link[2]);
        const children = parseInline(link[1]);
        out.push(href ? { type: "link", href, children } : { type: "text", text: link[1] });
        i += link[0].length;
        continue;
      }
    }
    const strong = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/.exec(rest);
    if (strong) {
      flush();
      out.push({ type: "strong", children: parseInline(strong[2]) });
      i += strong[0].length;
      continue;
    }
    const em = /^(\*|_)(?=\S)([\s\S]*?\S)\1(?!\1)/.exec(rest);
    if (em && (ch === "*" || !/\w/.test(text[i - 1] || ""))) {
      flush();
      out.push({ type: "em", children: parseInline(em[2]) });
      i += em[0].length;
      continue;
    }
    const url = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/.exec(rest);
    if (url && !/\w/.test(text[i - 1] || "")) {
      flush();
      out.push({ type: "link", href: url[0], children: [{ type: "text", text: url[0] }] });
      i += url[0].length;
      continue;
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}
