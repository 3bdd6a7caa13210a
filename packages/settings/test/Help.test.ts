import { assert, describe, it } from "@effect/vitest"
import { Options } from "@effect/cli"
import { Option } from "effect"
import { BatonSettings, explainLeftover, helpText, normalizeArgv, plainText } from "../src/index.js"

describe("help text", () => {
  it("states what a setting takes, whether it is required, and its variable and file key", () => {
    assert.strictEqual(
      helpText(BatonSettings.Concurrency),
      "How many Fivetran membership requests may run at once. Takes a whole number from 1 to 64. Default: 8. " +
        "Env: BATON_CONCURRENCY; .baton.yaml key: concurrency."
    )
    assert.include(helpText(BatonSettings.ApiSecret), "Required unless --api-secret-file, or --sandbox.")
  })

  it("a secret's help says to give it by variable or file, as a command line is visible to other local users", () => {
    assert.strictEqual(
      helpText(BatonSettings.ApiSecret),
      "The secret of the Fivetran API key. Takes secret text (never printed). Required unless --api-secret-file, or --sandbox. " +
        "Env: BATON_API_SECRET; .baton.yaml key: api-secret. " +
        "Prefer BATON_API_SECRET or .baton.yaml to the flag: other local users can see a command line (ps)."
    )
    assert.match(
      helpText(BatonSettings.ApiKey),
      / Prefer BATON_API_KEY or \.baton\.yaml to the flag: other local users can see a command line \(ps\)\.$/
    )
    assert.strictEqual(
      helpText(BatonSettings.BaseUrl),
      "The Fivetran REST API base URL, without /v1 (the client adds it; a trailing /v1 is dropped). Takes an http(s) " +
        "URL such as https://api.fivetran.com. Default: https://api.fivetran.com. Env: BATON_BASE_URL; .baton.yaml key: base-url."
    )
  })

  it("drops @effect/cli's generic lines, and its colours unless allowed", () => {
    const rendered = "\x1b[0;1m--port n\x1b[0m\n\n  A user-defined piece of text.\n\n  Port.\n\n  This setting is optional.\n\n--x\n"
    assert.strictEqual(plainText(rendered, false), "--port n\n\n  Port.\n\n--x\n")
    assert.strictEqual(
      plainText("--public-docs\n\n  A true or false value.\n\n  Serve /docs.\n\n--x\n", false),
      "--public-docs\n\n  Serve /docs.\n\n--x\n"
    )
    assert.strictEqual(plainText("\x1b[0;1mUSAGE\x1b[0m\n", true), "\x1b[0;1mUSAGE\x1b[0m\n")
  })
})

describe("argv", () => {
  const settings = [BatonSettings.Provisioning, BatonSettings.SyncConnections, BatonSettings.LogLevel]

  it("takes baton's --log-level out (both spellings) and gives a bare --sandbox its default preset", () => {
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--log-level", "debug", "--sandbox"], settings), {
      args: ["node", "bin", "--sandbox", "small"],
      given: new Map([["log-level", "debug"]])
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "--log-level=warn", "-f", "x"], settings), {
      args: ["node", "bin", "--sandbox", "small", "-f", "x"],
      given: new Map([["log-level", "warn"]])
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "large", "--log-level"], settings), {
      args: ["node", "bin", "--sandbox", "large"],
      given: new Map([["log-level", ""]])
    })
  })

  it("takes a switch given a value out with it, as given, for the resolution to check; a bare switch stays for @effect/cli", () => {
    assert.deepStrictEqual(
      normalizeArgv(["node", "bin", "--provisioning=false", "--sync-connections", "F", "-f", "x"], settings),
      { args: ["node", "bin", "-f", "x"], given: new Map([["provisioning", "false"], ["sync-connections", "F"]]) }
    )
    // @effect/cli would read `No` (or yes, on, y...) as a value; taken out, the resolution refuses it.
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "-p", "No", "--delete-resource", "u"], settings), {
      args: ["node", "bin", "--delete-resource", "u"],
      given: new Map([["provisioning", "No"]])
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "-p", "--sync-connections", "-f", "x"], settings), {
      args: ["node", "bin", "-p", "--sync-connections", "-f", "x"],
      given: new Map()
    })
    // Checked by the resolution, which names the flag.
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--provisioning=maybe"], settings), {
      args: ["node", "bin"],
      given: new Map([["provisioning", "maybe"]])
    })
  })
})

describe("leftover arguments", () => {
  const options = Options.all({ port: Options.text("port"), public: Options.boolean("public-docs") })

  it("a command without subcommands names a stray argument and where its flags are listed", () => {
    assert.deepStrictEqual(
      explainLeftover("baton-fivetran-http", options, [], ["--port", "1", "--public-docs", "extra"]),
      Option.some("unexpected argument 'extra' (see baton-fivetran-http --help)")
    )
    assert.deepStrictEqual(explainLeftover("baton-fivetran-http", options, [], ["--port", "1"]), Option.none())
  })

  it("a stray argument that is no word (a secret whose flag was left out) is not repeated", () => {
    assert.deepStrictEqual(
      explainLeftover("baton-fivetran-http", options, [], ["--port", "1", "fts_Vb3Nc8Hd5Ks1Jy6T"]),
      Option.some(
        "unexpected argument (not shown: it is no word, and may be a secret given without its flag) " +
          "(see baton-fivetran-http --help)"
      )
    )
  })
})
