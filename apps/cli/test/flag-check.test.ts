import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, jsonLines, runCli } from "./support/CliProcess.js"

/**
 * The argv pre-check (settings' FlagCheck.ts): a flag given twice, and a sync or provisioning flag given to
 * a subcommand, exit 2 naming the flag before anything runs; the valid spellings still work.
 */

const secret = "do-not-print-this-secret-42"

/** Each refusal: nothing on stdout, exactly this line on stderr, exit 2. */
const assertRefusals = (cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]>) =>
  Effect.forEach(cases, ([args, reason]) =>
    Effect.map(runCli(args), (result) => {
      assertNoSecret(result, secret)
      assert.deepStrictEqual([result.exitCode, result.stdout, result.stderr], [2, "", `error: ${reason}\n`], args.join(" "))
    }), { concurrency: 4, discard: true })

describe("flags given twice", () => {
  it.live("exit 2 naming the flag and its values, for the root command and subcommands, whatever the spelling", () =>
    assertRefusals([
      [["--sandbox", "small", "-f", "a.c1z", "-f", "b.c1z"], "--file was given twice (\"a.c1z\", \"b.c1z\"); give it once"],
      [["--file=a.c1z", "--sandbox", "-f", "b.c1z"], "--file was given twice (\"a.c1z\", \"b.c1z\"); give it once"],
      [["resources", "-o", "json", "-o", "csv"], "--output was given twice (\"json\", \"csv\"); give it once"],
      [["-f", "a.c1z", "resources", "--file=b.c1z"], "--file was given twice (\"a.c1z\", \"b.c1z\"); give it once"],
      [
        ["--concurrency", "2", "--sandbox", "--concurrency", "3", "--concurrency=4"],
        "--concurrency was given 3 times (\"2\", \"3\", \"4\"); give it once"
      ],
      [["--log-level", "debug", "--sandbox", "--log-level=info"], "--log-level was given twice (\"debug\", \"info\"); give it once"],
      [["-p", "--sandbox", "--provisioning=false"], "--provisioning was given twice; give it once"],
      [["sandbox", "--port", "0", "--port", "8089"], "--port was given twice (\"0\", \"8089\"); give it once"],
      [["-p", "--revoke-grant", "G1", "--revoke-grant", "G2"], "--revoke-grant was given twice (\"G1\", \"G2\"); give it once"]
    ]).pipe(Effect.provide(NodeContext.layer)))

  it.live("a secret or a profile (a person's name and phone) given twice is named, never shown", () =>
    assertRefusals([
      [["--api-key", "k", "--api-secret", secret, "--api-secret", `${secret}-2`], "--api-secret was given twice; give it once"],
      [["--api-key", secret, "--api-key", "k"], "--api-key was given twice; give it once"],
      [
        ["-p", "--create-account-profile", `{"given_name":"${secret}"}`, "--create-account-profile", "{}"],
        "--create-account-profile was given twice; give it once"
      ]
    ]).pipe(Effect.provide(NodeContext.layer)))
})

describe("a flag without its value", () => {
  it.live("exit 2 saying it needs a value, for a subcommand's flags as the root's, at the end or before another flag", () =>
    assertRefusals([
      [["resources", "-o"], "-o needs a value (-o <table|json|csv>)"],
      [["resources", "--type"], "--type needs a value (--type <user|role|group|team|connection>)"],
      [["grants", "--principal", "-o", "json"], "--principal needs a value (--principal <type:id>)"],
      [["resources", "-f"], "-f needs a value (-f <path>)"],
      [["sandbox", "--port"], "--port needs a value (--port <port>)"],
      [["--sandbox", "small", "-f"], "-f needs a value (-f <path>)"],
      [["--concurrency", "--sandbox"], "--concurrency needs a value (--concurrency <n>)"]
    ]).pipe(Effect.provide(NodeContext.layer)))
})

