// Python's warnings.warn for the optimizers and schedulers: a process warning under Node, the
// console in a browser. Each message is shown once, as Python's default warning filter does.
const shown = new Set<string>();

export function warn(message: string, category = "UserWarning"): void {
  if (shown.has(message)) return;
  shown.add(message);
  const proc = (globalThis as { process?: { emitWarning?: (m: string, t: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message, category);
  else console.warn(`${category}: ${message}`);
}
