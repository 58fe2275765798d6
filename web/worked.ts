// Section 2: the chapter's worked example with editable numbers. Every value comes from the tour's
// forwardBackwardSteps: kindling's autograd beside the closed form, recomputed on each edit.
import { agrees, CHAPTER_EXAMPLE, forwardBackwardSteps, type WorkedExample } from "../src/cli/tour/forward-backward.js";

/** The editable numbers: their label, and where each lives in a WorkedExample. */
const FIELDS: ReadonlyArray<{ name: string; get: (e: WorkedExample) => number; set: (e: WorkedExample, v: number) => void }> = [
  { name: "w1", get: (e) => e.W1[0][0], set: (e, v) => { e.W1[0][0] = v; } },
  { name: "w2", get: (e) => e.W1[0][1], set: (e, v) => { e.W1[0][1] = v; } },
  { name: "w3", get: (e) => e.W1[1][0], set: (e, v) => { e.W1[1][0] = v; } },
  { name: "w4", get: (e) => e.W1[1][1], set: (e, v) => { e.W1[1][1] = v; } },
  { name: "b1", get: (e) => e.B1[0], set: (e, v) => { e.B1[0] = v; } },
  { name: "b2", get: (e) => e.B1[1], set: (e, v) => { e.B1[1] = v; } },
  { name: "w5", get: (e) => e.W2[0][0], set: (e, v) => { e.W2[0][0] = v; } },
  { name: "w6", get: (e) => e.W2[0][1], set: (e, v) => { e.W2[0][1] = v; } },
  { name: "b3", get: (e) => e.B2[0], set: (e, v) => { e.B2[0] = v; } },
  { name: "x1", get: (e) => e.X[0], set: (e, v) => { e.X[0] = v; } },
  { name: "x2", get: (e) => e.X[1], set: (e, v) => { e.X[1] = v; } },
  { name: "y", get: (e) => e.Y, set: (e, v) => { e.Y = v; } },
  { name: "lr", get: (e) => e.LR, set: (e, v) => { e.LR = v; } },
];

const GROUPS: Record<string, string> = { z1: "forward", "∂L/∂σ3": "backward (chain rule)", "w1 ←": "update (SGD)" };

function copy(e: Readonly<WorkedExample>): WorkedExample {
  return { W1: e.W1.map((r) => [...r]), B1: [...e.B1], W2: e.W2.map((r) => [...r]), B2: [...e.B2], X: [...e.X], Y: e.Y, LR: e.LR };
}

export function setupWorked(): void {
  const form = document.querySelector<HTMLFormElement>("#worked-form")!;
  const body = document.querySelector<HTMLTableElement>("#worked-table")!.tBodies[0];
  const summary = document.querySelector<HTMLElement>("#worked-summary")!;
  const inputs = FIELDS.map((field) => {
    const label = document.createElement("label");
    label.textContent = field.name;
    const input = document.createElement("input");
    Object.assign(input, { type: "number", step: "any", id: `worked-${field.name}`, name: field.name, value: String(field.get(CHAPTER_EXAMPLE as WorkedExample)) });
    if (field.name === "y") Object.assign(input, { min: "0", max: "1" });
    label.append(input);
    form.append(label);
    return input;
  });

  const recompute = () => {
    const example = copy(CHAPTER_EXAMPLE);
    for (const [i, field] of FIELDS.entries()) {
      const v = Number(inputs[i].value);
      inputs[i].setAttribute("aria-invalid", String(inputs[i].value.trim() === "" || !Number.isFinite(v)));
      if (inputs[i].value.trim() !== "" && Number.isFinite(v)) field.set(example, v);
    }
    const { steps, outputRepr } = forwardBackwardSteps(example);
    const rows: string[] = [];
    for (const step of steps) {
      const group = GROUPS[step.name];
      if (group) rows.push(`<tr class="group"><th scope="rowgroup" colspan="5">${group}</th></tr>`);
      const ok = agrees(step);
      rows.push(
        `<tr data-step="${step.name}" data-closed="${step.closedForm}" data-autograd="${step.autograd}">` +
          `<th scope="row">${step.name}</th><td class="formula">${step.formula}</td>` +
          `<td>${step.closedForm.toFixed(6)}</td><td>${step.autograd.toFixed(6)}</td>` +
          `<td class="${ok ? "ok" : "bad"}">${ok ? "✓ yes" : "✗ differs"}</td></tr>`,
      );
    }
    body.innerHTML = rows.join("");
    const matching = steps.filter(agrees).length;
    summary.textContent = `${matching} of ${steps.length} values agree with the closed form. Output printed by kindling: ${outputRepr}`;
    summary.dataset.agree = String(matching);
    summary.dataset.total = String(steps.length);
  };
  form.addEventListener("input", recompute);
  form.addEventListener("submit", (event) => event.preventDefault());
  recompute();
}
