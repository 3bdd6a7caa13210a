import type { SyncRow } from "@baton-fivetran/connector-core"
import type Database from "better-sqlite3"
import { makeRowInsert } from "./LoadedTables.js"
import { writableAnnotationTypeUrls } from "./proto/AnnotationSupport.js"
import { makeEncoders } from "./proto/Encode.js"
import { toBytes } from "./proto/Wire.js"

/**
 * The plainest load of the writer's rows, to measure the writer against: tables without any index
 * (createTables), and per row its blobs encoded as the writer encodes them by default, each into a
 * buffer of its own, bound to one prepared insert, 1000 rows a transaction as the caller batches
 * them. bench/src/c1z-write.ts loads the same rows this way and compresses the file
 * (compressDatabase) as the lower bound of a write.
 */
export const makePlainRowWriter = (db: Database.Database, syncId: string): (rows: ReadonlyArray<SyncRow>, at: string) => void => {
  const encode = makeEncoders(writableAnnotationTypeUrls())
  const insertRow = makeRowInsert(db, syncId)
  return db.transaction((rows: ReadonlyArray<SyncRow>, at: string) => {
    for (const row of rows) {
      const expandable = encode.expandable(row)
      insertRow(row, toBytes(encode.rowData, row), expandable === undefined ? null : toBytes(encode.expansion, expandable), at)
    }
  })
}

export { compressDatabase } from "./Envelope.js"
export { createTables } from "./SqliteSchema.js"
