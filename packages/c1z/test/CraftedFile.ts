import type Database from "better-sqlite3"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { repackEdited } from "./RepackedFile.js"
import { tempDir } from "./TempDir.js"

/**
 * The sync file `good.c1z` of `dir`, its database given to `edit` (a hand-edited, damaged or crafted
 * file), packed again as `<name>.c1z` in `dir`: its path, and what `edit` returned.
 */
export const craftedWith = <A>(dir: string, name: string, edit: (db: Database.Database) => A) =>
  Effect.sync(() => {
    const path = join(dir, `${name}.c1z`)
    return { path, edited: repackEdited(join(dir, "good.c1z"), path, edit) }
  })

/** `craftedWith`, the edit being the SQL `sql` makes of the sync's id; the crafted file's path. */
export const crafted = (dir: string, name: string, sql: (syncId: string) => string) =>
  Effect.map(
    craftedWith(dir, name, (db) => {
      const { sync_id } = db.prepare("SELECT sync_id FROM v1_sync_runs").get() as { sync_id: string }
      db.exec(sql(sync_id))
    }),
    ({ path }) => path
  )

/** The fixtures' sync written as `good.c1z` in a new temporary directory, then `craftedWith` there. */
export const craftedFixtures = <A>(name: string, edit: (db: Database.Database) => A) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
    return yield* craftedWith(dir, name, edit)
  })
