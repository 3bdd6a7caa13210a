import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * An admin offboarding by email (`--delete-resource ada@example.com`, or a grant id ending
 * `:user:ada@example.com`) got `does not exist: user:ada@example.com (nothing to delete)` and
 * `already revoked: ...`, exit 0, while the user kept every access: Fivetran answers 404 for an
 * email where an id belongs. An email-shaped id is now refused before any request, exit 2, saying
 * it is an email and where the id is found; a grant to one likewise (it said "does not exist").
 */

const user = smallAccount.users.find((candidate) => candidate.role !== "Account Administrator" && candidate.email !== "")!
const group = smallAccount.groups[0]!
// In JSON the error line is a log line: the email it quotes is <email> (emails-in-logs.test.ts).
const refusal = `invalid user id "<email>": it is an email address, not a Fivetran id (such as nozzle_eat); give the ` +
  "user's id, which the sync's resources list (a user's beside its email)"

/** Runs the CLI with -p; the sandbox must have been sent no request at all. */
const provision = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assert.deepStrictEqual(yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.requestLog), [])
    return result
  })

const errorLines = (stderr: string) => logFields(stderr).filter((line) => line["level"] === "error")

describe("a user's email given as its id", () => {
  it.scopedLive("--delete-resource with an email exits 2 naming it, and the user is still there", () =>
    Effect.gen(function*() {
      const result = yield* provision("--delete-resource", user.email, "--delete-resource-type", "user")
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(errorLines(result.stderr), [{ level: "error", msg: refusal, exit_code: 2 }])
      const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
      assert.isDefined(snapshot.users.find((candidate) => candidate.id === user.id))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a revoke whose grant id ends with an email, and a grant to one, exit 2 the same way", () =>
    Effect.gen(function*() {
      const revoked = yield* provision("--revoke-grant", `group:${group.id}:View Destination:user:${user.email}`)
      assertExit(revoked, 2)
      assert.strictEqual(revoked.stdout, "")
      assert.deepStrictEqual(errorLines(revoked.stderr), [{ level: "error", msg: refusal, exit_code: 2 }])
      const granted = yield* provision(
        "--grant-entitlement",
        `group:${group.id}:View Destination`,
        "--grant-principal",
        user.email,
        "--grant-principal-type",
        "user"
      )
      assertExit(granted, 2)
      assert.deepStrictEqual(errorLines(granted.stderr), [{ level: "error", msg: refusal, exit_code: 2 }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
