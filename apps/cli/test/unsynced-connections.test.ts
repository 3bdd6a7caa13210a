import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { smallAccount } from "./support/Sandboxes.js"
import { sheetSyncOf, syncLine } from "./support/SheetSync.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * A sync without --sync-connections holds no connections: `resources --type connection` printed
 * "(none)" and "0 resources", read as an account without connections, and `access --resource
 * connection:<id>` refused a real connection as "not in <file> (list them with: baton-fivetran
 * resources)", which lists none. Both now say the file was synced without connections and how to
 * get them; a file synced with them answers as before.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-unsynced-connections-" }))

const connection = smallAccount.connections[0]!.id

describe("review commands on a sync without connections", () => {
  it.scopedLive(
    "resources --type connection warns why there are none; a connection's id is refused saying the same; with connections, as before",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const [without, withConnections] = [`${dir}/without.c1z`, `${dir}/with.c1z`]
        yield* copySandboxSync(without, "small")
        yield* copySandboxSync(withConnections, "small with connections")
        const why = `${without} holds no connections: it was synced without --sync-connections (sync with it to review connections)`

        const table = yield* runCli(["resources", "--type", "connection", "-f", without, "-o", "table"])
        assert.deepStrictEqual(table, {
          exitCode: 0,
          stdout: "(none)\n",
          stderr: `${why}\n0 resources\n${syncLine(yield* sheetSyncOf(without))}`
        })
        const json = yield* runCli(["resources", "--type", "connection", "-f", without, "-o", "json"], {
          env: { BATON_LOG_FORMAT: "json" }
        })
        assertExit(json, 0)
        assert.strictEqual(json.stdout, "")
        assert.deepStrictEqual(logFields(json.stderr), [{ level: "warn", msg: why, resource_type: "connection" }])

        for (
          const [args, what] of [
            [["access", "--resource", `connection:${connection}`], `connection:${connection}`],
            [["entitlements", "--resource", `connection:${connection}`], `connection:${connection}`],
            [
              ["access", "--entitlement", `connection:${connection}:Manage Connection`],
              `entitlement connection:${connection}:Manage Connection`
            ],
            [
              ["grants", "--entitlement", `connection:${connection}:Manage Connection`],
              `entitlement connection:${connection}:Manage Connection`
            ]
          ] as const
        ) {
          const refused = yield* runCli([...args, "-f", without])
          assert.deepStrictEqual(
            refused,
            { exitCode: 2, stdout: "", stderr: `error: ${what} is not in ${without}: ${why}\n` },
            args.join(" ")
          )
        }

        // Synced with connections: they are listed, and an id the file lacks is a typo, as before.
        const listed = yield* runCli(["resources", "--type", "connection", "-f", withConnections, "-o", "table"])
        assertExit(listed, 0)
        assert.strictEqual(listed.stderr, `${smallAccount.connections.length} resources\n${syncLine(yield* sheetSyncOf(withConnections))}`)
        const typo = yield* runCli(["access", "--resource", "connection:no_such_connection", "-f", withConnections])
        assert.deepStrictEqual(typo, {
          exitCode: 2,
          stdout: "",
          stderr: `error: connection:no_such_connection is not in ${withConnections} (list them with: baton-fivetran resources)\n`
        })
        const users = yield* runCli(["resources", "--type", "user", "-f", without, "-o", "table"])
        assert.strictEqual(users.stderr, `${smallAccount.users.length} resources\n${syncLine(yield* sheetSyncOf(without))}`)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
