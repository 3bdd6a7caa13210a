import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../src/Sandbox.js"
import { provideSandbox, raw, type RawResponse } from "./harness.js"

/**
 * The same write sent several times at once, each answer held back by a fixed latency (as
 * `--latency` does): every request is in flight while the others are handled, yet exactly one
 * makes the change and the others get Fivetran's answer to a change already made
 * (docs/fivetran-api.md §9: 409 for a duplicate membership, 404 with a `NotFound…` code for a
 * missing one; for an email already in the account, UNCONFIRMED there, the sandbox's 409). The
 * provisioner decides again on exactly these answers (connector-core's ChangedMeanwhile.ts and
 * Accounts.ts).
 */

const withLatency = provideSandbox({ faults: { latency: { minMillis: 150, maxMillis: 150 } } })

/** `count` copies of the request at once: their statuses, sorted, and the body of each status. */
const atOnce = <E, R>(count: number, request: Effect.Effect<RawResponse, E, R>) =>
  Effect.map(Effect.all(Array.from({ length: count }, () => request), { concurrency: "unbounded" }), (answers) => ({
    statuses: answers.map((answer) => answer.status).sort(),
    bodies: new Map(answers.map((answer) => [answer.status, answer.json]))
  }))

const snapshot = Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)

describe("one write sent 4 times at once, with latency", () => {
  it.live("a membership add: one 201, three 409 naming the role now held", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ user_id: "dapper_heron", role: "Team Member" })
      const run = yield* atOnce(4, raw("POST", "/v1/teams/noble_quill/users", { body }))
      assert.deepStrictEqual(run.statuses, [201, 409, 409, 409])
      assert.deepStrictEqual(run.bodies.get(409), {
        code: "Conflict",
        message: "'dapper_heron' already has role 'Team Member' in 'noble_quill'; change it with PATCH"
      })
      const members = (yield* snapshot).team_users.filter((row) => row.user_id === "dapper_heron")
      assert.deepStrictEqual(members.map((row) => [row.team_id, row.role]), [["noble_quill", "Team Member"]])
    }).pipe(withLatency))

  it.live("a membership removal: one 200, three 404 NotFound", () =>
    Effect.gen(function*() {
      const run = yield* atOnce(4, raw("DELETE", "/v1/users/calm_willow/groups/amber_falcon"))
      assert.deepStrictEqual(run.statuses, [200, 404, 404, 404])
      assert.deepStrictEqual(run.bodies.get(404), { code: "NotFound", message: "'calm_willow' has no membership in 'amber_falcon'" })
      assert.isFalse((yield* snapshot).user_groups.some((row) => row.user_id === "calm_willow"))
    }).pipe(withLatency))

  it.live("an invitation of one email, cased differently: one 201, three 409, one user", () =>
    Effect.gen(function*() {
      const emails = ["zoe@acme.test", "Zoe@acme.test", "ZOE@acme.test", "zoe@ACME.test"]
      const answers = yield* Effect.all(
        emails.map((email) => raw("POST", "/v1/users", { body: JSON.stringify({ email, given_name: "Zoe", family_name: "Q" }) })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(answers.map((answer) => answer.status).sort(), [201, 409, 409, 409])
      const zoe = (yield* snapshot).users.filter((user) => user.email.toLowerCase() === "zoe@acme.test")
      assert.strictEqual(zoe.length, 1)
      const refused = answers.filter((answer) => answer.status === 409).map((answer) => answer.json)
      assert.deepStrictEqual(
        refused.map((json) => (json as { code: string }).code),
        ["Conflict", "Conflict", "Conflict"]
      )
    }).pipe(withLatency))

  it.live("a user deletion: one 200, three 404 NotFound", () =>
    Effect.gen(function*() {
      const run = yield* atOnce(4, raw("DELETE", "/v1/users/calm_willow"))
      assert.deepStrictEqual(run.statuses, [200, 404, 404, 404])
      assert.deepStrictEqual(run.bodies.get(404), { code: "NotFound", message: "User with id 'calm_willow' doesn't exist" })
      assert.isFalse((yield* snapshot).users.some((user) => user.id === "calm_willow"))
    }).pipe(withLatency))
})
