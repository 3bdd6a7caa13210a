/**
 * A row's protobuf columns, read back. A file baton wrote holds blobs there; a damaged or hand-edited
 * one may hold text, a number or NULL, on which the decoders failed in JavaScript's own words ("First
 * argument to DataView constructor must be an ArrayBuffer"). What fails names the table and the row.
 */

const kindOf = (value: unknown): string => value === null || value === undefined ? "NULL" : typeof value === "string" ? "text" : "a number"

/** The bytes of a blob column; anything else fails, naming the column and what it holds. */
export const blobOf = (value: unknown, column: string): Uint8Array => {
  if (value instanceof Uint8Array) return value
  throw new Error(`its ${column} is ${kindOf(value)}, not a protobuf message`)
}

/** A blob column that may be NULL (a grant's `expansion`). */
export const optionalBlobOf = (value: unknown, column: string): Uint8Array | null =>
  value === null || value === undefined ? null : blobOf(value, column)

/** Decodes one row; a failure says which (`v1_grants row 21: ...`). */
export const decodeRowOf = <A>(table: string, rowId: unknown, decode: () => A): A => {
  try {
    return decode()
  } catch (cause) {
    throw new Error(`${table} row ${String(rowId)}: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}
