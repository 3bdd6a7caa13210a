import { BuiltInResourceTypes, type ResourceType, type ResourceTypeModule, row, SyncFailed } from "@baton-fivetran/connector-core"
import { assert, layer } from "@effect/vitest"
import { Effect, Option, Schema, Stream } from "effect"
import { InvalidRequestBody } from "@baton-fivetran/http-api"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * A resource type registered through the registry alone (no edit of connector-core or of this
 * app): the Fivetran account itself, one resource listed from GET /v1/account/info in the first
 * phase, sync only. The service must sync it, accept it in its type filters and list it in its
 * capabilities, and its provisioning must refuse grants on it by the registry's rule.
 */
const AccountResourceType: ResourceType = {
  id: "account",
  displayName: "Account",
  traits: [],
  description: "The Fivetran account the API key belongs to",
  annotations: []
}

const AccountType: ResourceTypeModule = {
  type: AccountResourceType,
  capabilities: ["CAPABILITY_SYNC"],
  sync: {
    typeIn: () => Option.some(AccountResourceType),
    phase: "resource types",
    rows: (context) =>
      Stream.fromEffect(
        context.client.accountInfo.pipe(
          Effect.mapError((cause) => new SyncFailed({ reason: "read the account", cause }))
        )
      ).pipe(
        Stream.map((info) =>
          row.resource({ id: { resourceType: "account", resource: info.account_id }, displayName: info.account_name, annotations: [] })
        )
      )
  }
}

layer(harness({ registry: [...BuiltInResourceTypes, AccountType], provisioning: true }), {
  excludeTestServices: true,
  timeout: 60_000
})("a toy resource type registered through the registry alone", (it) => {
  it.effect("is synced, listed by the type filter and by parent/resource filters, and in the capabilities", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      assert.strictEqual(job.summary?.resources["account"], 1)

      const accounts = yield* client.queries.resources({ urlParams: { type: "account" } })
      assert.deepStrictEqual(accounts.items.map((item) => [item.id.resourceType, item.id.resource, item.displayName]), [[
        "account",
        snapshot.account.account_id,
        snapshot.account.account_name
      ]])
      const entitlements = yield* client.queries.entitlements({
        urlParams: { resource: `account:${snapshot.account.account_id}` }
      })
      assert.deepStrictEqual(entitlements.items, [])

      const capabilities = yield* client.service.capabilities()
      assert.deepStrictEqual(
        capabilities.resourceTypeCapabilities.map((entry) => [entry.resourceType.id, entry.capabilities]),
        [
          ["account", ["CAPABILITY_SYNC"]],
          ["connection", ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]],
          ["group", ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]],
          ["role", ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]],
          ["team", ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]],
          ["user", ["CAPABILITY_SYNC", "CAPABILITY_ACCOUNT_PROVISIONING", "CAPABILITY_RESOURCE_DELETE"]]
        ]
      )
    }).pipe(Effect.orDie))

  it.effect("a type the registry lacks is still refused, naming the registered ones", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("GET", "/v1/resources?type=robot", { token: TestToken })
      assert.strictEqual(response.status, 400)
      const body = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(InvalidRequestBody)))
      assert.strictEqual(body.field, "type")
      assert.strictEqual(body.message, "type: must be one of user, role, group, team, connection, account")
    }))

  it.effect("provisioning refuses a grant on the toy type: the registry gives it no grants", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const entitlement = `account:${snapshot.account.account_id}:member`
      const response = yield* request("POST", "/v1/grants", {
        token: TestToken,
        body: { entitlement_id: entitlement, principal: { type: "user", id: snapshot.users[0]!.id } }
      })
      const body = yield* Effect.orDie(response.json)
      assert.deepStrictEqual([response.status, body], [422, {
        error: "Unsupported",
        message:
          `"${entitlement}": accounts have no entitlements to grant or revoke; grant a role, group, team or connection entitlement to the account instead`
      }])
    }))
})
