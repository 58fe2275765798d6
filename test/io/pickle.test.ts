import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import { OrderedDict, type UnpickleOptions, isTuple, pickle, tuple, unpickle } from "../../src/io/pickle.js";
import { decodePt } from "../../src/io/pt.js";
import { writeZip } from "../../src/io/zip.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => Number.parseInt(b, 16));
const options: UnpickleOptions = { globals: new Map([["collections.OrderedDict", () => new OrderedDict()]]) };
const plain = new Map<unknown, unknown>([
  ["a", [1, 2.5, "x", null, true]],
  ["b", tuple([1, 2])],
  ["c", 2n ** 70n],
  ["d", -3],
  ["e", "é"],
]);

function isFormatError(pattern: RegExp) {
  return (e: Error) => e instanceof FileFormatError && pattern.test(e.message);
}

// Bytes from CPython 3.11: pickle.dumps({'a': [1, 2.5, 'x', None, True], 'b': (1, 2), 'c': 2**70, 'd': -3, 'e': 'é'}, protocol=N)
test("reads what CPython's pickle writes with protocols 2 and 4", () => {
  const p2 =
    "80027d71002858010000006171015d7102284b0147400400000000000058010000007871034e886558010000006271044b014b0286710558010000006371068a0900000000000000004058010000006471074afdffffff58010000006571085802000000c3a97109752e";
  const p4 =
    "80049549000000000000007d94288c0161945d94284b014740040000000000008c0178944e88658c0162944b014b0286948c0163948a090000000000000000408c0164944afdffffff8c0165948c02c3a994752e";
  for (const h of [p2, p4]) {
    const v = unpickle(hex(h), options) as Map<string, unknown>;
    assert.deepEqual(v, plain);
    assert.ok(isTuple(v.get("b")));
    assert.ok(!isTuple(v.get("a")));
  }
});

test("reads protocol 5 STACK_GLOBAL/MEMOIZE for an OrderedDict", () => {
  // pickle.dumps(OrderedDict(a=1, b=OrderedDict()), protocol=5)
  const v = unpickle(hex("80059533000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0161944b018c0162946802295294752e"), options);
  assert.ok(v instanceof OrderedDict);
  assert.deepEqual([...v.keys()], ["a", "b"]);
  assert.ok(v.get("b") instanceof OrderedDict);
});

test("round trip: ints of every width, floats, strings, containers, keys", () => {
  const ints = [0, 1, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)];
  const bigs = [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 200n, -(2n ** 200n) + 7n];
  const floats = [0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 5e-324, 2 ** 60];
  const value = new Map<unknown, unknown>([
    ["ints", ints],
    ["bigs", bigs],
    ["floats", floats],
    ["strings", ["", "ascii", "日本語", "emoji 🎉", "new\nline"]],
    [tuple([1, "k"]), "tuple key"],
    [7, "int key"],
    [true, null],
    ["nested", tuple([[], tuple([]), new Map(), [tuple([1, 2, 3, 4])]])],
  ]);
  const back = unpickle(pickle(value), options) as Map<unknown, unknown>;
  assert.deepEqual(back.get("ints"), ints);
  assert.deepEqual(back.get("bigs"), bigs);
  assert.deepEqual(back.get("floats"), [0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 5e-324, 2 ** 60]);
  assert.ok(Object.is((back.get("floats") as number[])[1], -0));
  assert.deepEqual(back.get("strings"), value.get("strings"));
  assert.deepEqual(back.get("nested"), value.get("nested"));
  assert.deepEqual([...back.values()].slice(4, 7), ["tuple key", "int key", null]);
  assert.deepEqual([...back.keys()][4], tuple([1, "k"]));
});

test("integral numbers are ints, others floats; plain objects are dicts", () => {
  const bytes = pickle({ i: 3, f: 3.5, big: 1e20 });
  assert.ok(bytes.includes(0x4b)); // BININT1 for 3
  const back = unpickle(bytes, options) as Map<string, number>;
  assert.deepEqual(back, new Map([["i", 3], ["f", 3.5], ["big", 1e20]]));
});

