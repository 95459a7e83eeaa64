// Image information: size, padding, date_time, location and resolution (image_metadata).

function row(dl, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
  return dd;
}

export const infoPanel = () => ({
  id: "info",
  title: "Image",
  collapsed: false,
  mount(body, app) {
    const dl = document.createElement("dl");
    dl.className = "wb-info";
    this.size = row(dl, "Size", "loading…");
    const pad = app.padding;
    if (pad.x || pad.y) row(dl, "Padding", `${pad.x} × ${pad.y} px`);
    const meta = app.params.image_metadata || {};
    if (meta.date_time) row(dl, "Taken", String(meta.date_time));
    if (meta.location && Number.isFinite(meta.location.lat) && Number.isFinite(meta.location.long)) {
      row(dl, "Location", `${meta.location.lat.toFixed(5)}, ${meta.location.long.toFixed(5)}`);
    }
    if (meta.resolution) {
      row(dl, "Resolution", `1 px = ${meta.resolution.resolution_ratio} ${meta.resolution.resolution_unit}`);
    }
    row(dl, "Task", app.data.task_id);
    if (app.data.project) row(dl, "Project", app.data.project);
    body.append(dl);
  },
  update(change) {
    if (change.kind === "image") {
      const { width, height } = change.size;
      this.size.textContent = width && height ? `${width} × ${height} px` : "unknown";
    }
  },
});
