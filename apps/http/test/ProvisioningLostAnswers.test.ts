import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, provisioningCall as call } from "./Harness.js"

/**
 * Fivetran removes the membership (or the user) and the connection resets before its answer: the
 * client repeats the DELETE, which is answered 404. Before, the service answered already_revoked
 * and does_not_exist, though this very request had removed them.
 */

/** The sandbox's next DELETE is made and its answer lost; the answer to `path`, and the DELETEs' statuses. */
const withDeleteAnswerLost = (path: string) =>
  Effect.gen(function*() {
    const { sandbox } = yield* Harness
    yield* sandbox.clearRequestLog
    yield* sandbox.setFaults({ lostAnswers: { requests: 1 }, methods: ["DELETE"] })
    const answer = yield* call("DELETE", path)
    yield* sandbox.setFaults({})
    const deletes = (yield* sandbox.requestLog).filter((entry) => entry.method === "DELETE").map((entry) => entry.status)
    return { answer, deletes }
  })

layer(harness({ provisioning: true, maxAttempts: 5 }), { excludeTestServices: true, timeout: 60_000 })(
  "a DELETE made whose answer was lost",
  (it) => {
    it.effect("a revoke answers revoked and a delete deleted, their repeats' 404 read back", () =>
      Effect.gen(function*() {
        const { sandbox } = yield* Harness
        const before = yield* sandbox.snapshot
        const held = before.user_groups[0]!
        const grantId = `group:${held.group_id}:${held.role}:user:${held.user_id}`
        const other = before.users.find((user) => user.role !== "Account Administrator" && user.id !== held.user_id)!
        const revoked = yield* withDeleteAnswerLost(`/v1/grants/${encodeURIComponent(grantId)}`)
        const deleted = yield* withDeleteAnswerLost(`/v1/resources/user/${other.id}`)
        assert.deepStrictEqual([revoked, deleted], [
          { answer: { status: 200, body: { grant_id: grantId, status: "revoked", message: `revoked ${grantId}` } }, deletes: [0, 404] },
          {
            answer: {
              status: 200,
              body: { resource: { resourceType: "user", resource: other.id }, status: "deleted", message: `deleted user:${other.id}` }
            },
            deletes: [0, 404]
          }
        ])
        const after = yield* sandbox.snapshot
        assert.deepStrictEqual(
          [
            after.user_groups.some((row) => row.group_id === held.group_id && row.user_id === held.user_id),
            after.users.some((user) => user.id === other.id)
          ],
          [false, false]
        )
      }))
  }
)
