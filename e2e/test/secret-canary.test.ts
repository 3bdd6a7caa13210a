import { openC1z } from "@baton-fivetran/c1z"
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Context, Effect, Layer, Schedule, Stream } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The secret canary: the CLI and the HTTP service run at debug level with a recognisable API
 * secret and bearer token, through a succeeding and a failing sync and a succeeding and a failing
 * provisioning call each; the canaries (and the Basic credentials built from the secret) must
 * appear nowhere: stdout, stderr, log lines, files in the data directory, .c1z contents, HTTP
 * responses (bodies and headers).
 */

const CanarySecret = "canary-secret-5f1e9b7d3c"
const CanaryToken = "canary-bearer-token-8a2c4e6f"

const cliJs = fileURLToPath(new URL("../../apps/cli/bundle/baton-fivetran.js", import.meta.url))
const httpJs = fileURLToPath(new URL("../../apps/http/bundle/baton-fivetran-http.js", import.meta.url))

interface Output {
  stdout: string
  stderr: string
}

const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" })

const runCli = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<Output & { code: number | null }>((resume) => {
    const child = spawn(process.execPath, [cliJs, ...args], { env: { ...baseEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] })
    const out: Output = { stdout: "", stderr: "" }
    child.stdout.on("data", (chunk: Buffer) => out.stdout += chunk.toString())
    child.stderr.on("data", (chunk: Buffer) => out.stderr += chunk.toString())
    child.on("close", (code) => resume(Effect.succeed({ ...out, code })))
  })

/** Every file under `dir`, raw; and for each .c1z, every row it holds as JSON. */
const everythingWritten = (dir: string): Effect.Effect<ReadonlyArray<readonly [string, string]>> =>
  Effect.gen(function*() {
    const found: Array<readonly [string, string]> = []
    for (const entry of yield* Effect.promise(() => readdir(dir, { withFileTypes: true }))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        found.push(...(yield* everythingWritten(path)))
        continue
      }
      found.push([path, (yield* Effect.promise(() => readFile(path))).toString("latin1")])
      if (entry.name.endsWith(".c1z")) {
        const rows = yield* Effect.scoped(Effect.gen(function*() {
          const reader = yield* openC1z(path)
          const all = <A>(stream: Stream.Stream<A, unknown>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
          return JSON.stringify([
            yield* all(reader.resources()),
            yield* all(reader.entitlements()),
            yield* all(reader.grants())
          ])
        })).pipe(Effect.orDie)
        found.push([`${path} (rows)`, rows])
      }
    }
    return found
  })

