import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { BatonSettings, helpText, normalizeArgv, plainText } from "../src/index.js"

describe("help text", () => {
  it("states what a setting takes, whether it is required, and its variable and file key", () => {
    assert.strictEqual(
      helpText(BatonSettings.Concurrency),
      "How many Fivetran membership requests may run at once. Takes a whole number from 1 to 64. Default: 8. " +
        "Env: BATON_CONCURRENCY; .baton.yaml key: concurrency."
    )
    assert.include(helpText(BatonSettings.ApiSecret), "Required unless --sandbox.")
  })

  it("drops @effect/cli's generic lines, and its colours unless allowed", () => {
    const rendered = "\x1b[0;1m--port n\x1b[0m\n\n  A user-defined piece of text.\n\n  Port.\n\n  This setting is optional.\n\n--x\n"
    assert.strictEqual(plainText(rendered, false), "--port n\n\n  Port.\n\n--x\n")
    assert.strictEqual(plainText("\x1b[0;1mUSAGE\x1b[0m\n", true), "\x1b[0;1mUSAGE\x1b[0m\n")
  })
})

describe("argv", () => {
  it("takes baton's --log-level out (both spellings) and gives a bare --sandbox its default preset", () => {
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--log-level", "debug", "--sandbox"]), {
      args: ["node", "bin", "--sandbox", "small"],
      logLevel: Option.some("debug")
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "--log-level=warn", "-f", "x"]), {
      args: ["node", "bin", "--sandbox", "small", "-f", "x"],
      logLevel: Option.some("warn")
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "large", "--log-level"]), {
      args: ["node", "bin", "--sandbox", "large"],
      logLevel: Option.some("")
    })
  })
})
