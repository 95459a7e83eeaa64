// The keys of a video task, beside the key map of keyboard.js. Space already pans (held down
// with a drag), so play / pause is K, as in video players. In a video task ← and → step
// frames instead of nudging the selection (↑ and ↓ still nudge it).

import { BINDINGS, EXTRA_HELP, helpSections, match } from "./keyboard.js";

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

/** The help overlay's sections in a video task: the image keys with ← → moved to the frames. */
export function videoHelpSections() {
  const image = BINDINGS.map((b) => {
    if (b.combo === "arrowleft") return { ...b, help: ["Editing", "↑ ↓", "Nudge the selection 1 px (← → step frames)"] };
    if (b.combo === "shift+arrowleft") return { ...b, help: ["Editing", "Shift+↑ ↓", "Nudge the selection 10 px"] };
    return b;
  });
  return helpSections([...VIDEO_BINDINGS, ...image], [...VIDEO_EXTRA_HELP, ...EXTRA_HELP]);
}

/** The video binding a key event triggers, or null. */
export function matchVideo(event) {
  return match(event, VIDEO_BINDINGS);
}
