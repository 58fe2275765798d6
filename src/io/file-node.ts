// The file system side of saving and loading (Node only; the formats themselves are in memory and
// run in the browser). A save never leaves a half-written file under the target name: it writes a
// temporary file beside it, flushes it to disk, and renames it over the target.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

function describeFsError(e: unknown, action: string, path: string): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EISDIR"
        ? "it is a directory"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "ENOSPC"
            ? "no space left on the device"
            : ((e as Error)?.message ?? String(e));
  return new Error(`cannot ${action} ${path}: ${reason}`, { cause: e });
}

export function readFileBytes(path: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw describeFsError(e, "read", path);
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, "wx", 0o644);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file may never have been created
    }
    throw describeFsError(e, "write", path);
  }
}
