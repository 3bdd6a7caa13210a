import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * Fivetran removes the membership (or the user) and the connection resets before its answer: the
 * client repeats the DELETE, which is answered 404. Before, the CLI printed "already revoked" and
 * "does not exist (nothing to delete)", and audited already_revoked, though this run had removed them.
 */

const held = smallAccount.user_groups[0]!
const grantId = `group:${held.group_id}:${held.role}:user:${held.user_id}`
const deletable = smallAccount.users.find((user) => user.role !== "Account Administrator" && user.id !== held.user_id)!

/** Runs the CLI with -p against the test's sandbox, whose next DELETE is made and its answer lost. */
const withDeleteAnswerLost = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* sandbox.setFaults({ lostAnswers: { requests: 1 }, methods: ["DELETE"] })
    const { flags, key } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assertNoSecret(result, key.secret)
    const deletes = (yield* sandbox.requestLog).filter((entry) => entry.method === "DELETE").map((entry) => entry.status)
    return { result, deletes }
  })

/** The log lines but the retry's wait (its jittered length is no outcome). */
const outcomeLines = (stderr: string) => logFields(stderr).filter((line) => !String(line["msg"]).startsWith("waiting "))

const lost = "could not reach Fivetran: the request failed: UND_ERR_SOCKET other side closed"

describe("a DELETE made whose answer was lost", () => {
  it.scopedLive("--revoke-grant prints revoked and audits revoked, with the read-back's warning", () =>
    Effect.gen(function*() {
      const { deletes, result } = yield* withDeleteAnswerLost("--revoke-grant", grantId)
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `revoked ${grantId}\n`)
      const path = `/v1/users/${held.user_id}/groups/${held.group_id}`
      assert.deepStrictEqual(deletes, [0, 404])
      assert.deepStrictEqual(outcomeLines(result.stderr), [
        {
          // One msg for an alert, whatever was asked and met: those are fields.
          level: "warn",
          msg: "a write's outcome was unknown, but the read-back found the change made",
          provisioning: `revoke ${grantId}`,
          error: `DELETE ${path}: not found (404 NotFound): '${held.user_id}' has no membership in ` +
            `'${held.group_id}', answering attempt 2; an earlier one (${lost}) may have removed it`
        },
        {
          level: "info",
          msg: "provisioning action",
          action: "revoke",
          grant_id: grantId,
          entitlement_id: `group:${held.group_id}:${held.role}`,
          principal_type: "user",
          principal_id: held.user_id,
          outcome: "revoked"
        }
      ])
      const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
      assert.isUndefined(snapshot.user_groups.find((row) => row.group_id === held.group_id && row.user_id === held.user_id))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("--delete-resource prints deleted", () =>
    Effect.gen(function*() {
      const { deletes, result } = yield* withDeleteAnswerLost("--delete-resource", deletable.id, "--delete-resource-type", "user")
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `deleted user:${deletable.id}\n`)
      assert.deepStrictEqual(deletes, [0, 404])
      assert.deepStrictEqual(outcomeLines(result.stderr).map((line) => line["outcome"] ?? line["level"]), ["warn", "deleted"])
      const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
      assert.isUndefined(snapshot.users.find((user) => user.id === deletable.id))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
