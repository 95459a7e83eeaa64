// A training copy's header: GET /data's `training` key ({number, of}) becomes "Training task
// n of N" in the page's title bar (docs/quality.md "Gold and training tasks"). Any other task
// has no such key, and the header stays as the server wrote it: a gold copy looks like any task.

/**
 * @param {any} training GET /data's `training`, or undefined
 * @returns {string | null}
 */
export function trainingTitle(training) {
  const number = training?.number;
  const of = training?.of;
  if (!Number.isInteger(number) || !Number.isInteger(of) || number < 1 || of < number) return null;
  return `Training task ${number} of ${of}`;
}

/**
 * Show the title in the header's task label (`.wb-task-id`), when there is one to show.
 * @param {{querySelector(selector: string): any} | null} doc
 * @param {any} training
 * @returns {boolean} whether the header changed
 */
export function showTraining(doc, training) {
  const title = trainingTitle(training);
  const label = title ? doc?.querySelector(".wb-task-id") : null;
  if (!title || !label) return false;
  label.textContent = title;
  label.classList?.add("wb-task-training");
  return true;
}
