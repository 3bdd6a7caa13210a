import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { NotFound } from "@baton-fivetran/http-api"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * `GET /v1/account-roles`: the account roles a destination's or connection's sheet points to (they
 * reach it by their permissions, without rows on it), each with its holders' count, on the real
 * service over a sync of the small sandbox.
 */

const answer = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    return { status: response.status, body: yield* Effect.orDie(response.text) }
  })

layer(harness({ snapshot: generatePreset("small") }), { excludeTestServices: true, timeout: 120_000 })("account roles over HTTP", (it) => {
  it.effect("before a sync, 404 saying what to do; after it, each held account role and its holders' count", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      assert.deepStrictEqual(
        yield* Effect.flip(client.review.accountRoles()),
        new NotFound({ message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed" })
      )
      const sync = yield* runSync
      assert.strictEqual(sync.status, "succeeded")

      const roles = yield* client.review.accountRoles()
      assert.deepStrictEqual(roles, {
        sync_id: sync.id,
        items: [
          { id: "role:Account Administrator", name: "Account Administrator", holders: 1 },
          { id: "role:Account Analyst", name: "Account Analyst", holders: 12 },
          { id: "role:Account Reviewer", name: "Account Reviewer", holders: 15 },
          { id: "role:Destination Creator", name: "Destination Creator", holders: 1 },
          { id: "role:Security Auditor", name: "Security Auditor", holders: 4 }
        ]
      })

      // A count is the number of principals on the role's own sheet, the list it points to.
      const reviewers = yield* answer(`/v1/export?format=jsonl&resource=${encodeURIComponent("role:Account Reviewer")}`)
      const principals = new Set(
        reviewers.body.split("\n").filter((line) => line !== "").map((line) => (JSON.parse(line) as { principal: string }).principal)
      )
      assert.strictEqual(principals.size, 15)

      assert.deepStrictEqual(yield* answer("/v1/account-roles?resource=group:trusty_inlet"), {
        status: 400,
        body: JSON.stringify({
          error: "InvalidRequest",
          message: "resource is not a field of this request (it takes no query parameters)",
          field: "resource"
        })
      })
    }))
})
