// Python's pickle, restricted to what a PyTorch state dict or checkpoint needs, in both directions.
//
// The unpickler never runs anything: it implements the binary opcodes of protocols 2-5 that build
// containers and scalars, and a GLOBAL may name only what the caller allows. Calling an allowed
// global (REDUCE/NEWOBJ) runs the caller's JavaScript handler, never Python. Every other opcode or
// global is a FileFormatError naming it. Values read:
//   None -> null, bool -> boolean, int -> number (bigint beyond 2**53 - 1), float -> number,
//   str -> string, list -> array, tuple -> frozen array, dict -> Map, OrderedDict -> OrderedDict
//   (a Map subclass that also keeps the attributes PyTorch stores with BUILD, e.g. `_metadata`).
//
// The pickler writes protocol 2 as torch.save does, with the opcodes that PyTorch's own
// weights-only unpickler accepts (plus BINFLOAT for floats, which PyTorch 2.x accepts; 1.13's
// weights-only unpickler rejects every float, its own files' included). The same value model goes
// the other way: frozen arrays become tuples, other arrays lists, OrderedDict -> OrderedDict,
// other Maps and plain objects -> dict; integral numbers within +-(2**53 - 1) and bigints become
// ints, other numbers floats.
import { ByteReader, decodeUtf8 } from "./byte-reader.js";
import { ByteWriter } from "./byte-writer.js";
import { FileFormatError } from "./format-error.js";

/** A class or function named by the stream (module and qualified name as Python spells them). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
  toString(): string {
    return this.qualifiedName;
  }
}

/** collections.OrderedDict: a Map that remembers it was one, and its instance attributes. */
export class OrderedDict<K = unknown, V = unknown> extends Map<K, V> {
  /** Attributes set on the dict itself (PyTorch state dicts carry `_metadata`), or null. */
  attributes: Map<string, unknown> | null = null;
}

/** To write: the call `callable(*args)`, which the unpickler performs with REDUCE. */
export class PyReduce {
  constructor(
    readonly callable: PyGlobal,
    readonly args: readonly unknown[],
  ) {}
}

/** To write: a persistent id (PyTorch's reference to a storage record), emitted with BINPERSID. */
export class PyPersistentId {
  constructor(readonly pid: unknown) {}
}

/** A Python tuple: a frozen array. */
export function tuple<T>(items: T[]): readonly T[] {
  return Object.freeze(items);
}

export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** What GLOBAL may name: a handler REDUCE/NEWOBJ calls with the argument tuple, or null for names
 * that may appear as values (PyTorch's storage classes) but not be called. */
export type GlobalHandler = ((args: readonly unknown[]) => unknown) | null;

export interface UnpickleOptions {
  /** Keyed by "module.name". */
  globals: ReadonlyMap<string, GlobalHandler>;
  /** Resolves BINPERSID; without it a persistent id is an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Names the stream in error messages. */
  what?: string;
}

// Every pickle opcode by hex code, so an error can name the one it refuses.
const opcodeNames = new Map<number, string>(
  [
    "28:MARK 2e:STOP 30:POP 31:POP_MARK 32:DUP 46:FLOAT 49:INT 4a:BININT 4b:BININT1 4c:LONG ",
    "4d:BININT2 4e:NONE 50:PERSID 51:BINPERSID 52:REDUCE 53:STRING 54:BINSTRING 55:SHORT_BINSTRING ",
    "56:UNICODE 58:BINUNICODE 61:APPEND 62:BUILD 63:GLOBAL 64:DICT 7d:EMPTY_DICT 65:APPENDS 67:GET ",
    "68:BINGET 69:INST 6a:LONG_BINGET 6c:LIST 5d:EMPTY_LIST 6f:OBJ 70:PUT 71:BINPUT 72:LONG_BINPUT ",
    "73:SETITEM 74:TUPLE 29:EMPTY_TUPLE 75:SETITEMS 47:BINFLOAT 80:PROTO 81:NEWOBJ 82:EXT1 83:EXT2 ",
    "84:EXT4 85:TUPLE1 86:TUPLE2 87:TUPLE3 88:NEWTRUE 89:NEWFALSE 8a:LONG1 8b:LONG4 42:BINBYTES ",
    "43:SHORT_BINBYTES 8c:SHORT_BINUNICODE 8d:BINUNICODE8 8e:BINBYTES8 8f:EMPTY_SET 90:ADDITEMS ",
    "91:FROZENSET 92:NEWOBJ_EX 93:STACK_GLOBAL 94:MEMOIZE 95:FRAME 96:BYTEARRAY8 97:NEXT_BUFFER ",
    "98:READONLY_BUFFER ",
  ]
    .join("")
    .trim()
    .split(" ")
    .map((pair) => {
      const [hex, name] = pair.split(":");
      return [Number.parseInt(hex!, 16), name!];
    }),
);

function opcodeLabel(op: number): string {
  const hex = `0x${op.toString(16).padStart(2, "0")}`;
  const name = opcodeNames.get(op);
  return name ? `${name} (${hex})` : `unknown opcode ${hex}`;
}

/** Longest LONG1/LONG4 integer accepted, in bytes; state dicts hold nothing near it. */
const MAX_LONG_BYTES = 1024;

function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return pyInt(v);
}

