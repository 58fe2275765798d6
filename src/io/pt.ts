// PyTorch's own file format (torch.save since 1.6): a zip archive "<name>/..." holding
//   data.pkl      the pickled object, where each tensor is _rebuild_tensor_v2(storage, offset,
//                 size, stride, requires_grad, hooks) and each storage a persistent id
//                 ("storage", torch.FloatStorage, key, location, numel)
//   data/<key>    each storage's raw bytes
//   byteorder     "little" or "big" (written by PyTorch >= 2.0; absent means little)
//   version       "3\n"
//
// Reading materialises every tensor as a contiguous RawTensor: views of one storage (shared
// storages, transposes, slices, expanded zero-stride views) are copied out. A tensor that is the
// whole of a storage, contiguous, reuses that storage's memory instead (the first one to do so).
// Copies are charged to a budget, by default the file's size, so a tiny file cannot demand an
// enormous allocation. Storages live on the CPU whatever location the file names.
//
// Writing gives each tensor its own storage, contiguous, as torch.save(t.contiguous()) would; the
// result loads with torch.load, and with torch.load(weights_only=True) in any PyTorch where that
// accepts the values (1.13's weights-only reader refuses floats, so only tensors/ints/strings there).
//
// Values: dicts read as Map (OrderedDict, a Map subclass, for collections.OrderedDict: state dicts),
// lists as arrays, tuples as frozen arrays, ints as numbers (bigint past 2**53 - 1). Writing takes
// the same, plus plain objects as dicts with string keys; see pickle.ts for the number rules.
import { FileFormatError } from "./format-error.js";
import { OrderedDict, PyGlobal, PyPersistentId, PyReduce, isTuple, pickle, tuple, unpickle } from "./pickle.js";
import {
  type RawData,
  type RawDType,
  type RawTensor,
  contiguousStrides,
  isRawTensor,
  itemsize,
  numelOf,
  rawTensorBytes,
  rawTensorFromBytes,
} from "./raw-tensor.js";
import { readZip, writeZip } from "./zip.js";

export type PtKey = string | number | bigint | boolean | null | readonly PtKey[];
export type PtValue<T = RawTensor> =
  | T
  | number
  | bigint
  | string
  | boolean
  | null
  | PtValue<T>[]
  | readonly PtValue<T>[]
  | Map<PtKey, PtValue<T>>
  | { [key: string]: PtValue<T> };

const storageClasses: Record<string, RawDType | null> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  BoolStorage: "bool",
  ByteStorage: "uint8",
  // Named so the error can say which dtype kindling lacks, rather than "global not allowed".
  HalfStorage: null,
  BFloat16Storage: null,
  CharStorage: null,
  ShortStorage: null,
  ComplexFloatStorage: null,
  ComplexDoubleStorage: null,
  QInt8Storage: null,
  QUInt8Storage: null,
  QInt32Storage: null,
  QUInt4x2Storage: null,
  QUInt2x4Storage: null,
  UntypedStorage: null,
};
const storageClassOf: Record<RawDType, PyGlobal> = {
  float32: new PyGlobal("torch", "FloatStorage"),
  float64: new PyGlobal("torch", "DoubleStorage"),
  int64: new PyGlobal("torch", "LongStorage"),
  int32: new PyGlobal("torch", "IntStorage"),
  bool: new PyGlobal("torch", "BoolStorage"),
  uint8: new PyGlobal("torch", "ByteStorage"),
};
const rebuildTensorV2 = new PyGlobal("torch._utils", "_rebuild_tensor_v2");

function fail(message: string): never {
  throw new FileFormatError(`pt: ${message}`);
}

class StorageRecord {
  private data: RawData | null = null;
  /** Whether a tensor already took `data` itself (later users copy). */
  claimed = false;
  constructor(
    readonly key: string,
    readonly dtype: RawDType,
    readonly numel: number,
    private readonly bytes: Uint8Array,
    private readonly littleEndian: boolean,
  ) {}
  get values(): RawData {
    this.data ??= rawTensorFromBytes(this.dtype, [this.numel], this.bytes, `pt: storage ${this.key}`, this.littleEndian).data;
    return this.data;
  }
}

