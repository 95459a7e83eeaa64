// Live counts on the queue page and the admin's daily view, from the ws/progress/ socket
// (docs/live-sessions.md). The server sends a snapshot per project, then coalesced updates.
//
// Queue page: rows carry data-live-project="<project id>" with a [data-stat="pending"] cell and
// a Start button. Daily view: #content-main carries data-project-id and data-stats-url; a change
// to that project refetches the stats JSON and rewrites every [data-scope] [data-stat] cell.

const STATS = ["pending", "in_progress", "completed", "canceled", "error"];
const RETRY_MS = [1000, 2000, 5000, 10000];

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/progress/`;
}

function updateQueueRow(row, counts) {
  const cell = row.querySelector('[data-stat="pending"]');
  if (cell) cell.textContent = String(counts.pending);
  const start = row.querySelector("button[data-start]");
  if (start) start.disabled = counts.pending === 0;
}

function setCell(scope, key, value) {
  const cell = scope.querySelector(`[data-stat="${key}"]`);
  if (cell && value !== undefined && value !== null) cell.textContent = String(value);
}

async function refreshStats(page) {
  const res = await fetch(page.dataset.statsUrl, { credentials: "same-origin" });
  if (!res.ok) return;
  const stats = await res.json();
  const project = page.querySelector('[data-scope="project"]');
  if (project) for (const key of STATS) setCell(project, key, stats.totals[key]);
  for (const batch of stats.batches) {
    const row = page.querySelector(`[data-scope="batch:${CSS.escape(batch.batch || "")}"]`);
    if (row) for (const key of STATS) setCell(row, key, batch[key]);
  }
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

function handler() {
  const rows = new Map();
  for (const row of document.querySelectorAll("[data-live-project]")) {
    rows.set(Number(row.dataset.liveProject), row);
  }
  const page = document.querySelector("#content-main[data-project-id][data-stats-url]");
  const refresh = page ? debounce(() => refreshStats(page), 300) : null;
  return (message) => {
    if (message.type !== "progress") return;
    if (message.project !== undefined && rows.has(message.project)) {
      updateQueueRow(rows.get(message.project), message.counts);
    }
    if (refresh && (message.batch !== undefined ||
                    message.project === Number(page.dataset.projectId))) refresh();
  };
}

function connect(onMessage, attempt = 0) {
  const socket = new WebSocket(socketUrl());
  document.documentElement.dataset.liveProgress = "connecting";
  socket.addEventListener("open", () => {
    attempt = 0;
    document.documentElement.dataset.liveProgress = "open";
  });
  socket.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    document.documentElement.dataset.liveProgress = "closed";
    if (event.code === 4403) return;
    setTimeout(() => connect(onMessage, attempt + 1), RETRY_MS[Math.min(attempt, 3)]);
  });
}

if (document.querySelector("[data-live-project], #content-main[data-stats-url]")) {
  connect(handler());
}
