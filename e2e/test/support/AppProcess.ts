import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

/** The two apps as users run them: their esbuild bundles (turbo builds them before these tests). */
export const cliBundle = fileURLToPath(new URL("../../../apps/cli/bundle/baton-fivetran.js", import.meta.url))
export const httpBundle = fileURLToPath(new URL("../../../apps/http/bundle/baton-fivetran-http.js", import.meta.url))
/** The CLI's bundled program, which `cliBundle` (its launcher) runs. */
export const cliProgram = fileURLToPath(new URL("../../../apps/cli/bundle/baton-fivetran.program.js", import.meta.url))

export interface AppProcess {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the exit code (signals as 128 + n, as a shell reports them). */
  readonly exited: Effect.Effect<number>
}

/** Starts `node [nodeArgs] script args` with exactly `env` (plus PATH and HOME); killed when the scope closes. */
export const startApp = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  nodeArgs: ReadonlyArray<string> = []
) =>
  Effect.acquireRelease(
    Effect.sync((): AppProcess => {
      const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
      // "close" comes after the output streams ended, so stdout and stderr are complete by then.
      const closed = new Promise<number>((resolve) =>
        child.once("close", (code, signal) => resolve(code ?? 128 + (signal === "SIGTERM" ? 15 : 9)))
      )
      const exited = Effect.promise(() => closed)
      return { child, stdout: () => stdout, stderr: () => stderr, exited }
    }),
    (app) => Effect.sync(() => app.child.exitCode === null && app.child.kill("SIGKILL"))
  )

/** Runs the app to its end. */
export const runApp = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  nodeArgs: ReadonlyArray<string> = []
) =>
  Effect.scoped(Effect.gen(function*() {
    const app = yield* startApp(script, args, env, nodeArgs)
    const exitCode = yield* app.exited
    return { exitCode, stdout: app.stdout(), stderr: app.stderr() }
  }))
