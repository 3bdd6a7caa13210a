import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * A refusal repeats what the user gave (an id, a type:id, a flag's value, an unknown flag or
 * command; the CLI's refusals and @effect/cli's) up to 128 characters, then its length: an id of
 * 100 kB pasted by mistake, or from a script's bad variable, was repeated whole in the `error:`
 * line (100 kB of stderr, in a log collector too). On a terminal its control characters are
 * escaped, as in any error line.
 */

const long = "x".repeat(100_000)
const cut = `${"x".repeat(128)}…(100000 characters)`

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-echoed-" }))

describe("what a refusal repeats of the arguments", () => {
  it.scopedLive(
    "a 100 kB id, type:id, value, flag or command is cut to its first 128 characters and its length",
    () =>
      Effect.gen(function*() {
        const cwd = yield* tempDir
        yield* copySandboxSync(`${cwd}/sync.c1z`, "small")
        const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
          [
            ["grants", "-f", "sync.c1z", "--entitlement", long],
            `entitlement ${cut} is not in sync.c1z (list them with: baton-fivetran entitlements)`
          ],
          [
            ["grants", "-f", "sync.c1z", "--principal", `user:${long}`],
            `user:${"x".repeat(123)}…(100005 characters) is not in sync.c1z (list them with: baton-fivetran resources)`
          ],
          [["grants", "-f", "sync.c1z", "--principal", long], `--principal: expected <type>:<id>, e.g. user:quiet_harbor, got "${cut}"`],
          [
            ["access", "-f", "sync.c1z", `role:${long}`],
            `access takes a user or team (access user:<id> or team:<id>); role:${"x".repeat(123)}…(100005 characters) is a role, ` +
            `whose holders are listed by: baton-fivetran access --entitlement 'role:${"x".repeat(123)}…(100014 characters)'`
          ],
          [
            ["access", "-f", "sync.c1z", "--resource", `user:${long}`],
            `--resource takes a resource with entitlements (a group, connection, role or team); user:${"x".repeat(123)}…(100005 ` +
            `characters) is a user, whose access is listed by: baton-fivetran access user:${"x".repeat(123)}…(100005 characters)`
          ],
          [
            ["entitlements", "-f", "sync.c1z", "--resource", `group:${long}`],
            `group:${"x".repeat(122)}…(100006 characters) is not in sync.c1z (list them with: baton-fivetran resources)`
          ],
          [["resources", "-f", "sync.c1z", "--type", long], `--type: expected user, role, group, team, connection, got "${cut}"`],
          [["sandbox", "--port", long], `--port: expected a port number from 0 to 65535, got "${cut}"`],
          [[`--${long}`], `unknown flag '--${"x".repeat(126)}…(100002 characters)' (see baton-fivetran --help)`],
          [["resources", `--${long}`], `unknown flag '--${"x".repeat(126)}…(100002 characters)' (see baton-fivetran resources --help)`],
          [
            [long],
            "unknown command (not shown: it is no word, and may be a secret given without its flag): the commands are " +
            "access, capabilities, config, diff, entitlements, export, grants, resources, " +
            "sandbox, verify (see baton-fivetran --help)"
          ],
          [["-f", "a.c1z", "-f", long], `--file was given twice ("a.c1z", "${cut}"); give it once`],
          // @effect/cli's own refusal.
          [["resources", "-f", "sync.c1z", long], `Received unknown argument: '${cut}' (see baton-fivetran resources --help)`],
          [
            ["access", "-f", "sync.c1z", `user:\u001b[2J${long}`],
            `user:\\u001b[2J${"x".repeat(119)}…(100009 characters) is not in sync.c1z (list them with: baton-fivetran resources)`
          ]
        ]
        for (const [args, reason] of cases) {
          const result = yield* runCli(args, { cwd })
          const named = args.map((arg) => arg.slice(0, 20)).join(" ")
          assert.deepStrictEqual({ exitCode: result.exitCode, stderr: result.stderr }, { exitCode: 2, stderr: `error: ${reason}\n` }, named)
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
