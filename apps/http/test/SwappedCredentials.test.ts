import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { logFields } from "./Harness.js"
import { awaitSyncJob, sandboxServiceArgs, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"
import { tempDir } from "./support/ExplorerBrowser.js"

/**
 * The bundled service given its Fivetran key and secret in each other's place: a sync job's error,
 * served and logged, says they look swapped, as the CLI's does, and quotes neither. Before, it read
 * as any refused key ("check the api-key and api-secret settings").
 */

const Token = "swapped-credentials-test-token"

describe("a key and secret given swapped (the service process)", () => {
  it.scopedLive(
    "a sync job fails saying they look swapped, in its error and its log line, never quoting either",
    () =>
      Effect.gen(function*() {
        const { args, env } = yield* sandboxServiceArgs(Token)
        const key = env.BATON_API_KEY!
        const secret = env.BATON_API_SECRET!
        const swapped = { ...env, BATON_API_KEY: secret, BATON_API_SECRET: key }
        const service = yield* serviceProcessOver(yield* tempDir("swapped-credentials-"), [...args, "--log-format", "json"], {
          env: swapped
        })
        const started = yield* startSyncJob(service, Token)
        const failed = yield* awaitSyncJob(service, Token, started.id, "failed")
        const error = "Fivetran rejected the API key or secret (401 on GET /v1/roles); the key given has a secret's shape " +
          "and the secret a key's: they look swapped; check the api-key and api-secret settings"
        assert.strictEqual(failed.error, error)
        const stderr = yield* service.stderr
        const failedLines = stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line["msg"] === "sync job failed")
        assert.deepStrictEqual(failedLines.map((line) => [line["error"], line["reason"]]), [[error, "unauthorized"]])
        assert.notInclude(stderr, key)
        assert.notInclude(stderr, secret)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
