// A safe markdown subset for task instructions, parsed to a tree (no DOM, no HTML strings).
//
// Blocks: paragraphs, ATX headings (# … ######), bullet and numbered lists (one level),
// fenced code (```), block quotes (>), rules (---). Inline: **strong** / __strong__,
// *em* / _em_, `code`, [text](url) and bare http(s) URLs. Raw HTML is NOT interpreted: it
// stays text, and the page renders every text node with textContent. Links keep only
// http:, https: and mailto: URLs; any other link becomes its text.

/**
 * @typedef {{type: "text", text: string} | {type: "code", text: string} | {type: "br"}
 *   | {type: "strong" | "em", children: Inline[]}
 *   | {type: "link", href: string, children: Inline[]}} Inline
 * @typedef {{type: "paragraph" | "quote", inline: Inline[]}
 *   | {type: "heading", level: number, inline: Inline[]}
 *   | {type: "list", ordered: boolean, items: Inline[][]}
 *   | {type: "code", text: string} | {type: "hr"}} Block
 */

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
    const body = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) body.push(lines[i++]);
    blocks.push({ type: "paragraph", inline: parseInline(body.join("\n")) });
  }
  return blocks;
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
