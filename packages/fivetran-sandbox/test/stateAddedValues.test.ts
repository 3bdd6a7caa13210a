import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readSnapshot, writeSnapshot } from "../src/index.js"
import { fixture } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

/**
 * A `--state` file can hold what Fivetran may add tomorrow (a role of a new scope, a user of a new
 * type), so the connector's handling of it is tried against the sandbox; the file was refused
 * (`roles[N].scope[0]`). The sandbox serves the values as written; its own writes still take only
 * today's user types (protocol.test.ts).
 */

const organizationOwner = {
  name: "Organization Owner",
  description: "Owns the organization's accounts.",
  is_custom: false,
  scope: ["ORGANIZATION"],
  is_deprecated: false,
  replacement_role_name: null
}
const tomorrow = {
  ...fixture,
  roles: [...fixture.roles, organizationOwner],
  users: fixture.users.map((user, index) => index === 0 ? { ...user, user_type: "AGENT_ACCOUNT" } : user)
}

const items = (body: unknown): ReadonlyArray<Record<string, unknown>> =>
  (body as { readonly data: { readonly items: ReadonlyArray<Record<string, unknown>> } }).data.items

describe("a state file with values Fivetran may add", () => {
  it.scopedLive("loads, and GET /v1/roles and GET /v1/users serve the new scope and user type as written", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const file = path.join(yield* fs.makeTempDirectoryScoped({ prefix: "sandbox-added-values-" }), "tomorrow.json")
      yield* fs.writeFileString(file, JSON.stringify(tomorrow))
      const loaded = yield* readSnapshot(file)
      assert.deepStrictEqual(loaded, tomorrow)

      const [roles, users] = yield* Effect.all([raw("GET", "/v1/roles?limit=1000"), raw("GET", "/v1/users?limit=1000")]).pipe(
        provideSandbox({ snapshot: loaded })
      )
      assert.deepStrictEqual([roles.status, items(roles.json).at(-1)], [200, organizationOwner])
      assert.deepStrictEqual(
        [users.status, items(users.json).map((user) => user["user_type"])],
        [200, tomorrow.users.map((user) => user.user_type)]
      )
      assert.strictEqual(items(users.json)[0]!["user_type"], "AGENT_ACCOUNT")
      // Written back, the file is what was read.
      yield* writeSnapshot(file, loaded, { pretty: false })
      assert.strictEqual(yield* fs.readFileString(file), `${JSON.stringify(tomorrow)}\n`)
    }).pipe(Effect.provide(NodeContext.layer)))
})
