import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * The diff's user rows carry what a reviewer checks of a user besides its name and status: its
 * email and its account type. An added or removed user has them from the sync that has it (who
 * was invited, at which address; whom the removed account belonged to). Fivetran's API changes
 * neither of a user in place, so the service's sandbox cannot show a changed one; the CLI's
 * review.test.ts diffs two sandboxes' syncs for that, through the same AccessReview code.
 */

const snapshot = generatePreset("small")
/** An active person of the small preset, deleted between the two syncs. */
const removed = snapshot.users.find((user) => user.id === "fancy_petal")!

layer(harness({ provisioning: true, snapshot }), { excludeTestServices: true, timeout: 120_000 })("the diff's user attributes", (it) => {
  it.effect("an invited user added and a user deleted: each with its email and account type, as its status", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const before = yield* runSync
      const created = yield* client.provisioning.createAccount({
        payload: { email: "new.hire@acmedata.com", given_name: "New", family_name: "Hire" }
      })
      assert.strictEqual(created.status, "created")
      const deleted = yield* client.provisioning.deleteResource({ path: { type: "user", id: removed.id } })
      assert.strictEqual(deleted.status, "deleted")
      const after = yield* runSync

      const diff = yield* client.review.diff({ path: { id: after.id }, urlParams: { base: before.id } })
      // The entries' own fields (the two syncs' on every item are Review.test.ts's).
      const resources = diff.items
        .filter((item) => item.kind === "resource")
        .map(({ new_sync_id: _n, new_synced_at: _na, old_sync_id: _o, old_synced_at: _oa, ...entry }) => entry)
      const user = (change: "added" | "removed", id: string, name: string, status: string, email: string) => ({
        change,
        kind: "resource" as const,
        id: `user:${id}`,
        name,
        status,
        email,
        account_type: "human"
      })
      assert.deepStrictEqual(
        resources,
        [
          user("removed", removed.id, "Gabriel Gomez", "enabled", removed.email!),
          user("added", created.resource.id.resource, "New Hire", "invited", "new.hire@acmedata.com")
        ].sort((a, b) => a.id < b.id ? -1 : 1)
      )
    }).pipe(Effect.orDie))

  it.effect("the OpenAPI document's diff item has the four fields, optional, after the status pair", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("GET", "/openapi.json", { token: TestToken })
      const document = JSON.parse(yield* response.text) as {
        components: { schemas: Record<string, { properties: Record<string, unknown>; required: ReadonlyArray<string> }> }
      }
      const row = document.components.schemas["DiffRow"]!
      const names = Object.keys(row.properties)
      assert.deepStrictEqual(names.slice(names.indexOf("status"), names.indexOf("status") + 6), [
        "status",
        "previous_status",
        "email",
        "previous_email",
        "account_type",
        "previous_account_type"
      ])
      assert.deepStrictEqual(row.required.filter((name) => name.includes("email") || name.includes("account_type")), [])
    }).pipe(Effect.orDie))
})
