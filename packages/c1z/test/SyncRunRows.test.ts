import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import { crafted } from "./CraftedFile.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/** The sync run the reader picks, as a hand-edited or crafted file holds it. */
describe("a sync file's sync run row", () => {
  it.scopedLive("a time that is not text or not SQLite's DATETIME text, or an empty sync id, is Corrupt naming the column", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const cases = [
        ["ended-number", "UPDATE v1_sync_runs SET ended_at = 12345", "ended_at: Expected string, actual 12345"],
        [
          "started-text",
          "UPDATE v1_sync_runs SET started_at = 'yesterday'",
          "started_at: Expected a time as SQLite DATETIME text (YYYY-MM-DD HH:MM:SS), actual \"yesterday\""
        ],
        ["sync-id-empty", "UPDATE v1_sync_runs SET sync_id = ''", "sync_id: Expected a non empty string, actual \"\""],
        // A zoned 13th month failed with JavaScript's "Invalid time value"; 30 February read as 2 March.
        ...[
          ["month-13-zoned", "2026-13-01 10:00:00+00:00"],
          ["february-30", "2026-02-30 10:00:00"],
          ["hour-25-zoned", "2026-03-01 25:00:00.5-08:00"],
          ["offset-99-hours", "2026-03-01 10:00:00+99:00"]
        ].map(([name, time]) =>
          [
            name,
            `UPDATE v1_sync_runs SET ended_at = '${time}'`,
            `ended_at: Expected a date and time that exist (no 13th month, 30 February or 25th hour), actual "${time}"`
          ] as const
        ),
        [
          "leap-second",
          "UPDATE v1_sync_runs SET started_at = '2016-12-31 23:59:60+00:00'",
          "started_at: Expected a time as SQLite DATETIME text (YYYY-MM-DD HH:MM:SS), actual \"2016-12-31 23:59:60+00:00\""
        ]
      ] as const
      for (const [name, sql, reason] of cases) {
        const path = yield* crafted(dir, name, () => sql)
        const error = yield* Effect.flip(Effect.scoped(openC1z(path)))
        assert.deepStrictEqual([error._tag, error.message], [
          "Corrupt",
          `${path}: the .c1z is damaged: v1_sync_runs row 1: ${reason} (write it again)`
        ])
      }
    }))

  it.scopedLive("times with a T or a zone read as RFC 3339 UTC", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const path = yield* crafted(
        dir,
        "zoned",
        () => "UPDATE v1_sync_runs SET started_at = '2026-03-01T10:00:00.5', ended_at = '2026-03-01 12:30:00.25+02:00'"
      )
      const reader = yield* openC1z(path)
      assert.deepStrictEqual([reader.syncRun.startedAt, reader.syncRun.endedAt], [
        "2026-03-01T10:00:00.5Z",
        "2026-03-01T10:30:00.250Z"
      ])
    }))
})
