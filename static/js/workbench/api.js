// The server calls of the workbench: session auth, CSRF header from the `csrftoken` cookie.

/** The value of a cookie, or "". */
export function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export function csrfToken() {
  return cookie("csrftoken");
}

/** GET /tasks/<id>/data. Throws an Error with a readable message on failure. */
export async function loadTask(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`The task could not be loaded (HTTP ${response.status}).`);
  }
  return response.json();
}

/**
 * POST `body` as JSON with the session and CSRF token: resolves with {status, payload} (the
 * answer's JSON, or {}); a network failure or an abort resolves as status 0. Never throws.
 * @param {string} url @param {object} body @param {AbortSignal} [signal]
 */
export async function postJson(url, body, signal) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  } catch {
    return { status: 0, payload: {} };
  }
  let payload = {};
  try {
    payload = await response.json();
  } catch {
    payload = {};
  }
  return { status: response.status, payload };
}

/**
 * POST /tasks/<id>/submit. Resolves with {ok: true, nextUrl} or {ok: false, status, error,
 * annotationUuid, path}; network failures resolve as {ok: false, status: 0}.
 */
export async function submitTask(url, body) {
  const { status, payload } = await postJson(url, body);
  if (status === 0) {
    return { ok: false, status: 0, error: "The server could not be reached. Nothing was lost: try again." };
  }
  // outcome: "review" when the task now waits for a reviewer, else "completed"
  if (status >= 200 && status < 300) {
    return { ok: true, nextUrl: payload.next_url || "/", outcome: payload.status || "completed" };
  }
  let error = payload.error || payload.detail || `The server refused the submit (HTTP ${status}).`;
  if (status === 403) error = "Your session has ended or this task is no longer yours. Log in again.";
  return {
    ok: false,
    status,
    error: String(error),
    annotationUuid: payload.annotation_uuid || null,
    path: payload.path || null,
  };
}

/**
 * POST /tasks/<id>/assist (docs/assist.md): resolves with {status, payload}; a network
 * failure or an abort resolves as status 0. Never throws.
 * @param {string} url @param {object} body @param {AbortSignal} [signal]
 */
export function postAssist(url, body, signal) {
  return postJson(url, body, signal);
}
