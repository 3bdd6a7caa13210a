import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { runUnderTerminal } from "./support/Terminal.js"

/** @effect/cli's generic lines and ANSI escapes, none of which belongs in this CLI's help. */
const assertPlainHelp = (text: string, what: string) => {
  assert.notInclude(text, "A user-defined piece of text", what)
  assert.notInclude(text, "This setting is optional.", what)
  // A switch's: its own description says what it turns on.
  assert.notInclude(text, "A true or false value.", what)
  assert.notInclude(text, "\x1b[", what)
}

/** The help block of one option: from its heading line to the next blank-line-separated heading. */
const optionBlock = (help: string, heading: string) => {
  const start = help.indexOf(`\n${heading}\n`)
  assert.isAtLeast(start, 0, `no option ${heading} in the help`)
  const rest = help.slice(start + heading.length + 2).replace(/^\n/, "")
  // The last block ends with the help itself.
  const end = rest.search(/\n\n(?! )|\n$/)
  return rest.slice(0, end === -1 ? undefined : end)
}

describe("help", () => {
  it.live("every command's --help is plain when piped, and describes every option", () =>
    Effect.gen(function*() {
      const commands = [
        "",
        "sandbox",
        "capabilities",
        "config",
        "resources",
        "entitlements",
        "grants",
        "access",
        "diff",
        "export",
        "verify"
      ]
      const results = yield* Effect.forEach(commands, (command) => runCli([...(command === "" ? [] : [command]), "--help"]), {
        concurrency: 3
      })
      results.forEach((result, i) => {
        assertExit(result, 0)
        assertPlainHelp(result.stdout, `baton-fivetran ${commands[i]} --help`)
      })
      const root = results[0]!.stdout
      assert.include(root, "USAGE")
      assert.strictEqual(
        optionBlock(root, "--api-secret secret"),
        "  The secret of the Fivetran API key. Takes secret text (never printed). Required unless --api-secret-file, or --sandbox. " +
          "Env: BATON_API_SECRET; .baton.yaml key: api-secret. " +
          "Prefer BATON_API_SECRET or .baton.yaml to the flag: other local users can see a command line (ps)."
      )
      assert.include(optionBlock(root, "--concurrency n"), "Takes a whole number from 1 to 64. Default: 8. Env: BATON_CONCURRENCY")
      assert.include(optionBlock(root, "--summary-file path"), "Optional. Env: BATON_SUMMARY_FILE; .baton.yaml key: summary-file.")
      assert.include(optionBlock(root, "(-f, --file path)"), "Default: sync.c1z.")
      assert.include(root, "--log-level debug|info|warn|error (The lowest level logged on stderr.")
      // Every option names its .baton.yaml key: which file that is, BATON_CONFIG_PATH's included.
      assert.include(
        root,
        "The .baton.yaml the settings name is the file BATON_CONFIG_PATH names if set (a .yaml or .yml), " +
          "else .baton.yaml or .baton.yml in the working directory."
      )
      assert.strictEqual(
        optionBlock(results[1]!.stdout, "--port port"),
        "  Port to listen on (default 0: any free port, printed). Optional."
      )
      assert.strictEqual(
        optionBlock(results[1]!.stdout, "--host address"),
        "  IP address to listen on (default 127.0.0.1; ::1 for IPv6, 0.0.0.0 or :: for every address, which is warned of). Optional."
      )
      assert.strictEqual(
        optionBlock(root, "--grant-principal id"),
        "  The user or team id to grant to. Needs -p. Takes a user or team id. Optional. " +
          "Env: BATON_GRANT_PRINCIPAL; .baton.yaml key: grant-principal."
      )
      assert.include(optionBlock(root, "--sandbox small|medium|large"), "Optional. Env: BATON_SANDBOX; .baton.yaml key: sandbox.")
      // export writes CSV unless told otherwise; the other review commands a table on a terminal.
      const outputFlag = "(-o, --output table|json|csv)"
      assert.strictEqual(optionBlock(results[9]!.stdout, outputFlag), "  Output format (default csv). Optional.")
      assert.strictEqual(
        optionBlock(results[4]!.stdout, outputFlag),
        "  Output format (default table on a terminal, else json). Optional."
      )
      // verify's one line is for reading and for scripts alike: a table unless told otherwise.
      assert.strictEqual(optionBlock(results[10]!.stdout, outputFlag), "  Output format (default table: one line). Optional.")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.live("colours only on a terminal, and not with NO_COLOR set", () =>
    Effect.gen(function*() {
      const coloured = yield* runUnderTerminal(["--help"])
      assertExit(coloured, 0)
      assert.include(coloured.stdout, "\x1b[", "on a terminal the help has colours")
      const plain = yield* runUnderTerminal(["--help"], { NO_COLOR: "1" })
      assertExit(plain, 0)
      assert.include(plain.stdout, "USAGE")
      assertPlainHelp(plain.stdout, "NO_COLOR=1 on a terminal")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