/** A Python int as kindling holds it: a number when exact, otherwise a bigint. */
export function pyInt(v: bigint): number | bigint {
  return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
}

/** Tuples already found hashable: frozen, so the answer cannot change; a key reused many times is walked once. */
const hashableTuples = new WeakSet<object>();

/**
 * Whether a value can be a dict key: a scalar or a tuple of them. Walked without recursion (nesting
 * depth cannot overflow the stack), each tuple once, so the work is linear in the distinct tuples.
 */
function isHashable(value: unknown): boolean {
  const work: unknown[] = [value];
  const seen = new Set<object>();
  while (work.length > 0) {
    const v = work.pop();
    if (v === null) continue;
    const t = typeof v;
    if (t === "string" || t === "number" || t === "bigint" || t === "boolean") continue;
    if (!isTuple(v)) return false;
    if (seen.has(v) || hashableTuples.has(v)) continue;
    seen.add(v);
    for (const item of v) work.push(item);
  }
  for (const v of seen) hashableTuples.add(v);
  return true;
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (v instanceof OrderedDict) return "OrderedDict";
  if (v instanceof Map) return "dict";
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (typeof v === "object") return v.constructor?.name ?? "object";
  return typeof v;
}

const MARK = Symbol("mark");
const EMPTY_TUPLE: readonly unknown[] = tuple([]);

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const what = options.what ?? "pickle";
  const r = new ByteReader(bytes, what);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const globals = new Map<string, PyGlobal>();
  let opStart = 0;

  const fail = (message: string): never => {
    throw new FileFormatError(`${what}: ${message} (at offset ${opStart})`);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail("stack underflow");
    const v = stack.pop();
    if (v === MARK) fail("unexpected MARK");
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = marks.pop();
    if (outer === undefined) fail("no MARK to pop to");
    stack = outer!;
    return items;
  };
  const readLine = (field: string): string => {
    const end = bytes.indexOf(0x0a, r.pos);
    if (end < 0) fail(`${field} is not terminated by a newline (truncated)`);
    const text = decodeUtf8(bytes.subarray(r.pos, end), `${what}: ${field}`);
    r.pos = end + 1;
    return text;
  };
  const readText = (n: number, field: string): string => decodeUtf8(r.take(n, field), `${what}: ${field}`);
  const readAscii = (n: number): string => {
    const b = r.take(n, "byte string");
    if (b.some((c) => c >= 0x80)) fail("byte string is not ASCII");
    return decodeUtf8(b, `${what}: byte string`); // ASCII is UTF-8; no argument spread, whatever the length
  };
  const global = (module: string, name: string): PyGlobal => {
    const qualified = `${module}.${name}`;
    if (!options.globals.has(qualified)) {
      fail(`global ${qualified} is not allowed (kindling loads tensors, containers, numbers and strings, and runs no code)`);
    }
    let g = globals.get(qualified);
    if (!g) globals.set(qualified, (g = new PyGlobal(module, name)));
    return g;
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (!(callable instanceof PyGlobal)) return fail(`cannot call a ${describe(callable)}`);
    const handler = options.globals.get(callable.qualifiedName);
    if (!handler) return fail(`${callable.qualifiedName} cannot be called`);
    if (!isTuple(args)) return fail(`arguments to ${callable.qualifiedName} are a ${describe(args)}, not a tuple`);
    return handler(args);
  };
  const setItem = (target: unknown, key: unknown, value: unknown): void => {
    if (!(target instanceof Map)) fail(`cannot set an item on a ${describe(target)}`);
    if (!isHashable(key)) fail(`a ${describe(key)} cannot be a dict key`);
    (target as Map<unknown, unknown>).set(key, value);
  };
  const appendTo = (target: unknown): unknown[] => {
    if (!Array.isArray(target) || isTuple(target)) return fail(`cannot append to a ${describe(target)}`);
    return target;
  };
  const memoize = (index: number): void => {
    const v = top();
    if (v === MARK) fail("cannot memoize a MARK");
    memo.set(index, v);
  };
  const fetch = (index: number): void => {
    if (!memo.has(index)) fail(`memo entry ${index} is not defined`);
    stack.push(memo.get(index));
  };

  for (;;) {
    opStart = r.pos;
    if (r.remaining === 0) fail("data ended before STOP (truncated)");
    const op = r.u8();
    switch (op) {
      case 0x80: {
        const version = r.u8("protocol");
        if (version < 2 || version > 5) fail(`pickle protocol ${version} is not supported (PyTorch writes 2)`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        r.u64("frame length");
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a:
        stack.push(r.i32());
        break;
      case 0x4b:
        stack.push(r.u8());
        break;
      case 0x4d:
        stack.push(r.u16());
        break;
      case 0x8a:
        stack.push(decodeLong(r.take(r.u8("LONG1 length"), "LONG1 digits")));
        break;
      case 0x8b: {
        const n = r.i32("LONG4 length");
        if (n < 0 || n > MAX_LONG_BYTES) fail(`LONG4 of ${n} bytes is outside what kindling reads (0..${MAX_LONG_BYTES})`);
        stack.push(decodeLong(r.take(n, "LONG4 digits")));
        break;
      }
      case 0x47:
        stack.push(r.f64be("BINFLOAT"));
        break;
      case 0x58:
        stack.push(readText(r.u32("BINUNICODE length"), "BINUNICODE string"));
        break;
      case 0x8c:
        stack.push(readText(r.u8("SHORT_BINUNICODE length"), "SHORT_BINUNICODE string"));
        break;
      case 0x8d:
        stack.push(readText(r.u64("BINUNICODE8 length"), "BINUNICODE8 string"));
        break;
      case 0x55:
        stack.push(readAscii(r.u8("SHORT_BINSTRING length")));
        break;
      case 0x54: {
        const n = r.i32("BINSTRING length");
        if (n < 0) fail("negative BINSTRING length");
        stack.push(readAscii(n));
        break;
      }
      case 0x29: // EMPTY_TUPLE: one shared object, as Python's () is a singleton
        stack.push(EMPTY_TUPLE);
        break;
      case 0x74: {
        const items = popMark(); // before naming `stack`: popping the mark replaces it
        stack.push(tuple(items));
        break;
      }
      case 0x85:
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x5d:
        stack.push([]);
        break;
      case 0x61: {
        const item = pop();
        appendTo(top()).push(item);
        break;
      }
      case 0x65: {
        const items = popMark();
        const list = appendTo(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x7d:
        stack.push(new Map());
        break;
      case 0x73: {
        const value = pop();
        const key = pop();
        setItem(top(), key, value);
        break;
      }
      case 0x75: {
        const items = popMark();
        if (items.length % 2 !== 0) fail("SETITEMS with an odd number of items");
        const target = top();
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        const module = readLine("GLOBAL module");
        stack.push(global(module, readLine("GLOBAL name")));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        const state = pop();
        const inst = top();
        if (!(inst instanceof OrderedDict)) fail(`BUILD is only allowed on an OrderedDict, not a ${describe(inst)}`);
        if (state === null) break;
        if (!(state instanceof Map) || state instanceof OrderedDict) fail(`OrderedDict state must be a dict, got ${describe(state)}`);
        const attributes = (inst as OrderedDict).attributes ?? new Map<string, unknown>();
        for (const [k, v] of state as Map<unknown, unknown>) {
          if (typeof k !== "string") fail("OrderedDict attribute names must be strings");
          attributes.set(k as string, v);
        }
        (inst as OrderedDict).attributes = attributes;
        break;
      }
      case 0x51: {
        const pid = pop();
        if (!options.persistentLoad) fail("persistent ids are not allowed here");
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x71:
        memoize(r.u8("BINPUT index"));
        break;
      case 0x72:
        memoize(r.u32("LONG_BINPUT index"));
        break;
      case 0x94:
        memoize(memo.size);
        break;
      case 0x68:
        fetch(r.u8("BINGET index"));
        break;
      case 0x6a:
        fetch(r.u32("LONG_BINGET index"));
        break;
      default:
        fail(`${opcodeLabel(op)} is not allowed (kindling reads the opcodes of state dicts and checkpoints only)`);
    }
  }
}

export interface PickleOptions {
  /**
   * Called for every object (before it is treated as a container): returns what to write in its
   * place (usually a PyReduce for a tensor), or undefined to write the value itself.
   */
  reduce?: (value: object) => unknown;
}

function encodeLong(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  let n = 1;
  while (BigInt.asIntN(8 * n, v) !== v) n++;
  let u = BigInt.asUintN(8 * n, v);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function pickle(value: unknown, options: PickleOptions = {}): Uint8Array {
  const w = new ByteWriter();
  // Containers (and whatever `reduce` replaced) are memoized by identity, so a value reached twice
  // is written once and read back as one object, as Python's pickle does; globals by name.
  const memo = new Map<object, number>();
  const globalMemo = new Map<string, number>();
  const inProgress = new Set<object>();
  let nextIndex = 0;

  const put = (): number => {
    const index = nextIndex++;
    if (index < 256) {
      w.u8(0x71);
      w.u8(index);
    } else {
      w.u8(0x72);
      w.u32(index);
    }
    return index;
  };
  const get = (index: number): void => {
    if (index < 256) {
      w.u8(0x68);
      w.u8(index);
    } else {
      w.u8(0x6a);
      w.u32(index);
    }
  };
  const writeString = (s: string): void => {
    w.u8(0x58);
    const at = w.length;
    w.u32(0);
    w.setU32(at, w.utf8(s));
  };
  const writeInt = (v: number | bigint): void => {
    if (typeof v === "number" && v >= 0 && v < 256) {
      w.u8(0x4b);
      w.u8(v);
    } else if (typeof v === "number" && v >= 0 && v < 65536) {
      w.u8(0x4d);
      w.u16(v);
    } else if (typeof v === "number" && v >= -(2 ** 31) && v < 2 ** 31) {
      w.u8(0x4a);
      w.i32(v);
    } else {
      const digits = encodeLong(BigInt(v));
      if (digits.length > 255) throw new RangeError(`pickle: integer ${v} is too large`);
      w.u8(0x8a);
      w.u8(digits.length);
      w.bytes(digits);
    }
  };
  const writeGlobal = (g: PyGlobal): void => {
    const seen = globalMemo.get(g.qualifiedName);
    if (seen !== undefined) {
      get(seen);
      return;
    }
    if (g.module.includes("\n") || g.name.includes("\n")) throw new TypeError(`pickle: bad global name ${g.qualifiedName}`);
    w.u8(0x63);
    w.utf8(`${g.module}\n${g.name}\n`);
    globalMemo.set(g.qualifiedName, put());
  };
  const writeTuple = (items: readonly unknown[]): void => {
    if (items.length === 0) {
      w.u8(0x29);
      return;
    }
    if (items.length <= 3) {
      for (const item of items) write(item);
      w.u8(0x84 + items.length);
      return;
    }
    w.u8(0x28);
    for (const item of items) write(item);
    w.u8(0x74);
  };
  const writeItems = (entries: Iterable<[unknown, unknown]>): void => {
    let open = false;
    for (const [k, v] of entries) {
      if (!open) w.u8(0x28);
      open = true;
      if (!isHashable(k)) throw new TypeError(`pickle: a ${describe(k)} cannot be a dict key`);
      write(k);
      write(v);
    }
    if (open) w.u8(0x75);
  };

  /** Writes `v`, memoizing it under `key` (the original object) once it exists on the stack. */
  const writeObject = (v: object, key: object): void => {
    if (v === key && options.reduce && !(v instanceof PyGlobal || v instanceof PyReduce || v instanceof PyPersistentId)) {
      const replacement = options.reduce(v);
      if (replacement !== undefined) {
        if (typeof replacement !== "object" || replacement === null) throw new TypeError("pickle: reduce must return an object");
        writeObject(replacement, key);
        return;
      }
    }
    if (v instanceof PyGlobal) {
      writeGlobal(v);
      return;
    }
    if (v instanceof PyReduce) {
      writeGlobal(v.callable);
      writeTuple(v.args);
      w.u8(0x52);
      memo.set(key, put());
      return;
    }
    if (v instanceof PyPersistentId) {
      write(v.pid);
      w.u8(0x51);
      memo.set(key, put());
      return;
    }
    if (isTuple(v)) {
      writeTuple(v);
      memo.set(key, put());
      return;
    }
    if (Array.isArray(v)) {
      w.u8(0x5d);
      memo.set(key, put());
      if (v.length > 0) {
        w.u8(0x28);
        for (const item of v) write(item);
        w.u8(0x65);
      }
      return;
    }
    if (v instanceof OrderedDict) {
      writeGlobal(new PyGlobal("collections", "OrderedDict"));
      w.u8(0x29);
      w.u8(0x52);
      memo.set(key, put());
      writeItems(v);
      if (v.attributes && v.attributes.size > 0) {
        w.u8(0x7d);
        writeItems(v.attributes);
        w.u8(0x62);
      }
      return;
    }
    if (v instanceof Map) {
      w.u8(0x7d);
      memo.set(key, put());
      writeItems(v);
      return;
    }
    if (isPlainObject(v)) {
      w.u8(0x7d);
      memo.set(key, put());
      writeItems(Object.entries(v));
      return;
    }
    throw new TypeError(`pickle: cannot save a ${describe(v)}`);
  };

  const write = (v: unknown): void => {
    switch (typeof v) {
      case "boolean":
        w.u8(v ? 0x88 : 0x89);
        return;
      case "number":
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
          writeInt(v);
          return;
        }
        w.u8(0x47);
        w.f64be(v);
        return;
      case "bigint":
        writeInt(v);
        return;
      case "string":
        writeString(v);
        return;
      case "object": {
        if (v === null) {
          w.u8(0x4e);
          return;
        }
        // Python could write a list that contains itself, but kindling refuses to read one back.
        if (inProgress.has(v)) throw new TypeError("pickle: cannot save a value that contains itself");
        const seen = memo.get(v);
        if (seen !== undefined) {
          get(seen);
          return;
        }
        inProgress.add(v);
        writeObject(v, v);
        inProgress.delete(v);
        return;
      }
      default:
        throw new TypeError(`pickle: cannot save a value of type ${typeof v}`);
    }
  };

  w.u8(0x80);
  w.u8(2);
  write(value);
  w.u8(0x2e);
  return w.finish();
}
