// kindling/datasets: small tables generated from a seed, for the chapter's examples and for tests.
// Every generator draws from a torch Generator, so a seed gives the same table every time.
export { makeBlobs, type BlobsOptions } from "./blobs.js";
export { formatCell, formatFloat32, toCsv } from "./csv.js";
export { writeCsv } from "./csv-node.js";
export type { ColumnKind, GeneratedData } from "./generated-data.js";
export { makeMoons, type MoonsOptions } from "./moons.js";
export type { GeneratorOptions } from "./options.js";
export { makePassFail, type PassFailOptions } from "./pass-fail.js";
export { makeXor, type XorOptions } from "./xor.js";
