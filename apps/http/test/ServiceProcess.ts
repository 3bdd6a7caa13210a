import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert } from "@effect/vitest"
import { type Duration, Effect, Schedule } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const serviceBundle = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))

/**
 * The bundled service as a process of its own, with `args` and a fresh data directory, and only
 * PATH and `env` (its secrets, as a deployment gives them) in its environment. It is stopped
 * (SIGTERM, by its own handle) and its data directory removed when the scope closes. Succeeds with
 * what `ready` finds in its stdout once it has printed it (e.g. its URL); fails if the process exits first.
 */
export const startServiceProcess = <A>(
  args: ReadonlyArray<string>,
  ready: (printed: string) => A | undefined,
  env: Readonly<Record<string, string>> = {}
) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(serviceBundle), `${serviceBundle} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
    const dataDir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-process-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [serviceBundle, ...args, "--data-dir", dataDir], {
          env: { PATH: process.env.PATH ?? "", ...env },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (started) =>
        Effect.async<void>((resume) => {
          if (started.exitCode !== null) return resume(Effect.void)
          started.once("exit", () => resume(Effect.void))
          started.kill("SIGTERM")
        })
    )
    return yield* Effect.async<A, Error>((resume) => {
      let printed = ""
      child.stdout!.on("data", (data: Buffer) => {
        printed += data.toString()
        const found = ready(printed)
        if (found !== undefined) resume(Effect.succeed(found))
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`the service exited (${code}) before it was ready: ${printed}`))))
    }).pipe(Effect.timeout("60 seconds"))
  })

/** The bundled service with a sandbox of its own (`--sandbox`) on a free port, taking `token`: its port, for a raw socket. */
export const sandboxedServicePort = (token: string) =>
  startServiceProcess(
    ["--sandbox", "--port", "0"],
    (printed) => {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]
      return port === undefined ? undefined : Number(port)
    },
    { BATON_HTTP_TOKENS: token }
  )

/** What a service run by `runServiceOnce` printed, and its exit code. */
export interface FinishedService {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the bundled service in `cwd` with PATH, HOME and `env` only (no BATON_* leaks in); once it
 * has printed its start-up lines (or exited), runs `whileUp` against its URL, stops it with SIGTERM
 * and returns what it printed. A start it refuses ends with its exit code and no `whileUp`.
 */
export const runServiceOnce = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string } & ServiceProcessOptions,
  whileUp: (url: string) => Effect.Effect<void> = () => Effect.void
) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(serviceBundle), `${serviceBundle} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
    const child = spawnService([serviceBundle, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env }
    }, options)
    yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString())
    child.stderr.on("data", (chunk: Buffer) => stderr += chunk.toString())
    // Listened for at once: a refused start closes before the test looks.
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve))
    yield* Effect.sync(() => stdout.includes("provisioning ") || child.exitCode !== null).pipe(
      Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (ready) => ready }),
      Effect.timeout("60 seconds"),
      Effect.orDie
    )
    const url = /listening on (http:\/\/\S+:\d+)/.exec(stdout)?.[1]
    if (url !== undefined) {
      yield* whileUp(url)
      child.kill("SIGTERM")
    }
    const code = yield* Effect.promise(() => closed).pipe(Effect.timeout("60 seconds"), Effect.orDie)
    return { code, stdout, stderr } satisfies FinishedService
  })

/** A bundled service process started by `serviceProcessOver`. */
export interface RunningService {
  readonly child: ChildProcess
  readonly url: string
  /** What it has written on stderr so far. */
  readonly stderr: Effect.Effect<string>
  /** Sends SIGTERM and waits for its exit code. */
  readonly stop: Effect.Effect<number | null>
}

/** A sync job as the job API answers it: the fields the tests read. */
export interface SyncJobAnswer {
  readonly id: string
  readonly status: string
  readonly error: string | null
}

const syncJobAnswer = (service: RunningService, token: string, path: string, method = "GET") =>
  Effect.promise(() =>
    fetch(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } })
      .then((response) => response.json() as Promise<SyncJobAnswer>)
  )

/** Starts a sync job with `token` (POST /v1/syncs). */
export const startSyncJob = (service: RunningService, token: string) => syncJobAnswer(service, token, "/v1/syncs", "POST")

/**
 * Job `id` read every 100 ms until its status is `status` (or one of them: a test that waits for a
 * failure can stop at a success too, and say so), `timeout` at most: the job as it then was.
 */
