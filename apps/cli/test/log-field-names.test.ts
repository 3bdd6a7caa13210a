import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * JSON log lines name their fields in snake case, with the unit in a duration's name (`duration_ms`),
 * as the HTTP service's lines do: one log query reads the CLI's CronJob and the service alike. The
 * `sync complete` line's fields were the summary's camelCase names (`durationMillis`,
 * `rateLimitWaitMillis`), and the c1z writer's `wrote the sync file` line's `syncId` and `resourceTypes`.
 */

const snakeCase = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-log-fields-" }))

describe("JSON log field names", () => {
  it.scopedLive("a sync's lines, at debug, and its summary line: every field in snake case", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "--file", `${dir}/out.c1z`, "--log-format", "json", "--log-level", "debug"])
      assertExit(result, 0)
      const lines = jsonLines(result.stderr)

      const summary = lines.find((line) => line.msg === "sync complete")!
      assert.deepStrictEqual(Object.keys(summary).sort(), [
        "c1z_sync_id",
        "duration_ms",
        "entitlements",
        "file",
        "grants",
        "grants_derived",
        "grants_direct",
        "level",
        "msg",
        "rate_limit",
        "rate_limit_lowest_remaining",
        "rate_limit_reserve",
        "rate_limit_wait_ms",
        "rate_limit_window_seconds",
        "repeat_budget_wait_ms",
        "requests",
        "resource_types",
        "resources",
        "resources_by_type",
        "retries",
        "retry_backoff_ms",
        "ts",
        "warning_messages",
        "warnings"
      ])
      // Counts, as on the writer's line and the service's job lines (log-field-types.test.ts).
      assert.deepStrictEqual(
        [summary["resources"], summary["grants"], summary["grants_direct"], summary["grants_derived"], summary["warnings"]],
        [38, 122, 91, 31, 0]
      )
      assert.deepStrictEqual(
        [summary["requests"], summary["retries"], summary["rate_limit_wait_ms"], summary["retry_backoff_ms"]],
        [14, 0, 0, 0]
      )

      // Every request's line has its duration as duration_ms (it was `ms`).
      const requests = lines.filter((line) => line.msg === "Fivetran request")
      assert.strictEqual(requests.length, 14)
      assert.isTrue(requests.every((line) => typeof line["duration_ms"] === "number" && !("ms" in line)))

      // The c1z writer's line names the sync id as the service's job lines do (it was `syncId`, `resourceTypes`).
      const wrote = lines.find((line) => line.msg === "wrote the sync file")!
      assert.deepStrictEqual(Object.keys(wrote).sort(), [
        "bytes",
        "c1z_sync_id",
        "entitlements",
        "grants",
        "level",
        "msg",
        "path",
        "resource_types",
        "resources",
        "ts"
      ])
      assert.deepStrictEqual([wrote["resource_types"], wrote["resources"], wrote["entitlements"], wrote["grants"]], [4, 38, 51, 122])
      assert.match(String(wrote["c1z_sync_id"]), /^[0-9A-Za-z]{27}$/)

      // A msg is fixed, its values fields: the phase lines said `syncing teams: 14 resources, ...` and the
      // writer's the file's path, which no alert or query could match.
      assert.deepStrictEqual(
        lines.filter((line) => line.msg === "sync phase").map((line) => [line["phase"], typeof line["requests"]]),
        ["resource types", "teams", "users", "derived grants", "groups", "done"].map((phase) => [phase, "number"])
      )
      assert.deepStrictEqual(
        lines.filter((line) => String(line.msg).includes(dir) || /\d/.test(String(line.msg))).map((line) => line.msg),
        []
      )
      const finishing = lines.find((line) => line.msg === "every row is written: indexing and compressing the sync file")!
      assert.strictEqual(finishing["path"], `${dir}/out.c1z`)

      const camel = lines.flatMap((line) =>
        Object.keys(line).filter((key) => !snakeCase.test(key)).map((key) => `${String(line.msg)}: ${key}`)
      )
      assert.deepStrictEqual(camel, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 120_000 })
})
