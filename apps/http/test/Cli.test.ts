import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, type Console, Effect, Exit, Fiber, Option, Ref, Schedule } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { SettingError } from "@baton-fivetran/settings"
import { run, StartupError } from "../src/Cli.js"
import { exitCode } from "../src/Exit.js"
import { PageTokenKeyError } from "../src/PageTokens.js"
import { runServiceOnce } from "./ServiceProcess.js"

/** A bearer token the service takes (16 characters at least). */
const Token = "http-cli-test-token"

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
    return error instanceof StartupError || error instanceof SettingError || error instanceof PageTokenKeyError
      ? error.message
      : String(error)
  })

/** A scratch directory holding one regular file, `a-file`: where a directory is asked for. */
const fileInTheWay = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  const file = `${dir}/a-file`
  yield* fs.writeFileString(file, "x")
  return { dir, file }
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
  it.live("without --sandbox it refuses to start (exit 2) and names every missing setting", () =>
    Effect.gen(function*() {
      const all = yield* refusal(["--port", "0"])
      assert.include(
        all,
        "missing --api-key (or BATON_API_KEY) or --api-key-file (or BATON_API_KEY_FILE), --api-secret (or BATON_API_SECRET) or " +
          "--api-secret-file (or BATON_API_SECRET_FILE), at least one --token (or BATON_HTTP_TOKENS) or a --token-file (or BATON_HTTP_TOKEN_FILE)"
      )
      const tokenOnly = yield* refusal(["--port", "0", "--api-key", "k"], { BATON_API_SECRET: "s" })
      assert.include(tokenOnly, "missing at least one --token (or BATON_HTTP_TOKENS) or a --token-file (or BATON_HTTP_TOKEN_FILE);")
      const secretOnly = yield* refusal(["--port", "0", "--token", Token], {
        BATON_API_KEY: "k",
        BATON_HTTP_TOKENS: `${Token}-a,${Token}-b`
      })
      assert.include(secretOnly, "missing --api-secret (or BATON_API_SECRET) or --api-secret-file (or BATON_API_SECRET_FILE);")
      assert.notInclude(secretOnly, "--token")
    }))

  it.live("bad values are refused with exit 2 naming the flag", () =>
    Effect.gen(function*() {
      const credentials = { BATON_API_KEY: "k", BATON_API_SECRET: "s", BATON_HTTP_TOKENS: Token }
      assert.strictEqual(
        yield* refusal(["--keep-syncs", "0"], credentials),
        "--keep-syncs: expected a whole number from 1 to 100000, got \"0\""
      )
      assert.strictEqual(
        yield* refusal(["--concurrency", "0"], credentials),
        "--concurrency: expected a whole number from 1 to 64, got \"0\""
      )
      assert.strictEqual(
        yield* refusal(["--port", "70000"], credentials),
        "--port: expected a whole number from 0 to 65535, got \"70000\""
      )
      assert.strictEqual(yield* refusal(["--port", "abc"], credentials), "--port: expected a whole number from 0 to 65535, got \"abc\"")
      assert.strictEqual(
        yield* refusal([], { ...credentials, BATON_HTTP_PORT: "abc" }),
        "BATON_HTTP_PORT: expected a whole number from 0 to 65535, got \"abc\""
      )
      assert.strictEqual(
        yield* refusal([], { ...credentials, BATON_HTTP_KEEP_SYNCS: "-3" }),
        "BATON_HTTP_KEEP_SYNCS: expected a whole number from 1 to 100000, got \"-3\""
      )
      assert.include(yield* refusal(["--base-url", "ftp://x"], credentials), "--base-url: expected an http(s) URL")
      assert.strictEqual(yield* refusal(["--sandbox", "nonsense"]), "--sandbox: expected small, medium or large, got \"nonsense\"")
      yield* refusal(["--no-such-flag"])
    }))

  it.scopedLive("a sandbox beside a base URL, key or secret given as specifically is refused (exit 2), naming both", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = `${yield* fs.makeTempDirectoryScoped()}/data`
      const refused = (given: string, sandbox: string) =>
        `${given} names the Fivetran account to use, but ${sandbox} runs against an embedded sandbox instead: ` +
        "remove one of them (a sandbox needs no base URL, key or secret)"
      const credentials = { BATON_API_KEY: "k", BATON_API_SECRET: "s" }
      assert.deepStrictEqual(
        [
          yield* refusal(["--base-url", "https://api.fivetran.com", "--data-dir", dataDir], { BATON_SANDBOX: "small" }),
          yield* refusal(["--data-dir", dataDir], { ...credentials, BATON_SANDBOX: "medium" }),
          yield* refusal(["--sandbox", "--api-secret", "s", "--data-dir", dataDir])
        ],
        [refused("--base-url", "BATON_SANDBOX"), refused("BATON_API_KEY", "BATON_SANDBOX"), refused("--api-secret", "--sandbox")]
      )
      // Refused before the data directory is made.
      assert.isFalse(yield* fs.exists(dataDir))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a token shorter than 16 characters is refused (exit 2) naming its source and place, never its value; nothing is created", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = `${yield* fs.makeTempDirectoryScoped()}/data`
      const howTo = "is shorter than 16 characters; make one with `openssl rand -base64 24`"
      const credentials = { BATON_API_KEY: "k", BATON_API_SECRET: "s" }
      const refused = yield* Effect.all([
        refusal(["--data-dir", dataDir], { ...credentials, BATON_HTTP_TOKENS: "a" }),
        refusal(["--data-dir", dataDir], { ...credentials, BATON_HTTP_TOKENS: `${Token},k7` }),
        refusal(["--data-dir", dataDir, "--token", Token, "--token", "password"], credentials),
        // The sandbox generates a token only when none is given: one given is checked.
        refusal(["--sandbox", "--port", "0", "--data-dir", dataDir, "--token", "password"])
      ])
      assert.deepStrictEqual(refused, [
        `BATON_HTTP_TOKENS: the token ${howTo}`,
        `BATON_HTTP_TOKENS: token 2 of 2 ${howTo}`,
        `--token: token 2 of 2 ${howTo}`,
        `--token: the token ${howTo}`
      ])
      assert.isFalse(yield* fs.exists(dataDir))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a data directory that is a file, or cannot be created, is refused before anything starts", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { dir, file } = yield* fileInTheWay
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0", "--data-dir", file]),
        `--data-dir "${file}" is not a directory (it is a File); give a directory for the sync files`
      )
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0"], { BATON_HTTP_DATA_DIR: `${file}/sub` }),
        `BATON_HTTP_DATA_DIR "${file}/sub" cannot be created (ENOTDIR)`
      )
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["a-file"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a temporary directory that is a file, or cannot be created, is refused before anything starts, naming its setting", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { dir, file } = yield* fileInTheWay
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0", "--data-dir", `${dir}/data`, "--temp-dir", file]),
        `--temp-dir "${file}" is not a directory (it is a File); give a directory for the working copies of the syncs queries read`
      )
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0", "--data-dir", `${dir}/data`], { BATON_HTTP_TEMP_DIR: `${file}/sub` }),
        `BATON_HTTP_TEMP_DIR "${file}/sub" cannot be created (ENOTDIR)`
      )
      // The default, tmp in the data directory, is checked the same way.
      yield* fs.writeFileString(`${dir}/data/tmp`, "not a directory")
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0", "--data-dir", `${dir}/data`]),
        `--temp-dir (default: tmp in the data directory) "${dir}/data/tmp" is not a directory (it is a File); ` +
          "give a directory for the working copies of the syncs queries read"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a page-token key file the service did not write is refused at start, and left as it is", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dataDir}/page-token.key`, "short")
      assert.strictEqual(
        yield* refusal(["--sandbox", "--port", "0", "--data-dir", dataDir]),
        `the page-token key ${dataDir}/page-token.key holds 5 bytes, not the 32 the service writes; ` +
          "delete it to have a new one made (page tokens in flight then stop working)"
      )
      assert.strictEqual(yield* fs.readFileString(`${dataDir}/page-token.key`), "short")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive(
    "a port in use names the port and suggests --port 0; a host that is not an address names the host",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const busy = yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const server = createServer()
            server.listen(0, "127.0.0.1", () => {
              resume(Effect.succeed(server))
            })
            return Effect.void
          }),
          (server) =>
            Effect.async<void>((resume) => {
              server.close(() => resume(Effect.void))
            })
        )
        const port = (busy.address() as AddressInfo).port
        assert.strictEqual(
          yield* refusal(["--sandbox", "--port", String(port), "--data-dir", dataDir]),
          `--port ${port}: the port is already in use on 127.0.0.1; choose another port, or --port 0 for any free one`
        )
        assert.strictEqual(
          yield* refusal(["--sandbox", "--port", "0", "--host", "999.1.1.1", "--data-dir", dataDir]),
          "--host \"999.1.1.1\": cannot listen on this address (ENOTFOUND); use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "with --sandbox it serves, prints the URL and a one-time token, and stops cleanly when interrupted",
    () =>
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
        // The probes need no token; every other endpoint does.
        const anonymousProbe = yield* Effect.promise(() => fetch(`${url}/readyz`))
        assert.strictEqual(anonymousProbe.status, 200)
        const anonymous = yield* Effect.promise(() => fetch(`${url}/v1/capabilities`))
        assert.strictEqual(anonymous.status, 401)
        assert.include(printed.join("\n"), `docs ${url}/docs, token required)`)
        const anonymousDocs = yield* Effect.promise(() => fetch(`${url}/openapi.json`).then((r) => r.status))
        assert.strictEqual(anonymousDocs, 401)

        const exit = yield* Fiber.interrupt(fiber)
        assert.strictEqual(exitCode(exit), 0)
        const refused = yield* Effect.promise(() => fetch(`${url}/healthz`).then(() => "answered", () => "refused"))
        assert.strictEqual(refused, "refused")
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})

