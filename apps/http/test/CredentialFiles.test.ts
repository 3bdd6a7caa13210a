import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { writeFileAtomically } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { join } from "node:path"
import { awaitLogged, logged } from "./LoggedLines.js"
import { awaitSyncJob, type RunningService, runServiceOnce, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * `--api-key-file` and `--api-secret-file` on the bundled service (docs/deploy.md, "Rotating
 * credentials"): a file rewritten while it runs swaps the Fivetran credentials of the requests sent
 * from then on, without a restart; an invalid content keeps the previous ones with one warning; no
 * secret, old or new, reaches a log line or a response.
 */

const Token = "credential-files-bearer-token"
const account = generatePreset("small")
const systemKey = account.credentials.find((credential) => credential._tag === "SystemKey")!
/** A wrong secret Fivetran refuses: it must appear nowhere the service writes or answers. */
const WrongSecret = "canary0wrong0secret0c4f1e9a27b3d"

const call = (service: RunningService, path: string, token?: string, method = "GET") =>
  Effect.promise(async () => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` }
    })
    return { status: response.status, text: await response.text() }
  })

/** Asks /readyz (without a token) until it answers `status`: its check of Fivetran is kept 20 s; 60 s at most. The last answer. */
const awaitReadiness = (service: RunningService, status: number, answers: Array<string>) =>
  call(service, "/readyz").pipe(
    Effect.tap(({ text }) => Effect.sync(() => answers.push(text))),
    Effect.repeat(
      Schedule.identity<{ readonly status: number; readonly text: string }>().pipe(
        Schedule.zipLeft(Schedule.spaced("500 millis")),
        Schedule.untilInput((answer) => answer.status === status)
      )
    ),
    Effect.timeout("60 seconds"),
    Effect.orDie
  )

describe("the Fivetran key and secret files re-read while the service runs (the service process)", () => {
  it.scopedLive(
    "a wrong secret written fails the next sync job unauthorized and /readyz turns 503; the right one back syncs again; " +
      "an empty file keeps the previous credentials with one warning; no secret is logged or answered",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "credential-files-" })
        const [keyFile, secretFile] = [join(dir, "api-key"), join(dir, "api-secret")]
        yield* writeFileAtomically(keyFile, `${systemKey.key}\n`)
        yield* writeFileAtomically(secretFile, `${systemKey.secret}\n`)
        const service = yield* serviceProcessOver(
          join(dir, "data"),
          // One request at a time: the request refused is the sync's first, whatever the scheduling.
          ["--base-url", sandbox.baseUrl, "--port", "0", "--log-format", "json", "--concurrency", "1", "--api-key-file", keyFile],
          { env: { BATON_API_SECRET_FILE: secretFile, BATON_HTTP_TOKENS: Token } }
        )
        const answers: Array<string> = []
        const syncJob = (status: string) =>
          Effect.gen(function*() {
            const job = yield* startSyncJob(service, Token)
            const done = yield* awaitSyncJob(service, Token, job.id, status === "failed" ? ["failed", "succeeded"] : status)
            answers.push(JSON.stringify(done))
            return done
          })
        assert.strictEqual((yield* syncJob("succeeded")).status, "succeeded")
        assert.deepStrictEqual(yield* call(service, "/readyz"), { status: 200, text: "{\"status\":\"ready\"}" })

        // (a) A wrong secret: the requests sent from then on carry it.
        yield* writeFileAtomically(secretFile, `${WrongSecret}\n`)
        yield* awaitLogged(service, "Fivetran credentials reloaded", 1)
        const refused = yield* syncJob("failed")
        assert.deepStrictEqual(
          [refused.status, refused.error],
          ["failed", "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"]
        )
        const unready = yield* awaitReadiness(service, 503, answers)
        assert.deepStrictEqual(JSON.parse(unready.text), {
          error: "NotReady",
          message: "Fivetran refuses the configured key; GET /readyz with a token of the service says why"
        })
        const detailed = yield* call(service, "/readyz", Token)
        answers.push(detailed.text)
        assert.deepStrictEqual([detailed.status, JSON.parse(detailed.text)], [503, {
          error: "NotReady",
          message: "GET /v1/account/info: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and " +
            "api-secret settings"
        }])

        yield* writeFileAtomically(secretFile, `${systemKey.secret}\n`)
        yield* awaitLogged(service, "Fivetran credentials reloaded", 2)
        assert.strictEqual((yield* syncJob("succeeded")).status, "succeeded")
        yield* awaitReadiness(service, 200, answers)

        // (b) An empty secret file, then a key file of two lines: each refused once, the pair in force serving on.
        yield* writeFileAtomically(secretFile, "")
        yield* awaitLogged(service, "Fivetran credential file not reloaded", 1)
        assert.strictEqual((yield* syncJob("succeeded")).status, "succeeded")
        yield* writeFileAtomically(keyFile, `${systemKey.key}\n${systemKey.key}\n`)
        yield* awaitLogged(service, "Fivetran credential file not reloaded", 2)
        assert.strictEqual((yield* syncJob("succeeded")).status, "succeeded")

        assert.strictEqual(yield* service.stop, 0)
        const reloads = yield* logged(service, "Fivetran credentials reloaded")
        assert.deepStrictEqual(reloads.map((line) => [line["level"], line["files"]]), [["info", [secretFile]], ["info", [secretFile]]])
        const warnings = yield* logged(service, "Fivetran credential file not reloaded")
        assert.deepStrictEqual(warnings.map((line) => [line["level"], line["file"], line["reason"]]), [
          ["warn", secretFile, `BATON_API_SECRET_FILE "${secretFile}" is empty: write the API secret in it`],
          ["warn", keyFile, `--api-key-file "${keyFile}" holds more than one line: write the API key alone, on one line`]
        ])
        // (c) Neither secret, old or new, nor the key, anywhere the service wrote or answered.
        const written = [yield* service.stderr, ...answers].join("\n")
        for (const secret of [WrongSecret, systemKey.secret, systemKey.key]) assert.notInclude(written, secret)
      }).pipe(Effect.provide(Sandbox.layer({ snapshot: account, port: 0 })), Effect.provide(NodeContext.layer)),
    180_000
  )
})

describe("a credential file at start (the service process)", () => {
  it.scopedLive(
    "given beside its value, empty or missing, refuses the start (exit 2) naming the setting and path",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "credential-files-start-" })
        const cwd = join(dir, "cwd")
        yield* fs.makeDirectory(cwd)
        const empty = join(dir, "empty")
        yield* fs.writeFileString(empty, "\n")
        const env = { BATON_HTTP_TOKENS: Token, BATON_API_KEY: systemKey.key }
        const runs = [
          yield* runServiceOnce(["--port", "0", "--api-secret-file", empty], { cwd, env: { ...env, BATON_API_SECRET: systemKey.secret } }),
          yield* runServiceOnce(["--port", "0", "--api-secret-file", empty], { cwd, env }),
          yield* runServiceOnce(["--port", "0", "--api-secret-file", join(dir, "missing")], { cwd, env }),
          yield* runServiceOnce(["--sandbox", "--port", "0", "--api-secret-file", empty], { cwd })
        ]
        assert.deepStrictEqual(runs.map((run) => [run.code, run.stdout, run.stderr]), [
          [
            2,
            "",
            "error: both BATON_API_SECRET and --api-secret-file are given; give the API secret one way: its value, or the " +
            "file holding it (which the HTTP service re-reads, so that it rotates without a restart)\n"
          ],
          [2, "", `error: --api-secret-file "${empty}" is empty: write the API secret in it\n`],
          [2, "", `error: --api-secret-file "${join(dir, "missing")}" cannot be read (ENOENT)\n`],
          [
            2,
            "",
            "error: --api-secret-file names the Fivetran account to use, but --sandbox runs against an embedded sandbox " +
            "instead: remove one of them (a sandbox needs no base URL, key or secret)\n"
          ]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(cwd), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
