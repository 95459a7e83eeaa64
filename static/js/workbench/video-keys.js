// The keys of a video task, beside the key map of keyboard.js. Space already pans (held down
// with a drag), so play / pause is K, as in video players. In a video task ← and → step
// frames instead of nudging the selection (↑ and ↓ still nudge it).

import { helpSections, match } from "./keyboard.js";

/** @type {import("./keyboard.js").Binding[]} */
export const VIDEO_BINDINGS = [
  { combo: "k", command: "playPause", help: ["Video", "K", "Play / pause"] },
  { combo: "arrowleft", command: "step", args: [-1], help: ["Video", "← →", "Previous / next frame"] },
  { combo: "arrowright", command: "step", args: [1] },
  { combo: "shift+arrowleft", command: "step", args: [-10], help: ["Video", "Shift+← →", "Ten frames back / on"] },
  { combo: "shift+arrowright", command: "step", args: [10] },
  { combo: "home", command: "seekEnd", args: [-1], help: ["Video", "Home / End", "First / last frame"] },
  { combo: "end", command: "seekEnd", args: [1] },
  { combo: ",", command: "keyframeStep", args: [-1], help: ["Video", ", .", "Previous / next keyframe of the selected track"] },
  { combo: ".", command: "keyframeStep", args: [1] },
];

const VIDEO_EXTRA_HELP = [
  ["Video", "Draw or edit a shape", "Sets a keyframe on this frame; between keyframes the shape is interpolated"],
  ["Video", "Click or drag the timeline", "Go to that frame"],
];

/**
 * The video keys in the help overlay (through the Workbench's hooks): a Video section first,
 * and the nudge rows say that ← → step frames here.
 * @param {import("./hooks.js").WorkbenchHooks} hooks
 */
export function addVideoHelp(hooks) {
  hooks.addHelpSection("Video", helpSections(VIDEO_BINDINGS, VIDEO_EXTRA_HELP).get("Video") || [], { first: true });
  hooks.replaceHelpRow("Editing", "← ↑ → ↓", ["↑ ↓", "Nudge the selection 1 px (← → step frames)"]);
  hooks.replaceHelpRow("Editing", "Shift+← ↑ → ↓", ["Shift+↑ ↓", "Nudge the selection 10 px"]);
}

/** The video binding a key event triggers, or null. */
export function matchVideo(event) {
  return match(event, VIDEO_BINDINGS);
}
