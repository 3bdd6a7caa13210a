import { SyncSummary } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { writeSummaryFile } from "../src/output/SummaryFile.js"

const summary = Schema.decodeUnknownSync(SyncSummary)({
  resources: { user: 2 },
  resourceTypes: 1,
  entitlements: 0,
  grants: { direct: 0, derived: 0 },
  requests: 3,
  retries: 0,
  rateLimitWaitMillis: 0,
  durationMillis: 5,
  warnings: []
})

const syncId = "2Jx1dB3nLkqOQ6cD9fVb0sYt5Ua"

describe("--summary-file in a directory others can write in", () => {
  it.scopedLive("a symlink planted at the temporary name of older builds is not written through; the summary is owner-only", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-links-" })
      const victim = `${dir}/victim`
      yield* fs.writeFileString(victim, "another user's file")
      // Older builds wrote `.<name>.<pid>.tmp` through whatever was there: a root job overwrote the link's target.
      const planted = `${dir}/.summary.json.${process.pid}.tmp`
      yield* fs.symlink(victim, planted)
      const saved = process.umask(0o022)
      yield* writeSummaryFile(`${dir}/summary.json`, { file: `${dir}/sync.c1z`, syncId }, summary).pipe(
        Effect.ensuring(Effect.sync(() => process.umask(saved)))
      )
      assert.strictEqual(yield* fs.readFileString(victim), "another user's file")
      const written = yield* fs.stat(`${dir}/summary.json`)
      assert.strictEqual(written.type, "File")
      assert.strictEqual(written.mode & 0o777, 0o600)
      const content = JSON.parse(yield* fs.readFileString(`${dir}/summary.json`)) as Record<string, unknown>
      assert.deepStrictEqual([content["file"], content["syncId"], content["requests"]], [`${dir}/sync.c1z`, syncId, 3])
      assert.strictEqual(yield* fs.readLink(planted), victim)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [`.summary.json.${process.pid}.tmp`, "summary.json", "victim"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