describe("tokens from the environment", () => {
  it.scopedLive(
    "BATON_HTTP_TOKENS (comma-separated) are the accepted tokens, none is generated; BATON_PUBLIC_DOCS opens the docs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const { console, lines } = yield* capture
        const fiber = yield* runWith(["--sandbox", "--port", "0", "--data-dir", dataDir], {
          BATON_HTTP_TOKENS: "token-number-one, token-number-two,",
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
          [
            yield* status("token-number-one"),
            yield* status("token-number-two"),
            yield* status("token-number-three"),
            yield* status("token-number-one, token-number-two")
          ],
          [200, 200, 401, 401]
        )
        assert.include(printed.join("\n"), `docs ${url}/docs, served without a token)`)
        const docs = (path: string) => Effect.promise(() => fetch(`${url}${path}`).then((r) => r.status))
        assert.deepStrictEqual([yield* docs("/openapi.json"), yield* docs("/docs"), yield* docs("/v1/syncs")], [200, 200, 401])
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})

const mainJs = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))

/** The bundled service spawned with `args` and `env` (killed with the scope): the process, and what it has printed on stdout and stderr so far. */
const spawnBundle = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  Effect.gen(function*() {
    const child = spawn(process.execPath, [mainJs, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString())
    child.stderr.on("data", (chunk: Buffer) => stderr += chunk.toString())
    return { child, stdout: Effect.sync(() => stdout), stderr: Effect.sync(() => stderr) }
  })

/** Runs the bundled service with `args` and `env` until it exits (killed with the scope); its exit code and output. */
const runUntilExit = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  Effect.gen(function*() {
    const { child, stderr, stdout } = yield* spawnBundle(args, env)
    const code = yield* Effect.async<number | null>((resume) => {
      child.on("close", (exitCode) => resume(Effect.succeed(exitCode)))
    }).pipe(Effect.timeout("60 seconds"))
    return { code, stdout: yield* stdout, stderr: yield* stderr }
  })

/** This process's environment without its BATON_* variables: a start the test's settings alone configure. */
const envWithoutBaton = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("BATON_")))

