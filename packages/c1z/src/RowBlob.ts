import type { Entitlement, Grant, Resource, ResourceType } from "@baton-fivetran/connector-core"
import { decodeEntitlement, decodeGrant, decodeResource, decodeResourceType } from "./proto/Decode.js"
import { Tables } from "./SqliteSchema.js"

/**
 * A row's protobuf columns, read back. A file baton wrote holds blobs there; a damaged or hand-edited
 * one may hold text, a number or NULL, on which the decoders failed in JavaScript's own words ("First
 * argument to DataView constructor must be an ArrayBuffer"). What fails names the table and the row.
 * These decoders run row by row inside the reader's synchronous statement loops, so a refusal is a
 * thrown Error: the reader's `read` (C1zReader.ts, an Effect.try) is their boundary, and makes it the
 * typed Corrupt naming the file.
 */

/**
 * The most bytes the reader takes in one of a row's blobs (`data`, `expansion`): 4 MiB. Every row a
 * baton-sdk v0.7.27 connector syncs reaches the syncer inside a gRPC list response, which gRPC-go
 * caps at 4 MiB by default (baton-sdk sets no other limit), and this connector's largest rows are
 * about 1 KiB. A crafted file's blob of hundreds of megabytes was read whole before it was refused.
 */
export const rowBlobLimitBytes = 4 * 1024 * 1024

/**
 * The most bytes the reader takes in a row's text id (`external_id`, a grant's `entitlement_id` or
 * principal id): 4 KiB. baton-sdk's message rules take each part of an id (a resource type, a
 * resource id, an entitlement id) in 1 to 1,024 bytes, so the longest id a row holds, a grant's
 * `<entitlement id>:<principal type>:<principal id>`, is at most 3,074 bytes; this connector's are
 * under 200. A crafted file's id of megabytes was read whole (an error quoted 200 characters of it).
 */
export const rowIdLimitBytes = 4 * 1024

/**
 * The SELECT of `column` as `alias`: NULL past `limitBytes`, and its size beside it (`<alias>_bytes`,
 * from octet_length(), which SQLite gives from the record's header without reading the value), so a
 * value over the limit is never read.
 */
const boundedColumn = (column: string, limitBytes: number, alias: string = column): string =>
  `CASE WHEN octet_length(${column}) > ${limitBytes} THEN NULL ELSE ${column} END AS ${alias}, ` +
  `octet_length(${column}) AS ${alias}_bytes`

/** The SELECT of text id column `column` as `alias`, bounded at the id limit (`boundedColumn`). */
export const idColumn = (column: string, alias: string = column): string => boundedColumn(column, rowIdLimitBytes, alias)

/** Why an id of `bytes` is refused: `where` names the table and row. */
export const oversizedIdReason = (where: string, column: string, bytes: number): string =>
  `${where}: its ${column} is ${bytes} bytes, more than ${rowIdLimitBytes} bytes (4 KiB), the most the reader takes ` +
  "in an id, as baton-sdk takes at most 1,024 bytes in each of an id's parts"

/** Refuses an id over the limit (`idColumn` left it unread). */
export const checkIdSize = (where: string, column: string, bytes: unknown): void => {
  if (typeof bytes === "number" && bytes > rowIdLimitBytes) throw new Error(oversizedIdReason(where, column, bytes))
}

/** A row's blob columns. */
export type BlobColumn = "data" | "expansion"

/** The SELECT list of `columns` for a row read through `BlobRow`, each bounded at the blob limit (`boundedColumn`). */
export const blobColumns = (columns: ReadonlyArray<BlobColumn>): string =>
  columns.map((column) => boundedColumn(column, rowBlobLimitBytes)).join(", ")

/** A row as SQLite gives it (selected with `blobColumns`), from the row listings and the sorted ones alike. */
export interface BlobRow {
  readonly id: number
  readonly external_id: unknown
  /** Selected with `idColumn`: the id's size, the id NULL past the limit. */
  readonly external_id_bytes?: unknown
  readonly data: unknown
  readonly data_bytes: unknown
  readonly expansion?: unknown
  readonly expansion_bytes?: unknown
}

/** As much of an external id as an error quotes: a crafted one may be of any length. */
const quotedId = (value: unknown): string => {
  const text = String(value)
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text)
}

/** Refuses a row whose id or blob is over its limit (`idColumn`, `blobColumns` left it unread), naming the table, the row and the limit. */
const checkSizes = (table: string, row: BlobRow): void => {
  checkIdSize(`${table} row ${String(row.id)}`, "external_id", row.external_id_bytes)
  for (const [column, bytes] of [["data", row.data_bytes], ["expansion", row.expansion_bytes]] as const) {
    if (typeof bytes === "number" && bytes > rowBlobLimitBytes) {
      throw new Error(
        `${table} row ${String(row.id)} (external id ${quotedId(row.external_id)}): its ${column} is ${bytes} bytes, ` +
          `more than ${rowBlobLimitBytes} bytes (4 MiB), the most the reader takes in a row's blob, as a baton connector's ` +
          "rows reach its sync in gRPC messages of at most 4 MiB"
      )
    }
  }
}

const kindOf = (value: unknown): string => value === null || value === undefined ? "NULL" : typeof value === "string" ? "text" : "a number"

/** The bytes of a blob column; anything else fails, naming the column and what it holds. */
const blobOf = (value: unknown, column: string): Uint8Array => {
  if (value instanceof Uint8Array) return value
  throw new Error(`its ${column} is ${kindOf(value)}, not a protobuf message`)
}

/** A blob column that may be NULL (a grant's `expansion`). */
const optionalBlobOf = (value: unknown, column: string): Uint8Array | null =>
  value === null || value === undefined ? null : blobOf(value, column)

/** Decodes one row; a failure says which (`v1_grants row 21: ...`). */
const decodeRowOf = <A>(table: string, row: BlobRow, decode: () => A): A => {
  checkSizes(table, row)
  try {
    return decode()
  } catch (cause) {
    throw new Error(`${table} row ${String(row.id)}: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}

export const resourceTypeOfRow = (row: BlobRow): ResourceType =>
  decodeRowOf(Tables.resourceTypes, row, () => decodeResourceType(blobOf(row.data, "data")))

export const resourceOfRow = (row: BlobRow): Resource => decodeRowOf(Tables.resources, row, () => decodeResource(blobOf(row.data, "data")))

export const entitlementOfRow = (row: BlobRow): Entitlement =>
  decodeRowOf(Tables.entitlements, row, () => decodeEntitlement(blobOf(row.data, "data")))

/** `entitlementOf` decodes the grant's embedded entitlement (a batch's decoder decodes each distinct one once). */
export const grantOfRow = (row: BlobRow, entitlementOf?: (bytes: Uint8Array) => Entitlement): Grant =>
  decodeRowOf(
    Tables.grants,
    row,
    () => decodeGrant(blobOf(row.data, "data"), optionalBlobOf(row.expansion, "expansion"), entitlementOf)
  )
