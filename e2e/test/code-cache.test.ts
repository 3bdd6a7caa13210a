import { V8Flags } from "@baton-fivetran/cli"
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { cliBundle, httpBundle } from "./support/AppProcess.js"

/**
 * Each app's V8 code cache (bundle/<name>.code-cache, written by the build's training run) must be
 * one V8 takes for its program under the flags its launcher sets: a rejected cache is silent, and
 * every start would compile the whole bundle again.
 */

/** The program and cache beside a launcher, named as the launcher finds them. */
const bundled = (launcher: string) => ({
  program: launcher.replace(/\.js$/, ".program.js"),
  cache: launcher.replace(/\.js$/, ".code-cache")
})

// Compiles the program as the launcher does, in a fresh Node with these V8 flags; prints whether V8 rejected the cache.
const compile = `
const [program, cache, ...flags] = process.argv.slice(1)
for (const flag of flags) require("node:v8").setFlagsFromString(flag)
const { readFileSync } = require("node:fs")
const script = new (require("node:vm").Script)(readFileSync(program, "utf8"), { filename: program, cachedData: readFileSync(cache) })
process.stdout.write(String(script.cachedDataRejected))
`

const rejected = ({ cache, program }: ReturnType<typeof bundled>, flags: ReadonlyArray<string>) =>
  execFileSync(process.execPath, ["-e", compile, program, cache, ...flags], { encoding: "utf8", timeout: 60_000 })

const apps = [
  { name: "the CLI", bundle: bundled(cliBundle), flags: V8Flags, otherFlags: [] },
  { name: "the HTTP service", bundle: bundled(httpBundle), flags: [], otherFlags: V8Flags }
]

describe("the code cache", () => {
  for (const { bundle, flags, name, otherFlags } of apps) {
    it(`of ${name} is accepted under its launcher's V8 flags`, () => {
      assert.strictEqual(rejected(bundle, flags), "false")
    })

    it(`of ${name} is rejected under other flags (so the check above can fail)`, () => {
      assert.strictEqual(rejected(bundle, otherFlags), "true")
    })
  }
})