export const awaitSyncJob = (
  service: RunningService,
  token: string,
  id: string,
  status: string | ReadonlyArray<string>,
  timeout: Duration.DurationInput = "60 seconds"
) =>
  syncJobAnswer(service, token, `/v1/syncs/${id}`).pipe(
    // Each answer passes through the schedule: the repeat ends with the job as it last was.
    Effect.repeat(
      Schedule.identity<SyncJobAnswer>().pipe(
        Schedule.zipLeft(Schedule.spaced("100 millis")),
        Schedule.untilInput((job) => typeof status === "string" ? job.status === status : status.includes(job.status))
      )
    ),
    Effect.timeout(timeout),
    Effect.orDie
  )

export interface ServiceProcessOptions {
  /** Variables beside PATH and HOME: the secrets, as a deployment gives them (a flag's value shows in `ps`). */
  readonly env?: Readonly<Record<string, string>>
  /**
   * The largest file the process may write, in 512-byte blocks (`ulimit -f`; SIGXFSZ ignored, so a
   * write past it fails with EFBIG): a disk that fills up under a sync, without a small volume.
   */
  readonly fileSizeLimitBlocks?: number
}

/** Node running `args` with piped output, under `options`' file size limit if any. */
const spawnService = (
  args: ReadonlyArray<string>,
  spawnOptions: { readonly cwd?: string; readonly env: Record<string, string> },
  options: ServiceProcessOptions
) => {
  const command = [process.execPath, ...args]
  const stdio: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"]
  // The shell execs node in its place: the child's pid is the service's.
  return options.fileSizeLimitBlocks === undefined
    ? spawn(command[0]!, command.slice(1), { ...spawnOptions, stdio })
    : spawn("/bin/sh", ["-c", `trap '' XFSZ; ulimit -f ${options.fileSizeLimitBlocks}; exec "$@"`, "sh", ...command], {
      ...spawnOptions,
      stdio
    })
}

/**
 * The bundled service as a process over `dataDir`, which the caller owns (so that a second process,
 * or the next one, can be started over it), with PATH, HOME, `options.env` and `args` only; running
 * once it has printed its start-up lines. Killed (SIGKILL) when the scope closes if it is still running.
 */
export const serviceProcessOver = (dataDir: string, args: ReadonlyArray<string>, options: ServiceProcessOptions = {}) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(serviceBundle), `${serviceBundle} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env }
    const child = spawnService([serviceBundle, ...args, "--data-dir", dataDir], { env }, options)
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString())
    child.stderr.on("data", (chunk: Buffer) => stderr += chunk.toString())
    yield* Effect.sync(() => stdout.includes("provisioning ") || child.exitCode !== null).pipe(
      Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (ready) => ready }),
      Effect.timeout("60 seconds"),
      Effect.orDie
    )
    const url = /listening on (http:\/\/\S+:\d+)/.exec(stdout)?.[1]
    if (url === undefined) return yield* Effect.dieMessage(`the service exited (${child.exitCode}) before it was ready: ${stderr}`)
    return {
      child,
      url,
      stderr: Effect.sync(() => stderr),
      stop: Effect.zipRight(Effect.sync(() => child.kill("SIGTERM")), Effect.promise(() => exited))
    } satisfies RunningService
  })

/**
 * How a test starts a service process: its flags, and its secrets in the variables a deployment
 * sets from its Secret (as flags they would show in `ps`, and the service warns of them).
 */
export interface ServiceLaunch {
  readonly args: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
}

/** A service process pointed at the test's sandbox, with its system key, on any free port, taking `token`. */
export const sandboxServiceArgs = (token: string) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const key = (yield* sandbox.snapshot).credentials.find((credential) => credential._tag === "SystemKey")!
    return {
      args: ["--base-url", sandbox.baseUrl, "--port", "0"],
      env: { BATON_API_KEY: key.key, BATON_API_SECRET: key._tag === "SystemKey" ? key.secret : "", BATON_HTTP_TOKENS: token }
    } satisfies ServiceLaunch
  })

/** `serviceProcessOver` `dataDir` pointed at the test's sandbox as `sandboxServiceArgs` says, then `flags`. */
export const sandboxServiceOver = (dataDir: string, token: string, flags: ReadonlyArray<string> = []) =>
  Effect.flatMap(sandboxServiceArgs(token), (launch) => serviceProcessOver(dataDir, [...launch.args, ...flags], { env: launch.env }))

/** `sandboxServiceArgs` with an API secret the sandbox refuses: a service whose Fivetran key is wrong. */
export const refusedKeyServiceArgs = (token: string) =>
  Effect.map(
    sandboxServiceArgs(token),
    (launch): ServiceLaunch => ({ ...launch, env: { ...launch.env, BATON_API_SECRET: "not-the-secret" } })
  )
