import { concurrencyProbe, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, Ref } from "effect"
import { Provisioner } from "../src/index.js"
import { account, logged, provisioningLayer } from "./support/ProvisioningFixture.js"

/**
 * A grant or revoke against Fivetran waits a round trip per step, so the steps that do not depend
 * on one another run at once. The sandbox holds one request until another arrives (its request
 * hook): the second arrives only if it was sent without waiting for the first's answer. The hold
 * gives up after a while, so that code making them one after the other fails here instead of
 * hanging; nothing is timed.
 */

const giveUpAfter = "5 seconds"

type Meeting = "sent while held" | "not sent while held"

/**
 * Holds the first request named `held` until `awaited` reaches the sandbox; returns whether it did
 * while `held` was held (if not, `held` gave up waiting: the two were made one after the other).
 */
const holdUntil = (held: string, awaited: string) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const arrived = yield* Deferred.make<void>()
    const metWhileHeld = yield* Ref.make(Option.none<Meeting>())
    yield* sandbox.setRequestHook(({ method, path }) => {
      const request = `${method} ${path}`
      if (request === awaited) return Deferred.succeed(arrived, undefined)
      if (request !== held) return Effect.void
      return Ref.get(metWhileHeld).pipe(
        Effect.flatMap((known) =>
          // The sandbox runs its hook uninterruptibly: the wait is made interruptible for its timeout.
          Option.isSome(known) ? Effect.void : Effect.interruptible(Deferred.await(arrived)).pipe(
            Effect.timeoutTo({
              duration: giveUpAfter,
              onSuccess: (): Meeting => "sent while held",
              onTimeout: (): Meeting => "not sent while held"
            }),
            Effect.flatMap((met) => Ref.set(metWhileHeld, Option.some(met)))
          )
        )
      )
    })
    return Ref.get(metWhileHeld)
  })

const user = (id: string) => ({ type: "user", id })

/** The provisioning account with ten more teams, none of them on g_main. */
const manyTeams = {
  ...account,
  teams: [
    ...account.teams,
    ...Array.from({ length: 10 }, (_, i) => ({ id: `t_extra_${i}`, name: `Extra ${i}`, description: null, role: null }))
  ]
}

const sentWhileHeld = Option.some<Meeting>("sent while held")

/** Per container kind: the resource's read held until the membership's read arrives, and the one write after. */
const grants = [
  {
    kind: "group",
    held: "GET /v1/groups/g_main",
    membership: "GET /v1/users/ben/groups/g_main",
    entitlementId: "group:g_main:View Destination",
    userId: "ben",
    write: "POST /v1/users/ben/groups"
  },
  {
    kind: "team",
    held: "GET /v1/teams/t_ops",
    membership: "GET /v1/teams/t_ops/users/ana",
    entitlementId: "team:t_ops:member",
    userId: "ana",
    write: "POST /v1/teams/t_ops/users"
  },
  {
    kind: "connection (the connections' list)",
    held: "GET /v1/connections",
    membership: "GET /v1/users/ben/connections/c_sf",
    entitlementId: "connection:c_sf:View Connection",
    userId: "ben",
    write: "POST /v1/users/ben/connections"
  }
] as const

describe("a grant reads the membership together with the roles, the resource and the principal; then one write", () => {
  for (const { entitlementId, held, kind, membership, userId, write } of grants) {
    it.live(`${kind}: the membership read is sent while the resource's read is unanswered`, () =>
      Effect.gen(function*() {
        const met = yield* holdUntil(held, membership)
        const { requests, result } = yield* logged(Effect.flatMap(Provisioner, (p) => p.grant(entitlementId, user(userId))))
        assert.deepStrictEqual(
          { outcome: result._tag, met: yield* met, afterReads: requests.slice(4) },
          { outcome: "Granted", met: sentWhileHeld, afterReads: [write] }
        )
      }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))
  }
})

describe("a revoke asks the teams while it removes the membership", () => {
  it.live("the teams' list is read while the DELETE is unanswered; the outcome names the team that still gives it", () =>
    Effect.gen(function*() {
      // ben is a member of t_eng, which holds View Connection on c_pg; ben is given it directly too.
      yield* Effect.flatMap(Provisioner, (p) => p.grant("connection:c_pg:View Connection", user("ben")))
      const met = yield* holdUntil("DELETE /v1/users/ben/connections/c_pg", "GET /v1/teams")
      const { requests, result } = yield* logged(Effect.flatMap(Provisioner, (p) => p.revoke("connection:c_pg:View Connection:user:ben")))
      assert.deepStrictEqual(result, { _tag: "Revoked", stillHeldThrough: ["connection:c_pg:View Connection:team:t_eng"], alsoRevoked: [] })
      assert.deepStrictEqual(yield* met, sentWhileHeld)
      assert.deepStrictEqual(requests.filter((r) => !r.startsWith("GET ")), ["DELETE /v1/users/ben/connections/c_pg"])
    }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))

  it.live("the scan asks about as many teams at once as the provisioner's concurrency, no more", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      // Each team's check of g_main waits until eight are waiting; later ones pass at once.
      const probe = yield* concurrencyProbe(
        ({ method, path }) => method === "GET" && /^\/v1\/teams\/[^/]+\/groups\/g_main$/.test(path),
        8,
        giveUpAfter
      )
      yield* sandbox.setRequestHook(probe.hook)
      const { result } = yield* logged(Effect.flatMap(Provisioner, (p) => p.revoke("group:g_main:View Destination:user:ana")))
      assert.deepStrictEqual({ result, seen: yield* probe.seen }, {
        result: { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] },
        seen: { arrived: manyTeams.teams.length, most: 8 }
      })
    }).pipe(Effect.provide(provisioningLayer({ snapshot: manyTeams, concurrency: 8 }))))
})
