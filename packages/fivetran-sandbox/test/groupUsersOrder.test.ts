import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream, TestClock } from "effect"
import type { AccountSnapshot } from "../src/state/AccountSnapshot.js"
import { fixture } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const createdAt: Readonly<Record<string, string>> = {
  // The same instant as eager_lynx's, written without a fraction: a tie, broken by id.
  quiet_harbor: "2024-03-10T09:00:00Z",
  bright_otter: "2024-01-05T00:00:00.000000Z",
  // One microsecond later: as text it would sort before "…00Z" ('.' < 'Z').
  calm_willow: "2024-03-10T09:00:00.000001Z",
  dapper_heron: "2024-04-10T09:00:00.000004Z"
}

/**
 * The fixture with its users' `created_at` out of snapshot order, and a fifth user (an account
 * reviewer) created at the same instant as quiet_harbor.
 */
const shuffled: AccountSnapshot = {
  ...fixture,
  users: [
    ...fixture.users.map((user) => ({ ...user, created_at: createdAt[user.id]! })),
    {
      ...fixture.users[1]!,
      id: "eager_lynx",
      email: "eva.lund@acme.test",
      given_name: "Eva",
      family_name: "Lund",
      created_at: "2024-03-10T09:00:00.000000Z"
    }
  ]
}

interface PageBody {
  readonly data: {
    readonly items: ReadonlyArray<{ readonly id: string; readonly role: string | null }>
    readonly next_cursor?: string
  }
}

/** Every row of `GET /v1/groups/{id}/users`, one per page, with the cursor each page gave. */
const walkOneByOne = (groupId: string) =>
  Effect.gen(function*() {
    const pages: Array<readonly [string, string | null, string | undefined]> = []
    let path = `/v1/groups/${groupId}/users?limit=1`
    for (;;) {
      const response = yield* raw("GET", path)
      assert.strictEqual(response.status, 200)
      const page = (response.json as PageBody).data
      const [row] = page.items
      pages.push([row!.id, row!.role, page.next_cursor])
      if (page.next_cursor === undefined) return pages
      path = `/v1/groups/${groupId}/users?limit=1&cursor=${page.next_cursor}`
    }
  })

const rowsOf = (groupId: string) =>
  Effect.flatMap(
    FivetranClient,
    (client) => Effect.map(collect(client.listGroupUsers(groupId)), (users) => users.map((u) => [u.id, u.role] as const))
  )

describe("GET /v1/groups/{id}/users order (docs/fivetran-api.md §1.6: sorted by created_at)", () => {
  it.effect("oldest user first, ties by id, whatever the snapshot order; pages of one follow it", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* walkOneByOne("amber_falcon"), [
        ["bright_otter", "Manage Destination", "eyJza2lwIjoxfQ"],
        ["eager_lynx", null, "eyJza2lwIjoyfQ"],
        ["quiet_harbor", null, "eyJza2lwIjozfQ"],
        ["calm_willow", "View Destination", undefined]
      ])
      assert.deepStrictEqual(yield* rowsOf("golden_ridge"), [
        ["bright_otter", null],
        ["eager_lynx", null],
        ["quiet_harbor", null]
      ])
      // The account's user list keeps insertion order.
      const users = (yield* raw("GET", "/v1/users")).json as PageBody
      assert.deepStrictEqual(
        users.data.items.map((u) => u.id),
        ["quiet_harbor", "bright_otter", "calm_willow", "dapper_heron", "eager_lynx"]
      )
    }).pipe(provideSandbox({ snapshot: shuffled })))

  it.effect("an invited user takes its place by created_at; a deleted one leaves it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 1, 1))
      const invited = yield* raw("POST", "/v1/users", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "finn.berg@acme.test", given_name: "Finn", family_name: "Berg", role: "Account Analyst" })
      })
      assert.strictEqual(invited.status, 201)
      const { created_at, id } = (invited.json as { readonly data: { readonly id: string; readonly created_at: string } }).data
      assert.strictEqual(created_at, "2024-02-01T00:00:00.000000Z")
      assert.deepStrictEqual(yield* rowsOf("golden_ridge"), [
        ["bright_otter", null],
        [id, null],
        ["eager_lynx", null],
        ["quiet_harbor", null]
      ])
      assert.strictEqual((yield* raw("DELETE", "/v1/users/eager_lynx")).status, 200)
      assert.deepStrictEqual(yield* rowsOf("golden_ridge"), [
        ["bright_otter", null],
        [id, null],
        ["quiet_harbor", null]
      ])
    }).pipe(provideSandbox({ snapshot: shuffled })))

  it.effect("the order is the user's created_at, not the membership's", () =>
    Effect.gen(function*() {
      // The membership is created at the TestClock's 1970, before every user.
      const added = yield* raw("POST", "/v1/groups/golden_ridge/users", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "dev.shah@acme.test", role: "View Destination" })
      })
      assert.deepStrictEqual([added.status, added.json], [200, {
        code: "Success",
        message: "User has been added to the group"
      }])
      assert.deepStrictEqual(yield* rowsOf("golden_ridge"), [
        ["bright_otter", null],
        ["eager_lynx", null],
        ["quiet_harbor", null],
        ["dapper_heron", "View Destination"]
      ])
    }).pipe(provideSandbox({ snapshot: shuffled })))
})
