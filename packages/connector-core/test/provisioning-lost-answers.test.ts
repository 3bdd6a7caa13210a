import { ConsoleTextAnnotation } from "@baton-fivetran/fivetran-client/console-text"
import { type FaultOptions, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, HashMap, Logger, LogLevel, Option } from "effect"
import { Provisioner } from "../src/index.js"
import { clearLog, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A write Fivetran made whose answer was lost (the connection reset after it acted), with the
 * client's usual five attempts: a DELETE is repeated, and its repeat finds the membership or the
 * user gone (404). Before, that 404 read as someone else's change: the revoke was reported
 * "already revoked" and the delete "does not exist", though this very request had made them.
 */

/** The provisioner over a sandbox, with the client's default attempts and a short backoff. */
const withRetries = provisioningLayer({ client: { backoffBaseMillis: 10 } })

const provisioner = <A, E>(action: (p: Provisioner["Type"]) => Effect.Effect<A, E>) => Effect.flatMap(Provisioner, action)

/** The next write of `method` is made and its answer lost; the action's outcome tag, its warnings and the writes answered. */
const answerLost = <A extends { readonly _tag: string }, E>(
  method: NonNullable<FaultOptions["methods"]>[number],
  action: (p: Provisioner["Type"]) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* clearLog
    yield* sandbox.setFaults({ lostAnswers: { requests: 1 }, methods: [method] })
    const warnings: Array<string> = []
    const collect = Logger.make(({ annotations, logLevel, message }) => {
      // What a person reads: the console text of a line that has one (ConsoleText.ts).
      if (logLevel === LogLevel.Warning) {
        warnings.push(String(Option.getOrElse(HashMap.get(annotations, ConsoleTextAnnotation), () => message)))
      }
    })
    const outcome = yield* provisioner(action).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)))
    yield* sandbox.setFaults({})
    const writes = (yield* sandbox.requestLog).filter((entry) => entry.method !== "GET").map((entry) =>
      `${entry.method} ${entry.path} ${entry.status}`
    )
    return { outcome, warnings, writes }
  })

describe("a write made whose answer was lost, with retries", () => {
  it.live("a revoke whose DELETE is repeated into a 404 is reported revoked, the read-back saying so", () =>
    Effect.gen(function*() {
      const group = yield* answerLost("DELETE", (p) => p.revoke("group:g_main:View Destination:user:ana"))
      const team = yield* answerLost("DELETE", (p) => p.revoke("team:t_eng:member:user:cy"))
      assert.deepStrictEqual([group.outcome._tag, group.writes, group.warnings], [
        "Revoked",
        ["DELETE /v1/users/ana/groups/g_main 0", "DELETE /v1/users/ana/groups/g_main 404"],
        [
          "revoke group:g_main:View Destination:user:ana: DELETE /v1/users/ana/groups/g_main: not found (404 NotFound): 'ana' has " +
          "no membership in 'g_main', answering attempt 2; an earlier one (could not reach Fivetran: the request failed: " +
          "UND_ERR_SOCKET other side closed) may have removed it, but the read-back found the change made"
        ]
      ])
      assert.deepStrictEqual([team.outcome._tag, team.writes], [
        "Revoked",
        ["DELETE /v1/teams/t_eng/users/cy 0", "DELETE /v1/teams/t_eng/users/cy 404"]
      ])
      assert.deepStrictEqual([yield* state.userGroup("ana", "g_main"), yield* state.teamUser("t_eng", "cy")], [null, null])
    }).pipe(Effect.provide(withRetries)))

  it.live("a delete whose DELETE is repeated into a 404 is reported deleted", () =>
    Effect.gen(function*() {
      const deleted = yield* answerLost("DELETE", (p) => p.deleteResource("user", "dee"))
      assert.deepStrictEqual([deleted.outcome._tag, deleted.writes], [
        "Deleted",
        ["DELETE /v1/users/dee 0", "DELETE /v1/users/dee 404"]
      ])
      assert.isFalse((yield* state.userIds).includes("dee"))
    }).pipe(Effect.provide(withRetries)))

  it.live("a grant (POST, not repeated), a role change (PATCH, repeated) and an invitation are reported made", () =>
    Effect.gen(function*() {
      const granted = yield* answerLost("POST", (p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" }))
      const changed = yield* answerLost("PATCH", (p) => p.grant("role:Account Analyst:assigned", { type: "user", id: "ana" }))
      const created = yield* answerLost(
        "POST",
        (p) => p.createAccount({ email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn" })
      )
      assert.deepStrictEqual(
        [
          granted.outcome,
          changed.outcome._tag,
          changed.outcome._tag === "Granted" ? changed.outcome.replacedRole : "",
          created.outcome._tag
        ],
        [granted.outcome, "Granted", "Account Reviewer", "Created"]
      )
      assert.deepStrictEqual(
        [granted.outcome._tag, granted.writes, changed.writes, created.writes],
        [
          "Granted",
          ["POST /v1/users/ben/groups 0"],
          ["PATCH /v1/users/ana 0", "PATCH /v1/users/ana 200"],
          ["POST /v1/users 0"]
        ]
      )
      assert.deepStrictEqual([yield* state.userGroup("ben", "g_side"), yield* state.userRole("ana")], [
        "View Destination",
        "Account Analyst"
      ])
    }).pipe(Effect.provide(withRetries)))
})
