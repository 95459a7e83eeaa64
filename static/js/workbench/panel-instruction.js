// The task's instruction, rendered from a safe markdown subset (lib/markdown.js). Every text
// goes in with textContent; links keep http(s)/mailto URLs only and open in a new tab. An
// embedded document (an <iframe src="https://…"> block) only ever shows in a sandboxed frame
// (EMBED_SANDBOX: no allow-same-origin), never as HTML of this page. Tables are built cell
// by cell; an image shows only from this server or an origin GET /data's
// `instruction_image_origins` allows (the task's own attachment origins and the deployment's
// allowed ones, which the page's Content-Security-Policy lets load: tasks/workbench/csp.py);
// any other image is a link to it.

import { EMBED_SANDBOX, parseMarkdown } from "../lib/markdown.js";

/**
 * Build DOM nodes for parsed markdown blocks.
 * @param {string} source @param {{imageOrigins?: string[]}} [options] the origins (besides
 *   this page's) images may load from
 */
export function renderMarkdown(source, { imageOrigins = [] } = {}) {
  const fragment = document.createDocumentFragment();
  const allowed = new Set([window.location.origin, ...imageOrigins]);
  const context = { imageAllowed: (src) => allowed.has(originOf(src)) };
  for (const block of parseMarkdown(source)) fragment.append(blockNode(block, context));
  return fragment;
}

function originOf(src) {
  try {
    return new URL(src, window.location.href).origin;
  } catch {
    return "";
  }
}

function blockNode(block, ctx) {
  switch (block.type) {
    case "heading": {
      // h1/h2 belong to the page; instruction headings start at h3
      const el = document.createElement(`h${Math.min(6, block.level + 2)}`);
      el.append(...inlineNodes(block.inline, ctx));
      return el;
    }
    case "list": {
      const el = document.createElement(block.ordered ? "ol" : "ul");
      for (const item of block.items) {
        const li = document.createElement("li");
        li.append(...inlineNodes(item, ctx));
        el.append(li);
      }
      return el;
    }
    case "code": {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      code.textContent = block.text;
      pre.append(code);
      return pre;
    }
    case "quote": {
      const el = document.createElement("blockquote");
      el.append(...inlineNodes(block.inline, ctx));
      return el;
    }
    case "hr":
      return document.createElement("hr");
    case "embed":
      return embedNode(block);
    case "table":
      return tableNode(block, ctx);
    default: {
      const el = document.createElement("p");
      el.append(...inlineNodes(block.inline, ctx));
      return el;
    }
  }
}

function embedNode(block) {
  const figure = document.createElement("figure");
  figure.className = "wb-embed";
  figure.style.margin = "8px 0";
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", EMBED_SANDBOX);
  frame.referrerPolicy = "no-referrer";
  frame.loading = "lazy";
  frame.title = block.title;
  frame.src = block.src;
  Object.assign(frame.style, { width: "100%", height: "360px", border: "1px solid #3a414c", background: "#ffffff" });
  const caption = document.createElement("figcaption");
  const link = document.createElement("a");
  link.href = block.src;
  link.target = "_blank";
  link.rel = "noopener noreferrer nofollow";
  link.textContent = `${block.title} (open in a new tab)`;
  caption.append(link);
  figure.append(frame, caption);
  return figure;
}

function tableNode(block, ctx) {
  const wrap = document.createElement("div");
  wrap.className = "wb-markdown-table";
  const table = document.createElement("table");
  const row = (cells, tag) => {
    const tr = document.createElement("tr");
    cells.forEach((cell, n) => {
      const td = document.createElement(tag);
      if (tag === "th") td.scope = "col";
      if (block.align[n]) td.style.textAlign = block.align[n];
      td.append(...inlineNodes(cell, ctx));
      tr.append(td);
    });
    return tr;
  };
  const thead = document.createElement("thead");
  thead.append(row(block.head, "th"));
  const tbody = document.createElement("tbody");
  for (const cells of block.rows) tbody.append(row(cells, "td"));
  table.append(thead, tbody);
  wrap.append(table);
  return wrap;
}

function imageNode(node, ctx) {
  if (!ctx.imageAllowed(node.src)) {
    const link = document.createElement("a");
    link.href = node.src;
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
    link.className = "wb-markdown-image-link";
    link.textContent = `${node.alt || "image"} (image: open in a new tab)`;
    return link;
  }
  const img = document.createElement("img");
  img.src = node.src;
  img.alt = node.alt;
  img.loading = "lazy";
  img.referrerPolicy = "no-referrer";
  img.className = "wb-markdown-image";
  return img;
}

function inlineNodes(nodes, ctx) {
  return nodes.map((node) => {
    switch (node.type) {
      case "strong":
      case "em": {
        const el = document.createElement(node.type);
        el.append(...inlineNodes(node.children, ctx));
        return el;
      }
      case "code": {
        const el = document.createElement("code");
        el.textContent = node.text;
        return el;
      }
      case "link": {
        const el = document.createElement("a");
        el.href = node.href;
        el.target = "_blank";
        el.rel = "noopener noreferrer nofollow";
        el.append(...inlineNodes(node.children, ctx));
        return el;
      }
      case "br":
        return document.createElement("br");
      case "image":
        return imageNode(node, ctx);
      default:
        return document.createTextNode(node.text);
    }
  });
}

export const instructionPanel = () => ({
  id: "instruction",
  title: "Instruction",
  mount(body, app) {
    const text = app.data.instruction || "";
    const div = document.createElement("div");
    div.className = "wb-markdown";
    const imageOrigins = Array.isArray(app.data.instruction_image_origins) ? app.data.instruction_image_origins : [];
    if (text.trim()) div.append(renderMarkdown(text, { imageOrigins }));
    else div.textContent = "No instruction for this task.";
    body.append(div);
  },
});
