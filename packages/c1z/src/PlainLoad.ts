import type { SyncRow } from "@baton-fivetran/connector-core"
import type Database from "better-sqlite3"
import { makeRowWriter } from "./C1zWriter.js"
import { writableAnnotationTypeUrls } from "./proto/AnnotationSupport.js"
import { makeEncoders } from "./proto/Encode.js"

/**
 * The writer's load step on its own: tables without any index (createTables) and the writer's
 * prepared, batched inserts of each row's columns, encoded as the writer encodes them by default.
 * bench/src/c1z-write.ts loads the same rows this way and compresses the file (compressDatabase)
 * to measure the writer against that lower bound.
 */
export const makePlainRowWriter = (db: Database.Database, syncId: string): (rows: ReadonlyArray<SyncRow>, at: string) => void =>
  makeRowWriter(db, syncId, makeEncoders(writableAnnotationTypeUrls()))

export { compressDatabase } from "./Envelope.js"
export { createTables } from "./SqliteSchema.js"
