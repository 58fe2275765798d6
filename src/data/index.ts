// torch.utils.data: datasets, samplers, the DataLoader, and CSV tables.

import { tensor } from "../ops/creation.js";
import { getDefaultDtype } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { readCsv as readCsvFile } from "./csv-node.js";
import { type CsvOptions, parseCsv as parseCsvText, type Table, type TableTensorFactory } from "./csv.js";

export { CsvError, type CsvOptions, Table } from "./csv.js";
export { type Collated, type Converted, defaultCollate, defaultConvert } from "./collate.js";
export { DataLoader, DataLoaderIterator, type DataLoaderOptions } from "./dataloader.js";
export { ChainDataset, ConcatDataset, Dataset, IterableDataset, type MapDataset, Subset, TensorDataset } from "./dataset.js";
export { randomSplit } from "./random-split.js";
export {
  BatchSampler,
  RandomSampler,
  type RandomSamplerOptions,
  Sampler,
  SequentialSampler,
  type SizedIterable,
  SubsetRandomSampler,
  WeightedRandomSampler,
} from "./sampler.js";

/** Table.toTensor's factory: torch.tensor of the rows (or of one column), in the default dtype (float32). */
const tableTensor: TableTensorFactory<Tensor> = (data, shape) => tensor(data, { dtype: getDefaultDtype() }).reshape(shape);

/**
 * Reads a CSV file (Node) as a table of numbers, as pandas.read_csv reads it; `toTensor(columns?)`
 * gives a float32 [rows, columns] tensor, or a 1-D one for a single column named on its own.
 */
export function readCsv(path: string | URL, options: CsvOptions = {}): Table<Tensor> {
  return readCsvFile(path, { ...options, tensorFactory: tableTensor });
}

/** The same as readCsv for CSV text already in memory (for browsers, which fetch the text themselves). */
export function parseCsv(text: string, options: CsvOptions = {}): Table<Tensor> {
  return parseCsvText(text, { ...options, tensorFactory: tableTensor });
}
