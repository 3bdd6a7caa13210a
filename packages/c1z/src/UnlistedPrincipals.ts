import type { Grant } from "@baton-fivetran/connector-core"
import type Database from "better-sqlite3"
import { decodeGrant } from "./proto/Decode.js"
import { Tables } from "./SqliteSchema.js"

/**
 * Takes the grants whose principal is not among the sync's resources out of a loaded database, and
 * gives them back. baton's `grants` and `principals` (the CLI vendoring baton-sdk v0.7.27) look
 * each grant's principal up among the resources and stop at the first they cannot find, so a
 * single such grant failed the whole listing. A sync writes one when the account changes while it
 * is read: a team member deleted before the user list reached it, a user invited and added to a
 * group after the list was read.
 *
 * The distinct principals come from the grants' principal index (a scan of its keys, ~0.04 s for
 * 72,000 grants), each then looked up in the resources' unique index: the lookup indexes must exist.
 */
export const takeOutUnlistedPrincipals = (db: Database.Database, syncId: string): ReadonlyArray<Grant> => {
  const unlisted = db.prepare(
    `SELECT type, resource FROM (
       SELECT DISTINCT principal_resource_type_id AS type, principal_resource_id AS resource FROM ${Tables.grants}
     ) WHERE NOT EXISTS (
       SELECT 1 FROM ${Tables.resources} WHERE external_id = type || ':' || resource AND sync_id = ?
     )`
  ).all(syncId) as ReadonlyArray<{ readonly type: string; readonly resource: string }>
  if (unlisted.length === 0) return []
  const select = db.prepare(
    `SELECT data, expansion FROM ${Tables.grants}
     WHERE principal_resource_type_id = ? AND principal_resource_id = ? AND sync_id = ? ORDER BY id`
  )
  const remove = db.prepare(
    `DELETE FROM ${Tables.grants} WHERE principal_resource_type_id = ? AND principal_resource_id = ? AND sync_id = ?`
  )
  return db.transaction(() =>
    unlisted.flatMap(({ resource, type }) => {
      const grants =
        (select.all(type, resource, syncId) as ReadonlyArray<{ readonly data: Uint8Array; readonly expansion: Uint8Array | null }>)
          .map((row) => decodeGrant(row.data, row.expansion))
      remove.run(type, resource, syncId)
      return grants
    })
  )()
}