test("globals outside the allowed set are refused by name (no code runs)", () => {
  // The classic exploit: os.system("echo hi") via GLOBAL + REDUCE.
  const exploit = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
  assert.throws(() => unpickle(exploit, options), isFormatError(/global os\.system is not allowed/));
  // pickle.dumps(set(), protocol=2) names builtins.set
  const set2 = Uint8Array.from("\x80\x02c__builtin__\nset\n]\x85R.", (c) => c.charCodeAt(0));
  assert.throws(() => unpickle(set2, options), isFormatError(/global __builtin__\.set is not allowed/));
});

test("opcodes a state dict never needs are refused by name", () => {
  assert.throws(() => unpickle(hex("80048f942e"), options), isFormatError(/EMPTY_SET \(0x8f\) is not allowed/));
  assert.throws(() => unpickle(hex("80034302787971002e"), options), isFormatError(/SHORT_BINBYTES \(0x43\) is not allowed/));
  assert.throws(() => unpickle(hex("8002ff2e"), options), isFormatError(/unknown opcode 0xff/));
  assert.throws(() => unpickle(new TextEncoder().encode("I12\n."), options), isFormatError(/INT \(0x49\)/));
  assert.throws(() => unpickle(hex("8009"), options), isFormatError(/protocol 9/));
});

test("structural errors: underflow, missing memo, truncation, bad targets", () => {
  assert.throws(() => unpickle(hex("80022e"), options), isFormatError(/stack underflow/));
  assert.throws(() => unpickle(hex("8002680a2e"), options), isFormatError(/memo entry 10/));
  assert.throws(() => unpickle(hex("80024b01"), options), isFormatError(/before STOP/));
  assert.throws(() => unpickle(hex("800258ff000000616263"), options), isFormatError(/truncated/));
  assert.throws(() => unpickle(hex("80024b014b0261"), options), isFormatError(/cannot append to a number/));
  assert.throws(() => unpickle(hex("80022928657d2e"), options), isFormatError(/cannot append to a tuple/));
  assert.throws(() => unpickle(hex("80027d5d4b0173"), options), isFormatError(/list cannot be a dict key/));
  assert.throws(() => unpickle(hex("8002752e"), options), isFormatError(/no MARK/));
  assert.throws(() => unpickle(hex("80024b012952"), options), isFormatError(/cannot call a number/));
  assert.throws(() => unpickle(hex("80025d4b0162"), options), isFormatError(/BUILD is only allowed on an OrderedDict/));
  assert.throws(() => unpickle(hex("80028b00000001"), options), isFormatError(/LONG4 of 16777216 bytes/));
  assert.throws(() => unpickle(hex("80024b0151"), options), isFormatError(/persistent ids are not allowed/));
  assert.throws(() => unpickle(hex("80025802000000c3282e"), options), isFormatError(/UTF-8/));
});

test("a pickle that contains itself is refused when loading a .pt", () => {
  // ] BINPUT 0, BINGET 0, APPEND: a list inside itself.
  const pkl = hex("80025d71006800612e");
  const bytes = writeZip([{ name: "x/data.pkl", data: pkl }]);
  assert.throws(() => decodePt(bytes), isFormatError(/contains itself/));
});

test("deep nesting does not overflow the stack when loading", () => {
  const depth = 200_000;
  const parts = [hex("8002")];
  for (let i = 0; i < depth; i++) parts.push(hex("5d")); // EMPTY_LIST
  for (let i = 0; i < depth - 1; i++) parts.push(hex("61")); // APPEND
  parts.push(hex("2e"));
  const pkl = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    pkl.set(p, at);
    at += p.length;
  }
  const v = decodePt(writeZip([{ name: "x/data.pkl", data: pkl }]));
  assert.ok(Array.isArray(v));
});
