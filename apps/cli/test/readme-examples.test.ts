import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assertExit, runCli } from "./support/CliProcess.js"

/**
 * The README's one-shot provisioning lines, run as written against `--sandbox small`: the ids they
 * name must exist in the generated preset, so a newcomer can paste them.
 */

const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8")

/** Shell words of one command line: whitespace-separated, single quotes keep everything literal. */
const shellWords = (line: string): ReadonlyArray<string> => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!)

const examples = readme
  .replace(/\\\n\s*/g, "")
  .split("\n")
  .filter((line) => line.startsWith("baton-fivetran -p --sandbox small "))
  .map((line) => shellWords(line).slice(1))

const expectedOutput = [
  "granted group:exact_creek:View Destination to user:wise_cactus",
  "revoked group:formal_birch:Edit Destination:user:formal_sierra",
  /^created user:[a-z_]+ \(ada@example\.com\)$/,
  "deleted user:fancy_petal"
] as const

describe("README", () => {
  it("shows one example of each provisioning action, each on the small sandbox", () => {
    assert.deepStrictEqual(examples.map((args) => args.find((a) => a.startsWith("--") && a !== "--sandbox")), [
      "--grant-entitlement",
      "--revoke-grant",
      "--create-account-email",
      "--delete-resource"
    ])
  })

  examples.forEach((args, i) => {
    it.scopedLive(`works as written: baton-fivetran ${args.join(" ")}`, () =>
      Effect.gen(function*() {
        const result = yield* runCli(args)
        assertExit(result, 0)
        const expected = expectedOutput[i]!
        const output = result.stdout.trim()
        if (typeof expected === "string") assert.strictEqual(output, expected)
        else assert.match(output, expected)
      }).pipe(Effect.provide(NodeContext.layer)))
  })
})
