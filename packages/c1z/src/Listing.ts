import type { ResourceId } from "@baton-fivetran/connector-core"
import { createLookupIndexes, Tables } from "./SqliteSchema.js"

/**
 * The SQL of the reader's listings: one keyset page (`id > ? ORDER BY id LIMIT ?`) restricted to a
 * sync and to optional column filters, and the indexes that serve every filter. Each index ends,
 * implicitly, in the row id, so an equality filter reads its rows already in row-id order from the
 * given position: no table scan, no sort, and a deep page costs what the first one does.
 */

export interface ResourceFilter {
  readonly resourceType?: string
  readonly parent?: ResourceId
  /** Only rows with a larger row id (keyset paging). */
  readonly afterRowId?: number
  /** At most this many rows in all; also the size of each query, so a short page reads no more. */
  readonly limit?: number
}

export interface EntitlementFilter {
  readonly resource?: ResourceId
  readonly afterRowId?: number
  readonly limit?: number
}

export interface GrantFilter {
  readonly entitlementId?: string
  readonly principal?: ResourceId
  readonly afterRowId?: number
  readonly limit?: number
}

/** A WHERE clause built from optional filters; every listing is also restricted to the chosen sync. */
export interface Query {
  readonly where: ReadonlyArray<string>
  readonly params: ReadonlyArray<string>
}

export const everything: Query = { where: [], params: [] }

export const resourceQuery = (filter: ResourceFilter): Query => ({
  where: [
    ...(filter.resourceType !== undefined ? ["resource_type_id = ?"] : []),
    ...(filter.parent !== undefined ? ["parent_resource_type_id = ?", "parent_resource_id = ?"] : [])
  ],
  params: [
    ...(filter.resourceType !== undefined ? [filter.resourceType] : []),
    ...(filter.parent !== undefined ? [filter.parent.resourceType, filter.parent.resource] : [])
  ]
})

export const entitlementQuery = (filter: EntitlementFilter): Query =>
  filter.resource !== undefined
    ? { where: ["resource_type_id = ?", "resource_id = ?"], params: [filter.resource.resourceType, filter.resource.resource] }
    : everything

export const grantQuery = (filter: GrantFilter): Query => ({
  where: [
    ...(filter.entitlementId !== undefined ? ["entitlement_id = ?"] : []),
    ...(filter.principal !== undefined ? ["principal_resource_type_id = ?", "principal_resource_id = ?"] : [])
  ],
  params: [
    ...(filter.entitlementId !== undefined ? [filter.entitlementId] : []),
    ...(filter.principal !== undefined ? [filter.principal.resourceType, filter.principal.resource] : [])
  ]
})

/** Parameters: sync id, the query's params, the last row id seen, the row limit. */
export const listingSql = (table: string, columns: string, query: Query): string =>
  `SELECT ${columns} FROM ${table} WHERE ${["sync_id = ?", ...query.where, "id > ?"].join(" AND ")} ORDER BY id LIMIT ?`

/**
 * Created in the reader's private working copy when it opens (docs/c1z-format.md §2: the SDK's reader
 * also creates any index a file lacks), so the written file and its index set stay as the format
 * says. The format's lookup indexes serve type, parent, resource and principal filters. An
 * entitlement filter alone needs the reader's own `(entitlement_id)` index: the format's
 * `(entitlement_id, principal…)` index returns a grant's rows in principal order, which would sort
 * every matching row for each page.
 */
export const listingIndexes: ReadonlyArray<string> = [
  ...createLookupIndexes.map((sql) => sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ")),
  `CREATE INDEX IF NOT EXISTS reader_grants_entitlement_id ON ${Tables.grants} (entitlement_id)`
]
