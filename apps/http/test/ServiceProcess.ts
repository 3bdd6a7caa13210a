import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const serviceBundle = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))

/**
 * The bundled service as a process of its own, with `args` and a fresh data directory, and only
 * PATH in its environment. It is stopped (SIGTERM, by its own handle) and its data directory removed
 * when the scope closes. Succeeds with what `ready` finds in its stdout once it has printed it
 * (e.g. its URL); fails if the process exits first.
 */
export const startServiceProcess = <A>(args: ReadonlyArray<string>, ready: (printed: string) => A | undefined) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(serviceBundle), `${serviceBundle} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
    const dataDir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-process-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [serviceBundle, ...args, "--data-dir", dataDir], {
          env: { PATH: process.env.PATH ?? "" },
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
