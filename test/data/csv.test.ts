import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CsvError, parseCell, parseCsv } from "../../src/data/csv.js";
import { readCsv } from "../../src/data/csv-node.js";

// the shared datasets sit beside the project: <root>/../shared/datasets
const datasets = fileURLToPath(new URL("../../../shared/datasets/", import.meta.url));
const binaryCsv = join(datasets, "binary.csv");
const skipShared = existsSync(binaryCsv) ? false : `shared dataset ${binaryCsv} is missing`;

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

test("binary.csv: 1000 rows of x, y, z, pass as pandas reads it", { skip: skipShared }, () => {
  const table = readCsv(binaryCsv);
  assert.deepEqual(table.columns, ["x", "y", "z", "pass"]);
  assert.equal(table.length, 1000);
  assert.deepEqual(table.row(0), [86, 22, 1, 0]);
  assert.deepEqual(table.rawRow(0), ["86", "22", "1", "False"]);
  assert.deepEqual(table.row(-1), [90, 83, 82, 1]);
  assert.equal(table.lineOf(0), 2);
  assert.equal(table.lineOf(999), 1001);
  // sums from pandas.read_csv(...).sum()
  assert.equal(sum(table.column("x")), 58156);
  assert.equal(sum(table.column("y")), 60043);
  assert.equal(sum(table.column(2)), 58243);
  assert.equal(sum(table.column("pass")), 500);
  assert.equal(sum(table.column(-1)), 500);
  assert.equal(table.column("x").length, 1000);
  // a URL works as well as a path
  assert.equal(readCsv(new URL("binary.csv", `file://${datasets}`)).length, 1000);
});

test("cells read as pandas reads numbers: whitespace, booleans, NaN for empty and NA cells, inf", () => {
  const table = parseCsv("a,b,c\n 1 ,2.5e-3, True\n,NA,false\n-inf,+.5,TRUE\n7.,nan,Infinity\n");
  assert.deepEqual(table.column("a"), [1, Number.NaN, Number.NEGATIVE_INFINITY, 7]);
  assert.deepEqual(table.column("b"), [0.0025, Number.NaN, 0.5, Number.NaN]);
  assert.deepEqual(table.column("c"), [1, 0, 1, Number.POSITIVE_INFINITY]);
  assert.deepEqual(table.row(1), [Number.NaN, Number.NaN, 0]);
  assert.equal(parseCell("0x10"), null);
  assert.equal(parseCell("1e"), null);
  assert.ok(Number.isNaN(parseCell("  ")!));
  assert.ok(Number.isNaN(parseCell("null")!));
  assert.equal(parseCell("-12"), -12);
});

test("quoted fields, embedded newlines, CRLF, a BOM and blank lines: records keep their file lines", () => {
  const text = '\uFEFFa,b\r\n1,"x\r\ny"\r\n\r\n  \r\n3,"4"\n5,6"q\r7,",8"\n';
  const table = parseCsv(text);
  assert.deepEqual(table.columns, ["a", "b"]);
  assert.equal(table.length, 4);
  assert.deepEqual(table.rawColumn("b"), ["x\r\ny", "4", '6"q', ",8"]);
  assert.deepEqual([0, 1, 2, 3].map((i) => table.lineOf(i)), [2, 6, 7, 8]);
  assert.deepEqual(table.column("a"), [1, 3, 5, 7]);
  assert.deepEqual(table.row(1), [3, 4]);
});

test("options: no header, another delimiter, keeping empty lines", () => {
  const noHeader = parseCsv("1;2\n3;4\n", { header: false, delimiter: ";" });
  assert.deepEqual(noHeader.columns, ["0", "1"]);
  assert.equal(noHeader.length, 2);
  assert.deepEqual(noHeader.column(1), [2, 4]);
  assert.equal(noHeader.lineOf(0), 1);
  const tabs = parseCsv("a\tb\n1\t2\n", { delimiter: "\t" });
  assert.deepEqual(tabs.row(0), [1, 2]);
  const single = parseCsv("a\n1\n\n2\n", { skipEmptyLines: false });
  assert.deepEqual(single.column("a"), [1, Number.NaN, 2]);
  assert.throws(() => parseCsv("a,b\n1,2\n\n3,4\n", { skipEmptyLines: false }), {
    message: "line 3: expected 2 fields, got 1",
  });
});

