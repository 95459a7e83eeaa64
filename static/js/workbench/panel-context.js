// Context images (context_attachments): thumbnails served by GET /tasks/<id>/context/<n>
// (our copy, or the original while it is not fetched); a click enlarges one in an overlay
// (a modal dialog: Esc, the close button or a click beside the image closes it; ← → step
// through them). They are references only: nothing is drawn on them.

import { el } from "./attribute-controls.js";

export function contextPanel() {
  return {
    id: "context",
    title: "Context images",
    mount(body, app) {
      this.app = app;
      this.images = app.data.context || [];
      this.extra.textContent = String(this.images.length);
      const grid = el("div", "wb-context");
      this.images.forEach((image, n) => {
        const button = el("button", "wb-context-thumb", { type: "button", title: `Enlarge context image ${n + 1}` });
        button.dataset.index = String(n);
        const img = el("img", "", { alt: image.description || `Context image ${n + 1}`, loading: "lazy", decoding: "async" });
        img.src = image.url;
        img.addEventListener("error", () => button.classList.add("broken"));
        button.append(img);
        button.addEventListener("click", () => this.open(n));
        grid.append(button);
      });
      body.append(grid);
      this.buildOverlay(app.root);
    },

    buildOverlay(root) {
      const overlay = el("div", "wb-lightbox", { role: "dialog", "aria-modal": "true", "aria-label": "Context image" });
      overlay.hidden = true;
      const figure = el("figure", "wb-lightbox-figure");
      this.big = el("img", "wb-lightbox-image", { alt: "" });
      this.caption = el("figcaption", "wb-lightbox-caption");
      figure.append(this.big, this.caption);
      this.close = el("button", "wb-lightbox-close", { type: "button", "aria-label": "Close (Esc)", title: "Close (Esc)" });
      this.close.textContent = "×";
      this.close.addEventListener("click", () => this.hide());
      overlay.append(figure, this.close);
      overlay.addEventListener("click", (event) => {
        if (event.target === overlay) this.hide();
      });
      overlay.addEventListener("keydown", (event) => {
        event.stopPropagation();
        if (event.key === "Escape") {
          event.preventDefault();
          this.hide();
        } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          event.preventDefault();
          const n = this.images.length;
          this.open((this.current + (event.key === "ArrowRight" ? 1 : -1) + n) % n);
        } else if (event.key === "Tab") {
          event.preventDefault(); // the close button is the only control: keep the focus here
        }
      });
      root.append(overlay);
      this.overlay = overlay;
    },

    open(n) {
      const image = this.images[n];
      if (!image) return;
      this.current = n;
      this.returnFocus = this.overlay.hidden ? document.activeElement : this.returnFocus;
      this.big.src = image.url;
      this.big.alt = image.description || `Context image ${n + 1}`;
      const size = image.width && image.height ? ` · ${image.width} × ${image.height} px` : "";
      this.caption.textContent = `Context image ${n + 1} of ${this.images.length}${size}${image.description ? ` · ${image.description}` : ""}`;
      this.overlay.hidden = false;
      this.overlay.dataset.index = String(n);
      this.close.focus({ preventScroll: true });
    },

    hide() {
      this.overlay.hidden = true;
      const back = this.returnFocus;
      this.returnFocus = null;
      if (back && back.isConnected) back.focus({ preventScroll: true });
      else this.app.canvas.focus({ preventScroll: true });
    },
  };
}
