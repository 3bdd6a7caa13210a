import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, type Console, Effect, Exit, Fiber, Option, Ref, Schedule } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { run, StartupError } from "../src/Cli.js"
import { exitCode } from "../src/Exit.js"

/** Runs the command in-process with only the given environment variables. */
const runWith = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  run(["node", "baton-fivetran-http", ...args]).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer)
  )

const refusal = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(runWith(args, env))
    assert.strictEqual(exitCode(exit), 2)
    if (Exit.isSuccess(exit)) return assert.fail("expected the start to be refused")
    const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
    return error instanceof StartupError ? error.message : String(error)
  })

/** A Console that keeps what is logged. */
const capture = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<string>>([])
  const console = new Proxy(yield* Effect.console, {
    get: (target, key) =>
      key === "log"
        ? (...args: ReadonlyArray<unknown>) => Ref.update(lines, (all) => [...all, args.join(" ")])
        : Reflect.get(target, key)
  }) as Console.Console
  return { lines, console }
})

describe("start-up", () => {
  it.effect("without --sandbox it refuses to start (exit 2) and names every missing setting", () =>
    Effect.gen(function*() {
      const all = yield* refusal(["--port", "0"])
      assert.include(
        all,
        "missing --api-key (or BATON_API_KEY), --api-secret (or BATON_API_SECRET), at least one --token (or BATON_HTTP_TOKENS)"
      )
      const tokenOnly = yield* refusal(["--port", "0", "--api-key", "k"], { BATON_API_SECRET: "s" })
      assert.include(tokenOnly, "missing at least one --token (or BATON_HTTP_TOKENS);")
      const secretOnly = yield* refusal(["--port", "0", "--token", "t"], { BATON_API_KEY: "k", BATON_HTTP_TOKENS: "a,b" })
      assert.include(secretOnly, "missing --api-secret (or BATON_API_SECRET);")
      assert.notInclude(secretOnly, "--token")
    }))

  it.effect("bad values are refused with exit 2 naming the flag", () =>
    Effect.gen(function*() {
      const credentials = { BATON_API_KEY: "k", BATON_API_SECRET: "s", BATON_HTTP_TOKENS: "t" }
      assert.include(yield* refusal(["--keep-syncs", "0"], credentials), "--keep-syncs must be at least 1, got 0")
      assert.include(yield* refusal(["--concurrency", "0"], credentials), "--concurrency must be at least 1, got 0")
      assert.include(yield* refusal(["--port", "70000"], credentials), "--port must be from 0 to 65535, got 70000")
      assert.include(yield* refusal(["--base-url", "ftp://x"], credentials), "--base-url must be an http(s) URL")
      yield* refusal(["--sandbox", "huge"])
      yield* refusal(["--no-such-flag"])
    }))

  it.scopedLive("with --sandbox it serves, prints the URL and a one-time token, and stops cleanly when interrupted", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const { console, lines } = yield* capture
      const fiber = yield* runWith(["--sandbox", "--port", "0", "--data-dir", dataDir]).pipe(
        Effect.withConsole(console),
        Effect.fork
      )
      const printed = yield* Ref.get(lines).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (all) => all.some((l) => l.includes("provisioning")) }),
        Effect.zipRight(Ref.get(lines)),
        Effect.timeout("30 seconds")
      )
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed.join("\n"))?.[1]
      const token = /shown once\): (\S+)/.exec(printed.join("\n"))?.[1]
      assert.isDefined(url)
      assert.isDefined(token)
      assert.isAtLeast(token!.length, 32)
      assert.include(printed.join("\n"), "embedded Fivetran sandbox (\"small\" preset) at http://127.0.0.1:")
      assert.include(printed.join("\n"), "provisioning disabled (start with --provisioning to enable)")

      const authorized = yield* Effect.promise(() => fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${token}` } }))
      assert.strictEqual(authorized.status, 200)
      const anonymous = yield* Effect.promise(() => fetch(`${url}/readyz`))
      assert.strictEqual(anonymous.status, 401)
      assert.include(printed.join("\n"), `docs ${url}/docs, token required)`)
      const anonymousDocs = yield* Effect.promise(() => fetch(`${url}/openapi.json`).then((r) => r.status))
      assert.strictEqual(anonymousDocs, 401)

      const exit = yield* Fiber.interrupt(fiber)
      assert.strictEqual(exitCode(exit), 0)
      const refused = yield* Effect.promise(() => fetch(`${url}/healthz`).then(() => "answered", () => "refused"))
      assert.strictEqual(refused, "refused")
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})

describe("tokens from the environment", () => {
  it.scopedLive("BATON_HTTP_TOKENS (comma-separated) are the accepted tokens, none is generated; BATON_PUBLIC_DOCS opens the docs", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const { console, lines } = yield* capture
      const fiber = yield* runWith(["--sandbox", "--port", "0", "--data-dir", dataDir], {
        BATON_HTTP_TOKENS: "one, two,",
        BATON_PUBLIC_DOCS: "true"
      })
        .pipe(Effect.withConsole(console), Effect.fork)
      const printed = yield* Ref.get(lines).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (all) => all.some((l) => l.includes("provisioning")) }),
        Effect.zipRight(Ref.get(lines)),
        Effect.timeout("30 seconds")
      )
      assert.notInclude(printed.join("\n"), "shown once")
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed.join("\n"))![1]!
      const status = (token: string) =>
        Effect.promise(() => fetch(`${url}/v1/syncs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status))
      assert.deepStrictEqual(
        [yield* status("one"), yield* status("two"), yield* status("three"), yield* status("one, two")],
        [200, 200, 401, 401]
      )
      assert.include(printed.join("\n"), `docs ${url}/docs, served without a token)`)
      const docs = (path: string) => Effect.promise(() => fetch(`${url}${path}`).then((r) => r.status))
      assert.deepStrictEqual([yield* docs("/openapi.json"), yield* docs("/docs"), yield* docs("/v1/syncs")], [200, 200, 401])
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})

