// One timed readCsv of the file bench/csv.ts made (a process of its own, so its peak memory is the
// read's). bench/csv.ts bundles this file to plain JavaScript first, so the process is Node and
// kindling's CSV reader, as a compiled program would run, without the TypeScript loader's memory.
import { readCsv } from "../src/data/csv-node.js";

const [path, rows] = process.argv.slice(2);
const rssMB = () => process.memoryUsage().rss / 2 ** 20;
const before = rssMB();
const start = performance.now();
const table = readCsv(path!);
const seconds = (performance.now() - start) / 1000;
if (table.length !== Number(rows)) throw new Error(`read ${table.length} rows, expected ${rows}`);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ seconds, peakMB: peak, addedMB: peak - before }));
