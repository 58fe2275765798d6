// The file system side of saving and loading (Node only; the formats themselves are in memory and
// run in the browser). A save never leaves a half-written file under the target name: it writes a
// temporary file beside it, flushes it to disk, and renames it over the target.
// Node's fs is looked up when a file is read or written, not imported, so that src/index.ts (which
// exports torch.save/torch.load) still loads in a browser, where saveBuffer/loadBuffer work.

interface FsLike {
  openSync(path: string, flags: string, mode: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  readFileSync(path: string): Uint8Array;
}

function nodeFs(action: string, path: string): FsLike {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs");
  if (!fs) {
    throw new Error(
      `cannot ${action} ${path}: files need Node's file system (Node 20.16 or later); in a browser use torch.saveBuffer / torch.loadBuffer`,
    );
  }
  return fs as FsLike;
}

/** The folder part of a path and the file name (either separator), as node:path's dirname/basename. */
function splitPath(path: string): { dir: string; base: string } {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0) return { dir: ".", base: path };
  return { dir: cut === 0 ? path.slice(0, 1) : path.slice(0, cut), base: path.slice(cut + 1) };
}

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
  const fs = nodeFs("read", path);
  try {
    const buf = fs.readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw describeFsError(e, "read", path);
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const fs = nodeFs("write", path);
  const { dir, base } = splitPath(path);
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const sep = dir.endsWith("/") || dir.endsWith("\\") ? "" : "/";
  const temp = `${dir}${sep}.${base}.${unique}.tmp`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(temp, "wx", 0o644);
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      fs.unlinkSync(temp);
    } catch {
      // the temporary file may never have been created
    }
    throw describeFsError(e, "write", path);
  }
}
