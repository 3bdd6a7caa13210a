import Database from "better-sqlite3"
import type { LoadedTable } from "./LoadedTables.js"
import { externalIdIndexes } from "./SqliteSchema.js"

/**
 * Gives a table loaded with plain appends its unique (external_id, sync_id) index, with the result
 * the SDK's per-row upsert would have had: a repeated id keeps the row (and row id) of its first
 * write, holding the columns of its last write, and later rows' ids close up behind it, as if the
 * repeats had never taken an id. Repeats are rare, so the common path is a single index build: the
 * unique index is simply created, and only if it fails are the repeats resolved first.
 */
export const indexExternalIds = (db: Database.Database, table: LoadedTable): void => {
  const createIndex = externalIdIndexes[table.name]
  try {
    db.exec(createIndex)
  } catch (cause) {
    if (!(cause instanceof Database.SqliteError) || cause.code !== "SQLITE_CONSTRAINT_UNIQUE") throw cause
    db.transaction(() => resolveRepeats(db, table))()
    db.exec(createIndex)
  }
}

const resolveRepeats = (db: Database.Database, { name, updated }: LoadedTable): void => {
  const columns = updated.join(", ")
  db.exec(`
    CREATE INDEX repeated_external_ids ON ${name} (external_id, sync_id, id);
    CREATE TEMP TABLE repeats (first INTEGER PRIMARY KEY, last INTEGER NOT NULL, external_id TEXT, sync_id TEXT);
    INSERT INTO repeats SELECT min(id), max(id), external_id, sync_id FROM ${name}
      GROUP BY external_id, sync_id HAVING count(*) > 1;
    UPDATE ${name} SET (${columns}) = (
      SELECT ${columns} FROM ${name} AS latest
      WHERE latest.id = (SELECT last FROM repeats WHERE first = ${name}.id)
    ) WHERE id IN (SELECT first FROM repeats);
    DELETE FROM ${name} WHERE id IN (
      SELECT later.id FROM repeats JOIN ${name} AS later
        ON later.external_id = repeats.external_id AND later.sync_id = repeats.sync_id AND later.id > repeats.first
    );
    DROP INDEX repeated_external_ids;
    DROP TABLE temp.repeats;
  `)
  // Close the gaps in row-id order. Moved rows first go to distinct negative ids, which are free, so
  // neither step can collide with a row not yet moved, whatever order SQLite visits them in.
  db.exec(`
    CREATE TEMP TABLE renumbered (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
    INSERT INTO renumbered
      SELECT old, new FROM (SELECT id AS old, row_number() OVER (ORDER BY id) AS new FROM ${name}) WHERE old <> new;
    UPDATE ${name} SET id = -(SELECT new FROM renumbered WHERE old = ${name}.id) WHERE id IN (SELECT old FROM renumbered);
    UPDATE ${name} SET id = -id WHERE id < 0;
    DROP TABLE temp.renumbered;
  `)
}