test("repeated column names get pandas' .1 suffixes", () => {
  assert.deepEqual(parseCsv("a,a,b,a\n1,2,3,4\n").columns, ["a", "a.1", "b", "a.2"]);
});

test("a row with the wrong number of fields names its line", () => {
  assert.throws(() => parseCsv("w,x,y,z\n1,2,3,4\n1,2,3,4\n\n1,2,3,4\n1,2,3,4\n1,2,3\n"), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.equal(e.message, "line 7: expected 4 fields, got 3");
    assert.equal(e.line, 7);
    return true;
  });
  assert.throws(() => parseCsv("a,b\n1,2\n3,4,5\n"), { message: "line 3: expected 2 fields, got 3" });
});

test("a cell that is not a number names its line and column", () => {
  const lines = ["w,x", ...Array.from({ length: 10 }, (_, i) => `${i},${i}`), "11,abc", "12,12"];
  const table = parseCsv(lines.join("\n"));
  assert.deepEqual(table.column("w"), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]);
  assert.deepEqual(table.rawColumn("x").slice(-2), ["abc", "12"]);
  assert.throws(() => table.column("x"), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.equal(e.message, `line 12, column 'x': "abc" is not a number`);
    assert.equal(e.line, 12);
    assert.equal(e.column, "x");
    return true;
  });
  assert.throws(() => table.row(10), { message: `line 12, column 'x': "abc" is not a number` });
});

test("an unknown column lists the available ones; bad indices are range errors", () => {
  const table = parseCsv("x,y,z,pass\n1,2,3,True\n");
  assert.throws(() => table.column("q"), { message: "unknown column 'q'; the columns are 'x', 'y', 'z', 'pass'" });
  assert.throws(() => table.column(4), { name: "RangeError", message: "column index 4 is out of range for a table of 4 columns" });
  assert.throws(() => table.row(1), { name: "RangeError", message: "row 1 is out of range for a table of 1 rows" });
});

test("an unterminated quote names the line the quoted field starts on", () => {
  assert.throws(() => parseCsv('a,b\n1,2\n\n3,"4\n5,6\n'), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.equal(e.message, "line 4: a quoted field starts on this line and its closing quote is missing");
    assert.equal(e.line, 4);
    return true;
  });
});

test("empty text has no columns, as pandas' EmptyDataError", () => {
  assert.throws(() => parseCsv(""), { message: "no columns to parse: the CSV text is empty" });
  assert.throws(() => parseCsv("\n\n"), { message: "no columns to parse: the CSV text is empty" });
});

test("a header without rows is an empty table", () => {
  const table = parseCsv("a,b\n");
  assert.deepEqual(table.columns, ["a", "b"]);
  assert.equal(table.length, 0);
  assert.deepEqual(table.column("b"), []);
});

test("a missing file names the path it looked for", () => {
  assert.throws(() => readCsv("no/such/dir/data.csv"), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^readCsv: no such file 'no\/such\/dir\/data\.csv' \(\/.*no\/such\/dir\/data\.csv\)$/);
    return true;
  });
  const dir = mkdtempSync(join(tmpdir(), "kindling-csv-"));
  try {
    assert.throws(() => readCsv(dir), { message: `readCsv: '${dir}' is a directory, not a CSV file` });
    writeFileSync(join(dir, "t.csv"), "a,b\r\n1,2\r\n");
    assert.deepEqual(readCsv(join(dir, "t.csv")).row(0), [1, 2]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("toTensor hands the numbers, row by row, and the shape to the injected tensor factory", () => {
  const seen: [number[], number[]][] = [];
  const table = parseCsv("x,y,pass\n1,2,True\n3,4,False\n", {
    tensorFactory: (data, shape) => {
      seen.push([Array.from(data), shape]);
      return seen.length;
    },
  });
  assert.equal(table.toTensor(), 1);
  assert.deepEqual(seen[0], [
    [1, 2, 1, 3, 4, 0],
    [2, 3],
  ]);
  table.toTensor(["pass", "x"]);
  assert.deepEqual(seen[1], [
    [1, 1, 0, 3],
    [2, 2],
  ]);
  table.toTensor("y");
  assert.deepEqual(seen[2], [[2, 4], [2]]);
  assert.throws(() => parseCsv("a\n1\n").toTensor(), { message: /needs a tensor factory/ });
});
