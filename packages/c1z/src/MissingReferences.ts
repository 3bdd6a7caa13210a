import type { LeftOutRows } from "@baton-fivetran/connector-core"
import type Database from "better-sqlite3"
import { decodeEntitlement, decodeGrant, decodeResource } from "./proto/Decode.js"
import { Tables } from "./SqliteSchema.js"

/**
 * Rows that name a resource, entitlement or principal the sync does not hold. The `baton` CLI
 * (baton-sdk v0.7.27) looks these up by id and stops at the first it cannot find: `resources` and
 * `principals` a resource's parent, `grants` each grant's entitlement, principal and entitlement
 * resource. One such row failed the whole listing. A sync writes one when the account changes while
 * it is read: a team member deleted before the user list reached it, a group deleted (with its
 * connections) after the connections were listed.
 *
 * Missing, in this order: resources whose parent is missing (and, in turn, their children), the
 * entitlements of missing resources, then grants whose entitlement or principal is missing. The
 * grants' keys are read from their lookup indexes' distinct keys (~0.04 s for 72,000 grants) and
 * looked up in the unique indexes: all the indexes must exist.
 */

/** The row ids (`id`, never a blob) of a sync's rows that name what the sync does not hold. */
export interface MissingReferences {
  /** Resources whose parent is missing, parents before their children, then by row id. */
  readonly resources: ReadonlyArray<number>
  /** Entitlements whose resource is missing, by row id. */
  readonly entitlements: ReadonlyArray<number>
  /** Grants whose entitlement or principal is missing, by row id. */
  readonly grants: ReadonlyArray<number>
}

/** The resources whose parent is missing, then their children, as `gone(id, external_id, depth)`. */
const goneResources = `gone(id, external_id, depth) AS (
    SELECT id, external_id, 0 FROM ${Tables.resources} AS child
    WHERE sync_id = @sync AND parent_resource_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM ${Tables.resources}
      WHERE external_id = child.parent_resource_type_id || ':' || child.parent_resource_id AND sync_id = child.sync_id
    )
    UNION
    SELECT child.id, child.external_id, gone.depth + 1 FROM ${Tables.resources} AS child JOIN gone
      ON child.parent_resource_type_id || ':' || child.parent_resource_id = gone.external_id
    WHERE child.sync_id = @sync
  )`

/** The entitlements whose resource is missing or gone, as `homeless(id, external_id)`. */
const homelessEntitlements = `homeless(id, external_id) AS (
    SELECT id, external_id FROM ${Tables.entitlements} AS e
    WHERE sync_id = @sync AND (
      NOT EXISTS (
        SELECT 1 FROM ${Tables.resources} WHERE external_id = e.resource_type_id || ':' || e.resource_id AND sync_id = e.sync_id
      ) OR e.resource_type_id || ':' || e.resource_id IN (SELECT external_id FROM gone)
    )
  )`

const missingResourcesSql = `WITH RECURSIVE ${goneResources} SELECT id FROM gone ORDER BY depth, id`

const missingEntitlementsSql = `WITH RECURSIVE ${goneResources}, ${homelessEntitlements} SELECT id FROM homeless ORDER BY id`

const missingGrantsSql = `WITH RECURSIVE ${goneResources}, ${homelessEntitlements}
  SELECT g.id FROM (
    SELECT DISTINCT principal_resource_type_id AS type, principal_resource_id AS resource FROM ${Tables.grants}
  ) AS p JOIN ${Tables.grants} AS g ON g.principal_resource_type_id = p.type AND g.principal_resource_id = p.resource
  WHERE g.sync_id = @sync AND (
    NOT EXISTS (SELECT 1 FROM ${Tables.resources} WHERE external_id = p.type || ':' || p.resource AND sync_id = @sync)
    OR p.type || ':' || p.resource IN (SELECT external_id FROM gone)
  )
  UNION
  SELECT g.id FROM (SELECT DISTINCT entitlement_id AS entitlement FROM ${Tables.grants}) AS e
  JOIN ${Tables.grants} AS g ON g.entitlement_id = e.entitlement
  WHERE g.sync_id = @sync AND (
    NOT EXISTS (SELECT 1 FROM ${Tables.entitlements} WHERE external_id = e.entitlement AND sync_id = @sync)
    OR e.entitlement IN (SELECT external_id FROM homeless)
  )
  ORDER BY 1`

const rowIds = (db: Database.Database, sql: string, syncId: string): ReadonlyArray<number> =>
  db.prepare(sql).pluck().all({ sync: syncId }) as ReadonlyArray<number>

/** Finds the rows of sync `syncId` that name what it does not hold: their row ids, no blob read. */
export const findMissingReferences = (db: Database.Database, syncId: string): MissingReferences => ({
  resources: rowIds(db, missingResourcesSql, syncId),
  entitlements: rowIds(db, missingEntitlementsSql, syncId),
  grants: rowIds(db, missingGrantsSql, syncId)
})

/** Whether a sync holds no row naming what it does not hold. */
export const noMissingReferences = (missing: MissingReferences): boolean =>
  missing.resources.length === 0 && missing.entitlements.length === 0 && missing.grants.length === 0

/**
 * The writer's part: takes the rows findMissingReferences finds out of a loaded database (the
 * connector's own rows, just written), and gives them back decoded.
 */
export const takeOutMissingReferences = (db: Database.Database, syncId: string): LeftOutRows =>
  db.transaction((): LeftOutRows => {
    const missing = findMissingReferences(db, syncId)
    const resources = takeOut(db, Tables.resources, "data", missing.resources).map((row) => decodeResource(row.data))
    const entitlements = takeOut(db, Tables.entitlements, "data", missing.entitlements).map((row) => decodeEntitlement(row.data))
    const grants = takeOut(db, Tables.grants, "data, expansion", missing.grants).map((row) => decodeGrant(row.data, row.expansion))
    return { resources, entitlements, grants }
  })()

interface TakenRow {
  readonly data: Uint8Array
  readonly expansion: Uint8Array | null
}

/** Reads the rows `ids` of `table` (in that order) and deletes them. */
const takeOut = (db: Database.Database, table: string, columns: string, ids: ReadonlyArray<number>): ReadonlyArray<TakenRow> => {
  const read = db.prepare(`SELECT ${columns} FROM ${table} WHERE id = ?`)
  const remove = db.prepare(`DELETE FROM ${table} WHERE id = ?`)
  return ids.map((id) => {
    const row = read.get(id) as TakenRow
    remove.run(id)
    return row
  })
}
