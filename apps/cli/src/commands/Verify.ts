import { syncedAt, type Verified, verifyC1z } from "@baton-fivetran/c1z"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Effect, Stream } from "effect"
import type { OutputFormat } from "../output/OutputFormat.js"
import { printRows } from "../output/Rows.js"
import { writeStdout } from "../output/Stdout.js"
import { checkSyncFile, refusingOtherFiles } from "./SyncFileArgument.js"

/**
 * `verify`: a .c1z opened with every check of the reader, then SQLite's full integrity check of its
 * database (c1z's verifyC1z), which the reader does not run at an open: a file whose index leaves
 * rows out passes every other command, which then list less than the file holds. Then the rows
 * naming a resource, entitlement or principal the sync does not hold, which baton's own listings stop
 * at. One line (or one JSON object, or a CSV row) of what was verified; a damaged file is the
 * reader's Corrupt, exit 2.
 */

const columns = ["file", "sync_id", "synced_at", "resources", "entitlements", "grants", "integrity_check"] as const

/** The table's line; the path shown escaped, as a file name is anyone's text (a table cell's rule). */
const verifiedText = (verified: Verified) =>
  `${shownText(verified.path)}: sync ${verified.syncRun.syncId} (synced ${syncedAt(verified.syncRun)}): ${verified.resources} resources, ` +
  `${verified.entitlements} entitlements, ${verified.grants} grants; SQLite's integrity check passed\n`

const printVerified = (format: OutputFormat, verified: Verified) => {
  const cells = {
    file: verified.path,
    sync_id: verified.syncRun.syncId,
    synced_at: syncedAt(verified.syncRun),
    resources: verified.resources,
    entitlements: verified.entitlements,
    grants: verified.grants,
    integrity_check: "ok"
  }
  switch (format) {
    case "table":
      return writeStdout(verifiedText(verified))
    case "json":
      return writeStdout(`${JSON.stringify(cells)}\n`)
    case "csv":
      return printRows(format, { names: columns, cells: (row) => columns.map((name) => String(row[name])) }, Stream.make(cells))
  }
}

export const verifyFile = (file: string, format: OutputFormat) =>
  Effect.zipRight(
    checkSyncFile("--file", file),
    Effect.scoped(Effect.flatMap(refusingOtherFiles(file, verifyC1z(file)), (verified) => printVerified(format, verified)))
  )
