import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AccountSnapshot } from "../src/state/AccountSnapshot.js"
import { fixture } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

/**
 * The fixture with one suspended user and one service account. Keys: quiet_harbor, bright_otter
 * and calm_willow own user keys; dapper_heron (a pending invitation) owns none.
 */
const mixed: AccountSnapshot = {
  ...fixture,
  users: fixture.users.map((user) =>
    user.id === "bright_otter"
      ? { ...user, active: false }
      : user.id === "calm_willow"
      ? { ...user, user_type: "SERVICE_ACCOUNT" }
      : user
  )
}

const mixedUser = (id: string) => mixed.users.find((u) => u.id === id)!

interface PageBody {
  readonly data: { readonly items: ReadonlyArray<{ readonly id: string }>; readonly next_cursor?: string }
}

/** The ids `GET /v1/users?<query>` answers, after checking it is one whole page. */
const idsFor = (query: string) =>
  Effect.map(raw("GET", `/v1/users?${query}`), (response) => {
    const body = response.json as PageBody
    assert.deepStrictEqual([query, response.status, "next_cursor" in body.data], [query, 200, false])
    return body.data.items.map((u) => u.id)
  })

describe("GET /v1/users filters (docs/fivetran-api.md §2.1)", () => {
  it.live("active keeps the enabled (true) or the suspended (false) users", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* idsFor("active=true"), ["quiet_harbor", "calm_willow", "dapper_heron"])
      assert.deepStrictEqual(yield* idsFor("active=false"), ["bright_otter"])
    }).pipe(provideSandbox({ snapshot: mixed })))

  it.live("user_type keeps one type; a user without user_type is a regular user", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* idsFor("user_type=SERVICE_ACCOUNT"), ["calm_willow"])
      assert.deepStrictEqual(yield* idsFor("user_type=REGULAR_USER"), ["quiet_harbor", "bright_otter", "dapper_heron"])
    }).pipe(provideSandbox({
      snapshot: {
        ...mixed,
        users: mixed.users.map(({ user_type, ...user }) => (user.id === "dapper_heron" ? user : { ...user, user_type }))
      }
    })))

  it.live("has_api_key keeps the owners of a user key (true) or the others (false)", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* idsFor("has_api_key=true"), ["quiet_harbor", "bright_otter", "calm_willow"])
      assert.deepStrictEqual(yield* idsFor("has_api_key=false"), ["dapper_heron"])
    }).pipe(provideSandbox({ snapshot: mixed })))

  it.live("a user's key goes with the user: has_api_key follows a deletion", () =>
    Effect.gen(function*() {
      const deleted = yield* raw("DELETE", "/v1/users/calm_willow")
      assert.strictEqual(deleted.status, 200)
      assert.deepStrictEqual(yield* idsFor("has_api_key=true"), ["quiet_harbor", "bright_otter"])
    }).pipe(provideSandbox({ snapshot: mixed })))

  it.live("filters combine; the full user objects come back unchanged", () =>
    Effect.gen(function*() {
      const response = yield* raw("GET", "/v1/users?active=true&user_type=REGULAR_USER&has_api_key=true")
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(response.json, {
        code: "Success",
        data: { items: [mixedUser("quiet_harbor")] }
      })
      assert.deepStrictEqual(yield* idsFor("active=false&has_api_key=false"), [])
    }).pipe(provideSandbox({ snapshot: mixed })))

  it.live("paging walks the filtered list: limit and cursor count the users the filter keeps", () =>
    Effect.gen(function*() {
      const pages: Array<readonly [ReadonlyArray<string>, string | undefined]> = []
      let path = "/v1/users?active=true&limit=2"
      for (;;) {
        const response = yield* raw("GET", path)
        assert.strictEqual(response.status, 200)
        const page = (response.json as PageBody).data
        pages.push([page.items.map((u) => u.id), page.next_cursor])
        if (page.next_cursor === undefined) break
        path = `/v1/users?active=true&limit=2&cursor=${page.next_cursor}`
      }
      assert.deepStrictEqual(pages, [
        [["quiet_harbor", "calm_willow"], "eyJza2lwIjoyfQ"],
        [["dapper_heron"], undefined]
      ])
    }).pipe(provideSandbox({ snapshot: mixed })))

  it.live("a value outside the documented ones is a 400 InvalidInput naming the parameter", () =>
    Effect.gen(function*() {
      const answers: Array<readonly [string, number, unknown]> = []
      for (
        const query of [
          "active=yes",
          "active=TRUE",
          "active=",
          "user_type=regular_user",
          "user_type=ADMIN",
          "has_api_key=1",
          "active=true&has_api_key=maybe"
        ]
      ) {
        const response = yield* raw("GET", `/v1/users?${query}`)
        answers.push([query, response.status, response.json])
      }
      const invalid = (message: string) => ({ code: "InvalidInput", message })
      assert.deepStrictEqual(answers, [
        ["active=yes", 400, invalid("Invalid parameter 'active': 'yes' must be true or false")],
        ["active=TRUE", 400, invalid("Invalid parameter 'active': 'TRUE' must be true or false")],
        ["active=", 400, invalid("Invalid parameter 'active': '' must be true or false")],
        [
          "user_type=regular_user",
          400,
          invalid("Invalid parameter 'user_type': 'regular_user' must be REGULAR_USER or SERVICE_ACCOUNT")
        ],
        ["user_type=ADMIN", 400, invalid("Invalid parameter 'user_type': 'ADMIN' must be REGULAR_USER or SERVICE_ACCOUNT")],
        ["has_api_key=1", 400, invalid("Invalid parameter 'has_api_key': '1' must be true or false")],
        ["active=true&has_api_key=maybe", 400, invalid("Invalid parameter 'has_api_key': 'maybe' must be true or false")]
      ])
    }).pipe(provideSandbox({ snapshot: mixed })))
})
