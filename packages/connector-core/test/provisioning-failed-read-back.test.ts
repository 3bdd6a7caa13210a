import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import { Provisioner } from "../src/index.js"
import { account, clearLog, makeUser, provisioningLayer, state, systemKey } from "./support/ProvisioningFixture.js"

/**
 * A write Fivetran made but answered 502, whose read-back then failed too. Before, the refusal said
 * its action twice, 'cannot grant X: POST ...: 502; reading it back failed too (cannot grant X: GET
 * ...)', and the read-back read the account's roles again, though no grant changes them. Now the
 * read's failure follows once, after a colon, and the read-back reads only the entitlement's
 * resource, the principal and the slot.
 */

const user = (id: string) => ({ type: "user", id })

const mayHaveBeenMade = ", so the change may have been made: the next sync shows whether, and retrying is safe (it reads before it writes)"

/**
 * `action`'s refusal and the requests the sandbox answered, as `METHOD /path status`: from `write`
 * on, every request is made and answered 502 (the sandbox's failAfterActing), the write included.
 */
const failingFrom = <A, E extends { readonly _tag: string; readonly message: string }>(
  write: string,
  action: (p: Provisioner["Type"]) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* clearLog
    yield* sandbox.setRequestHook(({ method, path }) =>
      `${method} ${path}` === write ? sandbox.setFaults({ failAfterActing: { requests: 100, status: 502 } }) : Effect.void
    )
    const refused = yield* Effect.flip(Effect.flatMap(Provisioner, action))
    yield* sandbox.setFaults({})
    yield* sandbox.setRequestHook(() => Effect.void)
    const answered = (yield* sandbox.requestLog).map((entry) => `${entry.method} ${entry.path} ${entry.status}`)
    return { refusal: [refused._tag, refused.message], answered }
  })

/** The reads made at once (readTogether) sorted, then what follows them in order. */
const together = (answered: ReadonlyArray<string>, ...counts: ReadonlyArray<number>) => {
  let at = 0
  return counts.flatMap((count) => {
    const part = count === 1 ? answered.slice(at, at + 1) : [...answered.slice(at, at + count)].sort()
    at += count
    return part
  }).concat(answered.slice(at))
}

describe("a write answered 502 whose read-back fails too", () => {
  it.live("a group grant says each failure once, and the read-back does not read the roles again", () =>
    Effect.gen(function*() {
      const { answered, refusal } = yield* failingFrom(
        "POST /v1/users/ben/groups",
        (p) => p.grant("group:g_side:View Destination", user("ben"))
      )
      assert.deepStrictEqual(refusal, [
        "Upstream",
        "cannot grant group:g_side:View Destination to user:ben: POST /v1/users/ben/groups: Fivetran answered 502; " +
        "reading it back failed too: GET /v1/groups/g_side: Fivetran answered 502" + mayHaveBeenMade
      ])
      assert.deepStrictEqual(together(answered, 4, 1, 3), [
        "GET /v1/groups/g_side 200",
        "GET /v1/roles 200",
        "GET /v1/users/ben 200",
        "GET /v1/users/ben/groups/g_side 404",
        "POST /v1/users/ben/groups 502",
        "GET /v1/groups/g_side 502",
        "GET /v1/users/ben 502",
        "GET /v1/users/ben/groups/g_side 502"
      ])
      // Made, as the sandbox's failAfterActing does: the refusal's "may have been made" holds.
      assert.strictEqual(yield* state.userGroup("ben", "g_side"), "View Destination")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an account role's grant reads the user alone back", () =>
    Effect.gen(function*() {
      const { answered, refusal } = yield* failingFrom(
        "PATCH /v1/users/ana",
        (p) => p.grant("role:Account Analyst:assigned", user("ana"))
      )
      assert.deepStrictEqual(refusal, [
        "Upstream",
        "cannot grant role:Account Analyst:assigned to user:ana: PATCH /v1/users/ana: Fivetran answered 502; " +
        "reading it back failed too: GET /v1/users/ana: Fivetran answered 502" + mayHaveBeenMade
      ])
      assert.deepStrictEqual(together(answered, 2), [
        "GET /v1/roles 200",
        "GET /v1/users/ana 200",
        "PATCH /v1/users/ana 502",
        "GET /v1/users/ana 502"
      ])
      assert.strictEqual(yield* state.userRole("ana"), "Account Analyst")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a read-back that meets the key revoked since the write is KeyRejected, still saying the change may have been made", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const basic = Buffer.from(`${systemKey.key}:${systemKey.secret}`).toString("base64")
      // Deleting the key's user revokes its key, as an administrator does in Fivetran.
      const revoke = yield* Effect.cached(
        Effect.promise(() =>
          fetch(`${sandbox.baseUrl}/v1/users/dee`, { method: "DELETE", headers: { authorization: `Basic ${basic}` } })
            .then((response) => response.status)
        )
      )
      const written = yield* Ref.make(false)
      yield* clearLog
      yield* sandbox.setRequestHook(({ method, path }) =>
        `${method} ${path}` === "PATCH /v1/users/ana"
          ? Effect.zipRight(sandbox.setFaults({ failAfterActing: { requests: 1, status: 502 } }), Ref.set(written, true))
          : method === "GET"
          ? Effect.flatMap(Ref.get(written), (after) => after ? Effect.asVoid(revoke) : Effect.void)
          : Effect.void
      )
      const refused = yield* Effect.flip(Effect.flatMap(Provisioner, (p) => p.grant("role:Account Analyst:assigned", user("ana"))))
      yield* sandbox.setRequestHook(undefined)
      assert.deepStrictEqual([refused._tag, refused.message], [
        "KeyRejected",
        "cannot grant role:Account Analyst:assigned to user:ana: PATCH /v1/users/ana: Fivetran answered 502; reading it back " +
        "failed too: GET /v1/users/ana: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and " +
        "api-secret settings" + mayHaveBeenMade
      ])
      const answered = (yield* sandbox.requestLog).map((entry) => `${entry.method} ${entry.path} ${entry.status}`)
      assert.deepStrictEqual([yield* revoke, together(answered, 2)], [200, [
        "GET /v1/roles 200",
        "GET /v1/users/ana 200",
        "PATCH /v1/users/ana 502",
        "DELETE /v1/users/dee 200",
        "GET /v1/users/ana 401"
      ]])
      // Made, as the sandbox's failAfterActing does: the refusal's "may have been made" holds.
      assert.strictEqual((yield* sandbox.snapshot).users.find((u) => u.id === "ana")?.role, "Account Analyst")
    }).pipe(Effect.provide(provisioningLayer({
      snapshot: {
        ...account,
        users: account.users.map((u) => u.id === "dee" ? makeUser("dee", "Account Administrator") : u),
        credentials: [...account.credentials, {
          _tag: "UserKey",
          key: "sandbox_key_readbackrevoked",
          secret: "5e7a9c1b3d5f7a9c2e4b6d8f1a3c5e7b",
          user_id: "dee"
        }]
      },
      credential: { key: "sandbox_key_readbackrevoked", secret: "5e7a9c1b3d5f7a9c2e4b6d8f1a3c5e7b" }
    }))))
})
