// The task's instruction, rendered from a safe markdown subset (lib/markdown.js). Every text
// goes in with textContent; links keep http(s)/mailto URLs only and open in a new tab. An
// embedded document (an <iframe src="https://…"> block) only ever shows in a sandboxed frame
// (EMBED_SANDBOX: no allow-same-origin), never as HTML of this page.

import { EMBED_SANDBOX, parseMarkdown } from "../lib/markdown.js";

/** Build DOM nodes for parsed markdown blocks. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.append(blockNode(block));
  return fragment;
}

function blockNode(block) {
  switch (block.type) {
    case "heading": {
      // h1/h2 belong to the page; instruction headings start at h3
      const el = document.createElement(`h${Math.min(6, block.level + 2)}`);
      el.append(...inlineNodes(block.inline));
      return el;
    }
    case "list": {
      const el = document.createElement(block.ordered ? "ol" : "ul");
      for (const item of block.items) {
        const li = document.createElement("li");
        li.append(...inlineNodes(item));
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
      el.append(...inlineNodes(block.inline));
      return el;
    }
    case "hr":
      return document.createElement("hr");
    case "embed":
      return embedNode(block);
    default: {
      const el = document.createElement("p");
      el.append(...inlineNodes(block.inline));
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

function inlineNodes(nodes) {
  return nodes.map((node) => {
    switch (node.type) {
      case "strong":
      case "em": {
        const el = document.createElement(node.type);
        el.append(...inlineNodes(node.children));
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
        el.append(...inlineNodes(node.children));
        return el;
      }
      case "br":
        return document.createElement("br");
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
    if (text.trim()) div.append(renderMarkdown(text));
    else div.textContent = "No instruction for this task.";
    body.append(div);
  },
});
