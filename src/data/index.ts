// torch.utils.data: datasets, samplers, the DataLoader, and CSV tables.
export { readCsv } from "./csv-node.js";
export { parseCsv, Table, CsvError } from "./csv.js";