function checkDims(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor ${what} is not a sequence of non-negative integers`);
  }
  return [...(v as number[])];
}

function emptyOf(dtype: RawDType): RawData {
  return dtype === "float32" ? new Float32Array(0) : dtype === "int32" ? new Int32Array(0) : dtype === "float64" || dtype === "int64" ? new Float64Array(0) : new Uint8Array(0);
}

export interface DecodePtOptions<T = RawTensor> {
  /**
   * Most bytes to allocate for tensors that cannot use their storage's memory directly (views,
   * shared storages, expanded tensors). Default: the file's size.
   */
  maxCopyBytes?: number;
  /** Converts each tensor as it is read (e.g. into a kindling Tensor). */
  fromRaw?: (t: RawTensor) => T;
}

/** Reads a file written by torch.save (PyTorch >= 1.6) or by encodePt. */
export function decodePt<T = RawTensor>(bytes: Uint8Array, options: DecodePtOptions<T> = {}): PtValue<T> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) {
    fail("this is PyTorch's legacy (pre-1.6) format; re-save it with torch.save in PyTorch 1.6 or later");
  }
  const records = readZip(bytes);
  if (records.length === 0) fail("the archive is empty");
  const first = records[0]!.name;
  const slash = first.indexOf("/");
  if (slash <= 0) fail(`record ${JSON.stringify(first)} is not inside an archive folder; not a torch.save file`);
  const prefix = first.slice(0, slash + 1);
  const files = new Map<string, Uint8Array>();
  for (const rec of records) {
    if (!rec.name.startsWith(prefix)) fail(`record ${JSON.stringify(rec.name)} lies outside the archive folder ${prefix}`);
    files.set(rec.name.slice(prefix.length), rec.data);
  }
  const pkl = files.get("data.pkl");
  if (!pkl) {
    if (files.has("constants.pkl")) fail("this is a TorchScript archive (torch.jit.save); kindling reads torch.save files");
    fail(`the archive has no ${prefix}data.pkl`);
  }
  const version = files.get("version");
  if (version && !/^\d+\s*$/.test(String.fromCharCode(...version.subarray(0, 32)))) fail("the version record is not a number");
  const order = files.get("byteorder");
  const orderText = order ? String.fromCharCode(...order.subarray(0, 16)) : "little";
  if (orderText !== "little" && orderText !== "big") fail(`unknown byteorder ${JSON.stringify(orderText)}`);
  const littleEndian = orderText === "little";

  const budget = options.maxCopyBytes ?? bytes.length;
  let copied = 0;
  const storages = new Map<string, StorageRecord>();
  const produced = new WeakSet<object>();

  const persistentLoad = (pid: unknown): unknown => {
    if (!isTuple(pid) || pid.length !== 5 || pid[0] !== "storage") fail("persistent id is not a ('storage', type, key, location, numel) tuple");
    const [, cls, key, location, numel] = pid as readonly unknown[];
    if (!(cls instanceof PyGlobal) || cls.module !== "torch" || !(cls.name in storageClasses)) fail("persistent id names no storage class");
    const dtype = storageClasses[(cls as PyGlobal).name];
    if (!dtype) fail(`storage type ${cls} is not supported (kindling reads ${Object.values(storageClassOf).join(", ")})`);
    if (typeof key !== "string" || typeof location !== "string") fail("storage key and location must be strings");
    if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) fail(`storage ${key} has an invalid size`);
    const known = storages.get(key as string);
    if (known) {
      if (known.dtype !== dtype || known.numel !== numel) fail(`storage ${key} is described two different ways`);
      return known;
    }
    const data = files.get(`data/${key}`);
    if (!data) fail(`storage record ${prefix}data/${key} is missing`);
    if (data!.length !== (numel as number) * itemsize(dtype!)) {
      fail(`storage ${key}: ${numel} ${dtype} elements need ${(numel as number) * itemsize(dtype!)} bytes but the record has ${data!.length}`);
    }
    const rec = new StorageRecord(key as string, dtype!, numel as number, data!, littleEndian);
    storages.set(key as string, rec);
    return rec;
  };

  const rebuild = (args: readonly unknown[]): unknown => {
    if (args.length < 4) fail("_rebuild_tensor needs (storage, offset, size, stride)");
    const [storage, offset, sizeArg, strideArg] = args;
    if (!(storage instanceof StorageRecord)) fail("tensor does not refer to a storage");
    const s = storage as StorageRecord;
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) fail("tensor has an invalid storage offset");
    const shape = checkDims(sizeArg, "size");
    const stride = checkDims(strideArg, "stride");
    if (shape.length !== stride.length) fail(`tensor size [${shape}] and stride [${stride}] differ in length`);
    const numel = numelOf(shape);
    const start = offset as number;
    let data: RawData;
    if (numel === 0) {
      data = emptyOf(s.dtype);
    } else {
      let last = start;
      for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
      if (last >= s.numel) {
        fail(`tensor of size [${shape}], stride [${stride}], offset ${start} reaches element ${last} of storage ${s.key}, which has ${s.numel}`);
      }
      const contiguous = contiguousStrides(shape).every((st, i) => shape[i] === 1 || st === stride[i]);
      if (contiguous && start === 0 && numel === s.numel && !s.claimed) {
        s.claimed = true;
        data = s.values;
      } else {
        copied += numel * itemsize(s.dtype);
        if (copied > budget) {
          fail(`materialising the tensors needs more than ${budget} bytes beyond the file's own (raise maxCopyBytes to allow it)`);
        }
        data = contiguous ? s.values.slice(start, start + numel) : gather(s.values, start, shape, stride, numel);
      }
    }
    const raw: RawTensor = { dtype: s.dtype, shape, data };
    const requiresGrad = requiresGradArg(args[4], s.dtype);
    if (requiresGrad) raw.requiresGrad = true;
    return produce(raw);
  };

  const produce = (raw: RawTensor): unknown => {
    const out = options.fromRaw ? options.fromRaw(raw) : raw;
    if (typeof out === "object" && out !== null) {
      produced.add(out);
      rawOf.set(out, raw);
    }
    return out;
  };
  const rawOf = new WeakMap<object, RawTensor>();

  // _rebuild_parameter(data, requires_grad, backward_hooks): the Parameter's own flag wins (its
  // data was pickled detached). kindling has no Parameter at this layer: a tensor with the flag.
  const parameter = (args: readonly unknown[]): unknown => {
    const data = args[0];
    if (typeof data !== "object" || data === null || !produced.has(data)) fail("a Parameter must wrap a tensor");
    const raw = rawOf.get(data as object)!;
    const requiresGrad = args.length > 1 ? requiresGradArg(args[1], raw.dtype) : true;
    if (requiresGrad === (raw.requiresGrad === true)) return data;
    const flagged: RawTensor = { dtype: raw.dtype, shape: raw.shape, data: raw.data };
    if (requiresGrad) flagged.requiresGrad = true;
    return produce(flagged);
  };

  const globals = new Map<string, ((args: readonly unknown[]) => unknown) | null>([
    [
      "collections.OrderedDict",
      (args) => {
        const od = new OrderedDict<unknown, unknown>();
        if (args.length === 0) return od;
        if (args.length === 1 && Array.isArray(args[0]) && args[0].every((p) => isTuple(p) && p.length === 2)) {
          for (const [k, v] of args[0] as [unknown, unknown][]) od.set(k, v);
          return od;
        }
        return fail("OrderedDict called with unexpected arguments");
      },
    ],
    ["torch._utils._rebuild_tensor_v2", rebuild],
    ["torch._utils._rebuild_tensor", rebuild],
    ["torch._utils._rebuild_parameter", parameter],
    ["torch._utils._rebuild_parameter_with_state", parameter],
    ["torch.nn.parameter.Parameter", parameter],
    [
      "torch.Size",
      (args) => {
        if (args.length !== 1) fail("torch.Size takes one sequence");
        return tuple(checkDims(args[0], "torch.Size"));
      },
    ],
    ...Object.keys(storageClasses).map((name): [string, null] => [`torch.${name}`, null]),
  ]);

  const value = unpickle(pkl!, { globals, persistentLoad, what: `pt: ${prefix}data.pkl` });
  checkResult(value, produced);
  return value as PtValue<T>;
}

