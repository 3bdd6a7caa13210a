import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { V8Flags } from "../src/V8Flags.js"

/**
 * The build's V8 code cache (bundle/baton-fivetran.code-cache, written by a training run) must be one
 * V8 takes for the program under the launcher's flags: a rejected cache is silent, and every start
 * would compile the whole bundle again.
 */

const program = fileURLToPath(new URL("../bundle/baton-fivetran.program.js", import.meta.url))
const cache = fileURLToPath(new URL("../bundle/baton-fivetran.code-cache", import.meta.url))

// Compiles the program as the launcher does, in a fresh Node with these V8 flags; prints whether V8 rejected the cache.
const compile = `
const [program, cache, ...flags] = process.argv.slice(1)
for (const flag of flags) require("node:v8").setFlagsFromString(flag)
const { readFileSync } = require("node:fs")
const script = new (require("node:vm").Script)(readFileSync(program, "utf8"), { filename: program, cachedData: readFileSync(cache) })
process.stdout.write(String(script.cachedDataRejected))
`

const rejected = (flags: ReadonlyArray<string>) =>
  execFileSync(process.execPath, ["-e", compile, program, cache, ...flags], { encoding: "utf8", timeout: 60_000 })

describe("the code cache", () => {
  it("is accepted under the launcher's V8 flags", () => {
    assert.strictEqual(rejected(V8Flags), "false")
  })

  it("is rejected under other flags (so the check above can fail)", () => {
    assert.strictEqual(rejected([]), "true")
  })
})