const mainJs = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))

describe("the process", () => {
  it.scopedLive("SIGTERM during a sync cancels it without a partial file and exits 0", () =>
    Effect.gen(function*() {
      assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("BATON_")))
      const child = spawn(process.execPath, [mainJs, "--sandbox", "medium", "--port", "0", "--data-dir", dataDir], {
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
      let stdout = ""
      child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString())
      const exited = Effect.async<number | null>((resume) => {
        child.on("exit", (code) => resume(Effect.succeed(code)))
      })
      yield* Effect.sync(() => stdout).pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (out) => out.includes("provisioning") }),
        Effect.timeout("60 seconds")
      )
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!
      const token = /shown once\): (\S+)/.exec(stdout)![1]!
      const headers = { authorization: `Bearer ${token}` }
      const job = yield* Effect.promise(() =>
        fetch(`${url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ id: string }>)
      )
      // The medium account takes seconds to sync: wait until it is under way, then stop the process.
      yield* Effect.promise(() =>
        fetch(`${url}/v1/syncs/${job.id}`, { headers }).then((r) => r.json() as Promise<{ status: string; progress: { requests: number } | null }>)
      ).pipe(
        Effect.repeat({
          schedule: Schedule.spaced("100 millis"),
          until: (current) => current.status === "running" && (current.progress?.requests ?? 0) > 0
        }),
        Effect.timeout("60 seconds")
      )
      child.kill("SIGTERM")
      const code = yield* exited.pipe(Effect.timeout("30 seconds"))
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(yield* fs.readDirectory(dataDir), [`${job.id}.json`])
      const saved = JSON.parse(yield* fs.readFileString(`${dataDir}/${job.id}.json`)) as { status: string; error: string }
      assert.strictEqual(saved.status, "cancelled")
      assert.strictEqual(saved.error, "cancelled before it finished; no file was kept")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