/**
 * The bundled service started with `args` and `env` (killed with the scope), once it has printed its
 * start-up lines: the process, its URL, and what it has printed on stdout and stderr so far.
 */
const startBundle = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
    const spawned = yield* spawnBundle(args, env)
    yield* spawned.stdout.pipe(
      Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (out) => out.includes("provisioning") }),
      Effect.timeout("60 seconds")
    )
    return { ...spawned, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(yield* spawned.stdout)![1]! }
  })

describe("the process", () => {
  it.scopedLive("a refusal is one `error: ...` line on stderr and exit 2", () =>
    Effect.gen(function*() {
      assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
      const env = envWithoutBaton
      for (
        const [args, line] of [
          [["--port", "abc", "--sandbox"], "error: --port: expected a whole number from 0 to 65535, got \"abc\""],
          [["--sandbox", "nonsense"], "error: --sandbox: expected small, medium or large, got \"nonsense\""],
          [
            ["--sandbox", "--port", "0", "--token", "password"],
            "error: --token: the token is shorter than 16 characters; make one with `openssl rand -base64 24`"
          ],
          [["--no-such-flag"], "error: unknown flag '--no-such-flag' (see baton-fivetran-http --help)"]
        ] as const
      ) {
        const { code, stderr, stdout } = yield* runUntilExit(args, env)
        assert.strictEqual(code, 2, args.join(" "))
        assert.strictEqual(stderr, `${line}\n`, args.join(" "))
        assert.strictEqual(stdout, "", args.join(" "))
      }
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a proxy URL that is not http(s) is one `error: ...` line naming its variable, not its password, and exit 2",
    () =>
      Effect.gen(function*() {
        assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
        // With OTLP export on, the exporter reads the proxy too, and refuses it in the same words.
        for (const otlp of [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example:4318" }]) {
          const env = {
            ...Object.fromEntries(
              Object.entries(process.env).filter(([key]) => !key.startsWith("BATON_") && !key.startsWith("OTEL_") && !/_proxy$/i.test(key))
            ),
            HTTPS_PROXY: "socks5://egress:PROXYSECRET9@proxy.corp:1080",
            BATON_API_KEY: "key",
            BATON_API_SECRET: "secret",
            BATON_HTTP_TOKENS: "proxy-test-token-0123",
            ...otlp
          }
          const { code, stderr } = yield* runUntilExit(["--port", "0"], env)
          assert.strictEqual(code, 2)
          assert.strictEqual(
            stderr,
            "error: bad proxy setting: HTTPS_PROXY: expected an http:// or https:// proxy URL (socks5:// proxies are not supported)\n"
          )
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a missing key or secret (an empty BATON_API_SECRET too) is refused before ./data is made", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const cwd = yield* fs.makeTempDirectoryScoped()
      const refused = yield* runServiceOnce(["--port", "0"], {
        cwd,
        env: { BATON_API_KEY: "k", BATON_API_SECRET: "", BATON_HTTP_TOKENS: Token }
      })
      assert.deepStrictEqual(refused, {
        code: 2,
        stdout: "",
        stderr: "error: missing --api-secret (or BATON_API_SECRET) (BATON_API_SECRET is set but empty, which counts as " +
          "unset: give it a value) or --api-secret-file (or BATON_API_SECRET_FILE); or start with --sandbox to serve against an embedded sandbox\n"
      })
      // The default data directory (./data) and its tmp were made, then left behind by the refusal.
      assert.deepStrictEqual(yield* fs.readDirectory(cwd), [])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)

  it.scopedLive("an unusable --temp-dir is one `error: ...` line naming it and the setting, and exit 2", () =>
    Effect.gen(function*() {
      assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/a-file`, "x")
      const env = envWithoutBaton
      const { code, stderr } = yield* runUntilExit([
        "--sandbox",
        "--port",
        "0",
        "--data-dir",
        `${dir}/data`,
        "--temp-dir",
        `${dir}/a-file/copies`
      ], env)
      assert.strictEqual(code, 2)
      assert.strictEqual(stderr, `error: --temp-dir "${dir}/a-file/copies" cannot be created (ENOTDIR)\n`)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "with TMPDIR unusable, queries still read the sync: its working copy goes to tmp in the data directory; both made owner-only",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = `${yield* fs.makeTempDirectoryScoped()}/data`
        const { url } = yield* startBundle(["--sandbox", "--port", "0", "--data-dir", dataDir], {
          ...envWithoutBaton,
          BATON_HTTP_TOKENS: Token,
          TMPDIR: "/nonexistent-tmp"
        })
        const headers = { authorization: `Bearer ${Token}` }
        const job = yield* Effect.promise(() =>
          fetch(`${url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ id: string }>)
        )
        yield* Effect.promise(() => fetch(`${url}/v1/syncs/${job.id}`, { headers }).then((r) => r.json() as Promise<{ status: string }>))
          .pipe(
            Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (current) => current.status === "succeeded" }),
            Effect.timeout("60 seconds")
          )
        const page = yield* Effect.promise(() =>
          fetch(`${url}/v1/resources?type=team`, { headers }).then(async (r) => ({
            status: r.status,
            body: await r.json() as { sync_id: string; items: ReadonlyArray<unknown> }
          }))
        )
        assert.deepStrictEqual([page.status, page.body.sync_id, page.body.items?.length], [200, job.id, 3])
        // The open reader's copy, in the data directory's tmp.
        assert.match((yield* fs.readDirectory(`${dataDir}/tmp`)).join(","), /^c1z-\d+-\w{6}$/)
        // Made by the start (Cli.ts), whatever the umask: they hold every user's access.
        const modes = yield* Effect.all([fs.stat(dataDir), fs.stat(`${dataDir}/tmp`)])
        assert.deepStrictEqual(modes.map((info) => info.mode & 0o777), [0o700, 0o700])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "after a SIGKILL mid-sync, the restarted service marks that job failed (interrupted) and serves the last good sync",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const start = Effect.gen(function*() {
          const { child, url } = yield* startBundle(["--sandbox", "medium", "--port", "0", "--data-dir", dataDir], {
            ...envWithoutBaton,
            BATON_HTTP_TOKENS: Token
          })
          const exited = Effect.async<NodeJS.Signals | null>((resume) => {
            child.on("exit", (_code, signal) => resume(Effect.succeed(signal)))
          })
          return { child, url, exited }
        })
        const headers = { authorization: `Bearer ${Token}` }
        const getJson = <A>(url: string, init?: RequestInit) =>
          Effect.tryPromise(() => fetch(url, { headers, ...init }).then((r) => r.json() as Promise<A>)).pipe(Effect.orDie)
        type Job = {
          id: string
          status: string
          error: string | null
          progress: { requests: number } | null
          started_at: string | null
          finished_at: string | null
        }
        const jobOf = (url: string, id: string) => getJson<Job>(`${url}/v1/syncs/${id}`)

        const first = yield* start
        const good = yield* getJson<Job>(`${first.url}/v1/syncs`, { method: "POST" })
        yield* jobOf(first.url, good.id).pipe(
          Effect.repeat({ schedule: Schedule.spaced("200 millis"), until: (job) => job.status !== "queued" && job.status !== "running" }),
          Effect.timeout("120 seconds")
        )
        const cut = yield* getJson<Job>(`${first.url}/v1/syncs`, { method: "POST" })
        yield* jobOf(first.url, cut.id).pipe(
          Effect.repeat({
            schedule: Schedule.spaced("100 millis"),
            until: (job) => job.status === "running" && (job.progress?.requests ?? 0) > 0
          }),
          Effect.timeout("60 seconds")
        )
        first.child.kill("SIGKILL")
        assert.strictEqual(yield* first.exited, "SIGKILL")
        // The killed process's last refresh of its lock, set to a moment within the job's run: the
        // restart dates the job's end by it, not by its own start.
        const startedAt = (JSON.parse(yield* fs.readFileString(`${dataDir}/${cut.id}.json`)) as Job).started_at!
        const lastRefresh = new Date(Date.parse(startedAt) + 250)
        yield* fs.utimes(`${dataDir}/baton-fivetran-http.lock`, lastRefresh, lastRefresh)

        const second = yield* start
        const restarted = yield* jobOf(second.url, cut.id)
        assert.deepStrictEqual(
          [restarted.status, restarted.started_at, restarted.finished_at],
          ["failed", startedAt, lastRefresh.toISOString()]
        )
        assert.strictEqual(restarted.error, "interrupted: the service stopped before this sync finished; no file was kept")
        assert.strictEqual((yield* jobOf(second.url, good.id)).status, "succeeded")
        const page = yield* getJson<{ sync_id: string; items: ReadonlyArray<unknown> }>(`${second.url}/v1/resources?type=user&page_size=5`)
        assert.strictEqual(page.sync_id, good.id)
        assert.strictEqual(page.items.length, 5)
        assert.deepStrictEqual(
          (yield* fs.readDirectory(dataDir)).sort(),
          [`${cut.id}.json`, `${good.id}.c1z`, `${good.id}.json`, "baton-fivetran-http.lock", "page-token.key", "tmp"].sort()
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    300_000
  )

  it.scopedLive("logs go to stderr once each, in the chosen format; stdout carries only the start-up lines", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const env = { ...envWithoutBaton, BATON_HTTP_TOKENS: Token }
      const service = yield* startBundle(["--sandbox", "small", "--port", "0", "--data-dir", dataDir, "--log-format", "json"], env)
      const { child, url } = service
      const exited = Effect.async<number | null>((resume) => {
        child.on("close", (code) => resume(Effect.succeed(code)))
      })
      const statuses = yield* Effect.promise(() =>
        Promise.all([
          fetch(`${url}/healthz`),
          fetch(`${url}/v1/resources`),
          fetch(`${url}/v1/syncs`, { headers: { authorization: `Bearer ${Token}` } })
        ]).then((responses) => responses.map((r) => r.status))
      )
      assert.deepStrictEqual(statuses, [200, 401, 200])
      child.kill("SIGTERM")
      assert.strictEqual(yield* exited.pipe(Effect.timeout("30 seconds")), 0)
      const [stdout, stderr] = [yield* service.stdout, yield* service.stderr]
      const sandboxUrl = /sandbox \("small" preset\) at (\S+)/.exec(stdout)?.[1]
      // The version as --version prints it: with the commit the bundle was built from.
      const versionLine = execFileSync(process.execPath, [mainJs, "--version"], { encoding: "utf8", env }).trim()
      assert.match(versionLine, /^0\.1\.0 \(commit [0-9a-f]{12}(-dirty)?\)$/)
      assert.deepStrictEqual(stdout.trimEnd().split("\n"), [
        `embedded Fivetran sandbox ("small" preset) at ${sandboxUrl}`,
        `baton-fivetran-http ${versionLine} listening on ${url} (OpenAPI ${url}/openapi.json, docs ${url}/docs, token required)`,
        "provisioning disabled (start with --provisioning to enable)"
      ])
      const requests = stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.msg === "http request")
        .map((entry) => `${entry.status} ${entry.route}`)
        .sort()
      // A probe's success is logged at debug only.
      assert.deepStrictEqual(requests, ["200 /v1/syncs", "401 /v1/resources"])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("SIGTERM during a sync cancels it (reason shutdown) without a partial file, exit 0", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const service = yield* startBundle(["--sandbox", "medium", "--port", "0", "--data-dir", dataDir], envWithoutBaton)
      const { child, url } = service
      const exited = Effect.async<number | null>((resume) => {
        child.on("exit", (code) => resume(Effect.succeed(code)))
      })
      const token = /shown once\): (\S+)/.exec(yield* service.stdout)![1]!
      const headers = { authorization: `Bearer ${token}` }
      const job = yield* Effect.promise(() =>
        fetch(`${url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ id: string }>)
      )
      // The medium account takes seconds to sync: wait until it is under way, then stop the process.
      yield* Effect.promise(() =>
        fetch(`${url}/v1/syncs/${job.id}`, { headers }).then((r) =>
          r.json() as Promise<{ status: string; progress: { requests: number } | null }>
        )
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
      assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).sort(), [`${job.id}.json`, "page-token.key", "tmp"])
      const saved = JSON.parse(yield* fs.readFileString(`${dataDir}/${job.id}.json`)) as { status: string; error: string }
      assert.strictEqual(saved.status, "cancelled")
      assert.strictEqual(saved.error, "cancelled by the service's shutdown before it finished; no file was kept")
      // The reason baton_sync_jobs_total counts it by, and the CLI's interrupted sync line has.
      const cancelled = (yield* service.stderr).trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.msg === "sync job cancelled")
        .map(({ ts: _, ...entry }) => entry)
      assert.deepStrictEqual(cancelled, [{
        level: "warn",
        msg: "sync job cancelled",
        // The POST that started it: its request id and the token's fingerprint.
        request_id: cancelled[0]?.["request_id"],
        caller: cancelled[0]?.["caller"],
        job: job.id,
        c1z_sync_id: cancelled[0]?.["c1z_sync_id"],
        error: "cancelled by the service's shutdown before it finished; no file was kept",
        reason: "shutdown"
      }])
      assert.match(String(cancelled[0]?.["caller"]), /^token:[0-9a-f]{12}$/)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
