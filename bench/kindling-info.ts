// Which kindling build and kernels a run used: the version, the commit, and the backend serving
// "cpu" tensors (the TypeScript kernels, or the native addon where kindling picked it up).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as torch from "kindling";
import { backendFor } from "../src/backend/index.js";

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "src"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head} (src modified)` : head;
  } catch {
    return null;
  }
}

export function kindlingInfo(): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const backends = (torch as unknown as { backends?: Record<string, { isAvailable?: () => boolean }> }).backends;
  const native = backends?.native?.isAvailable?.();
  return {
    version: pkg.version,
    commit: gitCommit(),
    backend: backendFor("cpu").name,
    nativeAvailable: native ?? null,
    nn: typeof (torch.nn as Record<string, unknown>).Linear === "function",
  };
}
