// The page's entry: each section wires its own controls; a failure in one is shown, not fatal to the rest.
import { setupActivations } from "./activations.js";
import { setupPassFail } from "./pass-fail.js";
import { setupWorked } from "./worked.js";
import { setupXor } from "./xor.js";

for (const [id, setup] of [
  ["activations", setupActivations],
  ["worked", setupWorked],
  ["xor", setupXor],
  ["pass-fail", setupPassFail],
] as const) {
  try {
    setup();
  } catch (error) {
    console.error(`section ${id}:`, error);
    const note = Object.assign(document.createElement("p"), { role: "alert", textContent: `This section failed to start: ${error}` });
    document.getElementById(id)?.append(note);
  }
}
document.body.dataset.ready = "true";
