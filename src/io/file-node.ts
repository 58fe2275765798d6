// The file system side of saving and loading (Node only; the formats themselves are in memory and
// run in the browser). A save never leaves a half-written file under the target name: it writes a
// temporary file beside it, flushes it to disk, and renames it over the target. It honours what an
// ordinary write would: a read-only target is refused (as PyTorch's open() refuses it), a symlink
// is followed and its target replaced (the link stays a link), and a replaced file keeps its mode.
// Node's fs is looked up when a file is read or written, not imported, so that src/index.ts (which
// exports torch.save/torch.load) still loads in a browser, where saveBuffer/loadBuffer work.

interface StatsLike {
  mode: number;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

interface FsLike {
  openSync(path: string, flags: string, mode: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  fchmodSync(fd: number, mode: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  readFileSync(path: string): Uint8Array;
  lstatSync(path: string, options: { throwIfNoEntry: false }): StatsLike | undefined;
  statSync(path: string, options: { throwIfNoEntry: false }): StatsLike | undefined;
  readlinkSync(path: string): string;
  accessSync(path: string, mode: number): void;
  constants: { W_OK: number };
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

function isAbsolutePath(p: string): boolean {
  return p.startsWith("/") || p.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(p);
}

/** Follows symbolic links (each relative to its own folder) to the file a write should replace. */
function resolveLinks(fs: FsLike, path: string): string {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) return current;
    const link = fs.readlinkSync(current);
    current = isAbsolutePath(link) ? link : `${splitPath(current).dir}/${link}`;
  }
  throw Object.assign(new Error("too many levels of symbolic links"), { code: "ELOOP" });
}

/** Whether the current user may write an existing file; a file without any write bit counts as read-only even for root. */
function writable(fs: FsLike, path: string, mode: number): boolean {
  if ((mode & 0o222) === 0) return false;
  try {
    fs.accessSync(path, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const fs = nodeFs("write", path);
  let target: string;
  let existing: StatsLike | undefined;
  try {
    target = resolveLinks(fs, path);
    existing = fs.statSync(target, { throwIfNoEntry: false });
  } catch (e) {
    throw describeFsError(e, "write", path);
  }
  const shown = target === path ? path : `${path} (a link to ${target})`;
  if (existing?.isDirectory()) throw new Error(`cannot write ${shown}: it is a directory`);
  const mode = existing ? existing.mode & 0o7777 : null;
  if (existing && !writable(fs, target, mode!)) {
    throw new Error(`cannot write ${shown}: permission denied (the file is read-only, mode ${mode!.toString(8).padStart(4, "0")}; change its mode or save elsewhere)`);
  }
  const { dir, base } = splitPath(target);
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const sep = dir.endsWith("/") || dir.endsWith("\\") ? "" : "/";
  const temp = `${dir}${sep}.${base}.${unique}.tmp`;
  let fd: number | null = null;
  try {
    // A new file gets 0666 less the umask, as open() gives it; a replaced one keeps its mode exactly.
    fd = fs.openSync(temp, "wx", mode ?? 0o666);
    if (mode !== null) fs.fchmodSync(fd, mode);
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, target);
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
    throw describeFsError(e, "write", shown);
  }
}
