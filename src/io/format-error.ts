// Every problem found in a file kindling is asked to read is reported with this class, so callers
// (and the fuzz test) can tell "the file is bad" from a bug in kindling.

/** A saved file or buffer is malformed, truncated, or uses something kindling does not read. */
export class FileFormatError extends Error {
  override name = "FileFormatError";
}