/** A rebuild call's requires_grad argument (absent in the old _rebuild_tensor): only floating-point tensors may have it. */
function requiresGradArg(v: unknown, dtype: RawDType): boolean {
  if (v === undefined || v === false) return false;
  if (v !== true) fail("a tensor's requires_grad flag is not a bool");
  if (dtype !== "float32" && dtype !== "float64") fail(`a ${dtype} tensor cannot require gradients`);
  return true;
}

/** Copies a strided view of `src` into a new contiguous array. */
function gather(src: RawData, offset: number, shape: number[], stride: number[], numel: number): RawData {
  const out = new (src.constructor as { new (n: number): RawData })(numel);
  const nd = shape.length;
  const index = new Array<number>(nd).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    out[i] = src[at]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += stride[d]!;
        break;
      }
      at -= (shape[d]! - 1) * stride[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * Rejects what a state dict never contains but a crafted pickle can build: bare storages or
 * classes, and containers that contain themselves (which would hang anything that walks them).
 * Iterative, so deep nesting cannot overflow the call stack.
 */
function checkResult(root: unknown, produced: WeakSet<object>): void {
  const done = new Set<object>();
  const open = new Set<object>();
  // Pending values; EXIT followed (below it) by a container means "its children are all checked".
  const work: unknown[] = [root];
  while (work.length > 0) {
    const value = work.pop();
    if (value === EXIT) {
      const closed = work.pop() as object;
      open.delete(closed);
      done.add(closed);
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (done.has(value) || produced.has(value)) continue;
    if (open.has(value)) fail("the pickled object contains itself");
    if (value instanceof StorageRecord) fail("a bare storage is not supported (kindling reads tensors)");
    if (value instanceof PyGlobal) fail(`the object ${value.qualifiedName} itself cannot be loaded, only tensors and plain values`);
    open.add(value);
    work.push(value, EXIT);
    // Loops, not push(...spread): a list of a million items would overflow the argument limit.
    if (Array.isArray(value)) {
      for (const c of value) if (typeof c === "object" && c !== null) work.push(c);
    } else if (value instanceof Map) {
      for (const [k, v] of value) {
        if (typeof k === "object" && k !== null) work.push(k);
        if (typeof v === "object" && v !== null) work.push(v);
      }
      if (value instanceof OrderedDict && value.attributes) {
        for (const v of value.attributes.values()) work.push(v);
      }
    }
  }
}

const EXIT = Symbol("exit");

export interface EncodePtOptions {
  /** The archive's folder name; torch.save uses the file's base name, torch 2.x "archive". */
  archiveName?: string;
  /** Turns objects that are not RawTensors (a kindling Tensor, say) into one; undefined if not a tensor. */
  toRaw?: (value: object) => RawTensor | undefined;
}

/** Writes `obj` as torch.save does: tensors, numbers, strings, booleans, null, lists, tuples, dicts. */
export function encodePt(obj: unknown, options: EncodePtOptions = {}): Uint8Array {
  const archive = options.archiveName ?? "archive";
  if (!/^[A-Za-z0-9_.-]+$/.test(archive)) throw new TypeError(`pt: archive name ${JSON.stringify(archive)} must be a plain file name`);
  const storages: Uint8Array[] = [];
  const reduce = (v: object): unknown => {
    const raw = isRawTensor(v) ? v : options.toRaw?.(v);
    if (raw === undefined) return undefined;
    const key = String(storages.length);
    storages.push(rawTensorBytes(raw, `number ${key}`));
    const pid = tuple(["storage", storageClassOf[raw.dtype], key, "cpu", raw.data.length]);
    const shape = tuple([...raw.shape]);
    const stride = tuple(contiguousStrides(raw.shape));
    return new PyReduce(rebuildTensorV2, [new PyPersistentId(pid), 0, shape, stride, raw.requiresGrad === true, new OrderedDict()]);
  };
  const pkl = pickle(obj, { reduce });
  const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  return writeZip([
    { name: `${archive}/data.pkl`, data: pkl },
    { name: `${archive}/byteorder`, data: ascii("little") },
    ...storages.map((data, i) => ({ name: `${archive}/data/${i}`, data })),
    { name: `${archive}/version`, data: ascii("3\n") },
  ]);
}
