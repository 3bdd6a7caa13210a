import { openC1z } from "@baton-fivetran/c1z"
import { Effect } from "effect"

/**
 * A sync file's id and end, read back with the c1z reader, as the review sheets name them: on each
 * CSV and JSON row (`sync_id`, `synced_at`), and on the line after a table's count. The end is to
 * the millisecond, as `new Date().toISOString()` writes it.
 */
export const sheetSyncOf = (file: string) =>
  Effect.scoped(Effect.map(openC1z(file), (reader) => ({
    id: reader.syncRun.syncId,
    at: new Date(Date.parse(reader.syncRun.endedAt.replace(/(\.\d{3})\d+/, "$1"))).toISOString()
  })))

export type SheetSync = Effect.Effect.Success<ReturnType<typeof sheetSyncOf>>

/** The review sheets' columns (export's and access's CSV header, their JSON rows' keys), in order. */
export const sheetHeader = [
  "principal",
  "principal_name",
  "email",
  "status",
  "last_login",
  "account_type",
  "resource",
  "resource_name",
  "entitlement",
  "permission",
  "via",
  "via_name",
  "sync_id",
  "synced_at"
]

/** The line after a table's count. */
export const syncLine = (sync: SheetSync) => `from sync ${sync.id} (synced ${sync.at})\n`

/** What a diff row ends with: the older sync's id and end, then the newer's (diff's OLD.c1z and NEW.c1z). */
export const diffSyncsOf = (oldFile: string, newFile: string) =>
  Effect.map(Effect.all([sheetSyncOf(oldFile), sheetSyncOf(newFile)]), ([old, now]) => ({
    old_sync_id: old.id,
    old_synced_at: old.at,
    new_sync_id: now.id,
    new_synced_at: now.at
  }))

/** The same as a CSV row's last four cells (ids and RFC 3339 times need no quotes). */
export const diffSyncCells = (syncs: Effect.Effect.Success<ReturnType<typeof diffSyncsOf>>) => Object.values(syncs).join(",")
