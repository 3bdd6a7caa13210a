import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"
import { sheetSyncOf } from "./support/SheetSync.js"

/**
 * A review is evidence: the sheets of one .c1z must not change with the reviewer's time zone or
 * locale (docs/deploy.md, "A hardened deployment"). Zones with odd offsets (+12:45, -03:30) and a
 * locale whose case rules and number format differ (Turkish; Node's own ICU takes it from LC_ALL
 * whether or not the system has it installed).
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-time-zones-" }))

const environments: ReadonlyArray<Readonly<Record<string, string>>> = [
  { TZ: "UTC", LANG: "C.UTF-8" },
  { TZ: "Pacific/Chatham", LANG: "C" },
  { TZ: "America/St_Johns", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" }
]

describe("review outputs under any TZ and locale", () => {
  it.scopedLive(
    "the review commands print the same bytes for one .c1z under UTC, Pacific/Chatham and America/St_Johns with tr_TR",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        // Synced under the odd zone: the file's times are UTC whatever the writer's zone.
        const synced = yield* runCli([...flags, "-f", `${dir}/a.c1z`], { env: { TZ: "Pacific/Chatham" } })
        assertExit(synced, 0)
        const user = smallAccount.users[0]!.id
        const commands: ReadonlyArray<ReadonlyArray<string>> = [
          ["export", "-f", `${dir}/a.c1z`, "-o", "csv"],
          ["export", "-f", `${dir}/a.c1z`, "-o", "json"],
          ["resources", "-f", `${dir}/a.c1z`, "-o", "table"],
          ["grants", "-f", `${dir}/a.c1z`, "-o", "json"],
          ["access", `user:${user}`, "-f", `${dir}/a.c1z`, "-o", "table"],
          ["diff", `${dir}/a.c1z`, `${dir}/a.c1z`, "-o", "csv"]
        ]
        const outputs = yield* Effect.forEach(environments, (env) =>
          Effect.forEach(commands, (args) =>
            Effect.map(runCli(args, { env }), (result) => {
              assertExit(result, 0)
              return result.stdout
            })))
        assert.deepStrictEqual(outputs[1], outputs[0])
        assert.deepStrictEqual(outputs[2], outputs[0])
        const sync = yield* sheetSyncOf(`${dir}/a.c1z`)
        assert.match(sync.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        // The CSV sheet's rows end in CRLF (RFC 4180).
        const firstRow = outputs[0]![0]!.split("\r\n")[1]!
        assert.isTrue(firstRow.endsWith(`,${sync.id},${sync.at}`), firstRow)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 180_000 }
  )
})
