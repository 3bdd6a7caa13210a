import type { Entitlement, Grant, Resource, ResourceType } from "@baton-fivetran/connector-core"
import { decodeEntitlement, decodeGrant, decodeResource, decodeResourceType } from "./proto/Decode.js"
import { Tables } from "./SqliteSchema.js"

/**
 * A row's protobuf columns, read back. A file baton wrote holds blobs there; a damaged or hand-edited
 * one may hold text, a number or NULL, on which the decoders failed in JavaScript's own words ("First
 * argument to DataView constructor must be an ArrayBuffer"). What fails names the table and the row.
 */

/** A row as SQLite gives it, from the row listings and the sorted ones alike. */
export interface BlobRow {
  readonly id: number
  readonly data: unknown
  readonly expansion?: unknown
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
