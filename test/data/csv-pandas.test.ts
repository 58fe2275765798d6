// Issue 11, item 11: the one-pass reader keeps CSV quoting right and reads every number as pandas
// does (tricky.csv / tricky.json from scripts/fixtures/csv_pandas.py), exactly as Number() rounds.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseCsv } from "../../src/data/csv.js";
import { readCsv } from "../../src/data/csv-node.js";

const dir = new URL("../fixtures/data/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("tricky.json", dir), "utf8"));
const fromJson = (v: number | string | null) => (v === null ? Number.NaN : v === "inf" ? Number.POSITIVE_INFINITY : v === "-inf" ? Number.NEGATIVE_INFINITY : v);

test("tricky.csv reads as pandas.read_csv reads it: columns, rows, every number bit for bit, every string", () => {
  const table = readCsv(fileURLToPath(new URL("tricky.csv", dir)));
  assert.deepEqual(table.columns, expected.columns);
  assert.equal(table.length, expected.rows);
  for (const [name, col] of Object.entries(expected.data) as [string, { numbers?: (number | string | null)[]; strings?: (string | null)[] }][]) {
    if (col.numbers) {
      const got = table.columnValues(name);
      col.numbers.forEach((v, i) => {
        assert.ok(Object.is(got[i], fromJson(v)), `${name}[${i}]: ${got[i]} vs ${v} (${table.rawRow(i)[table.columnIndex(name)]})`);
      });
    } else {
      const got = table.rawColumn(name);
      col.strings!.forEach((v, i) => {
        // pandas reads an empty quoted field and N/A as missing; the raw cells are the file's text
        if (v === null) assert.ok(["", "N/A"].includes(got[i]!), `${name}[${i}]: ${JSON.stringify(got[i])}`);
        else assert.equal(got[i], v, `${name}[${i}]`);
      });
    }
  }
  assert.ok(Object.is(table.columnValues("num")[expected.negativeZeroRow], -0), "-0 stays negative zero");
  // the quoted cells, as written
  assert.deepEqual(table.rawColumn("text").slice(0, 6), ["plain", "with, comma", "line\nbreak", "crlf\r\ninside", 'say "hi"', "afterquote"]);
  // rows start on their file lines (the header is line 1; the quoted newlines take a line each)
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => table.lineOf(i)), [2, 3, 4, 6, 8]);
  assert.throws(() => table.row(0), { message: `line 2, column 'text': "plain" is not a number` });
  assert.deepEqual(Array.from(table.numbers("text").subarray(0, 2)), [Number.NaN, Number.NaN]);
  assert.equal(table.firstNonNumber("text"), 0);
  assert.equal(table.firstNonNumber("num"), -1);
});

test("number cells round exactly as Number(): 20,000 random decimals, the fast path and the general one", () => {
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join("");
  const cells: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const sign = ["", "-", "+"][Math.floor(rand() * 3)];
    const int = digits(Math.floor(rand() * 20));
    const frac = rand() < 0.6 ? `.${digits(Math.floor(rand() * 20))}` : "";
    const exp = rand() < 0.4 ? `${rand() < 0.5 ? "e" : "E"}${["", "-", "+"][Math.floor(rand() * 3)]}${Math.floor(rand() * 340)}` : "";
    const cell = `${sign}${int || "0"}${frac}${exp}`;
    cells.push(rand() < 0.1 ? ` ${cell}\t` : cell);
  }
  const table = parseCsv(`v\n${cells.join("\n")}\n`);
  const got = table.columnValues("v");
  cells.forEach((c, i) => {
    assert.ok(Object.is(got[i], Number(c.trim())), `${JSON.stringify(c)}: ${got[i]} vs ${Number(c.trim())}`);
  });
});

test("quoting: escapes, delimiters and line ends inside quotes, text after a closing quote, quotes inside unquoted text", () => {
  const t = parseCsv('a;b\r\n"x;""y""";"1"\r"multi\r\nline";2\n3 "q";"4"tail\n', { delimiter: ";" });
  assert.deepEqual(t.rawColumn("a"), ['x;"y"', "multi\r\nline", '3 "q"']);
  assert.deepEqual(t.rawColumn("b"), ["1", "2", "4tail"]);
  assert.deepEqual([0, 1, 2].map((i) => t.lineOf(i)), [2, 3, 5]);
  assert.deepEqual(Array.from(t.numbers(1)), [1, 2, Number.NaN]);
  assert.throws(() => t.column("b"), { message: `line 5, column 'b': "4tail" is not a number` });
  assert.throws(() => parseCsv("a,b\n1,2\n", { delimiter: "::" }), { name: "TypeError", message: /one ASCII character/ });
});

test("a large table: typed columns and toTensor's row-major data without a row of strings per record", () => {
  const n = 200_000;
  const lines = new Array<string>(n);
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    const a = i % 1000;
    const b = Number(((i * 7919) % 20011) / 100 - 100).toFixed(2);
    sumA += a;
    sumB += Number(b);
    lines[i] = `${a},${b},${i % 2 ? "True" : "False"}`;
  }
  const table = parseCsv(`a,b,c\n${lines.join("\n")}\n`, { tensorFactory: (data, shape) => ({ data, shape }) });
  assert.equal(table.length, n);
  const a = table.columnValues("a");
  assert.ok(a instanceof Float64Array);
  assert.equal(a.reduce((s, v) => s + v, 0), sumA);
  assert.equal(table.columnValues("b").reduce((s, v) => s + v, 0), sumB);
  const { data, shape } = table.toTensor(["c", "a"]);
  assert.deepEqual(shape, [n, 2]);
  assert.deepEqual(Array.from(data.subarray(0, 6)), [0, 0, 1, 1, 0, 2]);
  assert.equal(table.lineOf(n - 1), n + 1);
  assert.deepEqual(table.rawRow(n - 1), lines[n - 1]!.split(","));
});
