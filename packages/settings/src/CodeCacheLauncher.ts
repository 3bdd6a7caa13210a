import { readFileSync, renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { basename, dirname } from "node:path"
import { Script } from "node:vm"

/**
 * What an app's executable does (the CLI's and the HTTP service's `src/launch.ts`, bundled as
 * `bundle/<name>.js`, CommonJS, nothing but Node built-ins): runs the bundled program beside it,
 * `<name>.program.js`, from V8's code cache, `<name>.code-cache`. Most of a start-up was V8 parsing
 * and compiling the bundle; Node 20 has no compile cache for modules (`module.enableCompileCache`
 * came in Node 22), but a script compiled through `vm.Script` takes V8's code cache. The build writes
 * the cache from a training run (`BATON_CODE_CACHE_TRAINING=1`, scripts/bundle-app.mjs); V8 rejects a
 * cache made by another V8 version or with other V8 flags, and the program then compiles as it
 * would without one. Imported by its own path (`@baton-fivetran/settings/code-cache-launcher`), so a
 * launcher bundles this file alone.
 */
export const runFromCodeCache = (launcherPath: string, v8Flags: ReadonlyArray<string>): void => {
  // Loading the program takes a few hundred milliseconds, and until it has installed its handlers
  // (NodeRuntime.runMain does, as its module runs) a SIGINT or SIGTERM took Node's default action:
  // exit 130 or 143 with nothing said, where a moment later it interrupted the command. Listening
  // from here keeps the signal pending (Node runs handlers only once the loop turns, after the
  // program has loaded), so that it reaches the program's handlers. Where the program installed none,
  // this one stays and ends the process as Node's default would.
  const signals = ["SIGINT", "SIGTERM"] as const
  const untilTheProgramListens = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return
    for (const name of signals) process.removeListener(name, untilTheProgramListens)
    process.kill(process.pid, signal)
  }
  for (const name of signals) process.on(name, untilTheProgramListens)

  // Set before the program is compiled: V8 accepts a code cache only under the flags it was made with.
  // node:v8 is loaded only to set some (~3 ms of a start): the HTTP service sets none.
  if (v8Flags.length > 0) {
    const { setFlagsFromString } = createRequire(launcherPath)("node:v8") as typeof import("node:v8")
    for (const flag of v8Flags) setFlagsFromString(flag)
  }

  const programPath = launcherPath.replace(/\.js$/, ".program.js")
  const cachePath = launcherPath.replace(/\.js$/, ".code-cache")
  const training = process.env["BATON_CODE_CACHE_TRAINING"] === "1"

  const readCache = (): Buffer | undefined => {
    try {
      return readFileSync(cachePath)
    } catch {
      return undefined
    }
  }

  // A launcher copied on its own (the "single file" of the docs) has no program beside it: one line
  // saying what to copy instead of Node's stack trace of a failed readFileSync.
  const readProgram = (): string | undefined => {
    try {
      return readFileSync(programPath, "utf8")
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable"
      process.stderr.write(
        `error: ${basename(launcherPath)} cannot run without ${basename(programPath)} beside it (${code}: ${programPath}): ` +
          "run it where the build wrote it, in a checkout set up with pnpm install, or copy its whole bundle directory and " +
          "node_modules (docs/deploy.md, The image)\n"
      )
      process.exitCode = 1
      return undefined
    }
  }
  const program = readProgram()
  if (program === undefined) return

  // The program is a CommonJS module's function, `(function (exports, require, module, __filename, __dirname) {…})`.
  const script = new Script(program, {
    filename: programPath,
    ...(training ? {} : { cachedData: readCache() })
  })

  if (training) {
    // The cache holds every function compiled so far: written at exit, it covers the whole training run.
    process.once("exit", () => {
      const temporary = `${cachePath}.${process.pid}.tmp`
      writeFileSync(temporary, script.createCachedData())
      renameSync(temporary, cachePath)
    })
  }

  const programModule = { exports: {} }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string
  ) => void
  run(programModule.exports, createRequire(programPath), programModule, programPath, dirname(programPath))

  for (const name of signals) {
    if (process.listenerCount(name) > 1) process.removeListener(name, untilTheProgramListens)
  }
}