describe("secret canary", () => {
  it.scopedLive("the API secret and the bearer token appear in no output, log, file, .c1z or HTTP answer", () =>
    Effect.gen(function*() {
      for (const bundle of [cliJs, httpJs]) assert.isTrue(existsSync(bundle), `${bundle} is missing: build first`)
      const snapshot = generatePreset("small")
      const key = snapshot.credentials.find((c) => c._tag === "SystemKey")!
      const canaried = {
        ...snapshot,
        credentials: snapshot.credentials.map((c) => c.key === key.key ? { ...c, secret: CanarySecret } : c)
      }
      const sandbox = Context.get(yield* Layer.build(Sandbox.layer({ snapshot: canaried, port: 0 })), Sandbox)
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "secret-canary-"))),
        (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
      )
      const seen: Array<readonly [string, string]> = []
      const env = { BATON_API_KEY: key.key, BATON_API_SECRET: CanarySecret }
      const common = ["--base-url", sandbox.baseUrl, "--log-level", "debug", "--log-format", "json"]
      const team = snapshot.teams[0]!.id
      const user = snapshot.users.find((u) => !snapshot.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const grant = ["-p", "--grant-entitlement", `team:${team}:member`, "--grant-principal", user, "--grant-principal-type", "user"]

      // The CLI: a sync and a grant that succeed, then both again while Fivetran fails.
      const cliRuns = [
        { label: "cli sync ok", args: ["-f", join(dir, "ok.c1z"), ...common], faults: false, code: 0 },
        { label: "cli grant ok", args: [...grant, ...common], faults: false, code: 0 },
        { label: "cli sync failing", args: ["-f", join(dir, "failed.c1z"), ...common], faults: true, code: 1 },
        { label: "cli grant failing", args: ["-p", "--revoke-grant", `team:${team}:member:user:${user}`, ...common], faults: true, code: 1 }
      ]
      for (const run of cliRuns) {
        yield* sandbox.setFaults(run.faults ? { serverErrorShare: 1 } : {})
        const result = yield* runCli(run.args, env)
        assert.strictEqual(result.code, run.code, `${run.label}: ${result.stderr.slice(-500)}`)
        seen.push([`${run.label} stdout`, result.stdout], [`${run.label} stderr`, result.stderr])
      }
      yield* sandbox.setFaults({})
      assert.include(seen.map(([, text]) => text).join("\n"), "\"level\":\"debug\"", "the CLI logged at debug level")

      // The HTTP service, at debug level, with the canary token.
      const dataDir = join(dir, "data")
      const child = spawn(process.execPath, [
        httpJs,
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--provisioning",
        "--base-url",
        sandbox.baseUrl,
        "--log-level",
        "debug"
      ], {
        env: { ...baseEnv(), ...env, BATON_HTTP_TOKENS: CanaryToken },
        stdio: ["ignore", "pipe", "pipe"]
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
      const http: Output = { stdout: "", stderr: "" }
      child.stdout.on("data", (chunk: Buffer) => http.stdout += chunk.toString())
      child.stderr.on("data", (chunk: Buffer) => http.stderr += chunk.toString())
      const closed = Effect.async<void>((resume) => {
        child.on("close", () => resume(Effect.void))
      })
      yield* Effect.sync(() => http.stdout).pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (out) => out.includes("provisioning") }),
        Effect.timeout("60 seconds")
      )
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(http.stdout)![1]!
      const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) =>
        Effect.promise(async () => {
          const response = await fetch(`${url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${options.token ?? CanaryToken}`,
              ...(options.body === undefined ? {} : { "content-type": "application/json" })
            },
            ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
          })
          const text = await response.text()
          seen.push([`http ${method} ${path} ${response.status}`, `${JSON.stringify([...response.headers])}\n${text}`])
          return { status: response.status, text }
        })
      const syncJob = (faults: boolean) =>
        Effect.gen(function*() {
          yield* sandbox.setFaults(faults ? { serverErrorShare: 1 } : {})
          const started = JSON.parse((yield* call("POST", "/v1/syncs")).text) as { id: string }
          const done = yield* call("GET", `/v1/syncs/${started.id}`).pipe(
            Effect.map((answer) => JSON.parse(answer.text) as { status: string }),
            Effect.filterOrFail((job) => job.status !== "queued" && job.status !== "running", () => "still running"),
            Effect.retry(Schedule.spaced("200 millis")),
            Effect.timeout("120 seconds")
          )
          yield* sandbox.setFaults({})
          return done.status
        })
      assert.strictEqual(yield* syncJob(false), "succeeded")
      assert.strictEqual(yield* syncJob(true), "failed")
      const body = { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } }
      // The CLI granted it and its revoke failed: the grant is already there (200).
      assert.strictEqual((yield* call("POST", "/v1/grants", { body })).status, 200)
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      assert.strictEqual((yield* call("DELETE", `/v1/grants/${encodeURIComponent(`team:${team}:member:user:${user}`)}`)).status, 502)
      yield* sandbox.setFaults({})
      assert.strictEqual((yield* call("GET", "/v1/capabilities", { token: `${CanaryToken}-wrong` })).status, 401)
      yield* call("GET", "/v1/syncs")
      yield* call("GET", "/v1/resources?type=user&page_size=3")
      child.kill("SIGTERM")
      yield* closed.pipe(Effect.timeout("30 seconds"))
      seen.push(["http stdout", http.stdout], ["http stderr", http.stderr])
      assert.include(http.stderr, "\"level\":\"debug\"", "the service logged at debug level")

      seen.push(...(yield* everythingWritten(dir)))
      assert.isTrue(seen.some(([name]) => name.endsWith("ok.c1z (rows)")), "the CLI's sync file was read back")
      assert.isTrue(seen.some(([name]) => name.includes("data") && name.endsWith(".c1z (rows)")), "the service's sync file was read back")
      const basic = Buffer.from(`${key.key}:${CanarySecret}`).toString("base64")
      for (const [where, text] of seen) {
        for (const canary of [CanarySecret, CanaryToken, basic]) {
          assert.isFalse(text.includes(canary), `a canary (${canary.slice(0, 12)}...) appeared in ${where}`)
        }
      }
      yield* Effect.logWarning(`secret canary: ${seen.length} outputs, files and answers checked, no canary found`)
    }).pipe(Effect.provide(NodeContext.layer)), 300_000)
})