describe("sync and provisioning flags on a subcommand", () => {
  it.live("exit 2 naming the flag and where it belongs, after the subcommand or before it", () =>
    assertRefusals([
      [
        ["resources", "--api-secret", secret],
        "--api-secret is a flag of the sync/provisioning command (baton-fivetran --api-secret <secret>), not of \"resources\""
      ],
      [
        ["resources", "-p", "--revoke-grant", "G"],
        "--revoke-grant is a flag of the sync/provisioning command (baton-fivetran -p --revoke-grant <grant-id>), not of \"resources\""
      ],
      [["resources", "-p"], "-p is a flag of the sync/provisioning command (baton-fivetran -p), not of \"resources\""],
      [
        ["config", "--api-secret", secret],
        "--api-secret is a flag of the sync/provisioning command (baton-fivetran --api-secret <secret>), not of \"config\""
      ],
      [
        ["sandbox", "--api-secret", secret],
        "--api-secret is a flag of the sync/provisioning command (baton-fivetran --api-secret <secret>), not of \"sandbox\""
      ],
      [
        ["--sandbox", "small", "capabilities"],
        "--sandbox is a flag of the sync/provisioning command (baton-fivetran --sandbox <small|medium|large>), not of \"capabilities\""
      ],
      [
        ["diff", "-f", "x.c1z", "a.c1z", "b.c1z"],
        "-f is a flag of the sync/provisioning command (baton-fivetran -f <path>) and of access, entitlements, export, " +
        "grants, resources and verify, not of \"diff\""
      ]
    ]).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("the valid forms still work: -f and --file=, before or after the subcommand, logging flags anywhere, --", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-flags-" })
      const file = `${dir}/sync.c1z`
      const sync = yield* runCli(["--log-format", "json", `--file=${file}`, "--sandbox", "--concurrency=3"])
      assertExit(sync, 0)
      const forms: ReadonlyArray<ReadonlyArray<string>> = [
        ["resources", "-o", "json", "-f", file],
        ["-f", file, "resources", "-o", "json"],
        ["resources", "--output=json", `--file=${file}`],
        ["--log-format", "json", "resources", "-f", file, "-o", "json"],
        ["--log-level", "warn", "resources", "-f", file, "-o", "json", "--log-format", "json"],
        // Between the subcommand and its own flags: @effect/cli refused the flags after it.
        ["resources", "--log-format", "json", "-f", file, "-o", "json"],
        ["resources", "--log-format=json", "--log-level", "warn", "-o", "json", "-f", file]
      ]
      const results = yield* Effect.forEach(forms, (args) => runCli(args), { concurrency: 4 })
      for (const [i, result] of results.entries()) {
        assertExit(result, 0)
        assert.strictEqual(result.stdout, results[0]!.stdout, forms[i]!.join(" "))
      }
      assert.include(results[0]!.stdout, "{\"id\":\"user:")
      // After --, a flag-like word is an argument: access reads it as the principal (and refuses it).
      const forced = yield* runCli(["access", "-f", file, "--", "-f"])
      assert.deepStrictEqual([forced.exitCode, forced.stderr], [
        2,
        "error: access: expected <type>:<id>, e.g. user:quiet_harbor, got \"-f\"\n"
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("where the subcommand starts", () => {
  it.scopedLive("a flag's value is never the subcommand: -f resources syncs into a file named resources", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-flags-" })
      const [short, long, both] = yield* Effect.all([
        runCli(["--sandbox", "--log-format", "json", "-f", "resources"], { cwd: dir }),
        runCli(["--file", "diff", "--sandbox", "--log-format", "json", "--summary-file", "config"], { cwd: dir }),
        // The root's -f before the subcommand is the file it reads.
        runCli(["-f", "resources", "resources", "-o", "json", "--type", "team"], { cwd: dir })
      ], { concurrency: 1 })
      const synced = (result: typeof short) => {
        assertExit(result, 0)
        return jsonLines(result.stderr).find((line) => line["msg"] === "sync complete")?.["file"]
      }
      assert.deepStrictEqual([synced(short), synced(long)], ["resources", "diff"])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["config", "diff", "resources"])
      assertExit(both, 0)
      assert.strictEqual(both.stdout.split("\n").filter((line) => line.startsWith("{\"id\":\"team:")).length, 3)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("grouped short flags and a short flag's joined value exit 2 saying how to give them; a secret starting with - is a value", () =>
    assertRefusals([
      [["-pf", "x.c1z", "--sandbox"], "-pf: short flags are not grouped here; give each apart (-p -f)"],
      [["--sandbox", "-pv"], "-pv: short flags are not grouped here; give each apart (-p -v)"],
      [
        ["-fx.c1z", "--sandbox"],
        "-f with its value joined to it: give the value after a space (-f <path>), or use --file=<path>"
      ],
      [
        ["-f=x.c1z", "--sandbox"],
        "-f with its value joined to it: give the value after a space (-f <path>), or use --file=<path>"
      ],
      [
        ["resources", "-ojson"],
        "-o with its value joined to it: give the value after a space (-o <table|json|csv>), or use --output=<table|json|csv>"
      ],
      // Read as the secret (not as -p grouped with other letters), then refused for --sandbox given twice.
      [["--api-secret", `-p${secret}`, "--sandbox", "--sandbox"], "--sandbox was given twice; give it once"]
    ]).pipe(Effect.provide(NodeContext.layer)))
})
