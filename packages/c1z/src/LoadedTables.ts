import { type Grant, resourceRefOf, type SyncRow } from "@baton-fivetran/connector-core"
import type Database from "better-sqlite3"
import { Tables } from "./SqliteSchema.js"

/** The tables loaded row by row, and their columns in insert order. */
const loadedColumns = {
  [Tables.resourceTypes]: ["external_id", "data", "sync_id", "discovered_at"],
  [Tables.resources]: [
    "resource_type_id",
    "external_id",
    "parent_resource_type_id",
    "parent_resource_id",
    "data",
    "sync_id",
    "discovered_at"
  ],
  [Tables.entitlements]: ["resource_type_id", "resource_id", "external_id", "data", "sync_id", "discovered_at"],
  [Tables.grants]: [
    "resource_type_id",
    "resource_id",
    "entitlement_id",
    "principal_resource_type_id",
    "principal_resource_id",
    "external_id",
    "expansion",
    "needs_expansion",
    "data",
    "sync_id",
    "discovered_at"
  ]
} as const

/** A table the writer loads, with the columns an upsert overwrites (all but id, external_id, sync_id). */
export interface LoadedTable {
  readonly name: keyof typeof loadedColumns
  readonly updated: ReadonlyArray<string>
}

export const loadedTables: ReadonlyArray<LoadedTable> = Object.entries(loadedColumns).map(([name, columns]) => ({
  name: name as LoadedTable["name"],
  updated: columns.filter((c) => c !== "external_id" && c !== "sync_id")
}))

/** A plain append: a repeated (external_id, sync_id) is resolved after the load (RepeatedIds.ts). */
const insert = (table: keyof typeof loadedColumns): string => {
  const columns = loadedColumns[table]
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`
}

/**
 * One prepared insert per loaded table; the returned function appends one row, given its encoded
 * `data` and, for a grant, `expansion` (null if none). better-sqlite3 copies a bound blob, so the
 * blobs may be views of a buffer that is reused afterwards.
 */
export const makeRowInsert = (db: Database.Database, syncId: string) => {
  const resourceType = db.prepare(insert(Tables.resourceTypes))
  const resource = db.prepare(insert(Tables.resources))
  const entitlement = db.prepare(insert(Tables.entitlements))
  const grant = db.prepare(insert(Tables.grants))

  return (row: SyncRow, data: Uint8Array, expansion: Uint8Array | null, at: string): void => {
    switch (row._tag) {
      case "ResourceTypeRow":
        resourceType.run(row.value.id, data, syncId, at)
        return
      case "ResourceRow": {
        const { id, parentResourceId } = row.value
        resource.run(
          id.resourceType,
          resourceRefOf(id),
          parentResourceId?.resourceType ?? null,
          parentResourceId?.resource ?? null,
          data,
          syncId,
          at
        )
        return
      }
      case "EntitlementRow":
        entitlement.run(row.value.resource.id.resourceType, row.value.resource.id.resource, row.value.id, data, syncId, at)
        return
      case "GrantRow": {
        const value = row.value
        grant.run(
          value.entitlement.resource.id.resourceType,
          value.entitlement.resource.id.resource,
          value.entitlement.id,
          value.principal.id.resourceType,
          value.principal.id.resource,
          value.id,
          expansion,
          expansion === null ? 0 : 1,
          data,
          syncId,
          at
        )
        return
      }
    }
  }
}

/** The grant columns but the sync id and time, in insert order: bound per row by the writer's grant insert. */
const grantRowColumns = 9

/**
 * Grants per INSERT statement in the writer's load. Per row, one statement each cost more in
 * binding and statement overhead than SQLite's insert itself; 25 rows a statement took ~11% less
 * CPU to insert a million grants (more rows a statement gained nothing).
 */
const grantsPerInsert = 25

const grantsInsert = (rows: number): string => {
  const row = `(${Array.from({ length: grantRowColumns }, () => "?").join(", ")}, @syncId, @at)`
  return `INSERT INTO ${Tables.grants} (${loadedColumns[Tables.grants].join(", ")}) VALUES ${
    Array.from({ length: rows }, () => row).join(", ")
  }`
}

/**
 * The writer's grant insert: grants are buffered and inserted `grantsPerInsert` rows a statement,
 * with the sync id and time bound once a statement (`@syncId`, `@at`). Rows go in in the order
 * they are added, so they get the row ids one statement per row gives them. `flush` inserts the
 * rest; call it before the transaction commits. The blobs may be views of a reused buffer only
 * until the grant's statement has run.
 */
export const makeGrantInserts = (db: Database.Database, syncId: string) => {
  const many = db.prepare(grantsInsert(grantsPerInsert))
  const one = db.prepare(grantsInsert(1))
  const values: Array<string | number | Uint8Array | null> = []
  const reset = () => {
    values.length = 0
  }
  const add = (grant: Grant, data: Uint8Array, expansion: Uint8Array | null, at: string): void => {
    values.push(
      grant.entitlement.resource.id.resourceType,
      grant.entitlement.resource.id.resource,
      grant.entitlement.id,
      grant.principal.id.resourceType,
      grant.principal.id.resource,
      grant.id,
      expansion,
      expansion === null ? 0 : 1,
      data
    )
    if (values.length === grantsPerInsert * grantRowColumns) {
      many.run(values, { syncId, at })
      reset()
    }
  }
  const flush = (at: string): void => {
    for (let start = 0; start < values.length; start += grantRowColumns) {
      one.run(values.slice(start, start + grantRowColumns), { syncId, at })
    }
    reset()
  }
  return { add, flush, reset }
}
